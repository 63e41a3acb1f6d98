"""Proofs signed by digitalbazaar's JavaScript implementations verify here, and fail when tampered with.

tests/interop/sign.mjs signs, offline and with fresh keys, with the npm packages
``@digitalbazaar/ecdsa-rdfc-2019-cryptosuite`` and ``ecdsa-jcs-2019-cryptosuite`` (P-256 and P-384),
``ecdsa-sd-2023-cryptosuite`` (a base proof with mandatory pointers, and a proof derived from it that discloses
part of an Open Badge) and ``ed25519-signature-2020`` (did:key, and did:web with an Ed25519VerificationKey2020,
VC 1.1 and 2.0). Contexts come from credstack's bundle. Without Node the test skips locally and fails in CI; the
packages are installed with ``npm ci`` from tests/interop/package-lock.json (the npm registry is needed once).
"""

from __future__ import annotations

import copy
import json
import subprocess
from typing import Any

import pytest
from tests.conftest import INTEROP, bundled_contexts, interop_node

from credstack.vc import multibase
from credstack.vc.did import DefaultResolver, did_web_to_url
from credstack.vc.fetch import StaticFetcher
from credstack.vc.proofs import verify_proofs
from credstack.vc.verify import VerifyOptions, verify

EXPECTED = {
    "ecdsa-rdfc-2019-P-256": "ecdsa-rdfc-2019",
    "ecdsa-rdfc-2019-P-384": "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019-P-256": "ecdsa-jcs-2019",
    "ecdsa-jcs-2019-P-384": "ecdsa-jcs-2019",
    "ecdsa-sd-2023-base": "ecdsa-sd-2023",
    "ecdsa-sd-2023-derived": "ecdsa-sd-2023",
    "Ed25519Signature2020-did-key": "Ed25519Signature2020",
    "Ed25519Signature2020-did-web-vc1": "Ed25519Signature2020",
    "Ed25519Signature2020-did-web-vc2": "Ed25519Signature2020",
}


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    node = interop_node()
    contexts = tmp_path_factory.mktemp("interop") / "contexts.json"
    contexts.write_text(json.dumps(bundled_contexts()))
    result = subprocess.run([node, "sign.mjs", str(contexts)], cwd=INTEROP, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return {case["name"]: case for case in json.loads(result.stdout)["cases"]}


def resolver_for(case: dict[str, Any]) -> DefaultResolver:
    served = {did_web_to_url(did): json.dumps(doc).encode() for did, doc in case["documents"].items()}
    return DefaultResolver(fetcher=StaticFetcher(served))


def test_every_case_was_signed(signed: dict[str, dict[str, Any]]) -> None:
    assert set(signed) == {*EXPECTED, "Ed25519Signature2020-presentation"}


def test_ed25519_signature_2020_presentation_verifies(signed: dict[str, dict[str, Any]]) -> None:
    # what the DCC Learner Credential Wallet sends: a presentation signed for authentication, with a challenge
    presentation = signed["Ed25519Signature2020-presentation"]["credential"]
    assert presentation["proof"]["challenge"] == "c0ae1c8e-c7e7-469f-b252-86e6a0e7387e"
    [check] = verify_proofs(presentation, resolver=DefaultResolver(), expected_proof_purpose="authentication")
    assert check.ok, check.message
    presentation = copy.deepcopy(presentation)
    presentation["proof"]["challenge"] = "another"  # the challenge is signed
    [check] = verify_proofs(presentation, resolver=DefaultResolver(), expected_proof_purpose="authentication")
    assert not check.ok


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_javascript_signed_proof_verifies(signed: dict[str, dict[str, Any]], name: str) -> None:
    case = signed[name]
    [check] = verify_proofs(case["credential"], resolver=resolver_for(case))
    assert check.ok, check.message
    assert check.suite == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_javascript_signed_proof_tampered_fails(signed: dict[str, dict[str, Any]], name: str) -> None:
    case = signed[name]
    changed = copy.deepcopy(case["credential"])
    if "achievement" in json.dumps(changed.get("credentialSubject")):
        changed["credentialSubject"]["achievement"]["name"] = "Leadership"
    else:
        changed["credentialSubject"]["alumniOf"] = "Another School"
    [check] = verify_proofs(changed, resolver=resolver_for(case))
    assert not check.ok and "does not match" in check.message

    flipped = copy.deepcopy(case["credential"])
    value = flipped["proof"]["proofValue"]
    raw = bytearray(multibase.decode(value))
    raw[-5] ^= 1  # the last signature's bytes (r || s, or the CBOR's last signature)
    flipped["proof"]["proofValue"] = (
        multibase.encode_base58btc(bytes(raw)) if value.startswith("z") else multibase.encode_base64url(bytes(raw))
    )
    [check] = verify_proofs(flipped, resolver=resolver_for(case))
    assert not check.ok


def test_the_derived_proof_disclosed_only_what_was_selected(signed: dict[str, dict[str, Any]]) -> None:
    derived = signed["ecdsa-sd-2023-derived"]["credential"]
    assert "description" not in derived["credentialSubject"]["achievement"]
    report = verify(json.dumps(derived).encode(), options=VerifyOptions())
    proof = report.check("proof")
    assert proof is not None and proof.status == "passed" and proof.name == "Proof (ecdsa-sd-2023)"
    assert "derived proof" in proof.message


def test_did_web_ed25519_verification_key_2020_report(signed: dict[str, dict[str, Any]]) -> None:
    case = signed["Ed25519Signature2020-did-web-vc2"]
    served = {did_web_to_url(did): json.dumps(doc).encode() for did, doc in case["documents"].items()}
    report = verify(json.dumps(case["credential"]).encode(), options=VerifyOptions(fetcher=StaticFetcher(served)))
    assert report.verdict == "valid", report.reasons
    assert report.check("proof") is not None
    assert status_of(report, "issuer_controller") == "passed"


def status_of(report: Any, check_id: str) -> str:
    found = report.check(check_id)
    assert found is not None
    return str(found.status)
