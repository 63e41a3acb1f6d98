"""Bitstring Status List v1.0: published examples, bit order, size limits (a real gzip bomb), checking."""

from __future__ import annotations

import base64
import gzip
import json
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc.errors import FetchError, ProofError, StatusListError
from credstack.vc.fetch import FetchResult, StaticFetcher
from credstack.vc.statuslist import (
    MIN_BITS,
    Bitstring,
    StatusChecker,
    StatusState,
    build_status_list_credential,
    decode_bitstring,
    encode_bitstring,
)

VECTORS = Path(__file__).parent / "vectors" / "status"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LIST_URL = "https://credstack.example/status/1"


def vector(name: str) -> dict[str, Any]:
    value = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


def b64u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode().rstrip("=")


# --- published examples ---------------------------------------------------------------------------


def test_spec_encoded_list_decodes_as_published() -> None:
    facts = vector("encodedList-example.json")
    data = decode_bitstring(facts["encodedList"])
    assert len(data) == facts["decompressedBytes"] == 16384
    bits = Bitstring(data=data)
    assert len(bits) == facts["bits"] == 131072
    assert len(bits.set_indices()) == facts["setBits"] == 0


def test_spec_status_list_credential_and_revocable_credential() -> None:
    list_credential = vector("bitstring-status-list-credential.json")
    credential = vector("revocable-credential.json")
    fetcher = StaticFetcher({list_credential["id"]: json.dumps(list_credential).encode()})
    checker = StatusChecker(fetcher, None, clock=lambda: NOW)
    result = checker.check(credential["credentialStatus"])
    assert result.state is StatusState.UNSET
    assert (result.purpose, result.index) == ("revocation", 94567)
    assert "not revoked" in result.message


def test_spec_entries_with_revocation_and_suspension() -> None:
    credential = vector("credential-with-revocation-and-suspension-entries.json")
    list_credential = vector("bitstring-status-list-credential.json")
    fetcher = StaticFetcher({list_credential["id"]: json.dumps(list_credential).encode()})
    checker = StatusChecker(fetcher, None, clock=lambda: NOW)
    revocation, suspension = (checker.check(entry) for entry in credential["credentialStatus"])
    assert revocation.state is StatusState.UNSET
    # status/4 is not available: never "unset", always "cannot be checked"
    assert suspension.state is StatusState.CANNOT_BE_CHECKED
    assert suspension.problem == "fetch"
    assert suspension.purpose == "suspension"


def test_spec_two_entries_one_list_with_mismatching_purpose() -> None:
    credential = vector("credential-with-two-entries-one-list.json")
    list_credential = vector("bitstring-status-list-credential.json")
    list_credential["id"] = "https://example.com/credentials/status/5"  # a revocation list at that URL
    fetcher = StaticFetcher({list_credential["id"]: json.dumps(list_credential).encode()})
    checker = StatusChecker(fetcher, None, clock=lambda: NOW)
    revocation, suspension = (checker.check(entry) for entry in credential["credentialStatus"])
    assert revocation.state is StatusState.UNSET
    assert suspension.state is StatusState.CANNOT_BE_CHECKED
    assert suspension.problem == "purpose_mismatch"


def test_1edtech_testlist_decodes_with_bit_23_set() -> None:
    testlist = vector("1edtech-validator-testlist.json")
    bits = Bitstring.decode(testlist["credentialSubject"]["encodedList"])
    assert len(bits) == MIN_BITS
    assert bits.set_indices() == [23]
    assert bits.get(23) and not bits.get(22) and not bits.get(24)


def test_1edtech_fixture_list_id_differs_from_its_url() -> None:
    credential = vector("1edtech-validator-credential-status-revoked.json")
    testlist = vector("1edtech-validator-testlist.json")
    entry = credential["credentialStatus"]
    fetcher = StaticFetcher({entry["statusListCredential"]: json.dumps(testlist).encode()})
    result = StatusChecker(fetcher, None, clock=lambda: NOW).check(entry)
    # the list served at that URL says it is https://example.com/credentials/status/3: not the list named
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == "wrong_list"
    # served under its own id, the same entry (numeric index, as the fixture writes it) reads as revoked
    fixed = dict(entry, statusListCredential=testlist["id"])
    fetcher = StaticFetcher({testlist["id"]: json.dumps(testlist).encode()})
    result = StatusChecker(fetcher, None, clock=lambda: NOW).check(fixed)
    assert result.state is StatusState.SET
    assert result.is_set and "revoked" in result.message


# --- encoding ---------------------------------------------------------------------------------------


def test_index_zero_is_most_significant_bit_of_first_byte() -> None:
    bits = Bitstring()
    bits.set(0)
    bits.set(9)
    data = bits.to_bytes()
    assert data[0] == 0b1000_0000
    assert data[1] == 0b0100_0000
    decoded = gzip.decompress(base64.urlsafe_b64decode(bits.encode()[1:] + "=="))
    assert decoded == data


