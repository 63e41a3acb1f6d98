"""The public verifier page, ``/verify`` (no account, works without JavaScript: a multipart POST), and share links.

Input is one of: a file (PNG, SVG, JSON, JWT), pasted JSON or a JWT, or a credential link (fetched only
through the platform's fetcher). The result page carries the original input back in the "verify the
recipient" form (base64 in a hidden field, or the link), so checking an email needs no server state.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.parse
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from credstack.vc.errors import FetchError
from credstack.verifier import fetching, limits, service, sharing
from credstack.verifier.display import check_rows, report_view
from credstack.verifier.models import ShareLink
from credstack.verifier.ownlinks import resolve_own_link

TEMPLATE = "verifier/verify.html"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    base = {"max_size": _megabytes(settings.CREDSTACK_VERIFIER_MAX_BYTES), "values": {}, "errors": {}}
    return render(request, TEMPLATE, {**base, **context}, status=status)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _render(request, {"errors": {"__all__": message}}, status=status)


def _read_input(request: HttpRequest, values: dict[str, str], errors: dict[str, str]) -> tuple[Any, str, str]:
    """(data, what it was, carried base64) from the one source the person gave; fills ``errors`` otherwise."""
    upload = request.FILES.get("file")
    text = values["text"].strip()
    url = values["url"].strip()
    carried = request.POST.get("carried", "")
    given = [
        name for name, present in (("file", upload), ("text", text), ("url", url), ("carried", carried)) if present
    ]
    if not given:
        errors["file"] = "Choose a badge image or credential file, paste a credential, or give a link."
        return None, "", ""
    if len(given) > 1:
        errors[given[0]] = "Give one credential at a time: a file, pasted text or a link."
        return None, "", ""
    limit = settings.CREDSTACK_VERIFIER_MAX_BYTES
    if upload is not None:
        if upload.size is not None and upload.size > limit:
            errors["file"] = f"The file is {_megabytes(upload.size)}; files up to {_megabytes(limit)} are read."
            return None, "", ""
        data = upload.read(limit + 1)
        if not data:
            errors["file"] = "The file is empty."
            return None, "", ""
        return data, f"the file {upload.name}", base64.b64encode(data).decode("ascii")
    if carried:
        try:
            data = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            errors["__all__"] = "The credential to check could not be read back; verify it again."
            return None, "", ""
        return data, "the credential", carried
    if text:
        data = text.encode("utf-8")
        if len(data) > limit:
            errors["text"] = f"The text is {_megabytes(len(data))}; up to {_megabytes(limit)} is read."
            return None, "", ""
        return data, "the pasted text", base64.b64encode(data).decode("ascii")
    return url, "the link", ""


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and limits.declared_length(request) > limits.max_request_bytes():
        return _refused(
            request,
            "That is too large to verify here: credentials up to "
            f"{_megabytes(settings.CREDSTACK_VERIFIER_MAX_BYTES)} are read.",
            413,
        )
    try:
        values = {name: source.get(name, "") for name in ("text", "url", "email")}
    except RequestDataTooBig:
        return _refused(request, "That is too large to verify here.", 413)
    if request.method == "GET" and not values["url"]:
        return _render(request, {})
    allowed, wait = limits.allow(request)
    if not allowed:
        response = _refused(request, "Too many verifications from your address; wait a minute and try again.", 429)
        response["Retry-After"] = str(wait)
        return response
    errors: dict[str, str] = {}
    data, what, carried = _read_input(request, values, errors)
    email = values["email"].strip()
    if email and ("@" not in email or len(email) > 254):
        errors["email"] = "Enter the email address the credential should belong to, like name@example.org."
    if errors:
        return _render(request, {"values": values, "errors": errors}, status=400)
    fetcher = service.new_fetcher()
    if what == "the link":
        own = resolve_own_link(values["url"])
        if own is not None and own.problem:
            return _render(request, {"values": values, "errors": {"url": own.problem}}, status=400)
        if own is not None:
            data = own.document
            size = len(json.dumps(data))
            if own.share_link is not None:
                # As if the share link were opened: its learner's private evidence may be compared and opened.
                fetcher.local.request_attributes[sharing.REQUEST_ATTRIBUTE] = own.share_link
                sharing.remember(request, own.share_link)
        else:
            try:
                data = service.fetch_credential_link(values["url"], fetcher)
            except FetchError as exc:
                return _render(
                    request, {"values": values, "errors": {"url": link_error(values["url"], exc, fetcher)}}, status=400
                )
            size = len(data)
        # The request was charged one unit; what the link held is charged by its size too.
        allowed, wait = limits.charge(request, "verify", limits.cost_of(size) - 1)
        if not allowed:
            response = _refused(request, "Too many verifications from your address; wait a minute and try again.", 429)
            response["Retry-After"] = str(wait)
            return response
    outcome = service.verify_credential(data, recipient_email=email or None, fetcher=fetcher)
    return _render(
        request,
        {
            **result_context(outcome, email),
            "values": values,
            "carried": carried,
            "carried_url": values["url"].strip() if what == "the link" else "",
            "what": what,
        },
    )


def link_error(url: str, exc: FetchError, fetcher: fetching.PlatformFetcher) -> str:
    """Why a link someone gave could not be opened, in words for them."""
    parts = urllib.parse.urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return "Give the credential's web address (an http(s) URL, starting with https://), or the file itself."
    if fetcher.local.handles(url.strip()):
        return (
            "That address is on this platform but names no credential. Paste the credential's page address, "
            "a share link, or the credential itself."
        )
    if not fetcher.may_open(url.strip()):
        return (
            f"This verifier does not open links to {host or 'that address'}: for everyone's safety it only "
            "opens links to this platform and to hosts its operator allows. Download the badge image or "
            "credential file from there and give it here instead."
        )
    return f"The link could not be opened ({exc}). Download the badge or credential file and give it here instead."


def result_context(outcome: service.Outcome, email: str) -> dict[str, Any]:
    """What the template needs to show one verification (the page and share links alike)."""
    recipient = outcome.report.check("recipient") if email else None
    return {
        "result": report_view(outcome),
        "report_json": json.dumps(service.outcome_json(outcome), indent=2, ensure_ascii=False),
        "recipient_check": check_rows([recipient])[0] if recipient else None,
        "email": email,
    }


# -- share links -------------------------------------------------------------------------------------------

EXPIRY_CHOICES = (("", "Never (until you withdraw it)"), ("7", "In 7 days"), ("30", "In 30 days"), ("90", "In 90 days"))


def _held_credential(request: HttpRequest, public_id: uuid.UUID) -> Any:
    from credstack.awards.models import Credential

    # 404 for anyone but the learner who holds it: nobody learns which credentials exist
    return get_object_or_404(Credential, public_id=public_id, recipient_user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The learner's links for one credential: create one (optionally expiring), see and withdraw them."""
    from credstack.verifier.actions import do_create_share_link

    credential = _held_credential(request, public_id)
    errors: dict[str, str] = {}
    values = {"label": request.POST.get("label", ""), "expires": request.POST.get("expires", "")}
    if request.method == "POST":
        expires_at = None
        if values["expires"] not in dict(EXPIRY_CHOICES):
            errors["expires"] = "Choose when the link stops working."
        elif values["expires"]:
            expires_at = timezone.now() + timedelta(days=int(values["expires"]))
        if not errors:
            try:
                link = do_create_share_link(
                    credential=credential, actor=request.user, expires_at=expires_at, label=values["label"]
                )
            except ValidationError as exc:
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                messages.success(request, f"Share link created: {link.url}")
                return redirect("verifier:share_links", credential.public_id)
    return render(
        request,
        "verifier/share_links.html",
        {
            "credential": credential,
            "links": credential.share_links.all(),
            "errors": errors,
            "values": values,
            "expiry_choices": EXPIRY_CHOICES,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def withdraw_share_link(request: HttpRequest, public_id: uuid.UUID, link_id: int) -> HttpResponse:
    from credstack.verifier.actions import do_withdraw_share_link

    credential = _held_credential(request, public_id)
    link = get_object_or_404(ShareLink, pk=link_id, credential=credential)
    do_withdraw_share_link(link=link, actor=request.user)
    messages.success(request, "The link no longer works.")
    return redirect("verifier:share_links", credential.public_id)


@require_http_methods(["GET", "POST"])
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What someone opening a share link sees: the credential, verified now, as on /verify."""
    link = ShareLink.objects.select_related("credential__organization").filter(token=token).first()
    if link is None:
        raise Http404("No such share link.")
    if not link.active_at():
        return render(request, "verifier/share_gone.html", {"link": link}, status=410)
    allowed, wait = limits.allow(request, scope="share")
    if not allowed:
        response = _refused(request, "Too many verifications from your address; wait a minute and try again.", 429)
        response["Retry-After"] = str(wait)
        return response
    email = request.POST.get("email", "").strip() if request.method == "POST" else ""
    fetcher = service.new_fetcher()
    fetcher.local.request_attributes[sharing.REQUEST_ATTRIBUTE] = link
    outcome = service.verify_credential(link.credential.document, recipient_email=email or None, fetcher=fetcher)
    sharing.remember(request, link)
    holder = link.credential.recipient_name if link.credential.name_shown and link.credential.recipient_name else ""
    return _render(
        request,
        {
            **result_context(outcome, email),
            "share": {"owner_label": holder or "The person who holds it", "expires_at": link.expires_at},
        },
    )
