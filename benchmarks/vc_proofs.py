"""Data Integrity proofs on the reference credential and on a credential the platform issues (issues 7, 19).

Two credentials: the small reference one (``benchmarks/reference.py``) and the one the platform issues for a
passed assessment of the demo program (``benchmarks/platform_credential.py``: four rubric criteria sharing one
``allowedValue`` list, results, alignments, evidence, two status entries), whose look-alike blank nodes need
RDFC-1.0's N-degree step. Printed, in one run, on one core (the process is pinned to CPU 0 by
``benchmarks.__main__``):

- a table of operations per second, each the inverse of the **median** of individually timed runs (at least
  1,000 each): eddsa-rdfc-2022 sign and full verification on the fast path and on the reference path (pyld +
  RDFC-1.0, forced with ``credstack.vc.fastld.reference_path()``) and their ratio, eddsa-jcs-2022 sign and
  verification, raw Ed25519 sign and verify of the 64-byte hash data with PyNaCl (used) and ``cryptography``;
  the same eddsa-rdfc-2022 sign and verification on the platform credential, on the fast path and on the route
  it took before issue 19 (the fast conversion without remembered subtrees, then the reference labelling
  ``vc.jsonld.canonicalize``: :func:`before_issue_19`) and their ratio, and its canonical N-Quads alone on both;
- the fast-path counters of each credential (signed and verified 200 times): documents on the fast path, to
  the reference path (and why), labelled with the N-degree step (and how many of those steps were taken from a
  remembered result), and how many calls went to the reference
  labelling ``vc.jsonld.canonicalize`` (counted by wrapping it);
- the rows are timed **interleaved**: 20 rounds, each timing a slice of every row in turn, so that the drift of a
  shared machine's speed over seconds falls on all rows alike instead of on the ratio between them (the range of
  the per-round fast/reference ratios is printed under the ratio); which implementation of the fast path ran
  (compiled with mypyc, or plain Python) is printed with the table;
- every iteration signs or verifies a **different** document (id, validFrom, awardedDate, recipient hash,
  status index vary; verified documents also have different ``created`` times, so their proof configurations
  are canonicalized every time): nothing keyed on a document can be reused;
- a *full verification* is :func:`credstack.vc.proofs.verify_proofs` (did:key resolution, both canonical forms,
  the signature) plus the Bitstring status check, answered by a warm
  :class:`credstack.vc.statuslist.StatusChecker` (the list was fetched and its own proof verified once);
- the CPU time until the work budget refuses a blank-node blow-up (two look-alike results of 30 look-alike
  alignments), on both paths: the tests check that the budget stops it, this prints how soon;
- RSS before and after a sign loop (``CREDSTACK_BENCH_SIGN_LOOP`` credentials, 1,000,000 by default) and how
  long it took, in wall time and in CPU time (on a busy machine other processes take part of the core);
- the differential check: ``CREDSTACK_BENCH_DIFFERENTIAL`` (10,000 by default) hypothesis-generated OB 3.0 and
  CLR 2.0 credentials, a quarter of them shaped like the platform's (``tests/vc/credential_strategies.py``), the
  fast path's outcome (N-Quads or error; the second and third conversion of each, when remembered subtrees are
  replayed) compared with the reference path's; it runs on the other cores while the sign loop runs on CPU 0, and on
  CPU 0 too once the loop is over.

``CREDSTACK_BENCH_RUNS`` sets the runs per timed row (default 1,000; fewer is refused).
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks import platform_credential
from benchmarks.reference import STATUS_LIST, load, variant
from credstack.vc import fastld, jsonld, proofs
from credstack.vc.did import DefaultResolver
from credstack.vc.errors import CanonicalizationBudgetExceeded, ProofError
from credstack.vc.fetch import StaticFetcher
from credstack.vc.keys import Ed25519Key
from credstack.vc.statuslist import Bitstring, StatusChecker, StatusState, build_status_list_credential

RUNS = max(1000, int(os.environ.get("CREDSTACK_BENCH_RUNS", "1000")))
SIGN_LOOP = int(os.environ.get("CREDSTACK_BENCH_SIGN_LOOP", "1000000"))
DIFFERENTIAL = int(os.environ.get("CREDSTACK_BENCH_DIFFERENTIAL", "10000"))
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TARGETS = {"sign": 4000, "verify": 3000, "ratio": 20, "jcs_sign": 10000, "platform_gain": 3}


def median_rate(operation: Callable[[Any], Any], items: Sequence[Any]) -> float:
    """Operations per second: 1 / the median time of one call, each call timed on its own."""
    timings = []
    clock = time.perf_counter_ns
    for item in items:
        start = clock()
        operation(item)
        timings.append(clock() - start)
    return 1e9 / statistics.median(timings)


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def mb(value: int) -> str:
    return f"{value / 1_048_576:.1f} MB"


class Setup:
    def __init__(self) -> None:
        self.key = Ed25519Key.generate(bytes(range(32)))
        self.resolver = DefaultResolver()
        self.base = load()
        self.size = len(json.dumps(self.base, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        self.platform = platform_credential.load()
        self.platform_size = len(json.dumps(self.platform, separators=(",", ":"), ensure_ascii=False).encode())
        status = self.platform["credentialStatus"]  # one object (strict OB 3.0, the default) or a list
        lists = {STATUS_LIST: "revocation"} | {
            entry["statusListCredential"]: entry["statusPurpose"]
            for entry in (status if isinstance(status, list) else [status])
        }
        fetcher = StaticFetcher(
            {
                url: json.dumps(
                    build_status_list_credential(
                        id=url,
                        issuer=self.key.controller,
                        purpose=purpose,
                        bitstring=Bitstring(),
                        valid_from=NOW - timedelta(days=30),
                        sign=lambda doc: proofs.add_proof(doc, self.key),
                    )
                ).encode("utf-8")
                for url, purpose in lists.items()
            }
        )
        self.checker = StatusChecker(fetcher, verify_list=self.verify_list, clock=lambda: NOW)

    def verify_list(self, credential: dict[str, Any]) -> None:
        for check in proofs.verify_proofs(credential, resolver=self.resolver):
            if not check.ok:
                raise ProofError(check.message)

    def documents(self, count: int, offset: int, platform: bool = False) -> list[dict[str, Any]]:
        if platform:
            return [platform_credential.variant(self.platform, offset + n) for n in range(count)]
        return [variant(self.base, offset + n) for n in range(count)]

    def signed(
        self, count: int, offset: int, suite: str = "eddsa-rdfc-2022", platform: bool = False
    ) -> list[dict[str, Any]]:
        created = datetime(2026, 3, 1, tzinfo=UTC)
        return [
            proofs.add_proof(doc, self.key, suite=suite, created=created + timedelta(seconds=offset + n))
            for n, doc in enumerate(self.documents(count, offset, platform))
        ]

    def sign(self, doc: dict[str, Any], suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
        return proofs.add_proof(doc, self.key, suite=suite)

    def full_verify(self, doc: dict[str, Any]) -> None:
        checks = proofs.verify_proofs(doc, resolver=self.resolver)
        if not all(check.ok for check in checks):
            raise AssertionError(f"verification failed: {[check.message for check in checks]}")
        entries = doc["credentialStatus"]
        for entry in entries if isinstance(entries, list) else [entries]:
            if self.checker.check(entry).state is not StatusState.UNSET:
                raise AssertionError("status check failed")


ROUNDS = 20


class Row:
    """One timed row: an operation over its own documents, on the fast path or with the reference path forced."""

    def __init__(
        self,
        key: str,
        operation: Callable[[Any], Any],
        items: Sequence[Any],
        reference: bool = False,
        route: Callable[[], contextlib.AbstractContextManager[None]] | None = None,
    ):
        self.key = key
        self.operation = operation
        self.items = items
        # what the row runs within: the reference path (forced), another route (before_issue_19), or nothing
        self.route = route or (fastld.reference_path if reference else contextlib.nullcontext)
        self.timings: list[int] = []
        self.round_medians: list[float] = []


def interleaved(rows: list[Row]) -> None:
    """Time every row in :data:`ROUNDS` rounds, each round a slice of every row in turn.

    A shared machine's speed drifts over seconds; timing the rows one after the other lets that drift into the
    ratio between them. Interleaved, each row's median is taken over the same stretch of time.
    """
    clock = time.perf_counter_ns
    for index in range(ROUNDS):
        for row in rows:
            chunk = row.items[index::ROUNDS]
            timings = []
            with row.route():
                operation = row.operation
                for item in chunk:
                    start = clock()
                    operation(item)
                    timings.append(clock() - start)
            row.timings.extend(timings)
            row.round_medians.append(statistics.median(timings))


def timing_table(setup: Setup) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Operations per second for every row, and the fast/reference ratio of each round (sign, verify)."""
    runs = RUNS
    setup.full_verify(setup.signed(1, 10**9)[0])  # warm: contexts compiled, status list fetched and verified
    with fastld.reference_path():
        setup.full_verify(setup.signed(1, 10**9 + 1)[0])
    setup.full_verify(setup.signed(1, 10**9 + 2, platform=True)[0])

    import nacl.bindings
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = bytes(range(32))
    messages = [os.urandom(64) for _ in range(runs)]
    public, secret = nacl.bindings.crypto_sign_seed_keypair(seed)
    nacl_signed = {m: nacl.bindings.crypto_sign(m, secret) for m in messages}
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public_key = private.public_key()
    signatures = {m: private.sign(m) for m in messages}

    print(f"  preparing {runs:,} different documents per row ...", flush=True)
    rows = [
        Row("fast_sign", setup.sign, setup.documents(runs, 0)),
        Row("ref_sign", setup.sign, setup.documents(runs, 300_000), reference=True),
        Row("fast_verify", setup.full_verify, setup.signed(runs, 100_000)),
        Row("ref_verify", setup.full_verify, setup.signed(runs, 400_000), reference=True),
        Row("fast_canon", fastld.to_nquads, setup.documents(runs, 200_000)),
        Row("ref_canon", jsonld.to_nquads, setup.documents(runs, 500_000)),
        Row("jcs_sign", lambda doc: setup.sign(doc, "eddsa-jcs-2022"), setup.documents(runs, 600_000)),
        Row("jcs_verify", setup.full_verify, setup.signed(runs, 700_000, "eddsa-jcs-2022")),
        Row("nacl_sign", lambda m: nacl.bindings.crypto_sign(m, secret), messages),
        Row("nacl_verify", lambda m: nacl.bindings.crypto_sign_open(nacl_signed[m], public), messages),
        Row("openssl_sign", private.sign, messages),
        Row("openssl_verify", lambda m: public_key.verify(signatures[m], m), messages),
        Row("platform_sign", setup.sign, setup.documents(runs, 800_000, platform=True)),
        Row("platform_verify", setup.full_verify, setup.signed(runs, 900_000, platform=True)),
        Row("platform_canon", fastld.to_nquads, setup.documents(runs, 1_000_000, platform=True)),
        Row("platform_canon_before", labelled_by_the_reference, setup.documents(runs, 1_100_000, platform=True),
            route=fastld.without_remembered_subtrees),
        Row("platform_sign_before", setup.sign, setup.documents(runs, 1_200_000, platform=True),
            route=before_issue_19),
        Row("platform_verify_before", setup.full_verify, setup.signed(runs, 1_300_000, platform=True),
            route=before_issue_19),
    ]  # fmt: skip
    print(f"  timing {len(rows)} rows x {runs:,} runs, interleaved in {ROUNDS} rounds ...", flush=True)
    interleaved(rows)
    by_key = {row.key: row for row in rows}
    figures = {row.key: 1e9 / statistics.median(row.timings) for row in rows}
    ratios = {
        kind: [
            reference / fast
            for fast, reference in zip(
                by_key[f"fast_{kind}"].round_medians, by_key[f"ref_{kind}"].round_medians, strict=True
            )
        ]
        for kind in ("sign", "verify")
    }
    return figures, ratios


