"""Pages of the assessment loop: the learner's submission and My learning, the assessor's queue and scoring.

Every view checks access on the server: a learner sees only their own submissions (anything else
is a 404); an assessor sees only their organizations' submissions, never their own or a conflicted
learner's, and never the learner's name or email.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from credstack.accounts.models import User
from credstack.assessment import actions, queries, uploads
from credstack.assessment.changes import changes_since_last
from credstack.assessment.models import (
    ConflictOfInterest,
    EvidenceItem,
    EvidenceUpload,
    Review,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from credstack.catalog.definition import ARTIFACT_KINDS, rubric_passes
from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization
from credstack.organizations.permissions import can_assess, is_org_admin

TEXT_PREVIEW_BYTES = 200_000


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"": " ".join(exc.messages)}


# --- learner -------------------------------------------------------------------------------------


@login_required
@require_POST
def start(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    mc = get_object_or_404(MicroCredential, organization__slug=org_slug, slug=slug)
    version = mc.published_version()
    if version is None:
        raise Http404("This micro-credential is not open for submissions.")
    try:
        submission = actions.do_start_submission(learner=_user(request), version=version, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(version.get_absolute_url())
    return redirect("assessment:submission", submission.pk)


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    submissions = (
        Submission.objects.filter(learner=_user(request))
        .select_related("micro_credential_version", "organization", "micro_credential")
        .prefetch_related("assessments")
        .order_by("-created_at")
    )
    rows = [
        {
            "s": s,
            "history": queries.history(s),
            "due": actions.expected_review_by(s),
            "assessment": next(iter(s.assessments.all()), None),
        }
        for s in submissions
    ]
    from credstack.discovery.actions import profile_of, suggestions

    me = _user(request)
    return render(
        request,
        "assessment/my_learning.html",
        {"rows": rows, "suggestions": suggestions(me), "profile_empty": profile_of(me).is_empty},
    )


def _form_answers(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    n = len(submission.micro_credential_version.submission.get("overview_questions", []))
    return {
        "overview": [request.POST.get(f"overview.{i}", "") for i in range(n)],
        "reflection": request.POST.get("reflection", ""),
    }


def _submission_context(
    submission: Submission, errors: dict[str, str] | None = None, typed: dict[str, Any] | None = None
) -> dict[str, Any]:
    spec = submission.micro_credential_version.submission
    evidence = list(submission.active_evidence())
    answers = submission.overview_answers()
    questions = [
        {
            "index": i,
            "prompt": q["prompt"],
            "word_limit": q["word_limit"],
            "answer": answers[i],
            "words": actions.word_count(answers[i]),
        }
        for i, q in enumerate(spec.get("overview_questions", []))
    ]
    typed = typed or {}
    artifacts = []
    for i, a in enumerate(spec.get("artifacts", [])):
        artifacts.append(
            {
                "index": i,
                "title": a["title"],
                "description": a["description"],
                "accepted": [ARTIFACT_KINDS.get(k, k) for k in a.get("accepted_kinds", [])],
                "accepts_link": "link" in a.get("accepted_kinds", []),
                "accepts_file": any(k != "link" for k in a.get("accepted_kinds", [])),
                "accepts_video": "video" in a.get("accepted_kinds", []),
                "kinds": ",".join(a.get("accepted_kinds", [])),
                "items": [e for e in evidence if e.artifact_index == i],
                "typed_title": typed.get(f"evidence.{i}.title", ""),
                "typed_note": typed.get(f"evidence.{i}.note", ""),
                "typed_url": typed.get(f"evidence.{i}.url", ""),
            }
        )
    return {
        "s": submission,
        "v": submission.micro_credential_version,
        "org": submission.organization,
        "questions": questions,
        "artifacts": artifacts,
        "errors": errors or {},
        "reflection_words": actions.word_count(submission.reflection()),
        "history": queries.history(submission),
        "feedback": queries.feedback_by_attempt(submission),
        "due": actions.expected_review_by(submission),
        "assessment": submission.assessments.first(),
        "max_file_mb": _mb(_settings().CREDSTACK_MAX_EVIDENCE_FILE_BYTES),
        "max_video_mb": _mb(_settings().CREDSTACK_MAX_VIDEO_FILE_BYTES),
        "max_file_bytes": _settings().CREDSTACK_MAX_EVIDENCE_FILE_BYTES,
        "max_video_bytes": _settings().CREDSTACK_MAX_VIDEO_FILE_BYTES,
        "max_submission_mb": _mb(_settings().CREDSTACK_MAX_SUBMISSION_BYTES),
        "used_mb": _mb(sum(e.size for e in evidence)),
    }


def _settings() -> Any:
    from django.conf import settings

    return settings


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


@login_required
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = queries.learner_submission(request.user, pk)
    if request.method != "POST":
        return render(request, "assessment/submission.html", _submission_context(submission))
    if not submission.is_editable:
        messages.error(request, f"This submission is {submission.get_status_display().lower()}; it cannot be changed.")
        return redirect("assessment:submission", submission.pk)
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {}
    try:
        actions.do_save_draft(submission=submission, answers=_form_answers(request, submission), actor=request.user)
    except ValidationError as exc:
        errors.update(_errors(exc))
    # Back to the part the learner was working on, not the top of a long page.
    anchor = ""
    remove = request.POST.get("remove")
    if remove and remove.isdigit():
        item = submission.evidence.filter(pk=int(remove), removed_at__isnull=True).first()
        if item is not None:
            actions.do_remove_evidence(item=item, actor=request.user)
            anchor = f"#f-artifacts.{item.artifact_index}"
            messages.success(request, f"“{item.title}” was taken out of this submission.")
    added = 0
    for i, _ in enumerate(submission.micro_credential_version.submission.get("artifacts", [])):
        upload = request.FILES.get(f"evidence.{i}.file")
        url = request.POST.get(f"evidence.{i}.url", "").strip()
        title = request.POST.get(f"evidence.{i}.title", "")
        note = request.POST.get(f"evidence.{i}.note", "")
        if upload is None and not url:
            if title.strip() or note.strip():
                typed.update({f"evidence.{i}.title": title, f"evidence.{i}.note": note})
            continue
        try:
            actions.do_add_evidence(
                submission=submission,
                artifact_index=i,
                title=title,
                note=note,
                upload=upload,
                url=url,
                actor=request.user,
            )
            added += 1
            anchor = f"#f-artifacts.{i}"
        except ValidationError as exc:
            for key, message in _errors(exc).items():
                errors[f"evidence.{i}.{'url' if key == 'url' else 'file' if key in ('file', '') else key}"] = message
            typed.update({f"evidence.{i}.title": title, f"evidence.{i}.note": note, f"evidence.{i}.url": url})
    if errors:
        submission.refresh_from_db()
        return render(request, "assessment/submission.html", _submission_context(submission, errors, typed), status=400)
    if request.POST.get("action") == "submit":
        try:
            actions.do_submit_submission(submission=submission, actor=request.user)
        except ValidationError as exc:
            submission.refresh_from_db()
            return render(
                request, "assessment/submission.html", _submission_context(submission, _errors(exc), typed), status=400
            )
        messages.success(request, "Submitted. You will get an email when it has been reviewed.")
        return redirect("assessment:submission", submission.pk)
    messages.success(
        request,
        f"Draft saved with {added} new piece{'s' if added > 1 else ''} of evidence." if added else "Draft saved.",
    )
    return redirect(reverse("assessment:submission", args=[submission.pk]) + anchor)


@login_required
@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Autosave of the typed answers (called by the page's script); the draft lives on the server."""
    submission = queries.learner_submission(request.user, pk)
    try:
        actions.do_save_draft(submission=submission, answers=_form_answers(request, submission), actor=request.user)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "errors": _errors(exc)}, status=400)
    return JsonResponse(
        {"saved": True, "saved_at": submission.draft_saved_at.isoformat() if submission.draft_saved_at else None}
    )


