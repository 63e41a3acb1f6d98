"""Admin for signing keys: public facts only (the encrypted private key is never shown); changes go
through the organization's keys page, where rotation and retirement are deliberate actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credstack.signing.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
