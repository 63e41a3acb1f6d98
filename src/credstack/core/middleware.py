"""Refuse text the database cannot hold before any view sees it.

PostgreSQL cannot store NUL in text, and a lone surrogate cannot be encoded as UTF-8: either one, reaching a query,
is a 500. Rather than guard each field, :class:`TextInputGuardMiddleware` refuses, with a 400, any request whose path,
query string, form fields (names and values, and uploaded files' names, not their contents) or JSON body holds one:
a readable page for pages, problem details (RFC 9457) for the API. Cookies holding one are dropped (a session cookie
with a NUL is no session), not refused.

JSON bodies are checked from their bytes, without parsing (:func:`escape_problem`): exact, and about a millisecond for
2 MB, so the verify API's large requests pay almost nothing. A small refused body is parsed to name the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.shortcuts import render

from credstack.vc.iri import text_problem

# An escape that may spell NUL or half a surrogate pair. It starts with a literal, which the regular expression
# engine finds with a fast search (about a millisecond for 2 MB); the backslashes before it are counted apart (an
# even run is escaped backslashes and the letter u, not an escape).
_SUSPECT_ESCAPE = re.compile(rb"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_NUL = "contains a NUL character (\\u0000), which text may not contain"
_LONE = "contains a lone surrogate (text that is not valid Unicode)"
# Bodies up to this size are parsed to name the field at fault; larger ones are refused without parsing.
_NAMED_BODY_BYTES = 64 * 1024
_JSON_NAMESPACES = frozenset({"api", "vcapi"})
# Views that refuse such text themselves in the form their protocol prescribes (RFC 6749 errors for the token
# endpoint; tests/platform/test_oauth.py covers NUL and lone surrogates there).
CHECK_THEIR_OWN_INPUT = frozenset({"organizations:oauth_token"})
# Views whose body is bytes, not text (pieces of a resumable evidence upload, stored as they are): only their
# address and query are checked.
BINARY_BODY_VIEWS = frozenset({"assessment:upload"})


@dataclass(frozen=True)
class Finding:
    """Where a text that cannot be stored was found (``field``: its name or JSON path, for problem details)."""

    where: str
    problem: str
    field: str = ""


def _first_problem(lists: Iterable[tuple[str, list[Any]]], where: str) -> Finding | None:
    for key, values in lists:
        if (problem := text_problem(key)) is not None:
            return Finding(f"a {where} name", problem)
        for value in values:
            if isinstance(value, str) and (problem := text_problem(value)) is not None:
                return Finding(f"{where} {key!r}", problem, key)
    return None


def escape_problem(body: bytes) -> str | None:
    """Whether a JSON text spells NUL or a lone surrogate in its escapes, read from the bytes without parsing.

    Exact for JSON (a backslash only ever starts an escape inside a string): a ``\\uD800``-``\\uDBFF`` escape must
    be followed at once by a ``\\uDC00``-``\\uDFFF`` one and the latter preceded by the former.
    """
    if b"\x00" in body:
        return _NUL.replace(" (\\u0000)", "")
    pending = -1  # where a high half ended, waiting for its low half right there
    for match in _SUSPECT_ESCAPE.finditer(body):
        first = match.start()
        while first > 0 and body[first - 1] == 0x5C:  # a backslash
            first -= 1
        if (match.start() - first) % 2:
            continue  # the backslash is itself escaped: the letter u follows, not an escape
        code = int(match.group(1), 16)
        paired = pending == match.start() and code >= 0xDC00
        if pending >= 0 and not paired:
            return _LONE
        if paired:
            pending = -1
        elif code == 0:
            return _NUL
        elif code <= 0xDBFF:
            pending = match.end()
        else:
            return _LONE
    return _LONE if pending >= 0 else None


def _json_problem(value: Any) -> Finding | None:
    """The first text in a parsed JSON value that cannot be stored, with its path (walked without recursion)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if (problem := text_problem(item)) is not None:
                return Finding(f"the body's {path!r}" if path else "the request body", problem, path)
        elif isinstance(item, dict):
            for key, child in item.items():
                if (problem := text_problem(key)) is not None:
                    return Finding("a name in the request body", problem, path)
                stack.append((f"{path}.{key}" if path else key, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
    return None


def _multipart_problem(request: HttpRequest, csrf_exempt: bool) -> Finding | None:
    if request.method != "POST":
        return None  # Django does not parse PUT/PATCH forms; the API's field types check those
    if csrf_exempt:
        # An API view may read the raw body itself (so it is kept, and parsed from the copy), and may check its
        # own size limit before reading (the verifier): a large upload is not read for it here, the API's field
        # types check such forms' text fields. Protected views' bodies are parsed by the CSRF check anyway.
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        request.body  # noqa: B018 -- reading it keeps the raw body for the view
    try:
        fields, files = request.POST, request.FILES
    except MultiPartParserError:
        return None  # a form Django cannot read: the view (or Django's 400) answers as it would without this check
    names = [(name, [upload.name for upload in uploads]) for name, uploads in files.lists()]
    return _first_problem(fields.lists(), "field") or _first_problem(names, "file")


def _body_problem(request: HttpRequest, csrf_exempt: bool) -> Finding | None:
    if request.content_type == "multipart/form-data":
        return _multipart_problem(request, csrf_exempt)
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        return None  # the view's own size limit answers (nothing was read)
    if request.content_type == "application/x-www-form-urlencoded":
        return _first_problem(QueryDict(body, encoding=request.encoding).lists(), "field")
    problem = escape_problem(body) if body else None
    if problem is None:
        return None
    if len(body) <= _NAMED_BODY_BYTES:
        try:
            found = _json_problem(json.loads(body))
        except (ValueError, RecursionError):
            found = None
        if found is not None:
            return found
    return Finding("the request body", problem)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def find_problem(request: HttpRequest, *, csrf_exempt: bool = False, check_body: bool = True) -> Finding | None:
    """The first text in the request that cannot be stored, or None."""
    if (problem := text_problem(request.path_info)) is not None:
        return Finding("the address", problem)
    found = _first_problem(request.GET.lists(), "query parameter")
    if found is not None or request.method in ("GET", "HEAD", "OPTIONS") or not check_body:
        return found
    return _body_problem(request, csrf_exempt)


def wants_json(request: HttpRequest) -> bool:
    """Whether an error for this request is problem details (the API, JSON bodies, JSON clients) or a page."""
    if request.path_info.startswith("/api/") or request.content_type == "application/json":
        return True
    match = getattr(request, "resolver_match", None)
    if match is not None and _JSON_NAMESPACES.intersection(match.namespaces):
        return True
    accept = request.headers.get("Accept", "")
    return "json" in accept and "html" not in accept


def refuse(request: HttpRequest, found: Finding) -> HttpResponse:
    """400 for text that cannot be stored: problem details (with ``errors`` by field) or a readable page."""
    detail = f"The text in {found.where} {found.problem}. Remove it and send the request again; nothing was saved."
    if wants_json(request):
        from credstack.api.api import problem as problem_response

        errors = {"errors": {found.field: f"This text {found.problem}."}} if found.field else {}
        return problem_response(400, "The request holds text that cannot be stored", detail, **errors)
    return render(request, "400.html", {"detail": detail}, status=400)


class TextInputGuardMiddleware:
    """Refuse requests carrying NUL or a lone surrogate in any text (see the module docstring).

    Placed before the session middleware, so that a cookie holding one is dropped before the session is looked
    up; the request itself is checked once its view is known (``process_view``), so that error pages show who is
    signed in and the API answers problem details.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [n for n, v in request.COOKIES.items() if text_problem(n) or text_problem(v)]:
            del request.COOKIES[name]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in CHECK_THEIR_OWN_INPUT:
            return None
        found = find_problem(
            request,
            csrf_exempt=getattr(view_func, "csrf_exempt", False),
            check_body=match is None or match.view_name not in BINARY_BODY_VIEWS,
        )
        return refuse(request, found) if found is not None else None