def labelled_by_the_reference(doc: dict[str, Any], *, budget: int = jsonld.DEFAULT_BUDGET) -> str:
    """The fast conversion with the reference labelling: the fast path on look-alike blank nodes before issue 19
    (run within :func:`fastld.without_remembered_subtrees`: subtrees were not remembered before issue 19 either).
    Slightly quicker than it was: it no longer computed the first-degree hashes before handing the quads over."""
    return jsonld.canonicalize(fastld.document_quads(doc), budget=budget)


@contextlib.contextmanager
def before_issue_19() -> Iterator[None]:
    """Sign and verify as before issue 19 on credentials with look-alike blank nodes (the platform's): the suite's
    ``fastld.to_nquads`` is :func:`labelled_by_the_reference`, converting every node afresh."""
    original = fastld.to_nquads
    fastld.to_nquads = labelled_by_the_reference  # type: ignore[assignment]
    try:
        with fastld.without_remembered_subtrees():
            yield
    finally:
        fastld.to_nquads = original  # type: ignore[assignment]


def print_table(setup: Setup, figures: dict[str, float], ratios: dict[str, list[float]]) -> None:
    def row(label: str, sign: float, verify: float, note: str = "") -> None:
        print(f"  {label:<46}{sign:>12,.0f}{verify:>14,.0f}  {note}")

    print(f"\nreference credential: benchmarks/data/reference-credential.json, {setup.size:,} bytes (compact JSON)")
    print(
        f"one core, medians of {RUNS:,} runs each (interleaved in {ROUNDS} rounds), a different document every run; "
        f"fast path: {fastld.IMPLEMENTATION}\n"
    )
    print(f"  {'':<46}{'sign/s':>12}{'verify/s':>14}")
    row("eddsa-rdfc-2022, fast path (vc.fastld)", figures["fast_sign"], figures["fast_verify"])
    row("eddsa-rdfc-2022, reference path (pyld+RDFC)", figures["ref_sign"], figures["ref_verify"])
    ratio_sign = figures["fast_sign"] / figures["ref_sign"]
    ratio_verify = figures["fast_verify"] / figures["ref_verify"]
    print(f"  {'ratio fast / reference':<46}{ratio_sign:>11.1f}x{ratio_verify:>13.1f}x")
    spread = {kind: (min(values), max(values)) for kind, values in ratios.items()}
    print(
        f"  {'  the same ratio per round, lowest-highest':<46}"
        f"{spread['sign'][0]:>6.1f}-{spread['sign'][1]:.1f}x{spread['verify'][0]:>8.1f}-{spread['verify'][1]:.1f}x"
    )
    row("eddsa-jcs-2022", figures["jcs_sign"], figures["jcs_verify"])
    row("raw Ed25519, PyNaCl/libsodium (used)", figures["nacl_sign"], figures["nacl_verify"])
    row("raw Ed25519, cryptography/OpenSSL", figures["openssl_sign"], figures["openssl_verify"])
    print(f"  {'canonical N-Quads alone (per second)':<46}{'fast':>12}{'reference':>14}")
    row("  the unsigned reference credential", figures["fast_canon"], figures["ref_canon"])
    status = setup.platform["credentialStatus"]
    entries = f"{len(status)} status entries" if isinstance(status, list) else "one status entry"
    print(
        f"\nplatform credential: benchmarks/data/platform-credential.json, {setup.platform_size:,} bytes (compact "
        "JSON), as issued for a passed assessment of the demo program (4 rubric criteria sharing one allowedValue "
        f"list, results, alignments, 3 evidence items, {entries})\n"
    )
    print(f"  {'':<46}{'sign/s':>12}{'verify/s':>14}")
    row("eddsa-rdfc-2022, fast path (vc.fastld)", figures["platform_sign"], figures["platform_verify"])
    sign_ms, verify_ms = 1000 / figures["platform_sign"], 1000 / figures["platform_verify"]
    print(f"  {'  per operation':<46}{sign_ms:>10.3f}ms{verify_ms:>12.3f}ms")
    row("eddsa-rdfc-2022, before #19", figures["platform_sign_before"], figures["platform_verify_before"])
    sign_gain = figures["platform_sign"] / figures["platform_sign_before"]
    verify_gain = figures["platform_verify"] / figures["platform_verify_before"]
    print(f"  {'ratio fast / before #19':<46}{sign_gain:>11.2f}x{verify_gain:>13.2f}x")
    print(f"  {'canonical N-Quads alone (per second)':<46}{'fast':>12}{'before #19':>14}")
    row("  the unsigned platform credential", figures["platform_canon"], figures["platform_canon_before"])
    print(
        f"  {'':<46}{'':>12}{figures['platform_canon'] / figures['platform_canon_before']:>13.1f}x  (before #19: the "
        "fast conversion without remembered subtrees, then the reference labelling vc.jsonld.canonicalize)"
    )
    print("\n  verify = verify_proofs (did:key, canonical forms, signature) + status check from a warm StatusChecker")
    checks = [
        ("fast sign/s >= 4,000", figures["fast_sign"] >= TARGETS["sign"]),
        ("fast verify/s >= 3,000", figures["fast_verify"] >= TARGETS["verify"]),
        ("fast >= 20x reference (sign and verify)", min(ratio_sign, ratio_verify) >= TARGETS["ratio"]),
        ("eddsa-jcs-2022 sign/s >= 10,000", figures["jcs_sign"] >= TARGETS["jcs_sign"]),
        ("platform credential sign >= 3x before #19", sign_gain >= TARGETS["platform_gain"]),
    ]
    print("  targets: " + "; ".join(f"{label}: {'met' if ok else 'NOT met'}" for label, ok in checks), flush=True)
    print_scaled(figures)


