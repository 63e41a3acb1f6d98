"""Stacks over the JSON API: the public list and page of each stack, the signed-in learner's progress, and the
organization's definition, publishing and retiring of its stacks.

Reading is public (a draft only for its organization's admins). Writing takes an organization admin: a signed-in
admin, or an API key of that organization with the admin role; another organization's stacks answer 404.
Errors are problem details (see credstack.api.api): an invalid definition is a 400 with ``errors`` keyed by
field, the same fields the stack editor shows; publishing or retiring a stack in the wrong state is a 409.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import field_validator

from credstack.api.api import ApiKeyAuth, _actor, _can_manage, _managed_org, problem
from credstack.pathways import actions
from credstack.pathways.models import Stack, StackStatus

router = Router(tags=["stacks"])

_admin = [ApiKeyAuth(), django_auth]


class StackIn(Schema):
    """A stack definition: the fields of the stack editor."""

    name: str
    slug: str = ""
    summary: str
    criteria_narrative: str = ""
    achievement_type: str = "Certificate"
    micro_credentials: list[str]
    required_count: int | None = None
    validity_months: int | None = None

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """NUL and lone surrogates cannot be stored in a text column: a 422, not a 500."""
        for text in (v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)):
            if "\x00" in text:
                raise ValueError("must not contain NUL characters")
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("must be valid Unicode text (no lone surrogates)") from None
        return value


class ComponentOut(Schema):
    slug: str
    name: str


class StackOut(Schema):
    organization: str
    slug: str
    name: str
    summary: str
    status: str
    achievement_type: str
    criteria: str
    required_count: int | None
    needed: int
    validity_months: int | None
    micro_credentials: list[ComponentOut]
    url: str
    achievement_id: str
    published_at: str | None
    retired_at: str | None


class ProgressRowOut(Schema):
    slug: str
    name: str
    earned_credential_id: str | None


class ProgressOut(Schema):
    organization: str
    slug: str
    name: str
    status: str
    url: str
    earned: int
    needed: int
    complete: bool
    percent: int
    awarded_credential_id: str | None
    rows: list[ProgressRowOut]


def _out(stack: Stack) -> dict[str, Any]:
    components = stack.requirements()
    names = [actions.component_name(m) for m in components]
    return {
        "organization": stack.organization.slug,
        "slug": stack.slug,
        "name": stack.name,
        "summary": stack.summary,
        "status": stack.status,
        "achievement_type": stack.achievement_type,
        "criteria": stack.criteria_narrative or actions.rule_text(stack, names),
        "required_count": stack.required_count,
        "needed": stack.needed,
        "validity_months": stack.validity_months,
        "micro_credentials": [{"slug": m.slug, "name": n} for m, n in zip(components, names, strict=True)],
        "url": settings.CREDSTACK_BASE_URL + stack.get_absolute_url(),
        "achievement_id": stack.achievement_id,
        "published_at": stack.published_at.isoformat() if stack.published_at else None,
        "retired_at": stack.retired_at.isoformat() if stack.retired_at else None,
    }


def _progress_out(p: actions.Progress) -> dict[str, Any]:
    return {
        "organization": p.stack.organization.slug,
        "slug": p.stack.slug,
        "name": p.stack.name,
        "status": p.stack.status,
        "url": settings.CREDSTACK_BASE_URL + p.stack.get_absolute_url(),
        "earned": p.earned,
        "needed": p.needed,
        "complete": p.complete,
        "percent": p.percent,
        "awarded_credential_id": p.awarded.credential_id if p.awarded is not None else None,
        "rows": [
            {
                "slug": r.micro_credential.slug,
                "name": r.name,
                "earned_credential_id": r.credential.credential_id if r.credential is not None else None,
            }
            for r in p.rows
        ],
    }


def _managed_stack(request: HttpRequest, org_slug: str, slug: str) -> Stack:
    org = _managed_org(request, org_slug)
    return get_object_or_404(Stack.objects.select_related("organization"), organization=org, slug=slug)


def _conflict(exc: ValidationError, title: str) -> Any:
    """A 409 problem: the stack's state (not the request body) stands in the way."""
    errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
    return problem(409, title, " ".join(exc.messages), **({"errors": errors} if errors else {}))


# --- public --------------------------------------------------------------------------------------


@router.get("/stacks", response=list[StackOut], summary="Published stacks")
def list_stacks(request: HttpRequest) -> Any:
    stacks = Stack.objects.filter(status=StackStatus.PUBLISHED).select_related("organization").order_by("name", "pk")
    return [_out(s) for s in stacks]


@router.get(
    "/stacks/{org_slug}/{slug}",
    response=StackOut,
    summary="One stack (a draft only for its organization's admins)",
)
def get_stack(request: HttpRequest, org_slug: str, slug: str) -> Any:
    stack = get_object_or_404(Stack.objects.select_related("organization"), organization__slug=org_slug, slug=slug)
    if stack.status == StackStatus.DRAFT:
        ApiKeyAuth()(request)  # an admin key may see its organization's drafts; a bad one is just anonymous
        if not _can_manage(request, stack.organization):
            raise Http404("No such stack.")
    return _out(stack)


@router.get(
    "/me/stacks",
    response=list[ProgressOut],
    auth=django_auth,
    summary="The signed-in learner's stacks: started and completed",
)
def my_stacks(request: HttpRequest) -> Any:
    return [_progress_out(p) for p in actions.learner_progress(request.user)]


# --- the organization's stacks -------------------------------------------------------------------


@router.get(
    "/orgs/{org_slug}/stacks",
    response=list[StackOut],
    auth=_admin,
    summary="All of an organization's stacks, drafts and retired ones included",
)
def list_managed_stacks(request: HttpRequest, org_slug: str) -> Any:
    org = _managed_org(request, org_slug)
    stacks = Stack.objects.filter(organization=org).select_related("organization").order_by("status", "name")
    return [_out(s) for s in stacks]


@router.post(
    "/orgs/{org_slug}/stacks",
    response={201: StackOut},
    auth=_admin,
    summary="Define a stack (a draft; publish it when it is ready)",
)
def create_stack(request: HttpRequest, org_slug: str, payload: StackIn) -> Any:
    org = _managed_org(request, org_slug)
    # An invalid definition raises ValidationError keyed by field: a 400 with errors (credstack.api.api).
    stack = actions.do_create_stack(organization=org, data=payload.dict(), actor=_actor(request))
    return Status(201, _out(stack))


@router.post(
    "/orgs/{org_slug}/stacks/{slug}/publish",
    response=StackOut,
    auth=_admin,
    summary="Publish a draft: its requirements freeze, and learners who already completed it get it",
)
def publish_stack(request: HttpRequest, org_slug: str, slug: str) -> Any:
    stack = _managed_stack(request, org_slug, slug)
    try:
        stack = actions.do_publish_stack(stack=stack, actor=_actor(request))
    except ValidationError as exc:
        return _conflict(exc, "The stack cannot be published")
    return _out(stack)


@router.post(
    "/orgs/{org_slug}/stacks/{slug}/retire",
    response=StackOut,
    auth=_admin,
    summary="Retire a published stack: no new awards; those made stand",
)
def retire_stack(request: HttpRequest, org_slug: str, slug: str) -> Any:
    stack = _managed_stack(request, org_slug, slug)
    try:
        stack = actions.do_retire_stack(stack=stack, actor=_actor(request))
    except ValidationError as exc:
        return _conflict(exc, "The stack cannot be retired")
    return _out(stack)
