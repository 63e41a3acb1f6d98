"""``credstack worker``: a Celery worker for the background tasks (needs REDIS_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker (requires REDIS_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--queues", default="", help="Comma-separated queues to consume (default: celery).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError(
                "REDIS_URL is not set: without it tasks run eagerly in the web process and no "
                "worker is needed. Set REDIS_URL=redis://127.0.0.1:6379/0 to use workers."
            )
        from credstack.celery import app

        argv = ["worker", f"--concurrency={options['concurrency']}", f"--loglevel={options['loglevel']}"]
        if options["queues"]:
            argv.append(f"--queues={options['queues']}")
        app.worker_main(argv)
