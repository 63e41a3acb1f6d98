"""``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019`` (W3C Data Integrity ECDSA Cryptosuites v1.0), verification.

Keys are P-256 or P-384 Multikeys (``zDn…``, ``z82…``: the compressed point after the ``p256-pub`` /
``p384-pub`` multicodec). The transformation is that of the EdDSA suites (RDFC-1.0 or JCS, the proof
configuration with the document's ``@context``), but the hash follows the curve: SHA-256 for P-256 and SHA-384
for P-384, ``hash(proof configuration) || hash(document)``. The signature is ECDSA with the same hash over those
bytes, written as IEEE P1363 ``r || s`` (64 or 96 bytes) in base58btc (``z``). ECDSA itself comes from
``cryptography`` (OpenSSL). Canonicalization takes the reference path (the fast path stays EdDSA's).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credstack.vc import jsonld, multibase
from credstack.vc.errors import InputError, ProofError
from credstack.vc.keys import Signer
from credstack.vc.suites import PROOF_TYPE, _jcs, _key, _rdfc_proof_config

if TYPE_CHECKING:
    from credstack.vc.did import VerificationMethod

_CURVES: dict[str, tuple[ec.EllipticCurve, hashes.HashAlgorithm, int]] = {
    # algorithm: (curve, hash of the suite and of the signature, bytes of r || s)
    multibase.P256: (ec.SECP256R1(), hashes.SHA256(), 64),
    multibase.P384: (ec.SECP384R1(), hashes.SHA384(), 96),
}


def ecdsa_verify(algorithm: str, public_key: bytes, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (P1363 ``r || s``) is the ``algorithm`` key's ECDSA signature of ``data``, hashed
    with the curve's hash (SHA-256 for P-256, SHA-384 for P-384)."""
    if algorithm not in _CURVES:
        raise ProofError(f"ECDSA needs a P-256 or P-384 key, not {algorithm}.")
    curve, digest, length = _CURVES[algorithm]
    if len(signature) != length:
        return False
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve, public_key)
    except ValueError as exc:
        raise ProofError(f"The {algorithm} public key is not a point of the curve: {exc}") from exc
    half = length // 2
    der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
    try:
        key.verify(der, data, ec.ECDSA(digest))
    except InvalidSignature:
        return False
    return True


def decode_ecdsa_proof_value(proof_value: Any) -> bytes:
    """The ``r || s`` bytes of a ``z`` base58btc proofValue (64 for P-256, 96 for P-384)."""
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise ProofError("proofValue must be a base58btc multibase string (starting with 'z').")
    try:
        signature = multibase.decode(proof_value)
    except InputError as exc:
        raise ProofError(f"proofValue is not valid base58btc: {exc}") from exc
    if len(signature) not in (64, 96):
        raise ProofError(
            f"proofValue decodes to {len(signature)} bytes; an ECDSA signature has 64 (P-256) or 96 (P-384)."
        )
    return signature


def hash_for(algorithm: str, data: bytes) -> bytes:
    """The hash of the ``algorithm`` key's security level: SHA-384 for P-384, SHA-256 for P-256."""
    return hashlib.sha384(data).digest() if algorithm == multibase.P384 else hashlib.sha256(data).digest()


def hash_name_for(algorithm: str) -> str:
    """The name of :func:`hash_for`'s hash for ``algorithm`` (``sha384`` or ``sha256``)."""
    return "sha384" if algorithm == multibase.P384 else "sha256"


