"""``ecdsa-sd-2023`` (W3C Data Integrity ECDSA Cryptosuites v1.0, selective disclosure), verification.

An issuer signs a *base proof*: every canonical N-Quad of the credential, with blank nodes relabelled by an
HMAC, is either mandatory (covered by the issuer's signature over ``proofHash || ephemeral public key ||
mandatoryHash``) or signed one by one with an ephemeral P-256 key. A holder then *derives* a proof that reveals
only some statements. Both are verified here:

- **derived proof** (header ``d9 5d 01``): the spec's verification algorithm. The revealed document is
  canonicalized (RDFC-1.0), its canonical blank node labels replaced through the proof's label map, the N-Quads
  sorted; the ``mandatoryIndexes`` pick the mandatory ones. The issuer's key verifies the base signature, the
  ephemeral key each non-mandatory statement's signature.
- **base proof** (header ``d9 5d 00``), as an issuer hands it to the holder: the proof carries the HMAC key, so
  every statement can be relabelled and checked. The split between mandatory and signed-one-by-one statements
  is recovered from the signatures themselves (a statement is signed one by one exactly when the next
  per-statement signature verifies on it: a signature of another statement cannot); every statement of the
  document is then covered by the issuer's key. The mandatory JSON pointers (not signed, in the spec either)
  must each name a value of the document, and there are mandatory statements exactly when there are pointers;
  which statements each pointer selects is not recomputed (that is the holder's business when deriving).

The proof value is multibase base64url (``u``) of the header and a CBOR array (``cbor2`` decodes it). Hashes
and the HMAC follow the issuer's curve (SHA-256 for P-256, SHA-384 for P-384); the ephemeral key is P-256.
Canonicalization takes the reference path.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cbor2

from credstack.vc import jsonld, multibase
from credstack.vc.errors import InputError, ProofError
from credstack.vc.keys import Signer
from credstack.vc.suites import PROOF_TYPE
from credstack.vc.suites_ecdsa import ReferenceRdfc, ecdsa_verify, hash_for, hash_name_for

if TYPE_CHECKING:
    from credstack.vc.did import VerificationMethod

BASE_HEADER = b"\xd9\x5d\x00"
DERIVED_HEADER = b"\xd9\x5d\x01"


@dataclass(frozen=True)
class BaseProofValue:
    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: list[bytes]
    mandatory_pointers: list[str]


@dataclass(frozen=True)
class DerivedProofValue:
    base_signature: bytes
    public_key: bytes
    signatures: list[bytes]
    #: canonical label (``c14n0``) -> the label the base proof gave it (``u`` + base64url of an HMAC)
    label_map: dict[str, str]
    mandatory_indexes: list[int]


def _components(proof_value: Any) -> tuple[bytes, list[Any]]:
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise ProofError("an ecdsa-sd-2023 proofValue must be multibase base64url (starting with 'u').")
    try:
        raw = multibase.decode(proof_value)
    except InputError as exc:
        raise ProofError(f"proofValue is not valid base64url: {exc}") from exc
    header = raw[:3]
    if header not in (BASE_HEADER, DERIVED_HEADER):
        raise ProofError("proofValue has no ecdsa-sd-2023 header (0xd9 0x5d 0x00 for a base, 0x01 for a derived).")
    try:
        components = cbor2.loads(raw[3:])
    except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise ProofError(f"proofValue is not valid CBOR: {exc}") from exc
    if not isinstance(components, list) or len(components) != 5:
        raise ProofError("an ecdsa-sd-2023 proofValue must hold an array of five components.")
    return header, components


def _bytes_list(value: Any, what: str) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(item, bytes) for item in value):
        raise ProofError(f"{what} must be an array of byte strings.")
    return list(value)


def _public_key(value: Any) -> bytes:
    if not isinstance(value, bytes):
        raise ProofError("the proof-scoped public key must be a byte string.")
    codec, key = multibase.split_codec(value)
    if codec != multibase.P256_PUB or len(key) != 33:
        raise ProofError("the proof-scoped public key must be a P-256 Multikey.")
    return value


def parse_base_proof_value(proof_value: Any) -> BaseProofValue:
    header, parts = _components(proof_value)
    if header != BASE_HEADER:
        raise ProofError("not a base proof (header 0xd9 0x5d 0x00).")
    base_signature, public_key, hmac_key, signatures, pointers = parts
    if not isinstance(base_signature, bytes) or not isinstance(hmac_key, bytes) or len(hmac_key) not in (32, 48):
        raise ProofError("the base proof's signature or HMAC key is malformed.")
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise ProofError("the base proof's mandatory pointers must be strings.")
    return BaseProofValue(
        base_signature, _public_key(public_key), hmac_key, _bytes_list(signatures, "signatures"), list(pointers)
    )


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    header, parts = _components(proof_value)
    if header != DERIVED_HEADER:
        raise ProofError("not a derived proof (header 0xd9 0x5d 0x01).")
    base_signature, public_key, signatures, compressed, indexes = parts
    if not isinstance(base_signature, bytes):
        raise ProofError("the derived proof's base signature must be a byte string.")
    if not isinstance(compressed, dict) or not all(
        isinstance(k, int) and not isinstance(k, bool) and k >= 0 and isinstance(v, bytes) and len(v) in (32, 48)
        for k, v in compressed.items()
    ):
        raise ProofError("the derived proof's label map must map integers to 32-byte HMAC digests.")
    if not isinstance(indexes, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indexes
    ):
        raise ProofError("the derived proof's mandatory indexes must be non-negative integers.")
    label_map = {f"c14n{k}": multibase.encode_base64url(v) for k, v in compressed.items()}
    return DerivedProofValue(
        base_signature, _public_key(public_key), _bytes_list(signatures, "signatures"), label_map, list(indexes)
    )


class EcdsaSd2023(ReferenceRdfc):
    name = "ecdsa-sd-2023"
    proof_type = PROOF_TYPE
    proof_keeps_context = False
    key_algorithms: tuple[str, ...] = (multibase.P256, multibase.P384)

    # the transform-hash-sign interface, for what it fits: canonize_* (ReferenceRdfc's) on the proof
    # configuration and the document alone
    def hash_data(self, canonical_proof_config: bytes, canonical_document: bytes) -> bytes:
        raise ProofError("ecdsa-sd-2023 does not hash a whole document; it signs statements.")

    def sign(self, hash_data: bytes, signer: Signer) -> str:
        raise ProofError("credstack verifies ecdsa-sd-2023 proofs but does not sign with it.")

    def verify(self, hash_data: bytes, proof_value: str, public_key: bytes) -> bool:
        raise ProofError("ecdsa-sd-2023 proofs are verified statement by statement (verify_proof).")

    def check_proof_value(self, proof_value: Any) -> None:
        _components(proof_value)

    def describe_proof(self, proof_value: str) -> str:
        header, _ = _components(proof_value)
        if header == DERIVED_HEADER:
            return "derived proof: the holder disclosed part of the credential"
        return "base proof as issued: every statement disclosed"

    # verification

    def relabelled_nquads(self, document: dict[str, Any], label_for: Any, algorithm: str = multibase.P256) -> list[str]:
        """The document's canonical N-Quads, each canonical blank node label ``c14nN`` replaced by
        ``label_for("c14nN")``, sorted (labelReplacementCanonicalizeJsonLd)."""
        quads = jsonld.quads_from_dataset(jsonld.to_rdf_dataset(document, loader=self.loader))
        canonicalizer = jsonld._Canonicalizer(quads, self.budget, hash_name_for(algorithm))
        canonicalizer.run()
        labels = {node: "_:" + label_for(label[2:]) for node, label in canonicalizer.canonical.issued.items()}
        lines = {
            jsonld.serialize_quad(
                (
                    labels[s] if s.startswith("_:") else s,
                    p,
                    labels[o] if o.startswith("_:") else o,
                    labels[g] if g.startswith("_:") else g,
                )
            )
            for s, p, o, g in quads
        }
        return sorted(lines)

    def proof_hash(self, document: dict[str, Any], proof_config: dict[str, Any], algorithm: str) -> bytes:
        config = {k: v for k, v in proof_config.items() if k != "@context"}
        if "@context" in document:
            config = {"@context": document["@context"], **config}
        return hash_for(algorithm, self.canonize_for(config, algorithm, config=True))

    def verify_proof(
        self, document: dict[str, Any], proof_config: dict[str, Any], proof_value: str, method: VerificationMethod
    ) -> bool:
        header, _ = _components(proof_value)
        algorithm = method.algorithm
        if header == DERIVED_HEADER:
            derived = parse_derived_proof_value(proof_value)

            def label_for(canonical: str) -> str:
                label = derived.label_map.get(canonical)
                if label is None:
                    raise ProofError(f"the derived proof's label map has no label for the blank node {canonical}.")
                return label

            nquads = self.relabelled_nquads(document, label_for, algorithm)
            if any(i >= len(nquads) for i in derived.mandatory_indexes):
                return False
            wanted = set(derived.mandatory_indexes)
            mandatory = [nq for i, nq in enumerate(nquads) if i in wanted]
            non_mandatory = [nq for i, nq in enumerate(nquads) if i not in wanted]
            base_signature, public_key, signatures = derived.base_signature, derived.public_key, derived.signatures
        else:
            base = parse_base_proof_value(proof_value)

            def label_for(canonical: str) -> str:
                digest = hmac.new(base.hmac_key, canonical.encode("utf-8"), hash_name_for(algorithm)).digest()
                return multibase.encode_base64url(digest)

            for pointer in base.mandatory_pointers:
                if not _resolves(document, pointer):
                    raise ProofError(f"the base proof's mandatory pointer {pointer!r} names nothing in the document.")
            nquads = self.relabelled_nquads(document, label_for, algorithm)
            base_signature, public_key, signatures = base.base_signature, base.public_key, base.signatures
            mandatory, non_mandatory = _split_by_signatures(nquads, public_key, signatures)
            if bool(mandatory) != bool(base.mandatory_pointers):
                return False  # statements are mandatory exactly when pointers name some
        if len(signatures) != len(non_mandatory):
            return False
        mandatory_hash = hash_for(algorithm, "".join(mandatory).encode("utf-8"))
        sign_data = self.proof_hash(document, proof_config, algorithm) + public_key + mandatory_hash
        if not ecdsa_verify(algorithm, method.public_key, sign_data, base_signature):
            return False
        ephemeral = public_key[2:]  # after the p256-pub multicodec
        return all(
            ecdsa_verify(multibase.P256, ephemeral, statement.encode("utf-8"), signature)
            for statement, signature in zip(non_mandatory, signatures, strict=True)
        )


def _split_by_signatures(nquads: list[str], public_key: bytes, signatures: list[bytes]) -> tuple[list[str], list[str]]:
    """(mandatory, signed one by one): the per-statement signatures follow the order of their statements."""
    ephemeral = public_key[2:]
    mandatory: list[str] = []
    signed: list[str] = []
    for statement in nquads:
        position = len(signed)
        if position < len(signatures) and ecdsa_verify(
            multibase.P256, ephemeral, statement.encode("utf-8"), signatures[position]
        ):
            signed.append(statement)
        else:
            mandatory.append(statement)
    return mandatory, signed


def _resolves(document: Any, pointer: str) -> bool:
    """Whether the JSON pointer (RFC 6901) names a value in ``document``."""
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    node = document
    for raw in pointer[1:].split("/"):
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and (len(step) == 1 or not step.startswith("0")):
            if int(step) >= len(node):
                return False
            node = node[int(step)]
        else:
            return False
    return True
