"""Evidence and assessment: a learner's submission, its evidence, the reviews and the recorded pass.

A :class:`Submission` points at the exact :class:`MicroCredentialVersion` it was started under. Each
time the learner submits, an :class:`Attempt` freezes the answers and the list of evidence files
(with their sha256), and reviews score that frozen attempt, so that the evidence shown later is
provably the evidence assessed. Nothing here is deleted: removed evidence keeps its row with a
``removed_at`` time, a withdrawn submission keeps its history, a released claim keeps its review.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    RETURNED = "returned", "Returned with feedback"
    PASSED = "passed", "Passed"
    NOT_PASSED = "not_passed", "Not passed — no attempts left"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A learner has at most one open submission per micro-credential (any version).
OPEN_STATUSES = (
    SubmissionStatus.DRAFT,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.IN_REVIEW,
    SubmissionStatus.RETURNED,
)
# States in which the learner may edit the answers and evidence.
EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# States in which the submission waits for (or is under) review.
QUEUE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW)


class ReviewStage(models.TextChoices):
    FIRST = "first", "First review"
    SECOND = "second", "Second review"


class Submission(models.Model):
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="submissions")
    micro_credential = models.ForeignKey(
        "catalog.MicroCredential", on_delete=models.PROTECT, related_name="submissions"
    )
    micro_credential_version = models.ForeignKey(
        "catalog.MicroCredentialVersion", on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT, db_index=True
    )
    # {"overview": ["answer to question 1", ...], "reflection": "..."}; the draft as last saved.
    answers = models.JSONField(default=dict, blank=True)
    attempts_used = models.PositiveSmallIntegerField(default=0)
    review_stage = models.CharField(max_length=10, choices=ReviewStage.choices, default=ReviewStage.FIRST)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "micro_credential"],
                condition=Q(status__in=["draft", "submitted", "in_review", "returned"]),
                name="one_open_submission_per_learner",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def reference(self) -> str:
        """A neutral label for the assessor's screens: it says nothing about the learner."""
        return f"S-{self.pk:05d}" if self.pk else "S-new"

    @property
    def max_attempts(self) -> int:
        return int(self.micro_credential_version.max_attempts)

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self.attempts_used)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def overview_answers(self) -> list[str]:
        questions = self.micro_credential_version.submission.get("overview_questions", [])
        given = self.answers.get("overview") or []
        return [str(given[i]) if i < len(given) and given[i] is not None else "" for i in range(len(questions))]

    def reflection(self) -> str:
        return str(self.answers.get("reflection") or "")

    def active_evidence(self) -> models.QuerySet[EvidenceItem]:
        return self.evidence.filter(removed_at__isnull=True).order_by("artifact_index", "added_at", "pk")


def _evidence_path(instance: EvidenceItem, filename: str) -> str:
    # The client's file name is never part of the stored name (it may carry the learner's name).
    return f"evidence/{instance.submission_id}/{uuid.uuid4().hex}.{instance.extension or 'bin'}"


class EvidenceItem(models.Model):
    """One file or link offered as evidence for one of the definition's artifacts."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="evidence")
    artifact_index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, help_text="The artifact kind it counts as (document, image, link, …).")
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True, help_text="The learner's note on what this evidence shows.")
    file = models.FileField(upload_to=_evidence_path, blank=True, max_length=255)
    media_type = models.CharField(max_length=120, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_in_attempt = models.PositiveSmallIntegerField(default=1)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["artifact_index", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.kind})"

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    @property
    def preview(self) -> str:
        """How a browser can show it in the page: image, pdf, text, video, audio, or '' (download only)."""
        if not self.is_file:
            return ""
        mt = self.media_type
        if mt in {"image/png", "image/jpeg", "image/gif", "image/webp"}:
            return "image"
        if mt == "application/pdf":
            return "pdf"
        if mt.startswith("text/plain"):
            return "text"
        if mt in {"video/mp4", "video/webm"}:
            return "video"
        if mt in {"audio/mpeg", "audio/wav", "audio/mp4", "audio/ogg"}:
            return "audio"
        return ""

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "artifact_index": self.artifact_index,
            "kind": self.kind,
            "title": self.title,
            "note": self.note,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "url": self.url,
        }


class Attempt(models.Model):
    """What the learner handed in at one submit: the answers and the evidence list, frozen."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    answers = models.JSONField(default=dict)
    evidence = models.JSONField(default=list)
    outcome = models.CharField(max_length=20, blank=True, help_text="returned or passed, once decided.")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [models.UniqueConstraint(fields=["submission", "number"], name="unique_attempt_number")]

    def __str__(self) -> str:
        return f"{self.submission.reference} attempt {self.number}"


class ReviewStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    DECIDED = "decided", "Decided"
    RELEASED = "released", "Released unfinished"


class Decision(models.TextChoices):
    PASS = "pass", "Pass"
    RETURN = "return", "Return with feedback"


class Review(models.Model):
    """One assessor's scoring of one attempt; created by a claim, finished by a decision."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="reviews")
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="reviews")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_made")
    stage = models.CharField(max_length=10, choices=ReviewStage.choices, default=ReviewStage.FIRST)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.IN_PROGRESS)
    levels = models.JSONField(default=dict, blank=True)
    criterion_feedback = models.JSONField(default=dict, blank=True)
    overall_feedback = models.TextField(blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    claimed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "claimed_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.stage} review ({self.status})"


class AwardStatus(models.TextChoices):
    PENDING = "pending", "Awarded — credential pending"
    ISSUED = "issued", "Awarded — credential issued"


class Assessment(models.Model):
    """The recorded pass: what the award step reads to issue the credential.

    Fields are a contract with the awards app: learner, micro_credential_version, submission, levels
    ({criterion_key: level_key}), feedback (overall), criterion_feedback, decided_at, assessors,
    award_status and credential_id.
    """

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="assessments")
    micro_credential_version = models.ForeignKey(
        "catalog.MicroCredentialVersion", on_delete=models.PROTECT, related_name="assessments"
    )
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="assessments")
    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="+")
    levels = models.JSONField(default=dict)
    feedback = models.TextField(blank=True)
    criterion_feedback = models.JSONField(default=dict, blank=True)
    assessors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="assessments_made")
    submitted_at = models.DateTimeField()
    decided_at = models.DateTimeField()
    award_status = models.CharField(max_length=10, choices=AwardStatus.choices, default=AwardStatus.PENDING)
    credential_id = models.CharField(max_length=500, null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["submission"], name="one_assessment_per_submission")]

    def __str__(self) -> str:
        return f"{self.submission.reference} passed {self.decided_at:%Y-%m-%d}"


class ConflictOfInterest(models.Model):
    """An assessor's declaration that they must not review a learner's work (by the learner's email)."""

    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conflicts")
    learner_email = models.EmailField()
    reason = models.CharField(max_length=300, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["learner_email"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessor", "learner_email"],
                condition=Q(withdrawn_at=None),
                name="one_active_conflict_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessor} ⟂ {self.learner_email}"


class EvidenceUpload(models.Model):
    """A file on its way in, piece by piece (see :mod:`credstack.assessment.uploads`).

    The pieces are stored, in order, as objects of the configured storage (``parts``: their names and sizes);
    ``received`` is how many bytes arrived, so an interrupted upload resumes from there. Finishing turns the
    pieces into one :class:`EvidenceItem` (checked like any upload) and deletes this row and the pieces; an
    upload left untouched is deleted by the sweep. Nothing here is evidence until it is finished.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="uploads")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    artifact_index = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(help_text="The whole file's size, declared when the upload starts.")
    received = models.PositiveBigIntegerField(default=0)
    parts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.received}/{self.size} bytes)"

    @property
    def storage_prefix(self) -> str:
        return f"evidence-uploads/{self.submission_id}/{self.pk.hex}"
