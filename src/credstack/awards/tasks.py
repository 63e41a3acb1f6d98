"""Background tasks of awards: claim mail, issuing on an assessment pass, bulk awards, and the sweep.

Each task is safe to run twice (acks are late, a worker may die mid-task): claim mail is sent from the
outbox (``Credential.mail_due_at``) and cleared as it goes, and the issuing tasks are idempotent through the
unique ``Credential.source``. Whatever a lost task leaves behind, :func:`sweep` picks up.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import DatabaseError

from credstack.awards import sweep as sweeping


@shared_task(
    name="credstack.awards.send_award_mails",
    autoretry_for=(OSError, DatabaseError),
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=8,
    ignore_result=True,
)
def send_award_mails(credential_ids: list[int]) -> int:
    """Tell each recipient about their credential, with a link to claim it (those whose mail is still due)."""
    return sweeping.send_due_mails(credential_ids=credential_ids)


@shared_task(
    name="credstack.awards.issue_for_assessment",
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    max_retries=8,
)
def issue_for_assessment(assessment_id: int) -> str:
    """Issue the credential of a recorded pass; returns the credential id (the same on every retry)."""
    from credstack.assessment.models import Assessment
    from credstack.awards.actions import do_issue_for_assessment

    assessment = Assessment.objects.select_related(
        "learner",
        "organization",
        "micro_credential_version__micro_credential__organization",
        "attempt",
    ).get(pk=assessment_id)
    return do_issue_for_assessment(assessment=assessment, actor=None).credential_id


@shared_task(name="credstack.awards.run_bulk_award", autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=8)
def run_bulk_award(bulk_id: int) -> dict[str, int]:
    """Issue the rows of a confirmed bulk award that are not issued yet (resumable)."""
    from credstack.awards.bulk import run_bulk

    bulk = run_bulk(bulk_id)
    return {"issued": bulk.issued, "skipped": bulk.skipped, "failed": bulk.failed}


@shared_task(name="credstack.awards.sweep", ignore_result=True)
def sweep(queue: str | None = None) -> dict[str, Any]:
    """Pick up what faults left behind (see :mod:`credstack.awards.sweep`); sent by each worker on a timer."""
    return sweeping.sweep(queue=queue).as_dict()
