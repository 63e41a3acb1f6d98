"""VerifiedLists: a status list verified by an earlier checker is reused only while nothing it rests on changed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from tests.vc.test_statuslist import LIST_URL, NOW, entry, make_list

from credstack.vc.errors import ProofError
from credstack.vc.fetch import FetchResult
from credstack.vc.statuslist import RecordingFetcher, StatusChecker, StatusState, VerifiedLists

KEYS_URL = "https://credstack.example/did.json"


class Documents:
    """The documents as they are now (a test changes them between checks)."""

    def __init__(self, **documents: bytes) -> None:
        self.documents = {LIST_URL: documents["status"], KEYS_URL: documents["keys"]}

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        return FetchResult(url, self.documents[url])


class ListVerifier:
    """Stands for the proof check of the list: reads the key document through the fetcher it is given."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, fetcher: Any) -> Any:
        def verify_list(credential: dict[str, Any]) -> None:
            self.calls += 1
            if fetcher.fetch(KEYS_URL).body != b"good key":
                raise ProofError("the key that signed the list is not listed")

        return verify_list


def check(documents: Documents, memo: VerifiedLists, verifier: ListVerifier, when: Any = NOW) -> Any:
    """One verification: a fresh recording fetcher and checker, as verify() makes them, sharing ``memo``."""
    fetcher = RecordingFetcher(documents)
    checker = StatusChecker(fetcher, verifier(fetcher), clock=lambda: when, verified_lists=memo)
    return checker.check(entry(7))


def test_an_unchanged_list_is_verified_once() -> None:
    documents, memo, verifier = Documents(status=make_list(), keys=b"good key"), VerifiedLists(), ListVerifier()
    assert check(documents, memo, verifier).state is StatusState.SET
    assert check(documents, memo, verifier).state is StatusState.SET
    assert verifier.calls == 1


def test_a_changed_bit_is_seen_at_once() -> None:
    documents, memo, verifier = Documents(status=make_list(), keys=b"good key"), VerifiedLists(), ListVerifier()
    assert check(documents, memo, verifier).state is StatusState.SET
    documents.documents[LIST_URL] = make_list(indices=(8,))
    assert check(documents, memo, verifier).state is StatusState.UNSET
    assert verifier.calls == 2


def test_a_changed_key_document_is_seen_at_once() -> None:
    documents, memo, verifier = Documents(status=make_list(), keys=b"good key"), VerifiedLists(), ListVerifier()
    assert check(documents, memo, verifier).state is StatusState.SET
    documents.documents[KEYS_URL] = b"key retired"
    result = check(documents, memo, verifier)
    assert result.state is StatusState.CANNOT_BE_CHECKED and "not listed" in result.message


def test_an_earlier_time_or_an_expiring_proof_is_verified_again() -> None:
    documents, memo, verifier = Documents(status=make_list(), keys=b"good key"), VerifiedLists(), ListVerifier()
    check(documents, memo, verifier)
    check(documents, memo, verifier, NOW - timedelta(hours=1))
    assert verifier.calls == 2
    expiring = json.loads(make_list())
    expiring["proof"] = {"type": "DataIntegrityProof", "expires": "2030-01-01T00:00:00Z"}
    documents.documents[LIST_URL] = json.dumps(expiring).encode()
    check(documents, memo, verifier)
    check(documents, memo, verifier)
    assert verifier.calls == 4


def test_without_a_recording_fetcher_nothing_is_kept() -> None:
    documents, memo, verifier = Documents(status=make_list(), keys=b"good key"), VerifiedLists(), ListVerifier()
    for _ in range(2):
        StatusChecker(documents, verifier(documents), clock=lambda: NOW, verified_lists=memo).check(entry(7))
    assert verifier.calls == 2
