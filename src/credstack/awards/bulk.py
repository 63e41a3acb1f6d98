"""Bulk awards from a CSV file: validate, report, confirm, then issue in the background — resumably.

The file (UTF-8, header ``email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on``;
columns in any order, only ``email`` and ``achievement`` required) is read as a stream and every row is
checked with the same rules as a single award (:func:`credstack.awards.actions.clean_award`), plus
duplicates within the file and people who already hold the credential. Rows are stored with their state,
so the report is a query and nothing is issued before the admin confirms.

Issuing works through the rows still marked ``valid``, in batches: each batch's credentials and the rows'
new state commit together, and each row's credential has the unique source ``bulk-row:<pk>``. A run that
dies (worker killed, machine rebooted) leaves every row either issued with its credential or still valid;
running it again — the worker resuming at start-up, the page's Resume button, or the same file again from
the command line — issues exactly the rest. One runner at a time holds a lease (``runner`` +
``heartbeat_at``); a lease whose process is gone or whose heartbeat is stale may be taken over.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from credstack.awards.actions import (
    FIELDS,
    AwardRequest,
    VersionLookup,
    awarded_at_for,
    clean_award,
    expiry_for,
    issue_awards,
    manual_evidence,
)
from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, Origin, RowState
from credstack.catalog.models import MicroCredentialVersion
from credstack.core import audit
from credstack.organizations.models import Organization
from credstack.vc.iri import storable_text

logger = logging.getLogger(__name__)

REQUIRED = ("email", "achievement")
MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024
BATCH = 100
STALE = timedelta(minutes=2)


@dataclass
class RowResult:
    line: int
    values: dict[str, str]
    state: str
    errors: dict[str, str] = field(default_factory=dict)
    cleaned: dict[str, Any] = field(default_factory=dict)


def _text_stream(stream: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


def read_rows(stream: IO[bytes]) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, {column: value})`` for each data row; ``ValidationError({"file": …})`` when the file is unusable."""
    text = _text_stream(stream)
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError(
                {"file": ["The file is empty. The first line must be the header: " + ",".join(FIELDS) + "."]}
            )
        columns = [h.strip().lower() for h in header]
        unknown = [c for c in columns if c not in FIELDS]
        missing = [c for c in REQUIRED if c not in columns]
        if unknown or missing or len(set(columns)) != len(columns):
            problems = []
            if missing:
                problems.append("missing column(s): " + ", ".join(missing))
            if unknown:
                problems.append("unknown column(s): " + ", ".join(repr(u) for u in unknown))
            if len(set(columns)) != len(columns):
                problems.append("a column appears twice")
            raise ValidationError(
                {
                    "file": [
                        "The header is not right ("
                        + "; ".join(problems)
                        + "). Expected: "
                        + ",".join(FIELDS)
                        + " (email and achievement required)."
                    ]
                }
            )
        for number, record in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise ValidationError({"file": [f"The file has more than {MAX_ROWS} rows; split it."]})
            if not any(cell.strip() for cell in record):
                continue
            values = {c: (record[i] if i < len(record) else "") for i, c in enumerate(columns)}
            if len(record) > len(columns):
                values["__extra__"] = "x"
            yield number, values
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."]})
    except csv.Error as exc:
        raise ValidationError({"file": [f"The file is not valid CSV: {exc}."]})
    finally:
        text.detach()