#: what the issue measured on its machine: pyld + PyNaCl sign/s and verify/s, and the raw Ed25519 signature
ISSUE_MACHINE = {"ref_sign": 180.0, "ref_verify": 180.0, "nacl_sign": 50_000.0}


def print_scaled(figures: dict[str, float]) -> None:
    """The same run on the scale of the issue's machine (the targets are absolute, set there).

    A shared VM runs slower or faster from one minute to the next (its reference path has run at 60 to 260
    signatures/s here): the fast rows are put on the issue's scale by the reference path measured in this very
    run, and by the raw Ed25519 signature. The targets above stay as measured; this only says what they mean.
    """
    scales = [
        ("by the reference path", ISSUE_MACHINE["ref_sign"] / figures["ref_sign"],
         ISSUE_MACHINE["ref_verify"] / figures["ref_verify"]),
        ("by raw Ed25519", ISSUE_MACHINE["nacl_sign"] / figures["nacl_sign"],
         ISSUE_MACHINE["nacl_sign"] / figures["nacl_sign"]),
    ]  # fmt: skip
    print(
        f"  this machine now: reference path {figures['ref_sign']:,.0f} sign/s and raw Ed25519 "
        f"{figures['nacl_sign']:,.0f} sign/s, where the issue measured about 180 and 50,000; on the issue's scale:"
    )
    for label, sign_scale, verify_scale in scales:
        heading = f"{label} (x{sign_scale:.2f})"
        print(
            f"    {heading:<34} fast sign {figures['fast_sign'] * sign_scale:,.0f}/s, "
            f"verify {figures['fast_verify'] * verify_scale:,.0f}/s, "
            f"eddsa-jcs-2022 sign {figures['jcs_sign'] * sign_scale:,.0f}/s",
            flush=True,
        )


