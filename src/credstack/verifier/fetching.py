"""What the verifier may fetch, and how: this platform's own documents in-process, allowed hosts over https.

A verifier that fetches whatever URL a credential names is a server-side request forgery hole, so every
URL the verifier follows (a status list, a DID document, an issuer profile, an evidence file, a
credential link someone pasted) goes through :func:`platform_fetcher`:

- URLs on the host of ``CREDSTACK_BASE_URL`` (under its path) are answered by calling this platform's
  own view in-process, as an anonymous ``GET``: no socket is opened, and the answer is exactly what
  the public would see (so evidence a learner has not made visible is not fetched). The verifier's own
  pages and the admin are never called this way (a credential could otherwise make the verifier call itself).
- other URLs go to :class:`credstack.vc.fetch.AllowlistFetcher`: hosts on
  ``CREDSTACK_VERIFIER_ALLOWED_HOSTS`` only, https only, no redirects, a size cap, and never an address
  that resolves to a private, loopback or link-local range unless
  ``CREDSTACK_VERIFIER_ALLOW_PRIVATE_ADDRESSES`` is set.

The transport and the address check are parameters so that tests inject them and never open a
connection, even when a guard is broken.
"""

from __future__ import annotations

import functools
import io
import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponseBase
from django.urls import NoReverseMatch, Resolver404, ResolverMatch, resolve, reverse

from credstack.vc.errors import FetchError
from credstack.vc.fetch import AllowlistFetcher, Fetcher, FetchResult, Transport
from credstack.verifier import owncache

logger = logging.getLogger(__name__)

#: URL namespaces never called in-process: the verifier itself (no recursion) and the admin.
REFUSED_NAMESPACES = frozenset({"verifier", "vcapi", "admin"})


class NotVisible(FetchError):
    """This platform holds the document but does not show it to the public (e.g. private evidence)."""


#: Evidence pages of this platform whose file, not the page, is what an evidence digest covers.
EVIDENCE_FILES = {"awards:evidence": "awards:evidence_file"}


@dataclass
class InProcessFetcher:
    """Answers URLs of this platform by calling its views as an anonymous GET, without a socket.

    ``request_attributes`` are set on each request: a share link passes itself this way, so that the
    evidence its learner shared can be read for the digest check (see :mod:`credstack.verifier.sharing`).
    """

    base_url: str
    max_bytes: int
    request_attributes: dict[str, Any] = field(default_factory=dict)
    _documents: dict[tuple[str, str], FetchResult] = field(default_factory=dict, repr=False)

    def content_url(self, url: str) -> str:
        """Where the bytes an evidence digest covers are: the file behind one of this platform's evidence
        pages, or the URL itself."""
        if not self.handles(url):
            return url
        parts = urllib.parse.urlsplit(url)
        try:
            match = resolve(urllib.parse.unquote(parts.path))
        except Resolver404:
            return url
        target = EVIDENCE_FILES.get(match.view_name)
        if target is None:
            return url
        try:
            path = reverse(target, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return url
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    @functools.cached_property
    def _base(self) -> tuple[str, str]:
        parts = urllib.parse.urlsplit(self.base_url)
        return parts.netloc.lower(), parts.path.rstrip("/") + "/"

    def handles(self, url: str) -> bool:
        # A data: URL (an embedded image, many kilobytes) is never a page: not split (urlsplit copies it thrice).
        if url[:5].lower() == "data:":
            return False
        # By host and port, http or https alike: did:web always names https, so a development platform on
        # plain http still answers its own DID documents here.
        parts = urllib.parse.urlsplit(url)
        netloc, path = self._base
        return parts.scheme in ("http", "https") and parts.netloc.lower() == netloc and parts.path.startswith(path)

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        if not self.handles(url):
            raise FetchError(f"{url} is not a URL of this platform.")
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path) or "/"
        try:
            match = owncache.resolve_path(path)
        except Resolver404 as exc:
            raise FetchError(f"{url} is not a page of this platform.") from exc
        if set(match.namespaces) & REFUSED_NAMESPACES:
            raise FetchError(f"{url} is not a document the verifier reads.")
        if not owncache.cacheable(match.view_name):
            return self._call(url, match, accept)
        # One verification reads the issuer's DID document more than once (credential, status list): the first
        # answer stands for the rest of this verification, which is one moment.
        seen = self._documents.get((url, accept))
        if seen is None:
            seen = owncache.fetch(match.view_name, match.kwargs, url, accept, lambda: self._call(url, match, accept))
            self._documents[(url, accept)] = seen
        return seen

    def _call(self, url: str, match: ResolverMatch, accept: str) -> FetchResult:
        """The view's answer to an anonymous GET of ``url``, as the public would get it."""
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path) or "/"
        host = parts.hostname or "localhost"
        port = str(parts.port or (443 if parts.scheme == "https" else 80))
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": parts.query,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "HTTP_HOST": parts.netloc,
            "HTTP_ACCEPT": accept,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": parts.scheme,
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        }
        request = WSGIRequest(environ)
        request.user = AnonymousUser()
        for name, value in self.request_attributes.items():
            setattr(request, name, value)
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except PermissionDenied as exc:
            raise NotVisible(f"{url} is not shown to the public.") from exc
        except Http404 as exc:
            raise FetchError(f"{url} was not found on this platform (HTTP 404).") from exc
        except Exception as exc:  # a view that fails is a document that cannot be had; people read this message
            logger.info("In-process fetch of %s failed", url, exc_info=True)
            raise FetchError(f"{url} could not be read on this platform.") from exc
        return FetchResult(url, self._body(url, response), response.get("Content-Type", ""))

    def _body(self, url: str, response: HttpResponseBase) -> bytes:
        try:
            if response.status_code in (401, 403):
                raise NotVisible(f"{url} is not shown to the public (HTTP {response.status_code}).")
            if response.status_code != 200:
                raise FetchError(f"{url} answered HTTP {response.status_code}.")
            if response.streaming:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.streaming_content:  # type: ignore[attr-defined]
                    chunk = chunk if isinstance(chunk, bytes) else str(chunk).encode()
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise FetchError(f"{url} answered more than {self.max_bytes} bytes.")
                    chunks.append(chunk)
                return b"".join(chunks)
            body: bytes = response.content  # type: ignore[attr-defined]
            if len(body) > self.max_bytes:
                raise FetchError(f"{url} answered more than {self.max_bytes} bytes.")
            return body
        finally:
            # Not response.close(): it also sends request_finished, whose close_old_connections() closes
            # the database connection of any transaction in progress (an action verifying inside
            # atomic(), or a test). Close only the response's own resources (an open evidence file).
            for closer in getattr(response, "_resource_closers", []):
                closer()


