"""The verify API under load, beside the credential core's verify rate measured in the same run.

A throwaway platform (its own ``CREDSTACK_HOME``, SQLite, the demo program) is served by
``credstack serve --workers 2`` (gunicorn) on a free loopback port, with the rate limit off for 127.0.0.1.
A small load generator (asyncio, keep-alive connections, this process) posts one of the demo's credentials to
``POST /credentials/verify`` at a concurrency of 8 and then 32, each for ``CREDSTACK_BENCH_LOAD_SECONDS``
(10 by default) after a short warm-up, and prints requests per second, p50 and p99 latency. The core verify
rate is :func:`credstack.vc.verify.verify` of the same credential in this process (its DID document and status
list served from memory): the API's rate divided by it is the figure that holds on a noisy machine. The server
workers' RSS is printed before and after the load. Loopback only, bounded in time; the server is stopped at the
end whatever happens.

The server may use every core; the load generator runs in this process, so on a small machine it takes a share
of the cores the server would otherwise have.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

SECONDS = float(os.environ.get("CREDSTACK_BENCH_LOAD_SECONDS", "10"))
WARMUP_SECONDS = 2.0
CONCURRENCY = (8, 32)
WORKERS = 2
GOAL = {"rate": 1000.0, "p99_ms": 100.0}

_EXPORT = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
import django
django.setup()
from credstack.awards.models import Credential
found = Credential.objects.filter(revoked_at__isnull=True, suspended_at__isnull=True).order_by("pk").first()
json.dump(found.document, sys.stdout)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def all_cpus() -> None:
    """Undo the benchmark's pinning to one core in the server (run in the child before exec)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))


def server_env(home: str, port: int) -> dict[str, str]:
    env = {**os.environ, "CREDSTACK_HOME": home, "CREDSTACK_BASE_URL": f"http://127.0.0.1:{port}"}
    env["CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT"] = "127.0.0.1"
    env["CREDSTACK_EMAIL_BACKEND"] = "locmem"
    for name in ("DATABASE_URL", "REDIS_URL", "CREDSTACK_ENV"):
        env.pop(name, None)
    return env