def test_encoding_is_gzip_multibase_base64url_without_padding() -> None:
    encoded = Bitstring().encode()
    assert encoded.startswith("uH4sI")  # 'u' + base64url of the gzip magic 1f 8b 08
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert len(decode_bitstring(encoded)) == 16384


def test_short_lists_are_padded_to_the_minimum() -> None:
    assert len(decode_bitstring(encode_bitstring(b"\xff"))) == 16384
    with pytest.raises(StatusListError, match="minimum"):
        decode_bitstring(b64u(gzip.compress(bytes(100))))


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_BITS * 2 - 1), max_size=50))
def test_round_trip(indices: set[int]) -> None:
    bits = Bitstring(MIN_BITS * 2)
    for index in indices:
        bits.set(index)
    decoded = Bitstring.decode(bits.encode())
    assert decoded.set_indices() == sorted(indices)
    assert len(decoded) == MIN_BITS * 2


def test_set_and_clear() -> None:
    bits = Bitstring()
    bits.set(5)
    bits.set(5, False)
    assert not bits.get(5)
    with pytest.raises(StatusListError):
        bits.get(MIN_BITS)


@pytest.mark.parametrize(
    "encoded",
    [
        "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",  # no multibase prefix
        "zH4sIAAAAA",  # base58btc is not allowed
        "uH4sI+AAA/",  # base64, not base64url
        "u" + base64.urlsafe_b64encode(zlib.compress(bytes(16384))).decode().rstrip("="),  # zlib, not gzip
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16384), mtime=0)[:-10]).decode().rstrip("="),  # truncated
        "u",
    ],
)
def test_malformed_lists_are_refused(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode_bitstring(encoded)


def test_compressed_size_limit() -> None:
    encoded = Bitstring().encode()
    with pytest.raises(StatusListError, match="more than the limit"):
        decode_bitstring(encoded, max_encoded_chars=len(encoded) - 1)


def test_gzip_bomb_fails_fast() -> None:
    # 1 GiB of zeros: one real gzip member of 64 MiB (about 64 KB compressed) repeated 16 times
    member = gzip.compress(bytes(64 * 1024 * 1024), compresslevel=9, mtime=0)
    bomb = b64u(member * 16)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(StatusListError, match="gzip bomb"):
        decode_bitstring(bomb)
    assert time.monotonic() - started < 1.0


def test_decompressed_size_limit_is_configurable() -> None:
    encoded = Bitstring(MIN_BITS * 4).encode()
    with pytest.raises(StatusListError, match="inflates"):
        decode_bitstring(encoded, max_decoded_bytes=40_000)
    assert len(decode_bitstring(encoded, max_decoded_bytes=70_000)) == 65536


# --- list credential ----------------------------------------------------------------------------------


def test_build_status_list_credential_and_sign_callable() -> None:
    bits = Bitstring()
    bits.set(42)

    def sign(document: dict[str, Any]) -> dict[str, Any]:
        return {
            **document,
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"},
        }

    credential = build_status_list_credential(
        id=LIST_URL,
        issuer="did:web:credstack.example:orgs:acme",
        purpose="suspension",
        bitstring=bits,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
        sign=sign,
    )
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == [
        "VerifiableCredential",
        "BitstringStatusListCredential",
    ]
    assert credential["validFrom"] == "2026-06-01T12:00:00Z"
    subject = credential["credentialSubject"]
    assert subject == {
        "id": LIST_URL + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": "suspension",
        "encodedList": subject["encodedList"],
    }
    assert Bitstring.decode(subject["encodedList"]).set_indices() == [42]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    with pytest.raises(ValueError):
        build_status_list_credential(
            id=LIST_URL,
            issuer="did:x:y",
            purpose="revocation",
            bitstring=bits,
            valid_from=datetime(2026, 1, 1),
        )
    with pytest.raises(ValueError):
        build_status_list_credential(
            id=LIST_URL,
            issuer="did:x:y",
            purpose="expiry",
            bitstring=bits,
            valid_from=NOW,
        )


def test_built_list_credential_is_safe_json_ld_when_available() -> None:
    jsonld = pytest.importorskip("credstack.vc.jsonld")
    credential = build_status_list_credential(
        id=LIST_URL,
        issuer="did:web:credstack.example",
        purpose="revocation",
        bitstring=Bitstring(),
        valid_from=NOW,
    )
    jsonld.expand_safe(credential)


# --- checker ------------------------------------------------------------------------------------------


class CountingFetcher:
    def __init__(self, resources: dict[str, bytes]) -> None:
        self.resources = resources
        self.calls = 0

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        self.calls += 1
        if url not in self.resources:
            raise FetchError(f"{url} unreachable")
        return FetchResult(url, self.resources[url])


def make_list(purpose: str = "revocation", indices: tuple[int, ...] = (7,), **extra: Any) -> bytes:
    bits = Bitstring()
    for index in indices:
        bits.set(index)
    credential = build_status_list_credential(
        id=LIST_URL,
        issuer="did:web:credstack.example",
        purpose=purpose,
        bitstring=bits,
        valid_from=NOW - timedelta(days=1),
    )
    credential.update(extra)
    return json.dumps(credential).encode()


def entry(index: int | str = 7, purpose: str = "revocation", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
        **extra,
    }


def test_checker_set_unset_and_suspension() -> None:
    checker = StatusChecker(CountingFetcher({LIST_URL: make_list()}), None, clock=lambda: NOW)
    assert checker.check(entry(7)).state is StatusState.SET
    assert checker.check(entry(8)).state is StatusState.UNSET
    suspended = StatusChecker(CountingFetcher({LIST_URL: make_list("suspension")}), None, clock=lambda: NOW)
    result = suspended.check(entry(7, "suspension"))
    assert result.is_set and "suspended" in result.message


@pytest.mark.parametrize(
    ("bad_entry", "problem"),
    [
        (entry(7, "suspension"), "purpose_mismatch"),
        (entry(MIN_BITS), "range"),
        ({**entry(), "statusListIndex": "07"}, "malformed_entry"),
        ({**entry(), "statusListIndex": "-1"}, "malformed_entry"),
        ({**entry(), "statusListIndex": "1e3"}, "malformed_entry"),
        ({**entry(), "type": "StatusList2021Entry"}, "malformed_list"),  # it points to a Bitstring list
        ({**entry(), "statusListCredential": None}, "malformed_entry"),
        ({**entry(), "statusListCredential": LIST_URL + "/other"}, "fetch"),
        ({**entry(), "statusSize": 2}, "malformed_entry"),
    ],
)
def test_checker_never_says_unset_when_it_cannot_tell(bad_entry: dict[str, Any], problem: str) -> None:
    checker = StatusChecker(CountingFetcher({LIST_URL: make_list()}), None, clock=lambda: NOW)
    result = checker.check(bad_entry)
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == problem
    assert not result.checked and not result.is_set


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", "malformed_list"),
        (make_list(id="https://evil.example/list"), "wrong_list"),
        (make_list(type=["VerifiableCredential"]), "malformed_list"),
        (make_list(validUntil="2026-05-01T00:00:00Z"), "expired_list"),
        (make_list(validFrom="2027-01-01T00:00:00Z"), "expired_list"),
        (
            make_list(
                credentialSubject={
                    "type": "BitstringStatusList",
                    "statusPurpose": "revocation",
                    "encodedList": "u",
                }
            ),
            "malformed_list",
        ),
    ],
)
def test_checker_refuses_bad_lists(body: bytes, problem: str) -> None:
    result = StatusChecker(CountingFetcher({LIST_URL: body}), None, clock=lambda: NOW).check(entry())
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == problem