# --- resumable uploads (see credstack.assessment.uploads for the protocol) -------------------------


def _upload_problem(exc: ValidationError) -> JsonResponse:
    errors = _errors(exc)
    # Not keyed by a field: the submission's state refuses it (submitted, decided), not the input.
    return JsonResponse({"errors": errors}, status=409 if set(errors) == {""} else 400)


def _upload_state(submission: Submission, upload: EvidenceUpload) -> dict[str, Any]:
    return {
        "id": str(upload.pk),
        "url": reverse("assessment:upload", args=[submission.pk, upload.pk]),
        "size": upload.size,
        "received": upload.received,
        "chunk_bytes": uploads.chunk_bytes(),
    }


@login_required
@require_POST
def start_upload(request: HttpRequest, pk: int) -> JsonResponse:
    """Open a resumable upload of one evidence file (its size is checked against the limits before any byte)."""
    submission = queries.learner_submission(request.user, pk)
    try:
        upload = uploads.do_start_upload(
            submission=submission,
            artifact_index=request.POST.get("artifact"),
            title=request.POST.get("title", ""),
            note=request.POST.get("note", ""),
            name=request.POST.get("name", ""),
            size=request.POST.get("size"),
            actor=request.user,
        )
    except ValidationError as exc:
        return _upload_problem(exc)
    return JsonResponse(_upload_state(submission, upload), status=201)


