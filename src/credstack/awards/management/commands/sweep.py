"""``credstack sweep``: pick up, once and now, what faults left behind (see ``credstack.awards.sweep``)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from credstack.awards.sweep import MAIL_GRACE, sweep


class Command(BaseCommand):
    help = (
        "Resume stalled bulk awards, queue passes still waiting for their credential, delete abandoned evidence "
        "uploads and send claim mail still due. Workers do this on their own every CREDSTACK_SWEEP_SECONDS; "
        "without Redis run it from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mail-grace-minutes",
            type=float,
            default=MAIL_GRACE.total_seconds() / 60,
            help="Send claim mail due for at least this long (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep(mail_grace=timedelta(minutes=max(0.0, options["mail_grace_minutes"])))
        # Without a broker, resumed runs issue in threads of this process: wait for them before exiting.
        for thread in threading.enumerate():
            if thread.name.startswith("bulk-award-"):
                thread.join()
        self.stdout.write(
            f"Resumed {len(report.resumed_runs)} bulk award(s), queued {len(report.queued_passes)} pending "
            f"pass(es), sent {report.mails_sent} claim mail(s), deleted {report.abandoned_uploads} abandoned "
            "evidence upload(s)."
        )
        for problem in report.problems:
            self.stderr.write(f"Not done: {problem}")
