"""Data Integrity cryptosuites, registered by name behind one interface.

Modelled on digitalbazaar's data-integrity cryptosuite objects: a suite names itself, canonizes
the document and the proof configuration, hashes the two (``sha256(proof config) ||
sha256(document)``, as both EdDSA suites do) and signs or verifies the hash data. The proof
machinery in :mod:`credstack.vc.proofs` only talks to this interface.

- ``eddsa-rdfc-2022``: RDFC-1.0 canonical N-Quads (safe mode), the proof configuration carries the
  document's ``@context``; the proof in the signed document does not. The registered suite canonicalizes
  through the fast path of :mod:`credstack.vc.fastld` (same bytes, same errors; anything it does not cover
  goes to the reference path of :mod:`credstack.vc.jsonld` by itself). ``EddsaRdfc2022(fast=False)`` or a
  ``with reference_path():`` block uses the reference path only (the oracle of the tests, the benchmark).
- ``eddsa-jcs-2022``: RFC 8785 JSON canonicalization; the proof keeps the ``@context``. JSON made only of
  strings, integers within ±(2**53 − 1), non-integral floats from 1e-4 to 1e16, booleans, null, objects with
  keys below U+D800 and arrays — every credential the platform writes — is serialised by orjson with sorted keys,
  ten times faster than the standard library here. That is RFC 8785's output: orjson escapes exactly the
  characters RFC 8785 escapes, the same way; it writes those floats in ECMAScript's form (the shortest
  round-trip digits, no exponent in that range); and it sorts keys by code point, which equals sorting by UTF-16
  code unit below U+D800. Anything else (other floats, above all) goes through ``rfc8785``. Tested for equality
  with ``rfc8785`` on generated JSON and floats.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import orjson
import rfc8785

from credstack.vc import fastld, jsonld, multibase
from credstack.vc.errors import InputError, InvalidDocument, ProofError
from credstack.vc.hotpath import keys_below_surrogates, plain_json
from credstack.vc.keys import Signer, verify_ed25519

if TYPE_CHECKING:
    from credstack.vc.did import VerificationMethod

PROOF_TYPE = "DataIntegrityProof"


class Cryptosuite(Protocol):
    #: the ``cryptosuite`` of a DataIntegrityProof, or the proof type of a suite of its own (Ed25519Signature2020)
    name: str
    #: the proof ``type`` this suite signs and verifies
    proof_type: str
    #: whether the proof added to a document keeps its ``@context`` (JCS) or not (RDFC)
    proof_keeps_context: bool
    #: the key algorithms this suite verifies with (``Ed25519``, ``P-256``, ``P-384``)
    key_algorithms: tuple[str, ...]

    def canonize_document(self, document: dict[str, Any]) -> bytes: ...

    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes: ...

    def hash_data(self, canonical_proof_config: bytes, canonical_document: bytes) -> bytes: ...

    def sign(self, hash_data: bytes, signer: Signer) -> str: ...

    def verify(self, hash_data: bytes, proof_value: str, public_key: bytes) -> bool: ...

    def check_proof_value(self, proof_value: Any) -> None:
        """Raise :class:`ProofError` saying what is wrong when ``proof_value`` cannot be this suite's."""
        ...

    def verify_proof(
        self, document: dict[str, Any], proof_config: dict[str, Any], proof_value: str, method: VerificationMethod
    ) -> bool:
        """Whether ``proof_value`` proves ``document`` (without its proof) under ``proof_config`` (the proof
        without ``proofValue``) with ``method``'s key. Raises :class:`ProofError` for a malformed proof."""
        ...

    def describe_proof(self, proof_value: str) -> str:
        """Words for the report about this kind of proof ("" when there is nothing to add)."""
        ...


def proof_hash_data(suite: Cryptosuite, unsecured: dict[str, Any], config: dict[str, Any]) -> bytes:
    """The hash data of a transform-hash-sign suite; the proof configuration gets the document's ``@context``
    (unless a JCS proof carries its own)."""
    if (not suite.proof_keeps_context or "@context" not in config) and "@context" in unsecured:
        config = {"@context": unsecured["@context"], **{k: v for k, v in config.items() if k != "@context"}}
    return suite.hash_data(suite.canonize_proof_config(config), suite.canonize_document(unsecured))


