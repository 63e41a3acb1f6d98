"""Read-side helpers shared by the pages and the API: access rules, the queue, history, agreement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from credstack.assessment.actions import expected_review_by, has_conflict
from credstack.assessment.models import (
    QUEUE_STATUSES,
    Assessment,
    ConflictOfInterest,
    Decision,
    EvidenceItem,
    Review,
    ReviewStage,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from credstack.core.models import AuditEvent
from credstack.organizations.models import Organization
from credstack.organizations.permissions import can_assess

QUEUE_FILTERS = {
    "waiting": "Waiting for a first review",
    "second": "Waiting for a second review",
    "claimed": "Being reviewed",
    "mine": "Claimed by me",
    "returned": "Returned with feedback",
    "passed": "Passed",
}


def learner_submission(user: Any, pk: int) -> Submission:
    """The user's own submission, or 404 (another learner's submission does not exist for them)."""
    found = (
        Submission.objects.select_related("micro_credential_version", "organization", "micro_credential")
        .filter(pk=pk, learner_id=getattr(user, "pk", None))
        .first()
    )
    if found is None:
        raise Http404("No such submission.")
    return found


def assessor_organization(user: Any, org_slug: str) -> Organization:
    org = Organization.objects.filter(slug=org_slug).first()
    if org is None or not can_assess(user, org):
        raise Http404("No such review queue.")
    return org


def reviewable_submission(user: Any, organization: Organization, pk: int) -> Submission:
    """A submission of the organization the user may see as an assessor; their own or a conflicted one is a 404."""
    found = (
        Submission.objects.select_related("micro_credential_version", "organization", "micro_credential", "learner")
        .filter(pk=pk, organization=organization)
        .exclude(status=SubmissionStatus.DRAFT)
        .first()
    )
    if found is None or found.learner_id == getattr(user, "pk", None) or has_conflict(user, found.learner):
        raise Http404("No such submission.")
    return found


def may_read_evidence(user: Any, item: EvidenceItem) -> bool:
    submission = item.submission
    if submission.learner_id == getattr(user, "pk", None):
        return True
    if item.added_in_attempt > submission.attempts_used:
        return False  # not handed in yet: the learner's draft is theirs alone
    return can_assess(user, submission.organization) and not has_conflict(user, submission.learner)


def conflicted_emails(user: Any) -> list[str]:
    return list(
        ConflictOfInterest.objects.filter(assessor=user, withdrawn_at__isnull=True).values_list(
            "learner_email", flat=True
        )
    )


#: Submissions per page of the review queue (page and API): the queue of a large program stays one size.
QUEUE_PAGE_SIZE = 50


def queue(
    organization: Organization, user: Any, *, status: str = "", micro_credential: str = "", page: Any = None
) -> dict[str, Any]:
    """The organization's review queue for one assessor, oldest first; their own and conflicted work left out.

    One page of it (``page``, a number as typed; the first when missing, the last when past the end)."""
    qs: QuerySet[Submission] = (
        Submission.objects.filter(organization=organization)
        .exclude(status__in=[SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN])
        .select_related("micro_credential_version", "micro_credential", "claimed_by")
    )
    hidden_q = Q(learner=user)
    emails = conflicted_emails(user)
    if emails:
        hidden_q |= Q(learner__email__in=emails)
    status_q = {
        "waiting": Q(status=SubmissionStatus.SUBMITTED, claimed_by__isnull=True),
        "second": Q(status=SubmissionStatus.IN_REVIEW, review_stage=ReviewStage.SECOND, claimed_by__isnull=True),
        "claimed": Q(claimed_by__isnull=False),
        "mine": Q(claimed_by=user),
        "returned": Q(status__in=[SubmissionStatus.RETURNED, SubmissionStatus.NOT_PASSED]),
        "passed": Q(status=SubmissionStatus.PASSED),
    }
    if status in status_q:
        qs = qs.filter(status_q[status])
    else:
        qs = qs.filter(status__in=QUEUE_STATUSES)
    if micro_credential:
        qs = qs.filter(micro_credential__slug=micro_credential)
    hidden = qs.filter(hidden_q).count()
    now = timezone.now()
    rows = []
    shown = Paginator(qs.exclude(hidden_q).order_by("submitted_at", "pk"), QUEUE_PAGE_SIZE).get_page(page)
    for s in shown.object_list:
        s.organization = organization  # the filter above: no query per row for its turnaround
        age = now - s.submitted_at if s.submitted_at else timedelta(0)
        due = expected_review_by(s)
        rows.append(
            {
                "submission": s,
                "reference": s.reference,
                "name": s.micro_credential_version.name,
                "slug": s.micro_credential.slug,
                "version": s.micro_credential_version.version,
                "attempt": s.attempts_used,
                "status": s.status,
                "status_label": queue_label(s),
                "stage": s.review_stage,
                "claimed_by_me": s.claimed_by_id == getattr(user, "pk", None),
                "claimed": s.claimed_by_id is not None,
                "claimed_by": s.claimed_by.name if s.claimed_by else "",
                "submitted_at": s.submitted_at,
                "age_days": age.days,
                "due": due,
                "overdue": s.status in QUEUE_STATUSES and due is not None and now > due,
            }
        )
    return {"rows": rows, "hidden": hidden, "page": shown}


def queue_label(s: Submission) -> str:
    if s.status == SubmissionStatus.SUBMITTED:
        return "Waiting" if s.attempts_used == 1 else "Resubmitted, waiting"
    if s.status == SubmissionStatus.IN_REVIEW:
        if s.review_stage == ReviewStage.SECOND:
            return "Second review, in progress" if s.claimed_by_id else "Waiting for a second review"
        return "In review"
    return s.get_status_display()


_HISTORY = {
    "submission.started": "Started",
    "submission.submitted": "Submitted",
    "submission.resubmitted": "Resubmitted",
    "submission.claimed": "In review",
    "submission.returned": "Returned with feedback",
    "submission.second_review_requested": "Passed the first review; a second assessor reviews it",
    "submission.passed": "Passed",
    "submission.withdrawn": "Withdrawn",
}


def history(submission: Submission) -> list[dict[str, Any]]:
    """The learner-facing timeline, from the audit trail (never naming assessors)."""
    events = AuditEvent.objects.filter(
        object_type="assessment.submission", object_id=str(submission.pk), action__in=list(_HISTORY)
    ).order_by("occurred_at", "id")
    out: list[dict[str, Any]] = []
    for e in events:
        label = _HISTORY[e.action]
        if e.action in {"submission.submitted", "submission.resubmitted"} and e.data.get("attempt"):
            label = f"{label} (attempt {e.data['attempt']})"
        if e.action == "submission.returned" and e.data.get("final"):
            label = "Returned with feedback — no attempts left"
        if out and out[-1]["label"] == label:  # a claim released and claimed again reads as one "in review"
            continue
        out.append({"label": label, "at": e.occurred_at, "action": e.action})
    return out


def feedback_by_attempt(submission: Submission) -> list[dict[str, Any]]:
    """For each decided attempt: the returned reviews' levels and feedback, or the recorded pass."""
    rubric = submission.micro_credential_version.rubric
    out = []
    assessment = Assessment.objects.filter(submission=submission).first()
    for attempt in submission.attempts.order_by("-number"):
        if attempt.outcome == "passed" and assessment is not None:
            source: list[Any] = [assessment]
            levels, crit_fb, overall = assessment.levels, assessment.criterion_feedback, assessment.feedback
        else:
            returned = [r for r in attempt.reviews.filter(status=ReviewStatus.DECIDED, decision=Decision.RETURN)]
            if not returned:
                out.append({"attempt": attempt, "criteria": [], "overall": "", "decided": False})
                continue
            source = returned
            levels, crit_fb, overall = (
                returned[-1].levels,
                returned[-1].criterion_feedback,
                returned[-1].overall_feedback,
            )
        criteria = []
        for c in rubric.get("criteria", []):
            keys = [lv["key"] for lv in c["levels"]]
            chosen = levels.get(c["key"])
            level = next((lv for lv in c["levels"] if lv["key"] == chosen), None)
            criteria.append(
                {
                    "key": c["key"],
                    "name": c["name"],
                    "level": level["name"] if level else "—",
                    "meets": chosen in keys and keys.index(chosen) >= keys.index(c["passing_level"]),
                    "feedback": crit_fb.get(c["key"], ""),
                }
            )
        out.append({"attempt": attempt, "criteria": criteria, "overall": overall, "decided": bool(source)})
    return out


