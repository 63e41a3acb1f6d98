"""Verify a credential from whatever a person holds: JSON, a JWT, a baked PNG or SVG.

``verify(data, options=VerifyOptions(...))`` never raises for bad input: every outcome is a
:class:`VerificationReport` listing each check (passed / failed / skipped / warning, with a message a
person understands) and one verdict:

=================== =====================================================================================
``invalid``         something is definitely wrong (proof, structure, issuer binding, unusable input)
``revoked``         the issuer revoked it                     (beats everything below)
``suspended``       the issuer suspended it
``expired``         past its validUntil / expirationDate
``not_yet_valid``   before its validFrom / issuanceDate
``cannot_be_checked`` nothing is wrong as far as could be seen, but something that matters could not be
                    checked (a key, a status list, a hosted assertion that is not reachable offline)
``valid``           every check that matters passed
=================== =====================================================================================

Nothing is fetched unless ``options.fetcher`` allows it (the default refuses every URL).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from credstack.vc import jwt as vcjwt
from credstack.vc import ob2, proofs, shape
from credstack.vc.errors import (
    BakingError,
    ContextError,
    FetchError,
    InputError,
    InvalidDocument,
    ProofError,
    UndefinedTermError,
    VCError,
)
from credstack.vc.fetch import Fetcher, NoNetwork

Verdict = Literal["valid", "invalid", "revoked", "suspended", "expired", "not_yet_valid", "cannot_be_checked"]
Status = ob2.Status
Effect = ob2.Effect

VERDICT_TEXT: dict[str, str] = {
    "valid": "Valid",
    "invalid": "Invalid",
    "revoked": "Revoked by the issuer",
    "suspended": "Suspended by the issuer",
    "expired": "Expired",
    "not_yet_valid": "Not yet valid",
    "cannot_be_checked": "Cannot be checked",
}
_PRECEDENCE: tuple[tuple[Effect, Verdict], ...] = (
    ("invalid", "invalid"),
    ("revoked", "revoked"),
    ("suspended", "suspended"),
    ("expired", "expired"),
    ("not_yet_valid", "not_yet_valid"),
    ("undetermined", "cannot_be_checked"),
)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/context"
OB3_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"}
#: every Data Integrity suite credstack verifies, and JWTs
DEFAULT_SUITES = (*proofs.DEFAULT_ACCEPTED_SUITES, "vc-jwt")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Check:
    """One check of the report. ``effect`` says what it does to the verdict (``none`` for nothing)."""

    id: str
    name: str
    status: Status
    message: str
    effect: Effect = "none"

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class VerifyOptions:
    fetcher: Fetcher = field(default_factory=NoNetwork)
    now: datetime | None = None
    recipient_email: str | None = None
    accepted_suites: tuple[str, ...] = DEFAULT_SUITES
    max_bytes: int = 2 * 1024 * 1024
    max_depth: int = shape.DEFAULT_MAX_DEPTH
    max_array_items: int = shape.DEFAULT_MAX_ARRAY_ITEMS
    max_values: int = shape.DEFAULT_MAX_VALUES
    """Bounds on the work one verification may cost (:mod:`credstack.vc.shape`), checked before any of it."""
    within_limits: bool = False
    """The caller already measured the input object (or a JSON document holding it) against limits no looser than
    these: the measuring pass over a parsed object is not made again. Bytes and text are always measured."""
    max_image_side: int = 16_384
    """Largest width or height, in pixels, of an image that is read."""
    max_endorsement_depth: int = 2
    resolver: Any = None
    """A verification method resolver (Owner A's ``Resolver``); by default ``DefaultResolver(fetcher)``."""
    verified_status_lists: Any = None
    """A :class:`credstack.vc.statuslist.VerifiedLists` shared between verifications: a status list credential
    verified before is not parsed, verified and decoded again while it and the documents its verification read
    are byte-identical through ``fetcher`` (a long-lived verifier whose fetcher answers with current documents)."""


@dataclass
class VerificationReport:
    verdict: Verdict
    checks: list[Check]
    credential: dict[str, Any] | None = None
    format: str = "unknown"
    """``vc`` (JSON with Data Integrity proofs or none), ``vc-jwt``, ``ob2-hosted``, ``ob2-signed``, ``unknown``."""
    container: str = "unknown"
    """What was read: ``json``, ``jwt``, ``png``, ``svg``, ``object``."""
    issuer: dict[str, Any] | None = None
    reasons: list[str] = field(default_factory=list)
    endorsements: list[VerificationReport] = field(default_factory=list)
    gathered: list[VerificationReport] = field(default_factory=list)
    """A CLR: the report of each credential it gathers (``credentialSubject.verifiableCredential``)."""
    checked_at: datetime = field(default_factory=lambda: datetime.now(tz=UTC))
    input_error: bool = False
    """True when the input itself could not be read (not JSON, too large, not an image we read...)."""
    badge: dict[str, Any] | None = None
    """Open Badges 2.0: the badge class, when it could be obtained."""
    as_of: datetime | None = None
    """The time validity was judged at (``VerifyOptions.now``); ``checked_at`` is when the check ran."""

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    @property
    def verdict_text(self) -> str:
        return VERDICT_TEXT[self.verdict]

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_text": self.verdict_text,
            "reasons": list(self.reasons),
            "checks": [c.to_json() for c in self.checks],
            "credential": self.credential,
            "format": self.format,
            "container": self.container,
            "issuer": self.issuer,
            "badge": self.badge,
            "endorsements": [e.to_json() for e in self.endorsements],
            "gathered": [g.to_json() for g in self.gathered],
            "checked_at": self.checked_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "as_of": (self.as_of or self.checked_at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "input_error": self.input_error,
        }

    def to_text(self) -> str:
        """The verdict, then one line per check (the command line prints this)."""
        marks = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip", "warning": "warn"}
        lines = [f"Verdict: {self.verdict_text} ({self.verdict})"]
        lines += [f"[{marks[c.status]}] {c.name}: {c.message}" for c in self.checks]
        return "\n".join(lines)


def decide(checks: list[Check]) -> tuple[Verdict, list[str]]:
    """The verdict from the checks' effects, by precedence, and the messages that decided it."""
    for effect, verdict in _PRECEDENCE:
        deciding = [c.message for c in checks if c.effect == effect]
        if deciding:
            return verdict, deciding
    return "valid", []


def _report(checks: list[Check], **kwargs: Any) -> VerificationReport:
    verdict, reasons = decide(checks)
    return VerificationReport(verdict, checks, reasons=reasons, **kwargs)


def _unusable(message: str, container: str = "unknown") -> VerificationReport:
    return _report(
        [Check("parse", "Read the input", "failed", message, "invalid")], container=container, input_error=True
    )


# -- reading the input ---------------------------------------------------------------------------------------


def _too_big(value: Any, options: VerifyOptions) -> str | None:
    return shape.refusal(
        value, max_depth=options.max_depth, max_array_items=options.max_array_items, max_values=options.max_values
    )


def _load_json(text: str, options: VerifyOptions) -> Any:
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise InputError(f"The JSON is nested more than {options.max_depth} levels deep.") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"The input is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from exc
    refused = _too_big(value, options)
    if refused:
        raise InputError(refused)
    return value


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise InputError("The PNG image is malformed (no IHDR chunk first).")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _text_of(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("The input is neither an image (PNG, SVG) nor UTF-8 text (JSON, JWT).") from exc


def sniff(data: bytes | str) -> str:
    """What the input is, by content: ``png``, ``svg``, ``json``, ``jwt`` or ``unknown``."""
    if isinstance(data, bytes):
        if data.startswith(PNG_SIGNATURE):
            return "png"
        try:
            text = _text_of(data)
        except InputError:
            return "unknown"
    else:
        text = data
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return "svg"
    if head.startswith(("{", "[")):
        return "json"
    if vcjwt.looks_like_compact_jws(head):
        return "jwt"
    return "unknown"


def _from_image(data: bytes, kind: str, options: VerifyOptions) -> str:
    """The credential text (JSON, JWT or an OB 2.0 URL) baked into a PNG or SVG (Owner B's reader)."""
    from credstack.vc import baking

    if kind == "png":
        width, height = _png_size(data)
        if width > options.max_image_side or height > options.max_image_side:
            raise InputError(
                f"The image is {width}x{height} pixels; images larger than {options.max_image_side} pixels on a side "
                "are not read."
            )
    try:
        baked = baking.unbake(data, max_image_bytes=options.max_bytes, max_credential_bytes=options.max_bytes)
    except BakingError as exc:
        raise InputError(f"No credential could be read from the {kind.upper()} image: {exc}") from exc
    return baked.text


# -- the entry point ---------------------------------------------------------------------------------------


def verify(data: bytes | str | Mapping[str, Any], *, options: VerifyOptions | None = None) -> VerificationReport:
    """Verify a credential given as bytes (JSON, JWT, PNG, SVG), text (JSON, JWT) or a parsed JSON object."""
    options = options or VerifyOptions()
    if options.now is None:
        options = replace(options, now=datetime.now(tz=UTC))
    try:
        report = _verify(data, options, depth=0)
    except RecursionError:
        report = _unusable("The credential is nested too deeply to be checked.")
    except VCError as exc:
        report = _unusable(str(exc))
    except (TypeError, ValueError) as exc:  # e.g. a dict holding values JSON cannot carry
        report = _unusable(f"The input cannot be read as a credential: {exc}")
    report.as_of = options.now
    return report


def _verify(data: bytes | str | Mapping[str, Any], options: VerifyOptions, *, depth: int) -> VerificationReport:
    if isinstance(data, Mapping):
        refused = None if options.within_limits and depth == 0 else _too_big(data, options)
        if refused:
            return _unusable(refused, "object")
        parse = Check("parse", "Read the input", "passed", "Read a JSON object.")
        return _verify_object(dict(data), parse, "object", options, depth=depth)
    if isinstance(data, str):
        raw_size = len(data.encode("utf-8"))
    elif isinstance(data, bytes | bytearray):
        data = bytes(data)
        raw_size = len(data)
    else:
        return _unusable("The input must be bytes, text or a JSON object.")
    if raw_size > options.max_bytes:
        return _unusable(f"The input is {raw_size} bytes; at most {options.max_bytes} bytes are read.")
    kind = sniff(data)
    container = kind
    try:
        if kind in ("png", "svg"):
            if isinstance(data, str):
                data = data.encode("utf-8")
            text = _from_image(data, kind, options).strip()
            what = f"Read a credential baked into a {kind.upper()} image"
            inner = sniff(text)
            if inner == "unknown" and text.startswith(("http://", "https://")):
                return _verify_ob2_url(text, container, options)
            kind = inner
        else:
            text = data if isinstance(data, str) else _text_of(data)
            what = "Read"
        if kind == "json":
            value = _load_json(text, options)
            if not isinstance(value, dict):
                raise InputError("The JSON is not an object; a credential is a JSON object.")
            parse = Check("parse", "Read the input", "passed", f"{what} JSON credential ({raw_size} bytes).")
            return _verify_object(value, parse, container, options, depth=depth)
        if kind == "jwt":
            decoded = vcjwt.decode(text)
            parse = Check("parse", "Read the input", "passed", f"{what} JWT ({len(text)} characters).")
            return _verify_jwt(decoded, parse, container, options, depth=depth)
    except InputError as exc:
        return _unusable(str(exc), container)
    return _unusable(
        "The input is not a credential this verifier reads: not JSON, a JWT, a PNG or an SVG image.", container
    )


# -- Open Badges 2.0 ----------------------------------------------------------------------------------------


def _issuer_summary(issuer: Any) -> dict[str, Any] | None:
    if isinstance(issuer, str):
        return {"id": issuer}
    if isinstance(issuer, Mapping):
        summary = {k: issuer[k] for k in ("id", "name", "url", "email", "image", "description") if k in issuer}
        return summary or None
    return None


def _from_ob2(result: ob2.Ob2Result, parse: Check, container: str) -> VerificationReport:
    checks = [parse] + [Check(f.id, f.name, f.status, f.message, f.effect) for f in result.findings]
    return _report(
        checks,
        credential=result.assertion,
        format=result.kind,
        container=container,
        issuer=_issuer_summary(result.issuer),
        badge=result.badge,
    )


def _verify_ob2_url(url: str, container: str, options: VerifyOptions) -> VerificationReport:
    """An OB 2.0 image baked with the URL of a hosted assertion."""
    try:
        answer = options.fetcher.fetch(url, accept="application/ld+json, application/json")
    except FetchError as exc:
        parse = Check(
            "parse",
            "Read the input",
            "warning",
            f"The image names the hosted assertion {url}, which could not be fetched: {exc}",
            "undetermined",
        )
        return _report([parse], format="ob2-hosted", container=container)
    text = _text_of(answer.body)
    value = _load_json(text, options)
    if not isinstance(value, dict):
        raise InputError(f"The assertion at {url} is not a JSON object.")
    parse = Check("parse", "Read the input", "passed", f"Fetched the hosted assertion {url} named by the image.")
    result = ob2.verify_assertion(
        value, fetcher=options.fetcher, now=options.now, recipient_email=options.recipient_email
    )
    return _from_ob2(result, parse, container)


# -- Verifiable Credentials ---------------------------------------------------------------------------------


def _verify_object(
    document: dict[str, Any], parse: Check, container: str, options: VerifyOptions, *, depth: int
) -> VerificationReport:
    if ob2.is_ob2_assertion(document):
        result = ob2.verify_assertion(
            document, fetcher=options.fetcher, now=options.now, recipient_email=options.recipient_email
        )
        return _from_ob2(result, parse, container)
    if "verifiableCredential" in document and "credentialSubject" not in document and len(document) <= 2:
        inner = document["verifiableCredential"]
        if isinstance(inner, dict):
            return _verify_object(inner, parse, container, options, depth=depth)
        if isinstance(inner, str) and vcjwt.looks_like_compact_jws(inner):
            return _verify_jwt(vcjwt.decode(inner), parse, container, options, depth=depth)
    return _verify_vc(document, parse, container, options, depth=depth, jwt_info=None)


def _verify_jwt(
    decoded: vcjwt.DecodedJwt, parse: Check, container: str, options: VerifyOptions, *, depth: int
) -> VerificationReport:
    if ob2.is_ob2_jws(decoded):
        result = ob2.verify_assertion(
            decoded.payload,
            fetcher=options.fetcher,
            now=options.now,
            recipient_email=options.recipient_email,
            jws=decoded,
        )
        return _from_ob2(result, parse, container)
    carried = vcjwt.credential_from_payload(decoded.payload)
    return _verify_vc(carried.credential, parse, container, options, depth=depth, jwt_info=(decoded, carried))


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _contexts(node: Mapping[str, Any]) -> list[Any]:
    value = node.get("@context")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _issuer_id(credential: Mapping[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _check_context_and_type(credential: dict[str, Any]) -> Check:
    name = "Context and type"
    contexts = _contexts(credential)
    types = _types(credential)
    if not contexts:
        return Check("context_and_type", name, "failed", "The credential has no @context.", "invalid")
    if contexts[0] not in (VC_V2, VC_V1):
        return Check(
            "context_and_type",
            name,
            "failed",
            f"The first @context is {contexts[0]!r}; a Verifiable Credential starts with {VC_V2}.",
            "invalid",
        )
    if "VerifiableCredential" not in types:
        return Check(
            "context_and_type",
            name,
            "failed",
            f"The type is {types or '(none)'}; it must include 'VerifiableCredential'.",
            "invalid",
        )
    string_contexts = [c for c in contexts if isinstance(c, str)]
    if "ClrCredential" in types and not any(c.startswith(CLR_CONTEXT_PREFIX) for c in string_contexts):
        return Check(
            "context_and_type",
            name,
            "failed",
            "A ClrCredential needs the CLR 2.0 context (https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json).",
            "invalid",
        )
    if (
        set(types) & OB3_TYPES
        and "ClrCredential" not in types
        and not any(c.startswith(OB3_CONTEXT_PREFIX) for c in string_contexts)
    ):
        return Check(
            "context_and_type",
            name,
            "failed",
            "An Open Badges 3.0 credential needs the Open Badges 3.0 context "
            "(https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json).",
            "invalid",
        )
    credential_types = OB3_TYPES | {"ClrCredential"}
    if not set(types) & credential_types and any(
        c.startswith((OB3_CONTEXT_PREFIX, CLR_CONTEXT_PREFIX)) for c in string_contexts
    ):
        return Check(
            "context_and_type",
            name,
            "failed",
            f"The credential uses the Open Badges / CLR context but its type {types} names none of "
            "OpenBadgeCredential, AchievementCredential, EndorsementCredential or ClrCredential.",
            "invalid",
        )
    from credstack.vc import fastld

    try:
        fastld.check_safe(credential)  # the reference expand_safe's verdict and errors, quickly
    except UndefinedTermError as exc:
        return Check(
            "context_and_type",
            name,
            "failed",
            f"The property or type {exc.term!r} is not defined by any @context of the credential, so its "
            "meaning is unknown.",
            "invalid",
        )
    except ContextError as exc:
        return Check(
            "context_and_type",
            name,
            "failed",
            f"A @context of the credential is not one this verifier knows (remote contexts are never fetched): {exc}",
            "invalid",
        )
    except InvalidDocument as exc:
        return Check("context_and_type", name, "failed", str(exc), "invalid")
    kind = ", ".join(t for t in types if t != "VerifiableCredential") or "VerifiableCredential"
    if contexts[0] == VC_V1:
        return Check(
            "context_and_type",
            name,
            "warning",
            f"Type {kind}, in the older VC Data Model 1.1 form; every term is defined.",
        )
    return Check("context_and_type", name, "passed", f"Type {kind}; every term is defined by its contexts.")


def _check_related_resources(credential: Mapping[str, Any], options: VerifyOptions) -> Check:
    from credstack.vc import related

    outcome = related.check(credential, options.fetcher)
    effect: Effect = "invalid" if outcome.status == "failed" else "none"
    return Check("related_resources", "Related resources", outcome.status, outcome.message, effect)  # type: ignore[arg-type]


def _check_schema(credential: dict[str, Any]) -> Check:
    from credstack.vc import schema

    name = "JSON schema"
    chosen = schema.schema_for(credential)
    if chosen is None:
        return Check("schema", name, "skipped", "No Open Badges or CLR schema applies to this type of credential.")
    problems = schema.validate(credential)
    schema_name = chosen.rsplit("/", 1)[-1]
    if not problems:
        return Check("schema", name, "passed", f"The credential follows {schema_name}.")
    listed = "; ".join(str(p) for p in problems[:3]) + ("; …" if len(problems) > 3 else "")
    if VC_V1 in _contexts(credential):
        return Check(
            "schema",
            name,
            "warning",
            f"The VC 1.1 form of this credential does not follow the current {schema_name}: {listed}",
        )
    return Check("schema", name, "failed", f"The credential breaks {schema_name}: {listed}", "invalid")


class _RecordingResolver:
    """Wraps the resolver to remember what each verification method resolved to (or why not)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.resolved: dict[str, Any] = {}
        self.errors: dict[str, Exception] = {}

    def resolve_verification_method(self, vm_id: str) -> Any:
        if vm_id in self.resolved:
            return self.resolved[vm_id]
        if vm_id in self.errors:
            raise self.errors[vm_id]
        try:
            vm = self.inner.resolve_verification_method(vm_id)
        except Exception as exc:
            self.errors[vm_id] = exc
            raise
        self.resolved[vm_id] = vm
        return vm


def _unreachable(exc: BaseException) -> bool:
    """Whether a resolution failure is about not being able to fetch (rather than a wrong key)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, FetchError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _resolver_for(options: VerifyOptions) -> Any:
    if options.resolver is not None:
        return options.resolver
    from credstack.vc import did

    return did.DefaultResolver(fetcher=options.fetcher)


def _did_of(vm_id: str) -> str:
    return vm_id.split("#", 1)[0]


def _binding_check(issuer_id: str | None, vm_ids: list[str], controllers: dict[str, str | None]) -> Check:
    name = "Issuer controls the key"
    if issuer_id is None:
        return Check("issuer_controller", name, "failed", "The credential names no issuer.", "invalid")
    problems, notes = [], []
    for vm_id in vm_ids:
        controller = controllers.get(vm_id)
        if vm_id.startswith(("did:key:", "did:jwk:")):
            vm_did = _did_of(vm_id)
            if vm_did == issuer_id:
                continue
            if issuer_id.startswith(("did:", "http://", "https://")):
                # an issuer that can publish its own keys must sign with one of them
                problems.append(f"the key {vm_did} is not a key of the issuer {issuer_id}")
            else:
                notes.append(f"the key {vm_did} is a {vm_did[:7]}; nothing ties it to the issuer {issuer_id}")
            continue
        if controller is None:
            continue
        if controller != issuer_id:
            problems.append(f"the key {vm_id} belongs to {controller}, not to the issuer {issuer_id}")
    if problems:
        return Check(
            "issuer_controller", name, "failed", "The issuer did not sign this: " + "; ".join(problems) + ".", "invalid"
        )
    if notes:
        return Check("issuer_controller", name, "warning", "; ".join(notes).capitalize() + ".")
    checked = [v for v in vm_ids if controllers.get(v) is not None or v.startswith("did:key:")]
    if not checked:
        return Check("issuer_controller", name, "skipped", "Not checked: no signing key could be resolved.")
    return Check("issuer_controller", name, "passed", f"The signing key belongs to the issuer {issuer_id}.")


def _di_proof_checks(credential: dict[str, Any], options: VerifyOptions) -> tuple[list[Check], Check, Check]:
    """(one check per proof, key resolution, issuer controller) for Data Integrity proofs."""
    raw = credential.get("proof")
    listed = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if not listed:
        missing = Check(
            "proof",
            "Proof",
            "failed",
            "The credential carries no proof: nothing shows who issued it or that it is unaltered.",
            "invalid",
        )
        return (
            [missing],
            Check("key_resolution", "Signing key", "skipped", "No proof, no key."),
            Check("issuer_controller", "Issuer controls the key", "skipped", "No proof, no key."),
        )
    resolver = _RecordingResolver(_resolver_for(options))
    di_suites = tuple(s for s in options.accepted_suites if s != "vc-jwt")
    results = proofs.verify_proofs(credential, resolver=resolver, accepted_suites=di_suites, now=options.now)
    checks: list[Check] = []
    vm_ids: list[str] = []
    valid_vm_ids: list[str] = []
    for number, result in enumerate(results, 1):
        check_id = "proof" if number == 1 else f"proof-{number}"
        vm_id = getattr(result, "verification_method", None) or ""
        suite = getattr(result, "suite", None) or "unknown suite"
        label = f"Proof {number} ({suite})" if len(results) > 1 else f"Proof ({suite})"
        message = str(getattr(result, "message", ""))
        if vm_id:
            vm_ids.append(vm_id)
        if getattr(result, "ok", False):
            checks.append(Check(check_id, label, "passed", message or "The proof is valid."))
            if vm_id:
                valid_vm_ids.append(vm_id)
        elif vm_id in resolver.errors and _unreachable(resolver.errors[vm_id]):
            checks.append(
                Check(
                    check_id,
                    label,
                    "warning",
                    f"Not checked: the key {vm_id} could not be obtained ({resolver.errors[vm_id]}).",
                    "undetermined",
                )
            )
        else:
            checks.append(Check(check_id, label, "failed", message or "The proof does not verify.", "invalid"))
    if not checks:
        checks.append(Check("proof", "Proof", "failed", "The credential's proof could not be read.", "invalid"))

    unreachable = {v: e for v, e in resolver.errors.items() if _unreachable(e)}
    wrong = {v: e for v, e in resolver.errors.items() if not _unreachable(e)}
    if wrong:
        key_check = Check(
            "key_resolution",
            "Signing key",
            "failed",
            "; ".join(f"{v} cannot be resolved: {e}" for v, e in wrong.items()),
            "invalid",
        )
    elif unreachable:
        key_check = Check(
            "key_resolution",
            "Signing key",
            "warning",
            "; ".join(f"{v} could not be fetched, so the proof cannot be checked: {e}" for v, e in unreachable.items()),
            "undetermined",
        )
    elif resolver.resolved:
        key_check = Check("key_resolution", "Signing key", "passed", "Resolved " + ", ".join(resolver.resolved) + ".")
    else:
        key_check = Check("key_resolution", "Signing key", "skipped", "No key was resolved.")
    controllers = {v: _controller_of(vm) for v, vm in resolver.resolved.items()}
    return checks, key_check, _proof_set_binding(_issuer_id(credential), vm_ids, valid_vm_ids, controllers)


def _proof_set_binding(
    issuer_id: str | None, vm_ids: list[str], valid_vm_ids: list[str], controllers: dict[str, str | None]
) -> Check:
    """Data Integrity verifies every proof (and its ``previousProof`` chain) on its own; several proofs may have
    several signers (a proof chain, a witness, a countersignature). The issuer is bound when at least one valid
    proof is by a key the issuer controls; the other signers' proofs count only for themselves."""
    if len(vm_ids) < 2 or not valid_vm_ids:
        return _binding_check(issuer_id, vm_ids, controllers)
    by_issuer = [v for v in valid_vm_ids if _binding_check(issuer_id, [v], controllers).status == "passed"]
    if not by_issuer:
        return _binding_check(issuer_id, valid_vm_ids, controllers)
    others = sorted({_did_of(v) for v in valid_vm_ids if v not in by_issuer})
    also = f" The other proofs are by {', '.join(others)}; they verify too." if others else ""
    return Check(
        "issuer_controller",
        "Issuer controls the key",
        "passed",
        f"The signing key {by_issuer[0]} belongs to the issuer {issuer_id}.{also}",
    )


def _controller_of(vm: Any) -> str | None:
    controller = getattr(vm, "controller", None)
    if controller is None and isinstance(vm, Mapping):
        controller = vm.get("controller")
    return controller if isinstance(controller, str) else None


def _jwt_checks(
    decoded: vcjwt.DecodedJwt, carried: vcjwt.JwtCredential, credential: dict[str, Any], options: VerifyOptions
) -> tuple[list[Check], Check, Check]:
    if "vc-jwt" not in options.accepted_suites:
        refused = Check("proof", "Proof (JWT)", "failed", "JWT-secured credentials are not accepted here.", "invalid")
        return (
            [refused],
            Check("key_resolution", "Signing key", "skipped", "Not checked."),
            Check("issuer_controller", "Issuer controls the key", "skipped", "Not checked."),
        )
    result = vcjwt.verify_signature(decoded, resolver=_resolver_for(options), fetcher=options.fetcher)
    label = f"Proof (JWT, {result.algorithm or decoded.alg or 'no algorithm'})"
    checks: list[Check] = []
    if result.status == "valid":
        checks.append(Check("proof", label, "passed", result.message))
    elif result.status == "unchecked":
        checks.append(Check("proof", label, "warning", f"Not checked: {result.message}", "undetermined"))
    else:
        checks.append(Check("proof", label, "failed", result.message, "invalid"))
    if carried.problems:
        checks.append(
            Check(
                "proof-claims",
                "JWT claims",
                "failed",
                "The JWT claims contradict the credential: " + " ".join(carried.problems),
                "invalid",
            )
        )
    if "proof" in credential:
        checks.append(
            Check(
                "proof-embedded",
                "Embedded proof",
                "warning",
                "The JWT payload also carries an embedded proof; the JWT signature is what was checked.",
            )
        )

    if result.key_resolved:
        key_check = Check("key_resolution", "Signing key", "passed", result.key_message)
    elif result.status == "unchecked":
        key_check = Check(
            "key_resolution", "Signing key", "warning", result.key_message or result.message, "undetermined"
        )
    else:
        key_check = Check("key_resolution", "Signing key", "failed", result.key_message or result.message, "invalid")

    issuer_id = _issuer_id(credential)
    name = "Issuer controls the key"
    if not result.key_resolved:
        binding = Check("issuer_controller", name, "skipped", "Not checked: the key is not available.")
    elif "jwk" in decoded.header:
        binding = Check(
            "issuer_controller",
            name,
            "warning",
            f"The key travels inside the JWT header (jwk); nothing ties it to the issuer {issuer_id}, as "
            "Open Badges 3.0 permits.",
        )
    elif issuer_id is None:
        binding = Check("issuer_controller", name, "failed", "The credential names no issuer.", "invalid")
    else:
        kid = result.kid or ""
        controller = result.key_controller
        if kid.startswith(("did:key:", "did:jwk:")):
            binding = _binding_check(issuer_id, [kid], {kid: controller})
        elif controller is not None and controller != issuer_id:
            binding = Check(
                "issuer_controller",
                name,
                "failed",
                f"The key {kid} belongs to {controller}, not to the issuer {issuer_id}.",
                "invalid",
            )
        elif controller is None:
            binding = Check(
                "issuer_controller",
                name,
                "warning",
                f"The key {kid} does not say who controls it, so it is not tied to the issuer {issuer_id}.",
            )
        else:
            binding = Check("issuer_controller", name, "passed", f"The key {kid} belongs to the issuer {issuer_id}.")
    return checks, key_check, binding


def _check_validity(credential: Mapping[str, Any], now: datetime, carried: vcjwt.JwtCredential | None) -> Check:
    name = "Validity period"
    start_member = "validFrom" if "validFrom" in credential else "issuanceDate"
    end_member = "validUntil" if "validUntil" in credential else "expirationDate"
    start_raw, end_raw = credential.get(start_member), credential.get(end_member)
    start = vcjwt.parse_datetime(start_raw)
    end = vcjwt.parse_datetime(end_raw)
    if start_raw is not None and start is None:
        return Check(
            "validity_window", name, "failed", f"{start_member} ({start_raw!r}) is not a date and time.", "invalid"
        )
    if end_raw is not None and end is None:
        return Check(
            "validity_window", name, "failed", f"{end_member} ({end_raw!r}) is not a date and time.", "invalid"
        )
    if carried is not None:
        if carried.not_before is not None and (start is None or carried.not_before > start):
            start, start_member, start_raw = carried.not_before, "nbf", f"{carried.not_before:%Y-%m-%dT%H:%M:%SZ}"
        if carried.expires is not None and (end is None or carried.expires < end):
            end, end_member, end_raw = carried.expires, "exp", f"{carried.expires:%Y-%m-%dT%H:%M:%SZ}"
    when = f"{now:%Y-%m-%dT%H:%M:%SZ}"
    if start is not None and end is not None and end < start:
        return Check(
            "validity_window",
            name,
            "failed",
            f"The credential ends ({end_raw}) before it starts ({start_raw}).",
            "invalid",
        )
    if start is not None and now < start:
        return Check(
            "validity_window",
            name,
            "failed",
            f"The credential is not valid before {start_raw} (checked at {when}).",
            "not_yet_valid",
        )
    if end is not None and now >= end:
        return Check(
            "validity_window", name, "failed", f"The credential expired on {end_raw} (checked at {when}).", "expired"
        )
    since = f"from {start_raw}" if start is not None else "with no start date"
    until = f"until {end_raw}" if end is not None else "with no end date"
    return Check("validity_window", name, "passed", f"Valid {since} {until} (checked at {when}).")


def _status_list_verifier(options: VerifyOptions, depth: int) -> Callable[[dict[str, Any]], None]:
    """How a fetched status list credential is verified before it is believed: its proof must hold
    (raises :class:`ProofError` otherwise, which makes the status "cannot be checked")."""

    def verify_list(list_credential: dict[str, Any]) -> None:
        inner = replace(options, recipient_email=None)
        parse = Check("parse", "Read the input", "passed", "A status list credential.")
        report = _verify_vc(list_credential, parse, "json", inner, depth=depth + 1, jwt_info=None, status=False)
        for check in report.checks:
            if check.id.startswith(("proof", "key_resolution", "issuer_controller")) and check.effect != "none":
                raise ProofError(check.message)

    return verify_list


def _check_status(credential: Mapping[str, Any], options: VerifyOptions, depth: int) -> Check:
    name = "Revocation and suspension"
    raw = credential.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [raw] if raw is not None else []
    if not entries:
        return Check("status", name, "skipped", "The credential has no status entry; the issuer cannot revoke it.")
    outcomes: list[Check] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            outcomes.append(Check("status", name, "failed", "A credentialStatus entry is not an object.", "invalid"))
            continue
        kind = entry.get("type")
        if kind in ("BitstringStatusListEntry", "StatusList2021Entry"):
            outcomes.append(_bitstring_status(dict(entry), options, depth))
        elif kind == "1EdTechRevocationList":
            outcomes.append(_revocation_list_status(dict(entry), credential, options))
        else:
            outcomes.append(
                Check(
                    "status",
                    name,
                    "warning",
                    f"The status method {kind!r} is not supported, so the status cannot be checked.",
                    "undetermined",
                )
            )
    for effect in ("invalid", "revoked", "suspended", "undetermined"):
        for outcome in outcomes:
            if outcome.effect == effect:
                return outcome
    messages = " ".join(o.message for o in outcomes)
    # an issuer's status message (or a refresh flag) is said as a warning that changes no verdict
    return Check("status", name, "warning" if any(o.status == "warning" for o in outcomes) else "passed", messages)


def _bitstring_status(entry: dict[str, Any], options: VerifyOptions, depth: int) -> Check:
    from credstack.vc import statuslist

    name = "Revocation and suspension"
    now = options.now or datetime.now(tz=UTC)
    # Lists verified by earlier verifications are reused only when the checker can see everything their
    # verification read (the default resolver fetches through the same, recording, fetcher).
    memo = options.verified_status_lists if options.resolver is None else None
    fetcher: Any = statuslist.RecordingFetcher(options.fetcher) if memo is not None else options.fetcher
    scope = (options.accepted_suites, options.max_bytes, options.max_depth, options.max_array_items)
    checker = statuslist.StatusChecker(
        fetcher,
        verify_list=_status_list_verifier(replace(options, fetcher=fetcher), depth),
        clock=lambda: now,
        verified_lists=memo,
        memo_scope=(*scope, options.max_values, options.max_endorsement_depth, depth),
    )
    result = checker.check(entry)
    if result.state is statuslist.StatusState.CANNOT_BE_CHECKED:
        return Check("status", name, "warning", f"The status cannot be checked: {result.message}", "undetermined")
    kind = entry.get("type") if isinstance(entry.get("type"), str) else "status list"
    if result.purpose == "message" or (result.value is not None and result.value > 1):
        # a status message is information from the issuer, not a verdict on the credential
        status: Status = "passed" if result.state is statuslist.StatusState.UNSET else "warning"
        return Check("status", name, status, f"{kind}: {result.message}")
    if result.state is statuslist.StatusState.UNSET:
        return Check("status", name, "passed", result.message)
    if result.purpose == "revocation":
        return Check("status", name, "failed", f"The issuer has revoked this credential. {result.message}", "revoked")
    if result.purpose == "suspension":
        return Check(
            "status", name, "failed", f"The issuer has suspended this credential. {result.message}", "suspended"
        )
    return Check(
        "status", name, "warning", f"The status list marks this credential ({result.purpose}): {result.message}"
    )


def _revocation_list_status(entry: dict[str, Any], credential: Mapping[str, Any], options: VerifyOptions) -> Check:
    from credstack.vc import statuslist

    name = "Revocation and suspension"
    result = statuslist.check_revocation_list(entry, credential.get("id"), options.fetcher)
    if result.state is statuslist.StatusState.SET:
        return Check("status", name, "failed", f"The issuer has revoked this credential. {result.message}", "revoked")
    if result.state is statuslist.StatusState.UNSET:
        return Check("status", name, "passed", result.message)
    if result.problem == "malformed_entry" and "no id URL" in result.message:
        return Check("status", name, "failed", result.message, "invalid")
    return Check("status", name, "warning", f"Revocation cannot be checked: {result.message}", "undetermined")


def _endorsement_sources(credential: Mapping[str, Any]) -> list[Any]:
    found: list[Any] = []
    holders: list[Any] = [credential, credential.get("issuer")]
    subject = credential.get("credentialSubject")
    for s in subject if isinstance(subject, list) else [subject]:
        if isinstance(s, Mapping):
            holders.append(s.get("achievement"))
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for member in ("endorsement", "endorsementJwt"):
            value = holder.get(member)
            found.extend(value if isinstance(value, list) else [value] if value is not None else [])
    return found


def _check_endorsements(
    credential: Mapping[str, Any], options: VerifyOptions, depth: int
) -> tuple[Check, list[VerificationReport]]:
    name = "Endorsements"
    sources = _endorsement_sources(credential)
    if not sources:
        return Check("endorsements", name, "skipped", "The credential carries no endorsements."), []
    if depth >= options.max_endorsement_depth:
        return Check(
            "endorsements",
            name,
            "warning",
            f"{len(sources)} endorsement(s) not checked: endorsements are followed "
            f"{options.max_endorsement_depth} level(s) deep at most.",
        ), []
    reports: list[VerificationReport] = []
    inner = replace(options, recipient_email=None)
    for source in sources:
        if isinstance(source, Mapping):
            parse = Check("parse", "Read the input", "passed", "An embedded endorsement.")
            report = _verify_vc(dict(source), parse, "object", inner, depth=depth + 1, jwt_info=None)
        elif isinstance(source, str) and vcjwt.looks_like_compact_jws(source):
            try:
                report = _verify_jwt(
                    vcjwt.decode(source),
                    Check("parse", "Read the input", "passed", "An embedded endorsement JWT."),
                    "jwt",
                    inner,
                    depth=depth + 1,
                )
            except InputError as exc:
                report = _unusable(str(exc), "jwt")
        else:
            report = _unusable("An endorsement is neither an embedded credential nor a JWT.")
        if report.credential is not None and "EndorsementCredential" not in _types(report.credential):
            report.checks.append(
                Check(
                    "context_and_type",
                    "Endorsement type",
                    "failed",
                    "This endorsement is not an EndorsementCredential.",
                    "invalid",
                )
            )
            report.verdict, report.reasons = decide(report.checks)
        reports.append(report)
    good = sum(1 for r in reports if r.valid)
    if good == len(reports):
        return Check("endorsements", name, "passed", f"{good} endorsement(s), all valid."), reports
    summary = ", ".join(f"{i}: {r.verdict_text.lower()}" for i, r in enumerate(reports, 1) if not r.valid)
    return Check(
        "endorsements",
        name,
        "warning",
        f"{good} of {len(reports)} endorsement(s) are valid; the others do not count ({summary}).",
    ), reports


def _check_gathered(
    credential: Mapping[str, Any], options: VerifyOptions, depth: int
) -> tuple[Check | None, list[VerificationReport]]:
    """A CLR's gathered credentials, each verified on its own (proof, validity, status). A forged one makes
    the CLR invalid: its issuer put false data in it. One revoked, suspended or expired since is a warning:
    the CLR stands, and the report says which part does not."""
    if "ClrCredential" not in _types(credential):
        return None, []
    name = "Credentials in the record"
    subject = credential.get("credentialSubject")
    gathered = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    items = gathered if isinstance(gathered, list) else [gathered] if gathered is not None else []
    if not items:
        return Check("gathered", name, "skipped", "The record gathers no credentials."), []
    if depth >= options.max_endorsement_depth:
        return Check(
            "gathered", name, "warning", f"{len(items)} gathered credential(s) not checked: nested too deep."
        ), []
    inner = replace(options, recipient_email=None)
    reports: list[VerificationReport] = []
    for item in items:
        if isinstance(item, Mapping):
            parse = Check("parse", "Read the input", "passed", "A credential gathered in a CLR.")
            reports.append(_verify_vc(dict(item), parse, "object", inner, depth=depth + 1, jwt_info=None))
        elif isinstance(item, str) and vcjwt.looks_like_compact_jws(item):
            try:
                parse = Check("parse", "Read the input", "passed", "A credential JWT gathered in a CLR.")
                reports.append(_verify_jwt(vcjwt.decode(item), parse, "jwt", inner, depth=depth + 1))
            except InputError as exc:
                reports.append(_unusable(str(exc), "jwt"))
        else:
            reports.append(_unusable("A gathered credential is neither a credential object nor a JWT."))
    forged = [i for i, r in enumerate(reports, 1) if r.verdict == "invalid"]
    lapsed = [f"{i}: {r.verdict_text.lower()}" for i, r in enumerate(reports, 1) if not r.valid and i not in forged]
    if forged:
        return Check(
            "gathered",
            name,
            "failed",
            f"Gathered credential(s) {', '.join(map(str, forged))} of {len(reports)} are not genuine "
            "(a proof fails or the credential cannot be read).",
            "invalid",
        ), reports
    if lapsed:
        return Check(
            "gathered",
            name,
            "warning",
            f"{len(reports) - len(lapsed)} of {len(reports)} gathered credentials stand; the others no longer do "
            f"({', '.join(lapsed)}).",
        ), reports
    return Check("gathered", name, "passed", f"{len(reports)} gathered credential(s), all valid."), reports


def _check_recipient(credential: Mapping[str, Any], email: str | None) -> Check:
    name = "Recipient"
    if email is None:
        return Check("recipient", name, "skipped", "No email address was given to compare with the recipient.")
    subject = credential.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    identities: list[Mapping[str, Any]] = []
    for s in subjects:
        if not isinstance(s, Mapping):
            continue
        listed = s.get("identifier")
        for identity in listed if isinstance(listed, list) else [listed]:
            if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
                identities.append(identity)
        if isinstance(s.get("email"), str):
            identities.append({"identityHash": s["email"], "hashed": False})
    if not identities:
        return Check(
            "recipient",
            name,
            "warning",
            "The credential does not identify its recipient by email address, so it cannot be checked that "
            f"it was awarded to {email}.",
            "undetermined",
        )
    for identity in identities:
        as_ob2 = {
            "identity": identity.get("identityHash"),
            "hashed": identity.get("hashed"),
            "salt": identity.get("salt"),
        }
        if ob2.recipient_matches(as_ob2, email):
            return Check("recipient", name, "passed", f"The credential was awarded to {email}.")
    return Check("recipient", name, "failed", f"The credential was not awarded to {email}.", "invalid")


def _verify_vc(
    credential: dict[str, Any],
    parse: Check,
    container: str,
    options: VerifyOptions,
    *,
    depth: int,
    jwt_info: tuple[vcjwt.DecodedJwt, vcjwt.JwtCredential] | None,
    status: bool = True,
) -> VerificationReport:
    now = options.now or datetime.now(tz=UTC)
    checks = [parse]
    for note in jwt_info[1].notes if jwt_info else ():
        checks.append(Check("jwt-claims", "JWT claims", "warning", note))
    checks.append(_check_context_and_type(credential))
    checks.append(_check_schema(credential))
    if jwt_info is not None:
        proof_checks, key_check, binding = _jwt_checks(jwt_info[0], jwt_info[1], credential, options)
    else:
        proof_checks, key_check, binding = _di_proof_checks(credential, options)
    checks += proof_checks
    checks += [key_check, binding]
    checks.append(_check_validity(credential, now, jwt_info[1] if jwt_info else None))
    if "relatedResource" in credential:  # a check of its own only when there is something to compare
        checks.append(_check_related_resources(credential, options))
    endorsements: list[VerificationReport] = []
    gathered: list[VerificationReport] = []
    if status:
        checks.append(_check_status(credential, options, depth))
        endorsement_check, endorsements = _check_endorsements(credential, options, depth)
        checks.append(endorsement_check)
        gathered_check, gathered = _check_gathered(credential, options, depth)
        if gathered_check is not None:
            checks.append(gathered_check)
        checks.append(_check_recipient(credential, options.recipient_email))
    return _report(
        checks,
        credential=credential,
        format="vc-jwt" if jwt_info else "vc",
        container=container,
        issuer=_issuer_summary(credential.get("issuer")),
        endorsements=endorsements,
        gathered=gathered,
    )
