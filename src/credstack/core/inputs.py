"""The doors' side of :mod:`credstack.vc.iri`: one Django validator, form field and pydantic type for a web URL, so
that what a form, the API or a command accepts is what the credential builders accept.

A web URL must pass both Django's ``URLValidator`` (host names, IP addresses, ports) and the core rule (the
characters an IRI may hold); the core rule alone is what the builders check, so the door is never wider than them.
"""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from pydantic import AfterValidator

from credstack.vc.iri import WEB_URL_MAX_LENGTH, web_url_problem

_django_url = URLValidator(schemes=["http", "https"])


def web_url_message(value: str, *, max_length: int = WEB_URL_MAX_LENGTH, label: str = "The URL") -> str | None:
    """A readable reason why ``value`` is not a web URL, or None when it is one."""
    problem = web_url_problem(value, max_length=max_length)
    if problem is None:
        try:
            _django_url(value)
        except ValidationError:
            problem = "is not a valid address (check the host name and port)"
    if problem is None:
        return None
    return f"{label} {problem}; give a full http(s) URL such as https://example.org/page."


def validate_web_url(value: str) -> None:
    """Django validator: a full http(s) URL (see :func:`web_url_message`)."""
    message = web_url_message(value)
    if message is not None:
        raise ValidationError(message, code="web_url")


class WebURLField(forms.URLField):
    """A form field for a web URL under the one rule (``https://`` is assumed when no scheme is typed)."""

    default_validators = [validate_web_url]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        kwargs.setdefault("max_length", WEB_URL_MAX_LENGTH)
        super().__init__(**kwargs)


def _web_url(value: str) -> str:
    value = value.strip()
    message = web_url_message(value)
    if message is not None:
        raise ValueError(message)
    return value


def _web_url_or_empty(value: str) -> str:
    value = value.strip()
    if value:
        message = web_url_message(value)
        if message is not None:
            raise ValueError(message)
    return value


# pydantic (Django Ninja schemas): a web URL, or "" where the field may be left empty. Texts need no type of
# their own: TextInputGuardMiddleware refuses NUL and lone surrogates in every request.
WebUrl = Annotated[str, AfterValidator(_web_url)]
WebUrlOrEmpty = Annotated[str, AfterValidator(_web_url_or_empty)]
