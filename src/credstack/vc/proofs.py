"""Adding and verifying Data Integrity proofs (W3C VC Data Integrity 1.0).

- :func:`add_proof` signs with an injected :class:`~credstack.vc.keys.Signer` and an explicit
  ``created`` (or now). A document that already has proofs gets one more: a proof *set* (each
  proof signs the document without proofs), or with ``previous_proof`` a proof *chain* (the new
  proof also signs the proofs it names), as the vc-di-eddsa ``proof-set-chain`` vectors do.
- :func:`verify_proofs` never raises on bad input: it returns one :class:`ProofCheck` per proof
  with a message a person can read (unknown or unaccepted suite, bad proofValue encoding, key not
  resolvable, signature mismatch, ...).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from credstack.vc.did import Resolver
from credstack.vc.errors import ProofError, VCError
from credstack.vc.keys import Signer
from credstack.vc.suites import (
    DEFAULT_SUITE,
    PROOF_TYPE,
    Cryptosuite,
    get_suite,
    proof_hash_data,
    suite_for_proof,
)

#: every suite verified here: the two EdDSA suites credstack signs with, and those found in the field (the DCC
#: wallet and issuers, ECDSA and selective disclosure), verified but never signed here
DEFAULT_ACCEPTED_SUITES: tuple[str, ...] = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "Ed25519Signature2020",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
    "ecdsa-sd-2023",
)


@dataclass(frozen=True)
class ProofCheck:
    suite: str
    verification_method: str
    ok: bool
    message: str
    #: controller of the resolved key, for the issuer/controller check (None if not resolved)
    controller: str | None = None


def format_datetime(value: dt.datetime) -> str:
    """XML Schema dateTime in UTC with a ``Z``, seconds precision."""
    if value.tzinfo is None:
        raise ProofError("created must be timezone-aware.")
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


_now_cache: tuple[int, str] = (-1, "")


def _now_text() -> str:
    """The current UTC second as :func:`format_datetime` writes it (formatted once per second)."""
    global _now_cache
    second = int(time.time())
    cached_second, text = _now_cache
    if cached_second != second:
        text = format_datetime(dt.datetime.fromtimestamp(second, dt.UTC))
        _now_cache = (second, text)
    return text


def parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ProofError(f"{value!r} is not a dateTime string.")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ProofError(f"{value!r} is not a valid dateTime.") from exc
    if parsed.tzinfo is None:
        raise ProofError(f"{value!r} has no time zone.")
    return parsed


def _proof_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _matching_previous(proofs: Sequence[Any], previous: Any) -> list[dict[str, Any]]:
    wanted = _as_list(previous)
    matching = [p for p in proofs if isinstance(p, dict) and p.get("id") in wanted]
    found = {p.get("id") for p in matching}
    missing = [w for w in wanted if w not in found]
    if missing:
        raise ProofError(f"previousProof names proofs the document does not have: {', '.join(map(str, missing))}.")
    return matching


def _hash_data(suite: Cryptosuite, unsecured: dict[str, Any], config: dict[str, Any]) -> bytes:
    return proof_hash_data(suite, unsecured, config)


def add_proof(
    doc: dict[str, Any],
    signer: Signer,
    *,
    suite: str = DEFAULT_SUITE,
    created: dt.datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    expires: dt.datetime | str | None = None,
) -> dict[str, Any]:
    """Return a copy of ``doc`` with a new proof appended; ``doc`` is not changed.

    The copy is shallow, as digitalbazaar's ``jsonld-signatures`` makes it: the new document shares its nested
    objects with ``doc`` (copying them was a tenth of the cost of signing). Deep-copy the result before changing
    it in place.
    """
    cryptosuite = get_suite(suite)
    if not isinstance(doc, dict):
        raise ProofError("The document to sign must be a JSON object.")
    unsecured: dict[str, Any] = dict(doc)
    existing = _proof_list(unsecured.pop("proof", None))

    config: dict[str, Any] = {"type": cryptosuite.proof_type}
    if cryptosuite.proof_type == PROOF_TYPE:
        config["cryptosuite"] = cryptosuite.name
    if proof_id is not None:
        config["id"] = proof_id
    if created is None:
        config["created"] = _now_text()
    else:
        config["created"] = format_datetime(created) if isinstance(created, dt.datetime) else created
        parse_datetime(config["created"])
    if expires is not None:
        config["expires"] = format_datetime(expires) if isinstance(expires, dt.datetime) else expires
        parse_datetime(config["expires"])
    config["verificationMethod"] = signer.verification_method
    config["proofPurpose"] = proof_purpose
    to_sign = unsecured
    if previous_proof is not None:
        config["previousProof"] = previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        to_sign = {**unsecured, "proof": _matching_previous(existing, previous_proof)}
    if cryptosuite.proof_keeps_context and "@context" in unsecured:
        config = {**config, "@context": unsecured["@context"]}

    proof = {**config, "proofValue": cryptosuite.sign(_hash_data(cryptosuite, to_sign, config), signer)}
    unsecured["proof"] = [*existing, proof] if existing else proof
    return unsecured


def verify_proofs(
    doc: Any,
    *,
    resolver: Resolver,
    accepted_suites: Iterable[str] = DEFAULT_ACCEPTED_SUITES,
    expected_proof_purpose: str = "assertionMethod",
    now: dt.datetime | None = None,
) -> list[ProofCheck]:
    """One check per proof of ``doc``; a document without proofs gets one failing check."""
    if not isinstance(doc, dict):
        return [ProofCheck("", "", False, "The document is not a JSON object.")]
    proofs = _proof_list(doc.get("proof"))
    if not proofs:
        return [ProofCheck("", "", False, "The document has no proof.")]
    accepted = tuple(accepted_suites)
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    checks = []
    for index, proof in enumerate(proofs):
        try:
            checks.append(_verify_one(proof, index, unsecured, proofs, resolver, accepted, expected_proof_purpose, now))
        except VCError as exc:
            checks.append(ProofCheck(_suite_name(proof), _method_name(proof), False, str(exc)))
        except Exception as exc:
            message = f"The proof could not be checked: {exc!r}"
            checks.append(ProofCheck(_suite_name(proof), _method_name(proof), False, message))
    return checks


def _verify_one(
    proof: Any,
    index: int,
    unsecured: dict[str, Any],
    proofs: list[Any],
    resolver: Resolver,
    accepted: tuple[str, ...],
    purpose: str,
    now: dt.datetime | None,
) -> ProofCheck:
    label = f"Proof {index + 1}"
    if not isinstance(proof, dict):
        return ProofCheck("", "", False, f"{label} is not a JSON object.")
    method_id = proof.get("verificationMethod")
    method_str = method_id if isinstance(method_id, str) else ""
    try:
        suite_name = suite_for_proof(proof)
    except ProofError as exc:
        return ProofCheck(_suite_name(proof), method_str, False, f"{label}: {exc}")
    suite_str = suite_name

    def fail(message: str, controller: str | None = None) -> ProofCheck:
        return ProofCheck(suite_str, method_str, False, f"{label}: {message}", controller)

    if suite_name not in accepted:
        return fail(f"the cryptosuite {suite_name!r} is not accepted here (accepted: {', '.join(accepted)}).")
    try:
        cryptosuite = get_suite(suite_name)
    except ProofError as exc:
        return fail(str(exc))
    if not isinstance(method_id, str) or not method_id:
        return fail("no verificationMethod.")
    if proof.get("proofPurpose") != purpose:
        return fail(f"the proof purpose is {proof.get('proofPurpose')!r}, expected {purpose!r}.")
    try:
        cryptosuite.check_proof_value(proof.get("proofValue"))
    except ProofError as exc:
        return fail(str(exc))
    try:
        created = parse_datetime(proof["created"]) if "created" in proof else None
        expires = parse_datetime(proof["expires"]) if "expires" in proof else None
    except ProofError as exc:
        return fail(str(exc))
    if now is not None:
        if created is not None and created > now:
            return fail(f"created {proof['created']} is in the future.")
        if expires is not None and expires < now:
            return fail(f"the proof expired at {proof['expires']}.")

    to_verify = unsecured
    if "previousProof" in proof:
        try:
            previous = _matching_previous([p for p in proofs if p is not proof], proof["previousProof"])
        except ProofError as exc:
            return fail(str(exc))
        to_verify = {**unsecured, "proof": previous}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if cryptosuite.proof_keeps_context and "@context" in config:
        # JCS: the document's @context must start with the proof's, which then stands for it
        proof_context = _as_list(config["@context"])
        doc_context = _as_list(unsecured.get("@context", []))
        if doc_context[: len(proof_context)] != proof_context:
            return fail("the proof's @context does not match the document's.")
        to_verify = {**to_verify, "@context": config["@context"]}
    elif not cryptosuite.proof_keeps_context:
        config.pop("@context", None)

    try:
        method = resolver.resolve_verification_method(method_id)
    except VCError as exc:
        return fail(f"the key cannot be resolved: {exc}")
    if purpose not in method.purposes:
        return fail(f"the key {method_id} is not authorised for {purpose}.", method.controller)
    if method.algorithm not in cryptosuite.key_algorithms:
        return fail(
            f"the key {method_id} is {'an' if method.algorithm.startswith('E') else 'a'} {method.algorithm} key; "
            f"{suite_name} verifies with "
            f"{' or '.join(cryptosuite.key_algorithms)} keys.",
            method.controller,
        )

    if not cryptosuite.verify_proof(to_verify, config, proof["proofValue"], method):
        return fail(
            "the signature does not match the document (it was changed or signed with another key).", method.controller
        )
    kind = cryptosuite.describe_proof(proof["proofValue"])
    return ProofCheck(
        suite_str,
        method_str,
        True,
        f"{label}: valid {suite_name} signature by {method_id}" + (f" ({kind})." if kind else "."),
        method.controller,
    )


def _method_name(proof: Any) -> str:
    return str(proof.get("verificationMethod", "")) if isinstance(proof, dict) else ""


def _suite_name(proof: Any) -> str:
    """What the report calls the proof's suite: its cryptosuite, or its type for a suite of its own."""
    if not isinstance(proof, dict):
        return ""
    try:
        return suite_for_proof(proof)
    except ProofError:
        suite = proof.get("cryptosuite")
        return suite if isinstance(suite, str) else ""
