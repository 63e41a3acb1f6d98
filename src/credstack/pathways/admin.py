"""Admin for stacks: a draft's wording can be edited, its life cycle moved on by the Publish and Retire actions,
and a draft deleted; every write goes through the pathways actions (and their audit records). Stacks are
defined on the organization's pages, over the API or with ``credstack stacks --create``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from credstack.core.admin import ReadOnlyAdmin
from credstack.pathways import actions
from credstack.pathways.models import Stack, StackAward, StackRequirement, StackStatus

#: The fields of a draft the admin may change (its micro-credentials are edited on the organization's pages).
EDITABLE = ["name", "slug", "summary", "criteria_narrative", "achievement_type", "required_count", "validity_months"]
FIELDS = ("organization", *EDITABLE, "status", "created_at", "published_at", "retired_at")


class StackRequirementInline(admin.TabularInline):
    model = StackRequirement
    extra = 0
    fields = ["position", "micro_credential"]
    readonly_fields = ["position", "micro_credential"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StackForm(forms.ModelForm):
    """Validates a draft's changes the way the actions will (``clean_stack``), so errors show beside the fields."""

    class Meta:
        model = Stack
        fields = EDITABLE

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stack = self.instance
        if stack.pk is None or self.errors:
            return cleaned
        data = {**_definition(stack), **{k: cleaned.get(k) for k in EDITABLE}}
        try:
            actions.clean_stack(stack.organization, data, stack=stack)
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


def _definition(stack: Stack) -> dict[str, Any]:
    """The stack's stored definition, in the shape ``clean_stack`` and ``do_update_stack`` take."""
    fresh = Stack.objects.get(pk=stack.pk)
    return {
        **{name: getattr(fresh, name) for name in EDITABLE},
        "micro_credentials": [m.slug for m in fresh.requirements()],
    }


@admin.register(Stack)
class StackAdmin(admin.ModelAdmin):
    form = StackForm
    fields = FIELDS
    list_display = ["name", "organization", "slug", "status", "needed_of", "awarded", "published_at"]
    list_filter = ["organization", "status"]
    search_fields = ["name", "slug", "organization__name"]
    inlines = [StackRequirementInline]
    actions = ["publish", "retire"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stack]:
        return (
            super()
            .get_queryset(request)
            .select_related("organization")
            .annotate(total=Count("stack_requirements", distinct=True), award_count=Count("awards", distinct=True))
        )

    @admin.display(description="Needed")
    def needed_of(self, obj: Stack) -> str:
        total = getattr(obj, "total", None)
        total = total if total is not None else obj.stack_requirements.count()
        return f"{obj.needed_of(total)} of {total}"

    @admin.display(description="Awarded")
    def awarded(self, obj: Stack) -> int:
        count = getattr(obj, "award_count", None)
        return count if count is not None else obj.awards.count()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.status != StackStatus.DRAFT:
            return list(FIELDS)  # published or retired: frozen
        return [f for f in FIELDS if f not in EDITABLE]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a stack needs its micro-credentials: define it on the organization's pages, API or CLI

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != StackStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != StackStatus.DRAFT:
            return False  # retire a published stack instead: learners hold its credentials
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Stack, form: ModelForm, change: bool) -> None:
        data = {**_definition(obj), **{k: form.cleaned_data.get(k) for k in EDITABLE}}
        actions.do_update_stack(stack=Stack.objects.get(pk=obj.pk), data=data, actor=request.user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, Any, Any]:
        """Published and retired stacks are listed as protected, with why, rather than as a missing permission."""
        deletable, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = [
            f"{s} ({s.get_status_display().lower()}; retire it instead)" for s in objs if s.status != StackStatus.DRAFT
        ]
        if frozen and super().has_delete_permission(request):
            perms_needed = set(perms_needed) - {str(Stack._meta.verbose_name)}
        return deletable, counts, perms_needed, [*protected, *frozen]

    def delete_model(self, request: HttpRequest, obj: Stack) -> None:
        actions.do_delete_stack(stack=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Stack]) -> None:
        for stack in queryset:
            self._run(request, stack, partial(actions.do_delete_stack, stack=stack, actor=request.user))

    def _run(self, request: HttpRequest, stack: Stack, step: Callable[[], Any]) -> bool:
        try:
            step()
        except ValidationError as exc:
            messages.error(request, f"{stack}: {' '.join(exc.messages)}")
            return False
        return True

    @admin.action(description="Publish the selected draft stacks")
    def publish(self, request: HttpRequest, queryset: QuerySet[Stack]) -> None:
        done = [
            s
            for s in queryset.select_related("organization")
            if self._run(request, s, partial(actions.do_publish_stack, stack=s, actor=request.user))
        ]
        if done:
            messages.success(request, f"Published: {', '.join(str(s) for s in done)}.")

    @admin.action(description="Retire the selected stacks (their awards stand)")
    def retire(self, request: HttpRequest, queryset: QuerySet[Stack]) -> None:
        done = [
            s
            for s in queryset.select_related("organization")
            if self._run(request, s, partial(actions.do_retire_stack, stack=s, actor=request.user))
        ]
        if done:
            messages.success(request, f"Retired: {', '.join(str(s) for s in done)}.")


@admin.register(StackAward)
class StackAwardAdmin(ReadOnlyAdmin):
    list_display = ["stack", "recipient", "credential", "created_at"]
    list_filter = ["stack__organization", "stack"]
    search_fields = ["credential__recipient_email", "stack__name", "stack__slug"]
    list_select_related = ["stack__organization", "credential"]
    fields = ["stack", "credential", "components", "created_at"]
    readonly_fields = ["stack", "credential", "components", "created_at"]

    @admin.display(description="Learner")
    def recipient(self, obj: StackAward) -> str:
        return obj.credential.recipient_email