def validate_rows(organization: Organization, rows: Iterable[tuple[int, dict[str, str]]]) -> Iterator[RowResult]:
    """Check every row; duplicates within the file are errors, people already holding the award duplicates."""
    versions = VersionLookup(organization)
    seen: dict[tuple[str, str], int] = {}
    pending: list[RowResult] = []

    def flush() -> Iterator[RowResult]:
        # Who already holds what, for a batch of rows at once (one query, not one per row).
        wanted = [r for r in pending if r.state == RowState.VALID]
        held: set[tuple[int, str]] = set()
        if wanted:
            held = set(
                Credential.objects.holding()
                .filter(organization=organization, recipient_email__in={r.cleaned["email"] for r in wanted})
                .values_list("micro_credential_id", "recipient_email")
            )
        for r in pending:
            if r.state == RowState.VALID and (r.cleaned["version"].micro_credential_id, r.cleaned["email"]) in held:
                r.state = RowState.DUPLICATE
                r.errors = {"email": f"{r.cleaned['email']} already holds {r.values.get('achievement')}."}
            yield r
        pending.clear()

    for line, values in rows:
        cleaned, errors = clean_award(values, versions)
        if values.pop("__extra__", None):
            errors["file"] = "This line has more cells than the header."
        result = RowResult(line, values, RowState.ERROR if errors else RowState.VALID, errors, cleaned)
        if not errors:
            key = (cleaned["email"], values.get("achievement", "").strip())
            if key in seen:
                result.state = RowState.ERROR
                result.errors = {"email": f"Repeats line {seen[key]} (same person and achievement)."}
            else:
                seen[key] = line
        pending.append(result)
        if len(pending) >= 1000:
            yield from flush()
    yield from flush()


def _row(bulk: BulkAward, result: RowResult) -> BulkRow:
    # A rejected row is kept as written, but text the database cannot hold (NUL) is shown as U+FFFD.
    v = {key: storable_text(value) for key, value in result.values.items()}
    cleaned = result.cleaned
    return BulkRow(
        bulk=bulk,
        line=result.line,
        email=v.get("email", "").strip()[:320],
        name=v.get("name", "").strip()[:200],
        achievement=v.get("achievement", "").strip()[:120],
        version=cleaned.get("version") if result.state != RowState.ERROR else None,
        evidence_url=v.get("evidence_url", "").strip()[:2000],
        evidence_narrative=v.get("evidence_narrative", ""),
        awarded_on=cleaned.get("awarded_on") if "awarded_on" not in result.errors else None,
        expires_on=cleaned.get("expires_on") if "expires_on" not in result.errors else None,
        state=result.state,
        errors=result.errors,
    )


