"""Open Badges 2.0 assertions: hosted and signed (JWS), as far as they can be checked.

Open Badges 2.0 has two verification methods:

* **hosted**: the assertion lives at its ``id`` URL on the issuer's site; the copy found there is the
  authoritative one. It must be fetched, and its origin must be one the issuer allows (the issuer's
  ``verification`` object: ``allowedOrigins`` / ``startsWith``, by default the host of the issuer id).
* **signed**: the assertion is the payload of a JWS (RS256) whose key is the ``CryptographicKey`` named
  by ``verification.creator``; the key's ``owner`` must be the issuer.

Either way the badge class and the issuer profile are usually URLs, and revocation is published by
the issuer (a ``RevocationList``, or a hosted assertion marked ``revoked``). Everything is fetched
through the injected :class:`~credstack.vc.fetch.Fetcher` only; what cannot be fetched is reported as
"cannot be checked", never as valid.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from credstack.vc import jwt as vcjwt
from credstack.vc.errors import FetchError, InputError
from credstack.vc.fetch import Fetcher, NoNetwork

OB2_CONTEXTS = (
    "https://w3id.org/openbadges/v2",
    "https://openbadgespec.org/v2/context.json",
    "http://w3id.org/openbadges/v2",
)
MAX_JSON_DEPTH = 64

Status = Literal["passed", "failed", "skipped", "warning"]
Effect = Literal["none", "invalid", "revoked", "suspended", "expired", "not_yet_valid", "undetermined"]


@dataclass(frozen=True)
class Finding:
    """One check: what it was, its outcome, a message a person understands, and its effect on the verdict."""

    id: str
    name: str
    status: Status
    message: str
    effect: Effect = "none"


@dataclass
class Ob2Result:
    kind: Literal["ob2-hosted", "ob2-signed"]
    assertion: dict[str, Any]
    badge: dict[str, Any] | None = None
    issuer: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type", node.get("@type"))
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        if isinstance(item, str):
            out.append(item.rsplit("#", 1)[-1].rsplit(":", 1)[-1])
    return out


def _contexts(node: Mapping[str, Any]) -> list[Any]:
    value = node.get("@context")
    return value if isinstance(value, list) else [value]


def is_ob2_assertion(document: Mapping[str, Any]) -> bool:
    """True for a JSON object that presents itself as an Open Badges 2.0 assertion."""
    if any(c in OB2_CONTEXTS for c in _contexts(document)):
        return True
    return "Assertion" in _types(document) and "recipient" in document and "badge" in document


def is_ob2_jws(decoded: vcjwt.DecodedJwt) -> bool:
    """True when a JWS carries an Open Badges 2.0 assertion (not a VC)."""
    payload = decoded.payload
    return "vc" not in payload and "credentialSubject" not in payload and is_ob2_assertion(payload)


def _parse_json(data: bytes, what: str) -> Any:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{what} is not JSON: {exc}") from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _fetch_node(fetcher: Fetcher, url: str, what: str) -> dict[str, Any]:
    """Fetch a JSON object; FetchError when unreachable / not allowed, InputError when it is not JSON."""
    answer = fetcher.fetch(url, accept="application/ld+json, application/json")
    value = _parse_json(answer.body, f"The {what} at {url}")
    if not isinstance(value, dict):
        raise InputError(f"The {what} at {url} is not a JSON object.")
    return value


def _node_or_fetch(value: Any, fetcher: Fetcher, what: str) -> tuple[dict[str, Any] | None, str | None, Effect]:
    """(node, problem, effect of the problem) for an embedded node or a URL to fetch."""
    if isinstance(value, dict):
        return value, None, "none"
    if not isinstance(value, str) or not value:
        return None, f"The {what} is missing.", "invalid"
    try:
        return _fetch_node(fetcher, value, what), None, "none"
    except FetchError as exc:
        return None, f"The {what} could not be fetched, so it cannot be checked: {exc}", "undetermined"
    except InputError as exc:
        return None, str(exc), "invalid"


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return vcjwt.parse_datetime(value)


def _host(url: str) -> str:
    parsed = urllib.parse.urlsplit(url)
    return parsed.netloc.lower()


def recipient_matches(recipient: Mapping[str, Any], email: str) -> bool:
    """Whether an OB 2.0 IdentityObject (``type`` email, plain or ``sha256$``/``md5$`` hashed) names ``email``."""
    identity = recipient.get("identity")
    if not isinstance(identity, str):
        return False
    salt = recipient.get("salt") if isinstance(recipient.get("salt"), str) else ""
    candidates = {email, email.strip(), email.strip().lower()}
    if not recipient.get("hashed"):
        return identity.strip().lower() in {c.lower() for c in candidates}
    algorithm, _, digest = identity.partition("$")
    algorithm = algorithm.lower()
    if algorithm not in ("sha256", "md5"):
        return False
    for candidate in candidates:
        data = (candidate + str(salt)).encode("utf-8")
        if algorithm == "sha256":
            computed = hashlib.sha256(data).hexdigest()
        else:
            computed = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if computed == digest.lower():
            return True
    return False


def _structure(assertion: Mapping[str, Any]) -> list[str]:
    problems = []
    for member in ("id", "recipient", "badge", "verification", "issuedOn"):
        if member not in assertion:
            problems.append(f"the required property {member!r} is missing")
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping):
        if not isinstance(recipient.get("identity"), str):
            problems.append("recipient.identity is missing")
        if not isinstance(recipient.get("type"), str):
            problems.append("recipient.type is missing")
    elif recipient is not None:
        problems.append("recipient is not an IdentityObject")
    if "issuedOn" in assertion and _parse_time(assertion.get("issuedOn")) is None:
        problems.append("issuedOn is not a date and time")
    if assertion.get("expires") is not None and _parse_time(assertion.get("expires")) is None:
        problems.append("expires is not a date and time")
    return problems


def _verification_type(assertion: Mapping[str, Any]) -> str:
    verification = assertion.get("verification", assertion.get("verify"))
    if isinstance(verification, Mapping):
        kind = verification.get("type")
        if isinstance(kind, str):
            return kind.rsplit(":", 1)[-1].lower().replace("badge", "")
    return ""


def verify_assertion(
    assertion: Mapping[str, Any],
    *,
    fetcher: Fetcher | None = None,
    now: datetime | None = None,
    recipient_email: str | None = None,
    jws: vcjwt.DecodedJwt | None = None,
) -> Ob2Result:
    """Check an Open Badges 2.0 assertion (the JWS it came in, when signed) and say what was found."""
    fetcher = fetcher or NoNetwork()
    now = now or datetime.now(tz=UTC)
    given: dict[str, Any] = json.loads(json.dumps(assertion))
    kind: Literal["ob2-hosted", "ob2-signed"] = "ob2-signed" if jws is not None else "ob2-hosted"
    result = Ob2Result(kind, given)
    add = result.findings.append

    # context and type
    contexts = _contexts(given)
    if not any(c in OB2_CONTEXTS for c in contexts):
        add(
            Finding(
                "context_and_type",
                "Context and type",
                "failed",
                f"The @context {contexts[0]!r} is not the Open Badges 2.0 context (https://w3id.org/openbadges/v2).",
                "invalid",
            )
        )
    elif "Assertion" not in _types(given):
        add(
            Finding(
                "context_and_type",
                "Context and type",
                "failed",
                f"The type is {given.get('type')!r}; an Open Badges 2.0 assertion has type 'Assertion'.",
                "invalid",
            )
        )
    else:
        extensions = [c for c in contexts if c not in OB2_CONTEXTS]
        if extensions:
            add(
                Finding(
                    "context_and_type",
                    "Context and type",
                    "warning",
                    "An Open Badges 2.0 Assertion using extension contexts that this verifier does not load "
                    f"(remote contexts are never fetched): {', '.join(map(str, extensions))}; "
                    "its extensions cannot be checked.",
                    "undetermined",
                )
            )
        else:
            add(Finding("context_and_type", "Context and type", "passed", "An Open Badges 2.0 Assertion."))

    problems = _structure(given)
    if problems:
        add(
            Finding(
                "schema",
                "Required properties",
                "failed",
                "The assertion is incomplete: " + "; ".join(problems) + ".",
                "invalid",
            )
        )
    else:
        add(Finding("schema", "Required properties", "passed", "The assertion has every required property."))

    verification_type = _verification_type(given)
    if jws is None and verification_type == "signed":
        add(
            Finding(
                "proof",
                "Signature",
                "failed",
                "The assertion says it is signed, but it was given as plain JSON without its signature (JWS).",
                "invalid",
            )
        )
        _finish(result, given, fetcher, now, recipient_email, hosted=False)
        return result
    if jws is not None and verification_type not in ("signed", ""):
        add(
            Finding(
                "proof",
                "Signature",
                "warning",
                f"The assertion came signed but declares verification type {verification_type!r}.",
                "none",
            )
        )

    if jws is not None:
        key_owner = _check_signed(result, given, jws, fetcher)
        _finish(result, given, fetcher, now, recipient_email, hosted=False, key_owner=key_owner)
    else:
        if verification_type != "hosted":
            add(
                Finding(
                    "proof",
                    "Hosted verification",
                    "failed",
                    f"The verification type {verification_type or '(none)'!r} is neither 'hosted' nor 'signed'.",
                    "invalid",
                )
            )
            _finish(result, given, fetcher, now, recipient_email, hosted=False)
            return result
        _check_hosted(result, given, fetcher)
        _finish(result, result.assertion, fetcher, now, recipient_email, hosted=True)
    return result


def _check_hosted(result: Ob2Result, given: dict[str, Any], fetcher: Fetcher) -> None:
    add = result.findings.append
    assertion_id = given.get("id")
    if not isinstance(assertion_id, str) or not assertion_id.startswith(("http://", "https://")):
        add(
            Finding(
                "proof",
                "Hosted verification",
                "failed",
                "A hosted assertion must have an http(s) id where the issuer hosts it.",
                "invalid",
            )
        )
        return
    try:
        hosted = _fetch_node(fetcher, assertion_id, "hosted assertion")
    except FetchError as exc:
        add(
            Finding(
                "proof",
                "Hosted verification",
                "warning",
                f"The issuer's copy of this assertion at {assertion_id} could not be fetched, so it cannot be "
                f"checked that the issuer still stands behind it: {exc}",
                "undetermined",
            )
        )
        return
    except InputError as exc:
        add(Finding("proof", "Hosted verification", "failed", str(exc), "invalid"))
        return
    if hosted.get("id") != assertion_id:
        add(
            Finding(
                "proof",
                "Hosted verification",
                "failed",
                f"The document at {assertion_id} is not this assertion (its id is {hosted.get('id')!r}).",
                "invalid",
            )
        )
        return
    result.assertion = hosted
    differing = sorted(k for k in set(given) | set(hosted) if given.get(k) != hosted.get(k))
    if differing:
        add(
            Finding(
                "proof",
                "Hosted verification",
                "passed",
                f"The issuer hosts this assertion at {assertion_id}; its copy is the authoritative one and differs "
                f"from the one given in: {', '.join(differing)} (the issuer's copy was checked).",
            )
        )
    else:
        add(
            Finding(
                "proof", "Hosted verification", "passed", f"The issuer hosts this very assertion at {assertion_id}."
            )
        )


def _check_signed(result: Ob2Result, given: dict[str, Any], jws: vcjwt.DecodedJwt, fetcher: Fetcher) -> str | None:
    """Verify the JWS with the issuer's fetched key; returns the key's owner when the key was obtained."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    add = result.findings.append
    if jws.alg != "RS256":
        add(
            Finding(
                "proof",
                "Signature",
                "failed",
                f"Open Badges 2.0 signed assertions use RS256, not {jws.alg or '(none)'!r}.",
                "invalid",
            )
        )
        return None
    verification = given.get("verification")
    creator = verification.get("creator") if isinstance(verification, Mapping) else None
    if not isinstance(creator, str):
        add(
            Finding(
                "key_resolution",
                "Signing key",
                "failed",
                "The signed assertion does not name its key (verification.creator).",
                "invalid",
            )
        )
        add(Finding("proof", "Signature", "skipped", "No key to verify the signature with."))
        return None
    try:
        key_node = _fetch_node(fetcher, creator, "CryptographicKey")
    except FetchError as exc:
        add(
            Finding(
                "key_resolution",
                "Signing key",
                "warning",
                f"The issuer's key {creator} could not be fetched, so the signature cannot be checked: {exc}",
                "undetermined",
            )
        )
        add(Finding("proof", "Signature", "skipped", "Not checked: the key is not available."))
        return None
    except InputError as exc:
        add(Finding("key_resolution", "Signing key", "failed", str(exc), "invalid"))
        add(Finding("proof", "Signature", "skipped", "No key to verify the signature with."))
        return None
    pem = key_node.get("publicKeyPem")
    key: Any = None
    problem = "it has no publicKeyPem"
    if isinstance(pem, str):
        try:
            key = serialization.load_pem_public_key(pem.encode("ascii"))
            problem = "it is not an RSA key"
        except (ValueError, UnicodeEncodeError) as exc:
            problem = str(exc)
    if not isinstance(key, rsa.RSAPublicKey):
        add(
            Finding(
                "key_resolution", "Signing key", "failed", f"The key at {creator} is not usable: {problem}.", "invalid"
            )
        )
        add(Finding("proof", "Signature", "skipped", "No usable key to verify the signature with."))
        return None
    key_id = key_node.get("id")
    if key_id is not None and key_id != creator:
        add(
            Finding(
                "key_resolution",
                "Signing key",
                "failed",
                f"The key fetched from {creator} says its id is {key_id!r}.",
                "invalid",
            )
        )
        return None
    add(Finding("key_resolution", "Signing key", "passed", f"Fetched the issuer's RSA key from {creator}."))
    owner = key_node.get("owner")
    owner_id = owner if isinstance(owner, str) else ""
    try:
        key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        add(
            Finding(
                "proof",
                "Signature",
                "failed",
                "The signature does not match the assertion: it was altered or signed with another key.",
                "invalid",
            )
        )
        return owner_id
    add(Finding("proof", "Signature", "passed", "The RS256 signature over the assertion is valid."))
    return owner_id


