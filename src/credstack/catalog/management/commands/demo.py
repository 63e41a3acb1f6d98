"""``credstack demo``: load the demo program (idempotent) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from credstack.catalog.demo.loader import demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the demo program (a fictional district's catalog and one user per role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only when the database has no organization yet (used by make run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from credstack.organizations.models import Organization

        if options["if_empty"] and Organization.objects.exists() and not demo_is_loaded():
            self.stdout.write("The database already holds organizations; the demo program was not loaded.")
            return
        already = demo_is_loaded()
        logins = load_demo()
        # A few teachers' evidence waiting in the review queue, so the assessor has something to score.
        from credstack.assessment.demo import load_demo_submissions

        load_demo_submissions()
        self.stdout.write("Demo program already loaded." if already else "Demo program loaded.")
        self.stdout.write("Demo logins (all with the password shown):")
        for login in logins:
            self.stdout.write(f"  {login.role:<50} {login.email:<36} {login.password}")
