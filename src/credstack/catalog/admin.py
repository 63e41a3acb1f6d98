"""Admin for the catalog: read-only records; life-cycle changes through the catalog actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from credstack.catalog import actions
from credstack.catalog.models import MicroCredential, MicroCredentialVersion
from credstack.core.admin import ReadOnlyAdmin


@admin.register(MicroCredentialVersion)
class MicroCredentialVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "micro_credential", "version", "status", "published_at"]
    list_filter = ["status", "micro_credential__organization"]
    search_fields = ["name", "micro_credential__slug"]
    actions = ["publish", "retire"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def _run(self, request: HttpRequest, label: str, fn: Any) -> None:
        try:
            fn()
        except ValidationError as exc:
            messages.error(request, f"{label}: {' '.join(exc.messages)}")

    @admin.action(description="Publish the selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet[MicroCredentialVersion]) -> None:
        for version in queryset:
            self._run(
                request, str(version), lambda v=version: actions.do_publish_version(version=v, actor=request.user)
            )

    @admin.action(description="Retire the selected micro-credentials")
    def retire(self, request: HttpRequest, queryset: QuerySet[MicroCredentialVersion]) -> None:
        for version in queryset:
            self._run(
                request,
                str(version),
                lambda v=version: actions.do_retire_micro_credential(
                    micro_credential=v.micro_credential, actor=request.user
                ),
            )


@admin.register(MicroCredential)
class MicroCredentialAdmin(ReadOnlyAdmin):
    list_display = ["slug", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["slug"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)
