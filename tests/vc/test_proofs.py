"""add_proof / verify_proofs: tampering, bad input, suites."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.vc.did import DefaultResolver
from credstack.vc.errors import ProofError
from credstack.vc.keys import Ed25519Key
from credstack.vc.proofs import add_proof, verify_proofs

KEY = Ed25519Key.generate(bytes(range(32)))
RESOLVER = DefaultResolver()
CREATED = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6a1f0d52-1c1e-4b8a-9d0e-7c1b2a3f4e5d",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": KEY.did_key, "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-05-01T00:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works well in a team.",
                "criteria": {"narrative": "Peer nominated."},
            },
        },
    }


SIGNED = {
    suite: add_proof(credential(), KEY, suite=suite, created=CREATED) for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022")
}


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))]
    return [path]


def replace(doc: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return doc


def test_signed_credentials_verify() -> None:
    for suite, signed in SIGNED.items():
        [check] = verify_proofs(signed, resolver=RESOLVER, now=CREATED)
        assert check.ok, check.message
        assert check.suite == suite and check.controller == KEY.did_key


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(SIGNED)), st.data())
def test_changing_any_single_value_breaks_the_proof(suite: str, data: st.DataObject) -> None:
    signed = SIGNED[suite]
    path = data.draw(st.sampled_from([p for p in leaves(signed) if p != ("proof", "proofValue")]))
    old = signed
    for step in path:
        old = old[step]
    new = data.draw(st.text(max_size=12).filter(lambda s: s != old))
    [check] = verify_proofs(replace(signed, path, new), resolver=RESOLVER)
    assert not check.ok, (path, new)


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda p: p.update(cryptosuite="bbs-2023"), "not accepted"),
        (lambda p: p.update(cryptosuite="ecdsa-rdfc-2019"), "is an Ed25519 key; ecdsa-rdfc-2019 verifies with P-256"),
        (lambda p: p.update(proofValue="not-multibase"), "proofValue"),
        (lambda p: p.update(proofValue="z111"), "64"),
        (lambda p: p.update(proofValue=42), "proofValue"),
        (lambda p: p.update(type="RsaSignature2018"), "unsupported proof type"),
        (lambda p: p.update(type="Ed25519Signature2020"), "not defined"),  # the suite context is missing
        (lambda p: p.update(proofPurpose="authentication"), "purpose"),
        (lambda p: p.update(verificationMethod="did:web:unreachable.example#key-1"), "cannot be resolved"),
        (lambda p: p.update(verificationMethod="ftp://x"), "Unsupported verification method"),
        (lambda p: p.update(created="yesterday"), "dateTime"),
        (lambda p: p.update(previousProof="urn:uuid:none"), "previousProof"),
    ],
)
def test_readable_failures(mutation: Any, message: str) -> None:
    doc = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    mutation(doc["proof"])
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok
    assert message in check.message


def test_accepted_suites_is_explicit() -> None:
    [check] = verify_proofs(SIGNED["eddsa-jcs-2022"], resolver=RESOLVER, accepted_suites=["eddsa-rdfc-2022"])
    assert not check.ok and "not accepted" in check.message


def test_validity_of_proof_dates() -> None:
    [check] = verify_proofs(SIGNED["eddsa-rdfc-2022"], resolver=RESOLVER, now=CREATED - dt.timedelta(days=1))
    assert not check.ok and "future" in check.message
    expiring = add_proof(credential(), KEY, created=CREATED, expires=CREATED + dt.timedelta(days=1))
    [check] = verify_proofs(expiring, resolver=RESOLVER, now=CREATED + dt.timedelta(days=2))
    assert not check.ok and "expired" in check.message


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        "text",
        {"no": "proof"},
        {"proof": "x"},
        {"proof": [1, None]},
        {"@context": 5, "proof": {"type": "DataIntegrityProof"}},
    ],
)
def test_verify_never_raises_on_junk(doc: Any) -> None:
    checks = verify_proofs(doc, resolver=RESOLVER)
    assert checks and not any(check.ok for check in checks)


def test_undefined_term_fails_the_check_with_its_name() -> None:
    doc = add_proof(credential(), KEY, created=CREATED)
    doc["credentialSubject"]["shoeSize"] = 44
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok and "shoeSize" in check.message


def test_add_proof_appends_and_does_not_mutate() -> None:
    original = copy.deepcopy(SIGNED["eddsa-rdfc-2022"])
    other = Ed25519Key.generate(bytes([7] * 32))
    both = add_proof(original, other, created=CREATED)
    assert original == SIGNED["eddsa-rdfc-2022"]
    assert isinstance(both["proof"], list) and len(both["proof"]) == 2
    assert [c.ok for c in verify_proofs(both, resolver=RESOLVER)] == [True, True]


def test_add_proof_errors() -> None:
    with pytest.raises(ProofError, match="Unknown cryptosuite"):
        add_proof(credential(), KEY, suite="nope")
    with pytest.raises(ProofError, match="timezone"):
        add_proof(credential(), KEY, created=dt.datetime(2024, 1, 1))