def _finish(
    result: Ob2Result,
    assertion: dict[str, Any],
    fetcher: Fetcher,
    now: datetime,
    recipient_email: str | None,
    *,
    hosted: bool,
    key_owner: str | None = None,
) -> None:
    add = result.findings.append

    badge, problem, effect = _node_or_fetch(assertion.get("badge"), fetcher, "badge class")
    result.badge = badge
    issuer: dict[str, Any] | None = None
    if badge is None:
        add(Finding("badge", "Badge class", "failed" if effect == "invalid" else "warning", problem or "", effect))
    else:
        issuer, problem, effect = _node_or_fetch(badge.get("issuer"), fetcher, "issuer profile")
        if issuer is None:
            add(
                Finding(
                    "badge",
                    "Badge class and issuer",
                    "failed" if effect == "invalid" else "warning",
                    problem or "",
                    effect,
                )
            )
        else:
            badge_name = badge.get("name", badge.get("id"))
            issuer_name = issuer.get("name", issuer.get("id"))
            add(Finding("badge", "Badge class and issuer", "passed", f"Badge class {badge_name!r} by {issuer_name!r}."))
    result.issuer = issuer

    # issuer / controller
    if issuer is None:
        add(
            Finding(
                "issuer_controller",
                "Issuer",
                "warning",
                "The issuer profile is not available, so it cannot be checked that the issuer stands behind "
                "this assertion.",
                "undetermined",
            )
        )
    elif hosted:
        add(_origin_rule(assertion, issuer, fetcher))
    elif key_owner is not None:
        issuer_id = issuer.get("id")
        keys = issuer.get("publicKey")
        listed = keys if isinstance(keys, list) else [keys]
        listed_ids = [k if isinstance(k, str) else k.get("id") if isinstance(k, Mapping) else None for k in listed]
        verification = assertion.get("verification")
        creator = verification.get("creator") if isinstance(verification, Mapping) else None
        if key_owner != issuer_id:
            add(
                Finding(
                    "issuer_controller",
                    "Issuer owns the key",
                    "failed",
                    f"The signing key belongs to {key_owner or '(nobody)'}, not to the issuer {issuer_id}.",
                    "invalid",
                )
            )
        elif keys is not None and creator not in listed_ids:
            add(
                Finding(
                    "issuer_controller",
                    "Issuer owns the key",
                    "failed",
                    f"The issuer {issuer_id} does not list the key {creator} among its public keys.",
                    "invalid",
                )
            )
        else:
            add(
                Finding(
                    "issuer_controller",
                    "Issuer owns the key",
                    "passed",
                    f"The signing key belongs to the issuer {issuer_id}.",
                )
            )
    else:
        add(
            Finding(
                "issuer_controller", "Issuer owns the key", "skipped", "Not checked: the signing key is not available."
            )
        )

    # validity window
    issued = _parse_time(assertion.get("issuedOn"))
    expires = _parse_time(assertion.get("expires"))
    if expires is not None and issued is not None and expires < issued:
        add(
            Finding(
                "validity_window",
                "Validity period",
                "failed",
                f"The assertion expires ({assertion.get('expires')}) before it was issued "
                f"({assertion.get('issuedOn')}).",
                "invalid",
            )
        )
    elif issued is not None and issued > now:
        add(
            Finding(
                "validity_window",
                "Validity period",
                "failed",
                f"The assertion is issued in the future ({assertion.get('issuedOn')}).",
                "not_yet_valid",
            )
        )
    elif expires is not None and expires <= now:
        add(
            Finding(
                "validity_window",
                "Validity period",
                "failed",
                f"The assertion expired on {assertion.get('expires')}.",
                "expired",
            )
        )
    elif issued is None:
        add(
            Finding(
                "validity_window", "Validity period", "failed", "The assertion has no readable issue date.", "invalid"
            )
        )
    else:
        until = f" until {assertion.get('expires')}" if expires else " with no expiry date"
        add(
            Finding(
                "validity_window", "Validity period", "passed", f"Issued on {assertion.get('issuedOn')}, valid{until}."
            )
        )

    # status
    add(_revocation(assertion, issuer, fetcher, hosted=hosted))

    add(
        Finding(
            "endorsements",
            "Endorsements",
            "skipped",
            "Open Badges 2.0 endorsements are separate hosted documents; they are not verified here.",
        )
    )

    # recipient
    recipient = assertion.get("recipient")
    if recipient_email is None:
        add(Finding("recipient", "Recipient", "skipped", "No email address was given to compare with the recipient."))
    elif not isinstance(recipient, Mapping) or recipient.get("type") not in ("email", None):
        kind = recipient.get("type") if isinstance(recipient, Mapping) else None
        add(
            Finding(
                "recipient",
                "Recipient",
                "failed",
                f"The recipient is identified by {kind!r}, not by an email address.",
                "invalid",
            )
        )
    elif recipient_matches(recipient, recipient_email):
        add(Finding("recipient", "Recipient", "passed", f"The assertion was awarded to {recipient_email}."))
    else:
        add(
            Finding(
                "recipient", "Recipient", "failed", f"The assertion was not awarded to {recipient_email}.", "invalid"
            )
        )


