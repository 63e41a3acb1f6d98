"""Bitstring Status List v1.0: encode, decode, build list credentials and check status entries.

Encoding follows the W3C Recommendation exactly: the bitstring (at least 131,072 bits = 16 KB) is
GZIP-compressed and written as multibase base64url without padding (``u`` prefix); index 0 is the
leftmost bit, the most significant bit of the first byte.

Decoding is written by hand around :func:`zlib.decompressobj` rather than :func:`gzip.decompress`
because a status list comes from the network: the compressed text is refused above a size limit, and
the decompressed output is produced incrementally and refused as soon as it passes its own limit, so a
gzip bomb (a few kilobytes that inflate to gigabytes) fails fast with :class:`StatusListError` instead
of exhausting memory. Concatenated gzip members are accepted (RFC 1952) and count toward the same cap.

:class:`StatusChecker` checks a ``BitstringStatusListEntry`` through an injected fetcher and an injected
``verify_list`` callable (proof verification is done elsewhere). Whatever keeps a list from being read,
verified or matched makes the result ``cannot_be_checked``, never ``unset``. It also reads:

- ``statusSize`` / ``statusMessage`` and the ``message`` purpose (Bitstring Status List v1.0 §2.1): an entry of
  ``statusSize`` bits (index × size), whose value names one of the entry's ``statusMessage`` objects
  (``{"status": "0x2", "message": "rejected"}``); ``statusSize`` above 1 needs one message per possible value, and
  the list then needs 131,072 entries of that size;
- ``StatusList2021Entry`` (W3C CCG Status List 2021, still issued): the same bitstring in a
  ``StatusList2021Credential`` / ``StatusList2021`` subject, its ``encodedList`` base64url without the multibase
  ``u``, VC 1.1 dates (``issuanceDate`` / ``expirationDate``).

:func:`check_revocation_list` checks a ``1EdTechRevocationList`` entry (1EdTech Revocation List Status Method
1.0): the list at the entry's ``id`` names revoked credentials by id (``revokedCredentials``; an item is revoked
when its ``revoked`` is true or absent), optionally with a ``revocationReason``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
import threading
import zlib
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from credstack.vc.errors import FetchError, StatusListError, VCError
from credstack.vc.fetch import Fetcher, FetchResult

MIN_BITS = 131_072
MIN_BYTES = MIN_BITS // 8
DEFAULT_MAX_ENCODED_CHARS = 4 * 1024 * 1024
DEFAULT_MAX_DECODED_BYTES = 16 * 1024 * 1024
DEFAULT_MAX_LIST_CREDENTIAL_BYTES = 8 * 1024 * 1024
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PURPOSES = ("revocation", "suspension", "refresh", "message")

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")
_CHUNK = 64 * 1024


# ---------------------------------------------------------------------------------------------------------
# the bitstring


class Bitstring:
    """A mutable status bitstring; index 0 is the most significant bit of the first byte."""

    def __init__(self, length: int = MIN_BITS, *, data: bytes | None = None) -> None:
        if data is not None:
            self._bytes = bytearray(data)
        else:
            if length <= 0:
                raise ValueError("A bitstring needs at least one bit.")
            self._bytes = bytearray((max(length, MIN_BITS) + 7) // 8)

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def _position(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError("A status index is an integer.")
        if not 0 <= index < len(self):
            raise StatusListError(f"Index {index} is outside the list (0..{len(self) - 1}).")
        return index // 8, 7 - index % 8

    def get(self, index: int) -> bool:
        byte, bit = self._position(index)
        return bool(self._bytes[byte] >> bit & 1)

    def set(self, index: int, value: bool = True) -> None:
        byte, bit = self._position(index)
        if value:
            self._bytes[byte] |= 1 << bit
        else:
            self._bytes[byte] &= ~(1 << bit) & 0xFF

    def get_value(self, index: int, size: int) -> int:
        """The ``size``-bit status value of entry ``index`` (entries of ``statusSize`` bits)."""
        if size < 1:
            raise StatusListError("statusSize must be at least 1.")
        value = 0
        for position in range(index * size, index * size + size):
            value = value << 1 | int(self.get(position))
        return value

    def set_indices(self) -> list[int]:
        """Every index whose bit is set, in order."""
        found: list[int] = []
        for byte_index, byte in enumerate(self._bytes):
            if byte:
                found.extend(byte_index * 8 + bit for bit in range(8) if byte >> (7 - bit) & 1)
        return found

    def to_bytes(self) -> bytes:
        return bytes(self._bytes)

    def encode(self) -> str:
        return encode_bitstring(self.to_bytes())

    @classmethod
    def decode(
        cls,
        encoded: str,
        *,
        max_encoded_chars: int = DEFAULT_MAX_ENCODED_CHARS,
        max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
        min_bytes: int = MIN_BYTES,
        multibase: bool = True,
    ) -> Bitstring:
        return cls(
            data=decode_bitstring(
                encoded,
                max_encoded_chars=max_encoded_chars,
                max_decoded_bytes=max_decoded_bytes,
                min_bytes=min_bytes,
                multibase=multibase,
            )
        )


def encode_bitstring(data: bytes) -> str:
    """GZIP then multibase base64url (``u``, no padding). Lists shorter than 16 KB are zero-padded."""
    if len(data) < MIN_BYTES:
        data = data + bytes(MIN_BYTES - len(data))
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container, mtime 0
    compressed = compressor.compress(data) + compressor.flush()
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(
    encoded: str,
    *,
    max_encoded_chars: int = DEFAULT_MAX_ENCODED_CHARS,
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
    min_bytes: int = MIN_BYTES,
    multibase: bool = True,
) -> bytes:
    """The raw bitstring of an ``encodedList``, refusing oversized and undersized lists. ``multibase=False``:
    Status List 2021's form, base64url without the ``u`` (padding allowed)."""
    if not isinstance(encoded, str):
        raise StatusListError("encodedList is not a string.")
    if len(encoded) > max_encoded_chars:
        raise StatusListError(f"encodedList has {len(encoded)} characters, more than the limit of {max_encoded_chars}.")
    if multibase and not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url: it must start with 'u'.")
    body = encoded[1:] if multibase else encoded.rstrip("=")
    if not _BASE64URL.match(body):
        raise StatusListError("encodedList is not base64url (characters outside A-Z a-z 0-9 - _).")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError(f"encodedList is not valid base64url: {exc}") from exc
    data = _gunzip_capped(compressed, max_decoded_bytes)
    if len(data) < min_bytes:
        raise StatusListError(f"The status list has {len(data) * 8} bits; the minimum is {min_bytes * 8}.")
    return data


