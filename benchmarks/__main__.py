"""``python -m benchmarks``: run every benchmark module in order (add yours to ``MODULES``).

The process is pinned to one core (CPU 0) where the platform allows it, so that figures are per core; a module
may use the other cores for work that is not timed (``benchmarks.vc_proofs`` runs its differential check there).
"""

from __future__ import annotations

import importlib
import os
import sys
import time

MODULES: list[str] = [
    "benchmarks.vc_proofs",
    "benchmarks.awards",
    "benchmarks.input_guard",
    "benchmarks.verify_api",
    "benchmarks.pages",
]


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    try:
        os.sched_setaffinity(0, {0})
    except OSError as exc:
        return f"not pinned ({exc})"
    return "pinned to CPU 0"


def main(argv: list[str]) -> int:
    wanted = argv or MODULES
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    print(
        f"credstack benchmarks — Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), {pin_to_one_core()}{load}",
        flush=True,
    )
    start = time.monotonic()
    for name in wanted:
        module = importlib.import_module(name)
        print(f"\n=== {name} ===", flush=True)
        module.run()
    print(f"\nall benchmarks done in {time.monotonic() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
