"""The W3C VC API routes at the site root: ``/credentials/verify``, ``/presentations/verify``, ``/credentials/issue``.

The W3C interoperability suites call ``<base>/credentials/verify``, so these routes live in their own
:class:`NinjaAPI` mounted at ``/`` (``urls_namespace="vcapi"``, no docs of its own); its operations are
merged into the main OpenAPI document by :func:`document_in`, so ``/api/docs`` shows them at their real
paths. Every error is problem details (RFC 9457), as in :mod:`credstack.api.api`.

Verify answers 200 with the report when the credential verifies and 400 with the report inside problem
details when it does not (whatever the reason: a bad proof, revoked, unreadable input). Before anything
is parsed, a request larger than ``CREDSTACK_VERIFIER_MAX_BYTES`` (plus room for the envelope) gets 413,
and a client over ``CREDSTACK_VERIFIER_RATE_LIMIT`` (charged by the body's size) gets 429; a JSON body
beyond the shape limits (``credstack.verifier.limits.too_big``) gets 413 before any verification work.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Form, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.parser import Parser
from pydantic import Field

from credstack.api.api import PROBLEM, ApiKeyAuth, OAuthTokenAuth, problem
from credstack.organizations.models import ApiKey, OAuthAccessToken, Role
from credstack.verifier import conformance, limits, service

#: Set on the request by :func:`guarded` once the JSON body was parsed and measured within the shape limits.
PARSED_BODY = "credstack_parsed_body"


class ParsedOnce(Parser):
    """Ninja's JSON parser, handing over the body :func:`guarded` already parsed instead of parsing it again."""

    def parse_body(self, request: HttpRequest) -> Any:
        parsed = getattr(request, PARSED_BODY, None)
        return parsed[0] if parsed is not None else super().parse_body(request)


vc_api = NinjaAPI(
    parser=ParsedOnce(),
    title="credstack VC API",
    version="1",
    description="W3C VC API routes at the site root.",
    docs_url=None,
    openapi_url=None,
    urls_namespace="vcapi",
)


@vc_api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    messages = [str(e.get("msg", "")) for e in exc.errors]
    if any("parse" in m.lower() or "json" in m.lower() for m in messages):
        return problem(
            400,
            "The request body is not valid JSON",
            'Send a JSON object such as {"verifiableCredential": {...}, "options": {}}.',
        )
    errors = {
        ".".join(str(p) for p in e.get("loc", [])[1:] or e.get("loc", [])): e.get("msg", "invalid") for e in exc.errors
    }
    return problem(
        400,
        "The request body is not a verification request",
        "See errors; the body must be a JSON object in the W3C VC API shape.",
        errors=errors,
    )


@vc_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(
        401,
        "Authentication required",
        "Send an organization API key, or an access token from /oauth/token, as a Bearer token.",
    )
    # RFC 6750 section 3: say the token was not accepted when one was sent.
    sent = request.headers.get("Authorization", "").lower().startswith("bearer ")
    response["WWW-Authenticate"] = 'Bearer realm="credstack"' + (', error="invalid_token"' if sent else "")
    return response


@vc_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc.message))


