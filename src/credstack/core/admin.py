from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credstack.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "organization", "action", "object_type", "object_id"]
    list_filter = ["action", "organization"]
    search_fields = ["action", "object_id", "actor__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