def _gunzip_capped(compressed: bytes, limit: int) -> bytes:
    if not compressed:
        raise StatusListError("encodedList is empty.")
    output = bytearray()
    remaining = compressed
    while remaining:
        decompressor = zlib.decompressobj(31)
        pending = remaining
        while True:
            try:
                chunk = decompressor.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise StatusListError(f"encodedList is not valid GZIP data: {exc}") from exc
            output += chunk
            if len(output) > limit:
                raise StatusListError(f"The status list inflates to more than {limit} bytes; refused (a gzip bomb?).")
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                break
            if not pending and not chunk:
                raise StatusListError("encodedList is truncated GZIP data.")
        remaining = decompressor.unused_data
        if remaining and not remaining.startswith(b"\x1f\x8b"):
            raise StatusListError("encodedList has trailing bytes after the GZIP data.")
    return bytes(output)


# ---------------------------------------------------------------------------------------------------------
# the list credential


def _datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Datetimes must be timezone-aware.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_status_list_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    purpose: str,
    bitstring: Bitstring,
    valid_from: datetime,
    valid_until: datetime | None = None,
    subject_id: str | None = None,
    ttl_ms: int | None = None,
    sign: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A ``BitstringStatusListCredential``; signed by ``sign`` (e.g. ``lambda d: add_proof(d, signer)``)."""
    if purpose not in PURPOSES:
        raise ValueError(f"statusPurpose must be one of {PURPOSES}, got {purpose!r}.")
    subject: dict[str, Any] = {
        "id": subject_id or f"{id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": bitstring.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": _datetime(valid_from),
    }
    if valid_until is not None:
        if valid_until <= valid_from:
            raise ValueError("validUntil must be after validFrom.")
        credential["validUntil"] = _datetime(valid_until)
    credential["credentialSubject"] = subject
    return sign(credential) if sign is not None else credential


# ---------------------------------------------------------------------------------------------------------
# checking entries


class StatusState(enum.StrEnum):
    SET = "set"
    UNSET = "unset"
    CANNOT_BE_CHECKED = "cannot_be_checked"


@dataclass(frozen=True)
class StatusResult:
    """The outcome of checking one status entry.

    ``state`` is ``set`` (e.g. revoked / suspended), ``unset``, or ``cannot_be_checked`` (with
    ``problem`` saying why: fetch, verify, malformed_entry, malformed_list, purpose_mismatch, range,
    wrong_list, expired_list). ``value`` is the raw status value (for ``statusSize`` > 1).
    """

    purpose: str
    index: int | None
    state: StatusState
    message: str
    list_url: str | None = None
    value: int | None = None
    problem: str | None = None
    #: the entry's ``statusMessage`` text for ``value`` (``statusSize`` / ``message`` purpose), if it has one
    status_message: str | None = None

    @property
    def is_set(self) -> bool:
        return self.state is StatusState.SET

    @property
    def checked(self) -> bool:
        return self.state is not StatusState.CANNOT_BE_CHECKED


@dataclass
class _Cached:
    fetched_at: datetime
    expires_at: datetime
    credential: dict[str, Any]
    bitstring: Bitstring


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _types(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


@dataclass(frozen=True)
class _ListKind:
    entry_type: str
    credential_type: str
    subject_type: str
    multibase: bool
    purposes: tuple[str, ...]


_KINDS = {
    kind.entry_type: kind
    for kind in (
        _ListKind("BitstringStatusListEntry", "BitstringStatusListCredential", "BitstringStatusList", True, PURPOSES),
        _ListKind(
            "StatusList2021Entry", "StatusList2021Credential", "StatusList2021", False, ("revocation", "suspension")
        ),
    )
}
ENTRY_TYPES = tuple(_KINDS)


def _status_messages(entry: Mapping[str, Any], size: int) -> dict[int, str] | str:
    """The entry's ``statusMessage`` as value -> message, or what is wrong with it."""
    raw = entry.get("statusMessage")
    if raw is None:
        return {} if size == 1 else f"statusSize {size} needs a statusMessage array with {2**size} messages."
    if not isinstance(raw, list) or len(raw) != 2**size:
        return f"statusMessage must be an array of {2**size} messages (one per value of {size} bits)."
    messages: dict[int, str] = {}
    for item in raw:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not re.fullmatch(r"0x[0-9a-fA-F]+", status) or not isinstance(message, str):
            return 'each statusMessage must be {"status": "0x…", "message": "…"}.'
        messages[int(status, 16)] = message
    if sorted(messages) != list(range(2**size)):
        return f"statusMessage must give one message for each status 0x0 to {hex(2**size - 1)}."
    return messages


