"""``credstack catalog [--org SLUG] [--json]``: organizations and their micro-credentials."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization


class Command(BaseCommand):
    help = "List organizations and micro-credentials with their slugs and versions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Only this organization (slug).")
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args: Any, **options: Any) -> None:
        orgs = Organization.objects.order_by("slug")
        if options["org"]:
            orgs = orgs.filter(slug=options["org"])
            if not orgs.exists():
                known = ", ".join(Organization.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No organization with slug {options['org']!r} (known: {known}).", returncode=2)
        result: list[dict[str, Any]] = []
        for org in orgs:
            items: list[dict[str, Any]] = []
            for mc in MicroCredential.objects.filter(organization=org).order_by("slug"):
                versions = list(mc.versions.order_by("version"))
                published = next((v for v in versions if v.status == "published"), None)
                items.append(
                    {
                        "slug": mc.slug,
                        "name": (published or versions[-1]).name,
                        "published_version": published.version if published else None,
                        "versions": [{"version": v.version, "status": v.status} for v in versions],
                    }
                )
            result.append({"slug": org.slug, "name": org.name, "issuer_id": org.issuer_id, "micro_credentials": items})
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
            return
        if not result:
            self.stdout.write("No organizations yet. Run `credstack demo` to load the demo program.")
        for entry in result:
            self.stdout.write(f"{entry['slug']}  {entry['name']}")
            for item in entry["micro_credentials"]:
                summary = ", ".join(f"v{v['version']} {v['status']}" for v in item["versions"])
                self.stdout.write(f"  {item['slug']:<48} {summary}")
