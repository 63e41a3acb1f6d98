"""Status methods still issued in the field: Status List 2021, the Bitstring list's statusSize / statusMessage /
``message`` purpose, and the 1EdTech Revocation List. Each check says the status plainly."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import credstack.vc.verify as verify_module
from credstack.vc import jsonld
from credstack.vc.fetch import StaticFetcher
from credstack.vc.statuslist import (
    MIN_BITS,
    Bitstring,
    StatusChecker,
    StatusState,
    build_status_list_credential,
    check_revocation_list,
)
from credstack.vc.verify import VerifyOptions, _check_status

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LIST_URL = "https://issuer.example/status/2021"
SL2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


# -- Status List 2021 ---------------------------------------------------------------------------------------------


def status_list_2021(indices: tuple[int, ...] = (7,), *, padded: bool = False, **extra: Any) -> dict[str, Any]:
    bits = Bitstring()
    for index in indices:
        bits.set(index)
    encoded = base64.urlsafe_b64encode(gzip.compress(bits.to_bytes())).decode()
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1", SL2021_CONTEXT],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:web:issuer.example",
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            # Status List 2021: base64url of the GZIP bytes, no multibase prefix (padding seen both ways)
            "encodedList": encoded if padded else encoded.rstrip("="),
        },
    }
    credential.update(extra)
    return credential


def entry_2021(index: int, purpose: str = "revocation") -> dict[str, Any]:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }


def checker_for(document: dict[str, Any], url: str = LIST_URL) -> StatusChecker:
    return StatusChecker(StaticFetcher({url: json.dumps(document).encode()}), None, clock=lambda: NOW)


@pytest.mark.parametrize("padded", [False, True])
def test_status_list_2021_set_and_unset(padded: bool) -> None:
    checker = checker_for(status_list_2021(padded=padded))
    revoked = checker.check(entry_2021(7))
    assert revoked.state is StatusState.SET
    assert "is set: the credential is revoked" in revoked.message
    assert checker.check(entry_2021(8)).state is StatusState.UNSET


def test_status_list_2021_credential_is_safe_json_ld_with_the_bundled_context() -> None:
    jsonld.expand_safe(status_list_2021())  # every term defined: the context is bundled


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (status_list_2021(expirationDate="2026-02-01T00:00:00Z"), "expired_list"),
        (status_list_2021(issuanceDate="2027-01-01T00:00:00Z"), "expired_list"),
        (status_list_2021(type=["VerifiableCredential", "BitstringStatusListCredential"]), "malformed_list"),
    ],
)
def test_status_list_2021_problems_are_not_unset(document: dict[str, Any], problem: str) -> None:
    result = checker_for(document).check(entry_2021(7))
    assert result.state is StatusState.CANNOT_BE_CHECKED
    assert result.problem == problem


def test_a_status_list_2021_with_a_multibase_prefix_is_refused() -> None:
    document = status_list_2021()
    document["credentialSubject"]["encodedList"] = "u" + document["credentialSubject"]["encodedList"]
    result = checker_for(document).check(entry_2021(7))
    assert result.state is StatusState.CANNOT_BE_CHECKED and result.problem == "malformed_list"


# -- statusSize, statusMessage, the message purpose ----------------------------------------------------------------

BITSTRING_URL = "https://issuer.example/status/messages"
MESSAGES = [
    {"status": "0x0", "message": "pending_review"},
    {"status": "0x1", "message": "accepted"},
    {"status": "0x2", "message": "rejected"},
    {"status": "0x3", "message": "undefined"},
]


def message_list(values: dict[int, int], size: int = 2, bits: int = MIN_BITS * 2) -> dict[str, Any]:
    bitstring = Bitstring(bits)
    for index, value in values.items():
        for offset in range(size):
            bitstring.set(index * size + offset, bool(value >> (size - 1 - offset) & 1))
    return build_status_list_credential(
        id=BITSTRING_URL,
        issuer="did:web:issuer.example",
        purpose="message",
        bitstring=bitstring,
        valid_from=NOW - timedelta(days=1),
    )


def message_entry(index: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{BITSTRING_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(index),
        "statusListCredential": BITSTRING_URL,
        "statusSize": 2,
        "statusMessage": MESSAGES,
        **extra,
    }


def test_status_message_of_a_two_bit_entry() -> None:
    checker = checker_for(message_list({5: 2, 6: 1}), BITSTRING_URL)
    rejected = checker.check(message_entry(5))
    assert rejected.value == 2 and rejected.status_message == "rejected"
    assert "0x2" in rejected.message and "'rejected'" in rejected.message
    assert checker.check(message_entry(6)).status_message == "accepted"
    pending = checker.check(message_entry(7))
    assert pending.state is StatusState.UNSET and pending.status_message == "pending_review"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"statusMessage": MESSAGES[:3]}, "malformed_entry"),  # one message per value of 2 bits: four
        ({"statusMessage": None}, "malformed_entry"),
        ({"statusMessage": [*MESSAGES[:3], {"status": "three", "message": "x"}]}, "malformed_entry"),
        ({"statusSize": 0}, "malformed_entry"),
    ],
)
def test_malformed_status_messages(extra: dict[str, Any], problem: str) -> None:
    checker = checker_for(message_list({5: 2}), BITSTRING_URL)
    entry = message_entry(5, **extra)
    if extra.get("statusMessage", "") is None:
        del entry["statusMessage"]
    result = checker.check(entry)
    assert result.state is StatusState.CANNOT_BE_CHECKED and result.problem == problem


def test_a_list_too_short_for_its_status_size_is_refused() -> None:
    # 131,072 bits hold only 65,536 two-bit entries; the minimum is 131,072 entries
    checker = checker_for(message_list({5: 2}, bits=MIN_BITS), BITSTRING_URL)
    result = checker.check(message_entry(5))
    assert result.state is StatusState.CANNOT_BE_CHECKED and result.problem == "malformed_list"
    assert "minimum" in result.message


def test_the_report_says_the_status_message(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = StaticFetcher({BITSTRING_URL: json.dumps(message_list({5: 2})).encode()})
    options = VerifyOptions(fetcher=fetcher, now=NOW)
    # the list is unsigned here: its proof is not what this test is about
    monkeypatch.setattr(verify_module, "_status_list_verifier", lambda options, depth: lambda credential: None)
    check = _check_status({"credentialStatus": message_entry(5)}, options, 0)
    assert check.status == "warning" and check.effect == "none"
    assert "'rejected'" in check.message and "BitstringStatusListEntry" in check.message


# -- 1EdTech Revocation List ---------------------------------------------------------------------------------------

REVOCATIONS = "https://issuer.example/revocations"
CREDENTIAL_ID = "urn:uuid:6f1b0e7c-3f1e-4e55-9f0a-5a8b7c3e2d10"


def revocation_fetcher(items: list[Any]) -> StaticFetcher:
    return StaticFetcher({REVOCATIONS: json.dumps({"id": REVOCATIONS, "revokedCredentials": items}).encode()})


ENTRY_1EDTECH = {"id": REVOCATIONS, "type": "1EdTechRevocationList"}


def test_revoked_with_a_reason() -> None:
    fetcher = revocation_fetcher([{"id": CREDENTIAL_ID, "revocationReason": "Issued in error."}])
    result = check_revocation_list(ENTRY_1EDTECH, CREDENTIAL_ID, fetcher)
    assert result.state is StatusState.SET
    assert "Reason given: Issued in error." in result.message


@pytest.mark.parametrize(
    "items",
    [[], [{"id": "urn:uuid:other"}], [{"id": CREDENTIAL_ID, "revoked": False}]],
)
def test_not_revoked(items: list[Any]) -> None:
    result = check_revocation_list(ENTRY_1EDTECH, CREDENTIAL_ID, revocation_fetcher(items))
    assert result.state is StatusState.UNSET
    assert "Not on the issuer's revocation list" in result.message


@pytest.mark.parametrize(
    ("fetcher", "problem"),
    [
        (StaticFetcher({}), "fetch"),
        (StaticFetcher({REVOCATIONS: b"<html>"}), "malformed_list"),
        (StaticFetcher({REVOCATIONS: b'{"revokedCredentials": "none"}'}), "malformed_list"),
    ],
)
def test_revocation_list_that_cannot_be_read(fetcher: StaticFetcher, problem: str) -> None:
    result = check_revocation_list(ENTRY_1EDTECH, CREDENTIAL_ID, fetcher)
    assert result.state is StatusState.CANNOT_BE_CHECKED and result.problem == problem