def _origin_rule(assertion: Mapping[str, Any], issuer: Mapping[str, Any], fetcher: Fetcher) -> Finding:
    assertion_id = str(assertion.get("id", ""))
    issuer_id = issuer.get("id")
    policy = issuer.get("verification", issuer.get("verify"))
    if isinstance(policy, str):
        try:
            policy = _fetch_node(fetcher, policy, "verification policy")
        except (FetchError, InputError):
            policy = None
    if not isinstance(policy, Mapping):
        policy = {}
    starts = policy.get("startsWith")
    if starts is not None:
        prefixes = [s for s in (starts if isinstance(starts, list) else [starts]) if isinstance(s, str)]
        if not any(assertion_id.startswith(p) for p in prefixes):
            return Finding(
                "issuer_controller",
                "Issuer hosts the assertion",
                "failed",
                f"The assertion id {assertion_id} does not start with what the issuer permits ({', '.join(prefixes)}).",
                "invalid",
            )
    origins = policy.get("allowedOrigins")
    if origins is None:
        if not isinstance(issuer_id, str) or not issuer_id.startswith(("http://", "https://")):
            return Finding(
                "issuer_controller",
                "Issuer hosts the assertion",
                "warning",
                f"The issuer {issuer_id} has no web origin to check the assertion's origin against.",
            )
        allowed = [_host(issuer_id)]
    else:
        allowed = [o.lower() for o in (origins if isinstance(origins, list) else [origins]) if isinstance(o, str)]
    if _host(assertion_id) not in allowed:
        return Finding(
            "issuer_controller",
            "Issuer hosts the assertion",
            "failed",
            f"The assertion is hosted at {_host(assertion_id)}, which the issuer does not allow "
            f"({', '.join(allowed)}).",
            "invalid",
        )
    if isinstance(issuer_id, str) and issuer_id.startswith("http://"):
        return Finding(
            "issuer_controller",
            "Issuer hosts the assertion",
            "warning",
            f"The assertion is hosted where the issuer allows ({_host(assertion_id)}), but the issuer id "
            f"{issuer_id} is not https.",
        )
    return Finding(
        "issuer_controller",
        "Issuer hosts the assertion",
        "passed",
        f"The assertion is hosted at {_host(assertion_id)}, an origin the issuer allows.",
    )


