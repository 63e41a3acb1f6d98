"""Assessment actions: every write to a submission, its evidence, reviews and recorded passes.

Each runs in one transaction with its audit record and schedules mail with
``send_after_commit``; invalid input raises a field-keyed ``ValidationError`` before anything is
written. Views, the API, the demo loader and the admin call these and nothing else.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from credstack.accounts.models import User
from credstack.assessment import filetypes
from credstack.assessment.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    QUEUE_STATUSES,
    Assessment,
    Attempt,
    AwardStatus,
    ConflictOfInterest,
    Decision,
    EvidenceItem,
    Review,
    ReviewStage,
    ReviewStatus,
    Submission,
    SubmissionStatus,
)
from credstack.assessment.signals import assessment_passed
from credstack.catalog.definition import ARTIFACT_KINDS, rubric_passes
from credstack.catalog.models import MicroCredentialVersion, VersionStatus
from credstack.core import audit
from credstack.core.inputs import web_url_message
from credstack.core.mail import send_after_commit
from credstack.core.models import AuditEvent
from credstack.organizations.models import Membership, Organization, Role
from credstack.organizations.permissions import can_assess
from credstack.vc.iri import text_problem

MAX_ANSWER_CHARS = 20_000
MAX_NOTE_CHARS = 3_000
MAX_FEEDBACK_CHARS = 10_000
# Autosave writes often; one audit record per quarter hour of editing is enough to say who and when.
DRAFT_AUDIT_INTERVAL = timedelta(minutes=15)

_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    """Words as the page counts them live: runs of non-space characters."""
    return len(_WORD.findall(text or ""))


def _url_for(name: str, *args: Any) -> str:
    return settings.CREDSTACK_BASE_URL + reverse(name, args=args)


def _reviewer_emails(organization: Organization, exclude: Any = None) -> list[str]:
    emails = (
        Membership.objects.filter(organization=organization, role__in=[Role.ASSESSOR, Role.ADMIN])
        .values_list("user__email", flat=True)
        .distinct()
    )
    return sorted({e for e in emails if not exclude or e != getattr(exclude, "email", None)})


def expected_review_by(submission: Submission) -> Any:
    if submission.submitted_at is None:
        return None
    return submission.submitted_at + timedelta(days=submission.organization.turnaround_days)


# --- the learner ---------------------------------------------------------------------------------


def do_start_submission(*, learner: User, version: MicroCredentialVersion, actor: Any) -> Submission:
    """Start (or return the open) submission of a learner for the published version of a micro-credential."""
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError({"micro_credential": ["Only a published micro-credential can be started."]})
    mc = version.micro_credential
    existing = Submission.objects.filter(learner=learner, micro_credential=mc, status__in=OPEN_STATUSES).first()
    if existing is not None:
        return existing
    if Submission.objects.filter(learner=learner, micro_credential=mc, status=SubmissionStatus.PASSED).exists():
        raise ValidationError({"micro_credential": ["You have already earned this micro-credential."]})
    if Submission.objects.filter(
        learner=learner, micro_credential_version=version, status=SubmissionStatus.NOT_PASSED
    ).exists():
        raise ValidationError(
            {
                "micro_credential": [
                    f"You have used every attempt for version {version.version}. Contact {mc.organization.name} "
                    "about next steps; you can start again when a revised version is published."
                ]
            }
        )
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                learner=learner,
                organization=mc.organization,
                micro_credential=mc,
                micro_credential_version=version,
                answers={"overview": ["" for _ in version.submission.get("overview_questions", [])], "reflection": ""},
            )
            audit.record(
                "submission.started",
                submission,
                actor=actor,
                organization=mc.organization,
                micro_credential=mc.slug,
                version=version.version,
            )
    except IntegrityError:  # a concurrent start of the same one
        return Submission.objects.get(learner=learner, micro_credential=mc, status__in=OPEN_STATUSES)
    return submission


def _require_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE_STATUSES:
        # Not keyed by a field: the state, not the input, is wrong (the API answers 409).
        raise ValidationError(
            f"This submission is {submission.get_status_display().lower()}; it cannot be changed now."
        )


def _clean_answers(submission: Submission, answers: dict[str, Any]) -> dict[str, Any]:
    questions = submission.micro_credential_version.submission.get("overview_questions", [])
    given = answers.get("overview")
    if isinstance(given, dict):  # from a form: {"0": "...", "1": "..."}
        given = [given.get(str(i), "") for i in range(len(questions))]
    if not isinstance(given, list):
        given = submission.overview_answers()
    overview = [str(given[i] or "") if i < len(given) else "" for i in range(len(questions))]
    reflection = answers.get("reflection", submission.reflection())
    reflection = "" if reflection is None else str(reflection)
    errors: dict[str, list[str]] = {}
    for i, text in enumerate(overview):
        if len(text) > MAX_ANSWER_CHARS:
            errors[f"overview.{i}"] = [f"This answer is too long to store ({len(text)} characters)."]
    if len(reflection) > MAX_ANSWER_CHARS:
        errors["reflection"] = [f"This reflection is too long to store ({len(reflection)} characters)."]
    if errors:
        raise ValidationError(errors)
    return {"overview": overview, "reflection": reflection}


def do_save_draft(*, submission: Submission, answers: dict[str, Any], actor: Any) -> Submission:
    """Save the typed answers as they are (word limits are checked at submit, counted live in the page)."""
    _require_editable(submission)
    cleaned = _clean_answers(submission, answers)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_editable(locked)
        now = timezone.now()
        Submission.objects.filter(pk=submission.pk).update(answers=cleaned, draft_saved_at=now)
        submission.answers, submission.draft_saved_at = cleaned, now
        last = (
            AuditEvent.objects.filter(object_type="assessment.submission", object_id=str(submission.pk))
            .order_by("-occurred_at", "-id")
            .first()
        )
        if last is None or last.action != "submission.draft_saved" or now - last.occurred_at > DRAFT_AUDIT_INTERVAL:
            audit.record("submission.draft_saved", submission, actor=actor, organization=submission.organization)
    return submission


def _submission_bytes(submission: Submission) -> int:
    total = submission.evidence.filter(removed_at__isnull=True).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def max_file_bytes(detected: filetypes.FileType | None = None) -> int:
    """The limit for one evidence file: a video's (a classroom recording is large), or any other file's; with no
    type known yet, the larger of the two (the type is judged later, by content)."""
    video, other = settings.CREDSTACK_MAX_VIDEO_FILE_BYTES, settings.CREDSTACK_MAX_EVIDENCE_FILE_BYTES
    if detected is None:
        return max(video, other)
    return video if detected.kind == "video" else other


def _limit_phrase(detected: filetypes.FileType | None, limit: int) -> str:
    if detected is not None and detected.kind == "video":
        return f"a video may be at most {_mb(limit)}."
    return f"each file may be at most {_mb(limit)}."


def _instead(accepted: list[str]) -> str:
    if "link" in accepted:
        return (
            " Put it on a video or file service (an unlisted YouTube or Vimeo video, your school's shared drive) "
            "and paste its address into “…or a link” instead."
        )
    return " Make it smaller (shorter, or exported at a lower resolution) and upload it again."


def do_add_evidence(
    *,
    submission: Submission,
    artifact_index: int,
    title: str,
    note: str = "",
    upload: File | None = None,
    url: str = "",
    actor: Any,
) -> EvidenceItem:
    """Attach a file (checked by content, hashed, stored through the storage API) or a link to an artifact."""
    _require_editable(submission)
    artifacts = submission.micro_credential_version.submission.get("artifacts", [])
    errors: dict[str, list[str]] = {}
    if not isinstance(artifact_index, int) or not 0 <= artifact_index < len(artifacts):
        raise ValidationError({"artifact": ["Choose which artifact this evidence is for."]})
    artifact = artifacts[artifact_index]
    accepted = artifact.get("accepted_kinds", [])
    title = (title or "").strip() or artifact["title"]
    note = (note or "").strip()
    url = (url or "").strip()
    # Large uploads to the API are not read by the request guard before the view: check their texts here.
    for name, text in (("title", title), ("note", note), ("url", url)):
        if (problem := text_problem(text)) is not None:
            errors[name] = [f"This text {problem}."]
    if len(title) > 200:
        errors["title"] = ["The title must be at most 200 characters."]
    if len(note) > MAX_NOTE_CHARS:
        errors["note"] = [f"The note must be at most {MAX_NOTE_CHARS} characters."]
    if upload is None and not url:
        errors["file"] = ["Choose a file to upload or give a link."]
    elif upload is not None and url:
        errors["file"] = ["Give either a file or a link, not both."]
    accepted_labels = ", ".join(ARTIFACT_KINDS.get(k, k) for k in accepted)
    detected: filetypes.FileType | None = None
    digest = ""
    size = 0
    if url and not errors:
        if "link" not in accepted:
            errors["url"] = [f"“{artifact['title']}” does not accept links; it accepts {accepted_labels}."]
        else:
            message = web_url_message(url, label="The link")
            if message is not None:
                errors["url"] = [message]
    if upload is not None and not errors:
        declared = getattr(upload, "size", None)
        try:
            detected = filetypes.detect(upload)  # type: ignore[arg-type]
        except filetypes.UnknownFileType as exc:
            errors["file"] = [f"{exc} “{artifact['title']}” accepts {accepted_labels}."]
        limit = max_file_bytes(detected)
        if detected is not None and detected.kind not in accepted:
            wanted = "; ".join(
                f"{ARTIFACT_KINDS[k]}: {filetypes.ACCEPTED_BY_KIND[k]}"
                for k in accepted
                if k in filetypes.ACCEPTED_BY_KIND
            )
            errors["file"] = [
                f"This file is a {detected.label}, which “{artifact['title']}” does not "
                f"accept. Accepted: {wanted or accepted_labels}."
            ]
        if "file" in errors:
            pass  # the type is refused: its size does not matter
        elif declared is not None and declared > limit:
            errors["file"] = [f"The file is {_mb(declared)}; {_limit_phrase(detected, limit)}{_instead(accepted)}"]
        else:
            hasher = hashlib.sha256()
            upload.seek(0)
            for chunk in upload.chunks():
                size += len(chunk)
                if size > limit:
                    break
                hasher.update(chunk)
            upload.seek(0)
            if size > limit:
                errors["file"] = [f"The file is larger than {_mb(limit)}, the limit for one file.{_instead(accepted)}"]
            else:
                digest = hasher.hexdigest()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_editable(locked)
        if detected is not None:
            cap = settings.CREDSTACK_MAX_SUBMISSION_BYTES
            used = _submission_bytes(locked)
            if used + size > cap:
                raise ValidationError(
                    {
                        "file": [
                            f"This file ({_mb(size)}) would bring the submission to {_mb(used + size)}; all files "
                            f"together may be at most {_mb(cap)}. Remove a file you no longer need, or link to large "
                            "videos."
                        ]
                    }
                )
        item = EvidenceItem(
            submission=locked,
            artifact_index=artifact_index,
            title=title,
            note=note,
            added_in_attempt=locked.attempts_used + 1,
        )
        if detected is not None and upload is not None:
            item.kind, item.media_type, item.extension = detected.kind, detected.media_type, detected.extension
            item.size, item.sha256 = size, digest
            item.original_name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:255]
            item.file.save("evidence", upload, save=False)
            stored = item.file.name or ""
            try:
                item.save()
            except Exception:
                item.file.storage.delete(stored)
                raise
        else:
            item.kind, item.url = "link", url
            item.save()
        audit.record(
            "submission.evidence_added",
            locked,
            actor=actor,
            organization=locked.organization,
            evidence=item.pk,
            artifact=artifact_index,
            kind=item.kind,
            sha256=item.sha256,
            size=item.size,
        )
    return item


def do_remove_evidence(*, item: EvidenceItem, actor: Any) -> EvidenceItem:
    """Take evidence out of the draft; the row and file stay (earlier attempts may point at them)."""
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=item.submission_id)
        _require_editable(submission)
        if item.removed_at is None:
            item.removed_at = timezone.now()
            EvidenceItem.objects.filter(pk=item.pk).update(removed_at=item.removed_at)
            audit.record(
                "submission.evidence_removed",
                submission,
                actor=actor,
                organization=submission.organization,
                evidence=item.pk,
            )
    return item


def submission_problems(submission: Submission) -> dict[str, str]:
    """What stops the submission from being handed in, keyed like the form fields."""
    spec = submission.micro_credential_version.submission
    problems: dict[str, str] = {}
    for i, (question, answer) in enumerate(
        zip(spec.get("overview_questions", []), submission.overview_answers(), strict=False)
    ):
        words = word_count(answer)
        if not words:
            problems[f"overview.{i}"] = f"Answer question {i + 1}."
        elif words > question["word_limit"]:
            problems[f"overview.{i}"] = (
                f"Answer {i + 1} has {words} words; the limit is {question['word_limit']}. Shorten it."
            )
    if spec.get("reflection_prompt"):
        words = word_count(submission.reflection())
        limit = spec.get("reflection_word_limit") or 0
        if not words:
            problems["reflection"] = "Write the reflection."
        elif limit and words > limit:
            problems["reflection"] = f"The reflection has {words} words; the limit is {limit}. Shorten it."
    present = set(submission.active_evidence().values_list("artifact_index", flat=True))
    for i, artifact in enumerate(spec.get("artifacts", [])):
        if i not in present:
            problems[f"artifacts.{i}"] = f"Add evidence for “{artifact['title']}”."
    return problems


def do_submit_submission(*, submission: Submission, actor: Any) -> Submission:
    """Hand the submission in: freeze an attempt and put it in the organization's review queue."""
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("micro_credential_version", "organization", "learner")
            .get(pk=submission.pk)
        )
        _require_editable(locked)
        if locked.attempts_used >= locked.max_attempts:
            raise ValidationError(f"All {locked.max_attempts} attempts are used.")
        problems = submission_problems(locked)
        if problems:
            raise ValidationError({k: [v] for k, v in problems.items()})
        now = timezone.now()
        number = locked.attempts_used + 1
        Attempt.objects.create(
            submission=locked,
            number=number,
            submitted_at=now,
            answers=locked.answers,
            evidence=[e.snapshot() for e in locked.active_evidence()],
        )
        locked.attempts_used = number
        locked.status = SubmissionStatus.SUBMITTED
        locked.review_stage = ReviewStage.FIRST
        locked.claimed_by, locked.claimed_at = None, None
        locked.submitted_at = now
        locked.first_submitted_at = locked.first_submitted_at or now
        locked.save(
            update_fields=[
                "attempts_used",
                "status",
                "review_stage",
                "claimed_by",
                "claimed_at",
                "submitted_at",
                "first_submitted_at",
            ]
        )
        action = "submission.submitted" if number == 1 else "submission.resubmitted"
        audit.record(action, locked, actor=actor, organization=locked.organization, attempt=number)
        name = locked.micro_credential_version.name
        due = expected_review_by(locked)
        send_after_commit(
            f"Submitted: {name}",
            f"Your evidence for “{name}” was received (attempt {number} of {locked.max_attempts}).\n\n"
            f"{locked.organization.name} aims to review it by {due:%d %B %Y}.\n\n"
            f"Follow it in My learning: {_url_for('assessment:submission', locked.pk)}\n",
            [locked.learner.email],
        )
        reviewers = [e for e in _reviewer_emails(locked.organization) if e != locked.learner.email]
        if reviewers:
            send_after_commit(
                f"New in the review queue: {name} ({locked.reference})",
                f"{locked.reference} ({'resubmission, ' if number > 1 else ''}attempt {number}) for “{name}” "
                f"is waiting for review.\n\nReview queue: {_url_for('assessment:queue', locked.organization.slug)}\n",
                reviewers,
            )
    submission.refresh_from_db()
    return submission


