"""The proof types found in the field, from their specifications' test vectors (tests/vc/vectors/, see SOURCES.md).

- ``Ed25519Signature2020``: W3C vc-di-eddsa TestVectors/Ed25519Signature2020 (the same fixture digitalbazaar's
  ed25519-signature-2020 tests with);
- ``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019``, P-256 and P-384: W3C vc-di-eddsa's sibling vc-di-ecdsa TestVectors;
- ``ecdsa-sd-2023``: the same, base proofs as issued and derived proofs (``employ``, ``prc``).

Each vector verifies, its intermediate values (canonical forms, hashes) are reproduced, and tampered copies fail:
a changed value, a changed proofValue, another key. The ``employ`` and ``prc`` credentials use the citizenship
v4rc1 context, which the product does not bundle: these tests give the suites a loader with it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credstack.vc import jsonld, multibase, suites
from credstack.vc.did import DefaultResolver, VerificationMethod
from credstack.vc.proofs import verify_proofs
from credstack.vc.suites_ecdsa import EcdsaRdfc2019, _EcdsaSuite
from credstack.vc.suites_ecdsa_sd import EcdsaSd2023, parse_base_proof_value, parse_derived_proof_value
from credstack.vc.verify import VerifyOptions, verify

VECTORS = Path(__file__).parent / "vectors"
ECDSA = VECTORS / "ecdsa"
ED2020 = VECTORS / "ed25519-signature-2020"
CITIZENSHIP = "https://w3id.org/citizenship/v4rc1"
LOADER = jsonld.make_document_loader(
    {CITIZENSHIP: json.loads((VECTORS / "contexts" / "citizenship-v4rc1.jsonld").read_text())}
)
RESOLVER = DefaultResolver()


def load(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture(autouse=True)
def citizenship_context(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    suites.suite_names()  # the field suites are registered on first use: before they are replaced here
    monkeypatch.setitem(suites._REGISTRY, "ecdsa-rdfc-2019", EcdsaRdfc2019(loader=LOADER))
    monkeypatch.setitem(suites._REGISTRY, "ecdsa-sd-2023", EcdsaSd2023(loader=LOADER))
    yield


# -- the signed vectors -----------------------------------------------------------------------------------------

SIGNED = {
    "Ed25519Signature2020": ED2020 / "signedEdSig.json",
    "ecdsa-rdfc-2019-p256": ECDSA / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json",
    "ecdsa-rdfc-2019-p256-employ": ECDSA / "ecdsa-rdfc-2019-p256" / "employ" / "signedECDSAP256.json",
    "ecdsa-rdfc-2019-p384": ECDSA / "ecdsa-rdfc-2019-p384" / "signedECDSAP384.json",
    "ecdsa-rdfc-2019-p384-employ": ECDSA / "ecdsa-rdfc-2019-p384" / "employ" / "signedECDSAP384.json",
    "ecdsa-jcs-2019-p256": ECDSA / "ecdsa-jcs-2019-p256" / "signedJCSECDSAP256.json",
    "ecdsa-jcs-2019-p384": ECDSA / "ecdsa-jcs-2019-p384" / "signedJCSECDSAP384.json",
    "ecdsa-sd-2023-employ-base": ECDSA / "ecdsa-sd-2023" / "employ" / "addSignedSDBase.json",
    "ecdsa-sd-2023-employ-derived": ECDSA / "ecdsa-sd-2023" / "employ" / "derivedRevealDocument.json",
    "ecdsa-sd-2023-prc-base": ECDSA / "ecdsa-sd-2023" / "prc" / "addSignedSDBase.json",
    "ecdsa-sd-2023-prc-derived": ECDSA / "ecdsa-sd-2023" / "prc" / "derivedRevealDocument.json",
}
SUITE_OF = {name: name.split("-p")[0] if name.startswith("ecdsa-") else name for name in SIGNED}
SUITE_OF.update({n: "ecdsa-sd-2023" for n in SIGNED if n.startswith("ecdsa-sd-2023")})


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_vector_verifies(name: str) -> None:
    [check] = verify_proofs(load(SIGNED[name]), resolver=RESOLVER)
    assert check.ok, check.message
    assert check.suite == SUITE_OF[name]
    assert f"valid {SUITE_OF[name]} signature" in check.message


def _assert_refused(doc: dict[str, Any], resolver: Any = RESOLVER) -> None:
    """The proof of ``doc`` does not verify: the report says it does not match."""
    [check] = verify_proofs(doc, resolver=resolver)
    assert not check.ok
    assert "does not match" in check.message


def _changed_value(doc: dict[str, Any]) -> None:
    subject = doc["credentialSubject"]
    key = next(k for k in ("alumniOf", "birthCountry", "givenName") if k in subject)
    subject[key] = subject[key] + "!"


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_changed_value_fails(name: str) -> None:
    doc = load(SIGNED[name])
    _changed_value(doc)
    _assert_refused(doc)


def _flip_signature(proof_value: str) -> str:
    raw = bytearray(multibase.decode(proof_value))
    if proof_value.startswith("z"):  # r || s
        raw[10] ^= 1
        return multibase.encode_base58btc(bytes(raw))
    header, components = bytes(raw[:3]), cbor2.loads(bytes(raw[3:]))
    signature = bytearray(components[0])
    signature[10] ^= 1
    components[0] = bytes(signature)
    return multibase.encode_base64url(header + cbor2.dumps(components))


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_changed_proof_value_fails(name: str) -> None:
    doc = load(SIGNED[name])
    doc["proof"]["proofValue"] = _flip_signature(doc["proof"]["proofValue"])
    _assert_refused(doc)


def _other_key(method: str) -> str:
    """A did:key of the same kind as ``method``'s, but another key."""
    encoded = method.split("#")[0][len("did:key:") :]
    algorithm, _ = multibase.decode_public_key(encoded)
    if algorithm == multibase.ED25519:
        other = "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"  # a key of the vc-di-eddsa proof-set vectors
    else:
        curve = ec.SECP256R1() if algorithm == multibase.P256 else ec.SECP384R1()
        point = ec.generate_private_key(curve).public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        other = multibase.encode_key(multibase.PUBLIC_KEY_CODECS[algorithm], point)
    return f"did:key:{other}#{other}"


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_wrong_key_fails(name: str) -> None:
    doc = load(SIGNED[name])
    doc["proof"]["verificationMethod"] = _other_key(doc["proof"]["verificationMethod"])
    _assert_refused(doc)


