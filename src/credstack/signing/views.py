"""The organization's DID document (public) and the signing keys page (organization admins)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from credstack.organizations.models import Organization
from credstack.organizations.permissions import require_org_admin
from credstack.signing import actions
from credstack.signing.documents import did_document
from credstack.signing.models import KeyState, SigningKey

DID_CONTENT_TYPE = "application/did+ld+json"


def json_document(
    request: HttpRequest, document: dict[str, Any], content_type: str, cache_control: str = "public, max-age=60"
) -> HttpResponse:
    """A JSON document with a strong ETag (its sha256) and Cache-Control; 304 when the client has it."""
    body = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers fetch these documents
    return response


@require_GET
def did_json(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=org_slug)
    return json_document(request, did_document(org), DID_CONTENT_TYPE)


def _admin_org(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    return org


@login_required
def keys_page(
    request: HttpRequest,
    org_slug: str,
    failed: int | None = None,
    errors: dict[str, str] | None = None,
    reason: str = "",
    status: int = 200,
) -> HttpResponse:
    """The keys with their states; ``failed`` is the key whose retirement form is shown again with errors."""
    org = _admin_org(request, org_slug)
    keys = SigningKey.objects.filter(organization=org).order_by("-created_at", "-pk")
    rows = [
        {"key": k, "errors": (errors or {}) if k.pk == failed else {}, "reason": reason if k.pk == failed else ""}
        for k in keys
    ]
    return render(
        request,
        "signing/keys.html",
        {
            "org": org,
            "rows": rows,
            "errors": errors or {},
            "has_active": keys.filter(state=KeyState.ACTIVE).exists(),
        },
        status=status,
    )


@login_required
@require_POST
def rotate(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _admin_org(request, org_slug)
    try:
        key = actions.do_rotate_signing_key(organization=org, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("signing:keys", org.slug)
    messages.success(
        request,
        f"New signing key {key.public_key_multibase[:20]}… is active. Credentials signed "
        "with the previous key keep verifying.",
    )
    return redirect("signing:keys", org.slug)


@login_required
@require_POST
def revoke(request: HttpRequest, org_slug: str, key_id: int) -> HttpResponse:
    org = _admin_org(request, org_slug)
    key = get_object_or_404(SigningKey, pk=key_id, organization=org)
    reason = request.POST.get("reason", "")
    if request.POST.get("confirm") != "yes":
        return keys_page(
            request,
            org_slug,
            failed=key.pk,
            errors={"confirm": "Tick the box to confirm: every credential this key signed will fail verification."},
            reason=reason,
            status=400,
        )
    try:
        actions.do_revoke_signing_key(key=key, reason=reason, actor=request.user)
    except ValidationError as exc:
        errors = {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        return keys_page(request, org_slug, failed=key.pk, errors=errors, reason=reason, status=400)
    messages.success(
        request, "The key is retired. Credentials it signed now fail verification; a new key signs from now on."
    )
    return redirect("signing:keys", org.slug)
