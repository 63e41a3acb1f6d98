"""Issuance over the JSON API: award, list, revoke, suspend and reinstate credentials; signing keys.

Authentication: a signed-in organization admin, or an organization API key (admin role). Another
organization's objects answer 404. Errors are problem details (see credstack.api.api); invalid input
is a 400 with ``errors`` keyed by field, the same fields the award form shows.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from credstack.api.api import ApiKeyAuth, _actor, _managed_org
from credstack.awards import actions
from credstack.awards.models import Credential
from credstack.core.inputs import WebUrlOrEmpty
from credstack.signing.actions import do_revoke_signing_key, do_rotate_signing_key
from credstack.signing.models import SigningKey

router = Router(tags=["issuance"], auth=[ApiKeyAuth(), django_auth])


class AwardIn(Schema):
    email: str
    achievement: str
    name: str = ""
    evidence_url: WebUrlOrEmpty = ""
    evidence_narrative: str = ""
    awarded_on: str = ""
    expires_on: str = ""
    request_key: str = ""


class ReasonIn(Schema):
    reason: str


class CredentialOut(Schema):
    id: str
    public_id: str
    recipient_email: str
    achievement: str | None
    version: int | None
    origin: str
    state: str
    awarded_at: str
    valid_until: str | None
    claimed: bool
    status_list: int
    status_index: int


class CredentialDetail(CredentialOut):
    credential: dict[str, Any]


class CredentialPage(Schema):
    count: int
    page: int
    pages: int
    items: list[CredentialOut]


class CredentialFilters(Schema):
    email: str = ""
    state: str = ""
    page: int = 1


class KeyOut(Schema):
    public_key_multibase: str
    verification_method: str
    state: str
    created_at: str
    revoked_at: str | None


def _out(c: Credential, detail: bool = False) -> dict[str, Any]:
    data = {
        "id": c.credential_id,
        "public_id": str(c.public_id),
        "recipient_email": c.recipient_email,
        "achievement": c.version.micro_credential.slug if c.version else None,
        "version": c.version.version if c.version else None,
        "origin": c.origin,
        "state": c.state,
        "awarded_at": c.awarded_at.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "claimed": c.recipient_user_id is not None,
        "status_list": c.status_list.number,
        "status_index": c.status_index,
    }
    if detail:
        data["credential"] = c.document
    return data


def _credential(request: HttpRequest, org_slug: str, public_id: uuid.UUID) -> Credential:
    org = _managed_org(request, org_slug)
    return get_object_or_404(
        Credential.objects.select_related("version__micro_credential", "status_list"),
        organization=org,
        public_id=public_id,
    )


@router.post(
    "/orgs/{org_slug}/credentials",
    response={201: CredentialDetail},
    summary="Award a credential (signed, status entries, mailed to the recipient)",
)
def award(request: HttpRequest, org_slug: str, payload: AwardIn) -> Any:
    org = _managed_org(request, org_slug)
    data = payload.dict()
    credential = actions.do_award_credential(
        organization=org, data=data, actor=_actor(request), request_key=data.pop("request_key")
    )
    return Status(201, _out(credential, detail=True))


@router.get("/orgs/{org_slug}/credentials", response=CredentialPage, summary="Credentials the organization issued")
def list_credentials(request: HttpRequest, org_slug: str, filters: Query[CredentialFilters]) -> Any:
    org = _managed_org(request, org_slug)
    qs = (
        Credential.objects.filter(organization=org)
        .select_related("version__micro_credential", "status_list")
        .order_by("-awarded_at", "-pk")
    )
    if filters.email:
        qs = qs.filter(recipient_email=filters.email.strip().lower())
    if filters.state == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    elif filters.state == "suspended":
        qs = qs.filter(suspended_at__isnull=False, revoked_at__isnull=True)
    page = Paginator(qs, 50).get_page(filters.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_out(c) for c in page.object_list],
    }


@router.get("/orgs/{org_slug}/credentials/{public_id}", response=CredentialDetail, summary="One credential")
def get_credential(request: HttpRequest, org_slug: str, public_id: uuid.UUID) -> Any:
    return _out(_credential(request, org_slug, public_id), detail=True)


@router.post(
    "/orgs/{org_slug}/credentials/{public_id}/revoke",
    response=CredentialOut,
    summary="Revoke (permanent; shows at the status list at once)",
)
def revoke(request: HttpRequest, org_slug: str, public_id: uuid.UUID, payload: ReasonIn) -> Any:
    credential = _credential(request, org_slug, public_id)
    return _out(actions.do_revoke_credential(credential=credential, reason=payload.reason, actor=_actor(request)))


@router.post("/orgs/{org_slug}/credentials/{public_id}/suspend", response=CredentialOut, summary="Suspend")
def suspend(request: HttpRequest, org_slug: str, public_id: uuid.UUID, payload: ReasonIn) -> Any:
    credential = _credential(request, org_slug, public_id)
    return _out(actions.do_suspend_credential(credential=credential, reason=payload.reason, actor=_actor(request)))


@router.post(
    "/orgs/{org_slug}/credentials/{public_id}/unsuspend",
    response=CredentialOut,
    summary="Reinstate a suspended credential",
)
def unsuspend(request: HttpRequest, org_slug: str, public_id: uuid.UUID) -> Any:
    credential = _credential(request, org_slug, public_id)
    return _out(actions.do_unsuspend_credential(credential=credential, actor=_actor(request)))


def _key_out(k: SigningKey) -> dict[str, Any]:
    return {
        "public_key_multibase": k.public_key_multibase,
        "verification_method": k.verification_method,
        "state": k.state,
        "created_at": k.created_at.isoformat(),
        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
    }


@router.get("/orgs/{org_slug}/keys", response=list[KeyOut], summary="Signing keys (public parts only)")
def list_keys(request: HttpRequest, org_slug: str) -> Any:
    org = _managed_org(request, org_slug)
    return [_key_out(k) for k in SigningKey.objects.filter(organization=org).select_related("organization")]


@router.post("/orgs/{org_slug}/keys/rotate", response={201: KeyOut}, summary="Rotate: a new key signs from now on")
def rotate_key(request: HttpRequest, org_slug: str) -> Any:
    org = _managed_org(request, org_slug)
    return Status(201, _key_out(do_rotate_signing_key(organization=org, actor=_actor(request))))


@router.post(
    "/orgs/{org_slug}/keys/{public_key_multibase}/retire",
    response=KeyOut,
    summary="Retire a compromised key: everything it signed fails verification",
)
def retire_key(request: HttpRequest, org_slug: str, public_key_multibase: str, payload: ReasonIn) -> Any:
    org = _managed_org(request, org_slug)
    key = get_object_or_404(SigningKey, organization=org, public_key_multibase=public_key_multibase)
    return _key_out(do_revoke_signing_key(key=key, reason=payload.reason, actor=_actor(request)))
