"""Hooks into pages other apps own: the start box on a micro-credential's page and the review section of the
organization dashboard. Each is one tag, so those templates need a single line."""

from __future__ import annotations

from typing import Any

from django import template

from credstack.assessment import queries
from credstack.assessment.models import OPEN_STATUSES, ReviewStage, Submission, SubmissionStatus
from credstack.catalog.models import MicroCredentialVersion, VersionStatus
from credstack.organizations.models import Organization

register = template.Library()


@register.inclusion_tag("assessment/_start_box.html", takes_context=True)
def submission_box(context: Any, version: MicroCredentialVersion) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    mc = version.micro_credential
    mine = None
    earned = None
    if user is not None and user.is_authenticated:
        mine = Submission.objects.filter(learner=user, micro_credential=mc, status__in=OPEN_STATUSES).first()
        earned = Submission.objects.filter(learner=user, micro_credential=mc, status=SubmissionStatus.PASSED).first()
    return {
        "v": version,
        "mc": mc,
        "user": user,
        "mine": mine,
        "earned": earned,
        "open": version.status == VersionStatus.PUBLISHED,
        "request": request,
    }


@register.inclusion_tag("assessment/_review_summary.html")
def review_summary(org: Organization) -> dict[str, Any]:
    base = Submission.objects.filter(organization=org)
    counts = {
        "waiting": base.filter(status=SubmissionStatus.SUBMITTED).count(),
        "second": base.filter(
            status=SubmissionStatus.IN_REVIEW, review_stage=ReviewStage.SECOND, claimed_by__isnull=True
        ).count(),
        "in_review": base.filter(status=SubmissionStatus.IN_REVIEW, claimed_by__isnull=False).count(),
        "passed": base.filter(status=SubmissionStatus.PASSED).count(),
    }
    agreement = (
        queries.agreement(org)
        if org.second_review != "none" or base.filter(reviews__stage=ReviewStage.SECOND).exists()
        else None
    )
    bars = []
    if agreement is not None:
        rows = [("criterion", r) for r in agreement.criteria] + [("assessor", r) for r in agreement.assessors]
        for i, (group, row) in enumerate(rows):
            bars.append(
                {
                    "group": group,
                    "name": row["name"],
                    "percent": row["percent"],
                    "pairs": row["pairs"],
                    "y": i * 26,
                    "width": (row["percent"] or 0) * 3,
                }
            )
    return {"org": org, "counts": counts, "agreement": agreement, "bars": bars, "chart_height": len(bars) * 26 + 4}
