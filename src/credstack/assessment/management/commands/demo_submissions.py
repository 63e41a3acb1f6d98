"""``credstack demo_submissions``: put a few demo teachers' submissions in the demo review queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credstack.assessment.demo import DEMO_PASSWORD, DEMO_SUBMISSIONS, load_demo_submissions


class Command(BaseCommand):
    help = "Add demo submissions to Northfield's review queue (after `credstack demo`; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        submissions = load_demo_submissions()
        if not submissions:
            raise CommandError("Load the demo program first: credstack demo")
        self.stdout.write(f"{len(submissions)} demo submissions in the review queue of Northfield USD.")
        self.stdout.write(f"Their learners (password {DEMO_PASSWORD}): " + ", ".join(e for e, *_ in DEMO_SUBMISSIONS))
