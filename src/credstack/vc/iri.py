"""What an IRI, a web URL and a text may be: one rule for the builders and for every door of the platform.

The builders refuse an IRI that this module refuses, and every form field, API schema and command that takes a URL
or a text checks it with the same functions (wrapped for Django and pydantic in :mod:`credstack.core.inputs`), so
a value that passed the door cannot fail when the credential is built.

- An **IRI** (RFC 3987, absolute): a scheme, a colon, then at least one character, none of them a control
  character (C0, DEL, C1), white space, or one of ``< > " { } | \\ ^ ``` (the characters RFC 3987 leaves out
  and N-Quads cannot carry), and no lone surrogate.
- A **web URL**: an IRI whose scheme is ``http`` or ``https`` with a host, at most ``max_length`` characters.
- A **text**: any Unicode text without NUL (PostgreSQL cannot store it) and without a lone surrogate (it cannot
  be encoded as UTF-8).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_URL_MAX_LENGTH = 2000

# A lone surrogate is any surrogate code point left in a Python str (a valid pair is decoded to one character).
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile('[\x00-\x20\x7f-\x9f<>"{}|\\\\^`\\s\ud800-\udfff]')


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000), which text may not contain"
    return "contains a lone surrogate (text that is not valid Unicode)"


def is_text(value: str) -> bool:
    """Whether ``value`` is storable text (no NUL, no lone surrogate)."""
    return _BAD_TEXT.search(value) is None


def storable_text(value: str) -> str:
    """``value`` with each NUL and lone surrogate replaced by U+FFFD, to keep a refused input on record."""
    return _BAD_TEXT.sub("\ufffd", value)


def iri_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute IRI the builders accept, or None when it is."""
    scheme = _IRI_SCHEME.match(value)
    if scheme is None or scheme.end() == len(value):
        return "must be an absolute IRI (a scheme, a colon, then the rest)"
    found = _IRI_FORBIDDEN.search(value, scheme.end())
    if found is not None:
        char = found.group()
        shown = repr(char) if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
        return f'may not contain {shown} (spaces, control characters and < > " {{ }} | \\ ^ ` must be percent-encoded)'
    return None


def check_iri(value: str, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` unless ``value`` is an absolute IRI (see :func:`iri_problem`)."""
    problem = iri_problem(value)
    if problem is not None:
        raise ValueError(f"{what} {problem}, got {value!r}.")


def as_iri(value: str) -> str:
    """``value`` with each character an IRI may not hold percent-encoded (as UTF-8), so that a URL stored before
    this rule still goes into a credential; unchanged when it already is an IRI or has no scheme to keep."""
    scheme = _IRI_SCHEME.match(value)
    if scheme is None or iri_problem(value) is None:
        return value
    rest = _IRI_FORBIDDEN.sub(
        lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8", "replace")), value[scheme.end() :]
    )
    return value[: scheme.end()] + rest


def web_url_problem(value: str, *, max_length: int = WEB_URL_MAX_LENGTH) -> str | None:
    """Why ``value`` is not a web URL (http or https, with a host, an IRI the builders accept), or None."""
    if len(value) > max_length:
        return f"must be at most {max_length} characters"
    problem = iri_problem(value)
    if problem is not None:
        return problem
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- reading it checks the port
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme.lower() not in ("http", "https") or not value[len(parts.scheme) :].startswith("://"):
        return "must start with http:// or https://"
    if not parts.hostname:
        return "must name a host"
    return None


def is_web_url(value: str, *, max_length: int = WEB_URL_MAX_LENGTH) -> bool:
    """Whether ``value`` is a web URL (see :func:`web_url_problem`)."""
    return web_url_problem(value, max_length=max_length) is None
