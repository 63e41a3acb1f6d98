"""The network transport connects to the address it checked (no DNS rebinding), and only there.

Every connection here goes to a server on 127.0.0.1 started by the test, or is refused before any
socket is opened (socket.create_connection is replaced by a recorder that raises).
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from credstack.vc.errors import FetchError
from credstack.vc.fetch import AllowlistFetcher, pinned_transport


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_resolves_once_and_connects_to_the_checked_address(monkeypatch: Any, loopback_server: int) -> None:
    calls: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "127.0.0.1":  # the connection to the pinned address literal
            return real_getaddrinfo(host, *args, **kwargs)
        calls.append(host)
        if len(calls) > 1:  # a second lookup of the name would be the rebinding window
            raise OSError("the name was looked up twice")
        return real_getaddrinfo("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    fetcher = AllowlistFetcher(
        frozenset({f"badges.example:{loopback_server}"}),
        allow_http=True,
        address_check=lambda address: address in {"badges.example", "127.0.0.1"},
    )
    result = fetcher.fetch(f"http://badges.example:{loopback_server}/status")
    assert result.body == b'{"ok": true}'
    assert calls == ["badges.example"]  # resolved exactly once, by the transport


def test_private_answer_is_refused_before_any_connection(monkeypatch: Any) -> None:
    opened: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(socket, "create_connection", refuse)
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real_getaddrinfo("169.254.169.254", *a, **k))
    transport = pinned_transport(lambda address: not address.startswith("169.254."))
    with pytest.raises(FetchError, match="private, loopback or link-local"):
        transport("https://metadata.example/latest", "application/json", 1000, 1.0)
    assert opened == []


def test_default_check_refuses_loopback(monkeypatch: Any) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: opened.append(a))
    fetcher = AllowlistFetcher(frozenset({"localhost"}), allow_http=True)
    with pytest.raises(FetchError):
        fetcher.fetch("http://localhost/anything")
    assert opened == []
