"""Bulk awards on PostgreSQL with Celery workers: ``benchmarks.awards`` runs this in a subprocess when
``DATABASE_URL`` (a PostgreSQL server) and ``REDIS_URL`` are set.

A scratch database ``<name>_bench_<pid>`` is created on that server (and dropped afterwards; the database named
by ``DATABASE_URL`` itself is never written), two ``credstack worker`` processes (concurrency 1 each) are
started on ``REDIS_URL``, and a bulk award of ``CREDSTACK_BENCH_PG_AWARDS`` rows (100,000 by default) is
confirmed exactly as the page does it: the run and its claim mail and stack evaluations are tasks on the
workers. Measured from the confirmation until every row is issued and every claim mail sent, bounded by
``CREDSTACK_BENCH_PG_SECONDS`` (300 by default): a run cut short prints the rate reached and how far it got.
The workers' resident memory is printed before and after (it should stay flat). Mail is rendered and
dropped (``benchmarks.mailsink``), so the figure includes building each mail but no mail server.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.verify_api import all_cpus  # the workers use every core, not the benchmark's pinned one

AWARDS = int(os.environ.get("CREDSTACK_BENCH_PG_AWARDS", "100000"))
LIMIT = float(os.environ.get("CREDSTACK_BENCH_PG_SECONDS", "300"))
WORKERS = 2
HEADER = "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"
ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(pid: int) -> float:
    """A worker's memory: its main process and its pool children."""
    total = rss_mb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            total += rss_mb(child)
    return total


def _scratch_url(server_url: str) -> tuple[str, str]:
    parts = urlsplit(server_url)
    name = f"{parts.path.lstrip('/') or 'credstack'}_bench_{os.getpid()}"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _admin(server_url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    server_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    if not server_url.startswith(("postgres://", "postgresql://")):
        print("  (DATABASE_URL is not PostgreSQL: the worker run is skipped)")
        return 0
    scratch, name = _scratch_url(server_url)
    _admin(server_url, f'CREATE DATABASE "{name}"')
    home = tempfile.mkdtemp(prefix="credstack-bench-pg-")
    env = {
        **os.environ,
        "DATABASE_URL": scratch,
        "REDIS_URL": redis_url,
        "CREDSTACK_HOME": home,
        "CREDSTACK_ENV": "test",
        "CREDSTACK_EMAIL_BACKEND": "benchmarks.mailsink.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "credstack.settings",
        # A queue of its own: the workers take no other tasks from this Redis database, nor others its tasks.
        "CREDSTACK_TASK_QUEUE": f"credstack-bench-{os.getpid()}",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    os.environ.update(env)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from credstack.awards import bulk
        from credstack.awards.models import BulkAward, BulkStatus, Credential
        from credstack.catalog.demo.loader import load_demo
        from credstack.catalog.models import MicroCredentialVersion
        from credstack.celery import app
        from credstack.signing.actions import do_ensure_signing_key

        load_demo()
        version = MicroCredentialVersion.objects.published().select_related("micro_credential__organization").first()
        assert version is not None
        org = version.organization
        do_ensure_signing_key(organization=org)
        log = open(Path(home) / "workers.log", "wb")  # closed with the workers (its process exits)
        for _ in range(WORKERS):
            command = [sys.executable, "-m", "credstack.cli", "worker", "--concurrency", "1", "--loglevel", "WARNING"]
            workers.append(
                subprocess.Popen(  # noqa: S603
                    command, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=all_cpus
                )
            )
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1.0) or []) < WORKERS:
            if time.monotonic() > deadline:
                print("  the workers did not start within 60 s: see", Path(home) / "workers.log")
                return 1
        rows = "".join(
            f"w{i}@example.org,Learner {i},{version.micro_credential.slug},https://example.org/p/{i},Portfolio,,\n"
            for i in range(AWARDS)
        )
        job = bulk.do_create_bulk_award(
            organization=org, stream=io.BytesIO((HEADER + rows).encode()), filename="pg.csv", actor=None
        )
        del rows
        before = [_tree_rss_mb(w.pid) for w in workers]
        print(
            f"{AWARDS:,} rows on PostgreSQL, {WORKERS} workers (concurrency 1 each); "
            f"workers' memory before: {', '.join(f'{m:.0f}' for m in before)} MB",
            flush=True,
        )
        started = time.perf_counter()
        bulk.do_confirm_bulk_award(bulk=job, actor=None)
        due = Credential.objects.filter(mail_due_at__isnull=False)
        while True:
            time.sleep(1.0)
            state = BulkAward.objects.get(pk=job.pk)
            elapsed = time.perf_counter() - started
            if state.status == BulkStatus.DONE and not due.exists():
                break
            if elapsed > LIMIT:
                break
        after = [_tree_rss_mb(w.pid) for w in workers]
        mailed = state.issued - due.count()
        done = state.status == BulkStatus.DONE and mailed == state.issued
        print(
            f"  issue on PostgreSQL + {WORKERS} workers {state.issued / elapsed:9,.1f} awards/s "
            f"({state.issued:,} issued and {mailed:,} mailed in {elapsed:.1f} s"
            + ("" if done else f"; stopped at the {LIMIT:.0f} s bound before all {AWARDS:,}")
            + ")"
        )
        print(f"  workers' memory after: {', '.join(f'{m:.0f}' for m in after)} MB")
        return 0
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        from django.db import connections

        connections.close_all()
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    raise SystemExit(main())
