"""Stack pages: the public list and page of each stack (with the signed-in learner's progress), the learner's
CLR download and transcript (page, PDF and one signed CLR per issuer), and the organization's stack management."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from credstack.awards.models import Credential
from credstack.catalog.models import MicroCredential, VersionStatus
from credstack.organizations.models import Organization
from credstack.organizations.permissions import is_org_admin, require_org_admin
from credstack.pathways import actions
from credstack.pathways import transcript as transcripts
from credstack.pathways.models import STACK_ACHIEVEMENT_TYPES, Stack, StackStatus
from credstack.pathways.transcript_pdf import render as render_pdf
from credstack.signing.actions import do_ensure_signing_key
from credstack.vc.proofs import add_proof

CLR_CONTENT_TYPE = "application/vc+ld+json"


def _visible(request: HttpRequest, org_slug: str, slug: str) -> Stack:
    stack = get_object_or_404(Stack.objects.select_related("organization"), organization__slug=org_slug, slug=slug)
    if stack.status == StackStatus.DRAFT and not is_org_admin(request.user, stack.organization):
        raise Http404("No such stack.")
    return stack


@require_GET
def stack_list(request: HttpRequest) -> HttpResponse:
    stacks = (
        Stack.objects.filter(status=StackStatus.PUBLISHED)
        .select_related("organization")
        .annotate(components=Count("stack_requirements"))
        .order_by("name")
    )
    mine = {p.stack.pk: p for p in actions.learner_progress(request.user)} if request.user.is_authenticated else {}
    return render(request, "pathways/list.html", {"rows": [{"s": s, "progress": mine.get(s.pk)} for s in stacks]})


@require_GET
def detail(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    stack = _visible(request, org_slug, slug)
    progress = actions.progress(stack, actions.Holder.account(request.user))
    return render(
        request,
        "pathways/detail.html",
        {
            "stack": stack,
            "progress": progress,
            "signed_in": request.user.is_authenticated,
            "rule": actions.rule_text(stack, [r.name for r in progress.rows]),
            "can_manage": is_org_admin(request.user, stack.organization),
        },
    )


@login_required
@require_GET
def clr(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    """The learner's CLR 2.0 for a completed stack whose credential stands, signed now by the organization."""
    stack = _visible(request, org_slug, slug)
    awarded = actions.stack_credential(stack, actions.Holder.account(request.user))
    if awarded is None or awarded.state != "valid":
        raise Http404("You hold no standing credential of this stack (it may be revoked, suspended or expired).")
    key = do_ensure_signing_key(organization=stack.organization, actor=request.user)
    signed = add_proof(actions.clr_document(awarded.stack_award), key.signer())
    response = HttpResponse(json.dumps(signed, indent=2, ensure_ascii=False).encode(), content_type=CLR_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stack.slug}-clr.json"'
    return response


def _period(request: HttpRequest) -> tuple[transcripts.Period, dict[str, str]]:
    try:
        return transcripts.parse_period(request.GET.get("from", ""), request.GET.get("to", "")), {}
    except ValidationError as exc:
        return transcripts.Period(), {k: " ".join(v) for k, v in exc.message_dict.items()}


