"""Admin for awards: records to read. Revocation, suspension and bulk awards go through the issuer's
pages, the API or the command line, which run the actions (with their reasons and audit records)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credstack.awards.models import BulkAward, Credential, StatusList


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnly):
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
class StatusListAdmin(ReadOnly):
    list_display = ["organization", "number", "allocated", "capacity", "updated_at"]
    exclude = ["revocation_bits", "suspension_bits", "multiplier", "offset"]


@admin.register(BulkAward)
class BulkAwardAdmin(ReadOnly):
    list_display = ["filename", "organization", "status", "total_rows", "issued", "skipped", "created_at"]
    list_filter = ["status", "organization"]