@dataclass
class Agreement:
    pairs: int = 0
    decisions_agree: int = 0
    criteria: list[dict[str, Any]] = field(default_factory=list)
    assessors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def decision_rate(self) -> float | None:
        return self.decisions_agree / self.pairs if self.pairs else None


def agreement(organization: Organization) -> Agreement:
    """How often first and second assessors of the same attempt agree: per criterion (same level) and per assessor
    (same decision, counted for each assessor over the pairs they were part of)."""
    seconds = Review.objects.filter(
        submission__organization=organization, stage=ReviewStage.SECOND, status=ReviewStatus.DECIDED
    ).select_related("assessor", "attempt__submission__micro_credential_version")
    result = Agreement()
    per_criterion: dict[str, dict[str, Any]] = {}
    per_assessor: dict[int, dict[str, Any]] = {}
    for second in seconds:
        first = (
            Review.objects.filter(attempt=second.attempt, stage=ReviewStage.FIRST, status=ReviewStatus.DECIDED)
            .select_related("assessor")
            .order_by("-decided_at")
            .first()
        )
        if first is None:
            continue
        result.pairs += 1
        same = first.decision == second.decision
        result.decisions_agree += int(same)
        for who in (first.assessor, second.assessor):
            row = per_assessor.setdefault(who.pk, {"name": who.name, "pairs": 0, "agree": 0})
            row["pairs"] += 1
            row["agree"] += int(same)
        rubric = second.attempt.submission.micro_credential_version.rubric
        for c in rubric.get("criteria", []):
            row = per_criterion.setdefault(c["name"], {"name": c["name"], "pairs": 0, "agree": 0})
            if c["key"] in first.levels and c["key"] in second.levels:
                row["pairs"] += 1
                row["agree"] += int(first.levels[c["key"]] == second.levels[c["key"]])
    for collection, target in ((per_criterion.values(), result.criteria), (per_assessor.values(), result.assessors)):
        for row in sorted(collection, key=lambda r: r["name"]):
            row["rate"] = row["agree"] / row["pairs"] if row["pairs"] else None
            row["percent"] = round(100 * row["rate"]) if row["rate"] is not None else None
            target.append(row)
    return result
