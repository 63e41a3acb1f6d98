"""``credstack signing-keys``: list, rotate and retire organization signing keys; re-wrap them under a new KEK."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.organizations.models import Organization
from credstack.signing import actions
from credstack.signing.kek import KeyDecryptionError
from credstack.signing.models import SigningKey


class Command(BaseCommand):
    help = "Signing keys: list (--org), --rotate, --retire KEY --reason TEXT, or --rewrap (after a KEK change)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="The organization (slug).")
        parser.add_argument("--rotate", action="store_true", help="Make a new key sign from now on.")
        parser.add_argument("--retire", metavar="PUBLIC_KEY_MULTIBASE", help="Retire a compromised key.")
        parser.add_argument("--reason", default="", help="Why the key is retired.")
        parser.add_argument(
            "--rewrap",
            action="store_true",
            help="Re-encrypt every key under CREDSTACK_KEK (old KEKs in CREDSTACK_KEK_PREVIOUS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["rewrap"]:
                count = actions.do_rewrap_signing_keys(actor=None)
                self.stdout.write(f"Re-encrypted {count} key(s) under the current KEK.")
                return
            if not options["org"]:
                raise CommandError("Give --org SLUG (or --rewrap).", returncode=2)
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organization with slug {options['org']!r}.", returncode=2)
            if options["rotate"]:
                key = actions.do_rotate_signing_key(organization=org, actor=None)
                self.stdout.write(f"New active key {key.verification_method}")
            elif options["retire"]:
                target = SigningKey.objects.filter(organization=org, public_key_multibase=options["retire"]).first()
                if target is None:
                    raise CommandError(f"{org.slug} has no key {options['retire']!r}.", returncode=2)
                actions.do_revoke_signing_key(key=target, reason=options["reason"], actor=None)
                self.stdout.write(f"Retired {target.verification_method}; what it signed now fails verification.")
            for key in SigningKey.objects.filter(organization=org).select_related("organization"):
                self.stdout.write(f"{key.state:<10} {key.created_at:%Y-%m-%d} {key.verification_method}")
        except ValidationError as exc:
            raise CommandError("; ".join(" ".join(m) for m in exc.message_dict.values()), returncode=2)
        except (KeyDecryptionError, ImproperlyConfigured) as exc:
            raise CommandError(str(exc), returncode=2)
