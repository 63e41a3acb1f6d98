"""A TLS-terminating proxy on loopback for the W3C suites, logging every exchange.

The suites only speak https; ``credstack serve`` speaks http. This listens on ``--listen`` with the given
(self-signed) certificate, forwards each request to ``--backend`` with ``X-Forwarded-Proto: https``, and
appends one JSON line per exchange to ``--log`` (method, path, request body, status, response body, both
cut at 20 000 characters; client secrets and access tokens hidden) so each failing test's request and our
answer can be read afterwards.

For the suites on a developer's machine only; in production use a real reverse proxy (docs/operations.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
LOG_CHARS = 20_000
# Secrets stay out of the log: the client secret the harness sends and the tokens it gets back.
SECRETS = re.compile(r'(client_secret=|"access_token": ?")[^&"]+')


def make_handler(backend_host: str, backend_port: int, log_path: str) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # the JSON log says it all
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["X-Forwarded-Proto"] = "https"
            headers["X-Forwarded-For"] = self.client_address[0]
            started = time.time()
            upstream = http.client.HTTPConnection(backend_host, backend_port, timeout=120)
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                status, reason, answer_headers = answer.status, answer.reason, answer.getheaders()
            except OSError as exc:
                payload = f"proxy: backend unreachable: {exc}".encode()
                status, reason, answer_headers = 502, "Bad Gateway", [("Content-Type", "text/plain")]
            finally:
                upstream.close()
            self.send_response(status, reason)
            for name, value in answer_headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            entry = {
                "at": time.strftime("%H:%M:%S", time.gmtime(started)),
                "ms": round((time.time() - started) * 1000),
                "method": self.command,
                "path": self.path,
                "auth": "Authorization" in self.headers,
                "request": SECRETS.sub(r"\1(hidden)", body.decode("utf-8", "replace"))[:LOG_CHARS],
                "status": status,
                "response": SECRETS.sub(r"\1(hidden)", payload.decode("utf-8", "replace"))[:LOG_CHARS],
            }
            with lock, open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

    return Forward


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8443")
    parser.add_argument("--backend", default="127.0.0.1:8441")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    backend_host, backend_port = args.backend.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), make_handler(backend_host, int(backend_port), args.log))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
