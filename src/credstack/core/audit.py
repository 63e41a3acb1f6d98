"""Writing audit records; called by action functions inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from credstack.core.models import AuditEvent

#: Audit records inserted per statement by :func:`record_many` (well under SQLite's parameter limit).
INSERT_BATCH = 500


def event(
    action: str,
    obj: models.Model,
    *,
    actor: Any,
    organization: Any = None,
    **data: Any,
) -> AuditEvent:
    """The audit record of ``action`` on ``obj``, not yet saved (see :func:`record_many`)."""
    return AuditEvent(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization=organization,
        data=data,
    )


def record(
    action: str,
    obj: models.Model,
    *,
    actor: Any,
    organization: Any = None,
    **data: Any,
) -> AuditEvent:
    entry = event(action, obj, actor=actor, organization=organization, **data)
    entry.save()
    return entry


def record_many(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Save many records made by :func:`event` with a few multi-row inserts (a batch of awards, say), in order."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=INSERT_BATCH)