class RecordingFetcher:
    """Passes fetches through and remembers each answer (URL, Accept, body): what a list's verification read."""

    def __init__(self, inner: Fetcher) -> None:
        self.inner = inner
        self.log: list[tuple[str, str, bytes]] = []

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        result = self.inner.fetch(url, accept=accept)
        self.log.append((url, accept, result.body))
        return result


@dataclass(frozen=True)
class _Verified:
    body: bytes
    sources: tuple[tuple[str, str, bytes], ...]
    verified_at: datetime
    credential: dict[str, Any]
    bitstring: Bitstring


class VerifiedLists:
    """Status list credentials already read, verified and decoded, shared by the checkers of many verifications.

    One is reused only when the list's bytes as fetched now are the bytes that were verified, every document its
    verification read (the issuer's DID document...) still reads byte for byte the same through the checker's
    fetcher, and the time judged at is not earlier than when it was verified (a proof with an ``expires`` date
    is never kept). So a changed bit, a re-signed list or a retired key is seen at once, provided the fetcher
    answers with current documents (the memo saves the parsing, the proof check and the decompression, never a
    fetch). Bounded; safe to share between threads.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: dict[Hashable, _Verified] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Verified | None:
        return self._entries.get(key)

    def put(self, key: Hashable, entry: _Verified) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class StatusChecker:
    """Checks ``BitstringStatusListEntry`` and ``StatusList2021Entry`` entries; lists are fetched through
    ``fetcher`` and cached.

    ``verify_list(credential)`` must raise when the list credential's proof does not verify; without it
    the list is trusted as fetched (say so to the user). ``clock`` returns the current aware datetime.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        verify_list: Callable[[dict[str, Any]], None] | None = None,
        cache_ttl: float = 300.0,
        clock: Callable[[], datetime] | None = None,
        *,
        max_encoded_chars: int = DEFAULT_MAX_ENCODED_CHARS,
        max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
        max_list_credential_bytes: int = DEFAULT_MAX_LIST_CREDENTIAL_BYTES,
        verified_lists: VerifiedLists | None = None,
        memo_scope: Hashable = None,
    ) -> None:
        """``verified_lists`` (with ``fetcher`` a :class:`RecordingFetcher` that ``verify_list`` fetches through
        too) lets lists verified by earlier checkers be reused (see :class:`VerifiedLists`); ``memo_scope`` names
        what else ``verify_list``'s verdict depends on (its options)."""
        self.fetcher = fetcher
        self.verified_lists = verified_lists if isinstance(fetcher, RecordingFetcher) else None
        self.memo_scope = memo_scope
        self.verify_list = verify_list
        self.cache_ttl = cache_ttl
        self.clock = clock or (lambda: datetime.now(UTC))
        self.max_encoded_chars = max_encoded_chars
        self.max_decoded_bytes = max_decoded_bytes
        self.max_list_credential_bytes = max_list_credential_bytes
        self._cache: dict[str, _Cached] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def check(self, entry: Mapping[str, Any]) -> StatusResult:
        """Check one entry; never raises for a bad entry or list, it says ``cannot_be_checked``."""
        purpose = entry.get("statusPurpose") if isinstance(entry, Mapping) else None
        purpose_text = purpose if isinstance(purpose, str) else "unknown"

        def cannot(message: str, problem: str, index: int | None = None, url: str | None = None) -> StatusResult:
            return StatusResult(
                purpose_text,
                index,
                StatusState.CANNOT_BE_CHECKED,
                message,
                url,
                None,
                problem,
            )

        if not isinstance(entry, Mapping):
            return cannot("The status entry is not an object.", "malformed_entry")
        kinds = [_KINDS[t] for t in sorted(_types(entry.get("type"))) if t in _KINDS]
        if not kinds:
            return cannot(
                f"Status entries of type {entry.get('type')!r} are not supported (only {' and '.join(ENTRY_TYPES)}).",
                "malformed_entry",
            )
        kind = kinds[0]
        if not isinstance(purpose, str) or not purpose:
            return cannot("The status entry has no statusPurpose.", "malformed_entry")
        raw_index = entry.get("statusListIndex")
        if isinstance(raw_index, int) and not isinstance(raw_index, bool) and raw_index >= 0:
            # The spec wants a string; some issuers (1EdTech's own fixtures) write a number.
            raw_index = str(raw_index)
        if not isinstance(raw_index, str) or not _INDEX.match(raw_index):
            return cannot(
                f"statusListIndex must be a base-10 integer in a string, got {raw_index!r}.",
                "malformed_entry",
            )
        index = int(raw_index)
        url = entry.get("statusListCredential")
        if not isinstance(url, str) or not url:
            return cannot(
                "The status entry names no statusListCredential.",
                "malformed_entry",
                index,
            )
        size_value = entry.get("statusSize", 1)
        if isinstance(size_value, bool) or not isinstance(size_value, int) or size_value < 1:
            return cannot(
                f"statusSize must be a positive integer, got {size_value!r}.",
                "malformed_entry",
                index,
                url,
            )
        if purpose != "message" and size_value != 1:
            return cannot(
                f"statusSize must be 1 for statusPurpose {purpose!r}.",
                "malformed_entry",
                index,
                url,
            )
        messages = _status_messages(entry, size_value)
        if isinstance(messages, str):
            return cannot(messages, "malformed_entry", index, url)

        try:
            cached = self._list(url, kind)
        except FetchError as exc:
            return cannot(f"The status list {url} cannot be fetched: {exc}", "fetch", index, url)
        except _ListProblem as exc:
            return cannot(str(exc), exc.problem, index, url)

        list_purposes = _types(cached.credential.get("credentialSubject", {}).get("statusPurpose"))
        if purpose not in list_purposes:
            return cannot(
                f"The entry's statusPurpose {purpose!r} does not match the list's {sorted(list_purposes)}.",
                "purpose_mismatch",
                index,
                url,
            )
        bits = cached.bitstring
        if len(bits) // size_value < MIN_BITS:
            return cannot(
                f"The status list {url} has {len(bits) // size_value} entries of {size_value} bits; "
                f"the minimum is {MIN_BITS}.",
                "malformed_list",
                index,
                url,
            )
        if (index + 1) * size_value > len(bits):
            return cannot(
                f"statusListIndex {index} is outside the status list ({len(bits) // size_value} entries).",
                "range",
                index,
                url,
            )
        value = bits.get_value(index, size_value)
        text = messages.get(value)
        if purpose == "message" or size_value > 1:
            said = f"{text!r}" if text is not None else "no message"
            message = f"Status {hex(value)} of entry {index} in {url}: the issuer's message is {said}."
            state = StatusState.SET if value else StatusState.UNSET
            return StatusResult(purpose, index, state, message, url, value, None, text)
        if value:
            message = f"Status bit {index} of {url} is set: the credential is {_verb(purpose)}."
            return StatusResult(purpose, index, StatusState.SET, message, url, value, None, text)
        message = f"Status bit {index} of {url} is not set: the credential is not {_verb(purpose)}."
        return StatusResult(purpose, index, StatusState.UNSET, message, url, value, None, text)

    def _list(self, url: str, kind: _ListKind = _KINDS["BitstringStatusListEntry"]) -> _Cached:
        now = self.clock()
        cached = self._cache.get(url)
        if cached is not None and now < cached.expires_at:
            return cached
        result = self.fetcher.fetch(url, accept="application/vc+ld+json, application/ld+json, application/json")
        if len(result.body) > self.max_list_credential_bytes:
            raise _ListProblem(f"The status list credential at {url} is too large.", "malformed_list")
        memo_key = (url, kind.credential_type, self.memo_scope)
        kept = self._reusable(memo_key, result.body, now)
        if kept is not None:
            return self._keep(url, now, kept.credential, kept.bitstring)
        try:
            credential = json.loads(result.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _ListProblem(f"The status list at {url} is not JSON: {exc}", "malformed_list") from exc
        if not isinstance(credential, dict):
            raise _ListProblem(f"The status list at {url} is not a JSON object.", "malformed_list")
        if credential.get("id") != url.split("#", 1)[0]:
            raise _ListProblem(
                f"The credential fetched from {url} has id {credential.get('id')!r}, not the list the entry names.",
                "wrong_list",
            )
        if kind.credential_type not in _types(credential.get("type")):
            raise _ListProblem(
                f"{url} is not a {kind.credential_type} (what a {kind.entry_type} points to).", "malformed_list"
            )
        subject = credential.get("credentialSubject")
        if not isinstance(subject, dict) or kind.subject_type not in _types(subject.get("type")):
            raise _ListProblem(f"{url} has no {kind.subject_type} credentialSubject.", "malformed_list")
        mark = len(self.fetcher.log) if isinstance(self.fetcher, RecordingFetcher) else 0
        if self.verify_list is not None:
            try:
                self.verify_list(credential)
            except VCError as exc:
                raise _ListProblem(f"The status list {url} does not verify: {exc}", "verify") from exc
        # VC 2.0 dates, or VC 1.1's (Status List 2021 credentials)
        start = "validFrom" if "validFrom" in credential else "issuanceDate"
        end = "validUntil" if "validUntil" in credential else "expirationDate"
        valid_from = _parse_time(credential.get(start))
        valid_until = _parse_time(credential.get(end))
        if start in credential and valid_from is None:
            raise _ListProblem(f"The status list {url} has an unreadable {start}.", "malformed_list")
        if valid_from is not None and now < valid_from:
            raise _ListProblem(
                f"The status list {url} is not valid before {credential[start]}.",
                "expired_list",
            )
        if valid_until is not None and now >= valid_until:
            raise _ListProblem(
                f"The status list {url} expired at {credential[end]}.",
                "expired_list",
            )
        try:
            bitstring = Bitstring.decode(
                subject.get("encodedList"),  # type: ignore[arg-type]
                max_encoded_chars=self.max_encoded_chars,
                max_decoded_bytes=self.max_decoded_bytes,
                multibase=kind.multibase,
            )
        except StatusListError as exc:
            raise _ListProblem(f"The status list {url} cannot be read: {exc}", "malformed_list") from exc
        if self.verified_lists is not None and isinstance(self.fetcher, RecordingFetcher) and _no_expiry(credential):
            sources = tuple(self.fetcher.log[mark:])
            self.verified_lists.put(memo_key, _Verified(result.body, sources, now, credential, bitstring))
        return self._keep(url, now, credential, bitstring)

    def _reusable(self, key: Hashable, body: bytes, now: datetime) -> _Verified | None:
        """The list verified earlier under ``key``, if it and everything its verification read are unchanged."""
        if self.verified_lists is None:
            return None
        kept = self.verified_lists.get(key)
        if kept is None or kept.body != body or now < kept.verified_at:
            return None
        for url, accept, seen in kept.sources:
            try:
                if self.fetcher.fetch(url, accept=accept).body != seen:
                    return None
            except FetchError:
                return None
        return kept

    def _keep(self, url: str, now: datetime, credential: dict[str, Any], bitstring: Bitstring) -> _Cached:
        """The list's validity window judged at ``now``, and the entry kept for this checker's lifetime."""
        subject = credential["credentialSubject"]
        start = "validFrom" if "validFrom" in credential else "issuanceDate"
        end = "validUntil" if "validUntil" in credential else "expirationDate"
        valid_from = _parse_time(credential.get(start))
        valid_until = _parse_time(credential.get(end))
        if valid_from is not None and now < valid_from:
            raise _ListProblem(f"The status list {url} is not valid before {credential[start]}.", "expired_list")
        if valid_until is not None and now >= valid_until:
            raise _ListProblem(f"The status list {url} expired at {credential[end]}.", "expired_list")
        lifetime = timedelta(seconds=self.cache_ttl)
        ttl = subject.get("ttl")
        if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0:
            lifetime = min(lifetime, timedelta(milliseconds=ttl))
        expires = now + lifetime
        if valid_until is not None:
            expires = min(expires, valid_until)
        entry = _Cached(now, expires, credential, bitstring)
        self._cache[url] = entry
        return entry


def _no_expiry(credential: Mapping[str, Any]) -> bool:
    """Whether no proof of the list expires (a verdict that an ``expires`` date can change is never kept)."""
    proofs = credential.get("proof")
    listed = proofs if isinstance(proofs, list) else [proofs]
    return not any(isinstance(p, Mapping) and "expires" in p for p in listed)


class _ListProblem(Exception):
    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


def _verb(purpose: str) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}.get(purpose, f"flagged for {purpose}")


