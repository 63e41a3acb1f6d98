"""1EdTech OB 3.0 / CLR 2.0 linked-data-proof vectors (tests/vc/vectors/ob3, see SOURCES.md)."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from credstack.vc import jsonld
from credstack.vc.did import DefaultResolver
from credstack.vc.fetch import StaticFetcher
from credstack.vc.keys import Ed25519Key
from credstack.vc.proofs import add_proof, verify_proofs

VECTORS = Path(__file__).parent / "vectors" / "ob3"
ISSUER = "https://example.edu/issuers/565049"
CASES = [("obv3p0", "ob"), ("clrv2p0", "clr")]


def load(folder: str, name: str) -> Any:
    return json.loads((VECTORS / folder / name).read_text(encoding="utf-8"))


def key_of(values: dict[str, str]) -> Ed25519Key:
    # the "private key" hex of the vectors is seed || public key
    private = bytes.fromhex(values["private-key-hex"])
    key = Ed25519Key.from_private_bytes(private[:32], controller=ISSUER)
    assert key.public_key_bytes.hex() == values["public-key-hex"] == private[32:].hex()
    return key


def issuer_profile(key: Ed25519Key) -> bytes:
    profile = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": ISSUER,
        "type": "Profile",
        "name": "Example Corp",
        "verificationMethod": [key.to_multikey()],
    }
    return json.dumps(profile).encode()


@pytest.mark.parametrize(("folder", "prefix"), CASES)
def test_canonical_forms_reproduce(folder: str, prefix: str) -> None:
    values = load(folder, f"{prefix}-values.json")
    unsigned = load(folder, f"{prefix}-unsigned-credential.json")
    proof = load(folder, f"{prefix}-proof.json")
    config = {"@context": unsigned["@context"], **{k: v for k, v in proof.items() if k != "proofValue"}}
    document_canon = jsonld.to_nquads(unsigned)
    proof_canon = jsonld.to_nquads(config)
    assert document_canon == (VECTORS / folder / "document-canon.txt").read_text(encoding="utf-8")
    assert proof_canon == (VECTORS / folder / "proof-canon.txt").read_text(encoding="utf-8")
    assert hashlib.sha256(document_canon.encode()).hexdigest() == values["document-hash"]
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == values["proof-hash"]


@pytest.mark.parametrize(("folder", "prefix"), CASES)
def test_signing_reproduces_proof_value(folder: str, prefix: str) -> None:
    values = load(folder, f"{prefix}-values.json")
    proof = load(folder, f"{prefix}-proof.json")
    key = key_of(values)
    assert key.verification_method_id == proof["verificationMethod"]
    signed = add_proof(load(folder, f"{prefix}-unsigned-credential.json"), key, created=proof["created"])
    assert signed["proof"]["proofValue"] == values["proof-value"] == proof["proofValue"]
    assert key.sign(bytes.fromhex(values["data"])).hex() == values["signature"]


@pytest.mark.parametrize(("folder", "prefix"), CASES)
def test_signed_credential_verifies_through_issuer_profile(folder: str, prefix: str) -> None:
    key = key_of(load(folder, f"{prefix}-values.json"))
    resolver = DefaultResolver(StaticFetcher({ISSUER: issuer_profile(key)}))
    signed = load(folder, f"{prefix}-signed-credential.json")
    [check] = verify_proofs(signed, resolver=resolver)
    assert check.ok, check.message
    assert check.controller == ISSUER

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["id"] = "did:example:someone-else"
    [check] = verify_proofs(tampered, resolver=resolver)
    assert not check.ok


def test_signed_credential_without_fetcher_cannot_resolve_key() -> None:
    [check] = verify_proofs(load("obv3p0", "ob-signed-credential.json"), resolver=DefaultResolver())
    assert not check.ok
    assert "cannot be resolved" in check.message and "not allowed" in check.message
