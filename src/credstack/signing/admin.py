"""Admin for signing keys: public facts only (the encrypted private key is never shown); changes go
through the organization's keys page, where rotation and retirement are deliberate actions."""

from __future__ import annotations

from django.contrib import admin

from credstack.core.admin import ReadOnlyAdmin
from credstack.signing.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["organization", "public_key_multibase", "state", "created_at", "superseded_at", "revoked_at"]
    list_filter = ["state", "organization"]
    search_fields = ["public_key_multibase", "organization__slug"]
    fields = (
        "organization",
        "public_key_multibase",
        "state",
        "created_at",
        "created_by",
        "superseded_at",
        "revoked_at",
        "revocation_reason",
    )
    readonly_fields = fields
