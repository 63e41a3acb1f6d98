"""Admin for assessment records: read-only (every change goes through the actions and their audit)."""

from __future__ import annotations

from django.contrib import admin

from credstack.assessment.models import Assessment, ConflictOfInterest, Submission
from credstack.core.admin import ReadOnlyAdmin


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organization", "micro_credential_version", "status", "attempts_used", "submitted_at"]
    list_filter = ["status", "organization"]
    search_fields = ["learner__email", "micro_credential__slug"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["submission", "organization", "micro_credential_version", "decided_at", "award_status"]
    list_filter = ["award_status", "organization"]


@admin.register(ConflictOfInterest)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["assessor", "learner_email", "declared_at", "withdrawn_at"]
    search_fields = ["assessor__email", "learner_email"]
