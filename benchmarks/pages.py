"""Page latency and queries per page on a large generated database, beside the same pages on the demo database.

Two throwaway platforms (their own ``CREDSTACK_HOME``, SQLite): the demo program as ``credstack demo`` loads
it with a few rows of each kind generated (the small database), and the same demo multiplied by
:mod:`benchmarks.largedb` to ``CREDSTACK_BENCH_CREDENTIALS`` credentials
and ``CREDSTACK_BENCH_LEARNERS`` learners (100,000 / 10,000 by default; ``CREDSTACK_BENCH_LARGE=1`` asks for
the issue's 1,000,000 / 100,000). Every page kind is requested through Django's test client (the whole
middleware stack, no HTTP), ``CREDSTACK_BENCH_PAGE_REQUESTS`` times (20 by default) after one warm-up request,
as the user who would open it; printed per page: p50 and p95 in milliseconds, and the queries of one request
on each database (they must be the same: queries per page do not grow with the data).

Each database is measured in a child process of its own (Django is set up once per process).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

GOAL_P95_MS = 100.0
FULL = os.environ.get("CREDSTACK_BENCH_LARGE", "") == "1"
CREDENTIALS = int(os.environ.get("CREDSTACK_BENCH_CREDENTIALS", "1000000" if FULL else "100000"))
LEARNERS = int(os.environ.get("CREDSTACK_BENCH_LEARNERS", "100000" if FULL else "10000"))
REQUESTS = int(os.environ.get("CREDSTACK_BENCH_PAGE_REQUESTS", "20"))
# The small database: the demo with a few generated rows of each kind (a wallet just over one page).
SMALL_CREDENTIALS, SMALL_LEARNERS, SMALL_WALLET = 200, 20, 25

ADMIN = "admin@northfield.example.org"
ASSESSOR = "assessor@northfield.example.org"
LEARNER = "learner@example.org"


def _setup(home: str) -> None:
    os.environ["CREDSTACK_HOME"] = home
    os.environ["CREDSTACK_EMAIL_BACKEND"] = "locmem"
    for name in ("DATABASE_URL", "REDIS_URL", "CREDSTACK_ENV"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from io import StringIO

    call_command("demo", stdout=StringIO())


def pages(bulk_id: int | None) -> list[tuple[str, str, str | None]]:
    """(page kind, path, who is signed in) for every page kind the benchmark requests."""
    from django.urls import reverse

    from credstack.awards.models import BulkAward, Credential
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.pathways.models import Stack

    org = "northfield-usd"
    credential = Credential.objects.filter(organization__slug=org).order_by("-pk").first() or Credential.objects.first()
    assert credential is not None
    version = MicroCredentialVersion.objects.published().filter(micro_credential__organization__slug=org).first()
    assert version is not None
    stack = Stack.objects.filter(status="published").select_related("organization").first()
    assert stack is not None
    if bulk_id is None:
        from credstack.awards.models import BulkStatus
        from credstack.organizations.models import Organization

        bulk_id = BulkAward.objects.create(
            organization=Organization.objects.get(slug=org), filename="small.csv", status=BulkStatus.DONE
        ).pk
    mc = version.micro_credential
    return [
        ("public credential", credential.get_absolute_url(), None),
        ("credential as JSON", credential.get_absolute_url() + "?format=json", None),
        ("verify page", reverse("verifier:verify"), None),
        ("catalog", reverse("catalog:list"), None),
        ("micro-credential", reverse("catalog:detail", args=[org, mc.slug]), None),
        ("issuer profile", reverse("organizations:profile", args=[org]), None),
        ("wallet (many credentials)", reverse("awards:wallet"), LEARNER),
        ("issued list, page 1", reverse("awards:issued", args=[org]), ADMIN),
        ("issued list, page 40", reverse("awards:issued", args=[org]) + "?page=40", ADMIN),
        ("issued list, search", reverse("awards:issued", args=[org]) + "?q=gen1", ADMIN),
        ("program overview", reverse("program:overview", args=[org]), ADMIN),
        ("organization dashboard", reverse("organizations:dashboard", args=[org]), ADMIN),
        ("review queue", reverse("assessment:queue", args=[org]), ASSESSOR),
        ("stacks", reverse("pathways:list"), None),
        ("stack", reverse("pathways:detail", args=[stack.organization.slug, stack.slug]), None),
        ("bulk detail", reverse("awards:bulk_detail", args=[org, bulk_id]), ADMIN),
        ("API: credentials", f"/api/orgs/{org}/credentials", ADMIN),
        ("API: catalog", "/api/catalog/microcredentials", None),
        ("API: review queue", f"/api/review/{org}/queue", ASSESSOR),
        ("API: stacks", "/api/stacks", None),
    ]


def count_queries(connection: Any, call: Any) -> int:
    """How many SQL statements ``call()`` runs on ``connection``."""
    seen = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return seen[0]


def measure_here(home: str, generate: bool) -> dict[str, Any]:
    """In this process: set up the platform, maybe generate, request every page; the figures as a dict."""
    _setup(home)
    from django.db import connection
    from django.test import Client

    from credstack.accounts.models import User

    made = None
    if generate:
        from benchmarks.largedb import generate as make

        made = make(credentials=CREDENTIALS, learners=LEARNERS)
    else:  # the same kinds of rows at a tiny scale: the query counts compare like with like
        from benchmarks.largedb import generate as make

        make(credentials=SMALL_CREDENTIALS, learners=SMALL_LEARNERS, heavy_wallet=SMALL_WALLET)
    from credstack.awards.models import Credential

    clients: dict[str | None, Client] = {None: Client()}
    results = {}
    for kind, path, who in pages(made.bulk_id if made else None):
        if who not in clients:
            client = Client()
            client.force_login(User.objects.get(email=who))
            clients[who] = client
        client = clients[who]
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{kind}: {path} answered {response.status_code}")
        queries = count_queries(connection, functools.partial(client.get, path))
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        results[kind] = {
            "path": path,
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
            "queries": queries,
        }
    return {
        "credentials": Credential.objects.count(),
        "generated": None if made is None else made.__dict__,
        "pages": results,
    }


def _child(generate: bool) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="credstack-bench-pages-")
    command = [sys.executable, "-m", "benchmarks.pages", "--child", "large" if generate else "small", home]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)  # noqa: S603
    finally:
        shutil.rmtree(home, ignore_errors=True)  # the large database is gigabytes
    if done.returncode != 0:
        raise RuntimeError(f"the page benchmark's child failed: {done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> None:
    small = _child(False)
    large = _child(True)
    made = large["generated"]
    print(
        f"  large database: {made['credentials']:,} generated credentials (+{made['heavy_wallet']} in the demo "
        f"learner's wallet), {made['learners']:,} learners, {made['submissions']:,} open submissions, a bulk run of "
        f"{made['bulk_rows']:,} rows; generated in {made['seconds']:.0f} s"
        + ("" if FULL else " (the issue's full 1,000,000 / 100,000: CREDSTACK_BENCH_LARGE=1)")
    )
    print(
        f"  small database: the demo with {SMALL_CREDENTIALS} generated credentials, {SMALL_LEARNERS} learners, "
        f"{SMALL_WALLET} in the demo learner's wallet ({small['credentials']} credentials); "
        f"{REQUESTS} requests per page"
    )
    print(f"\n  {'page':<28}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}{'on small DB':>13}")
    slow, growing = [], []
    for kind, r in large["pages"].items():
        s = small["pages"][kind]
        mark = ""
        if r["p95"] > GOAL_P95_MS:
            slow.append(kind)
            mark += "  p95 over goal"
        if r["queries"] != s["queries"]:
            growing.append(kind)
            mark += "  queries differ"
        print(f"  {kind:<28}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['queries']:>9}{s['queries']:>13}{mark}")
    print(
        f"  goal: every page p95 <= {GOAL_P95_MS:.0f} ms, queries per page constant: "
        + ("met" if not slow and not growing else f"not met (slow: {slow or '-'}; queries grow: {growing or '-'})")
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        figures = measure_here(sys.argv[3], sys.argv[2] == "large")
        print(json.dumps(figures))
    else:
        run()