def test_checker_gzip_bomb_list_is_cannot_be_checked() -> None:
    member = gzip.compress(bytes(32 * 1024 * 1024), mtime=0)
    body = make_list(
        credentialSubject={
            "id": LIST_URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": b64u(member),
        }
    )
    result = StatusChecker(CountingFetcher({LIST_URL: body}), None, clock=lambda: NOW).check(entry())
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert "gzip bomb" in result.message


def test_checker_verify_list_failure_is_cannot_be_checked() -> None:
    seen: list[dict[str, Any]] = []

    def verify(credential: dict[str, Any]) -> None:
        seen.append(credential)
        raise ProofError("signature does not verify")

    result = StatusChecker(CountingFetcher({LIST_URL: make_list()}), verify, clock=lambda: NOW).check(entry())
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == "verify" and "does not verify" in result.message
    assert seen and seen[0]["id"] == LIST_URL


def test_checker_unreachable_list_is_cannot_be_checked() -> None:
    result = StatusChecker(CountingFetcher({}), None, clock=lambda: NOW).check(entry())
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == "fetch"
    assert "cannot be fetched" in result.message


def test_checker_caches_for_ttl() -> None:
    fetcher = CountingFetcher({LIST_URL: make_list()})
    now = [NOW]

    def clock() -> datetime:
        return now[0]

    checker = StatusChecker(fetcher, None, cache_ttl=60, clock=clock)
    checker.check(entry())
    checker.check(entry(8))
    assert fetcher.calls == 1
    now[0] = NOW + timedelta(seconds=61)
    fetcher.resources[LIST_URL] = make_list(indices=(8,))
    assert checker.check(entry(8)).state is StatusState.SET
    assert fetcher.calls == 2


def test_checker_does_not_cache_failures() -> None:
    fetcher = CountingFetcher({})
    checker = StatusChecker(fetcher, None, clock=lambda: NOW)
    assert checker.check(entry()).state is StatusState.CANNOT_BE_CHECKED
    fetcher.resources[LIST_URL] = make_list()
    assert checker.check(entry()).state is StatusState.SET
