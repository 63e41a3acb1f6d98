"""Links to this platform's own credentials, pasted into ``/verify``: read from the database, not fetched.

A share link (``/share/<token>``), a credential's public page (``/credentials/<uuid>``, which is also the
credential's id) and its downloads (``credential.json``, ``badge.png``, ``badge.svg``) name a credential this
platform holds. Fetching them would call the verifier's own views (refused: a credential could make the
verifier call itself) or a page meant for people, so :func:`resolve_own_link` looks the credential up and
hands the stored document to the verifier, which then checks it exactly as any other input (signature,
status list, dates). Other URLs of this platform and foreign URLs go through the fetcher as before.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import Resolver404

from credstack.verifier import owncache
from credstack.verifier.models import ShareLink

#: Views whose URL names one credential by its public id.
CREDENTIAL_VIEWS = frozenset(
    {"awards:credential", "awards:download_json", "awards:download_png", "awards:download_svg"}
)


@dataclass
class OwnLink:
    """What a URL of this platform names: a credential document (and the share link it came by), or why not."""

    document: Any = None
    share_link: ShareLink | None = None
    problem: str = ""


def _is_ours(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return False
    return parts.path.startswith(base.path.rstrip("/") + "/")


def _gone_message(link: ShareLink) -> str:
    if link.revoked_at is not None:
        return (
            "This share link no longer works: the person who shared it has withdrawn it. "
            "Ask them for a new link, or for the badge file itself."
        )
    when = link.expires_at.strftime("%-d %B %Y") if link.expires_at else ""
    return (
        f"This share link no longer works: it expired on {when}. Ask the person who shared it for a new link, "
        "or for the badge file itself."
    )


def resolve_own_link(url: str) -> OwnLink | None:
    """The credential a URL of this platform names; ``None`` for any other URL (fetched as usual)."""
    from credstack.awards.models import Credential

    url = url.strip()
    if not _is_ours(url):
        return None
    base_path = urllib.parse.urlsplit(settings.CREDSTACK_BASE_URL).path.rstrip("/")
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)[len(base_path) :] or "/"
    try:
        match = owncache.resolve_path(path)
    except Resolver404:
        # A mistyped share link or credential address: say so plainly rather than "not a page".
        if path.startswith(("/share/", "/credentials/")):
            return OwnLink(problem=_unknown_message(path))
        return None
    if match.view_name == "verifier:shared":
        link = ShareLink.objects.select_related("credential").filter(token=match.kwargs.get("token", "")).first()
        if link is None:
            return OwnLink(problem=_unknown_message(path))
        if not link.active_at():
            return OwnLink(problem=_gone_message(link))
        return OwnLink(document=link.credential.document, share_link=link)
    if match.view_name in CREDENTIAL_VIEWS:
        public_id = match.kwargs["public_id"]
        credential = Credential.objects.filter(public_id=public_id).only("document").first()
        if credential is None:
            return OwnLink(problem=_unknown_message(path))
        return OwnLink(document=credential.document)
    if set(match.namespaces) & {"verifier", "vcapi", "admin"}:
        return OwnLink(
            problem="That address is a page of this platform, not a credential. Paste the credential's page "
            "address, a share link, or the credential itself."
        )
    return None


def _unknown_message(path: str) -> str:
    if path.startswith("/share/"):
        return (
            "This platform has no share link at that address. Check that the whole link was copied; "
            "if it was, the link is not (or no longer) one of ours."
        )
    return "No credential on this platform has that address. Check that the whole address was copied."
