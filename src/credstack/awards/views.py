"""Credential pages: the public credential (HTML or JSON at its id), downloads, evidence, status lists,
claiming, the learner's "My credentials", and the issuer's award, revocation and bulk pages."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from typing import IO, Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from credstack.accounts import throttle
from credstack.accounts.actions import do_register_proven_address
from credstack.accounts.models import User
from credstack.awards import actions, bulk, images
from credstack.awards.access import evidence_access_allowed
from credstack.awards.models import PURPOSES, BulkAward, BulkRow, BulkStatus, Credential, RowState, WalletSettings
from credstack.awards.statuslists import status_document
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.organizations.permissions import is_org_admin, require_org_admin
from credstack.pathways.actions import learner_progress
from credstack.signing.views import json_document
from credstack.vc.baking import bake_png, bake_svg

VC_CONTENT_TYPE = "application/vc+ld+json"
JSON_TYPES = ["application/vc+ld+json", "application/ld+json", "application/vc", "application/json"]


def _credential(public_id: uuid.UUID) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("organization", "version__micro_credential"), public_id=public_id
    )


def wants_json(request: HttpRequest) -> bool:
    """Content negotiation at a credential id: a client asking for JSON gets the credential itself."""
    preferred = request.get_preferred_type(["text/html", *JSON_TYPES])
    return preferred is not None and preferred != "text/html"


def linkedin_url(credential: Credential) -> str:
    """LinkedIn's "Add to profile" link with the certification fields filled in."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.title,
        "organizationName": credential.organization.name,
        "issueYear": credential.awarded_at.year,
        "issueMonth": credential.awarded_at.month,
        "certUrl": credential.credential_id,
        "certId": str(credential.public_id),
    }
    if credential.valid_until:
        params.update(expirationYear=credential.valid_until.year, expirationMonth=credential.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urllib.parse.urlencode(params)


def _me(request: HttpRequest) -> User:
    """The signed-in user of a ``login_required`` view."""
    return cast(User, request.user)


def _owner(request: HttpRequest, credential: Credential) -> bool:
    return bool(request.user.is_authenticated and credential.recipient_user_id == request.user.pk)


@require_GET
def credential_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _credential(public_id)
    if wants_json(request):
        response = json_document(request, credential.document, VC_CONTENT_TYPE, "public, no-cache")
        response["Vary"] = "Accept"
        return response
    evidence_open = evidence_access_allowed(credential, request)
    response = render(
        request,
        "awards/credential.html",
        {
            "c": credential,
            "org": credential.organization,
            "v": credential.version,
            "achievement": credential.document.get("credentialSubject", {}).get("achievement", {}),
            "evidence": credential.evidence,
            "evidence_open": evidence_open,
            "owner": _owner(request, credential),
            "issuer_admin": is_org_admin(request.user, credential.organization),
            "linkedin": linkedin_url(credential),
            "results": _result_rows(credential),
        },
    )
    response["Vary"] = "Accept"
    response["Link"] = f'<{credential.credential_id}>; rel="alternate"; type="{VC_CONTENT_TYPE}"'
    return response


def _result_rows(credential: Credential) -> list[dict[str, str]]:
    if credential.version is None:
        return []
    rows = []
    for crit in credential.version.rubric.get("criteria", []):
        level = credential.results.get(crit["key"])
        names = {lv["key"]: lv["name"] for lv in crit["levels"]}
        if level in names:
            rows.append({"criterion": crit["name"], "level": names[level]})
    return rows


def _filename(credential: Credential, ext: str) -> str:
    slug = credential.version.micro_credential.slug if credential.version else "credential"
    return f"{slug}-{str(credential.public_id)[:8]}.{ext}"


@require_GET
def download_json(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _credential(public_id)
    response = HttpResponse(
        json.dumps(credential.document, indent=2, ensure_ascii=False).encode("utf-8"), content_type=VC_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(credential, "json")}"'
    return response


@require_GET
def download_png(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _credential(public_id)
    baked = bake_png(images.badge_png(credential.version, credential.title), credential.document)
    response = HttpResponse(baked, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{_filename(credential, "png")}"'
    return response


@require_GET
def download_svg(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _credential(public_id)
    svg = images.badge_svg(credential.version, credential.title, credential.organization.name)
    response = HttpResponse(bake_svg(svg, credential.document), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{_filename(credential, "svg")}"'
    response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return response


def _evidence_item(credential: Credential, number: int) -> dict[str, Any]:
    if not 1 <= number <= len(credential.evidence):
        raise Http404("No such evidence.")
    item = credential.evidence[number - 1]
    assert isinstance(item, dict)
    return item


@require_GET
def evidence_page(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponse:
    credential = _credential(public_id)
    item = _evidence_item(credential, number)
    if not evidence_access_allowed(credential, request):
        return render(request, "awards/evidence_private.html", {"c": credential}, status=403)
    return render(
        request,
        "awards/evidence.html",
        {"c": credential, "item": item, "number": number, "has_file": bool(item.get("item_id") and item.get("digest"))},
    )


@require_GET
@xframe_options_sameorigin
def evidence_file(request: HttpRequest, public_id: uuid.UUID, number: int) -> HttpResponseBase:
    """The assessed file itself, to whoever may see the evidence; its sha256 is the credential's digest."""
    credential = _credential(public_id)
    item = _evidence_item(credential, number)
    if not item.get("item_id") or not evidence_access_allowed(credential, request):
        raise Http404("No such file.")
    try:
        from credstack.assessment.models import EvidenceItem
    except ImportError:
        raise Http404("No such file.")
    stored = EvidenceItem.objects.filter(pk=item["item_id"], submission__organization=credential.organization).first()
    if stored is None or not stored.file:
        raise Http404("No such file.")
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.media_type or "application/octet-stream",
        as_attachment=request.GET.get("download") == "1",
        filename=f"evidence-{number}.{stored.extension or 'bin'}",
    )
    if stored.media_type != "application/pdf":
        response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def status_list(request: HttpRequest, org_slug: str, number: int, purpose: str) -> HttpResponse:
    if purpose not in PURPOSES:
        raise Http404("No such status list.")
    org = get_object_or_404(Organization, slug=org_slug)
    found = actions.status_list_for(org, number)
    if found is None:
        raise Http404("No such status list.")
    # Revalidate every time (ETag): a revocation must show at once, and unchanged lists cost a 304.
    return json_document(request, status_document(found, purpose), VC_CONTENT_TYPE, "public, no-cache")


def _has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email, is_active=True).exists()


def claim_situation(request: HttpRequest, credential: Credential, valid: bool) -> str:
    """Which claim page this person sees (the claim link proves the mailbox, so it may say whether an account uses
    the address): ``invalid``, ``closed`` (revoked, replaced, expired), ``yours`` (already in their wallet),
    ``taken`` (in another account), ``mismatch`` (signed in with another address), ``ready`` (they can add it), and
    signed out ``sign_in`` (the address has an account) or ``create`` (it has none)."""
    if not valid:
        return "invalid"
    if request.user.is_authenticated and credential.recipient_user_id == request.user.pk:
        return "yours"
    if actions.claim_closed_reason(credential):
        return "closed"
    if credential.recipient_user_id is not None:
        return "taken"
    if request.user.is_authenticated:
        return "mismatch" if _me(request).email.lower() != credential.recipient_email else "ready"
    return "sign_in" if _has_account(credential.recipient_email) else "create"


def _claim_context(request: HttpRequest, credential: Credential, token: str, **extra: Any) -> dict[str, Any]:
    valid = actions.read_claim_token(credential, token)
    user = _me(request) if request.user.is_authenticated else None
    return {
        "c": credential,
        "token": token,
        "valid": valid,
        "situation": claim_situation(request, credential, valid),
        "closed": actions.claim_closed_reason(credential),
        "next": reverse("awards:claim", args=[credential.public_id, token]),
        "name": credential.recipient_name or (user.display_name if user is not None else ""),
        "show_name": True,
        **extra,
    }


def claim(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    credential = _credential(public_id)
    if request.method == "POST" and request.user.is_authenticated:
        choice, typed_name = request.POST.get("show_name", ""), request.POST.get("name", "")
        try:
            if choice not in ("1", "0", ""):
                raise ValidationError({"show_name": ["Choose whether the credential shows your name."]})
            claimed = actions.do_claim_credential(
                credential=credential,
                token=token,
                user=request.user,
                actor=request.user,
                show_name=None if choice == "" else choice == "1",
                name=typed_name,
            )
        except ValidationError as exc:
            context = _claim_context(request, credential, token, name=typed_name, show_name=choice != "0")
            context["errors"] = exc.message_dict if hasattr(exc, "error_dict") else {"credential": exc.messages}
            return render(request, "awards/claim.html", context, status=400)
        added = len(claimed)
        messages.success(
            request,
            f"{added} credential{'s' if added != 1 else ''} added to My credentials."
            if added
            else "This credential is already in My credentials.",
        )
        return redirect("awards:wallet")
    context = _claim_context(request, credential, token)
    return render(request, "awards/claim.html", context, status=400 if context["situation"] == "invalid" else 200)


def claim_account(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    """ "Create an account" from a claim link: the address is the credential's (the link proves the mailbox, so the
    account is active at once, no confirmation mail); then back to the claim page to choose how it names them."""
    credential = _credential(public_id)
    context = _claim_context(request, credential, token)
    if context["situation"] != "create":
        return redirect("awards:claim", credential.public_id, token)
    typed = {"display_name": request.POST.get("display_name", context["name"]), "password": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            user = do_register_proven_address(
                email=credential.recipient_email,
                password=request.POST.get("password", ""),
                display_name=typed["display_name"],
                proof=f"claim:{credential.public_id}",
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready. One last choice, and the credential is yours.")
            return redirect("awards:claim", credential.public_id, token)
    return render(
        request,
        "awards/claim_account.html",
        {**context, "typed": typed, "errors": errors},
        status=400 if errors else 200,
    )


# --- the learner's wallet ------------------------------------------------------------------------------


#: Credentials per wallet page: a learner may hold hundreds (renewals included); the page stays one size.
WALLET_PAGE_SIZE = 20


def _wallet_context(request: HttpRequest, typed: dict[str, Any] | None = None) -> dict[str, Any]:
    me = _me(request)
    credentials = (
        Credential.objects.filter(recipient_user=me)
        .select_related("organization", "version__micro_credential__organization")
        .order_by("-awarded_at", "-pk")
    )
    page = Paginator(credentials, WALLET_PAGE_SIZE).get_page(request.GET.get("page"))
    choices = WalletSettings.objects.filter(user=me).first()
    return {
        "page": page,
        "rows": [{"c": c, "linkedin": linkedin_url(c)} for c in page.object_list],
        "unclaimed": actions.unclaimed_for(me),
        "stacks": learner_progress(me),
        "choices": choices,
        "errors": {},
        "typed": typed
        if typed is not None
        else {"did": choices.did if choices else "", "show_name": choices.show_name if choices else True},
    }


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    return render(request, "awards/wallet.html", _wallet_context(request))


@login_required
@require_POST
def wallet_settings(request: HttpRequest) -> HttpResponse:
    did, show_name = request.POST.get("did", ""), request.POST.get("show_name") == "on"
    try:
        actions.do_update_wallet_settings(user=request.user, did=did, show_name=show_name, actor=request.user)
    except ValidationError as exc:
        context = _wallet_context(request, typed={"did": did, "show_name": show_name})
        context["errors"] = {k: " ".join(v) for k, v in exc.message_dict.items()}
        return render(request, "awards/wallet.html", context, status=400)
    messages.success(request, "Saved. New credentials follow these choices; update existing ones below.")
    return redirect("awards:wallet")


@login_required
@require_POST
def wallet_send_confirmation(request: HttpRequest) -> HttpResponse:
    try:
        throttle.count_mail(request, _me(request).email)
    except throttle.Throttled as refused:
        messages.error(request, refused.message)
        return redirect("awards:wallet")
    actions.do_send_email_confirmation(user=request.user, actor=request.user)
    messages.success(
        request, f"We sent a link to {_me(request).email}. Open it to add the credentials awarded to that address."
    )
    return redirect("awards:wallet")


@login_required
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claimed = actions.do_confirm_email_and_claim(token=token, user=request.user, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Email address confirmed; {len(claimed)} credential{'s' if len(claimed) != 1 else ''} added."
        )
    return redirect("awards:wallet")


def _own(request: HttpRequest, public_id: uuid.UUID) -> Credential:
    credential = _credential(public_id)
    if not _owner(request, credential):
        raise Http404("No such credential in your wallet.")
    return credential


@login_required
@require_POST
def wallet_evidence(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _own(request, public_id)
    public = request.POST.get("evidence_public") == "1"
    actions.do_set_evidence_public(credential=credential, public=public, actor=request.user)
    messages.success(
        request,
        f"Evidence of “{credential.title}” is now {'public' if public else 'visible only through a share link'}.",
    )
    return redirect("awards:wallet")


@login_required
@require_POST
def wallet_presentation(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = _own(request, public_id)
    try:
        actions.do_present_recipient(
            credential=credential,
            show_name=request.POST.get("show_name") == "1",
            use_did=request.POST.get("use_did") == "1",
            actor=request.user,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"“{credential.title}” was re-issued with your choices (same id, new signature). Download it again.",
        )
    return redirect("awards:wallet")


# --- the issuer's pages --------------------------------------------------------------------------------


def _admin_org(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    return org


STATE_FILTERS = {"valid": "Valid", "suspended": "Suspended", "revoked": "Revoked", "unclaimed": "Not yet claimed"}


@login_required
def issued(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    qs = (
        Credential.objects.filter(organization=org)
        .select_related("version__micro_credential")
        .order_by("-awarded_at", "-pk")
    )
    q, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    if q:
        qs = qs.filter(recipient_email__icontains=q.lower())
    if state == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    elif state == "suspended":
        qs = qs.filter(suspended_at__isnull=False, revoked_at__isnull=True)
    elif state == "valid":
        qs = qs.filter(suspended_at__isnull=True, revoked_at__isnull=True)
    elif state == "unclaimed":
        qs = qs.filter(recipient_user__isnull=True).exclude(recipient_email="")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "awards/issued.html",
        {
            "org": org,
            "page": page,
            "q": q,
            "state": state,
            "states": STATE_FILTERS,
            "querystring": query.urlencode(),
            "bulks": BulkAward.objects.filter(organization=org)[:5],
        },
    )


def _award_context(org: Organization, typed: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    versions = (
        MicroCredentialVersion.objects.published()
        .filter(micro_credential__organization=org)
        .select_related("micro_credential")
        .order_by("name")
    )
    return {
        "org": org,
        "versions": versions,
        "data": typed,
        "errors": errors,
        "request_key": typed.get("request_key") or str(uuid.uuid4()),
    }


@login_required
def award(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    if request.method != "POST":
        return render(request, "awards/award.html", _award_context(org, {}, {}))
    typed = {k: request.POST.get(k, "") for k in (*actions.FIELDS, "request_key")}
    try:
        credential = actions.do_award_credential(
            organization=org, data=typed, actor=request.user, request_key=typed["request_key"]
        )
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        if "request_key" in errors:
            typed["request_key"] = ""
        return render(request, "awards/award.html", _award_context(org, typed, errors), status=400)
    messages.success(
        request, f"“{credential.title}” awarded to {credential.recipient_email}; they were sent a link to claim it."
    )
    return redirect("awards:manage_credential", org.slug, credential.public_id)


@login_required
def manage_credential(request: HttpRequest, org_slug: str, public_id: uuid.UUID) -> HttpResponse:
    org = _admin_org(request, org_slug)
    credential = get_object_or_404(
        Credential.objects.select_related("version__micro_credential"), organization=org, public_id=public_id
    )
    errors: dict[str, str] = {}
    typed = ""
    if request.method == "POST":
        operation, typed = request.POST.get("operation", ""), request.POST.get("reason", "")
        try:
            if operation == "revoke":
                if request.POST.get("confirm") != "yes":
                    raise ValidationError({"confirm": ["Tick the box: revocation is permanent."]})
                actions.do_revoke_credential(credential=credential, reason=typed, actor=request.user)
                messages.success(request, "Revoked. The status list says so from now on.")
            elif operation == "suspend":
                actions.do_suspend_credential(credential=credential, reason=typed, actor=request.user)
                messages.success(request, "Suspended. Reinstate it whenever you decide.")
            elif operation == "unsuspend":
                actions.do_unsuspend_credential(credential=credential, actor=request.user)
                messages.success(request, "Reinstated: the credential verifies again.")
            else:
                raise ValidationError({"operation": ["Choose revoke, suspend or reinstate."]})
        except ValidationError as exc:
            errors = {f"{operation}.{k}": " ".join(v) for k, v in exc.message_dict.items()}
        else:
            return redirect("awards:manage_credential", org.slug, credential.public_id)
    return render(
        request,
        "awards/manage_credential.html",
        {
            "org": org,
            "c": credential,
            "errors": errors,
            "typed": typed,
            "bulk_row": BulkRow.objects.filter(credential=credential).select_related("bulk").first(),
        },
        status=400 if errors else 200,
    )


# --- bulk awards ---------------------------------------------------------------------------------------


@login_required
def bulk_upload(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose a CSV file."
        elif upload.size is not None and upload.size > bulk.MAX_FILE_BYTES:
            error = f"The file is larger than {bulk.MAX_FILE_BYTES // (1024 * 1024)} MB; split it."
        else:
            try:
                job = bulk.do_create_bulk_award(
                    organization=org,
                    stream=cast(IO[bytes], upload.file),
                    filename=upload.name or "",
                    actor=request.user,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("awards:bulk_detail", org.slug, job.pk)
    return render(
        request,
        "awards/bulk_upload.html",
        {
            "org": org,
            "error": error,
            "columns": ",".join(actions.FIELDS),
            "jobs": BulkAward.objects.filter(organization=org)[:20],
        },
        status=400 if error else 200,
    )


def _job(request: HttpRequest, org_slug: str, job_id: int) -> tuple[Organization, BulkAward]:
    org = _admin_org(request, org_slug)
    return org, get_object_or_404(BulkAward, organization=org, pk=job_id)


def progress_data(job: BulkAward) -> dict[str, Any]:
    return {
        "status": job.status,
        "status_text": job.get_status_display(),
        "total": job.total_rows,
        "to_issue": job.valid_rows,
        "issued": job.issued,
        "skipped": job.skipped,
        "failed": job.failed,
        "percent": job.percent,
        "duplicates": job.duplicate_rows,
        "rejected": job.error_rows,
        "done": job.status == BulkStatus.DONE,
    }


@login_required
def bulk_detail(request: HttpRequest, org_slug: str, job_id: int) -> HttpResponse:
    org, job = _job(request, org_slug, job_id)
    problems = BulkRow.objects.filter(
        bulk=job, state__in=[RowState.ERROR, RowState.DUPLICATE, RowState.FAILED]
    ).order_by("line")
    page = Paginator(problems, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "awards/bulk_detail.html",
        {
            "org": org,
            "job": job,
            "page": page,
            "progress": progress_data(job),
            "progress_url": reverse("awards:bulk_progress", args=[org.slug, job.pk]),
        },
    )


@login_required
@require_GET
def bulk_progress(request: HttpRequest, org_slug: str, job_id: int) -> JsonResponse:
    _org, job = _job(request, org_slug, job_id)
    response = JsonResponse(progress_data(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def bulk_action(request: HttpRequest, org_slug: str, job_id: int) -> HttpResponse:
    org, job = _job(request, org_slug, job_id)
    operation = request.POST.get("operation", "")
    try:
        if operation == "confirm":
            bulk.do_confirm_bulk_award(bulk=job, actor=request.user)
            messages.success(request, "Issuing has started; this page shows the progress.")
        elif operation == "cancel":
            bulk.do_cancel_bulk_award(bulk=job, actor=request.user)
            messages.success(request, "Discarded; nothing was issued.")
        elif operation == "resume":
            if bulk.do_resume_bulk_award(bulk=job, actor=request.user):
                messages.success(request, "Resumed: the rows not issued yet are being issued.")
            else:
                messages.info(request, "It is still being worked on; nothing to resume.")
        else:
            raise ValidationError({"operation": ["Unknown operation."]})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("awards:bulk_detail", org.slug, job.pk)


@login_required
@require_GET
def bulk_template(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    example = MicroCredentialVersion.objects.published().filter(micro_credential__organization=org).first()
    slug = example.micro_credential.slug if example else "micro-credential-slug"
    body = (
        ",".join(actions.FIELDS)
        + "\r\n"
        + f"teacher@example.org,Alex Example,{slug},https://example.org/portfolio,Observed lesson,,\r\n"
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bulk-award-template.csv"'
    return response
