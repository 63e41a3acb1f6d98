"""Admin for organizations: writes go through the same actions as the pages and the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from credstack.organizations import actions
from credstack.organizations.models import ApiKey, Membership, OAuthClient, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    readonly_fields = ["user", "role", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


CREATION_FIELDS = ("url", "email", "description", "turnaround_days", "publish_suspension", "did_method", "parent")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "url", "email", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Organization, form: ModelForm, change: bool) -> None:
        if change:
            fields = {
                f: form.cleaned_data[f] for f in form.changed_data if f in {*actions.PROFILE_FIELDS, "image", "parent"}
            }
            fresh = Organization.objects.get(pk=obj.pk)
            actions.do_update_organization_profile(organization=fresh, actor=request.user, **fields)
        else:
            profile = {
                f: form.cleaned_data.get(f) for f in CREATION_FIELDS if form.cleaned_data.get(f) not in (None, "")
            }
            created = actions.do_create_organization(slug=obj.slug, name=obj.name, actor=request.user, **profile)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # issuers are never deleted: their credentials must stay verifiable


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool) -> None:
        created = actions.do_add_member(organization=obj.organization, user=obj.user, role=obj.role, actor=request.user)
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        actions.do_remove_member(membership=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset:
            actions.do_remove_member(membership=membership, actor=request.user)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "role", "created_at", "revoked_at"]
    list_filter = ["organization"]
    readonly_fields = ["organization", "name", "prefix", "role", "created_by", "created_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are created on the organization dashboard, where the raw key is shown once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            actions.do_revoke_api_key(key=key, actor=request.user)
        messages.success(request, "Revoked.")


@admin.register(OAuthClient)
class OAuthClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "client_id", "scopes", "created_at", "last_token_at", "revoked_at"]
    list_filter = ["organization"]
    readonly_fields = [
        "organization",
        "name",
        "client_id",
        "scopes",
        "created_by",
        "created_at",
        "last_token_at",
        "revoked_at",
    ]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # clients are created on the organization dashboard or the CLI, where the secret is shown once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected OAuth clients")
    def revoke(self, request: HttpRequest, queryset: QuerySet[OAuthClient]) -> None:
        for client in queryset.filter(revoked_at__isnull=True):
            actions.do_revoke_oauth_client(client=client, actor=request.user)
        messages.success(request, "Revoked; their access tokens no longer work.")
