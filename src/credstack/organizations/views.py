"""Issuer pages: the public profile, the issuer JSON, and the organization's dashboard."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from credstack.accounts.models import User
from credstack.catalog.achievement import OB3_CONTEXT, issuer_profile
from credstack.catalog.actions import validate_image
from credstack.catalog.models import MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.core.models import AuditEvent
from credstack.organizations import actions
from credstack.organizations.forms import AddMemberForm, ApiKeyForm, OAuthClientForm, ProfileForm
from credstack.organizations.models import ApiKey, Membership, OAuthClient, Organization
from credstack.organizations.permissions import managed_organizations, require_org_admin


def profile(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=org_slug)
    versions = (
        MicroCredentialVersion.objects.published()
        .filter(micro_credential__organization=org)
        .select_related("micro_credential__organization")
        .order_by("name")
    )
    return render(request, "organizations/profile.html", {"org": org, "versions": versions})


def issuer_json(request: HttpRequest, org_slug: str) -> JsonResponse:
    org = get_object_or_404(Organization, slug=org_slug)
    return JsonResponse(
        {"@context": OB3_CONTEXT, **issuer_profile(org)}, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )


@login_required
def my_organizations(request: HttpRequest) -> HttpResponse:
    orgs = managed_organizations(request.user)
    if len(orgs) == 1:
        return redirect("organizations:dashboard", orgs[0].slug)
    return render(request, "organizations/mine.html", {"orgs": orgs})


def _admin_org(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    return org


@login_required
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    rows: list[dict[str, Any]] = []
    for mc in MicroCredential.objects.filter(organization=org).prefetch_related("versions").order_by("slug"):
        versions = sorted(mc.versions.all(), key=lambda v: v.version)
        by_status = {v.status: v for v in versions}
        rows.append(
            {
                "mc": mc,
                "latest": versions[-1],
                "published": by_status.get(VersionStatus.PUBLISHED),
                "draft": by_status.get(VersionStatus.DRAFT),
            }
        )
    counts = {
        "published": sum(1 for r in rows if r["published"]),
        "drafts": sum(1 for r in rows if r["draft"]),
        "retired": sum(1 for r in rows if r["latest"].status == VersionStatus.RETIRED),
    }
    return render(
        request,
        "organizations/dashboard.html",
        {
            "org": org,
            "rows": rows,
            "counts": counts,
            "members": Membership.objects.filter(organization=org).select_related("user").order_by("user__email"),
            "member_form": AddMemberForm(),
            "api_keys": ApiKey.objects.filter(organization=org, revoked_at__isnull=True)
            .select_related("created_by")
            .order_by("-created_at"),
            "api_key_form": ApiKeyForm(),
            "oauth_clients": OAuthClient.objects.filter(organization=org, revoked_at__isnull=True)
            .select_related("created_by")
            .order_by("-created_at"),
            "oauth_client_form": OAuthClientForm(),
            # Review activity stays out of this list: it would put learners' names next to their submissions
            # on a page that admins who also assess read (blind review).
            "events": AuditEvent.objects.filter(organization=org)
            .exclude(object_type__startswith="assessment.")
            .select_related("actor")[:15],
        },
    )


@login_required
def edit_profile(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in ProfileForm.Meta.fields}
        upload = request.FILES.get("image")
        try:
            if upload is not None:
                from django.core.files.base import ContentFile

                data, ext = validate_image(upload)
                changes["image"] = ContentFile(data, name=f"{org.slug}.{ext}")
            actions.do_update_organization_profile(organization=org, actor=request.user, **changes)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, "Issuer profile saved.")
            return redirect("organizations:dashboard", org.slug)
    return render(
        request, "organizations/profile_form.html", {"org": org, "form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def add_member(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid email address and a role.")
        return redirect("organizations:dashboard", org.slug)
    user = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
    if user is None:
        messages.error(request, f"No account uses {form.cleaned_data['email']}; ask them to register first.")
    else:
        actions.do_add_member(organization=org, user=user, role=form.cleaned_data["role"], actor=request.user)
        messages.success(request, f"{user.email} is now {form.cleaned_data['role']} of {org.name}.")
    return redirect("organizations:dashboard", org.slug)


@login_required
@require_POST
def remove_member(request: HttpRequest, org_slug: str, membership_id: int) -> HttpResponse:
    org = _admin_org(request, org_slug)
    membership = get_object_or_404(Membership, pk=membership_id, organization=org)
    if (
        membership.user_id == request.user.pk
        and membership.role == "admin"
        and Membership.objects.filter(organization=org, role="admin").count() == 1
    ):
        messages.error(request, "You are the last admin of this organization; add another admin first.")
    else:
        ended = actions.do_remove_member(membership=membership, actor=request.user)
        messages.success(request, f"{membership.user.email} is no longer {membership.role}.{_ended_text(ended)}")
    return redirect("organizations:dashboard", org.slug)


def _ended_text(ended: actions.EndedIntegrations) -> str:
    parts = [
        f"{n} {what}{'s' if n != 1 else ''}"
        for n, what in ((ended.api_keys, "API key"), (ended.oauth_clients, "OAuth client"))
        if n
    ]
    if not parts:
        return ""
    verb = "was" if ended.api_keys + ended.oauth_clients == 1 else "were"
    return f" {' and '.join(parts)} they created {verb} revoked."


@never_cache  # the page shows the key once: no browser or proxy may keep it
@login_required
@require_POST
def create_api_key(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the key a name.")
        return redirect("organizations:dashboard", org.slug)
    key, raw = actions.do_create_api_key(organization=org, name=form.cleaned_data["name"], actor=request.user)
    return render(request, "organizations/api_key_created.html", {"org": org, "key": key, "raw": raw})


@login_required
@require_POST
def revoke_api_key(request: HttpRequest, org_slug: str, key_id: int) -> HttpResponse:
    org = _admin_org(request, org_slug)
    key = get_object_or_404(ApiKey, pk=key_id, organization=org, revoked_at__isnull=True)
    actions.do_revoke_api_key(key=key, actor=request.user)
    messages.success(request, f"API key {key.name} revoked.")
    return redirect("organizations:dashboard", org.slug)


@never_cache  # the page shows the secret once: no browser or proxy may keep it
@login_required
@require_POST
def create_oauth_client(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    form = OAuthClientForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the OAuth client a name.")
        return redirect("organizations:dashboard", org.slug)
    client, secret = actions.do_create_oauth_client(
        organization=org, name=form.cleaned_data["client_name"], actor=request.user
    )
    return render(
        request,
        "organizations/oauth_client_created.html",
        {"org": org, "client": client, "secret": secret, "token_url": settings.CREDSTACK_BASE_URL + "/oauth/token"},
    )


@login_required
@require_POST
def revoke_oauth_client(request: HttpRequest, org_slug: str, client_pk: int) -> HttpResponse:
    org = _admin_org(request, org_slug)
    client = get_object_or_404(OAuthClient, pk=client_pk, organization=org, revoked_at__isnull=True)
    actions.do_revoke_oauth_client(client=client, actor=request.user)
    messages.success(request, f"OAuth client {client.name} revoked; its tokens no longer work.")
    return redirect("organizations:dashboard", org.slug)
