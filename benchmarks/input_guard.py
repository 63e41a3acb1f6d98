"""What the NUL / lone-surrogate guard (``credstack.core.middleware``) costs a large verify request.

A 20,000-alignment credential (about 2 MB, the verifier's size limit) is sent as the body of
``POST /credentials/verify``, written as UTF-8 and as ASCII with ``\\uXXXX`` escapes (what many JSON libraries
emit); the guard's check of the request is timed against one ``json.loads`` of the same body, which the verify
route does anyway. A body holding a surrogate pair is parsed once more by the guard (its exact check).
"""

from __future__ import annotations

import json
import os
import statistics
import time

ROUNDS = int(os.environ.get("CREDSTACK_BENCH_ROUNDS", "20"))


def _body(ensure_ascii: bool, extra: str = "") -> bytes:
    alignments = [
        {
            "type": ["Alignment"],
            "targetName": f"Compétence {i}{extra if i == 7 else ''}",
            "targetUrl": f"https://e.org/{i}",
        }
        for i in range(20_000)
    ]
    credential = {"credentialSubject": {"achievement": {"alignment": alignments}}}
    return json.dumps({"verifiableCredential": credential}, ensure_ascii=ensure_ascii).encode()


def _median_ms(action: object) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
    import django

    django.setup()
    from django.test import RequestFactory

    from credstack.core.middleware import find_problem

    factory = RequestFactory()
    cases = [("UTF-8", _body(False)), ("ASCII escapes", _body(True)), ("with a surrogate pair", _body(True, "😀"))]
    for label, body in cases:
        request = factory.post("/credentials/verify", body, content_type="application/json")
        request.body  # noqa: B018 -- read once, as the verify route does before the guard's time is taken
        guard = _median_ms(lambda request=request: find_problem(request, csrf_exempt=True))
        parse = _median_ms(lambda body=body: json.loads(body))
        print(
            f"{label:>22}: {len(body) / 1e6:.1f} MB, guard {guard:6.2f} ms, json.loads {parse:6.1f} ms "
            f"({guard / parse:5.1%} of a parse)",
            flush=True,
        )