def blow_up_document(base: dict[str, Any], children: int = 30) -> dict[str, Any]:
    """The reference credential with two look-alike results of ``children`` look-alike alignments each: the
    N-degree step of RDFC-1.0 would try ``children!`` orders; the work budget stops it."""
    alignment = {"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://framework.example/same"}
    doc = json.loads(json.dumps(base))
    doc["credentialSubject"]["result"] = [
        {
            "type": ["Result"],
            "resultDescription": "https://credstack.example/rd",
            "alignment": [dict(alignment) for _ in range(children)],
        }
        for _ in range(2)
    ]
    return doc


def print_blow_up(setup: Setup) -> None:
    """CPU time until the work budget stops a blank-node blow-up, on both paths (the tests only check it stops)."""
    doc = blow_up_document(setup.base)
    times = []
    for forced in (contextlib.nullcontext(), fastld.reference_path()):
        start = time.process_time()
        try:
            with forced:
                proofs.add_proof(doc, setup.key)
        except CanonicalizationBudgetExceeded:
            times.append(time.process_time() - start)
        else:
            raise AssertionError("the blow-up document was signed: the work budget did not apply")
    print(
        "  blank-node blow-up (2 look-alike results x 30 look-alike alignments): refused by the work budget after "
        f"{times[0] * 1000:,.0f} ms (fast path), {times[1] * 1000:,.0f} ms (reference path) of CPU",
        flush=True,
    )


