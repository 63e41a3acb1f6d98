"""Answering the platform's own URLs without HTTP, for verifying credentials inside the platform.

:class:`LocalFetcher` implements :class:`credstack.vc.fetch.Fetcher`. A URL on the platform's public origin
(``CREDSTACK_BASE_URL``, or its https form, which is where did:web DIDs resolve) that names one of the
public documents — issuer profile, did:web DID document, status list credential, achievement, credential
— is answered by calling the view that serves it, in-process, so the bytes are exactly what the web serves
and nothing leaves the machine. Any other URL goes to the fallback, by default
``AllowlistFetcher(settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS)`` (hosts an operator allowed; public
addresses only, no redirects, size-capped).

``issue_credential_document`` is re-exported here for callers that sign documents for an organization
(it lives in :mod:`credstack.awards.actions` with the other writes).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.urls import Resolver404, resolve

from credstack.awards.actions import issue_credential_document
from credstack.vc.errors import FetchError
from credstack.vc.fetch import AllowlistFetcher, Fetcher, FetchResult

__all__ = ["PUBLIC_DOCUMENTS", "LocalFetcher", "issue_credential_document"]

#: The views whose documents a LocalFetcher may answer (all public, read-only, per-object checked).
PUBLIC_DOCUMENTS = frozenset(
    {
        "organizations:issuer_json",
        "signing:did_document",
        "awards:status_list",
        "catalog:achievement_json",
        "awards:credential",
    }
)


def _default_fallback() -> Fetcher:
    return AllowlistFetcher(frozenset(getattr(settings, "CREDSTACK_VERIFIER_ALLOWED_HOSTS", frozenset())))


@dataclass
class LocalFetcher:
    """The platform's public documents from the database; everything else through ``fallback``."""

    fallback: Fetcher = field(default_factory=_default_fallback)

    def _local_path(self, url: str) -> str | None:
        parsed = urllib.parse.urlsplit(url)
        base = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL)
        if parsed.scheme not in ("http", "https") or parsed.netloc.lower() != base.netloc.lower():
            return None
        if parsed.scheme != base.scheme and parsed.scheme != "https":
            return None
        prefix = base.path.rstrip("/")
        if not parsed.path.startswith(prefix + "/"):
            return None
        return parsed.path[len(prefix) :]

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        path = self._local_path(url.split("#", 1)[0])
        if path is None:
            return self.fallback.fetch(url, accept=accept)
        try:
            match = resolve(path)
        except Resolver404:
            raise FetchError(f"{url} is not a page of this platform.")
        if match.view_name not in PUBLIC_DOCUMENTS:
            raise FetchError(f"{url} is not a public document of this platform.")
        request = HttpRequest()
        request.method = "GET"
        request.path = request.path_info = path
        request.META = {
            "HTTP_ACCEPT": accept or "application/json",
            "SERVER_NAME": "localfetcher",
            "SERVER_PORT": "443",
        }
        request.user = AnonymousUser()
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Http404:
            raise FetchError(f"{url} answered HTTP 404.")
        if response.status_code != 200:
            raise FetchError(f"{url} answered HTTP {response.status_code}.")
        return FetchResult(url, bytes(response.content), response.get("Content-Type", ""))