def _revocation(
    assertion: Mapping[str, Any], issuer: Mapping[str, Any] | None, fetcher: Fetcher, *, hosted: bool
) -> Finding:
    if assertion.get("revoked") is True:
        reason = assertion.get("revocationReason")
        return Finding(
            "status",
            "Revocation",
            "failed",
            "The issuer has revoked this assertion" + (f": {reason}." if reason else "."),
            "revoked",
        )
    if issuer is None:
        return Finding(
            "status",
            "Revocation",
            "warning",
            "The issuer profile is not available, so revocation cannot be checked.",
            "undetermined",
        )
    list_url = issuer.get("revocationList")
    if list_url is None:
        if hosted:
            return Finding(
                "status",
                "Revocation",
                "passed",
                "The issuer's hosted copy is not marked revoked (and the issuer publishes no revocation list).",
            )
        return Finding("status", "Revocation", "passed", "The issuer publishes no revocation list.")
    if isinstance(list_url, Mapping):
        revocation_list: dict[str, Any] | None = dict(list_url)
    elif isinstance(list_url, str):
        try:
            revocation_list = _fetch_node(fetcher, list_url, "revocation list")
        except FetchError as exc:
            return Finding(
                "status",
                "Revocation",
                "warning",
                f"The issuer's revocation list could not be fetched, so revocation cannot be checked: {exc}",
                "undetermined",
            )
        except InputError as exc:
            return Finding(
                "status",
                "Revocation",
                "warning",
                f"The issuer's revocation list is unreadable, so revocation cannot be checked: {exc}",
                "undetermined",
            )
    else:
        revocation_list = None
    if revocation_list is None:
        return Finding("status", "Revocation", "warning", "The issuer's revocation list is malformed.", "undetermined")
    assertion_id = assertion.get("id")
    uid = assertion.get("uid")
    entries = revocation_list.get("revokedAssertions", [])
    for entry in entries if isinstance(entries, list) else []:
        entry_id = entry.get("id", entry.get("uid")) if isinstance(entry, Mapping) else entry
        if entry_id is not None and entry_id in (assertion_id, uid):
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            return Finding(
                "status",
                "Revocation",
                "failed",
                "The issuer has revoked this assertion" + (f": {reason}." if reason else "."),
                "revoked",
            )
    return Finding("status", "Revocation", "passed", "The assertion is not on the issuer's revocation list.")
