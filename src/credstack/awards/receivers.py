"""Signal receivers: key changes re-sign the status lists; assessment passes issue credentials;
a (re)starting worker resumes bulk awards left behind by a worker that died."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def on_signing_key_changed(sender: Any, organization: Any, revoked: bool = False, **kwargs: Any) -> None:
    from credstack.awards.actions import resign_status_lists

    resign_status_lists(organization)


def on_assessment_passed(sender: Any, assessment: Any, **kwargs: Any) -> None:
    # Sent after the pass is committed; the task is idempotent, so a redelivery never issues twice.
    from credstack.awards.tasks import issue_for_assessment

    issue_for_assessment.delay(assessment.pk)


def on_worker_ready(sender: Any = None, **kwargs: Any) -> None:
    from credstack.awards.bulk import resume_abandoned

    queues = [q.name for q in getattr(getattr(sender, "task_consumer", None), "queues", [])]
    try:
        resumed = resume_abandoned(queue=queues[0] if queues else None)
    except Exception:  # a worker must start even when the database is briefly unavailable
        logger.exception("Could not look for bulk awards to resume")
        return
    if resumed:
        logger.info("Resumed bulk awards %s", resumed)


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