# ---------------------------------------------------------------------------------------------------------
# 1EdTech Revocation List Status Method


def check_revocation_list(
    entry: Mapping[str, Any],
    credential_id: Any,
    fetcher: Fetcher,
    *,
    max_bytes: int = DEFAULT_MAX_LIST_CREDENTIAL_BYTES,
) -> StatusResult:
    """A ``1EdTechRevocationList`` entry: fetch the list at the entry's ``id`` and look for the credential's id
    among ``revokedCredentials`` (revoked when ``revoked`` is true or absent). Never raises; ``cannot_be_checked``
    when the list cannot be fetched or read."""
    url = entry.get("id")
    if not isinstance(url, str) or not url:
        return StatusResult(
            "revocation",
            None,
            StatusState.CANNOT_BE_CHECKED,
            "The 1EdTechRevocationList entry has no id URL.",
            problem="malformed_entry",
        )

    def cannot(message: str, problem: str) -> StatusResult:
        return StatusResult("revocation", None, StatusState.CANNOT_BE_CHECKED, message, url, problem=problem)

    if not isinstance(credential_id, str) or not credential_id:
        return cannot("The credential has no id, so the issuer's revocation list cannot name it.", "malformed_entry")
    try:
        body = fetcher.fetch(url, accept="application/json, application/ld+json").body
    except FetchError as exc:
        return cannot(f"The issuer's revocation list {url} cannot be fetched: {exc}", "fetch")
    if len(body) > max_bytes:
        return cannot(f"The issuer's revocation list {url} is too large.", "malformed_list")
    try:
        revocation_list = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        return cannot(f"The issuer's revocation list {url} is not JSON: {exc}", "malformed_list")
    revoked = revocation_list.get("revokedCredentials") if isinstance(revocation_list, dict) else None
    if not isinstance(revoked, list):
        return cannot(f"The issuer's revocation list {url} has no revokedCredentials array.", "malformed_list")
    for item in revoked:
        if isinstance(item, Mapping) and item.get("id") == credential_id and item.get("revoked", True) is not False:
            reason = item.get("revocationReason")
            because = f" Reason given: {reason}" if isinstance(reason, str) and reason else ""
            return StatusResult(
                "revocation",
                None,
                StatusState.SET,
                f"The issuer's revocation list {url} lists this credential as revoked.{because}",
                url,
            )
    return StatusResult("revocation", None, StatusState.UNSET, f"Not on the issuer's revocation list ({url}).", url)