def do_create_bulk_award(*, organization: Organization, stream: IO[bytes], filename: str, actor: Any) -> BulkAward:
    """Validate a CSV file and store its rows and report; nothing is issued until it is confirmed."""
    with transaction.atomic():
        bulk = BulkAward.objects.create(
            organization=organization,
            filename=filename[:255] or "upload.csv",
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        counts = {RowState.VALID: 0, RowState.ERROR: 0, RowState.DUPLICATE: 0}
        batch: list[BulkRow] = []
        for result in validate_rows(organization, read_rows(stream)):
            counts[RowState(result.state)] += 1
            batch.append(_row(bulk, result))
            if len(batch) >= 1000:
                BulkRow.objects.bulk_create(batch)
                batch.clear()
        BulkRow.objects.bulk_create(batch)
        total = sum(counts.values())
        if total == 0:
            raise ValidationError({"file": ["The file has a header but no rows."]})
        bulk.total_rows, bulk.valid_rows = total, counts[RowState.VALID]
        bulk.error_rows, bulk.duplicate_rows = counts[RowState.ERROR], counts[RowState.DUPLICATE]
        bulk.save(update_fields=["total_rows", "valid_rows", "error_rows", "duplicate_rows"])
        audit.record(
            "award.bulk_uploaded",
            bulk,
            actor=actor,
            organization=organization,
            filename=bulk.filename,
            rows=total,
            valid=bulk.valid_rows,
            errors=bulk.error_rows,
            duplicates=bulk.duplicate_rows,
        )
    return bulk


def do_confirm_bulk_award(*, bulk: BulkAward, actor: Any, enqueue: bool = True) -> BulkAward:
    """Confirm the report: the valid rows are issued by a background task (``enqueue=False``: by the caller)."""
    with transaction.atomic():
        locked = BulkAward.objects.select_for_update().get(pk=bulk.pk)
        if locked.status != BulkStatus.VALIDATED:
            raise ValidationError(
                {"bulk": [f"This upload is {locked.get_status_display().lower()}; it was confirmed already."]}
            )
        if not locked.valid_rows:
            raise ValidationError({"bulk": ["No row can be issued; fix the file and upload it again."]})
        locked.status, locked.confirmed_at = BulkStatus.QUEUED, timezone.now()
        locked.save(update_fields=["status", "confirmed_at"])
        audit.record(
            "award.bulk_confirmed", locked, actor=actor, organization=locked.organization, rows=locked.valid_rows
        )
        if enqueue:
            _enqueue_on_commit(locked.pk)
    return locked


def do_cancel_bulk_award(*, bulk: BulkAward, actor: Any) -> BulkAward:
    with transaction.atomic():
        locked = BulkAward.objects.select_for_update().get(pk=bulk.pk)
        if locked.status != BulkStatus.VALIDATED:
            raise ValidationError({"bulk": ["Only an upload waiting for confirmation can be discarded."]})
        locked.status = BulkStatus.CANCELLED
        locked.save(update_fields=["status"])
        audit.record("award.bulk_cancelled", locked, actor=actor, organization=locked.organization)
    return locked


def _enqueue_on_commit(bulk_id: int, queue: str | None = None) -> None:
    from credstack.awards.tasks import run_bulk_award

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No worker on the embedded default: run in a thread of this process, so that the page answers at
        # once and shows live progress; a run cut short by a restart is resumed from the page (leases).
        transaction.on_commit(lambda: _start_in_thread(bulk_id))
        return
    options = {"queue": queue} if queue else {}

    def enqueue() -> None:
        try:
            run_bulk_award.apply_async((bulk_id,), **options)
        except Exception:
            # The broker is down: the run stays queued (its own outbox row) and the sweep queues it later.
            logger.warning("Could not queue bulk award %s; the sweep will queue it", bulk_id, exc_info=True)

    transaction.on_commit(enqueue)


THREAD_ATTEMPTS = 8


def _start_in_thread(bulk_id: int) -> threading.Thread:
    def target() -> None:
        # What the worker's task does, retries included: a database that is briefly busy (SQLite answers "locked"
        # while another connection writes) is tried again with a growing pause instead of ending the run.
        try:
            for attempt in range(THREAD_ATTEMPTS):
                try:
                    run_bulk(bulk_id)
                    return
                except DatabaseError as exc:
                    connections.close_all()  # a fresh connection for the next attempt
                    if attempt + 1 == THREAD_ATTEMPTS:
                        logger.error("bulk award %s stopped after %s attempts: %s", bulk_id, THREAD_ATTEMPTS, exc)
                        return  # left as it is: the page offers to resume it
                    time.sleep(min(0.2 * 2**attempt, 10.0))
        finally:
            connections.close_all()  # this thread's own database connections

    thread = threading.Thread(target=target, name=f"bulk-award-{bulk_id}", daemon=True)
    thread.start()
    return thread


def this_runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(runner: str) -> bool:
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: only a stale heartbeat tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lease_free(bulk: BulkAward, runner: str) -> bool:
    if not bulk.runner or bulk.runner == runner:
        return True
    if bulk.heartbeat_at is None or timezone.now() - bulk.heartbeat_at > STALE:
        return True
    return not _process_alive(bulk.runner)


def _acquire(bulk_id: int, runner: str) -> BulkAward | None:
    with transaction.atomic():
        bulk = BulkAward.objects.select_for_update().select_related("organization").get(pk=bulk_id)
        if bulk.status not in (BulkStatus.QUEUED, BulkStatus.RUNNING) or not _lease_free(bulk, runner):
            return None
        resumed = bulk.status == BulkStatus.RUNNING
        bulk.status, bulk.runner, bulk.heartbeat_at = BulkStatus.RUNNING, runner, timezone.now()
        bulk.started_at = bulk.started_at or bulk.heartbeat_at
        bulk.save(update_fields=["status", "runner", "heartbeat_at", "started_at"])
        if resumed:
            audit.record("award.bulk_resumed", bulk, actor=None, organization=bulk.organization, runner=runner)
    return bulk


class _LostLease(Exception):
    """Another runner took the job over; this one stops without recording its batch."""


def attach_versions(rows: list[Any]) -> None:
    """Give each row (anything with ``version_id``) its version, read once per distinct version rather than
    joined into every row (a version holds a dozen JSON fields, parsed for each row a join returns)."""
    wanted = {r.version_id for r in rows if r.version_id is not None}
    versions = MicroCredentialVersion.objects.select_related("micro_credential__organization").in_bulk(wanted)
    for row in rows:
        if row.version_id is not None:
            row.version = versions[row.version_id]


def _requests(rows: list[BulkRow]) -> list[AwardRequest]:
    requests = []
    for row in rows:
        assert row.version is not None  # valid rows always name a published version
        requests.append(
            AwardRequest(
                version=row.version,
                email=row.email.strip().lower(),
                name=row.name,
                origin=Origin.BULK,
                source=f"bulk-row:{row.pk}",
                evidence=manual_evidence(row.evidence_url, row.evidence_narrative),
                awarded_at=awarded_at_for(row.awarded_on),
                valid_until=expiry_for(row.expires_on),
            )
        )
    return requests


def _held_elsewhere(organization: Organization, rows: list[BulkRow]) -> set[int]:
    """Rows whose person got the award some other way since the file was checked (skipped, not issued twice)."""
    sources = {f"bulk-row:{r.pk}" for r in rows}
    held = {
        (mc, email, source)
        for mc, email, source in Credential.objects.holding()
        .filter(organization=organization, recipient_email__in={r.email.strip().lower() for r in rows})
        .values_list("micro_credential_id", "recipient_email", "source")
    }
    taken = {(mc, email) for mc, email, source in held if source not in sources}
    return {
        r.pk
        for r in rows
        if r.version is not None and (r.version.micro_credential_id, r.email.strip().lower()) in taken
    }


def _save_rows(rows: list[BulkRow]) -> None:
    """Store the rows' new state: the issued ones (nearly all) with one update for their state and one for their
    credentials, the few skipped or failed ones with their messages."""
    issued = [r for r in rows if r.state == RowState.ISSUED]
    others = [r for r in rows if r.state != RowState.ISSUED]
    if issued:
        # Each issued row's credential is the one whose source names the row (how ``record`` matched them): one
        # UPDATE with an indexed lookup per row, instead of a CASE over every row of the batch.
        own = Credential.objects.filter(
            source=Concat(Value("bulk-row:"), Cast(OuterRef("pk"), output_field=CharField()))
        ).values("pk")[:1]
        BulkRow.objects.filter(pk__in=[r.pk for r in issued]).update(state=RowState.ISSUED, credential=Subquery(own))
    if others:
        BulkRow.objects.bulk_update(others, ["state", "errors"])


def run_bulk(
    bulk_id: int,
    *,
    batch_size: int = BATCH,
    runner: str | None = None,
    progress: Callable[[BulkAward], None] | None = None,
) -> BulkAward:
    """Issue the remaining rows of a confirmed bulk award (see the module notes); returns it, refreshed."""
    runner = runner or this_runner()
    bulk = _acquire(bulk_id, runner)
    if bulk is None:
        return BulkAward.objects.get(pk=bulk_id)
    organization, actor = bulk.organization, bulk.created_by
    try:
        while True:
            rows = list(BulkRow.objects.filter(bulk_id=bulk_id, state=RowState.VALID).order_by("line")[:batch_size])
            attach_versions(rows)
            if not rows:
                break
            skip = _held_elsewhere(organization, rows)
            to_issue = [r for r in rows if r.pk not in skip]
            failures: dict[str, str] = {}

            def record(
                found: dict[str, Credential],
                rows: list[BulkRow] = rows,
                skip: set[int] = skip,
                failures: dict[str, str] = failures,
            ) -> None:
                counts = {RowState.ISSUED: 0, RowState.SKIPPED: 0, RowState.FAILED: 0}
                for row in rows:
                    source = f"bulk-row:{row.pk}"
                    credential = found.get(source)
                    if row.pk in skip:
                        row.state = RowState.SKIPPED
                        row.errors = {"email": "Awarded meanwhile by another route."}
                    elif source in failures:
                        # Marked, not retried: Resume and the sweep go on with the rest of the run.
                        row.state, row.errors = RowState.FAILED, {"issue": failures[source]}
                    elif credential is None or credential.source != source:
                        # Lost a race to another award of the same (another run of the same file, say): the
                        # database kept the other credential.
                        row.state = RowState.SKIPPED
                        row.errors = {"email": f"{row.email} already holds {row.achievement}."}
                    else:
                        row.state, row.credential = RowState.ISSUED, credential
                    counts[RowState(row.state)] += 1
                _save_rows(rows)
                if not BulkAward.objects.filter(pk=bulk_id, runner=runner).update(
                    issued=F("issued") + counts[RowState.ISSUED],
                    skipped=F("skipped") + counts[RowState.SKIPPED],
                    failed=F("failed") + counts[RowState.FAILED],
                    heartbeat_at=timezone.now(),
                ):
                    raise _LostLease()

            if to_issue:
                issue_awards(organization, _requests(to_issue), actor=actor, on_recorded=record, failures=failures)
            else:
                with transaction.atomic():
                    record({})
            if progress is not None:
                progress(BulkAward.objects.get(pk=bulk_id))
    except _LostLease:
        logger.warning("Bulk award %s was taken over by another runner; %s stops.", bulk_id, runner)
        return BulkAward.objects.get(pk=bulk_id)
    with transaction.atomic():
        done = BulkAward.objects.select_for_update().get(pk=bulk_id)
        if done.runner == runner:
            done.status, done.finished_at, done.runner = BulkStatus.DONE, timezone.now(), ""
            done.save(update_fields=["status", "finished_at", "runner"])
            audit.record(
                "award.bulk_finished",
                done,
                actor=None,
                organization=organization,
                issued=done.issued,
                skipped=done.skipped,
                failed=done.failed,
            )
    bulk = BulkAward.objects.get(pk=bulk_id)
    if progress is not None:
        progress(bulk)
    return bulk


def do_resume_bulk_award(*, bulk: BulkAward, actor: Any) -> bool:
    """Queue a stalled run again (the page's Resume button); False when it is still being worked on."""
    if bulk.status not in (BulkStatus.QUEUED, BulkStatus.RUNNING) or not _lease_free(bulk, ""):
        return False
    with transaction.atomic():
        audit.record("award.bulk_resume_requested", bulk, actor=actor, organization=bulk.organization)
        _enqueue_on_commit(bulk.pk)
    return True


def resume_abandoned(queue: str | None = None) -> list[int]:
    """Queue every bulk award whose runner is gone (called when a worker starts, on a queue it consumes)."""
    resumed = []
    for bulk in BulkAward.objects.filter(status__in=[BulkStatus.QUEUED, BulkStatus.RUNNING]):
        queued_long_ago = (
            bulk.status == BulkStatus.QUEUED
            and bulk.confirmed_at is not None
            and (timezone.now() - bulk.confirmed_at > STALE)
        )
        if (bulk.status == BulkStatus.RUNNING and _lease_free(bulk, "")) or queued_long_ago:
            with transaction.atomic():
                audit.record(
                    "award.bulk_resume_requested",
                    bulk,
                    actor=None,
                    organization=bulk.organization,
                    reason="its runner is gone",
                )
                _enqueue_on_commit(bulk.pk, queue)
            resumed.append(bulk.pk)
    return resumed
