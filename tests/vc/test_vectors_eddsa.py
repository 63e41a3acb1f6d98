"""W3C vc-di-eddsa test vectors (tests/vc/vectors/eddsa, see SOURCES.md): byte-exact reproduction."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from credstack.vc import jsonld
from credstack.vc.did import DefaultResolver
from credstack.vc.keys import Ed25519Key
from credstack.vc.proofs import add_proof, verify_proofs
from credstack.vc.suites import get_suite

VECTORS = Path(__file__).parent / "vectors" / "eddsa"
RESOLVER = DefaultResolver()


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def text(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


def vector_key() -> Ed25519Key:
    pair = load("keyPair.json")
    return Ed25519Key.from_multibase(pair["publicKeyMultibase"], pair["privateKeyMultibase"])


SUITES = [
    ("eddsa-rdfc-2022", "eddsa-rdfc-2022/{}DataInt.{}"),
    ("eddsa-jcs-2022", "eddsa-jcs-2022/{}JCS.{}"),
]


def test_key_pair_matches_multikey_encoding() -> None:
    pair = load("keyPair.json")
    key = vector_key()
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    assert key.secret_key_multibase == pair["privateKeyMultibase"]
    assert key.verification_method_id == f"did:key:{pair['publicKeyMultibase']}#{pair['publicKeyMultibase']}"


@pytest.mark.parametrize(("suite", "pattern"), SUITES)
def test_intermediate_values(suite: str, pattern: str) -> None:
    cryptosuite = get_suite(suite)
    unsigned = load("unsigned.json")
    config = load(pattern.format("proofConfig", "json"))
    canon_doc = cryptosuite.canonize_document(unsigned)
    canon_proof = cryptosuite.canonize_proof_config(config)
    assert canon_doc.decode() == text(pattern.format("canonDoc", "txt"))
    assert canon_proof.decode() == text(pattern.format("proofCanon", "txt"))
    assert hashlib.sha256(canon_doc).hexdigest() == text(pattern.format("docHash", "txt")).strip()
    assert hashlib.sha256(canon_proof).hexdigest() == text(pattern.format("proofHash", "txt")).strip()
    combined = cryptosuite.hash_data(canon_proof, canon_doc)
    assert combined.hex() == text(pattern.format("combinedHash", "txt")).strip()
    signature = vector_key().sign(combined)
    assert signature.hex() == text(pattern.format("sigHex", "txt")).strip()


@pytest.mark.parametrize(("suite", "pattern"), SUITES)
def test_sign_reproduces_signed_vector(suite: str, pattern: str) -> None:
    config = load(pattern.format("proofConfig", "json"))
    signed = add_proof(load("unsigned.json"), vector_key(), suite=suite, created=config["created"])
    expected = load(pattern.format("signed", "json"))
    assert signed["proof"]["proofValue"] == text(pattern.format("sigBTC58", "txt")).strip()
    assert signed == expected


@pytest.mark.parametrize(("suite", "pattern"), SUITES)
def test_signed_vector_verifies_and_tampered_copies_fail(suite: str, pattern: str) -> None:
    signed = load(pattern.format("signed", "json"))
    [check] = verify_proofs(signed, resolver=RESOLVER)
    assert check.ok, check.message
    assert check.controller == vector_key().did_key

    tampered_subject = copy.deepcopy(signed)
    tampered_subject["credentialSubject"]["alumniOf"] = "The School of Counterfeits"
    tampered_date = copy.deepcopy(signed)
    tampered_date["proof"]["created"] = "2023-02-24T23:36:39Z"
    tampered_signature = copy.deepcopy(signed)
    tampered_signature["proof"]["proofValue"] = add_proof(
        load("unsigned.json"), Ed25519Key.generate(bytes(32)), suite=suite, created="2023-02-24T23:36:38Z"
    )["proof"]["proofValue"]
    for tampered in (tampered_subject, tampered_date, tampered_signature):
        [check] = verify_proofs(tampered, resolver=RESOLVER)
        assert not check.ok
        assert "signature does not match" in check.message


def test_employ_vector_from_canonical_forms() -> None:
    # The employ/ document uses https://w3id.org/citizenship/v4rc1, which is not bundled: start from
    # the published canonical forms and check hashing and signing byte for byte.
    cryptosuite = get_suite("eddsa-rdfc-2022")
    canon_doc = (VECTORS / "eddsa-rdfc-2022/employ/canonDocDataInt.txt").read_bytes()
    canon_proof = (VECTORS / "eddsa-rdfc-2022/employ/proofCanonDataInt.txt").read_bytes()
    assert hashlib.sha256(canon_doc).hexdigest() == text("eddsa-rdfc-2022/employ/docHashDataInt.txt").strip()
    combined = cryptosuite.hash_data(canon_proof, canon_doc)
    assert combined.hex() == text("eddsa-rdfc-2022/employ/combinedHashDataInt.txt").strip()
    proof_value = cryptosuite.sign(combined, vector_key())
    assert proof_value == text("eddsa-rdfc-2022/employ/sigBTC58DataInt.txt").strip()
    signed = load("eddsa-rdfc-2022/employ/signedDataInt.json")
    assert signed["proof"]["proofValue"] == proof_value
    assert cryptosuite.verify(combined, proof_value, vector_key().public_key_bytes)
    assert not cryptosuite.verify(combined[:-1] + b"\0", proof_value, vector_key().public_key_bytes)


def test_employ_vector_reports_unbundled_context() -> None:
    [check] = verify_proofs(load("eddsa-rdfc-2022/employ/signedDataInt.json"), resolver=RESOLVER)
    assert not check.ok
    assert "citizenship/v4rc1" in check.message and "not bundled" in check.message


# proof sets and chains --------------------------------------------------------------------------

CHAIN = "proof-set-chain/"


def chain_keys() -> dict[str, Ed25519Key]:
    pairs = load(CHAIN + "multiKeyPairs.json")
    return {
        name: Ed25519Key.from_multibase(pair["publicKeyMultibase"], pair["privateKeyMultibase"])
        for name, pair in pairs.items()
    }


def _sign_with_config(doc: dict[str, Any], key: Ed25519Key, config: dict[str, Any]) -> dict[str, Any]:
    assert config["verificationMethod"] == key.verification_method_id
    return add_proof(
        doc,
        key,
        created=config["created"],
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
        proof_purpose=config["proofPurpose"],
    )


def test_proof_set_and_chain_reproduce_vectors() -> None:
    keys = chain_keys()
    doc = load(CHAIN + "unsigned.json")
    steps = [
        ("keyPair1", "proofSetConfig1.json", "proofSetConfigSigned1.json", "signedProofSet1.json"),
        ("keyPair2", "proofSetConfig2.json", None, "signedProofSet2.json"),
        ("keyPair3", "proofChainConfig1.json", "proofChainConfigSigned1.json", "signedProofChain1.json"),
        ("keyPair4", "proofChainConfig2.json", "proofChainConfigSigned2.json", "signedProofChain2.json"),
    ]
    for key_name, config_name, signed_config_name, expected_name in steps:
        doc = _sign_with_config(doc, keys[key_name], load(CHAIN + config_name))
        assert doc == load(CHAIN + expected_name), expected_name
        if signed_config_name:
            last = doc["proof"][-1] if isinstance(doc["proof"], list) else doc["proof"]
            assert last == load(CHAIN + signed_config_name)


def test_chain_signs_the_temporary_documents() -> None:
    # proofChainTempDoc{1,2}: the document as the chained proof signs it (previous proofs included)
    signed = load(CHAIN + "signedProofChain2.json")
    cryptosuite = get_suite("eddsa-rdfc-2022")
    for index, temp in ((2, "proofChainTempDoc1.json"), (3, "proofChainTempDoc2.json")):
        proof = signed["proof"][index]
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        config["@context"] = signed["@context"]
        data = cryptosuite.hash_data(
            cryptosuite.canonize_proof_config(config), cryptosuite.canonize_document(load(CHAIN + temp))
        )
        public = Ed25519Key.from_multibase(proof["verificationMethod"].split("#")[1]).public_key_bytes
        assert cryptosuite.verify(data, proof["proofValue"], public)


@pytest.mark.parametrize(
    "name", ["signedProofSet1.json", "signedProofSet2.json", "signedProofChain1.json", "signedProofChain2.json"]
)
def test_proof_sets_and_chains_verify(name: str) -> None:
    checks = verify_proofs(load(CHAIN + name), resolver=RESOLVER)
    assert checks and all(check.ok for check in checks), [c.message for c in checks]


def test_tampered_chain_fails_only_where_it_should() -> None:
    signed = load(CHAIN + "signedProofChain2.json")
    # changing an earlier proof breaks that proof and every proof chained to it, not the other set member
    signed["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    oks = [check.ok for check in verify_proofs(signed, resolver=RESOLVER)]
    assert oks == [False, True, False, True]
    # the last proof only chains to the third one, whose content is unchanged

    missing = load(CHAIN + "signedProofChain2.json")
    del missing["proof"][2]
    checks = verify_proofs(missing, resolver=RESOLVER)
    assert not checks[-1].ok and "previousProof" in checks[-1].message


def test_canonical_form_is_cached_consistently() -> None:
    doc = load("unsigned.json")
    assert jsonld.to_nquads(doc) == jsonld.to_nquads(copy.deepcopy(doc)) == text("eddsa-rdfc-2022/canonDocDataInt.txt")
