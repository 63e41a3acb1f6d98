"""Guards of issuing under races and faults, on both databases: one standing credential per person and
micro-credential (the database refuses a second), a row the builder refuses fails alone, and claim mail that
survives a dead broker or a database blip (the outbox and the sweep)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, OperationalError, transaction
from django.test import Client
from django.utils import timezone

from credstack.awards import actions, bulk, documents, sweep, tasks
from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, RowState
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_create_api_key
from credstack.vc.errors import VCError
from tests.platform.conftest import admin_of
from tests.platform.test_bulk import csv_bytes


def _award(version: MicroCredentialVersion, email: str = "lee@example.org", **extra: Any) -> Credential:
    return actions.do_award_credential(
        organization=version.organization, data={"email": email, "achievement": "cer-lab", **extra}, actor=None
    )


def _copy(credential: Credential) -> Credential:
    """Another row for the same person and micro-credential (its own source and status index)."""
    copy = Credential.objects.get(pk=credential.pk)
    copy.pk, copy.public_id, copy.source = None, None, f"manual:copy-{credential.pk}"
    copy.status_index = credential.status_index + 1
    return copy


# --- one standing credential --------------------------------------------------------------------------


def test_database_refuses_a_second_standing_credential(published: MicroCredentialVersion) -> None:
    first = _award(published)
    assert first.micro_credential_id == published.micro_credential_id
    copy = _copy(first)
    copy.public_id = None
    with pytest.raises(IntegrityError), transaction.atomic():
        Credential.objects.create(
            **{
                f.attname: getattr(copy, f.attname)
                for f in Credential._meta.concrete_fields
                if f.attname not in ("id", "public_id")
            }
        )
    # Revoked: no longer standing, so a new one may be recorded.
    actions.do_revoke_credential(credential=first, reason="issued in error", actor=None)
    second = _award(published)
    assert second.pk != first.pk
    assert Credential.objects.standing().filter(recipient_email="lee@example.org").get() == second


def test_award_that_loses_the_race_gets_already_holds(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = _award(published)
    # The "already holds" check of a request that ran while the first was being recorded saw nothing.
    monkeypatch.setattr(actions, "standing_award", lambda *a, **k: None)
    with pytest.raises(ValidationError) as refused:
        _award(published)
    assert "already holds" in str(refused.value.message_dict["email"])
    assert list(Credential.objects.all()) == [held]
    # With the form's token, the same request answers with the credential it made (idempotent).
    key = "6f1c9a8e-2b2d-4c1e-9f5a-0d1e2f3a4b5c"
    revoked = actions.do_revoke_credential(credential=held, reason="again", actor=None)
    made = actions.do_award_credential(
        organization=published.organization,
        data={"email": "lee@example.org", "achievement": "cer-lab"},
        actor=None,
        request_key=key,
    )
    assert made.pk != revoked.pk
    again = actions.do_award_credential(
        organization=published.organization,
        data={"email": "lee@example.org", "achievement": "cer-lab"},
        actor=None,
        request_key=key,
    )
    assert again.pk == made.pk


def test_api_award_that_loses_the_race_is_a_problem_not_a_500(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = published.organization
    token = do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/orgs/{org.slug}/credentials"
    body = {"email": "lee@example.org", "achievement": "cer-lab"}
    assert client.post(url, body, content_type="application/json").status_code == 201
    monkeypatch.setattr(actions, "standing_award", lambda *a, **k: None)
    second = client.post(url, body, content_type="application/json")
    assert second.status_code == 400 and second["Content-Type"] == "application/problem+json"
    assert "already holds" in second.content.decode()
    assert Credential.objects.count() == 1


def test_expired_credential_is_renewed_by_a_new_award(published: MicroCredentialVersion) -> None:
    old = _award(published)
    Credential.objects.filter(pk=old.pk).update(valid_until=timezone.now() - timedelta(days=1))
    new = _award(published)  # "already holds" does not count an expired credential
    old.refresh_from_db()
    assert new.pk != old.pk and old.superseded_at is not None and new.superseded_at is None
    assert list(Credential.objects.standing()) == [new]


def test_bulk_rows_that_lose_the_race_are_marked_already_held(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = published.organization
    lines = [f"p{i}@example.org,,cer-lab,,,," for i in range(5)]
    jobs = [
        bulk.do_create_bulk_award(organization=org, actor=None, filename=f"{n}.csv", stream=csv_bytes(*lines))
        for n in ("one", "two")
    ]
    for job in jobs:
        bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    # Both runs check "held elsewhere" before either records (what two workers at once do).
    monkeypatch.setattr(bulk, "_held_elsewhere", lambda organization, rows: set())
    first, second = (bulk.run_bulk(job.pk, runner=f"test:{job.pk}") for job in jobs)
    assert (first.status, first.issued, first.skipped) == (BulkStatus.DONE, 5, 0)
    assert (second.status, second.issued, second.skipped) == (BulkStatus.DONE, 0, 5)
    assert Credential.objects.count() == 5
    lost = BulkRow.objects.filter(bulk=jobs[1])
    assert {r.state for r in lost} == {RowState.SKIPPED} and all("already holds" in r.errors["email"] for r in lost)


# --- a row the builder refuses ------------------------------------------------------------------------


def test_row_the_builder_refuses_fails_alone_and_the_run_finishes(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = published.organization
    job = bulk.do_create_bulk_award(
        organization=org,
        actor=None,
        filename="cohort.csv",
        stream=csv_bytes(*(f"r{i}@example.org,,cer-lab,https://example.org/e{i},,," for i in range(6))),
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    build = documents.build

    def refusing(award: documents.Award, *args: Any) -> Any:
        if award.recipient.email == "r3@example.org":
            raise VCError('evidence url "https://example.org/e3" is not an IRI')
        return build(award, *args)

    monkeypatch.setattr(documents, "build", refusing)
    done = bulk.run_bulk(job.pk)
    assert (done.status, done.issued, done.failed, done.percent) == (BulkStatus.DONE, 5, 1, 100)
    failed = BulkRow.objects.get(bulk=job, email="r3@example.org")
    assert failed.state == RowState.FAILED and "not an IRI" in failed.errors["issue"]
    assert Credential.objects.count() == 5
    # Resume does not trip on it again: nothing left to issue, the run stays done.
    BulkAward.objects.filter(pk=job.pk).update(status=BulkStatus.RUNNING, runner="")
    again = bulk.run_bulk(job.pk)
    assert (again.status, again.issued, again.failed) == (BulkStatus.DONE, 5, 1)


# --- claim mail: the outbox and the sweep -----------------------------------------------------------


@pytest.fixture
def dead_broker(settings: Any) -> Iterator[None]:
    """The task queue pointed at a loopback port nobody listens on (bound, not listening: refused at once)."""
    from celery import Celery

    from credstack.celery import app

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    port = holder.getsockname()[1]
    broken = Celery("credstack-dead-broker", set_as_current=False)
    broken.config_from_object("django.conf:settings", namespace="CELERY")
    broken.conf.update(broker_url=f"redis://127.0.0.1:{port}/11", task_always_eager=False)
    broken.set_current()
    try:
        yield
    finally:
        app.set_current()
        holder.close()


def test_award_api_answers_201_with_the_broker_down_and_the_sweep_sends_the_mail(
    published: MicroCredentialVersion, dead_broker: None, django_capture_on_commit_callbacks: Any
) -> None:
    org = published.organization
    token = do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/orgs/{org.slug}/credentials",
            {"email": "lee@example.org", "achievement": "cer-lab"},
            content_type="application/json",
        )
    assert response.status_code == 201
    credential = Credential.objects.get(public_id=response.json()["public_id"])
    assert credential.mail_due_at is not None and mail.outbox == []  # committed, its mail still due
    from credstack.celery import app

    app.set_current()  # the broker is back
    assert sweep.sweep(mail_grace=timedelta(0)).mails_sent == 1
    assert [m.to for m in mail.outbox] == [["lee@example.org"]]
    credential.refresh_from_db()
    assert credential.mail_due_at is None
    assert sweep.sweep(mail_grace=timedelta(0)).mails_sent == 0  # sent once


def test_bulk_confirm_with_the_broker_down_stays_queued_for_the_sweep(
    published: MicroCredentialVersion,
    dead_broker: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = bulk.do_create_bulk_award(
        organization=published.organization,
        actor=None,
        filename="c.csv",
        stream=csv_bytes("a@example.org,,cer-lab,,,,"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = bulk.do_confirm_bulk_award(bulk=job, actor=None)  # no exception: logged for the sweep
    assert confirmed.status == BulkStatus.QUEUED
    BulkAward.objects.filter(pk=job.pk).update(confirmed_at=timezone.now() - timedelta(minutes=5))
    from credstack.celery import app

    app.set_current()  # the broker is back (eager here; the run in this thread, as the test holds the database)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(bulk, "_start_in_thread", lambda bulk_id: bulk.run_bulk(bulk_id))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep().resumed_runs == [job.pk]
    assert BulkAward.objects.get(pk=job.pk).status == BulkStatus.DONE


def test_claim_mail_is_retried_after_transient_errors_not_lost(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential = _award(published)  # its on-commit hook does not run here: the mail is due
    send = sweep._send_claim_mail
    faults: list[Exception] = [OSError("SMTP connection reset"), OperationalError("the database is restarting")]

    def flaky(credential: Credential, *args: Any) -> int:
        if faults:
            raise faults.pop(0)
        return send(credential, *args)

    monkeypatch.setattr(sweep, "_send_claim_mail", flaky)
    # What a worker does: failures are retried (eagerly here, which the test settings otherwise make raise).
    from credstack.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = tasks.send_award_mails.apply(args=([credential.pk],))
    assert result.successful() and result.result == 1
    assert faults == [] and [m.to for m in mail.outbox] == [["lee@example.org"]]
    credential.refresh_from_db()
    assert credential.mail_due_at is None


def test_sweep_command_sends_mail_left_due(published: MicroCredentialVersion, capsys: Any) -> None:
    credential = actions.issue_awards(
        published.organization,
        [actions.AwardRequest(version=published, email="lee@example.org", source="manual:left-due", origin="manual")],
        actor=None,
    )[0]  # its on-commit hook never runs here: as if the task were lost with the broker
    assert credential.mail_due_at is not None and mail.outbox == []
    call_command("sweep", "--mail-grace-minutes", "0")
    assert "sent 1 claim mail" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_single_award_the_builder_refuses_is_a_field_error_not_a_500(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refusing(award: documents.Award, *args: Any) -> Any:
        raise VCError("evidence url is not an IRI")

    monkeypatch.setattr(documents, "build", refusing)
    org = published.organization
    token = do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
        f"/api/orgs/{org.slug}/credentials",
        {"email": "lee@example.org", "achievement": "cer-lab", "evidence_url": "https://example.org/a"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "not an IRI" in response.content.decode()
    assert Credential.objects.count() == 0
    with pytest.raises(CommandError) as failed:
        call_command("award", "--org", org.slug, "--achievement", "cer-lab", "--email", "lee@example.org")
    assert failed.value.returncode == 2 and "could not be built" in str(failed.value)


def test_migration_keeps_the_earliest_of_duplicates_made_before_the_guard(
    transactional_db: Any, published: MicroCredentialVersion
) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    first = _award(published)
    executor = MigrationExecutor(connection)
    executor.migrate([("awards", "0002_alter_credential_origin")])
    try:
        old = executor.loader.project_state(("awards", "0002_alter_credential_origin")).apps.get_model(
            "awards", "Credential"
        )
        duplicate = old.objects.get(pk=first.pk)
        duplicate.pk, duplicate.public_id, duplicate.source = None, uuid.uuid4(), "manual:race-before-the-guard"
        duplicate.status_index += 1
        duplicate.save()  # what two parallel awards could make before the index existed
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    kept, superseded = Credential.objects.order_by("pk")
    assert kept.pk == first.pk and kept.superseded_at is None and superseded.superseded_at is not None
    assert kept.micro_credential_id == superseded.micro_credential_id == published.micro_credential_id
    assert list(Credential.objects.standing()) == [kept]


def test_revocation_with_the_broker_down_answers_and_mails_directly(
    published: MicroCredentialVersion, dead_broker: None, django_capture_on_commit_callbacks: Any
) -> None:
    org = published.organization
    credential = actions.issue_awards(
        org,
        [actions.AwardRequest(version=published, email="lee@example.org", source="manual:x", origin="manual")],
        actor=None,
        notify=False,
    )[0]
    token = do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            f"/api/orgs/{org.slug}/credentials/{credential.public_id}/revoke",
            {"reason": "issued in error"},
            content_type="application/json",
        )
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["lee@example.org"]]  # sent by the web process, not lost


def test_sweep_resumes_a_run_whose_runner_died(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    import subprocess
    import sys

    job = bulk.do_create_bulk_award(
        organization=published.organization,
        actor=None,
        filename="c.csv",
        stream=csv_bytes(*(f"s{i}@example.org,,cer-lab,,,," for i in range(3))),
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    BulkAward.objects.filter(pk=job.pk).update(
        status=BulkStatus.RUNNING, runner=f"{socket.gethostname()}:{dead.stdout.strip()}", heartbeat_at=timezone.now()
    )  # a pool process killed a moment ago: its heartbeat is fresh, its process gone
    monkeypatch.setattr(bulk, "_start_in_thread", lambda bulk_id: bulk.run_bulk(bulk_id))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep().resumed_runs == [job.pk]
    done = BulkAward.objects.get(pk=job.pk)
    assert (done.status, done.issued) == (BulkStatus.DONE, 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep().resumed_runs == []  # nothing left to pick up
