"""Admin for awards: records to read. Revocation, suspension and bulk awards go through the issuer's
pages, the API or the command line, which run the actions (with their reasons and audit records)."""

from __future__ import annotations

from django.contrib import admin

from credstack.awards.models import BulkAward, Credential, StatusList
from credstack.core.admin import ReadOnlyAdmin


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "organization",
        "version",
        "recipient_email",
        "origin",
        "awarded_at",
        "revoked_at",
        "suspended_at",
    ]
    list_filter = ["origin", "organization"]
    search_fields = ["recipient_email", "public_id", "source"]


@admin.register(StatusList)
class StatusListAdmin(ReadOnlyAdmin):
    list_display = ["organization", "number", "allocated", "capacity", "updated_at"]
    exclude = ["revocation_bits", "suspension_bits", "multiplier", "offset"]


@admin.register(BulkAward)
class BulkAwardAdmin(ReadOnlyAdmin):
    list_display = ["filename", "organization", "status", "total_rows", "issued", "skipped", "created_at"]
    list_filter = ["status", "organization"]
