"""What a share link opens: the credential verified live, and the evidence its learner kept private.

The awards app decides who may see evidence pages and lets other apps add a rule
(:func:`credstack.awards.access.register_evidence_access`); :func:`shared_evidence_access` is ours. It lets
in (1) the verifier's own in-process fetch made for an active share link, so the digest of private evidence
can be checked, and (2) a browser that opened an active share link for that credential (remembered in its
session), so an employer can follow "Open this evidence".
"""

from __future__ import annotations

from typing import Any

from credstack.verifier.models import ShareLink

SESSION_KEY = "verifier_shared_links"
REQUEST_ATTRIBUTE = "verifier_share_link"


def remember(request: Any, link: ShareLink) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    opened = [i for i in session.get(SESSION_KEY, []) if isinstance(i, int)]
    if link.pk not in opened:
        session[SESSION_KEY] = [*opened[-19:], link.pk]


def shared_evidence_access(credential: Any, request: Any) -> bool:
    link = getattr(request, REQUEST_ATTRIBUTE, None)
    if isinstance(link, ShareLink):
        return link.credential_id == credential.pk and link.active_at()
    session = getattr(request, "session", None)
    opened = session.get(SESSION_KEY, []) if session is not None else []
    if not opened:
        return False
    links = ShareLink.objects.filter(pk__in=[i for i in opened if isinstance(i, int)], credential=credential)
    return any(link.active_at() for link in links)
