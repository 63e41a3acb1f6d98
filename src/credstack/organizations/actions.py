"""Organization actions: profile, members, API keys."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credstack.accounts.models import User
from credstack.core import audit
from credstack.organizations.models import ApiKey, Membership, Organization, Role

PROFILE_FIELDS = (
    "name",
    "url",
    "email",
    "description",
    "turnaround_days",
    "second_review",
    "second_review_sample_percent",
    "publish_suspension",
)


def do_create_organization(
    *, slug: str, name: str, actor: Any, admin: User | None = None, **profile: Any
) -> Organization:
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": [f"An organization with the slug {slug!r} already exists."]})
    with transaction.atomic():
        org = Organization(slug=slug, name=name, **profile)
        org.full_clean()
        org.save()
        audit.record("organization.created", org, actor=actor, organization=org, name=name)
        if admin is not None:
            do_add_member(organization=org, user=admin, role=Role.ADMIN, actor=actor)
    return org


def do_update_organization_profile(*, organization: Organization, actor: Any, **changes: Any) -> Organization:
    unknown = set(changes) - set(PROFILE_FIELDS) - {"image", "parent"}
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    with transaction.atomic():
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.full_clean()
        organization.save()
        audit.record(
            "organization.updated", organization, actor=actor, organization=organization, fields=sorted(changes)
        )
    return organization


def do_add_member(*, organization: Organization, user: User, role: str, actor: Any) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}; choose admin or assessor."]})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(organization=organization, user=user, role=role)
        if created:
            audit.record(
                "organization.member_added",
                membership,
                actor=actor,
                organization=organization,
                user=user.email,
                role=role,
            )
    return membership


def do_remove_member(*, membership: Membership, actor: Any) -> None:
    with transaction.atomic():
        audit.record(
            "organization.member_removed",
            membership,
            actor=actor,
            organization=membership.organization,
            user=membership.user.email,
            role=membership.role,
        )
        membership.delete()


def do_create_api_key(
    *, organization: Organization, name: str, actor: Any, role: str = Role.ADMIN
) -> tuple[ApiKey, str]:
    """Return the key row and the raw key, which is shown once and never stored."""
    raw = "cs_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            organization=organization,
            name=name or "API key",
            prefix=raw[:10],
            key_hash=ApiKey.hash_key(raw),
            role=role,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record("organization.api_key_created", key, actor=actor, organization=organization, name=key.name)
    return key, raw


def do_revoke_api_key(*, key: ApiKey, actor: Any) -> None:
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record("organization.api_key_revoked", key, actor=actor, organization=key.organization)
