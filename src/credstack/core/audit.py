"""Writing audit records; called by action functions inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from credstack.core.models import AuditEvent


def record(
    action: str,
    obj: models.Model,
    *,
    actor: Any,
    organization: Any = None,
    **data: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        data=data,
    )
