"""Show what a suite sent and what credstack answered, from tls_proxy.py's log (WORK/exchanges.jsonl).

Usage: python exchanges.py EXCHANGES.jsonl [--suite NAME] [--path /credentials/issue] [--grep TEXT]
                                           [--failed] [--chars N]
--failed keeps answers with a status of 400 or more; --grep keeps exchanges whose request or answer contains
TEXT; --chars cuts each body (default 600; 0 for whole bodies as logged).
"""

from __future__ import annotations

import argparse
import json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--suite")
    parser.add_argument("--path")
    parser.add_argument("--grep")
    parser.add_argument("--failed", action="store_true")
    parser.add_argument("--chars", type=int, default=600)
    args = parser.parse_args()
    suite = None
    with open(args.log, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            if "suite" in entry:
                suite = entry["suite"]
                continue
            if args.suite and suite != args.suite:
                continue
            if args.path and not entry["path"].startswith(args.path):
                continue
            if args.failed and entry["status"] < 400:
                continue
            if args.grep and args.grep not in entry["request"] and args.grep not in entry["response"]:
                continue
            cut = (lambda text: text[: args.chars]) if args.chars else (lambda text: text)
            print(f"[{suite}] {entry['at']} {entry['method']} {entry['path']} -> {entry['status']} ({entry['ms']} ms)")
            if entry["request"]:
                print(f"  sent:     {cut(entry['request'])}")
            print(f"  answered: {cut(entry['response'])}\n")


if __name__ == "__main__":
    main()