class _EddsaSuite(ABC):
    """What the Ed25519 suites share: the signature (64 bytes, base58btc) and how a proof is verified."""

    name: str
    proof_type = PROOF_TYPE
    proof_keeps_context: bool
    key_algorithms: tuple[str, ...] = (multibase.ED25519,)

    @abstractmethod
    def canonize_document(self, document: dict[str, Any]) -> bytes: ...

    @abstractmethod
    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes: ...

    def hash_data(self, canonical_proof_config: bytes, canonical_document: bytes) -> bytes:
        return hashlib.sha256(canonical_proof_config).digest() + hashlib.sha256(canonical_document).digest()

    def sign(self, hash_data: bytes, signer: Signer) -> str:
        return _eddsa_sign(hash_data, signer)

    def verify(self, hash_data: bytes, proof_value: str, public_key: bytes) -> bool:
        return _eddsa_verify(hash_data, proof_value, public_key)

    def check_proof_value(self, proof_value: Any) -> None:
        decode_proof_value(proof_value)

    def verify_proof(
        self, document: dict[str, Any], proof_config: dict[str, Any], proof_value: str, method: VerificationMethod
    ) -> bool:
        return self.verify(proof_hash_data(self, document, proof_config), proof_value, method.public_key)

    def describe_proof(self, proof_value: str) -> str:
        return ""


def _eddsa_sign(hash_data: bytes, signer: Signer) -> str:
    if signer.algorithm != "Ed25519":
        raise ProofError(f"An EdDSA suite needs an Ed25519 signer, not {signer.algorithm}.")
    return multibase.encode_base58btc(signer.sign(hash_data))


def _eddsa_verify(hash_data: bytes, proof_value: str, public_key: bytes) -> bool:
    signature = decode_proof_value(proof_value)
    return verify_ed25519(public_key, hash_data, signature)


def decode_proof_value(proof_value: Any) -> bytes:
    """The 64-byte Ed25519 signature in a ``z`` base58btc proofValue; :class:`ProofError` otherwise."""
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise ProofError("proofValue must be a base58btc multibase string (starting with 'z').")
    return _decode_signature(proof_value)


