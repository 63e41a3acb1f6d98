"""``credstack award --org SLUG --achievement SLUG --email EMAIL [...] [-o FILE.json|.png|.svg]``: one award."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.awards import images
from credstack.awards.actions import do_award_credential
from credstack.awards.management.commands._common import organization, unusable
from credstack.vc.baking import bake_png, bake_svg


class Command(BaseCommand):
    help = "Award one credential (signed and mailed to the recipient); print it or write it as JSON/PNG/SVG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="The issuing organization (slug).")
        parser.add_argument("--achievement", required=True, help="The micro-credential (slug).")
        parser.add_argument("--email", required=True, help="The recipient's email address.")
        parser.add_argument("--name", default="", help="The recipient's name (for the mail).")
        parser.add_argument("--evidence-url", default="")
        parser.add_argument("--evidence-narrative", default="")
        parser.add_argument("--awarded-on", default="", help="YYYY-MM-DD (default: today).")
        parser.add_argument("--expires-on", default="", help="YYYY-MM-DD (default: the expiry policy).")
        parser.add_argument("-o", "--output", default="", help="Write the credential to FILE.json, .png or .svg.")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        if output and Path(output).suffix.lower() not in {".json", ".png", ".svg"}:
            raise CommandError("-o must name a .json, .png or .svg file.", returncode=2)
        org = organization(options["org"])
        data = {
            "email": options["email"],
            "name": options["name"],
            "achievement": options["achievement"],
            "evidence_url": options["evidence_url"],
            "evidence_narrative": options["evidence_narrative"],
            "awarded_on": options["awarded_on"],
            "expires_on": options["expires_on"],
        }
        try:
            credential = do_award_credential(organization=org, data=data, actor=None)
        except ValidationError as exc:
            raise unusable(exc)
        if not output:
            self.stdout.write(json.dumps(credential.document, indent=2, ensure_ascii=False))
            return
        suffix = Path(output).suffix.lower()
        if suffix == ".json":
            payload = (json.dumps(credential.document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        elif suffix == ".png":
            payload = bake_png(images.badge_png(credential.version, credential.title), credential.document)
        else:
            svg = images.badge_svg(credential.version, credential.title, org.name)
            payload = bake_svg(svg, credential.document)
        try:
            Path(output).write_bytes(payload)
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror or exc}).", returncode=2)
        self.stdout.write(f"Issued {credential.credential_id} to {credential.recipient_email}; written to {output}.")
