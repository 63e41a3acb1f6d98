"""Issuing in batches (issue 15): a batch's credentials, audit records, bulk rows, stack awards and claim mail
are written with a few statements each, not one per award — with the same records as one at a time, and a
batch the database refuses as a whole falls back to recording each award alone."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credstack.awards import actions, bulk, sweep
from credstack.awards.models import BulkRow, BulkStatus, Credential, Origin, RowState
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.models import AuditEvent
from credstack.organizations.models import Organization
from credstack.pathways import actions as stacks
from credstack.pathways.models import StackAward
from credstack.signing.actions import do_ensure_signing_key
from tests.platform.conftest import admin_of
from tests.platform.test_pathways import publish

HEADER = "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"


def _confirmed(org: Organization, emails: list[str], slug: str = "cer-lab") -> int:
    lines = "".join(f"{email},Learner,{slug},https://example.org/p,Portfolio,,\n" for email in emails)
    job = bulk.do_create_bulk_award(
        organization=org, stream=io.BytesIO((HEADER + lines).encode()), filename="x.csv", actor=None
    )
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    return job.pk


def test_a_batch_costs_a_few_queries_not_a_few_per_award(published: MicroCredentialVersion) -> None:
    org = published.organization
    do_ensure_signing_key(organization=org)
    job = _confirmed(org, [f"q{i}@example.org" for i in range(60)])
    with CaptureQueriesContext(connection) as queries:
        done = bulk.run_bulk(job, batch_size=30)
    assert (done.status, done.issued) == (BulkStatus.DONE, 60)
    # Per batch: rows, holders, sources, key, status reservation, the inserts and updates, the lease — about 25.
    # One at a time it was over 5 per award (300 here).
    assert len(queries) < 80, len(queries)


def test_every_award_of_a_batch_has_its_audit_record(published: MicroCredentialVersion) -> None:
    org = published.organization
    emails = [f"a{i}@example.org" for i in range(12)]
    done = bulk.run_bulk(_confirmed(org, emails), batch_size=5)
    assert done.issued == 12
    credentials = {str(c.pk): c for c in Credential.objects.filter(origin=Origin.BULK)}
    events = AuditEvent.objects.filter(action="award.issued")
    assert sorted(e.object_id for e in events) == sorted(credentials)
    for event in events:
        credential = credentials[event.object_id]
        assert event.object_type == "awards.credential" and event.organization_id == org.pk
        assert event.data == {
            "source": credential.source,
            "origin": "bulk",
            "email": credential.recipient_email,
            "achievement": published.achievement_id,
        }
    assert {row.credential_id for row in BulkRow.objects.filter(bulk_id=done.pk)} == {
        c.pk for c in credentials.values()
    }


def test_a_batch_the_database_refuses_is_recorded_award_by_award(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone in the batch got the credential another way after the batch checked (a race): the multi-row insert
    is refused at the one-standing-credential index, and each award is then recorded alone — the others issued,
    that one skipped, no audit record for a credential that does not exist."""
    org = published.organization
    emails = [f"r{i}@example.org" for i in range(6)]
    job = _confirmed(org, emails)
    meanwhile = actions.do_award_credential(
        organization=org, data={"email": emails[3], "achievement": "cer-lab"}, actor=admin_of(org), notify=False
    )
    monkeypatch.setattr(bulk, "_held_elsewhere", lambda organization, rows: set())  # the race: checked too early
    done = bulk.run_bulk(job)
    assert (done.issued, done.skipped, done.failed) == (5, 1, 0)
    skipped = BulkRow.objects.get(bulk_id=job, state=RowState.SKIPPED)
    assert skipped.email == emails[3] and skipped.credential_id is None
    assert Credential.objects.filter(recipient_email=emails[3]).get() == meanwhile
    issued = Credential.objects.filter(origin=Origin.BULK)
    assert issued.count() == 5
    assert set(AuditEvent.objects.filter(action="award.issued").values_list("object_id", flat=True)) == {
        str(pk) for pk in [*issued.values_list("pk", flat=True), meanwhile.pk]
    }
    # status indexes stay unique (the refused batch's slots are simply not used)
    slots = list(Credential.objects.values_list("status_list_id", "status_index"))
    assert len(slots) == len(set(slots)) == 6


class CountingBackend(EmailBackend):
    """The in-memory outbox with a mail server's connection handling (as Django's SMTP backend does it): a
    connection not opened by the caller is opened and closed for each message."""

    opened = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connected = False

    def open(self) -> bool:
        if self.connected:
            return False
        self.connected = True
        type(self).opened += 1
        return True

    def close(self) -> None:
        self.connected = False

    def send_messages(self, messages: Any) -> int:
        opened_here = self.open()
        try:
            return super().send_messages(messages)
        finally:
            if opened_here:
                self.close()