def do_withdraw_submission(*, submission: Submission, actor: Any) -> Submission:
    """Withdraw an open submission; it stays in the learner's history."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(f"A {locked.get_status_display().lower()} submission cannot be withdrawn.")
        Review.objects.filter(submission=locked, status=ReviewStatus.IN_PROGRESS).update(status=ReviewStatus.RELEASED)
        locked.status = SubmissionStatus.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.claimed_by, locked.claimed_at = None, None
        locked.save(update_fields=["status", "withdrawn_at", "claimed_by", "claimed_at"])
        audit.record("submission.withdrawn", locked, actor=actor, organization=locked.organization)
    submission.refresh_from_db()
    return submission


# --- conflicts of interest -----------------------------------------------------------------------


def do_declare_conflict(*, assessor: User, learner_email: str, reason: str = "", actor: Any) -> ConflictOfInterest:
    email = User.objects.normalize_email((learner_email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"learner_email": ["Enter the learner's email address."]})
    if email == assessor.email.lower():
        raise ValidationError({"learner_email": ["You can never review your own submissions; no need to declare it."]})
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": ["Keep the reason under 300 characters."]})
    with transaction.atomic():
        existing = ConflictOfInterest.objects.filter(
            assessor=assessor, learner_email=email, withdrawn_at__isnull=True
        ).first()
        if existing is not None:
            return existing
        conflict = ConflictOfInterest.objects.create(assessor=assessor, learner_email=email, reason=reason)
        audit.record("assessor.conflict_declared", conflict, actor=actor)
        # A claim held on a now-conflicted submission is released at once.
        for held in Submission.objects.filter(claimed_by=assessor, learner__email__iexact=email):
            _release(held, actor=actor, why="conflict declared")
    return conflict


def do_withdraw_conflict(*, conflict: ConflictOfInterest, actor: Any) -> ConflictOfInterest:
    with transaction.atomic():
        if conflict.withdrawn_at is None:
            conflict.withdrawn_at = timezone.now()
            ConflictOfInterest.objects.filter(pk=conflict.pk).update(withdrawn_at=conflict.withdrawn_at)
            audit.record("assessor.conflict_withdrawn", conflict, actor=actor)
    return conflict


def has_conflict(assessor: Any, learner: Any) -> bool:
    return ConflictOfInterest.objects.filter(
        assessor=assessor, learner_email__iexact=learner.email, withdrawn_at__isnull=True
    ).exists()


# --- the assessor --------------------------------------------------------------------------------


def review_refusal(user: Any, submission: Submission) -> str:
    """Why this user may not review this submission ('' when they may). Assumes they assess for the org."""
    if submission.learner_id == getattr(user, "pk", None):
        return "This is your own submission; another assessor must review it."
    if has_conflict(user, submission.learner):
        return "You declared a conflict of interest with this learner; another assessor must review it."
    if (
        submission.review_stage == ReviewStage.SECOND
        and Review.objects.filter(
            submission=submission, attempt__number=submission.attempts_used, stage=ReviewStage.FIRST, assessor=user
        ).exists()
    ):
        return "You made the first review; the second review must be independent."
    return ""


def _require_assessor(user: Any, submission: Submission) -> None:
    if not can_assess(user, submission.organization):
        raise ValidationError({"assessor": ["You do not assess for this organization."]})
    refusal = review_refusal(user, submission)
    if refusal:
        raise ValidationError({"assessor": [refusal]})


def do_claim_submission(*, submission: Submission, assessor: User, actor: Any) -> Review:
    """Claim a waiting submission. Safe under concurrent claims: one conditional UPDATE wins, the others fail."""
    _require_assessor(assessor, submission)
    with transaction.atomic():
        now = timezone.now()
        won = Submission.objects.filter(
            pk=submission.pk,
            status__in=QUEUE_STATUSES,
            claimed_by__isnull=True,
        ).update(claimed_by=assessor, claimed_at=now, status=SubmissionStatus.IN_REVIEW)
        if won != 1:
            current = Submission.objects.filter(pk=submission.pk).values_list("claimed_by", flat=True).first()
            if current == assessor.pk:
                return Review.objects.get(submission=submission, assessor=assessor, status=ReviewStatus.IN_PROGRESS)
            raise ValidationError(
                {"claim": ["Another assessor has just claimed this submission, or it is no longer waiting for review."]}
            )
        locked = Submission.objects.select_related("organization").get(pk=submission.pk)
        attempt = Attempt.objects.get(submission=locked, number=locked.attempts_used)
        review = Review.objects.create(
            submission=locked, attempt=attempt, assessor=assessor, stage=locked.review_stage, claimed_at=now
        )
        audit.record(
            "submission.claimed",
            locked,
            actor=actor,
            organization=locked.organization,
            attempt=attempt.number,
            stage=locked.review_stage,
        )
    submission.refresh_from_db()
    return review


def _release(submission: Submission, *, actor: Any, why: str = "") -> None:
    Review.objects.filter(submission=submission, status=ReviewStatus.IN_PROGRESS).update(status=ReviewStatus.RELEASED)
    status = SubmissionStatus.SUBMITTED if submission.review_stage == ReviewStage.FIRST else SubmissionStatus.IN_REVIEW
    Submission.objects.filter(pk=submission.pk).update(claimed_by=None, claimed_at=None, status=status)
    audit.record(
        "submission.released",
        submission,
        actor=actor,
        organization=submission.organization,
        **({"reason": why} if why else {}),
    )


def do_release_submission(*, submission: Submission, actor: Any) -> Submission:
    """Give a claimed submission back to the queue (by the assessor holding it, or an organization admin)."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().select_related("organization").get(pk=submission.pk)
        if locked.claimed_by_id is None:
            raise ValidationError({"claim": ["This submission is not claimed."]})
        from credstack.organizations.permissions import is_org_admin

        if locked.claimed_by_id != getattr(actor, "pk", None) and not is_org_admin(actor, locked.organization):
            raise ValidationError({"claim": ["Another assessor holds this submission."]})
        _release(locked, actor=actor)
    submission.refresh_from_db()
    return submission


