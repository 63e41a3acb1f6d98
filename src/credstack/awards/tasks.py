"""Background tasks of awards: claim mail, issuing on an assessment pass, bulk awards.

Each task is safe to run twice (acks are late, a worker may die mid-task): mail goes out once per call
but the issuing tasks are idempotent through the unique ``Credential.source``.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import DatabaseError
from django.template.loader import render_to_string


@shared_task(name="credstack.awards.send_award_mails", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_award_mails(credential_ids: list[int]) -> int:
    """Tell each recipient about their credential, with a link to claim it."""
    from credstack.awards.actions import claim_url
    from credstack.awards.models import Credential

    sent = 0
    for credential in Credential.objects.filter(pk__in=credential_ids).select_related("organization", "version"):
        body = render_to_string(
            "awards/mail/awarded.txt",
            {"c": credential, "claim_url": claim_url(credential), "base": settings.CREDSTACK_BASE_URL},
        )
        subject, _, text = body.partition("\n\n")
        sent += send_mail(subject.strip(), text, None, [credential.recipient_email])
    return sent


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
    return {"issued": bulk.issued, "skipped": bulk.skipped}