@login_required
@require_GET
def transcript(request: HttpRequest) -> HttpResponse:
    """The signed-in learner's transcript: only ever their own (there is no id in the URL to change)."""
    period, errors = _period(request)
    record = transcripts.build(request.user, period)
    return render(
        request,
        "pathways/transcript.html",
        {
            "t": record,
            "errors": errors,
            "typed": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
            "query": urlencode(period.query()),
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def org_transcript(request: HttpRequest, org_slug: str, public_id: uuid.UUID) -> HttpResponse:
    """An organization admin's view of one learner's transcript with that organization (reached from one of the
    credentials it issued): only this organization's credentials, by the address awarded to and the account."""
    organization = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, organization)
    credential = get_object_or_404(
        Credential.objects.select_related("organization", "recipient_user"),
        organization=organization,
        public_id=public_id,
    )
    period, errors = _period(request)
    record = transcripts.build_for_organization(credential, period)
    return render(
        request,
        "pathways/transcript.html",
        {
            "t": record,
            "errors": errors,
            "typed": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
            "query": urlencode(period.query()),
            "admin_view": organization,
            "credential": credential,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def transcript_pdf(request: HttpRequest) -> HttpResponse:
    period, errors = _period(request)
    if errors:
        return redirect(f"{reverse('pathways:transcript')}?{urlencode(request.GET)}")
    record = transcripts.build(request.user, period)
    response = HttpResponse(render_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="transcript-{record.generated_at:%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def transcript_clr(request: HttpRequest, org_slug: str) -> HttpResponse:
    """One organization's CLR 2.0 of the learner's standing credentials from it, signed now by that organization
    (a CLR has one issuer, so a transcript across organizations is one CLR per organization)."""
    organization = get_object_or_404(Organization, slug=org_slug)
    document = transcripts.clr_document(request.user, organization)
    if document is None:
        raise Http404("You hold no standing credential from this organization.")
    key = do_ensure_signing_key(organization=organization, actor=request.user)
    signed = add_proof(document, key.signer())
    response = HttpResponse(json.dumps(signed, indent=2, ensure_ascii=False).encode(), content_type=CLR_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{organization.slug}-transcript-clr.json"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- management ----------------------------------------------------------------------------------------


def _admin_org(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    return org


def _choices(org: Organization) -> list[MicroCredential]:
    return list(
        MicroCredential.objects.filter(organization=org, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .order_by("slug")
    )


def _form_data(request: HttpRequest) -> dict[str, Any]:
    fields = ("name", "slug", "summary", "criteria_narrative", "achievement_type", "required_count", "validity_months")
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in fields}
    data["micro_credentials"] = request.POST.getlist("micro_credentials")
    return data


def _initial(stack: Stack) -> dict[str, Any]:
    return {
        "name": stack.name,
        "slug": stack.slug,
        "summary": stack.summary,
        "criteria_narrative": stack.criteria_narrative,
        "achievement_type": stack.achievement_type,
        "required_count": stack.required_count or "",
        "validity_months": stack.validity_months or "",
        "micro_credentials": [m.slug for m in stack.requirements()],
    }


def _editor(
    request: HttpRequest, org: Organization, data: dict[str, Any], errors: dict[str, str], stack: Stack | None
) -> HttpResponse:
    choices = sorted(
        ({"mc": mc, "name": actions.component_name(mc)} for mc in _choices(org)), key=lambda c: str(c["name"])
    )
    return render(
        request,
        "pathways/editor.html",
        {
            "org": org,
            "stack": stack,
            "data": data,
            "errors": errors,
            "choices": choices,
            "types": STACK_ACHIEVEMENT_TYPES,
        },
        status=400 if errors else 200,
    )


def _errors(exc: ValidationError) -> dict[str, str]:
    return {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}


@login_required
def manage(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    stacks = (
        Stack.objects.filter(organization=org)
        .annotate(
            components=Count("stack_requirements", distinct=True),
            awarded=Count("awards", distinct=True),
            standing=Count("awards", filter=Q(awards__credential__revoked_at__isnull=True), distinct=True),
        )
        .order_by("status", "name")
    )
    return render(request, "pathways/manage.html", {"org": org, "stacks": stacks})


@login_required
def new(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    if request.method != "POST":
        return _editor(request, org, {"achievement_type": "Certificate", "micro_credentials": []}, {}, None)
    data = _form_data(request)
    try:
        stack = actions.do_create_stack(organization=org, data=data, actor=request.user)
    except ValidationError as exc:
        return _editor(request, org, data, _errors(exc), None)
    messages.success(request, f"Draft stack “{stack.name}” saved. Publish it when it is ready.")
    return redirect("pathways:edit", org.slug, stack.slug)


@login_required
def edit(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    stack = get_object_or_404(Stack, organization=org, slug=slug)
    if stack.status != StackStatus.DRAFT:
        return redirect(stack.get_absolute_url())
    if request.method != "POST":
        return _editor(request, org, _initial(stack), {}, stack)
    data = _form_data(request)
    try:
        stack = actions.do_update_stack(stack=stack, data=data, actor=request.user)
    except ValidationError as exc:
        stack.refresh_from_db()
        return _editor(request, org, data, _errors(exc), stack)
    messages.success(request, "Saved.")
    return redirect("pathways:edit", org.slug, stack.slug)


def _lifecycle(request: HttpRequest, org_slug: str, slug: str, step: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    stack = get_object_or_404(Stack, organization=org, slug=slug)
    try:
        if step == "publish":
            actions.do_publish_stack(stack=stack, actor=request.user)
            messages.success(request, f"“{stack.name}” is published; learners who already completed it get it now.")
        elif step == "retire":
            actions.do_retire_stack(stack=stack, actor=request.user)
            messages.success(request, f"“{stack.name}” is retired; the credentials already awarded stand.")
        else:
            actions.do_delete_stack(stack=stack, actor=request.user)
            messages.success(request, f"Draft “{stack.name}” deleted.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pathways:manage", org.slug)


@login_required
@require_POST
def publish(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    return _lifecycle(request, org_slug, slug, "publish")


@login_required
@require_POST
def retire(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    return _lifecycle(request, org_slug, slug, "retire")


@login_required
@require_POST
def delete(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    return _lifecycle(request, org_slug, slug, "delete")