# --- differential check (other cores) --------------------------------------------------------------------------


def _outcome(function: Callable[[Any], str], doc: Any) -> tuple[str, str]:
    try:
        return ("ok", function(doc))
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def _compare_round(
    seed: int, count: int, counter: Any, target: int, tally: Counter[str], disagreements: list[str], started: float
) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from tests.vc.credential_strategies import credential_documents

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(credential_documents)
    def compare(doc: dict[str, Any]) -> None:
        with counter.get_lock():
            if counter.value >= target:
                return
            counter.value += 1
            done = counter.value
        took_fast = fastld.try_to_nquads(doc) is not None
        fast = _outcome(fastld.to_nquads, doc)
        again = _outcome(fastld.to_nquads, doc)  # the third time, remembered subtrees are replayed
        reference = _outcome(jsonld.to_nquads, doc)
        tally["compared"] += 1
        tally["agree" if fast == reference and again == reference else "disagree"] += 1
        path = "fast path" if took_fast else "reference path"
        tally[path + (", valid" if reference[0] == "ok" else ", error")] += 1
        if (fast != reference or again != reference) and len(disagreements) < 3:
            disagreements.append(json.dumps(doc, ensure_ascii=False)[:2000])
        if done % 1000 == 0:
            print(f"    differential: {done:,} compared ({time.monotonic() - started:.0f} s)", flush=True)

    compare()


