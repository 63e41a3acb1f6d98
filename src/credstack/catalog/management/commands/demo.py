"""``credstack demo``: load the demo program (idempotent) and print the demo logins."""

from __future__ import annotations

import io
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

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
        # The demo's people are fictional: their notification mail goes nowhere instead of the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            logins = load_demo()
            # A few teachers' evidence waiting in the review queue, so the assessor has something to score.
            from credstack.assessment.demo import load_demo_submissions

            load_demo_submissions()
            # Stacks the micro-credentials add up to; the demo learner completes one with the awards below.
            from credstack.pathways.demo import load_demo_stacks

            load_demo_stacks()
            # What the demo learner teaches, so that My learning suggests what fits them.
            from credstack.discovery.demo import load_demo_profile

            load_demo_profile()
            # Two credentials in the demo learner's wallet, so an employer can try the verifier at once.
            call_command("demo_awards", stdout=io.StringIO())
        self.stdout.write("Demo program already loaded." if already else "Demo program loaded.")
        self.stdout.write("Demo logins (all with the password shown):")
        for login in logins:
            self.stdout.write(f"  {login.role:<50} {login.email:<36} {login.password}")
        self.stdout.write(
            "Try: the learner's My credentials → download a PNG → drop it on /verify (no account needed);\n"
            "     the assessor's Review queue holds three demo submissions; the Northfield admin manages the catalog;\n"
            "     the learner completed the Digital Learning Leader stack (Stacks → its page → Download the CLR)."
        )
