"""Integrity of related resources (VC Data Model 2.0 §5.3): ``relatedResource`` and its digests.

A credential may pin the exact content of resources it depends on (its contexts, an image, a schema) with
``relatedResource`` entries: an ``id`` and a ``digestSRI`` (Subresource Integrity hash expressions) and/or a
``digestMultibase`` (a multibase-encoded multihash). The specification says a verifier that checks a resource and
finds another digest MUST raise an error. How we read each resource:

- a context this package bundles (byte-exact copies, :mod:`credstack.vc.jsonld`) is digested offline, from the
  bundled bytes: these are the bytes that were used to process the credential;
- anything else only through the injected fetcher, so the caller's rules on what may be fetched apply (the
  platform's allowlist; nothing by default). A resource that could not be read is said plainly and leaves the
  verdict alone: its integrity was not checked, which is not a failure of the credential.

Written here rather than taken from a library: SRI in Python libraries is tied to HTML templating, and the rules
are a few lines (parse the hash expressions, keep the strongest algorithm, compare in constant time).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credstack.vc import jsonld
from credstack.vc.builders import decode_digest, digest_matches
from credstack.vc.errors import ContextError, FetchError
from credstack.vc.fetch import Fetcher

# SRI's algorithms, weakest to strongest (the SRI spec: only the strongest listed algorithm is compared)
SRI_ALGORITHMS = ("sha256", "sha384", "sha512")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+\Z")
MAX_RELATED_RESOURCES = 64
"""More entries than this are refused: each may cost a fetch and a digest."""


@dataclass(frozen=True)
class Outcome:
    """What the ``relatedResource`` check found."""

    status: str
    """``passed``, ``failed``, ``warning`` (some could not be read) or ``skipped`` (none listed)."""
    message: str


def _entries(credential: Mapping[str, Any]) -> list[Any]:
    value = credential.get("relatedResource")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_sri(value: str) -> list[tuple[str, bytes]]:
    """The (algorithm, digest) pairs of the strongest algorithm in an SRI ``integrity`` value; ``ValueError``
    when it holds no hash expression we can read."""
    found: list[tuple[str, bytes]] = []
    for token in value.split():
        algorithm, _, rest = token.partition("-")
        if algorithm not in SRI_ALGORITHMS or not rest:
            continue  # SRI: unknown algorithms are ignored
        encoded = rest.split("?", 1)[0]
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{token!r} is not base64") from exc
        if len(digest) != hashlib.new(algorithm).digest_size:
            raise ValueError(f"{token!r} has the wrong length for {algorithm}")
        found.append((algorithm, digest))
    if not found:
        raise ValueError(f"{value!r} holds no sha256, sha384 or sha512 hash expression")
    strongest = max(SRI_ALGORITHMS.index(a) for a, _ in found)
    return [(a, d) for a, d in found if SRI_ALGORITHMS.index(a) == strongest]


def sri_matches(value: str, data: bytes) -> bool:
    """Whether ``data`` matches an SRI ``integrity`` value (any digest of its strongest algorithm)."""
    pairs = parse_sri(value)
    return any(hmac.compare_digest(hashlib.new(a, data).digest(), d) for a, d in pairs)


def problems(credential: Mapping[str, Any]) -> dict[str, str]:
    """What breaks §5.3's shape: each entry an object with an ``id``, at least one digest, well formed, and no
    two entries with the same ``id``. Keys are member paths (``relatedResource[2].digestSRI``)."""
    found: dict[str, str] = {}
    raw = credential.get("relatedResource")
    if raw is None:
        return found
    entries = _entries(credential)
    if len(entries) > MAX_RELATED_RESOURCES:
        return {"relatedResource": f"At most {MAX_RELATED_RESOURCES} related resources are checked."}
    seen: set[str] = set()
    for number, entry in enumerate(entries):
        where = f"relatedResource[{number}]"
        if not isinstance(entry, Mapping):
            found[where] = "Each related resource must be an object with an id and a digest."
            continue
        resource_id = entry.get("id")
        if not isinstance(resource_id, str) or not _URL.match(resource_id):
            found[f"{where}.id"] = "A related resource needs the URL of the resource as its id."
        elif resource_id in seen:
            found[f"{where}.id"] = f"{resource_id} is listed twice; each related resource appears once."
        else:
            seen.add(resource_id)
        sri, multibase = entry.get("digestSRI"), entry.get("digestMultibase")
        if sri is None and multibase is None:
            found[where] = "A related resource needs a digestSRI or a digestMultibase."
        if sri is not None:
            try:
                if not isinstance(sri, str):
                    raise ValueError("digestSRI must be a string")
                parse_sri(sri)
            except ValueError as exc:
                found[f"{where}.digestSRI"] = f"Not a Subresource Integrity value: {exc}."
        if multibase is not None and (not isinstance(multibase, str) or not _multibase_readable(multibase)):
            found[f"{where}.digestMultibase"] = "Not a multibase-encoded sha2-256, sha2-384 or sha2-512 multihash."
        if "mediaType" in entry and not isinstance(entry["mediaType"], str):
            found[f"{where}.mediaType"] = "mediaType must be a string."
    return found


def _multibase_readable(value: str) -> bool:
    try:
        decode_digest(value)
    except ValueError:
        return False
    return True


def bundled_bytes(url: str) -> bytes | None:
    """The bytes of a context this package bundles, or None."""
    try:
        return jsonld.context_bytes(url)
    except (ContextError, KeyError, ValueError):
        return None


def mismatches(entry: Mapping[str, Any], data: bytes) -> list[str]:
    """The digests of ``entry`` that ``data`` does not match (by member name)."""
    wrong: list[str] = []
    sri, multibase = entry.get("digestSRI"), entry.get("digestMultibase")
    if isinstance(sri, str) and not sri_matches(sri, data):
        wrong.append("digestSRI")
    if isinstance(multibase, str) and not digest_matches(multibase, data):
        wrong.append("digestMultibase")
    return wrong


def offline_mismatches(credential: Mapping[str, Any]) -> dict[str, str]:
    """Digest mismatches that can be found without a network: entries naming a bundled context (what an issuer
    must refuse to sign, since every verifier with the same context would raise an error)."""
    found: dict[str, str] = {}
    for number, entry in enumerate(_entries(credential)):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            continue
        data = bundled_bytes(entry["id"])
        if data is None:
            continue
        for member in mismatches(entry, data):
            found[f"relatedResource[{number}].{member}"] = (
                f"The {member} given for {entry['id']} is not the digest of that context: the credential would "
                "fail verification."
            )
    return found


def check(credential: Mapping[str, Any], fetcher: Fetcher) -> Outcome:
    """Compare each related resource with its digest (bundled contexts offline, the rest through ``fetcher``)."""
    entries = _entries(credential)
    if not entries:
        return Outcome("skipped", "The credential lists no related resources to compare.")
    shape = problems(credential)
    if shape:
        return Outcome("failed", "relatedResource is malformed: " + " ".join(shape.values()))
    wrong: list[str] = []
    unread: list[str] = []
    matched = 0
    for entry in entries:
        url = entry["id"]
        data = bundled_bytes(url)
        if data is None:
            try:
                data = fetcher.fetch(url, accept="*/*").body
            except FetchError as exc:
                unread.append(f"{url} ({exc})")
                continue
        bad = mismatches(entry, data)
        if bad:
            wrong.append(f"{url} does not match its {' and '.join(bad)}")
        else:
            matched += 1
    if wrong:
        return Outcome(
            "failed",
            "A related resource is not the one the issuer pinned: " + "; ".join(wrong) + ".",
        )
    if unread:
        return Outcome(
            "warning",
            f"{matched} related resource(s) match their digests; these could not be read from here, so their "
            "integrity was not compared: " + "; ".join(unread) + ".",
        )
    return Outcome("passed", f"All {matched} related resource(s) match the digests the issuer pinned.")
