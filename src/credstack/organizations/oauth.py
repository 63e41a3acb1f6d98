"""OAuth 2.0 for integrations: the token endpoint (client credentials grant) and its metadata.

``POST /oauth/token`` follows RFC 6749 section 4.4: a confidential client of an organization
authenticates with HTTP Basic (``client_secret_basic``) or with ``client_id`` and ``client_secret`` in the
form body (``client_secret_post``), asks for ``grant_type=client_credentials``, and gets a Bearer access
token that ``POST /credentials/issue`` accepts for ``CREDSTACK_OAUTH_TOKEN_SECONDS``. This is the flow
the W3C VC API test harnesses use (they also send ``audience``, which must name this platform, and
``scopes`` for ``scope``; both are accepted). ``GET /.well-known/oauth-authorization-server`` describes the
endpoint (RFC 8414).

Errors keep RFC 6749 section 5.2's ``error`` and ``error_description``, which OAuth clients read, and add
``title``, ``status`` and ``detail`` so that they read like the problem details of the rest of the API.
The grant itself is :func:`credstack.organizations.actions.do_grant_client_credentials`.

Written by hand rather than with an OAuth server library (django-oauth-toolkit, authlib): the one grant
needed is a few dozen lines, and those libraries bring their own application, token and consent models
for flows this platform does not offer.
"""

from __future__ import annotations

import base64
import json
import urllib.parse

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from credstack.accounts import throttle
from credstack.organizations.actions import OAuthError, do_grant_client_credentials
from credstack.organizations.models import OAUTH_SCOPES, OAuthAccessToken, hash_secret
from credstack.organizations.permissions import creator_may_act
from credstack.verifier import limits

TOKEN_PREFIX = "cst_"  # noqa: S105 - a prefix that marks the kind of value, not a secret
#: A token request is a handful of short form fields.
MAX_REQUEST_BYTES = 8 * 1024

