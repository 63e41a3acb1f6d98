"""Organization actions: profile, members, API keys, OAuth 2.0 clients and their access tokens."""

from __future__ import annotations

import datetime
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credstack.accounts.models import User
from credstack.core import audit
from credstack.organizations.models import (
    OAUTH_SCOPES,
    ApiKey,
    Membership,
    OAuthAccessToken,
    OAuthClient,
    Organization,
    Role,
    hash_secret,
)
from credstack.organizations.permissions import creator_may_act

PROFILE_FIELDS = (
    "name",
    "url",
    "email",
    "description",
    "turnaround_days",
    "second_review",
    "second_review_sample_percent",
    "publish_suspension",
    "did_method",
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
        if "did_method" in changes and changes["did_method"] != organization.did_method:
            _check_identity_may_change(organization)
            organization.did_key = ""
        for field, value in changes.items():
            setattr(organization, field, value)
        organization.full_clean()
        organization.save()
        audit.record(
            "organization.updated", organization, actor=actor, organization=organization, fields=sorted(changes)
        )
    return organization


def _check_identity_may_change(organization: Organization) -> None:
    """The issuer identity (did:web or did:key) is in every credential signed: it is chosen before the first one."""
    from credstack.awards.models import Credential

    if Credential.objects.filter(organization=organization).exists():
        raise ValidationError(
            {
                "did_method": [
                    f"This organization has issued credentials as {organization.issuer_id}; its issuer identity can "
                    "no longer change (those credentials name it). Use another organization to issue under another "
                    "identity."
                ]
            }
        )


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


@dataclass(frozen=True)
class EndedIntegrations:
    """The API keys and OAuth clients revoked because the person who made them lost the admin role."""

    api_keys: int = 0
    oauth_clients: int = 0


def do_remove_member(*, membership: Membership, actor: Any) -> EndedIntegrations:
    """Remove one role of a member. When it leaves them no admin role in the organization, the API keys and
    OAuth clients they created are revoked (with their tokens) in the same transaction: they act with their
    creator's rights, so they end with them (see ``permissions.creator_may_act``)."""
    organization, user = membership.organization, membership.user
    with transaction.atomic():
        audit.record(
            "organization.member_removed",
            membership,
            actor=actor,
            organization=organization,
            user=user.email,
            role=membership.role,
        )
        membership.delete()
        if Membership.objects.filter(organization=organization, user=user, role=Role.ADMIN).exists():
            return EndedIntegrations()
        because = f"{user.email} is no longer admin"
        keys = list(ApiKey.objects.filter(organization=organization, created_by=user, revoked_at__isnull=True))
        for key in keys:
            do_revoke_api_key(key=key, actor=actor, because=because)
        clients = list(OAuthClient.objects.filter(organization=organization, created_by=user, revoked_at__isnull=True))
        for client in clients:
            do_revoke_oauth_client(client=client, actor=actor, because=because)
    return EndedIntegrations(api_keys=len(keys), oauth_clients=len(clients))


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


def do_revoke_api_key(*, key: ApiKey, actor: Any, because: str = "") -> None:
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(
            "organization.api_key_revoked",
            key,
            actor=actor,
            organization=key.organization,
            **({"because": because} if because else {}),
        )


# --- OAuth 2.0 client credentials (RFC 6749 section 4.4) ------------------------------------------


def do_create_oauth_client(
    *, organization: Organization, name: str, actor: Any, scopes: str = "issue:credentials"
) -> tuple[OAuthClient, str]:
    """Return the client row and its raw secret, which is shown once and never stored."""
    unknown = sorted(set(scopes.split()) - set(OAUTH_SCOPES))
    if unknown or not scopes.split():
        raise ValidationError({"scopes": [f"Choose scopes among {', '.join(OAUTH_SCOPES)}."]})
    secret = "css_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = OAuthClient.objects.create(
            organization=organization,
            name=name or "OAuth client",
            client_id="csc_" + secrets.token_hex(12),
            secret_hash=hash_secret(secret),
            scopes=" ".join(sorted(set(scopes.split()))),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            "organization.oauth_client_created",
            client,
            actor=actor,
            organization=organization,
            name=client.name,
            client_id=client.client_id,
        )
    return client, secret


def do_revoke_oauth_client(*, client: OAuthClient, actor: Any, because: str = "") -> None:
    """Revoke the client; its access tokens stop working at once (they are deleted)."""
    with transaction.atomic():
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        client.tokens.all().delete()
        audit.record(
            "organization.oauth_client_revoked",
            client,
            actor=actor,
            organization=client.organization,
            **({"because": because} if because else {}),
        )


@dataclass(frozen=True)
class OAuthError(Exception):
    """A refused token request, in RFC 6749 section 5.2's terms (``error`` code and a description)."""

    error: str
    description: str

    def __str__(self) -> str:
        return f"{self.error}: {self.description}"


#: Compared against when the client id is unknown, so a wrong id costs as long as a wrong secret.
_NO_CLIENT_HASH = hash_secret(secrets.token_urlsafe(32))


@sensitive_variables("client_secret", "raw")
def do_grant_client_credentials(
    *, client_id: str, client_secret: str, scope: str | None, lifetime_seconds: int
) -> tuple[OAuthAccessToken, str]:
    """Authenticate the client and grant it an access token; return the row and the raw token.

    ``scope`` absent grants every scope the client has; a scope it does not have is refused
    (``invalid_scope``). The client's expired tokens are deleted here, so the table stays small.
    Raises :class:`OAuthError`.
    """
    client = (
        OAuthClient.objects.select_related("organization", "created_by")
        .filter(client_id=client_id, revoked_at__isnull=True)
        .first()
    )
    stored = client.secret_hash if client is not None else _NO_CLIENT_HASH
    secret_matches = hmac.compare_digest(stored, hash_secret(client_secret))
    if client is None or not secret_matches or not creator_may_act(client.created_by, client.organization):
        raise OAuthError("invalid_client", "The client id or secret is wrong, or the client was revoked.")
    requested = frozenset(scope.split()) if scope and scope.strip() else client.scope_set
    if not requested <= client.scope_set:
        missing = " ".join(sorted(requested - client.scope_set))
        raise OAuthError("invalid_scope", f"This client may not be granted: {missing}.")
    raw = "cst_" + secrets.token_urlsafe(32)  # the prefix oauth.access_token() looks for
    now = timezone.now()
    with transaction.atomic():
        client.tokens.filter(expires_at__lte=now).delete()
        token = OAuthAccessToken.objects.create(
            client=client,
            token_hash=hash_secret(raw),
            scope=" ".join(sorted(requested)),
            expires_at=now + datetime.timedelta(seconds=lifetime_seconds),
        )
        OAuthClient.objects.filter(pk=client.pk).update(last_token_at=now)
    return token, raw
