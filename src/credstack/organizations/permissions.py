"""Server-side permission checks for organization objects.

Every view and API route that touches an organization's objects calls one of these; a miss is a
404 rather than a 403 so that one organization cannot even learn what another has.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from credstack.organizations.models import Membership, Organization, Role


def roles_of(user: Any, organization: Organization) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True))


def is_org_admin(user: Any, organization: Organization) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.ADMIN in roles_of(user, organization)


def can_assess(user: Any, organization: Organization) -> bool:
    return bool(roles_of(user, organization) & {Role.ADMIN, Role.ASSESSOR})


def creator_may_act(creator: Any, organization: Organization) -> bool:
    """Whether an API key or OAuth client made by ``creator`` may still act for ``organization``.

    A key or client belongs to the admin who made it and acts with that person's rights: it ends when they
    leave the organization or stop being its admin (``do_remove_member`` revokes it then, audited). This check
    also stops it when the person lost those rights another way (an account deactivated). One made by the
    operator on the command line has no creator and belongs to the organization.
    """
    if creator is None:
        return True
    return bool(creator.is_active) and is_org_admin(creator, organization)


def require_org_admin(user: Any, organization: Organization) -> None:
    if not is_org_admin(user, organization):
        raise Http404("No such organization page.")


def managed_organizations(user: Any) -> list[Organization]:
    if user is None or not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Organization.objects.all())
    return list(Organization.objects.filter(memberships__user=user, memberships__role=Role.ADMIN).distinct())