_STATUS = {"invalid_client": 401, "temporarily_unavailable": 429}
_TITLES = {
    "invalid_request": "The token request is not valid",
    "invalid_client": "The client could not be authenticated",
    "invalid_scope": "The requested scope is not allowed",
    "invalid_target": "The token would be for another service",
    "unsupported_grant_type": "Only the client credentials grant is offered",
    "temporarily_unavailable": "Too many token requests",
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _error(error: str, description: str, *, status: int | None = None) -> HttpResponse:
    status = status or _STATUS.get(error, 400)
    body = {
        "error": error,
        "error_description": description,
        "type": "about:blank",
        "title": _TITLES.get(error, "The token request was refused"),
        "status": status,
        "detail": description,
    }
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="credstack"'
    return _no_store(response)


def _throttled(seconds: int) -> HttpResponse:
    response = _error("temporarily_unavailable", throttle.too_many(seconds))
    response["Retry-After"] = str(seconds)
    return response


def _usable(value: str) -> bool:
    """Text a database can store and compare: encodable as UTF-8 (no lone surrogates), without NUL."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parameters(request: HttpRequest) -> dict[str, str]:
    """The request's parameters, from a form body (RFC 6749; multipart too) or, as many clients send, JSON."""
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise OAuthError("invalid_request", "The body is not valid JSON.") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise OAuthError("invalid_request", "Send the parameters as a JSON object of strings, or as a form.")
        parameters: dict[str, str] = data
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = request.POST
            repeated = sorted(k for k, values in form.lists() if len(values) > 1)
        except (MultiPartParserError, BadRequest, RequestDataTooBig, UnicodeDecodeError, LookupError):
            raise OAuthError("invalid_request", "The form body cannot be read.") from None
        if repeated:
            raise OAuthError("invalid_request", f"A parameter may appear only once: {', '.join(repeated)}.")
        parameters = {k: form[k] for k in form}
    else:
        raise OAuthError(
            "invalid_request", "Send the parameters as application/x-www-form-urlencoded (RFC 6749) or JSON."
        )
    if not all(_usable(k) and _usable(v) for k, v in parameters.items()):
        raise OAuthError("invalid_request", "A parameter holds a NUL or text that is not valid Unicode.")
    return parameters


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """``Authorization: Basic`` client credentials (form-encoded, then base64: RFC 6749 section 2.3.1)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        if header:
            raise OAuthError("invalid_client", "Authenticate the client with HTTP Basic or in the form body.")
        return None
    try:
        decoded = base64.b64decode(value.strip().encode("ascii"), validate=True).decode("utf-8")
    except ValueError:  # not ASCII, not base64 (binascii.Error), not UTF-8: all ValueErrors
        raise OAuthError("invalid_client", "The Basic credentials are not valid base64 of id:secret.") from None
    client_id, colon, secret = decoded.partition(":")
    client_id, secret = urllib.parse.unquote_plus(client_id), urllib.parse.unquote_plus(secret)
    if not colon or not _usable(client_id) or not _usable(secret):
        raise OAuthError("invalid_client", "The Basic credentials must be client_id:client_secret.")
    return client_id, secret


def _audiences() -> set[str]:
    base = settings.CREDSTACK_BASE_URL
    return {base, base + "/"}


@csrf_exempt
@sensitive_post_parameters("client_secret")
@sensitive_variables("client_secret", "basic", "parameters", "raw")
def token(request: HttpRequest) -> HttpResponse:
    """RFC 6749 section 4.4.2: trade the client's credentials for an access token."""
    if request.method != "POST":
        response = _error("invalid_request", "Ask for a token with POST.", status=405)
        response["Allow"] = "POST"
        return response
    if limits.declared_length(request) > MAX_REQUEST_BYTES:
        return _error("invalid_request", f"A token request is at most {MAX_REQUEST_BYTES} bytes.", status=413)
    allowed, retry_after = limits.allow(request, scope="oauth-token")
    if not allowed:
        response = _error("temporarily_unavailable", "Too many token requests from this address; wait and retry.")
        response["Retry-After"] = str(retry_after)
        return response
    client_id = ""
    try:
        parameters = _parameters(request)
        basic = _basic_credentials(request)
        grant_type = parameters.get("grant_type", "")
        if not grant_type:
            raise OAuthError("invalid_request", "Say grant_type=client_credentials.")
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is offered here.")
        # One way only (RFC 6749 section 2.3); a body client_id that repeats the Basic one is harmless.
        if basic is not None and ("client_secret" in parameters or parameters.get("client_id", basic[0]) != basic[0]):
            raise OAuthError("invalid_request", "Authenticate the client one way: HTTP Basic or the form body.")
        client_id, client_secret = basic or (parameters.get("client_id", ""), parameters.get("client_secret", ""))
        if not client_id or not client_secret:
            raise OAuthError("invalid_client", "Send client_id and client_secret (HTTP Basic or the form body).")
        # Wrong secrets lock the client id and the address as failed sign-ins do (credstack.accounts.throttle).
        locked = throttle.sign_in_wait(request, f"oauth:{client_id}")
        if locked:
            return _throttled(locked)
        for name in ("audience", "resource"):
            if name in parameters and parameters[name] not in _audiences():
                raise OAuthError("invalid_target", f"The {name} must be this platform, {settings.CREDSTACK_BASE_URL}.")
        scope = parameters.get("scope", parameters.get("scopes"))
        granted, raw = do_grant_client_credentials(
            client_id=client_id,
            client_secret=client_secret,
            scope=scope,
            lifetime_seconds=settings.CREDSTACK_OAUTH_TOKEN_SECONDS,
        )
    except OAuthError as refused:
        if refused.error == "invalid_client" and client_id:
            locked = throttle.count_failed_sign_in(request, f"oauth:{client_id}")
            if locked:
                return _throttled(locked)
        return _error(refused.error, refused.description)
    body = {
        "access_token": raw,
        "token_type": "Bearer",
        "expires_in": settings.CREDSTACK_OAUTH_TOKEN_SECONDS,
        "scope": granted.scope,
    }
    return _no_store(JsonResponse(body))


def metadata(request: HttpRequest) -> JsonResponse:
    """RFC 8414 authorization server metadata, so clients can find the token endpoint."""
    base = settings.CREDSTACK_BASE_URL
    return JsonResponse(
        {
            "issuer": base,
            "token_endpoint": base + "/oauth/token",
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": sorted(OAUTH_SCOPES),
            "response_types_supported": [],
        }
    )


def access_token(raw: str) -> OAuthAccessToken | None:
    """The live token behind a Bearer value: unexpired, of a client that is not revoked and whose creator may
    still act for the organization."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        OAuthAccessToken.objects.select_related("client__organization", "client__created_by")
        .filter(token_hash=hash_secret(raw), expires_at__gt=timezone.now(), client__revoked_at__isnull=True)
        .first()
    )
    if token is None or not creator_may_act(token.client.created_by, token.client.organization):
        return None
    return token
