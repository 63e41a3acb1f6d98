"""Fetching URLs a credential names, only where the caller allows it.

A verifier that fetches whatever URL a credential names is a server-side request forgery hole.
Here nothing is fetched unless a caller hands a :class:`Fetcher` in: :class:`NoNetwork` (the default
everywhere) refuses, :class:`StaticFetcher` answers from local copies (tests, ``--resource``),
:class:`AllowlistFetcher` goes to the network for listed hosts only, refuses addresses that resolve
to private, loopback or link-local ranges unless explicitly allowed, follows no redirects and caps
the size of the answer. The transport is injectable so that tests never open a connection.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from credstack.vc.errors import FetchError

DEFAULT_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class FetchResult:
    url: str
    body: bytes
    content_type: str = ""


class Fetcher(Protocol):
    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        """Return the body at ``url`` or raise :class:`FetchError`."""
        ...


class NoNetwork:
    """Refuses every URL: the default, so that nothing leaves the machine unless asked."""

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        raise FetchError(f"Fetching {url} is not allowed (no network access was granted).")


@dataclass
class StaticFetcher:
    """Answers from a mapping URL -> bytes; anything else falls through to ``fallback``."""

    resources: Mapping[str, bytes]
    fallback: Fetcher = field(default_factory=NoNetwork)

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        if url in self.resources:
            return FetchResult(url, self.resources[url])
        base = url.split("#", 1)[0]
        if base in self.resources:
            return FetchResult(url, self.resources[base])
        return self.fallback.fetch(url, accept=accept)


Transport = Callable[[str, str, int, float], FetchResult]
"""(url, accept, max_bytes, timeout) -> FetchResult; raises FetchError."""


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to an address resolved (and checked) beforehand, verified for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def pinned_transport(address_check: Callable[[str], bool]) -> Transport:
    """The network transport: resolve once, check every address, connect to the checked one.

    Resolving in the check and again in the connection would let a DNS answer change in between
    (DNS rebinding: public for the check, 127.0.0.1 for the request); here the connection goes to
    the very address that was checked. Redirects are never followed (http.client does not).
    """

    def transport(url: str, accept: str, max_bytes: int, timeout: float) -> FetchResult:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
        https = parsed.scheme == "https"
        port = parsed.port or (443 if https else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"{host} could not be resolved: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        if not addresses or not all(address_check(address) for address in addresses):
            raise FetchError(f"{host} resolves to a private, loopback or link-local address; refused.")
        connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
        connection = connection_class(host, port, addresses[0], timeout)
        path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        try:
            connection.request("GET", path, headers={"Accept": accept, "User-Agent": "credstack-verifier"})
            response = connection.getresponse()
            if response.status != 200:
                raise FetchError(f"{url} answered HTTP {response.status}.")
            body = response.read(max_bytes + 1)
            content_type = response.getheader("Content-Type", "") or ""
        except FetchError:
            raise
        except Exception as exc:  # network errors of every kind become one readable error
            raise FetchError(f"{url} could not be fetched: {exc}") from exc
        finally:
            connection.close()
        if len(body) > max_bytes:
            raise FetchError(f"{url} answered more than {max_bytes} bytes.")
        return FetchResult(url, body, content_type)

    return transport


def _is_public_address(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return False
    return True


@dataclass
class AllowlistFetcher:
    """Fetches https (or, for allowed hosts with ``allow_http``, http) URLs of listed hosts only.

    ``allowed_hosts`` holds ``host`` or ``host:port`` entries. ``address_check`` decides whether
    an address (or host) may be contacted; by default only globally routable addresses may be, so
    that a DNS answer pointing at 127.0.0.1 or 169.254.169.254 is refused. Without an injected
    ``transport`` the request goes through :func:`pinned_transport`, which connects to the very
    address it checked. Tests inject both ``transport`` and ``address_check``.
    """

    allowed_hosts: frozenset[str]
    allow_http: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 5.0
    transport: Transport | None = None
    address_check: Callable[[str], bool] = _is_public_address

    def fetch(self, url: str, *, accept: str = "application/json") -> FetchResult:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("https", "http") or not parsed.hostname:
            raise FetchError(f"{url} is not an http(s) URL.")
        if parsed.scheme == "http" and not self.allow_http:
            raise FetchError(f"{url} is not https; only https URLs are fetched.")
        host = parsed.hostname.lower()
        hostport = f"{host}:{parsed.port}" if parsed.port else host
        if host not in self.allowed_hosts and hostport not in self.allowed_hosts:
            raise FetchError(f"Fetching from {hostport} is not allowed (not on the list of allowed hosts).")
        if not self.address_check(host):
            raise FetchError(f"{host} resolves to a private, loopback or link-local address; refused.")
        transport = self.transport or pinned_transport(self.address_check)
        return transport(url, accept, self.max_bytes, self.timeout)
