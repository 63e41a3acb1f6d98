"""VC-JWT and VC-JOSE: credentials secured as JWS compact serializations.

Two payload styles are read:

* VC-JWT 1.1 (the style Open Badges 3.0 examples of the VC 1.1 era use): the credential sits in the
  ``vc`` claim and the registered claims ``iss``, ``nbf``, ``jti``, ``sub``, ``exp`` carry
  ``issuer.id``, ``validFrom``/``issuanceDate``, ``id``, ``credentialSubject.id`` and
  ``validUntil``/``expirationDate``;
* VC-JOSE-COSE 2.0 (and the Open Badges 3.0 serialization): the payload *is* the credential,
  registered claims may accompany it and must not contradict it (``typ`` ``vc+jwt``).

Signatures: ``EdDSA`` (Ed25519) and ``RS256`` are verified; issuing is ``EdDSA`` with an injected
signer. The key comes from the ``jwk`` header, or from ``kid``: ``did:jwk`` is decoded offline, other
DIDs and URLs go through the injected resolver and fetcher only. Nothing here opens a connection.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from credstack.vc.errors import FetchError, InputError, ResolutionError, VCError
from credstack.vc.fetch import Fetcher, NoNetwork

ACCEPTED_ALGORITHMS = ("EdDSA", "RS256")
MIN_RSA_BITS = 2048
MAX_TOKEN_CHARS = 4 * 1024 * 1024
_COMPACT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

SignatureStatus = Literal["valid", "invalid", "unchecked"]
"""``unchecked``: the key could not be obtained (not offline, not allowed), so nothing can be said."""


class JwtSigner(Protocol):
    """What issuing needs of a signer (Owner A's ``Signer`` protocol satisfies it)."""

    @property
    def verification_method(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class VerificationMethodResolver(Protocol):
    """Owner A's ``Resolver``: resolves a verification method id to its key."""

    def resolve_verification_method(self, vm_id: str) -> Any: ...


@dataclass(frozen=True)
class DecodedJwt:
    """A JWS compact serialization split and decoded, nothing verified yet."""

    token: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes

    @property
    def alg(self) -> str:
        value = self.header.get("alg")
        return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class JwtCredential:
    """The credential carried by a JWT, with the claims mapped in and any contradictions found."""

    credential: dict[str, Any]
    style: Literal["vc-jwt-1.1", "vc-jose"]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    not_before: datetime | None = None
    expires: datetime | None = None


@dataclass(frozen=True)
class SignatureCheck:
    status: SignatureStatus
    message: str
    algorithm: str = ""
    key_source: str = ""
    """Where the key came from, in words (``the jwk header``, ``kid did:key:…``)."""
    kid: str | None = None
    key_controller: str | None = None
    """Who controls the key, when known (a DID, a verification method controller)."""
    key_resolved: bool = False
    key_message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


# -- encoding helpers ---------------------------------------------------------------------------------


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise InputError("Not base64url text (JWT parts use the base64url alphabet without padding).")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"Not valid base64url: {exc}") from exc


def looks_like_compact_jws(text: str) -> bool:
    """True when ``text`` (stripped) has the shape ``header.payload.signature`` with a JSON header."""
    candidate = text.strip()
    if len(candidate) > MAX_TOKEN_CHARS or not _COMPACT_RE.match(candidate):
        return False
    return candidate.startswith("eyJ")


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"The JWT {what} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InputError(f"The JWT {what} is not a JSON object.")
    return value


def decode(token: str) -> DecodedJwt:
    """Split and decode a JWS compact serialization; raises :class:`InputError` when malformed."""
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise InputError(f"The JWT is longer than {MAX_TOKEN_CHARS} characters.")
    parts = token.split(".")
    if len(parts) == 5:
        raise InputError("This is an encrypted JWT (JWE); only signed JWTs (JWS) carry credentials.")
    if len(parts) != 3:
        raise InputError("A JWT has three dot-separated parts (header.payload.signature).")
    header = _json_object(b64url_decode(parts[0]), "header")
    payload = _json_object(b64url_decode(parts[1]), "payload")
    signature = b64url_decode(parts[2])
    return DecodedJwt(token, header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


# -- credential from payload ----------------------------------------------------------------------------


def _numeric_date(value: object, claim: str, problems: list[str]) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"The {claim!r} claim is not a number of seconds since 1970.")
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        problems.append(f"The {claim!r} claim is out of range.")
        return None


def parse_datetime(value: object) -> datetime | None:
    """An XML Schema dateTime as used by VC (``2010-01-01T00:00:00Z``); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _subject_ids(credential: Mapping[str, Any]) -> list[str]:
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [str(s["id"]) for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]


def credential_from_payload(payload: Mapping[str, Any]) -> JwtCredential:
    """Take the credential out of a JWT payload and map the registered claims onto it.

    Contradictions between claims and credential members (a different ``iss`` and issuer, ``jti`` and
    id, ``sub`` and subject id) are reported in ``problems``; a missing member is filled from its claim,
    as the VC-JWT 1.1 decoding rules say.
    """
    problems: list[str] = []
    notes: list[str] = []
    if "vc" in payload:
        vc = payload["vc"]
        if not isinstance(vc, dict):
            raise InputError("The JWT 'vc' claim is not a JSON object.")
        credential: dict[str, Any] = json.loads(json.dumps(vc))
        style: Literal["vc-jwt-1.1", "vc-jose"] = "vc-jwt-1.1"
    else:
        credential = {k: v for k, v in payload.items() if k not in ("iss", "sub", "jti", "nbf", "exp", "iat", "aud")}
        style = "vc-jose"
        if "@context" not in credential and "type" not in credential:
            raise InputError("The JWT payload carries no credential (neither a 'vc' claim nor a credential).")

    not_before = _numeric_date(payload.get("nbf"), "nbf", problems)
    expires = _numeric_date(payload.get("exp"), "exp", problems)
    is_v1 = "https://www.w3.org/2018/credentials/v1" in _as_list(credential.get("@context"))
    start_member = "issuanceDate" if is_v1 else "validFrom"
    end_member = "expirationDate" if is_v1 else "validUntil"

    iss = payload.get("iss")
    if iss is not None:
        issuer = _issuer_id(credential)
        if not isinstance(iss, str):
            problems.append("The 'iss' claim is not a string.")
        elif issuer is None:
            if style == "vc-jwt-1.1":
                if isinstance(credential.get("issuer"), dict):
                    credential["issuer"]["id"] = iss
                else:
                    credential["issuer"] = iss
        elif issuer != iss:
            problems.append(f"The 'iss' claim ({iss}) names another issuer than the credential ({issuer}).")

    jti = payload.get("jti")
    if jti is not None:
        if not isinstance(jti, str):
            problems.append("The 'jti' claim is not a string.")
        elif "id" not in credential:
            if style == "vc-jwt-1.1":
                credential["id"] = jti
        elif credential["id"] != jti:
            problems.append(f"The 'jti' claim ({jti}) differs from the credential id ({credential['id']}).")

    sub = payload.get("sub")
    if sub is not None:
        ids = _subject_ids(credential)
        if not isinstance(sub, str):
            problems.append("The 'sub' claim is not a string.")
        elif not ids:
            subject = credential.get("credentialSubject")
            if style == "vc-jwt-1.1" and isinstance(subject, dict):
                subject["id"] = sub
        elif sub not in ids:
            problems.append(f"The 'sub' claim ({sub}) is not the id of the credential subject.")

    for claim_time, member in ((not_before, start_member), (expires, end_member)):
        if claim_time is None:
            continue
        stated = parse_datetime(credential.get(member))
        if stated is None and member not in credential:
            if style == "vc-jwt-1.1":
                credential[member] = claim_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif stated is not None and abs((stated - claim_time).total_seconds()) >= 1:
            notes.append(
                f"The JWT claim time {claim_time:%Y-%m-%dT%H:%M:%SZ} differs from the credential's "
                f"{member} ({credential.get(member)}); the stricter of the two applies."
            )
    return JwtCredential(credential, style, tuple(problems), tuple(notes), not_before, expires)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# -- keys --------------------------------------------------------------------------------------------------


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Any:
    """An Ed25519 or RSA public key (``cryptography`` objects) from a JWK; raises :class:`InputError`."""
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    if not isinstance(jwk, Mapping):
        raise InputError("The jwk is not a JSON object.")
    if "d" in jwk or "p" in jwk:
        raise InputError("The jwk holds a private key; a public key was expected (and the private one is now exposed).")
    kty = jwk.get("kty")
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise InputError(f"Only the Ed25519 curve is supported for OKP keys, not {jwk.get('crv')!r}.")
        raw = b64url_decode(str(jwk.get("x", "")))
        if len(raw) != 32:
            raise InputError("An Ed25519 public key is 32 bytes.")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if kty == "RSA":
        n = int.from_bytes(b64url_decode(str(jwk.get("n", ""))), "big")
        e = int.from_bytes(b64url_decode(str(jwk.get("e", ""))), "big")
        if n.bit_length() < MIN_RSA_BITS:
            raise InputError(f"The RSA key has {n.bit_length()} bits; at least {MIN_RSA_BITS} are required.")
        if e < 3 or e % 2 == 0:
            raise InputError("The RSA public exponent is not valid.")
        try:
            return rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise InputError(f"The RSA key is not valid: {exc}") from exc
    raise InputError(f"Key type {kty!r} is not supported (Ed25519 'OKP' and 'RSA' are).")


def _key_from_document(document: Mapping[str, Any], kid: str) -> tuple[Any, str | None] | None:
    """A key out of a fetched JSON answer: a bare JWK, a verification method, or a DID document."""
    if "kty" in document:
        return public_key_from_jwk(document), None
    if isinstance(document.get("publicKeyJwk"), Mapping):
        controller = document.get("controller")
        return public_key_from_jwk(document["publicKeyJwk"]), controller if isinstance(controller, str) else None
    methods = document.get("verificationMethod")
    if isinstance(methods, list):
        fragment = kid.split("#", 1)[1] if "#" in kid else None
        for method in methods:
            if not isinstance(method, Mapping):
                continue
            mid = method.get("id")
            matches = mid == kid or (fragment is not None and isinstance(mid, str) and mid.endswith("#" + fragment))
            if matches and isinstance(method.get("publicKeyJwk"), Mapping):
                controller = method.get("controller")
                return public_key_from_jwk(method["publicKeyJwk"]), controller if isinstance(controller, str) else None
    return None


def _key_from_did_jwk(kid: str) -> Any:
    did = kid.split("#", 1)[0]
    encoded = did[len("did:jwk:") :]
    return public_key_from_jwk(_json_object(b64url_decode(encoded), "did:jwk key"))


def _key_from_vm(vm: Any) -> tuple[Any, str | None]:
    """Adapt a resolved verification method (Owner A's ``VerificationMethod``) to a key and controller."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    controller = getattr(vm, "controller", None)
    jwk = getattr(vm, "public_key_jwk", None)
    if isinstance(jwk, Mapping):
        return public_key_from_jwk(jwk), controller
    raw = getattr(vm, "public_key", None)
    if raw is None:
        raw = getattr(vm, "public_key_bytes", None)
    if not isinstance(raw, bytes | bytearray) or len(raw) != 32:
        raise ResolutionError("The verification method does not hold an Ed25519 public key.")
    return ed25519.Ed25519PublicKey.from_public_bytes(bytes(raw)), controller if isinstance(controller, str) else None


def _resolve_key(
    header: Mapping[str, Any], resolver: VerificationMethodResolver | None, fetcher: Fetcher
) -> tuple[Any, str, str | None]:
    """(public key, where it came from, controller). Raises InputError (bad key), FetchError /
    ResolutionError (could not be obtained)."""
    jwk = header.get("jwk")
    kid = header.get("kid")
    if jwk is not None:
        if not isinstance(jwk, Mapping):
            raise InputError("The 'jwk' header is not a JSON object.")
        return public_key_from_jwk(jwk), "the key embedded in the JWT header (jwk)", None
    if kid is None:
        raise InputError("The JWT header names no key: neither 'jwk' nor 'kid' is present, so no key can verify it.")
    if not isinstance(kid, str) or not kid:
        raise InputError("The 'kid' header is not a string.")
    if kid.startswith("did:jwk:"):
        return _key_from_did_jwk(kid), f"kid {kid[:60]}…", kid.split("#", 1)[0]
    if kid.startswith(("http://", "https://")):
        answer = fetcher.fetch(kid, accept="application/jwk+json, application/json")
        try:
            document = json.loads(answer.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResolutionError(f"{kid} did not answer with JSON: {exc}") from exc
        if isinstance(document, Mapping):
            found = _key_from_document(document, kid)
            if found is not None:
                return found[0], f"kid {kid}", found[1]
    if kid.startswith(("did:", "http://", "https://")):
        if resolver is None:
            raise ResolutionError(f"No resolver was given to resolve the key {kid}.")
        vm = resolver.resolve_verification_method(kid)
        key, controller = _key_from_vm(vm)
        return key, f"kid {kid}", controller or (kid.split("#", 1)[0] if kid.startswith("did:") else None)
    raise InputError(f"The 'kid' {kid!r} is neither a DID nor an http(s) URL, so it cannot name a key.")


def verify_signature(
    decoded: DecodedJwt,
    *,
    resolver: VerificationMethodResolver | None = None,
    fetcher: Fetcher | None = None,
    accepted_algorithms: tuple[str, ...] = ACCEPTED_ALGORITHMS,
) -> SignatureCheck:
    """Verify the JWS signature; never raises for bad input, says why instead."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    alg = decoded.alg
    kid = decoded.header.get("kid") if isinstance(decoded.header.get("kid"), str) else None
    if alg not in accepted_algorithms:
        return SignatureCheck(
            "invalid",
            f"The JWT algorithm {alg or '(none)'!r} is not accepted (accepted: {', '.join(accepted_algorithms)}).",
            alg,
            kid=kid,
        )
    crit = decoded.header.get("crit")
    if crit is not None:
        message = f"The JWT header marks extensions as critical ({crit}) that are not understood."
        return SignatureCheck("invalid", message, alg, kid=kid)
    try:
        key, source, controller = _resolve_key(decoded.header, resolver, fetcher or NoNetwork())
    except InputError as exc:
        return SignatureCheck("invalid", str(exc), alg, kid=kid, key_message=str(exc))
    except (FetchError, ResolutionError) as exc:
        message = f"The key {kid or ''} could not be obtained: {exc}"
        return SignatureCheck("unchecked", message, alg, kid=kid, key_message=message)
    except VCError as exc:
        message = f"The key {kid or ''} could not be resolved: {exc}"
        return SignatureCheck("unchecked", message, alg, kid=kid, key_message=message)

    key_message = f"Key from {source}."

    def outcome(status: SignatureStatus, message: str) -> SignatureCheck:
        return SignatureCheck(status, message, alg, source, kid, controller, True, key_message)

    altered = "The JWT signature does not match its content ({}): it was altered or signed with another key."
    if alg == "EdDSA":
        if not isinstance(key, ed25519.Ed25519PublicKey):
            return outcome("invalid", "The JWT says EdDSA but its key is not an Ed25519 key.")
        try:
            key.verify(decoded.signature, decoded.signing_input)
        except InvalidSignature:
            return outcome("invalid", altered.format("EdDSA"))
    else:
        if not isinstance(key, rsa.RSAPublicKey):
            return outcome("invalid", "The JWT says RS256 but its key is not an RSA key.")
        try:
            key.verify(decoded.signature, decoded.signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return outcome("invalid", altered.format("RS256"))
    return outcome("valid", f"The JWT signature ({alg}) is valid; {key_message[0].lower()}{key_message[1:]}")


# -- issuing ----------------------------------------------------------------------------------------------


def _to_numeric_date(value: object) -> int | None:
    parsed = parse_datetime(value)
    return int(parsed.timestamp()) if parsed is not None else None


def sign(
    credential: Mapping[str, Any],
    signer: JwtSigner,
    *,
    style: Literal["vc-jose", "vc-jwt-1.1"] = "vc-jose",
    include_claims: bool = True,
    issued_at: datetime | None = None,
) -> str:
    """Secure ``credential`` as a JWT signed with EdDSA by ``signer`` (``kid`` = its verification method).

    ``vc-jose``: the payload is the credential with the registered claims beside it (the Open Badges
    3.0 and VC-JOSE-COSE form, ``typ`` ``vc+jwt``); ``vc-jwt-1.1``: the credential in the ``vc`` claim.
    ``issued_at`` becomes the ``iat`` claim.
    """
    body = json.loads(json.dumps(credential))
    body.pop("proof", None)
    claims: dict[str, Any] = {}
    if include_claims or style == "vc-jwt-1.1":
        issuer = _issuer_id(body)
        if issuer:
            claims["iss"] = issuer
        if isinstance(body.get("id"), str):
            claims["jti"] = body["id"]
        subjects = _subject_ids(body)
        if len(subjects) == 1:
            claims["sub"] = subjects[0]
        nbf = _to_numeric_date(body.get("validFrom", body.get("issuanceDate")))
        if nbf is not None:
            claims["nbf"] = nbf
        exp = _to_numeric_date(body.get("validUntil", body.get("expirationDate")))
        if exp is not None:
            claims["exp"] = exp
    if issued_at is not None:
        claims["iat"] = int(issued_at.timestamp())
    if style == "vc-jwt-1.1":
        header = {"alg": "EdDSA", "typ": "JWT", "kid": signer.verification_method}
        payload: dict[str, Any] = {"vc": body, **claims}
    else:
        header = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": signer.verification_method}
        payload = {**body, **claims}
    signing_input = (
        b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        + "."
        + b64url_encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    )
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"
