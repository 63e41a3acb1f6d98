"""Issuance under real concurrency on PostgreSQL: several processes at once, and a worker killed mid-bulk.

SQLite serializes writers, so these only mean something on PostgreSQL; the SQLite run skips them and the
PostgreSQL run (``make test``, CI) runs them. The worker test also needs Redis.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from credstack.awards import bulk
from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, RowState, StatusList
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.signing.actions import do_ensure_signing_key
from tests.conftest import port_open, require_service

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("CREDSTACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
HEADER = "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"

ISSUER_SCRIPT = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.django_settings"
django.setup()
from django.conf import settings
settings.CREDSTACK_STATUS_LIST_CAPACITY = 16   # small lists: the processes race over rollovers too
from credstack.awards.actions import do_award_credential
from credstack.organizations.models import Organization
org = Organization.objects.get(slug="org-a")
proc, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    do_award_credential(organization=org, data={"email": f"p{proc}-{i}@example.org", "achievement": "cer-lab"},
                        actor=None, notify=False)
print("ok", proc)
"""


@pytest.fixture
def on_postgres(transactional_db: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("concurrent issuing needs concurrent writers: covered by the PostgreSQL run")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://…)")


def _env(**extra: str) -> dict[str, str]:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
    env = {**os.environ, "DATABASE_URL": url + settings["NAME"], "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_processes_issuing_at_once_never_share_a_status_index(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    do_ensure_signing_key(organization=published.organization)
    processes, each = 4, 12
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUER_SCRIPT, str(p), str(each)],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for child in children:
        _out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-2000:]
    credentials = list(Credential.objects.filter(organization=published.organization))
    assert len(credentials) == processes * each
    slots = [(c.status_list_id, c.status_index) for c in credentials]
    assert len(set(slots)) == len(slots), "two credentials share a status index"
    lists = StatusList.objects.filter(organization=published.organization)
    assert sum(sl.allocated for sl in lists) == len(slots)  # nothing handed out twice or lost
    assert all(sl.allocated <= sl.capacity == 16 for sl in lists)
    assert sorted(sl.number for sl in lists) == list(range(1, lists.count() + 1))


def start_worker(queue: str, **extra_env: str) -> subprocess.Popen[str]:
    """A Celery worker (one pool child) on ``queue``, in its own process group: :func:`stop_worker` and a kill of
    the group take the pool's children too."""
    env = _env(
        REDIS_URL=REDIS_URL,
        CREDSTACK_HOME=os.environ["CREDSTACK_HOME"],  # the same KEK as this process
        CREDSTACK_ENV="test",
        CREDSTACK_EMAIL_BACKEND="locmem",
        DJANGO_SETTINGS_MODULE="credstack.settings",
        **extra_env,
    )
    command = ["worker", "--concurrency", "1", "--loglevel", "WARNING", "--queues", queue]
    return subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen[str]) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)


def confirmed_bulk(organization: Organization, rows: int) -> BulkAward:
    """A confirmed bulk award of ``rows`` rows (k0@example.org, k1@…), not yet queued."""
    content = (HEADER + "".join(f"k{i}@example.org,,cer-lab,,,,\n" for i in range(rows))).encode()
    job = bulk.do_create_bulk_award(
        organization=organization, filename="big.csv", actor=None, stream=io.BytesIO(content)
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    return job


def assert_each_row_issued_once(job: BulkAward, rows: int) -> None:
    assert BulkRow.objects.filter(bulk=job, state=RowState.ISSUED, credential__isnull=False).count() == rows
    credentials = Credential.objects.filter(source__startswith="bulk-row:")
    assert credentials.count() == rows  # no duplicates
    assert credentials.values("recipient_email").distinct().count() == rows  # no gaps: everyone got one


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.redis
def test_worker_killed_mid_bulk_and_restarted_finishes_without_duplicates_or_gaps(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    require_service(port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    from celery import Celery

    rows = 600
    job = confirmed_bulk(published.organization, rows)
    queue = f"test-bulk-{uuid.uuid4().hex}"
    first = start_worker(queue)
    try:
        Celery("credstack-test", broker=REDIS_URL, set_as_current=False).send_task(
            "credstack.awards.run_bulk_award", args=[job.pk], queue=queue
        )
        _wait(lambda: BulkAward.objects.get(pk=job.pk).issued >= 150, 180, "the first worker to issue 150 rows")
        os.killpg(first.pid, signal.SIGKILL)  # no warning, no clean-up: a crash
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    stopped = BulkAward.objects.get(pk=job.pk)
    assert stopped.status == BulkStatus.RUNNING and 150 <= stopped.issued < rows
    second = start_worker(queue)  # resumes abandoned runs when it starts
    try:
        _wait(lambda: BulkAward.objects.get(pk=job.pk).status == BulkStatus.DONE, 300, "the resumed run to finish")
    finally:
        stop_worker(second)
    done = BulkAward.objects.get(pk=job.pk)
    assert (done.issued, done.skipped) == (rows, 0)
    assert_each_row_issued_once(job, rows)
    slots = list(
        Credential.objects.filter(source__startswith="bulk-row:").values_list("status_list_id", "status_index")
    )
    assert len(set(slots)) == rows
