"""Races and faults on PostgreSQL: parallel awards of the same credential to the same person (through the action,
the API and two bulk runs of one file) leave exactly one, and a bulk run whose pool child is killed finishes on
the same worker, without a restart (the sweep). SQLite serializes writers, so the SQLite run skips these; the
constraint itself is tested on both databases in test_awards_guards.py."""

from __future__ import annotations

import io
import os
import signal
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from credstack.awards import actions, bulk
from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, RowState
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_create_api_key
from credstack.signing.actions import do_ensure_signing_key
from tests.conftest import port_open, require_service
from tests.platform.conftest import admin_of
from tests.platform.test_awards_postgres import (
    HEADER,
    REDIS_URL,
    _wait,
    assert_each_row_issued_once,
    confirmed_bulk,
    start_worker,
    stop_worker,
)

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 8


@pytest.fixture
def on_postgres(transactional_db: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("races need concurrent writers: covered by the PostgreSQL run")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://…)")


def _at_once(work: Callable[[int], Any], count: int = PARALLEL) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released together (each on its own database connection)."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # kept to assert on: a 500 or an IntegrityError must not be among them
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def test_parallel_awards_through_the_action_make_one_credential(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    org = published.organization
    do_ensure_signing_key(organization=org)
    for round_ in range(3):
        email = f"same-{round_}@example.org"
        results = _at_once(
            lambda i: actions.do_award_credential(
                organization=org, data={"email": email, "achievement": "cer-lab"}, actor=None, notify=False
            )
        )
        made = [r for r in results if isinstance(r, Credential)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(made) == 1 and len(refused) == PARALLEL - 1, results
        assert all("already holds" in str(r.message_dict["email"]) for r in refused)
        assert Credential.objects.filter(recipient_email=email).count() == 1


def test_parallel_awards_through_the_api_make_one_credential(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    org = published.organization
    do_ensure_signing_key(organization=org)
    token = do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]

    def post(_i: int) -> int:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            f"/api/orgs/{org.slug}/credentials",
            {"email": "api-same@example.org", "achievement": "cer-lab"},
            content_type="application/json",
        )
        return response.status_code

    statuses = _at_once(post)
    assert sorted(statuses) == [201] + [400] * (PARALLEL - 1), statuses
    assert Credential.objects.filter(recipient_email="api-same@example.org").count() == 1


def test_two_bulk_runs_of_one_file_in_parallel_make_no_duplicates(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    org = published.organization
    do_ensure_signing_key(organization=org)
    rows = 150
    content = (HEADER + "".join(f"b{i}@example.org,,cer-lab,,,,\n" for i in range(rows))).encode()
    jobs = [
        bulk.do_create_bulk_award(organization=org, actor=None, filename=f"{n}.csv", stream=io.BytesIO(content))
        for n in ("first", "second")
    ]
    for job in jobs:
        assert job.valid_rows == rows  # both checked before either issued
        bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    results = _at_once(lambda i: bulk.run_bulk(jobs[i].pk, batch_size=25, runner=f"test-{i}"), count=2)
    assert all(isinstance(r, BulkAward) and r.status == BulkStatus.DONE for r in results), results
    assert Credential.objects.filter(organization=org).count() == rows  # 0 duplicates
    assert Credential.objects.values("recipient_email").distinct().count() == rows  # 0 gaps
    done = [BulkAward.objects.get(pk=job.pk) for job in jobs]
    assert sum(d.issued for d in done) == rows and sum(d.skipped for d in done) == rows
    issued = BulkRow.objects.filter(bulk__in=jobs, state=RowState.ISSUED)
    assert issued.count() == rows and issued.values("email").distinct().count() == rows


@pytest.mark.redis
def test_killed_pool_child_mid_bulk_finishes_without_restarting_the_worker(
    on_postgres: None, published: MicroCredentialVersion
) -> None:
    require_service(port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    from celery import Celery

    rows = 400
    job = confirmed_bulk(published.organization, rows)
    queue = f"test-sweep-{uuid.uuid4().hex}"
    worker = start_worker(queue, CREDSTACK_SWEEP_SECONDS="1")
    try:
        Celery("credstack-test", broker=REDIS_URL, set_as_current=False).send_task(
            "credstack.awards.run_bulk_award", args=[job.pk], queue=queue
        )
        _wait(lambda: BulkAward.objects.get(pk=job.pk).issued >= 100, 180, "the pool child to issue 100 rows")
        running = BulkAward.objects.get(pk=job.pk)
        child = int(running.runner.rpartition(":")[2])
        assert child != worker.pid  # the prefork pool's child, not the worker itself
        os.kill(child, signal.SIGKILL)  # what the out-of-memory killer does
        _wait(lambda: BulkAward.objects.get(pk=job.pk).status == BulkStatus.DONE, 240, "the run to finish")
        assert worker.poll() is None  # the same worker, never restarted
        done = BulkAward.objects.get(pk=job.pk)
        assert done.runner == "" and int(done.issued) == rows and done.skipped == 0
    finally:
        stop_worker(worker)
    assert_each_row_issued_once(job, rows)