def _parse_range(header: str) -> tuple[int, int, int] | None:
    unit, _, spec = header.partition(" ")
    span, _, total = spec.partition("/")
    first, _, last = span.partition("-")
    try:
        return (int(first), int(last), int(total)) if unit == "bytes" else None
    except ValueError:
        return None


@login_required
def upload(request: HttpRequest, pk: int, upload_id: uuid.UUID) -> JsonResponse:
    """GET: how much has arrived; PUT: the next piece (Content-Range); DELETE: abandon the upload."""
    submission = queries.learner_submission(request.user, pk)
    found = get_object_or_404(EvidenceUpload, pk=upload_id, submission=submission, learner=_user(request))
    if request.method in ("GET", "HEAD"):
        return JsonResponse(_upload_state(submission, found))
    if request.method == "DELETE":
        uploads.do_abandon_upload(upload=found, actor=request.user)
        return JsonResponse({"abandoned": True})
    if request.method != "PUT":
        return JsonResponse({"errors": {"": "Use GET, PUT or DELETE."}}, status=405)
    span = _parse_range(request.headers.get("Content-Range", ""))
    if span is None:
        return JsonResponse({"errors": {"range": "Send Content-Range: bytes first-last/size."}}, status=400)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if not 0 < length <= uploads.chunk_bytes():
        return JsonResponse(
            {"errors": {"range": f"Send between 1 and {uploads.chunk_bytes()} bytes at a time."}}, status=413
        )
    data = request.read(length + 1)
    try:
        received = uploads.do_receive_chunk(
            upload=found, first=span[0], last=span[1], total=span[2], data=data, actor=request.user
        )
    except uploads.WrongOffset as exc:
        return JsonResponse({"errors": {"range": str(exc)}, "received": exc.received}, status=409)
    except ValidationError as exc:
        return _upload_problem(exc)
    return JsonResponse({"received": received, "size": found.size})


