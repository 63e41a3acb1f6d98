"""End-to-end awards per second for a bulk run: CSV validation, status list indexes, signing, database.

A throwaway platform (its own ``CREDSTACK_HOME``: SQLite by default, or the PostgreSQL database named by
``CREDSTACK_BENCH_DATABASE_URL``, which must be an empty scratch database) gets the demo program, then a bulk
award of ``CREDSTACK_BENCH_AWARDS`` rows (2,000 by default) runs exactly as ``credstack award-bulk`` does it:
the file is validated and stored, confirmed, and issued in batches (reserve status indexes, build and sign each
OpenBadgeCredential with eddsa-rdfc-2022, record credentials, rows and audit records in one transaction per
batch, claim mail handed to the task queue). Printed: validation rows/s, issuing awards/s (the end-to-end
figure, and per CPU second of this process), and the share of the issuing time spent signing, measured on
the same kind of credentials afterwards.
Running the file a second time shows the cost of a re-run that issues nothing. The queries per award and this
process's resident memory before and after the run are printed too.

When ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` are set, the same kind of run is then measured on PostgreSQL
with two Celery workers, in a scratch database (see ``benchmarks.awards_workers``).
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

AWARDS = int(os.environ.get("CREDSTACK_BENCH_AWARDS", "2000"))
# Read before the SQLite run takes them out of this process's environment.
_SERVICES = {name: os.environ.get(name, "") for name in ("DATABASE_URL", "REDIS_URL")}
HEADER = "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"


def _setup_django() -> None:
    home = tempfile.mkdtemp(prefix="credstack-bench-")
    os.environ["CREDSTACK_HOME"] = home
    os.environ["CREDSTACK_ENV"] = "test"
    os.environ["CREDSTACK_EMAIL_BACKEND"] = "locmem"
    os.environ.pop("REDIS_URL", None)
    scratch = os.environ.get("CREDSTACK_BENCH_DATABASE_URL", "")
    if scratch:
        os.environ["DATABASE_URL"] = scratch
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _csv(slug: str, prefix: str) -> bytes:
    rows = "".join(
        f"{prefix}{i}@example.org,Learner {i},{slug},https://example.org/p/{i},Portfolio,,\n" for i in range(AWARDS)
    )
    return (HEADER + rows).encode()


def run() -> None:
    _setup_django()
    from django.db import connection

    from credstack.awards import actions, bulk
    from credstack.awards.models import Credential
    from credstack.catalog.demo.loader import load_demo
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.organizations.models import Organization
    from credstack.signing.actions import do_ensure_signing_key

    load_demo()
    version = MicroCredentialVersion.objects.published().select_related("micro_credential__organization").first()
    assert version is not None
    org: Organization = version.organization
    do_ensure_signing_key(organization=org)
    data = _csv(version.micro_credential.slug, "bench")
    print(f"{AWARDS:,} rows of {version.micro_credential.slug!r} ({org.slug}) on {connection.vendor}", flush=True)

    started = time.perf_counter()
    job = bulk.do_create_bulk_award(organization=org, stream=io.BytesIO(data), filename="bench.csv", actor=None)
    validated = time.perf_counter() - started
    bulk.do_confirm_bulk_award(bulk=job, actor=None, enqueue=False)
    from benchmarks.awards_workers import rss_mb

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    memory_before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        done = bulk.run_bulk(job.pk)
    issuing, issuing_cpu = time.perf_counter() - started, time.process_time() - cpu
    memory_after = rss_mb()
    assert done.issued == AWARDS and Credential.objects.filter(organization=org).count() == AWARDS

    started = time.perf_counter()
    again = bulk.do_create_bulk_award(organization=org, stream=io.BytesIO(data), filename="bench.csv", actor=None)
    rerun = time.perf_counter() - started
    assert again.valid_rows == 0 and again.duplicate_rows == AWARDS

    # The signing share: build and sign the same kind of credential without the database writes.
    from credstack.awards import documents

    signer = do_ensure_signing_key(organization=org).signer()
    sample = Credential.objects.filter(organization=org).first()
    assert sample is not None
    times = []
    for i in range(min(AWARDS, 300)):
        award = documents.Award(
            credential_id=f"{sample.credential_id}-{i}",
            organization=org,
            version=version,
            recipient=documents.Recipient(email=f"s{i}@example.org", salt=f"{i:032x}"),
            awarded_at=sample.awarded_at,
            valid_until=None,
            status=documents.StatusSlot("https://x.example/s/1", "https://x.example/s/2", i),
            evidence=actions.manual_evidence("https://example.org/p", "Portfolio"),
        )
        t = time.perf_counter()
        documents.sign(documents.build(award), signer)
        times.append(time.perf_counter() - t)
    sign_ms = statistics.median(times) * 1000

    print(f"  validate and store the file   {AWARDS / validated:10,.0f} rows/s   ({validated:.2f} s)")
    print(f"  issue (end to end)            {AWARDS / issuing:10,.1f} awards/s ({issuing:.2f} s wall clock)")
    print(
        f"                                {AWARDS / issuing_cpu:10,.1f} awards per CPU second of this process "
        f"(the wall-clock figure also waits for the database and for other processes on CPU 0)"
    )
    print(
        f"  of which build + sign         {sign_ms:10.2f} ms per credential (median), "
        f"{100 * sign_ms * AWARDS / 1000 / issuing:.0f} % of the issuing time"
    )
    print(f"  queries per award             {queries[0] / AWARDS:10.2f}        (claim mail included: an eager task)")
    print(f"  memory of this process        {memory_before:10.0f} MB before the run, {memory_after:.0f} MB after")
    print(f"  re-run of the same file       {AWARDS / rerun:10,.0f} rows/s   (issues nothing: all already awarded)")
    cpu_ms = 1000 * issuing_cpu / AWARDS
    goal_met = AWARDS / issuing >= 1000
    print(
        f"  goal >= 1,000 awards/s on SQLite: {'met' if goal_met else 'not met'} ({AWARDS / issuing:,.0f}/s). "
        f"Why: {cpu_ms:.2f} ms of CPU per award in one process (build + sign {sign_ms:.2f} ms of it), and SQLite "
        f"takes one writer, so one process issues at most {1000 / cpu_ms:,.0f}/s."
    )
    if not goal_met:
        print(
            f"  what would close it: CPU per award below 1 ms (now {cpu_ms:.2f}: Django's model and query "
            "building per batch, claim mail rendering), or PostgreSQL with workers issuing slices of a run in parallel"
        )
    _stacks(org, version, AWARDS / issuing)
    if _SERVICES["DATABASE_URL"] and _SERVICES["REDIS_URL"]:
        env = {**os.environ, **_SERVICES}
        subprocess.run([sys.executable, "-m", "benchmarks.awards_workers"], env=env, check=False)
    else:
        print("  (set DATABASE_URL to a PostgreSQL server and REDIS_URL to measure PostgreSQL with two workers)")


def _stacks(org: object, version: object, plain_rate: float) -> None:
    """The same bulk award when each row completes a stack: every award re-evaluates the learner's stacks,
    and each learner's stack credential is issued too (eager tasks, so inside the measured run)."""
    from credstack.awards import bulk
    from credstack.awards.models import Credential, Origin
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.organizations.models import Organization
    from credstack.pathways import actions as stacks

    assert isinstance(org, Organization) and isinstance(version, MicroCredentialVersion)
    other = (
        MicroCredentialVersion.objects.published()
        .filter(micro_credential__organization=org)
        .exclude(micro_credential=version.micro_credential)
        .first()
    )
    assert other is not None
    stack = stacks.do_create_stack(
        organization=org,
        data={
            "name": "Bench stack",
            "summary": "Two micro-credentials.",
            "micro_credentials": [version.micro_credential.slug, other.micro_credential.slug],
        },
        actor=None,
    )
    first = bulk.do_create_bulk_award(
        organization=org, stream=io.BytesIO(_csv(other.micro_credential.slug, "stack")), filename="a.csv", actor=None
    )
    bulk.do_confirm_bulk_award(bulk=first, actor=None, enqueue=False)
    bulk.run_bulk(first.pk)
    started = time.perf_counter()
    stacks.do_publish_stack(stack=stack, actor=None)  # evaluates every holder (each has 1 of 2): awards nothing
    publishing = time.perf_counter() - started
    second = bulk.do_create_bulk_award(
        organization=org, stream=io.BytesIO(_csv(version.micro_credential.slug, "stack")), filename="b.csv", actor=None
    )
    bulk.do_confirm_bulk_award(bulk=second, actor=None, enqueue=False)
    started = time.perf_counter()
    bulk.run_bulk(second.pk)
    issuing = time.perf_counter() - started
    completed = Credential.objects.filter(origin=Origin.STACK).count()
    assert completed == AWARDS, completed
    print(f"  publishing a stack            {AWARDS / publishing:10,.0f} holders evaluated/s ({publishing:.2f} s)")
    print(
        f"  issue, each completing a stack {AWARDS / issuing:9,.1f} awards/s ({issuing:.2f} s; {completed:,} stack "
        f"credentials issued as well), against {plain_rate:,.1f}/s above without stacks"
    )
