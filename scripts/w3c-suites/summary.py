"""Print a suite's score from mocha's JSON report: passed / failed / pending, then each failure and pending test.

A failing hook (``"before all" hook ...``) counts as a failure and is named as such: the tests under it did
not run (mocha leaves them out of every count).

Usage: python summary.py RESULTS.json [--verbose]   (--verbose: the whole error message, not its first line)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    path = Path(sys.argv[1])
    verbose = "--verbose" in sys.argv[2:]
    if not path.exists() or not path.read_text().strip():
        print(f"  no report ({path.name}): the suite did not run; see {path.with_suffix('.log')}")
        return
    report = json.loads(path.read_text())
    stats = report["stats"]
    hooks = [f for f in report["failures"] if '" hook' in f.get("title", "")]
    print(
        f"  passed {stats['passes']}  failed {stats['failures'] - len(hooks)}  hooks failed {len(hooks)}"
        f"  pending {stats['pending']}  ({stats['duration'] / 1000:.0f} s)"
    )
    for failure in report["failures"]:
        message = (failure.get("err") or {}).get("message", "").strip()
        if not verbose:
            message = message.splitlines()[0] if message else ""
        print(f"  FAIL {failure['fullTitle']}\n       {message}")
    for pending in report["pending"]:
        print(f"  PENDING {pending['fullTitle']}")


if __name__ == "__main__":
    main()