class OtherKeyResolver:
    """Resolves every verification method, unchanged in the proof, to another key of the same kind."""

    def resolve_verification_method(self, vm_id: str) -> VerificationMethod:
        real = RESOLVER.resolve_verification_method(vm_id)
        other = _other_key(vm_id).split("#")[1]
        algorithm, key = multibase.decode_public_key(other)
        return replace(real, public_key=key, algorithm=algorithm)


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_same_method_resolving_to_another_key_fails(name: str) -> None:
    _assert_refused(load(SIGNED[name]), OtherKeyResolver())


def test_a_key_of_another_curve_is_refused_with_a_reason() -> None:
    doc = load(SIGNED["ecdsa-rdfc-2019-p256"])
    doc["proof"]["verificationMethod"] = load(ECDSA / "ecdsa-rdfc-2019-p384" / "signedECDSAP384.json")["proof"][
        "verificationMethod"
    ]
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok
    assert "64-byte signature; a P-384 key signs 96" in check.message


def test_the_report_names_the_cryptosuite() -> None:
    report = verify(SIGNED["Ed25519Signature2020"].read_bytes(), options=VerifyOptions())
    proof = report.check("proof")
    assert proof is not None and proof.status == "passed"
    assert proof.name == "Proof (Ed25519Signature2020)"
    report = verify(SIGNED["ecdsa-jcs-2019-p384"].read_bytes(), options=VerifyOptions())
    proof = report.check("proof")
    assert proof is not None and proof.status == "passed" and proof.name == "Proof (ecdsa-jcs-2019)"


# -- intermediate values ----------------------------------------------------------------------------------------

STEPS = [
    # (suite, folder, suffix, canonical document file, JSON or N-Quads canonical form)
    ("Ed25519Signature2020", ED2020, "EdSig", "canonDocEdSig.txt"),
    ("ecdsa-rdfc-2019", ECDSA / "ecdsa-rdfc-2019-p256", "ECDSAP256", "canonDocECDSAP256.txt"),
    ("ecdsa-rdfc-2019", ECDSA / "ecdsa-rdfc-2019-p256" / "employ", "ECDSAP256", "canonDocECDSAP256.txt"),
    ("ecdsa-rdfc-2019", ECDSA / "ecdsa-rdfc-2019-p384", "ECDSAP384", "canonDocECDSAP384.txt"),
    ("ecdsa-rdfc-2019", ECDSA / "ecdsa-rdfc-2019-p384" / "employ", "ECDSAP384", "canonDocECDSAP384.txt"),
    ("ecdsa-jcs-2019", ECDSA / "ecdsa-jcs-2019-p256", "JCSECDSAP256", "canonDocJCSECDSAP256.txt"),
    ("ecdsa-jcs-2019", ECDSA / "ecdsa-jcs-2019-p384", "JCSECDSAP384", "canonDocJCSECDSAP384.txt"),
]


@pytest.mark.parametrize(("suite_name", "folder", "suffix", "canon_doc"), STEPS, ids=lambda v: str(v)[-40:])
def test_canonical_forms_and_hashes(suite_name: str, folder: Path, suffix: str, canon_doc: str) -> None:
    suite = suites.get_suite(suite_name)
    signed = load(next(folder.glob("signed*.json")))
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    config = load(folder / f"proofConfig{suffix}.json")
    if suffix.endswith("P384"):
        # RDFC-1.0 labels blank nodes with SHA-384 for P-384 (the employ vector has three blank nodes)
        assert isinstance(suite, _EcdsaSuite)
        canonical_doc = suite.canonize_for(unsecured, multibase.P384)
        canonical_config = suite.canonize_for(config, multibase.P384, config=True)
    else:
        canonical_doc, canonical_config = suite.canonize_document(unsecured), suite.canonize_proof_config(config)
    assert canonical_doc.decode() == (folder / canon_doc).read_text()
    assert canonical_config.decode() == (folder / f"proofCanon{suffix}.txt").read_text()
    digest = hashlib.sha384 if suffix.endswith("P384") else hashlib.sha256
    combined = digest(canonical_config).digest() + digest(canonical_doc).digest()
    assert combined.hex() == (folder / f"combinedHash{suffix}.txt").read_text().strip()
    signature = multibase.decode(signed["proof"]["proofValue"])
    assert signature.hex() == (folder / f"sigHex{suffix}.txt").read_text().strip()