def test_claim_mail_of_a_batch_shares_one_connection_and_each_sent_one_is_cleared(
    published: MicroCredentialVersion, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = 0
    org = published.organization
    requests = [
        actions.AwardRequest(version=published, email=f"m{i}@example.org", source=f"manual:m{i}", origin="manual")
        for i in range(8)
    ]
    ids = [c.pk for c in actions.issue_awards(org, requests, actor=None)]  # on-commit mail not run: all due
    send = sweep._send_claim_mail

    def failing_on_the_sixth(credential: Credential, *args: Any) -> int:
        if credential.recipient_email == "m5@example.org":
            raise OSError("SMTP connection reset")
        return send(credential, *args)

    monkeypatch.setattr(sweep, "_send_claim_mail", failing_on_the_sixth)
    with pytest.raises(OSError):
        sweep.send_due_mails(credential_ids=ids)
    assert CountingBackend.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"m{i}@example.org" for i in range(5)]
    due = set(Credential.objects.filter(mail_due_at__isnull=False).values_list("recipient_email", flat=True))
    assert due == {f"m{i}@example.org" for i in range(5, 8)}
    monkeypatch.setattr(sweep, "_send_claim_mail", send)
    assert sweep.send_due_mails(credential_ids=ids) == 3
    assert len(mail.outbox) == 8 and not Credential.objects.filter(mail_due_at__isnull=False).exists()


def _publish_science_stack(org: Organization) -> None:
    """A published stack of the two micro-credentials cer-lab and lab-safety."""
    stack = stacks.do_create_stack(
        organization=org,
        data={"name": "Science", "summary": "Two practices.", "micro_credentials": ["cer-lab", "lab-safety"]},
        actor=admin_of(org),
    )
    stacks.do_publish_stack(stack=stack, actor=admin_of(org))


def test_stack_awards_of_a_bulk_run_are_recorded_together_once_each(
    org_a: Organization, definition: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    first = publish(org_a, definition, "cer-lab", "Claim-Evidence-Reasoning")
    publish(org_a, definition, "lab-safety", "Lab Safety Routines")
    _publish_science_stack(org_a)
    emails = [f"s{i}@example.org" for i in range(7)]
    bulk.run_bulk(_confirmed(org_a, emails, "lab-safety"))
    job = _confirmed(org_a, emails, "cer-lab")
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        bulk.run_bulk(job, batch_size=4)
    # Two batches, so two evaluations: each records its stack awards and their components with one insert each.
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert sum('"pathways_stackaward"' in sql for sql in inserts) == 2
    assert sum('"pathways_stackaward_components"' in sql for sql in inserts) == 2
    awards = list(StackAward.objects.select_related("credential").prefetch_related("components"))
    assert sorted(a.credential.recipient_email for a in awards) == emails
    for award in awards:
        components = list(award.components.all())
        assert len(components) == 2 and {c.recipient_email for c in components} == {award.credential.recipient_email}
        assert any(c.version_id == first.pk for c in components)
    events = AuditEvent.objects.filter(action="stack.awarded")
    assert sorted(e.data["email"] for e in events) == emails
    assert {e.data["credential"] for e in events} == {a.credential.credential_id for a in awards}
    # evaluating again records nothing twice
    again = stacks.do_evaluate_stacks(credentials=Credential.objects.filter(origin=Origin.BULK))
    assert again == [] and StackAward.objects.count() == 7 and events.count() == 7


def test_a_database_that_cannot_return_new_ids_still_links_rows_and_stack_awards(
    org_a: Organization,
    definition: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """SQLite before 3.35 has no RETURNING: the multi-row inserts leave the ids unset, and they are read back."""
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    publish(org_a, definition, "cer-lab", "Claim-Evidence-Reasoning")
    publish(org_a, definition, "lab-safety", "Lab Safety Routines")
    _publish_science_stack(org_a)
    emails = [f"n{i}@example.org" for i in range(4)]
    bulk.run_bulk(_confirmed(org_a, emails, "lab-safety"))
    with django_capture_on_commit_callbacks(execute=True):
        done = bulk.run_bulk(_confirmed(org_a, emails, "cer-lab"))
    rows = BulkRow.objects.filter(bulk_id=done.pk).select_related("credential")
    assert all(r.state == RowState.ISSUED and r.credential.recipient_email == r.email for r in rows)
    awards = StackAward.objects.prefetch_related("components")
    assert sorted(a.credential.recipient_email for a in awards) == emails
    assert all(len(a.components.all()) == 2 for a in awards)