class _EcdsaSuite(ABC):
    name: str
    proof_type = PROOF_TYPE
    proof_keeps_context: bool
    key_algorithms: tuple[str, ...] = (multibase.P256, multibase.P384)

    @abstractmethod
    def canonize_document(self, document: dict[str, Any]) -> bytes: ...

    @abstractmethod
    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes: ...

    def hash_data(self, canonical_proof_config: bytes, canonical_document: bytes) -> bytes:
        # the P-256 form; verify_proof hashes with the key's curve
        return hash_for(multibase.P256, canonical_proof_config) + hash_for(multibase.P256, canonical_document)

    def sign(self, hash_data: bytes, signer: Signer) -> str:
        raise ProofError(f"credstack verifies {self.name} proofs but does not sign with it.")

    def verify(self, hash_data: bytes, proof_value: str, public_key: bytes) -> bool:
        algorithm = multibase.P256 if len(public_key) == 33 else multibase.P384
        return ecdsa_verify(algorithm, public_key, hash_data, decode_ecdsa_proof_value(proof_value))

    def check_proof_value(self, proof_value: Any) -> None:
        decode_ecdsa_proof_value(proof_value)

    def verify_proof(
        self, document: dict[str, Any], proof_config: dict[str, Any], proof_value: str, method: VerificationMethod
    ) -> bool:
        if (not self.proof_keeps_context or "@context" not in proof_config) and "@context" in document:
            proof_config = {
                "@context": document["@context"],
                **{k: v for k, v in proof_config.items() if k != "@context"},
            }
        signature = decode_ecdsa_proof_value(proof_value)
        expected = _CURVES[method.algorithm][2] if method.algorithm in _CURVES else 0
        if len(signature) != expected:
            raise ProofError(
                f"the proofValue holds a {len(signature)}-byte signature; a {method.algorithm} key signs {expected}."
            )
        algorithm = method.algorithm
        hash_data = hash_for(algorithm, self.canonize_for(proof_config, algorithm, config=True)) + hash_for(
            algorithm, self.canonize_for(document, algorithm)
        )
        return ecdsa_verify(algorithm, method.public_key, hash_data, signature)

    def canonize_for(self, document: dict[str, Any], algorithm: str, *, config: bool = False) -> bytes:
        """The canonical form with the hash of ``algorithm``'s security level (RDFC-1.0 labels blank nodes with
        SHA-384 for P-384); JCS has no hash."""
        return self.canonize_proof_config(document) if config else self.canonize_document(document)

    def describe_proof(self, proof_value: str) -> str:
        return ""


class ReferenceRdfc:
    """RDFC-1.0 on the reference path, with the hash of the key's security level: what ``ecdsa-rdfc-2019`` and
    ``ecdsa-sd-2023`` canonicalize with."""

    def __init__(self, *, budget: int = jsonld.DEFAULT_BUDGET, loader: Any = None) -> None:
        self.budget = budget
        #: a JSON-LD document loader besides the bundled contexts (tests); None: the bundled ones only
        self.loader = loader

    def canonize_document(self, document: dict[str, Any]) -> bytes:
        return jsonld.to_nquads(document, budget=self.budget, loader=self.loader).encode("utf-8")

    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes:
        if self.loader is not None:
            return jsonld.to_nquads(proof_config, loader=self.loader).encode("utf-8")
        return _rdfc_proof_config(_key(proof_config), False)

    def canonize_for(self, document: dict[str, Any], algorithm: str, *, config: bool = False) -> bytes:
        """The canonical form with the hash of ``algorithm``'s security level (RDFC-1.0 labels blank nodes with
        SHA-384 for P-384)."""
        if algorithm != multibase.P384:
            return self.canonize_proof_config(document) if config else self.canonize_document(document)
        budget = jsonld.DEFAULT_BUDGET if config else self.budget
        return jsonld.to_nquads(document, budget=budget, loader=self.loader, hash_name="sha384").encode("utf-8")


class EcdsaRdfc2019(ReferenceRdfc, _EcdsaSuite):
    name = "ecdsa-rdfc-2019"
    proof_keeps_context = False


class EcdsaJcs2019(_EcdsaSuite):
    name = "ecdsa-jcs-2019"
    proof_keeps_context = True

    def canonize_document(self, document: dict[str, Any]) -> bytes:
        return _jcs(document)

    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes:
        return _jcs(proof_config)
