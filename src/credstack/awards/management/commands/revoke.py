"""``credstack revoke CREDENTIAL_ID --reason TEXT``: revoke a credential for good."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.awards.actions import do_revoke_credential
from credstack.awards.management.commands._common import unusable
from credstack.awards.models import Credential


class Command(BaseCommand):
    help = "Revoke a credential (permanent); CREDENTIAL_ID is its id URL or its UUID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("credential_id")
        parser.add_argument("--reason", required=True, help="Why (recorded, and sent to the learner).")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = options["credential_id"].strip().rstrip("/")
        try:
            public_id = uuid.UUID(raw.rsplit("/", 1)[-1])
        except ValueError:
            raise CommandError(f"{raw!r} is neither a credential id URL nor a UUID.", returncode=2)
        credential = Credential.objects.filter(public_id=public_id).first()
        if credential is None:
            raise CommandError(f"No credential {public_id} on this platform.", returncode=2)
        try:
            do_revoke_credential(credential=credential, reason=options["reason"], actor=None)
        except ValidationError as exc:
            raise unusable(exc)
        self.stdout.write(f"Revoked {credential.credential_id}; its status list says so now.")