@pytest.mark.parametrize("case", ["employ", "prc"])
def test_sd_derived_statements_and_hashes(case: str) -> None:
    folder = ECDSA / "ecdsa-sd-2023" / case
    suite = EcdsaSd2023(loader=LOADER)
    revealed = load(folder / "derivedRevealDocument.json")
    proof = revealed.pop("proof")
    derived = parse_derived_proof_value(proof["proofValue"])
    verify_data = load(folder / "verifyCreateVerifyData.json")
    assert derived.base_signature.hex() == verify_data["baseSignature"]
    assert [s.hex() for s in derived.signatures] == verify_data["signatures"]
    nquads = suite.relabelled_nquads(revealed, derived.label_map.__getitem__)
    assert nquads == load(folder / "verifyNQuads.json")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    assert suite.proof_hash(revealed, config, multibase.P256).hex() == verify_data["proofHash"]
    mandatory = [nq for i, nq in enumerate(nquads) if i in derived.mandatory_indexes]
    assert hashlib.sha256("".join(mandatory).encode()).hexdigest() == verify_data["mandatoryHash"]
    non_mandatory = [nq for i, nq in enumerate(nquads) if i not in derived.mandatory_indexes]
    assert non_mandatory == verify_data["nonMandatory"]


@pytest.mark.parametrize("case", ["employ", "prc"])
def test_sd_base_statements_and_hashes(case: str) -> None:
    import hmac

    folder = ECDSA / "ecdsa-sd-2023" / case
    suite = EcdsaSd2023(loader=LOADER)
    signed = load(folder / "addSignedSDBase.json")
    proof = signed.pop("proof")
    base = parse_base_proof_value(proof["proofValue"])
    assert base.hmac_key.hex().upper() == load(ECDSA / "ecdsa-sd-2023" / "SDKeyMaterial.json")["hmacKeyString"]
    mandatory = "employMandatory.json" if case == "employ" else "prCredMandatory.json"
    assert base.mandatory_pointers == load(ECDSA / mandatory)
    assert [v["pointer"] for v in load(folder / "addPointerValues.json")] == base.mandatory_pointers

    def label_for(canonical: str) -> str:
        return multibase.encode_base64url(hmac.new(base.hmac_key, canonical.encode(), "sha256").digest())

    assert suite.relabelled_nquads(signed, label_for) == load(folder / "addBaseDocHMACCanon.json")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    assert suite.proof_hash(signed, config, multibase.P256).hex() == load(folder / "addHashData.json")["proofHash"]


def test_sd_derived_proof_cannot_smuggle_an_undisclosed_statement() -> None:
    # adding a statement the issuer signed nothing for: the signatures no longer line up
    doc = load(SIGNED["ecdsa-sd-2023-employ-derived"])
    doc["credentialSubject"]["givenName"] = "JOHN"
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok


@pytest.mark.parametrize(
    ("proof_value", "message"),
    [
        ("zabc", "must be multibase base64url"),
        ("u" + "AAAA", "header"),
        (multibase.encode_base64url(b"\xd9\x5d\x01" + b"\xff"), "CBOR"),
        (multibase.encode_base64url(b"\xd9\x5d\x01" + cbor2.dumps([1, 2])), "five components"),
    ],
)
def test_sd_malformed_proof_values_are_named(proof_value: str, message: str) -> None:
    doc = load(SIGNED["ecdsa-sd-2023-employ-derived"])
    doc["proof"]["proofValue"] = proof_value
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok
    assert message in check.message


def test_vectors_are_not_changed_by_verification() -> None:
    doc = load(SIGNED["ecdsa-sd-2023-prc-base"])
    before = copy.deepcopy(doc)
    verify_proofs(doc, resolver=RESOLVER)
    assert doc == before


@pytest.mark.parametrize(
    ("pointers", "message"),
    [(["/credentialSubject/nosuchthing"], "names nothing"), ([], "does not match")],
)
def test_sd_base_proof_with_other_mandatory_pointers_fails(pointers: list[str], message: str) -> None:
    # the pointers are not signed; they must still name values of the document, and statements are mandatory
    # exactly when there are pointers
    doc = load(SIGNED["ecdsa-sd-2023-employ-base"])
    raw = multibase.decode(doc["proof"]["proofValue"])
    components = cbor2.loads(raw[3:])
    components[4] = pointers
    doc["proof"]["proofValue"] = multibase.encode_base64url(raw[:3] + cbor2.dumps(components))
    [check] = verify_proofs(doc, resolver=RESOLVER)
    assert not check.ok
    assert message in check.message
