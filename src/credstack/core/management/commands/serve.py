"""``credstack serve``: the platform under waitress, a production-grade pure-Python WSGI server."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve credstack over HTTP (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument("--threads", type=int, default=8, help="Worker threads (default 8).")

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from credstack.wsgi import application

        if not 0 < options["port"] < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {options['port']}.")
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        tasks = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "Celery/Redis"
        self.stdout.write(
            f"credstack serving on http://{options['host']}:{options['port']}/ "
            f"(public base URL {settings.CREDSTACK_BASE_URL}, database {database}, tasks {tasks})"
        )
        try:
            serve(
                application, host=options["host"], port=options["port"], threads=options["threads"], ident="credstack"
            )
        except OSError as exc:
            raise CommandError(f"Cannot listen on {options['host']}:{options['port']}: {exc}") from exc