def cli(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "credstack.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603 (this Python)
    if done.returncode != 0:
        raise RuntimeError(f"credstack {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def children_rss(pid: int) -> list[int]:
    """RSS in bytes of each child process of ``pid`` (the gunicorn workers), from /proc."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) * 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes)


def children_cpu(pid: int) -> float:
    """CPU seconds (user + system) the child processes of ``pid`` (the gunicorn workers) have used, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return total


def mb(sizes: list[int]) -> str:
    return ", ".join(f"{size / 2**20:.0f} MB" for size in sizes) or "(not readable)"


async def _client(port: int, request: bytes, stop_at: float, latencies: list[float], failures: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                failures.append(status)
            if b"connection: close" in head.lower():
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()
        with suppress(Exception):
            await writer.wait_closed()


def load(port: int, body: bytes, concurrency: int, seconds: float) -> dict[str, Any]:
    """``concurrency`` keep-alive connections posting ``body`` for ``seconds``: rate, p50, p99, failures."""
    request = (
        f"POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    latencies: list[float] = []
    failures: list[int] = []

    async def run() -> float:
        start = time.perf_counter()
        stop_at = start + seconds
        await asyncio.gather(*(_client(port, request, stop_at, latencies, failures) for _ in range(concurrency)))
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    ordered = sorted(latencies)

    def quantile(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")

    return {
        "rate": len(latencies) / elapsed,
        "p50": quantile(0.50),
        "p99": quantile(0.99),
        "requests": len(latencies),
        "failures": len(failures),
        "statuses": sorted(set(failures)),
    }


def core_verify_rate(credential: dict[str, Any], documents: dict[str, bytes], seconds: float = 3.0) -> float:
    """Verifications per second of the credential by :func:`credstack.vc.verify.verify`, this process, one core."""
    from credstack.vc.fetch import FetchResult
    from credstack.vc.verify import VerifyOptions, verify

    class Memory:
        def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
            return FetchResult(url, documents[url.split("#", 1)[0]], "application/json")

    def once() -> None:
        report = verify(credential, options=VerifyOptions(fetcher=Memory()))
        if report.verdict != "valid":
            raise RuntimeError(f"the core does not find the credential valid: {report.reasons}")

    for _ in range(20):
        once()
    rates = []
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            once()
            count += 1
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def wait_until_up(port: int, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {server.stdout.read() if server.stdout else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within a minute")


def get(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310 (loopback http only)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body: bytes = response.read()
        return body


def documents_of(credential: dict[str, Any]) -> dict[str, bytes]:
    """The DID document and status list the credential names, as the server serves them (for the core rate)."""
    from credstack.vc.did import did_web_to_url

    method = credential["proof"]["verificationMethod"]
    did_url = did_web_to_url(method.split("#", 1)[0]).replace("https://", "http://", 1)
    status_url = credential["credentialStatus"]["statusListCredential"]
    return {
        did_web_to_url(method.split("#", 1)[0]): get(did_url, "application/did+json"),
        status_url: get(status_url, "application/vc+ld+json"),
    }


def run() -> None:
    home = tempfile.mkdtemp(prefix="credstack-bench-api-")
    port = free_port()
    env = server_env(home, port)
    start = time.monotonic()
    cli(env, "migrate", "--no-input", "-v", "0")
    cli(env, "demo")
    command = [sys.executable, "-c", _EXPORT]
    exported = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603 (this Python)
    if exported.returncode != 0:
        raise RuntimeError(f"reading a demo credential failed: {exported.stderr[-2000:]}")
    credential = json.loads(exported.stdout)
    body = json.dumps({"verifiableCredential": credential, "options": {}}).encode()
    print(
        f"  throwaway platform (SQLite, demo program) ready in {time.monotonic() - start:.0f} s; "
        f"credential {len(json.dumps(credential)):,} bytes"
    )
    server = subprocess.Popen(  # noqa: S603 (this Python)
        [sys.executable, "-m", "credstack.cli", "serve", "--workers", str(WORKERS), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=all_cpus,  # before any thread of this process exists, so the fork is safe
    )
    try:
        wait_until_up(port, server)
        documents = documents_of(credential)
        core_before = core_verify_rate(credential, documents)
        print(f"  server: credstack serve --workers {WORKERS} (gunicorn) on 127.0.0.1:{port}, all cores")
        results = measure(port, body, server.pid)
        core_after = core_verify_rate(credential, documents)
        core = (core_before + core_after) / 2
        print(
            f"  core verify (credstack.vc.verify.verify, same credential, this process, one core): "
            f"{core_before:,.0f}/s before the load, {core_after:,.0f}/s after; mean {core:,.0f}/s"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(home, ignore_errors=True)
    print_results(core, results)


def measure(port: int, body: bytes, pid: int) -> list[tuple[int, dict[str, Any]]]:
    before = children_rss(pid)
    print(f"  worker RSS before the load: {mb(before)}")
    # The load generator may use every core too (the benchmark pins this process to one by default).
    pinned = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    restore: Callable[[], None] = lambda: None  # noqa: E731
    if pinned is not None:
        all_cpus()
        restore = lambda: os.sched_setaffinity(0, pinned)  # noqa: E731
    try:
        load(port, body, 8, WARMUP_SECONDS)
        results = []
        for concurrency in CONCURRENCY:
            cpu, server_cpu = time.process_time(), children_cpu(pid)
            result = load(port, body, concurrency, SECONDS)
            result["client_cpu"] = (time.process_time() - cpu) / SECONDS
            result["server_ms"] = 1000 * (children_cpu(pid) - server_cpu) / max(1, result["requests"])
            results.append((concurrency, result))
    finally:
        restore()
    print(f"  worker RSS after {len(CONCURRENCY) * SECONDS + WARMUP_SECONDS:.0f} s of load: {mb(children_rss(pid))}")
    return results


def print_results(core: float, results: list[tuple[int, dict[str, Any]]]) -> None:
    print(f"\n  POST /credentials/verify, {SECONDS:.0f} s per row")
    print(
        f"  {'concurrency':<13}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'non-200':>9}{'req/s ÷ core verify/s':>23}"
        f"{'load generator CPU':>20}"
    )
    for concurrency, r in results:
        print(
            f"  {concurrency:<13}{r['rate']:>8,.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
            f"{r['failures']:>9}{r['rate'] / core:>23.3f}{r['client_cpu']:>15.0%} of a core"
        )
        if r["failures"]:
            print(f"    statuses other than 200: {r['statuses']}")
    top = dict(results)[max(CONCURRENCY)]
    met = top["rate"] >= GOAL["rate"] and top["p99"] <= GOAL["p99_ms"]
    print(
        f"  goal at c={max(CONCURRENCY)}: >= {GOAL['rate']:,.0f} req/s with p99 <= {GOAL['p99_ms']:.0f} ms: "
        f"{'met' if met else 'not met'} ({top['rate']:,.0f} req/s, p99 {top['p99']:.0f} ms)"
    )
    cores = os.cpu_count() or 1
    server_ms, client = top["server_ms"], top["client_cpu"]
    ceiling = (cores - client) * 1000 / server_ms if server_ms else float("nan")
    print(
        f"  why: the workers spent {server_ms:.2f} ms of CPU per request (the core alone: {1000 / core:.2f} ms per "
        f"verification, wall clock, above); {cores} cores less the load generator's {client:.0%} of one allow at "
        f"most {ceiling:,.0f} req/s."
    )
    if not met:
        print(
            "  what would close it: CPU per request below "
            f"{(cores - client) * 1000 / GOAL['rate']:.2f} ms (the Django/Ninja/fetcher share above the core's), "
            "or the load generator on another machine, or more cores"
        )


if __name__ == "__main__":
    run()
