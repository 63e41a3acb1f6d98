"""Request size and rate limits for the public verifier (page and API).

Verification is public and costs real work (canonicalization, signature checks, fetches), so one client
may only ask ``CREDSTACK_VERIFIER_RATE_LIMIT`` times per window (``"30/minute"``; ``off`` disables it).
The counter lives in Django's cache (a fixed window per client address), which is shared between
processes when the cache is. The client is ``REMOTE_ADDR``: behind a reverse proxy, have the WSGI
server set it from the proxy's header (waitress: ``trusted_proxy``), never trust a header here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

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


def allow(request: HttpRequest, scope: str = "verify") -> tuple[bool, int]:
    """Count this request; (allowed, seconds to wait when not)."""
    rate = parse_rate(settings.CREDSTACK_VERIFIER_RATE_LIMIT)
    address = client_address(request)
    if rate is None or address in settings.CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT:
        return True, 0
    key = f"verifier:rate:{scope}:{address}"
    cache.add(key, 0, timeout=rate.seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rate.seconds)
        count = 1
    return count <= rate.count, rate.seconds


def max_request_bytes() -> int:
    return int(settings.CREDSTACK_VERIFIER_MAX_BYTES) + REQUEST_OVERHEAD_BYTES


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