def differential_worker(seed: int, counter: Any, target: int, cpu: int | None, results: Any) -> None:
    """Compare hypothesis-generated credentials on both paths, in rounds, until ``counter`` reaches ``target``."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    tally: Counter[str] = Counter()
    disagreements: list[str] = []
    started = time.monotonic()
    round_ = 0
    error = None
    try:
        while counter.value < target:
            _compare_round(seed * 1000 + round_, 250, counter, target, tally, disagreements, started)
            round_ += 1
    except Exception as exc:  # a generator fault: reported by finish(), and the other workers go on
        error = f"{type(exc).__name__}: {exc}"
    results.put({"tally": dict(tally), "disagreements": disagreements, "error": error})


class Differential:
    """The differential check in worker processes: one per other core from the start, one more on CPU 0 once
    the timed work there is over (``add_worker``), all drawing from one shared count."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.context = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
        self.counter = self.context.Value("i", 0)
        self.results = self.context.Queue()
        self.processes: list[Any] = []

    def add_worker(self, cpu: int | None) -> None:
        process = self.context.Process(
            target=differential_worker,
            args=(7 + len(self.processes), self.counter, self.total, cpu, self.results),
        )
        process.start()
        self.processes.append(process)

    def finish(self) -> None:
        tally: Counter[str] = Counter()
        disagreements: list[str] = []
        errors: list[str] = []
        for _ in self.processes:
            result = self.results.get()
            tally.update(result["tally"])
            disagreements += result["disagreements"]
            if result["error"]:
                errors.append(result["error"])
        for process in self.processes:
            process.join()
        print(
            f"\ndifferential check: {tally['compared']:,} hypothesis-generated OB 3.0 / CLR 2.0 credentials, "
            f"{tally['agree']:,} byte-identical outcomes (N-Quads or error), {tally['disagree']:,} disagreements"
        )
        for label in ("fast path, valid", "fast path, error", "reference path, valid", "reference path, error"):
            print(f"  {label:<24}{tally[label]:>8,}")
        for doc in disagreements:
            print(f"  DISAGREEMENT: {doc}")
        for error in errors:
            print(f"  A DIFFERENTIAL WORKER STOPPED (the others went on): {error}")


# --- memory -----------------------------------------------------------------------------------------------------