@login_required
@require_POST
def finish_upload(request: HttpRequest, pk: int, upload_id: uuid.UUID) -> JsonResponse:
    """Make the received pieces one piece of evidence, judged like any uploaded file."""
    submission = queries.learner_submission(request.user, pk)
    found = get_object_or_404(EvidenceUpload, pk=upload_id, submission=submission, learner=_user(request))
    try:
        item = uploads.do_finish_upload(upload=found, actor=request.user)
    except ValidationError as exc:
        return _upload_problem(exc)
    return JsonResponse(
        {
            "evidence": item.pk,
            "title": item.title,
            "media_type": item.media_type,
            "size": item.size,
            "sha256": item.sha256,
            "anchor": f"f-artifacts.{item.artifact_index}",
        },
        status=201,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = queries.learner_submission(request.user, pk)
    try:
        actions.do_withdraw_submission(submission=submission, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Withdrawn. It stays in your history.")
    return redirect("assessment:my_learning")


@login_required
@xframe_options_sameorigin
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve one evidence file to whoever may read it; the stored name, not the learner's, is used."""
    item = get_object_or_404(
        EvidenceItem.objects.select_related("submission__organization", "submission__learner"), pk=pk
    )
    if not item.is_file or not queries.may_read_evidence(request.user, item):
        raise Http404("No such file.")
    inline = item.preview in {"image", "pdf", "text", "video", "audio"} and request.GET.get("download") != "1"
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.media_type,
        as_attachment=not inline,
        filename=f"evidence-{item.pk}.{item.extension}",
    )
    if item.preview != "pdf":  # Chromium's PDF viewer refuses sandboxed documents; everything else is sandboxed
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- assessor ------------------------------------------------------------------------------------


@login_required
def review_home(request: HttpRequest) -> HttpResponse:
    orgs = [
        o
        for o in Organization.objects.filter(memberships__user=_user(request)).distinct()
        if can_assess(request.user, o)
    ]
    if len(orgs) == 1:
        return redirect("assessment:queue", orgs[0].slug)
    return render(request, "assessment/review_home.html", {"orgs": orgs})


@login_required
def review_queue(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = queries.assessor_organization(request.user, org_slug)
    status = request.GET.get("status", "")
    mc = request.GET.get("micro_credential", "")
    data = queries.queue(
        org,
        request.user,
        status=status if status in queries.QUEUE_FILTERS else "",
        micro_credential=mc,
        page=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    # EXISTS per micro-credential (an index lookup each), not a join over every submission of the organization.
    micro_credentials = MicroCredential.objects.filter(organization=org).filter(
        Exists(Submission.objects.filter(micro_credential=OuterRef("pk")))
    )
    return render(
        request,
        "assessment/queue.html",
        {
            "org": org,
            "rows": data["rows"],
            "page": data["page"],
            "querystring": query.urlencode(),
            "hidden": data["hidden"],
            "filters": queries.QUEUE_FILTERS,
            "status": status,
            "mc": mc,
            "micro_credentials": [
                (m.slug, (m.published_version() or m.latest_version()).name) for m in micro_credentials
            ],
        },
    )


def _review_context(
    request: HttpRequest,
    org: Organization,
    submission: Submission,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    attempt = submission.attempts.order_by("-number").first()
    rubric = submission.micro_credential_version.rubric
    mine = (
        Review.objects.filter(
            submission=submission,
            assessor=_user(request),
            status=ReviewStatus.IN_PROGRESS,
        ).first()
        if submission.claimed_by_id == request.user.pk
        else None
    )
    levels = (typed or {}).get("levels") or (mine.levels if mine else {})
    crit_fb = (typed or {}).get("criterion_feedback") or (mine.criterion_feedback if mine else {})
    overall = (typed or {}).get("overall_feedback", mine.overall_feedback if mine else "")
    earlier = [f for f in queries.feedback_by_attempt(submission) if attempt and f["attempt"].number < attempt.number]
    # The last returned attempt's level and feedback per criterion, shown beside the criterion being scored.
    last = next((f for f in earlier if f["decided"]), None)
    last_by_key = {c["key"]: c for c in last["criteria"]} if last else {}
    criteria = []
    for c in rubric.get("criteria", []):
        keys = [lv["key"] for lv in c["levels"]]
        criteria.append(
            {
                **c,
                "chosen": levels.get(c["key"], ""),
                "feedback": crit_fb.get(c["key"], ""),
                "passing_index": keys.index(c["passing_level"]),
                "passing_name": next((lv["name"] for lv in c["levels"] if lv["key"] == c["passing_level"]), ""),
                "last": last_by_key.get(c["key"]),
            }
        )
    evidence_ids = [e["id"] for e in (attempt.evidence if attempt else [])]
    items = {e.pk: e for e in EvidenceItem.objects.filter(pk__in=evidence_ids)}
    spec = submission.micro_credential_version.submission
    artifacts = []
    for i, a in enumerate(spec.get("artifacts", [])):
        artifacts.append(
            {
                "title": a["title"],
                "description": a["description"],
                "items": [
                    {"snap": e, "item": items.get(e["id"]), "text": _text_preview(items.get(e["id"]))}
                    for e in (attempt.evidence if attempt else [])
                    if e["artifact_index"] == i
                ],
            }
        )
    answers = (attempt.answers if attempt else {}) or {}
    overview = answers.get("overview") or []
    questions = [
        {"prompt": q["prompt"], "word_limit": q["word_limit"], "answer": overview[i] if i < len(overview) else ""}
        for i, q in enumerate(spec.get("overview_questions", []))
    ]
    passes, reasons = rubric_passes(rubric, {k: v for k, v in levels.items() if v})
    changes = changes_since_last(submission, attempt)
    return {
        "org": org,
        "s": submission,
        "v": submission.micro_credential_version,
        "attempt": attempt,
        "questions": questions,
        "reflection": answers.get("reflection", ""),
        "artifacts": artifacts,
        "criteria": criteria,
        "overall": overall,
        "errors": errors or {},
        "mine": mine,
        "refusal": actions.review_refusal(request.user, submission),
        "claimable": submission.status in ("submitted", "in_review") and submission.claimed_by_id is None,
        # an admin can give back a claim another assessor left standing (do_release_submission checks it again)
        "can_release_claim": (
            submission.claimed_by_id not in (None, request.user.pk) and is_org_admin(request.user, org)
        ),
        "verdict": {"passes": passes, "reasons": reasons},
        "earlier": earlier,
        "last_feedback": last,
        "changes": changes,
        "new_ids": {c.snap["id"] for a in changes.artifacts for c in a.items if c.status == "new"}
        if changes
        else set(),
        "due": actions.expected_review_by(submission),
    }


def _text_preview(item: EvidenceItem | None) -> str:
    if item is None or item.preview != "text":
        return ""
    with item.file.open("rb") as handle:
        data = handle.read(TEXT_PREVIEW_BYTES)
    return data.decode("utf-8", "replace")


def _posted_scores(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    rubric = submission.micro_credential_version.rubric
    keys = [c["key"] for c in rubric.get("criteria", [])]
    return {
        "levels": {k: request.POST.get(f"levels.{k}", "") for k in keys},
        "criterion_feedback": {k: request.POST.get(f"criterion_feedback.{k}", "") for k in keys},
        "overall_feedback": request.POST.get("overall_feedback", ""),
    }


@login_required
def review_submission(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    org = queries.assessor_organization(request.user, org_slug)
    submission = queries.reviewable_submission(request.user, org, pk)
    if request.method != "POST":
        return render(request, "assessment/review.html", _review_context(request, org, submission))
    action = request.POST.get("action", "")
    try:
        if action == "claim":
            actions.do_claim_submission(
                submission=submission,
                assessor=request.user,  # type: ignore[arg-type]
                actor=request.user,
            )
            messages.success(request, f"You claimed {submission.reference}; no one else can score it now.")
        elif action == "release":
            actions.do_release_submission(submission=submission, actor=request.user)
            messages.success(request, f"{submission.reference} is back in the queue.")
            return redirect("assessment:queue", org.slug)
        elif action in {"save", "pass", "return"}:
            scores = _posted_scores(request, submission)
            try:
                if action == "save":
                    actions.do_save_scores(
                        submission=submission,
                        assessor=request.user,  # type: ignore[arg-type]
                        actor=request.user,
                        **scores,
                    )
                    messages.success(request, "Scores and feedback saved; nothing is decided yet.")
                else:
                    actions.do_decide_submission(
                        submission=submission,
                        assessor=request.user,  # type: ignore[arg-type]
                        decision=action,
                        actor=request.user,
                        **scores,
                    )
                    submission.refresh_from_db()
                    messages.success(
                        request,
                        {
                            SubmissionStatus.PASSED: f"{submission.reference} passed; the award step takes it "
                            "from here.",
                            SubmissionStatus.RETURNED: f"{submission.reference} was returned to the learner with your "
                            "feedback.",
                            SubmissionStatus.NOT_PASSED: f"{submission.reference} was returned; the learner has no "
                            "attempts left.",
                            SubmissionStatus.IN_REVIEW: f"{submission.reference} passed your review and goes to an "
                            "independent second review.",
                        }.get(SubmissionStatus(submission.status), "Decision recorded."),
                    )
                    return redirect("assessment:queue", org.slug)
            except ValidationError as exc:
                submission.refresh_from_db()
                return render(
                    request,
                    "assessment/review.html",
                    _review_context(request, org, submission, _errors(exc), scores),
                    status=400,
                )
        else:
            messages.error(request, "Unknown action.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assessment:review", org.slug, submission.pk)


@login_required
def conflicts(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    typed = {"learner_email": "", "reason": ""}
    if request.method == "POST":
        typed = {"learner_email": request.POST.get("learner_email", ""), "reason": request.POST.get("reason", "")}
        try:
            actions.do_declare_conflict(assessor=request.user, actor=request.user, **typed)  # type: ignore[arg-type]
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "Conflict of interest recorded: you will not see that learner's work.")
            return redirect("assessment:conflicts")
    return render(
        request,
        "assessment/conflicts.html",
        {
            "conflicts": ConflictOfInterest.objects.filter(assessor=_user(request), withdrawn_at__isnull=True),
            "errors": errors,
            "typed": typed,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def withdraw_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(ConflictOfInterest, pk=pk, assessor=request.user, withdrawn_at__isnull=True)
    actions.do_withdraw_conflict(conflict=conflict, actor=request.user)
    messages.success(request, f"The conflict with {conflict.learner_email} is withdrawn.")
    return redirect("assessment:conflicts")
