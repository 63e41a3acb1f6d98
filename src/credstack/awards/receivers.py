"""Signal receivers: key changes re-sign the status lists; assessment passes issue credentials;
a (re)starting worker resumes bulk awards left behind by a worker that died and queues passes whose
credential is still pending (issuing is idempotent, so queuing one twice is harmless). While it runs, the
worker does the same every ``CREDSTACK_SWEEP_SECONDS`` through the sweep (``credstack.awards.sweep``)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)


def on_signing_key_changed(sender: Any, organization: Any, revoked: bool = False, **kwargs: Any) -> None:
    from credstack.awards.actions import resign_status_lists

    resign_status_lists(organization)


def on_assessment_passed(sender: Any, assessment: Any, **kwargs: Any) -> None:
    # Sent after the pass is committed; the task is idempotent, so a redelivery never issues twice.
    from credstack.awards.tasks import issue_for_assessment

    try:
        issue_for_assessment.delay(assessment.pk)
    except Exception:
        # The broker is down: the pass stays pending and the sweep queues it (queue_pending_assessments).
        logger.warning("Could not queue the credential of assessment %s; the sweep will", assessment.pk, exc_info=True)


def queue_pending_assessments(queue: str | None = None, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Queue issuing for passes still without a credential (a task lost with a broker, a failed eager run)."""
    try:
        from credstack.assessment.models import Assessment, AwardStatus
    except ImportError:
        return []
    from credstack.awards.tasks import issue_for_assessment

    ids = list(
        Assessment.objects.filter(award_status=AwardStatus.PENDING, decided_at__lt=timezone.now() - older_than)
        .order_by("decided_at")
        .values_list("pk", flat=True)[:5000]
    )
    for pk in ids:
        issue_for_assessment.apply_async((pk,), **({"queue": queue} if queue else {}))
    return ids


def on_worker_ready(sender: Any = None, **kwargs: Any) -> None:
    from credstack.awards.bulk import resume_abandoned

    queues = [q.name for q in getattr(getattr(sender, "task_consumer", None), "queues", [])]
    queue = queues[0] if queues else None
    try:
        resumed = resume_abandoned(queue=queue)
        pending = queue_pending_assessments(queue=queue)
    except Exception:  # a worker must start even when the database is briefly unavailable
        logger.exception("Could not look for bulk awards or passes to resume")
        return
    if resumed or pending:
        logger.info("Resumed bulk awards %s; queued credentials for %d pending passes", resumed, len(pending))


def connect() -> None:
    from celery.signals import worker_ready

    from credstack.signing.signals import signing_key_changed

    signing_key_changed.connect(on_signing_key_changed, dispatch_uid="awards.resign_status_lists")
    worker_ready.connect(on_worker_ready, dispatch_uid="awards.resume_bulk", weak=False)
    try:
        # Connected by name so that awards works without the assessment app installed.
        from credstack.assessment.signals import assessment_passed
    except ImportError:
        return
    assessment_passed.connect(on_assessment_passed, dispatch_uid="awards.issue_for_assessment")