def sign_loop(setup: Setup, count: int) -> None:
    base = setup.base
    key = setup.key
    gc.collect()
    before = rss_bytes()
    started = time.monotonic()
    cpu_started = time.process_time()
    step = max(1, count // 10)
    print(f"\nsign loop: {count:,} different credentials (RSS before: {mb(before)})", flush=True)
    for n in range(count):
        proofs.add_proof({**base, "id": f"https://credstack.example/credentials/loop/{n}"}, key)
        if (n + 1) % step == 0:
            elapsed = time.monotonic() - started
            cpu = time.process_time() - cpu_started
            print(
                f"  {n + 1:>9,} signed, RSS {mb(rss_bytes())}, {elapsed:.0f} s wall ({(n + 1) / elapsed:,.0f}/s), "
                f"{cpu:.0f} s CPU ({(n + 1) / max(cpu, 1e-9):,.0f}/s)",
                flush=True,
            )
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    gc.collect()
    after = rss_bytes()
    print(
        f"sign loop done: {count:,} credentials in {elapsed:.0f} s wall ({count / max(elapsed, 1e-9):,.0f}/s), "
        f"{cpu:.0f} s of CPU ({count / max(cpu, 1e-9):,.0f}/s per CPU second; wall below CPU rate = other "
        f"processes had the core); RSS before {mb(before)}, after {mb(after)} "
        f"({(after - before) / 1_048_576:+.1f} MB)",
        flush=True,
    )


def print_path_counters(setup: Setup, count: int = 200) -> None:
    """Per credential: where ``count`` signatures and verifications went (fast path, reference path, N-degree
    step), and how many calls reached the reference labelling ``vc.jsonld.canonicalize`` (wrapped to count)."""
    print(f"\nfast-path counters, {count} signatures + {count} verifications of different documents each:")
    original = jsonld.canonicalize
    for label, platform in (("reference credential", False), ("platform credential", True)):
        calls = 0

        def counting(
            quads: list[tuple[str, str, str, str]], *, budget: int = jsonld.DEFAULT_BUDGET, hash_name: str = "sha256"
        ) -> str:
            nonlocal calls
            calls += 1
            return original(quads, budget=budget, hash_name=hash_name)

        documents = setup.documents(count, 2_000_000, platform)
        before = fastld.stats()
        jsonld.canonicalize = counting  # type: ignore[assignment]
        try:
            for doc in documents:
                setup.full_verify(setup.sign(doc))
        finally:
            jsonld.canonicalize = original  # type: ignore[assignment]
        after = fastld.stats()
        reasons = Counter(after["fallback_reasons"])
        reasons.subtract(before["fallback_reasons"])
        why = f" {dict(+reasons)}" if +reasons else ""
        print(
            f"  {label:<22} {after['fast'] - before['fast']:>5,} documents on the fast path, "
            f"{after['fallback'] - before['fallback']:,} to the reference path{why}, "
            f"{after['n_degree'] - before['n_degree']:,} labelled with the N-degree step, "
            f"{after.get('subtree_replays', 0) - before.get('subtree_replays', 0):,} remembered subtrees replayed, "
            f"{after.get('n_degree_replays', 0) - before.get('n_degree_replays', 0):,} N-degree steps from a "
            "remembered result; "
            f"{calls:,} to the full reference labelling (vc.jsonld.canonicalize)",
            flush=True,
        )


def run() -> None:
    print(f"setting up (runs per row {RUNS:,}, sign loop {SIGN_LOOP:,}, differential {DIFFERENTIAL:,}) ...", flush=True)
    setup = Setup()
    fastld.reset_stats()
    figures, ratios = timing_table(setup)
    print_table(setup, figures, ratios)
    print_path_counters(setup)
    print_blow_up(setup)

    differential = None
    if DIFFERENTIAL > 0:
        differential = Differential(DIFFERENTIAL)
        others = [cpu for cpu in range(os.cpu_count() or 1) if cpu != 0]
        for cpu in others:
            differential.add_worker(cpu)
        where = f"CPU {', '.join(map(str, others))}" if others else "CPU 0 after the sign loop"
        print(f"\ndifferential check started ({where}; CPU 0 joins after the sign loop)", flush=True)
    if SIGN_LOOP > 0:
        sign_loop(setup, SIGN_LOOP)
    if differential is not None:
        differential.add_worker(0 if hasattr(os, "sched_setaffinity") else None)
        differential.finish()
    stats = fastld.stats()
    print(
        f"\nfast path counters (this process): {stats['fast']:,} documents on the fast path, "
        f"{stats['fallback']:,} to the reference path {stats['fallback_reasons']}, "
        f"{stats['n_degree']:,} labelled with the N-degree step ({stats['n_degree_replays']:,} of them from a "
        "remembered result)",
        flush=True,
    )
