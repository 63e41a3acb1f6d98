"""The assessment loop over the JSON API, for integrations (an LMS submitting on a learner's behalf) and assessors.

Authentication: a signed-in session, or an organization's API key (``Authorization: Bearer cs_…``). A key acts
for its organization only: the review routes (as the key's creator, with that person's assessor rights and
conflicts), never a learner's side; the learner routes (``/submissions…``) answer a key with 403, because a
submission is the learner's own to start, read, change, submit and withdraw. Every route runs the same checks as
the pages; another organization's objects, another learner's submission, a conflicted or own submission are 404.
Review responses never carry the learner's name or email. Errors are problem details (see credstack.api.api).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import django_auth

from credstack.accounts.models import User
from credstack.api.api import ApiKeyAuth
from credstack.assessment import actions, queries
from credstack.assessment.models import (
    ConflictOfInterest,
    EvidenceItem,
    Review,
    ReviewStatus,
    Submission,
)
from credstack.catalog.definition import rubric_passes
from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization, Role

router = Router(tags=["assessment"], auth=[ApiKeyAuth(), django_auth])


# --- who is calling ------------------------------------------------------------------------------


def _key(request: HttpRequest) -> Any:
    return getattr(request, "api_key", None)


def _actor(request: HttpRequest) -> Any:
    key = _key(request)
    return key.created_by if key is not None else request.user


def _learner(request: HttpRequest) -> User:
    """The signed-in learner; an API key is refused, since it speaks for an organization, never for a learner."""
    if _key(request) is not None:
        raise PermissionDenied(
            "An API key acts for its organization, not for a learner: a submission is started, read, changed, "
            "submitted and withdrawn by the learner, signed in."
        )
    return cast(User, request.user)


def _submission_for_learner_side(request: HttpRequest, pk: int) -> Submission:
    """The signed-in caller's own submission (404 for anyone else's)."""
    return queries.learner_submission(_learner(request), pk)


def _reviewer(request: HttpRequest, org_slug: str) -> tuple[Any, Organization]:
    key = _key(request)
    user = _actor(request)
    org = Organization.objects.filter(slug=org_slug).first()
    if org is None or (key is not None and (key.organization_id != org.pk or key.role not in Role.values)):
        raise Http404("No such review queue.")
    return user, queries.assessor_organization(user, org_slug)


# --- schemas -------------------------------------------------------------------------------------


class StartIn(Schema):
    organization: str
    micro_credential: str
    learner_email: str | None = None


class AnswersIn(Schema):
    overview: list[str] = []
    reflection: str = ""


class EvidenceOut(Schema):
    id: int
    artifact_index: int
    kind: str
    title: str
    note: str
    media_type: str
    size: int
    sha256: str
    url: str
    content_url: str | None


class HistoryOut(Schema):
    label: str
    at: datetime


class CriterionFeedbackOut(Schema):
    key: str
    name: str
    level: str
    meets: bool
    feedback: str


class FeedbackOut(Schema):
    attempt: int
    outcome: str
    criteria: list[CriterionFeedbackOut]
    overall: str


class SubmissionOut(Schema):
    id: int
    reference: str
    status: str
    status_label: str
    learner_email: str
    organization: str
    micro_credential: str
    version: int
    attempts_used: int
    max_attempts: int
    answers: dict[str, Any]
    evidence: list[EvidenceOut]
    problems: dict[str, str]
    expected_review_by: datetime | None
    history: list[HistoryOut]
    feedback: list[FeedbackOut]
    award_status: str | None
    credential_id: str | None


class QueueItemOut(Schema):
    id: int
    reference: str
    micro_credential: str
    name: str
    version: int
    attempt: int
    status: str
    status_label: str
    stage: str
    claimed: bool
    claimed_by_me: bool
    submitted_at: datetime | None
    age_days: int
    due: datetime | None
    overdue: bool


class QueueOut(Schema):
    items: list[QueueItemOut]
    hidden: int
    count: int
    page: int
    pages: int


class ScoresIn(Schema):
    levels: dict[str, str] = {}
    criterion_feedback: dict[str, str] = {}
    overall_feedback: str = ""


class DecisionIn(ScoresIn):
    decision: str


class ReviewOut(Schema):
    id: int
    reference: str
    status: str
    stage: str
    micro_credential: str
    name: str
    version: int
    attempt: int | None
    max_attempts: int
    submitted_at: datetime | None
    due: datetime | None
    answers: dict[str, Any]
    evidence: list[EvidenceOut]
    rubric: dict[str, Any]
    claimed: bool
    claimed_by_me: bool
    may_review: bool
    refusal: str
    my_scores: dict[str, Any] | None
    verdict: dict[str, Any]
    earlier_feedback: list[FeedbackOut]


class ConflictIn(Schema):
    learner_email: str
    reason: str = ""


class ConflictOut(Schema):
    id: int
    learner_email: str
    reason: str
    declared_at: datetime


# --- serializers ---------------------------------------------------------------------------------


def _content_url(item_id: int) -> str:
    return f"/api/evidence/{item_id}/content"


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    return {
        **item.snapshot(),
        "media_type": item.media_type,
        "content_url": _content_url(item.pk) if item.is_file else None,
    }


def _feedback(submission: Submission, before: int | None = None) -> list[dict[str, Any]]:
    out = []
    for f in queries.feedback_by_attempt(submission):
        if not f["decided"] or (before is not None and f["attempt"].number >= before):
            continue
        out.append(
            {
                "attempt": f["attempt"].number,
                "outcome": f["attempt"].outcome,
                "criteria": [{k: c[k] for k in ("key", "name", "level", "meets", "feedback")} for c in f["criteria"]],
                "overall": f["overall"],
            }
        )
    return out


def _learner_view(s: Submission) -> dict[str, Any]:
    assessment = s.assessments.first()
    return {
        "id": s.pk,
        "reference": s.reference,
        "status": s.status,
        "status_label": s.get_status_display(),
        "learner_email": s.learner.email,
        "organization": s.organization.slug,
        "micro_credential": s.micro_credential.slug,
        "version": s.micro_credential_version.version,
        "attempts_used": s.attempts_used,
        "max_attempts": s.max_attempts,
        "answers": {"overview": s.overview_answers(), "reflection": s.reflection()},
        "evidence": [_evidence(e) for e in s.active_evidence()],
        "problems": actions.submission_problems(s) if s.is_editable else {},
        "expected_review_by": actions.expected_review_by(s) if s.status in ("submitted", "in_review") else None,
        "history": [{"label": h["label"], "at": h["at"]} for h in queries.history(s)],
        "feedback": _feedback(s),
        "award_status": assessment.award_status if assessment else None,
        "credential_id": assessment.credential_id if assessment else None,
    }


def _review_view(user: Any, s: Submission) -> dict[str, Any]:
    attempt = s.attempts.order_by("-number").first()
    items = {
        e.pk: e for e in EvidenceItem.objects.filter(pk__in=[e["id"] for e in (attempt.evidence if attempt else [])])
    }
    mine = (
        Review.objects.filter(submission=s, assessor=user, status=ReviewStatus.IN_PROGRESS).first()
        if s.claimed_by_id == user.pk
        else None
    )
    levels = mine.levels if mine else {}
    passes, reasons = rubric_passes(s.micro_credential_version.rubric, levels)
    refusal = actions.review_refusal(user, s)
    return {
        "id": s.pk,
        "reference": s.reference,
        "status": s.status,
        "stage": s.review_stage,
        "micro_credential": s.micro_credential.slug,
        "name": s.micro_credential_version.name,
        "version": s.micro_credential_version.version,
        "attempt": attempt.number if attempt else None,
        "max_attempts": s.max_attempts,
        "submitted_at": attempt.submitted_at if attempt else None,
        "due": actions.expected_review_by(s),
        "answers": attempt.answers if attempt else {},
        "evidence": [
            {**e, "content_url": _content_url(e["id"]) if items.get(e["id"]) and items[e["id"]].is_file else None}
            for e in (attempt.evidence if attempt else [])
        ],
        "rubric": s.micro_credential_version.rubric,
        "claimed": s.claimed_by_id is not None,
        "claimed_by_me": mine is not None,
        "may_review": not refusal,
        "refusal": refusal,
        "my_scores": {
            "levels": mine.levels,
            "criterion_feedback": mine.criterion_feedback,
            "overall_feedback": mine.overall_feedback,
        }
        if mine
        else None,
        "verdict": {"passes": passes, "reasons": reasons},
        "earlier_feedback": _feedback(s, before=attempt.number if attempt else None),
    }


# --- learner routes ------------------------------------------------------------------------------


@router.post("/submissions", response={201: SubmissionOut}, summary="Start a submission (or get the open one)")
def start_submission(request: HttpRequest, payload: StartIn) -> Any:
    learner = _learner(request)
    mc = get_object_or_404(MicroCredential, organization__slug=payload.organization, slug=payload.micro_credential)
    version = mc.published_version()
    if version is None:
        raise Http404("This micro-credential is not open for submissions.")
    if payload.learner_email and payload.learner_email.strip().lower() != learner.email.lower():
        raise ValidationError({"learner_email": ["You can only start submissions for yourself."]})
    submission = actions.do_start_submission(learner=learner, version=version, actor=learner)
    return Status(201, _learner_view(submission))


@router.get("/submissions", response=list[SubmissionOut], summary="Your submissions (signed in as the learner)")
def list_submissions(request: HttpRequest) -> Any:
    qs = Submission.objects.filter(learner=_learner(request)).select_related(
        "micro_credential_version", "organization", "micro_credential", "learner"
    )
    return [_learner_view(s) for s in qs.order_by("-created_at")[:200]]


@router.get("/submissions/{pk}", response=SubmissionOut, summary="One submission, with history and feedback")
def get_submission(request: HttpRequest, pk: int) -> Any:
    return _learner_view(_submission_for_learner_side(request, pk))


@router.put("/submissions/{pk}/answers", response=SubmissionOut, summary="Save the draft answers")
def save_answers(request: HttpRequest, pk: int, payload: AnswersIn) -> Any:
    submission = _submission_for_learner_side(request, pk)
    actions.do_save_draft(submission=submission, answers=payload.dict(), actor=_actor(request))
    return _learner_view(submission)


@router.post(
    "/submissions/{pk}/evidence",
    response={201: EvidenceOut},
    summary="Add evidence: a file (multipart, checked by content) or a link",
)
def add_evidence(
    request: HttpRequest,
    pk: int,
    artifact_index: Form[int],
    title: Form[str] = "",
    note: Form[str] = "",
    url: Form[str] = "",  # checked by do_add_evidence with the one URL rule (400, errors.url)
    file: UploadedFile | None = File(None),  # noqa: B008 (Ninja's declaration of an optional upload)
) -> Any:
    submission = _submission_for_learner_side(request, pk)
    item = actions.do_add_evidence(
        submission=submission,
        artifact_index=artifact_index,
        title=title,
        note=note,
        upload=file,
        url=url,
        actor=_actor(request),
    )
    return Status(201, _evidence(item))


@router.delete("/submissions/{pk}/evidence/{item_id}", response={204: None}, summary="Take evidence out of the draft")
def remove_evidence(request: HttpRequest, pk: int, item_id: int) -> Any:
    submission = _submission_for_learner_side(request, pk)
    item = get_object_or_404(EvidenceItem, pk=item_id, submission=submission, removed_at__isnull=True)
    actions.do_remove_evidence(item=item, actor=_actor(request))
    return Status(204, None)


@router.post("/submissions/{pk}/submit", response=SubmissionOut, summary="Submit (or resubmit) for review")
def submit(request: HttpRequest, pk: int) -> Any:
    submission = _submission_for_learner_side(request, pk)
    actions.do_submit_submission(submission=submission, actor=_actor(request))
    return _learner_view(submission)


@router.post("/submissions/{pk}/withdraw", response=SubmissionOut, summary="Withdraw; it stays in the history")
def withdraw(request: HttpRequest, pk: int) -> Any:
    submission = _submission_for_learner_side(request, pk)
    actions.do_withdraw_submission(submission=submission, actor=_actor(request))
    return _learner_view(submission)


@router.get("/evidence/{item_id}/content", summary="The bytes of an evidence file (same access as the pages)")
def evidence_content(request: HttpRequest, item_id: int) -> Any:
    item = get_object_or_404(
        EvidenceItem.objects.select_related("submission__organization", "submission__learner"), pk=item_id
    )
    key = _key(request)
    allowed = (
        key.organization_id == item.submission.organization_id and queries.may_read_evidence(key.created_by, item)
        if key is not None
        else queries.may_read_evidence(request.user, item)
    )
    if not item.is_file or not allowed:
        raise Http404("No such file.")
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.media_type,
        as_attachment=True,
        filename=f"evidence-{item.pk}.{item.extension}",
    )
    response["X-Evidence-SHA256"] = item.sha256
    return response


# --- review routes -------------------------------------------------------------------------------


@router.get("/review/{org_slug}/queue", response=QueueOut, summary="The review queue, oldest first (blind)")
def review_queue(
    request: HttpRequest, org_slug: str, status: str = "", micro_credential: str = "", page: int = 1
) -> Any:
    user, org = _reviewer(request, org_slug)
    data = queries.queue(
        org,
        user,
        status=status if status in queries.QUEUE_FILTERS else "",
        micro_credential=micro_credential,
        page=page,
    )
    items = [
        {
            "id": r["submission"].pk,
            "reference": r["reference"],
            "micro_credential": r["slug"],
            "name": r["name"],
            "version": r["version"],
            "attempt": r["attempt"],
            "status": r["status"],
            "status_label": r["status_label"],
            "stage": r["stage"],
            "claimed": r["claimed"],
            "claimed_by_me": r["claimed_by_me"],
            "submitted_at": r["submitted_at"],
            "age_days": r["age_days"],
            "due": r["due"],
            "overdue": r["overdue"],
        }
        for r in data["rows"]
    ]
    shown = data["page"]
    return {
        "items": items,
        "hidden": data["hidden"],
        "count": shown.paginator.count,
        "page": shown.number,
        "pages": shown.paginator.num_pages,
    }


@router.get("/review/{org_slug}/submissions/{pk}", response=ReviewOut, summary="A submission as its assessor sees it")
def review_get(request: HttpRequest, org_slug: str, pk: int) -> Any:
    user, org = _reviewer(request, org_slug)
    return _review_view(user, queries.reviewable_submission(user, org, pk))


@router.post("/review/{org_slug}/submissions/{pk}/claim", response=ReviewOut, summary="Claim it (one assessor wins)")
def review_claim(request: HttpRequest, org_slug: str, pk: int) -> Any:
    user, org = _reviewer(request, org_slug)
    submission = queries.reviewable_submission(user, org, pk)
    try:
        actions.do_claim_submission(submission=submission, assessor=user, actor=user)
    except ValidationError as exc:
        if "claim" in getattr(exc, "message_dict", {}):
            raise HttpError(409, " ".join(exc.messages))  # lost a claim race
        raise
    return _review_view(user, submission)


@router.post("/review/{org_slug}/submissions/{pk}/release", response=ReviewOut, summary="Give it back to the queue")
def review_release(request: HttpRequest, org_slug: str, pk: int) -> Any:
    user, org = _reviewer(request, org_slug)
    submission = queries.reviewable_submission(user, org, pk)
    actions.do_release_submission(submission=submission, actor=user)
    return _review_view(user, submission)


@router.put("/review/{org_slug}/submissions/{pk}/scores", response=ReviewOut, summary="Save scores without deciding")
def review_scores(request: HttpRequest, org_slug: str, pk: int, payload: ScoresIn) -> Any:
    user, org = _reviewer(request, org_slug)
    submission = queries.reviewable_submission(user, org, pk)
    actions.do_save_scores(submission=submission, assessor=user, actor=user, **payload.dict())
    return _review_view(user, submission)


@router.post(
    "/review/{org_slug}/submissions/{pk}/decision",
    response=ReviewOut,
    summary="Decide: pass (every criterion at its passing level) or return with feedback",
)
def review_decide(request: HttpRequest, org_slug: str, pk: int, payload: DecisionIn) -> Any:
    user, org = _reviewer(request, org_slug)
    submission = queries.reviewable_submission(user, org, pk)
    data = payload.dict()
    actions.do_decide_submission(submission=submission, assessor=user, actor=user, **data)
    return _review_view(user, submission)


@router.get("/conflicts", response=list[ConflictOut], summary="Your declared conflicts of interest")
def list_conflicts(request: HttpRequest) -> Any:
    return list(ConflictOfInterest.objects.filter(assessor=_actor(request), withdrawn_at__isnull=True))


@router.post("/conflicts", response={201: ConflictOut}, summary="Declare a conflict of interest with a learner")
def declare_conflict(request: HttpRequest, payload: ConflictIn) -> Any:
    user = _actor(request)
    conflict = actions.do_declare_conflict(assessor=user, actor=user, **payload.dict())
    return Status(201, conflict)


@router.delete("/conflicts/{pk}", response={204: None}, summary="Withdraw a declared conflict")
def withdraw_conflict(request: HttpRequest, pk: int) -> Any:
    user = _actor(request)
    conflict = get_object_or_404(ConflictOfInterest, pk=pk, assessor=user, withdrawn_at__isnull=True)
    actions.do_withdraw_conflict(conflict=conflict, actor=user)
    return Status(204, None)
