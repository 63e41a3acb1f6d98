"""``credstack demo_awards``: credentials for the demo learner, so that My credentials has something to show.

Idempotent (each award's source is ``demo:<organization>/<slug>``); needs ``credstack demo`` first.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credstack.accounts.models import User
from credstack.awards.actions import AwardRequest, issue_awards
from credstack.awards.models import Origin
from credstack.catalog.models import MicroCredentialVersion

LEARNER = "learner@example.org"


class Command(BaseCommand):
    help = "Award two demo micro-credentials to the demo learner (after `credstack demo`)."

    def handle(self, *args: Any, **options: Any) -> None:
        learner = User.objects.filter(email=LEARNER).first()
        versions = list(
            MicroCredentialVersion.objects.published()
            .select_related("micro_credential__organization")
            .order_by("micro_credential__organization__slug", "name")[:2]
        )
        if learner is None or not versions:
            raise CommandError("Load the demo program first: credstack demo", returncode=2)
        for version in versions:
            org = version.micro_credential.organization
            levels = {c["key"]: c["passing_level"] for c in version.rubric.get("criteria", [])}
            credential = issue_awards(
                org,
                [
                    AwardRequest(
                        version=version,
                        email=LEARNER,
                        user=learner,
                        origin=Origin.MANUAL,
                        levels=levels,
                        source=f"demo:{org.slug}/{version.micro_credential.slug}",
                        evidence=[
                            {
                                "url": "https://example.org/portfolio",
                                "name": "Portfolio",
                                "narrative": "Lesson plans, student work samples and a reflection.",
                            }
                        ],
                    )
                ],
                actor=None,
                notify=False,
            )[0]
            self.stdout.write(f"{credential.title}: {credential.credential_id}")
        self.stdout.write(f"Sign in as {LEARNER} and open My credentials.")
