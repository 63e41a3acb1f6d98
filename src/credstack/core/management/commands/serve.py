"""``credstack serve``: the platform over HTTP.

By default under waitress (pure Python, threads, any platform): simple, and what ``make run`` uses. Threads
share one interpreter, so a CPU-bound route such as ``POST /credentials/verify`` uses one core however many
threads there are. ``--workers N`` (or ``--production``: one worker per core) serves under gunicorn with N
worker processes instead, which uses every core (gunicorn runs on Unix only).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def gunicorn_available() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def serve_with_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process (it forks the workers) until it is stopped (SIGTERM/SIGINT)."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.cfg.set("workers", workers)
            # Sync workers (one request at a time per process, the connection closed after it): a worker accepts
            # only when idle, so the load spreads over every process. Threaded workers keep connections alive,
            # and a worker that accepted them keeps them: measured, one of two workers served all of a keep-alive
            # load. --threads N > 1 makes them threaded (gthread) all the same.
            self.cfg.set("worker_class", "sync" if threads == 1 else "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("proc_name", "credstack")
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")
            # Each worker imports the application itself: no database connection is shared across a fork.
            self.cfg.set("preload_app", False)

        def load(self) -> Any:
            from credstack.wsgi import application

            return application

    Gunicorn().run()


class Command(BaseCommand):
    help = "Serve credstack over HTTP (waitress; gunicorn with --workers N or --production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Interface to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per process (default 8 under waitress, 1 under gunicorn: sync workers).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="Serve under gunicorn with this many worker processes (uses several cores).",
        )
        parser.add_argument(
            "--production", action="store_true", help="Serve under gunicorn with one worker process per core."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        workers = options["workers"]
        if workers is None and options["production"]:
            workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        if workers is not None and not 1 <= workers <= 64:
            raise CommandError(f"--workers must be between 1 and 64, not {workers}.")
        threads = options["threads"] if options["threads"] is not None else (8 if workers is None else 1)
        if not 1 <= threads <= 256:
            raise CommandError(f"--threads must be between 1 and 256, not {threads}.")
        if workers is not None and not gunicorn_available():
            raise CommandError(
                "--workers and --production need gunicorn (pip install gunicorn; Unix only); "
                "without them credstack serve uses waitress."
            )
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        tasks = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "Celery/Redis"
        server = "waitress" if workers is None else f"gunicorn, {workers} worker process{'es' if workers > 1 else ''}"
        self.stdout.write(
            f"credstack serving on http://{host}:{port}/ ({server}; "
            f"public base URL {settings.CREDSTACK_BASE_URL}, database {database}, tasks {tasks})"
        )
        self.stdout.flush()
        if workers is not None:
            _check_port_free(host, port)
            serve_with_gunicorn(host, port, workers, threads)
            return
        from waitress import serve

        from credstack.wsgi import application

        try:
            serve(application, host=host, port=port, threads=threads, ident="credstack")
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc


def _check_port_free(host: str, port: int) -> None:
    """gunicorn retries a busy port for a while and then exits with a log line; say it plainly instead."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
