"""A large database generated fast, for the page-latency benchmark (``benchmarks.pages``).

The demo program is loaded the ordinary way (through the actions), then its rows are multiplied with set-based
SQL: one ``INSERT … SELECT`` over a recursive counter per table, each column copied from a real row of the demo
(a template) unless the generator overrides it. Building a million credentials through the actions would take
hours (each is signed); the pages only read the rows, so the generated credentials all carry the template's
signed document. What is generated, for the organization ``northfield-usd``:

- ``learners`` accounts (one password hash, computed once), each holding ``credentials // learners`` credentials
  spread over the organization's micro-credentials (a learner holds each one at most once standing; the older
  awards of the same one are superseded, as renewals leave them), every 50th revoked, every 97th suspended;
- the demo learner holds ``heavy_wallet`` credentials more (a wallet with many credentials);
- status lists for every credential (131,072 indexes each), and one audit event per credential;
- one open submission per learner in the review queue;
- a bulk run of ``credentials // 10`` rows (5 % rejected, 5 % duplicates, the rest issued).

SQLite only (the default database of the benchmark). The counter is a recursive CTE, so no table of numbers
is needed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import connection

ORGANIZATION = "northfield-usd"
HEAVY_LEARNER = "learner@example.org"
LIST_CAPACITY = 131_072
BATCH = 100_000  # rows per INSERT … SELECT, so that SQLite's journal stays small


@dataclass
class Generated:
    credentials: int
    learners: int
    heavy_wallet: int
    submissions: int
    bulk_rows: int
    bulk_id: int
    seconds: float


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _insert_copies(model: Any, template_pk: int, count: int, overrides: dict[str, str], start: int = 0) -> None:
    """``count`` rows of ``model``, each a copy of row ``template_pk`` with ``overrides`` (SQL over ``x``,
    the row's number from ``start``), in batches of :data:`BATCH`."""
    table = model._meta.db_table
    columns = _columns(model)
    missing = set(overrides) - set(columns)
    if missing:
        raise ValueError(f"{table} has no columns {sorted(missing)}")
    select = ", ".join(overrides.get(c, f't."{c}"') for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        for first in range(start, start + count, BATCH):
            last = min(first + BATCH, start + count) - 1
            cursor.execute(
                f'INSERT INTO "{table}" ({names}) '  # noqa: S608 (names from the model, numbers from us)
                f"WITH RECURSIVE n(x) AS (SELECT {first} UNION ALL SELECT x + 1 FROM n WHERE x < {last}) "
                f'SELECT {select} FROM n, "{table}" t WHERE t."{model._meta.pk.column}" = {template_pk}'
            )


def _stamp(days_expr: str) -> str:
    """An SQLite datetime ``days_expr`` days before now, in the format Django stores."""
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({days_expr}) || ' days', '-' || (x % 86000) || ' seconds')"


def generate(*, credentials: int, learners: int, heavy_wallet: int = 500) -> Generated:
    """Multiply the loaded demo program (see the module notes); returns what was made."""
    from credstack.accounts.models import User
    from credstack.assessment.models import Submission, SubmissionStatus
    from credstack.awards.models import BulkAward, BulkRow, BulkStatus, Credential, RowState, StatusList
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.core.models import AuditEvent
    from credstack.organizations.models import Organization

    if connection.vendor != "sqlite":
        raise RuntimeError("the large-database generator writes SQLite SQL")
    started = time.perf_counter()
    org = Organization.objects.get(slug=ORGANIZATION)
    versions = list(
        MicroCredentialVersion.objects.published().filter(micro_credential__organization=org).order_by("pk")
    )
    template_user = User.objects.get(email=HEAVY_LEARNER)
    template = Credential.objects.filter(organization=org).order_by("pk").first()
    if template is None:  # the demo awards its learner's credentials in the first organizations by slug
        other = Credential.objects.order_by("pk").first()
        assert other is not None, "load the demo first"
        template = Credential.objects.get(pk=other.pk)
    submission = Submission.objects.filter(organization=org).order_by("pk").first()
    assert submission is not None, "load the demo submissions first"
    per_learner = max(1, credentials // learners)

    # Each INSERT commits on its own (one transaction would grow SQLite's write-ahead log to the database's size);
    # the file is a throwaway, so it is not synced to disk at each commit.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
    first_user = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    _insert_copies(
        User,
        template_user.pk,
        learners,
        {
            "email": "'gen' || x || '@learners.example.org'",
            "display_name": "'Learner ' || x",
            "date_joined": _stamp("x % 900"),
            "last_login": "NULL",
            "is_superuser": "0",
            "is_staff": "0",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS gen_versions")
        cursor.execute("CREATE TEMP TABLE gen_versions (idx INTEGER PRIMARY KEY, version INTEGER, mc INTEGER)")
        cursor.executemany(
            "INSERT INTO gen_versions VALUES (%s, %s, %s)",
            [(i, v.pk, v.micro_credential_id) for i, v in enumerate(versions)],
        )
    lists = (credentials + heavy_wallet) // LIST_CAPACITY + 1
    first_list = StatusList.objects.filter(organization=org).order_by("-number").first() or None
    first_number = (first_list.number if first_list else 0) + 1000
    template_list = StatusList.objects.filter(organization=org).order_by("pk").first() or StatusList.objects.first()
    assert template_list is not None
    _insert_copies(
        StatusList,
        template_list.pk,
        lists,
        {
            "organization_id": str(org.pk),
            "number": f"{first_number} + x",
            "capacity": str(LIST_CAPACITY),
            "allocated": str(LIST_CAPACITY),
            "revocation_bits": f"zeroblob({LIST_CAPACITY // 8})",
            "suspension_bits": f"zeroblob({LIST_CAPACITY // 8})",
            "revocation_document": "NULL",
            "suspension_document": "NULL",
        },
    )
    list_pk = {
        n - first_number: pk
        for n, pk in StatusList.objects.filter(organization=org, number__gte=first_number).values_list("number", "pk")
    }
    first_list_pk = list_pk[0]
    assert all(list_pk[i] == first_list_pk + i for i in range(lists)), "status lists are not consecutive"
    nversions = len(versions)
    # Credential x goes to learner x % learners; its round (x // learners) picks the micro-credential, and a
    # round past the number of micro-credentials is a renewal: the earlier award of it is superseded.
    version_of = f"(SELECT {{}} FROM gen_versions WHERE idx = (x / {learners}) % {nversions})"  # noqa: S608
    standing = f"(x / {learners}) >= {max(0, per_learner - nversions)}"
    days = f"(({per_learner} - x / {learners}) * 60 + x % 60)"
    overrides = {
        "public_id": "printf('%032x', 1000000000000 + x)",
        "organization_id": str(org.pk),
        "version_id": version_of.format("version"),
        "micro_credential_id": version_of.format("mc"),
        "origin": "'bulk'",
        "source": "'gen:' || x",
        "recipient_email": "'gen' || (x % " + str(learners) + ") || '@learners.example.org'",
        "recipient_name": "'Learner ' || (x % " + str(learners) + ")",
        "recipient_user_id": f"CASE WHEN x % 3 = 0 THEN NULL ELSE {first_user} + x % {learners} END",
        "claimed_at": f"CASE WHEN x % 3 = 0 THEN NULL ELSE {_stamp(days)} END",
        "awarded_at": _stamp(days),
        "valid_from": _stamp(days),
        # A superseded credential had expired (that is what lets a renewal take its place).
        "valid_until": f"CASE WHEN {standing} THEN NULL ELSE {_stamp('x % 30 + 1')} END",
        "status_list_id": f"{first_list_pk} + x / {LIST_CAPACITY}",
        "status_index": f"x % {LIST_CAPACITY}",
        "revoked_at": f"CASE WHEN x % 50 = 7 THEN {_stamp('x % 30')} END",
        "suspended_at": f"CASE WHEN x % 97 = 5 THEN {_stamp('x % 30')} END",
        "superseded_at": f"CASE WHEN {standing} THEN NULL ELSE {_stamp('x % 30')} END",
        "mail_due_at": "NULL",
        "created_at": _stamp(days),
    }
    _insert_copies(Credential, template.pk, credentials, overrides)
    # The heavy wallet: the demo learner's, every credential a renewal of the first micro-credential.
    heavy = {
        **overrides,
        "version_id": str(versions[0].pk),
        "micro_credential_id": str(versions[0].micro_credential_id),
        "recipient_email": f"'{HEAVY_LEARNER}'",
        "recipient_name": "'Demo learner'",
        "recipient_user_id": str(template_user.pk),
        "claimed_at": _stamp("x % 700"),
        "awarded_at": _stamp("x % 700"),
        "valid_from": _stamp("x % 700"),
        "created_at": _stamp("x % 700"),
        "superseded_at": _stamp("x % 30"),
        "valid_until": _stamp("x % 30 + 1"),
    }
    _insert_copies(Credential, template.pk, heavy_wallet, heavy, start=credentials)
    audit = AuditEvent.objects.order_by("pk").first()
    assert audit is not None
    _insert_copies(
        AuditEvent,
        audit.pk,
        credentials,
        {
            "occurred_at": _stamp(days),
            "actor_id": "NULL",
            "organization_id": str(org.pk),
            "action": "'credential.issued'",
            "object_type": "'credential'",
            "object_id": "'gen:' || x",
            "data": "'{}'",
        },
    )
    _insert_copies(
        Submission,
        submission.pk,
        learners,
        {
            "learner_id": f"{first_user} + x",
            "organization_id": str(org.pk),
            "micro_credential_id": f"(SELECT mc FROM gen_versions WHERE idx = x % {nversions})",  # noqa: S608
            "micro_credential_version_id": f"(SELECT version FROM gen_versions WHERE idx = x % {nversions})",  # noqa: S608
            "status": f"'{SubmissionStatus.SUBMITTED}'",
            "claimed_by_id": "NULL",
            "claimed_at": "NULL",
            "created_at": _stamp("x % 90 + 1"),
            "first_submitted_at": _stamp("x % 90"),
            "submitted_at": _stamp("x % 90"),
            "decided_at": "NULL",
            "withdrawn_at": "NULL",
        },
    )
    rows = max(1, credentials // 10)
    job = BulkAward.objects.create(
        organization=org,
        filename="generated.csv",
        status=BulkStatus.DONE,
        total_rows=rows,
        valid_rows=rows - 2 * (rows // 20),
        duplicate_rows=rows // 20,
        error_rows=rows // 20,
        issued=rows - 2 * (rows // 20),
    )
    first_row = BulkRow.objects.create(bulk=job, line=2, email="row@example.org", achievement="x", state="valid")
    _insert_copies(
        BulkRow,
        first_row.pk,
        rows - 1,
        {
            "line": "x + 3",
            "email": "'row' || x || '@learners.example.org'",
            "state": f"CASE x % 20 WHEN 3 THEN '{RowState.ERROR}' WHEN 4 THEN '{RowState.DUPLICATE}' "
            f"ELSE '{RowState.ISSUED}' END",
            "errors": "CASE x % 20 WHEN 3 THEN '{\"email\": \"Not an email address.\"}' ELSE '{}' END",
        },
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Generated(
        credentials=credentials,
        learners=learners,
        heavy_wallet=heavy_wallet,
        submissions=learners,
        bulk_rows=rows,
        bulk_id=job.pk,
        seconds=time.perf_counter() - started,
    )
