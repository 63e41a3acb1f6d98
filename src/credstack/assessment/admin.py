"""Admin for assessment records: read-only (every change goes through the actions and their audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credstack.assessment.models import Assessment, ConflictOfInterest, Submission


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ["reference", "organization", "micro_credential_version", "status", "attempts_used", "submitted_at"]
    list_filter = ["status", "organization"]
    search_fields = ["learner__email", "micro_credential__slug"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ["submission", "organization", "micro_credential_version", "decided_at", "award_status"]
    list_filter = ["award_status", "organization"]


@admin.register(ConflictOfInterest)
class ConflictAdmin(ReadOnly):
    list_display = ["assessor", "learner_email", "declared_at", "withdrawn_at"]
    search_fields = ["assessor__email", "learner_email"]