def guarded(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Size and rate limits, applied before Ninja reads or parses the body."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limit = limits.max_request_bytes()
        if limits.declared_length(request) > limit:
            return problem(
                413,
                "The request is too large",
                f"Credentials up to {limit - limits.REQUEST_OVERHEAD_BYTES} bytes are verified.",
            )
        allowed, wait = limits.allow(request, scope="api")
        if not allowed:
            response = problem(429, "Too many requests", f"Wait {wait} seconds and try again.")
            response["Retry-After"] = str(wait)
            return response
        if request.content_type != "multipart/form-data":
            try:
                size = len(request.body)
            except RequestDataTooBig:
                size = limit + 1
            if size > limit:
                return problem(
                    413,
                    "The request is too large",
                    f"Credentials up to {limit - limits.REQUEST_OVERHEAD_BYTES} bytes are verified.",
                )
            try:
                body = json.loads(request.body)
            except (ValueError, RecursionError) as exc:
                where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
                return problem(
                    400,
                    "The request body is not valid JSON",
                    f"{getattr(exc, 'msg', exc)}{where}. Send a JSON object such as "
                    '{"verifiableCredential": {...}, "options": {}}.',
                )
            refused = limits.too_big(body)
            if refused:
                return problem(413, "The credential is too large to verify", refused)
            setattr(request, PARSED_BODY, (body,))
        return run(request, *args, **kwargs)

    return wrapper


# -- schemas ------------------------------------------------------------------------------------------


class VerifyOptionsIn(Schema):
    recipientEmail: str | None = Field(None, description="Compare with the credential's hashed email identity.")
    challenge: str | None = Field(None, description="Presentations: the challenge the holder's proof must carry.")
    domain: str | None = Field(None, description="Presentations: the domain the holder's proof must be bound to.")
    checks: list[str] | None = Field(
        None,
        description="Credentials: the checks that decide `verified` (proof, credentialStatus, expiration, issuer, "
        "schema, recipient); all of them when left out. Every check is reported either way.",
    )


class VerifyCredentialIn(Schema):
    verifiableCredential: Any = Field(
        ...,
        description="The credential: a JSON object (with a Data Integrity proof), an "
        "EnvelopedVerifiableCredential, or a VC-JWT string.",
    )
    options: VerifyOptionsIn | None = None


class VerifyPresentationIn(Schema):
    verifiablePresentation: Any = Field(..., description="A VerifiablePresentation JSON object.")
    options: VerifyOptionsIn | None = None


class CheckOut(Schema):
    id: str
    name: str
    status: str
    message: str


class EvidenceOut(Schema):
    id: Any = None
    state: str
    message: str


class VerificationOut(Schema):
    """The verification report (as ``credstack verify --json``), plus the VC API's ``verified`` flag."""

    verified: bool
    verdict: str
    verdict_text: str
    reasons: list[str]
    checks: list[CheckOut]
    warnings: list[str]
    errors: list[str]
    credential: Any = None
    format: str
    container: str
    issuer: Any = None
    checked_at: str
    evidence: list[EvidenceOut] = []


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    verified: bool | None = None
    verdict: str | None = None
    checks: list[CheckOut] | None = None
    errors: Any = None


class PresentationOut(Schema):
    verified: bool
    verdict: str
    reasons: list[str]
    checks: list[CheckOut]
    warnings: list[str]
    errors: list[str]
    credentials: list[Any]
    checked_at: str


# -- answers ------------------------------------------------------------------------------------------


def _summary(checks: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    warnings = [f"{c['name']}: {c['message']}" for c in checks if c["status"] == "warning"]
    errors = [f"{c['name']}: {c['message']}" for c in checks if c["status"] == "failed"]
    return warnings, errors


def _answer(body: dict[str, Any], valid: bool) -> HttpResponse:
    warnings, errors = _summary(body["checks"])
    body = {"verified": valid, **body, "warnings": warnings, "errors": errors}
    if valid:
        return JsonResponse(body, status=200)
    reasons = body.get("reasons") or errors
    title = body.get("verdict_text") or "Not verified"
    full = {
        "type": "about:blank",
        "title": f"The credential does not verify: {title.lower()}",
        "status": 400,
        "detail": " ".join(reasons) or "The credential does not verify.",
        **body,
    }
    return JsonResponse(full, status=400, content_type=PROBLEM)


def _email(options: VerifyOptionsIn | None) -> str | None:
    return options.recipientEmail if options is not None and options.recipientEmail else None


def _not_a_map(member: str, expected: str) -> HttpResponse:
    return problem(
        400,
        f"{member} is not a JSON object",
        f"Send {member} as {expected}. A document sent as a JSON string is not parsed: verification takes the "
        "object itself.",
        verified=False,
        errors={member: "Must be a JSON object."},
    )


vc = Router(tags=["verification (W3C VC API)"])
vc.add_decorator(guarded, mode="view")


@vc.post(
    "/credentials/verify",
    response={200: VerificationOut, 400: ProblemOut, 413: ProblemOut, 429: ProblemOut},
    summary="Verify a credential (W3C VC API)",
    operation_id="verifyCredential",
)
def verify_credential(request: HttpRequest, payload: VerifyCredentialIn) -> HttpResponse:
    """200 with the report when the credential verifies; 400 problem details carrying the report otherwise."""
    credential = service.unwrap_envelope(payload.verifiableCredential)
    if not isinstance(credential, dict | str) or (
        isinstance(credential, str) and credential.lstrip().startswith(("{", "["))
    ):
        # Data Integrity verifies a map only: a credential sent as a JSON *string* is an error, not parsed for you
        return _not_a_map(
            "verifiableCredential",
            "a credential (with a Data Integrity proof), an EnvelopedVerifiableCredential, or a VC-JWT string",
        )
    requested = payload.options.checks if payload.options is not None else None
    if requested is not None:
        unknown = service.unknown_checks(requested)
        if unknown or not requested:
            return problem(
                400,
                "Unknown checks requested",
                f"options.checks may name {', '.join(service.CHECK_GROUPS)}; not {', '.join(unknown) or 'nothing'}.",
                errors={"options.checks": "Name one or more known checks."},
            )
    # The guard measured the whole body within the verifier's shape limits: the credential inside it is within
    # them too (fewer values, shallower, no longer list), so the core need not walk it a second time.
    measured = getattr(request, PARSED_BODY, None) is not None
    outcome = service.verify_credential(credential, recipient_email=_email(payload.options), within_limits=measured)
    if requested is not None:
        outcome.report = service.narrowed(outcome.report, requested)
    return _answer(service.outcome_json(outcome), outcome.report.valid)


@vc.post(
    "/credentials/verify/file",
    response={200: VerificationOut, 400: ProblemOut, 413: ProblemOut, 429: ProblemOut},
    summary="Verify an uploaded badge image or credential file (PNG, SVG, JSON, JWT)",
    operation_id="verifyCredentialFile",
)
def verify_credential_file(
    request: HttpRequest, file: File[UploadedFile], recipientEmail: Form[str] = ""
) -> HttpResponse:
    """The same report for a file as the page shows: a baked PNG or SVG, or a JSON or JWT file."""
    limit = limits.max_request_bytes() - limits.REQUEST_OVERHEAD_BYTES
    if file.size is not None and file.size > limit:
        return problem(413, "The file is too large", f"Files up to {limit} bytes are verified.")
    outcome = service.verify_credential(file.read(limit + 1), recipient_email=recipientEmail or None)
    return _answer(service.outcome_json(outcome), outcome.report.valid)


@vc.post(
    "/presentations/verify",
    response={200: PresentationOut, 400: ProblemOut, 413: ProblemOut, 429: ProblemOut},
    summary="Verify a presentation (W3C VC API)",
    operation_id="verifyPresentation",
)
def verify_presentation(request: HttpRequest, payload: VerifyPresentationIn) -> HttpResponse:
    """The holder's proof (with ``options.challenge`` and ``options.domain`` when it is signed) and every
    credential it holds; 200 when all verify, 400 problem details with the report otherwise."""
    if not isinstance(payload.verifiablePresentation, dict):
        return _not_a_map("verifiablePresentation", "a VerifiablePresentation")
    options = payload.options or VerifyOptionsIn(recipientEmail=None, challenge=None, domain=None, checks=None)
    report = service.verify_presentation(
        payload.verifiablePresentation, challenge=options.challenge, domain=options.domain
    )
    return _answer(report.to_json(), report.valid)


# -- issuing (organizations with an API key) ----------------------------------------------------------


class IssueOptionsIn(Schema):
    cryptosuite: str | None = Field(
        None, description="eddsa-rdfc-2022 (default) or eddsa-jcs-2022; `suite` is accepted as a synonym."
    )
    suite: str | None = None


class IssueCredentialIn(Schema):
    credential: Any = Field(..., description="The unsigned VC Data Model 2.0 credential to sign.")
    options: IssueOptionsIn | None = None


class IssuedOut(Schema):
    verifiableCredential: dict[str, Any]


issuing = Router(tags=["issuing (W3C VC API)"], auth=[ApiKeyAuth(), OAuthTokenAuth()])
issuing.add_decorator(guarded, mode="view")


@issuing.post(
    "/credentials/issue",
    response={201: IssuedOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 413: ProblemOut, 429: ProblemOut},
    summary="Sign a credential as the organization of the API key or OAuth client (W3C VC API)",
    operation_id="issueCredential",
)
def issue_credential(request: HttpRequest, payload: IssueCredentialIn) -> HttpResponse:
    """201 with the signed credential: the organization as issuer, a revocation and (unless the organization
    does not publish suspension) a suspension ``BitstringStatusListEntry`` whose lists the platform serves,
    and a ``DataIntegrityProof`` by the
    organization's did:web key. A credential that breaks the VC Data Model 2.0 gets 400 problem details with
    one message per member, and nothing is recorded."""
    from credstack.awards.actions import issue_credential_document

    caller = request.auth  # type: ignore[attr-defined]
    if isinstance(caller, ApiKey):
        if caller.role != Role.ADMIN:
            return problem(403, "This API key may not issue credentials", "Issuing needs an organization admin key.")
        organization, actor = caller.organization, caller.created_by
    elif isinstance(caller, OAuthAccessToken):
        if "issue:credentials" not in caller.scope_set:
            refused = problem(
                403, "This access token may not issue credentials", "Ask /oauth/token for scope issue:credentials."
            )
            refused["WWW-Authenticate"] = (
                'Bearer realm="credstack", error="insufficient_scope", scope="issue:credentials"'
            )
            return refused
        organization, actor = caller.client.organization, caller.client.created_by
    else:  # the router's auth lets nothing else through
        return problem(401, "Authentication required")
    options = payload.options or IssueOptionsIn(cryptosuite=None, suite=None)
    suite = options.cryptosuite or options.suite or "eddsa-rdfc-2022"
    problems = conformance.issue_problems(payload.credential)
    if suite not in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        problems["options.cryptosuite"] = "The cryptosuite must be eddsa-rdfc-2022 or eddsa-jcs-2022."
    if problems:
        return problem(400, "The credential cannot be issued", " ".join(problems.values()), errors=problems)
    try:
        signed = issue_credential_document(organization, dict(payload.credential), suite=suite, actor=actor)
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
        return problem(400, "The credential cannot be issued", " ".join(exc.messages), errors=errors)
    return JsonResponse({"verifiableCredential": signed}, status=201)


vc_api.add_router("/", vc)
vc_api.add_router("/", issuing)


def document_in(api: NinjaAPI) -> None:
    """Show these routes, at their site-root paths, in ``api``'s OpenAPI document (``/api/docs``)."""
    original = api.get_openapi_schema

    @functools.wraps(original)
    def merged(*, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = original(path_prefix=path_prefix, path_params=path_params)
        extra = vc_api.get_openapi_schema(path_prefix="")
        schema["paths"].update(extra["paths"])
        components = schema.setdefault("components", {})
        for section, entries in extra.get("components", {}).items():
            components.setdefault(section, {}).update(entries)
        return schema

    api.get_openapi_schema = merged  # type: ignore[method-assign]
