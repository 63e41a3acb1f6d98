from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credstack.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records to read: changes go through the actions (and their audit records), never the admin's forms."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "actor", "organization", "action", "object_type", "object_id"]
    list_filter = ["action", "organization"]
    search_fields = ["action", "object_id", "actor__email"]