def _clean_scores(
    rubric: dict[str, Any], levels: dict[str, Any], criterion_feedback: dict[str, Any], overall_feedback: str
) -> tuple[dict[str, str], dict[str, str], str]:
    criteria = {c["key"]: c for c in rubric.get("criteria", [])}
    errors: dict[str, list[str]] = {}
    clean_levels: dict[str, str] = {}
    for key, level in (levels or {}).items():
        if key not in criteria:
            errors[f"levels.{key}"] = [f"The rubric has no criterion {key!r}."]
        elif level in ("", None):
            continue
        elif level not in [lv["key"] for lv in criteria[key]["levels"]]:
            errors[f"levels.{key}"] = [f"{criteria[key]['name']} has no level {level!r}."]
        else:
            clean_levels[key] = str(level)
    clean_feedback: dict[str, str] = {}
    for key, text in (criterion_feedback or {}).items():
        if key not in criteria:
            errors[f"criterion_feedback.{key}"] = [f"The rubric has no criterion {key!r}."]
            continue
        text = (text or "").strip() if isinstance(text, str) else ""
        if len(text) > MAX_FEEDBACK_CHARS:
            errors[f"criterion_feedback.{key}"] = [f"Keep feedback under {MAX_FEEDBACK_CHARS} characters."]
        elif text:
            clean_feedback[key] = text
    overall = (overall_feedback or "").strip()
    if len(overall) > MAX_FEEDBACK_CHARS:
        errors["overall_feedback"] = [f"Keep feedback under {MAX_FEEDBACK_CHARS} characters."]
    if errors:
        raise ValidationError(errors)
    return clean_levels, clean_feedback, overall


