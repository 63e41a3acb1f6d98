"""Share link actions: create and withdraw (one transaction and an audit record each)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credstack.awards.models import Credential
from credstack.core import audit
from credstack.verifier.models import ShareLink

MAX_LABEL = 100


def _owner(credential: Credential, actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or credential.recipient_user_id != actor.pk:
        raise ValidationError({"credential": ["Only the learner who holds this credential can share it."]})


def do_create_share_link(
    *, credential: Credential, actor: Any, expires_at: datetime | None = None, label: str = ""
) -> ShareLink:
    """A new link for ``credential``; refused for someone else's credential, a revoked one or a past date."""
    _owner(credential, actor)
    label = (label or "").strip()
    errors: dict[str, list[str]] = {}
    if len(label) > MAX_LABEL:
        errors["label"] = [f"At most {MAX_LABEL} characters."]
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= timezone.now()):
        errors["expires_at"] = ["Choose a date in the future, or no expiry."]
    if credential.revoked_at is not None:
        errors["credential"] = ["The issuer revoked this credential; it cannot be shared."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        link = ShareLink.objects.create(credential=credential, label=label, expires_at=expires_at, created_by=actor)
        audit.record(
            "verifier.share_link_created",
            link,
            actor=actor,
            organization=credential.organization,
            credential=str(credential.public_id),
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return link


def do_withdraw_share_link(*, link: ShareLink, actor: Any) -> ShareLink:
    """The link stops working at once; withdrawing twice is harmless."""
    _owner(link.credential, actor)
    if link.revoked_at is not None:
        return link
    with transaction.atomic():
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(
            "verifier.share_link_withdrawn",
            link,
            actor=actor,
            organization=link.credential.organization,
            credential=str(link.credential.public_id),
        )
    return link
