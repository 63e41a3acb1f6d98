"""Security headers that Django's own middleware does not set: Content-Security-Policy and Permissions-Policy.

Django's ``SecurityMiddleware`` already sends ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``
(``SECURE_REFERRER_POLICY``) and ``Cross-Origin-Opener-Policy: same-origin`` on every response, and
``XFrameOptionsMiddleware`` ``X-Frame-Options: DENY``; ``manage.py check --deploy`` checks those. This adds:

- ``Content-Security-Policy`` on every HTML page: scripts and styles only from this site's static files, or
  inline with this request's nonce (``request.csp_nonce``; no page needs one today: every script lives in a
  static file and every handler is attached from there, e.g. ``data-confirm`` forms in ``site.js``), no
  ``style`` attributes, no plugins, no ``<base>``, forms posting only here, never framed. Images may be this
  site's, ``data:`` (the verifier shows a credential's embedded image) or the public origin's
  (``CREDSTACK_BASE_URL``, when it differs from the host serving the page). A view that sets its own policy
  (a served SVG badge) keeps it.
- ``Permissions-Policy`` on every response: no camera, microphone, geolocation, payment or USB.

A small middleware rather than ``django-csp``: one fixed policy and a nonce are all the site needs, and the
policy reads best as the one string below. Violations show in the browser console; the browser tests fail
on any (``tests/platform/test_security_headers.py``).
"""

from __future__ import annotations

import secrets
import urllib.parse
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(nonce: str) -> str:
    base = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL)
    public_origin = f"{base.scheme}://{base.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            f"img-src 'self' data: {public_origin}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(nonce)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
