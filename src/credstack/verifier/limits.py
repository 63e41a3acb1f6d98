"""Request size and rate limits for the public verifier (page and API).

Verification is public and costs real work (canonicalization, signature checks, fetches), so one client
may only ask ``CREDSTACK_VERIFIER_RATE_LIMIT`` times per window (``"30/minute"``; ``off`` disables it).
The counter lives in Django's cache (a fixed window per client address), which is shared between
processes when the cache is. The client is ``REMOTE_ADDR``: behind a reverse proxy, have the WSGI
server set it from the proxy's header (waitress: ``trusted_proxy``), never trust a header here.

The limit counts work, not requests: a request is charged one unit per started
``CREDSTACK_VERIFIER_RATE_UNIT_BYTES`` (64 KB) of its body, so a 1.6 MB credential costs 26 of the 30 units a
minute allows while a usual credential (a few KB) costs one. What one verification may cost is bounded as
well, before any work is done: the body's size (``CREDSTACK_VERIFIER_MAX_BYTES``) and the credential's shape
(``CREDSTACK_VERIFIER_MAX_VALUES`` JSON values, lists of ``CREDSTACK_VERIFIER_MAX_LIST_ITEMS`` items; see
``credstack.vc.shape``), because JSON-schema validation and canonicalization grow with the number of values,
not the bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from credstack.vc import shape

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
#: Room for the envelope around a credential (multipart boundaries, the JSON wrapper, options).
REQUEST_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate | None:
    """``"30/minute"`` -> Rate(30, 60); ``off``/``0``/empty -> None (no limit). Raises ValueError otherwise."""
    if text.strip().lower() in ("", "0", "off", "none"):
        return None
    match = _RATE.match(text.lower())
    if not match:
        raise ValueError(f"CREDSTACK_VERIFIER_RATE_LIMIT must look like '30/minute', not {text!r}.")
    return Rate(int(match.group(1)), _SECONDS[match.group(2)])


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def cost_of(size: int) -> int:
    """Units a body of ``size`` bytes is charged: one per started ``CREDSTACK_VERIFIER_RATE_UNIT_BYTES``."""
    unit = max(1, int(settings.CREDSTACK_VERIFIER_RATE_UNIT_BYTES))
    return max(1, -(-size // unit))


def allow(request: HttpRequest, scope: str = "verify", *, cost: int | None = None) -> tuple[bool, int]:
    """Charge this request (``cost`` units; by default by its declared body size); (allowed, seconds to wait
    when not)."""
    return charge(request, scope, cost_of(declared_length(request)) if cost is None else cost)


def charge(request: HttpRequest, scope: str, units: int) -> tuple[bool, int]:
    """Add ``units`` to the client's count in this window (also for work found after the request was let in,
    such as a fetched credential's size); (still within the limit, seconds to wait when not)."""
    rate = parse_rate(settings.CREDSTACK_VERIFIER_RATE_LIMIT)
    address = client_address(request)
    if rate is None or address in settings.CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT or units <= 0:
        return True, 0
    key = f"verifier:rate:{scope}:{address}"
    cache.add(key, 0, timeout=rate.seconds)
    try:
        count = cache.incr(key, units)
    except ValueError:  # expired between add and incr
        cache.set(key, units, timeout=rate.seconds)
        count = units
    return count <= rate.count, rate.seconds


def too_big(value: Any) -> str | None:
    """Why a parsed credential or request body is too big to verify (naming the limit), or None."""
    return shape.refusal(
        value,
        max_array_items=settings.CREDSTACK_VERIFIER_MAX_LIST_ITEMS,
        max_values=settings.CREDSTACK_VERIFIER_MAX_VALUES,
    )


def max_request_bytes() -> int:
    return int(settings.CREDSTACK_VERIFIER_MAX_BYTES) + REQUEST_OVERHEAD_BYTES


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