@lru_cache(maxsize=64)
def _decode_signature(proof_value: str) -> bytes:
    # Verification checks the encoding up front and the suite decodes again to verify: decode once.
    try:
        signature = multibase.decode(proof_value)
    except InputError as exc:
        raise ProofError(f"proofValue is not valid base58btc: {exc}") from exc
    if len(signature) != 64:
        raise ProofError(f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64.")
    return signature


def _key(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


reference_path = fastld.reference_path


@lru_cache(maxsize=512)
def _rdfc_proof_config(serialized: str, fast: bool) -> bytes:
    # Proof configurations repeat (same issuer key, same contexts, same options): cache their canonical form,
    # per options and context (the serialized configuration includes both) and per path.
    config = json.loads(serialized)
    text = fastld.to_nquads(config) if fast else jsonld.to_nquads(config)
    return text.encode("utf-8")


class EddsaRdfc2022(_EddsaSuite):
    name = "eddsa-rdfc-2022"
    proof_keeps_context = False

    def __init__(self, *, budget: int = jsonld.DEFAULT_BUDGET, fast: bool = True) -> None:
        self.budget = budget
        self.fast = fast

    def _fast(self) -> bool:
        return self.fast and fastld.fast_path_enabled()

    def canonize_document(self, document: dict[str, Any]) -> bytes:
        if self._fast():
            return fastld.to_nquads(document, budget=self.budget).encode("utf-8")
        return jsonld.to_nquads(document, budget=self.budget).encode("utf-8")

    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes:
        fast = self._fast()
        if fast:
            templated = _templated_proof_config(proof_config)
            if templated is not None:
                return templated
        return _rdfc_proof_config(_key(proof_config), fast)


# Every proof has its own ``created``, so the cache above misses on each verification. On the fast path
# the configuration is canonicalized once per everything-but-``created``, with a stand-in date, and the
# real date is put in its place. That is exact when the stand-in's quad is the only one of its kind and
# the only blank node is the proof node: then its label (c14n0) and the order of the lines (set by the
# predicates, which differ before the literal) do not depend on the date, and a date of these characters
# needs no escaping. Anything else goes the ordinary way. Tests compare both on many dates and configs.
_CREATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?")
_STAND_IN = "0001-01-01T00:00:00Z"
_DATE_TIME = "^^<http://www.w3.org/2001/XMLSchema#dateTime>"


@lru_cache(maxsize=512)
def _proof_config_template(serialized: str) -> tuple[bytes, bytes] | None:
    canonical = _rdfc_proof_config(serialized, True)
    marker = f'"{_STAND_IN}"{_DATE_TIME}'.encode()
    if canonical.count(marker) != 1 or canonical.count(_STAND_IN.encode()) != 1 or b"_:c14n1" in canonical:
        return None
    head, tail = canonical.split(marker)
    return head, tail


_templates: dict[tuple[Any, ...], tuple[bytes, bytes] | None] = {}


def _templated_proof_config(proof_config: dict[str, Any]) -> bytes | None:
    """The canonical (RDFC-1.0) proof configuration from a template per everything-but-``created``, or None."""
    created = proof_config.get("created")
    if not isinstance(created, str) or not _CREATED.fullmatch(created):
        return None
    # A configuration of strings and lists of strings (what proofs hold) is keyed by a tuple, far cheaper than
    # serialising it; anything else is not templated.
    parts: list[Any] = []
    for name in sorted(proof_config):
        if name == "created":
            continue
        value = proof_config[name]
        if value.__class__ is list and all(item.__class__ is str for item in value):
            value = tuple(value)
        elif value.__class__ is not str:
            return None
        parts.append((name, value))
    key = tuple(parts)
    if key in _templates:
        template = _templates[key]
    else:
        template = _proof_config_template(_key({**proof_config, "created": _STAND_IN}))
        if len(_templates) >= 512:
            _templates.clear()
        _templates[key] = template
    if template is None:
        return None
    head, tail = template
    return head + f'"{created}"{_DATE_TIME}'.encode() + tail


class EddsaJcs2022(_EddsaSuite):
    name = "eddsa-jcs-2022"
    proof_keeps_context = True

    def canonize_document(self, document: dict[str, Any]) -> bytes:
        return _jcs(document)

    def canonize_proof_config(self, proof_config: dict[str, Any]) -> bytes:
        return _jcs(proof_config)  # about a microsecond: no template needed, unlike RDFC


def _jcs(value: Any) -> bytes:
    if plain_json(value):
        try:
            canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate, or nesting deeper than orjson goes: rfc8785 decides below
        else:
            if canonical.isascii() or keys_below_surrogates(value):
                return canonical
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise InvalidDocument(f"The document cannot be canonicalized with JCS (RFC 8785): {exc}") from exc


_REGISTRY: dict[str, Cryptosuite] = {}


def register_suite(suite: Cryptosuite) -> None:
    """Register (or replace) a suite under ``suite.name``."""
    _REGISTRY[suite.name] = suite


def get_suite(name: str) -> Cryptosuite:
    suite = _REGISTRY.get(name)
    if suite is None and not _field_suites_loaded:
        _load_field_suites()
        suite = _REGISTRY.get(name)
    if suite is None:
        raise ProofError(f"Unknown cryptosuite {name!r}; known: {', '.join(sorted(_REGISTRY))}.")
    return suite


def suite_names() -> list[str]:
    _load_field_suites()
    return sorted(_REGISTRY)


register_suite(EddsaRdfc2022())
register_suite(EddsaJcs2022())

DEFAULT_SUITE = EddsaRdfc2022.name


def suite_for_proof(proof: dict[str, Any]) -> str:
    """The registry name of the suite a proof names: its ``cryptosuite`` for a DataIntegrityProof, else its type."""
    proof_type = proof.get("type")
    if proof_type == PROOF_TYPE:
        name = proof.get("cryptosuite")
        if not isinstance(name, str) or not name:
            raise ProofError("no cryptosuite.")
        return name
    _load_field_suites()
    if isinstance(proof_type, str) and proof_type in _REGISTRY and _REGISTRY[proof_type].proof_type == proof_type:
        return proof_type
    raise ProofError(
        f"unsupported proof type {proof_type!r} (expected {PROOF_TYPE}"
        + "".join(f" or {n}" for n, s in sorted(_REGISTRY.items()) if s.proof_type == n)
        + ")."
    )


_field_suites_loaded = False


def _load_field_suites() -> None:
    """Register the suites found in the field (written in their own modules, which use the helpers above), on
    first use: importing them here at module level would be circular."""
    global _field_suites_loaded
    if _field_suites_loaded:
        return
    _field_suites_loaded = True
    from credstack.vc.suites_ecdsa import EcdsaJcs2019, EcdsaRdfc2019
    from credstack.vc.suites_ecdsa_sd import EcdsaSd2023
    from credstack.vc.suites_ed25519_2020 import Ed25519Signature2020

    field: tuple[Cryptosuite, ...] = (Ed25519Signature2020(), EcdsaRdfc2019(), EcdsaJcs2019(), EcdsaSd2023())
    for suite in field:
        _REGISTRY.setdefault(suite.name, suite)