@dataclass
class Attempt:
    """One URL the verifier tried to fetch, shown to the person so they know what was consulted."""

    url: str
    ok: bool
    message: str


@dataclass
class PlatformFetcher:
    """This platform in-process, everything else through the allowlist; records every attempt."""

    local: InProcessFetcher
    remote: Fetcher
    attempts: list[Attempt] = field(default_factory=list)

    def may_open(self, url: str) -> bool:
        """Whether the rules let ``url`` be fetched at all: this platform, or https on an allowed host (no
        connection is made; the address is still checked when it is fetched)."""
        if self.local.handles(url):
            return True
        remote = self.remote
        if not isinstance(remote, AllowlistFetcher):
            return True
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "https" and not (parsed.scheme == "http" and remote.allow_http):
            return False
        host = (parsed.hostname or "").lower()
        hostport = f"{host}:{parsed.port}" if parsed.port else host
        return bool(host) and (host in remote.allowed_hosts or hostport in remote.allowed_hosts)

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        if not isinstance(url, str):
            raise FetchError("A URL must be text.")
        source = self.local if self.local.handles(url) else self.remote
        try:
            result = source.fetch(url, accept=accept)
        except FetchError as exc:
            self.attempts.append(Attempt(url, False, str(exc)))
            raise
        where = "this platform" if source is self.local else urllib.parse.urlsplit(url).netloc
        self.attempts.append(Attempt(url, True, f"Read {len(result.body)} bytes from {where}."))
        return result


def _allow_any_address(host: str) -> bool:
    """Used only when the operator explicitly allows private and loopback addresses."""
    return True


def platform_fetcher(
    *,
    transport: Transport | None = None,
    address_check: Callable[[str], bool] | None = None,
) -> PlatformFetcher:
    """The fetcher every verification on this platform uses, configured from settings.

    ``transport`` and ``address_check`` are for tests (and only tests): a transport that records and
    refuses proves no connection is attempted for a URL the guard must stop.
    """
    max_bytes = settings.CREDSTACK_VERIFIER_MAX_FETCH_BYTES
    allow_private = settings.CREDSTACK_VERIFIER_ALLOW_PRIVATE_ADDRESSES
    remote = AllowlistFetcher(allowed_hosts=frozenset(settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS), max_bytes=max_bytes)
    if transport is not None:
        remote.transport = transport
    if address_check is not None:
        remote.address_check = address_check
    elif allow_private:
        remote.address_check = _allow_any_address
    return PlatformFetcher(local=InProcessFetcher(settings.CREDSTACK_BASE_URL, max_bytes), remote=remote)
