"""``credstack createadmin``: create a staff superuser (prompts, or --email with CREDSTACK_ADMIN_PASSWORD)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.accounts.actions import do_create_admin


class Command(BaseCommand):
    help = "Create a staff superuser who can use the Django admin at /admin/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="Email address (prompted if missing).")
        parser.add_argument("--name", default="", help="Display name.")
        parser.add_argument(
            "--no-input", action="store_true", help="Do not prompt; the password comes from CREDSTACK_ADMIN_PASSWORD."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"] or ("" if options["no_input"] else input("Email: ").strip())
        password = os.environ.get("CREDSTACK_ADMIN_PASSWORD", "")
        if not password and not options["no_input"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.", returncode=2)
        if not email or not password:
            raise CommandError(
                "An email and a password are required (CREDSTACK_ADMIN_PASSWORD with --no-input).", returncode=2
            )
        try:
            user = do_create_admin(email=email, password=password, display_name=options["name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        self.stdout.write(f"Created staff superuser {user.email}. Sign in at /admin/.")