def _held_review(submission: Submission, assessor: Any) -> Review:
    if submission.claimed_by_id != getattr(assessor, "pk", None):
        raise ValidationError({"claim": ["Claim this submission before scoring it."]})
    review = Review.objects.filter(submission=submission, assessor=assessor, status=ReviewStatus.IN_PROGRESS).first()
    if review is None:
        raise ValidationError({"claim": ["Claim this submission before scoring it."]})
    return review


def do_save_scores(
    *,
    submission: Submission,
    assessor: User,
    levels: dict[str, Any],
    criterion_feedback: dict[str, Any],
    overall_feedback: str,
    actor: Any,
) -> Review:
    """Keep the scores and feedback typed so far, without deciding."""
    rubric = submission.micro_credential_version.rubric
    clean_levels, clean_feedback, overall = _clean_scores(rubric, levels, criterion_feedback, overall_feedback)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        review = _held_review(locked, assessor)
        review.levels, review.criterion_feedback, review.overall_feedback = clean_levels, clean_feedback, overall
        review.save(update_fields=["levels", "criterion_feedback", "overall_feedback", "updated_at"])
        audit.record("review.scores_saved", review, actor=actor, organization=locked.organization)
    return review


def explain_decision(rubric: dict[str, Any], levels: dict[str, str]) -> tuple[bool, list[str]]:
    """The rubric's verdict on these levels, with one reason per criterion that falls short."""
    return rubric_passes(rubric, levels)


def _needs_second_review(organization: Organization) -> bool:
    if organization.second_review == "passes":
        return True
    if organization.second_review == "sample":
        return secrets.randbelow(100) < organization.second_review_sample_percent
    return False


def do_decide_submission(
    *,
    submission: Submission,
    assessor: User,
    decision: str,
    levels: dict[str, Any],
    criterion_feedback: dict[str, Any],
    overall_feedback: str,
    actor: Any,
) -> Review:
    """Record the assessor's decision. It must follow the rubric's passing rule: a pass needs every criterion at
    its passing level; a return needs at least one below it, with feedback on each one that falls short."""
    version = submission.micro_credential_version
    rubric = version.rubric
    clean_levels, clean_feedback, overall = _clean_scores(rubric, levels, criterion_feedback, overall_feedback)
    errors: dict[str, list[str]] = {}
    for criterion in rubric.get("criteria", []):
        if criterion["key"] not in clean_levels:
            errors[f"levels.{criterion['key']}"] = [f"Choose a level for {criterion['name']}."]
    if decision not in Decision.values:
        errors["decision"] = ["Choose pass or return."]
    if errors:
        raise ValidationError(errors)
    passes, reasons = rubric_passes(rubric, clean_levels)
    if decision == Decision.PASS and not passes:
        raise ValidationError({"decision": ["The rubric's rule says this does not pass: " + " ".join(reasons)]})
    if decision == Decision.RETURN and passes:
        raise ValidationError(
            {
                "decision": [
                    "Every criterion is at or above its passing level, so the rubric says "
                    "this passes. Pass it, or lower the level of a criterion that falls "
                    "short."
                ]
            }
        )
    if decision == Decision.RETURN:
        for criterion in rubric.get("criteria", []):
            keys = [lv["key"] for lv in criterion["levels"]]
            below = keys.index(clean_levels[criterion["key"]]) < keys.index(criterion["passing_level"])
            if below and not clean_feedback.get(criterion["key"]):
                errors[f"criterion_feedback.{criterion['key']}"] = [
                    f"Tell the learner what is missing for {criterion['name']}."
                ]
        if errors:
            raise ValidationError(errors)

    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("organization", "learner", "micro_credential_version")
            .get(pk=submission.pk)
        )
        review = _held_review(locked, assessor)
        now = timezone.now()
        review.levels, review.criterion_feedback, review.overall_feedback = clean_levels, clean_feedback, overall
        review.decision, review.status, review.decided_at = decision, ReviewStatus.DECIDED, now
        review.save()
        attempt = review.attempt
        locked.claimed_by, locked.claimed_at = None, None
        org = locked.organization
        name = version.name
        if decision == Decision.RETURN:
            final = locked.attempts_used >= locked.max_attempts
            locked.status = SubmissionStatus.NOT_PASSED if final else SubmissionStatus.RETURNED
            locked.review_stage = ReviewStage.FIRST
            locked.decided_at = now
            attempt.outcome, attempt.decided_at = "returned", now
            attempt.save(update_fields=["outcome", "decided_at"])
            audit.record(
                "submission.returned",
                locked,
                actor=actor,
                organization=org,
                attempt=attempt.number,
                stage=review.stage,
                final=final,
            )
            next_step = (
                f"You have used all {locked.max_attempts} attempts for this version. Read the feedback, then contact "
                f"{org.name}{' (' + org.email + ')' if org.email else ''} about next steps; you can start again when "
                "a revised version is published."
                if final
                else f"Revise your evidence and resubmit: {locked.attempts_left} attempt"
                f"{'s' if locked.attempts_left != 1 else ''} left."
            )
            send_after_commit(
                f"Feedback on your submission: {name}",
                f"Your evidence for “{name}” was reviewed and returned with feedback.\n\n{next_step}\n\n"
                f"Read the feedback: {_url_for('assessment:submission', locked.pk)}\n",
                [locked.learner.email],
            )
        elif locked.review_stage == ReviewStage.FIRST and _needs_second_review(org):
            locked.review_stage = ReviewStage.SECOND
            locked.status = SubmissionStatus.IN_REVIEW
            audit.record(
                "submission.second_review_requested", locked, actor=actor, organization=org, attempt=attempt.number
            )
            others = _reviewer_emails(org, exclude=assessor)
            others = [e for e in others if e != locked.learner.email]
            if others:
                send_after_commit(
                    f"Second review needed: {name} ({locked.reference})",
                    f"{locked.reference} for “{name}” was passed by a first assessor and needs an independent second "
                    f"review.\n\nReview queue: {_url_for('assessment:queue', org.slug)}\n",
                    others,
                )
        else:
            locked.status = SubmissionStatus.PASSED
            locked.decided_at = now
            attempt.outcome, attempt.decided_at = "passed", now
            attempt.save(update_fields=["outcome", "decided_at"])
            assessment = _record_assessment(locked, attempt, review, now)
            audit.record(
                "submission.passed",
                locked,
                actor=actor,
                organization=org,
                attempt=attempt.number,
                assessment=assessment.pk,
            )
            assessors = list(assessment.assessors.values_list("email", flat=True))
            send_after_commit(
                f"Passed: {name}",
                f"Congratulations: your evidence for “{name}” meets every criterion of the rubric. "
                f"{org.name} awards you the micro-credential; your signed credential follows.\n\n"
                f"See it in My learning: {_url_for('assessment:submission', locked.pk)}\n",
                [locked.learner.email],
            )
            send_after_commit(
                f"Pass recorded: {name} ({locked.reference})",
                f"The pass of {locked.reference} for “{name}” is recorded and handed to the award step.\n",
                assessors,
            )
            transaction.on_commit(lambda: assessment_passed.send(sender=Assessment, assessment=assessment))
        locked.save(update_fields=["status", "review_stage", "claimed_by", "claimed_at", "decided_at"])
    submission.refresh_from_db()
    return review


def _record_assessment(submission: Submission, attempt: Attempt, review: Review, now: Any) -> Assessment:
    """With two independent passes, each criterion records the lower of the two levels (both are passing)."""
    decided = list(
        Review.objects.filter(attempt=attempt, status=ReviewStatus.DECIDED, decision=Decision.PASS).order_by(
            "decided_at", "pk"
        )
    )
    rubric = submission.micro_credential_version.rubric
    levels: dict[str, str] = {}
    feedback: dict[str, str] = {}
    for criterion in rubric.get("criteria", []):
        keys = [lv["key"] for lv in criterion["levels"]]
        chosen = [r.levels[criterion["key"]] for r in decided if criterion["key"] in r.levels]
        levels[criterion["key"]] = min(chosen, key=keys.index)
        texts = [r.criterion_feedback.get(criterion["key"], "") for r in decided]
        joined = "\n\n".join(t for t in texts if t)
        if joined:
            feedback[criterion["key"]] = joined
    overall = "\n\n".join(r.overall_feedback for r in decided if r.overall_feedback)
    assessment = Assessment.objects.create(
        learner=submission.learner,
        organization=submission.organization,
        micro_credential_version=submission.micro_credential_version,
        submission=submission,
        attempt=attempt,
        levels=levels,
        feedback=overall,
        criterion_feedback=feedback,
        submitted_at=attempt.submitted_at,
        decided_at=now,
    )
    assessment.assessors.set({r.assessor for r in decided})
    audit.record(
        "assessment.recorded",
        assessment,
        actor=review.assessor,
        organization=submission.organization,
        submission=submission.pk,
        version=submission.micro_credential_version.version,
    )
    return assessment


# --- the award step ------------------------------------------------------------------------------


def do_mark_credential_issued(assessment: Assessment, credential_id: str, actor: Any) -> Assessment:
    """Called by the award step once the signed credential exists; the pass then shows as issued."""
    credential_id = (credential_id or "").strip()
    if not credential_id or len(credential_id) > 500:
        raise ValidationError({"credential_id": ["A credential id (at most 500 characters) is required."]})
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.award_status == AwardStatus.ISSUED:
            if locked.credential_id == credential_id:
                return locked
            raise ValidationError({"credential_id": [f"This pass already has the credential {locked.credential_id}."]})
        locked.award_status, locked.credential_id, locked.issued_at = AwardStatus.ISSUED, credential_id, timezone.now()
        locked.save(update_fields=["award_status", "credential_id", "issued_at"])
        audit.record(
            "assessment.credential_issued",
            locked,
            actor=actor,
            organization=locked.organization,
            credential_id=credential_id,
        )
    assessment.award_status, assessment.credential_id, assessment.issued_at = (
        locked.award_status,
        locked.credential_id,
        locked.issued_at,
    )
    return assessment
