"""Status lists: handing out indexes, flipping bits, and the signed list credentials that are served.

Index reservation is like taking values from a database sequence: it runs in its own short transaction
under a lock on the organization row (so parallel workers on PostgreSQL never get the same index, and
creating the next list on rollover cannot race), and a reserved index is never handed out again even if
the award that reserved it fails (its bits simply stay unset). Signing happens outside that lock.

The signed ``BitstringStatusListCredential`` of each list and purpose is stored and re-signed within the
transaction that changes a bit, so a revocation shows at the list URL the moment it commits.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from credstack.awards.models import PURPOSES, StatusList
from credstack.organizations.models import Organization
from credstack.signing.actions import do_ensure_signing_key
from credstack.vc.proofs import add_proof
from credstack.vc.statuslist import MIN_BITS, Bitstring, build_status_list_credential

DEFAULT_CAPACITY = MIN_BITS  # 131,072 indexes: the smallest list the spec allows, 16 KB per purpose


def list_capacity() -> int:
    """Indexes per list: ``CREDSTACK_STATUS_LIST_CAPACITY`` (a power of two up to 131,072; small in tests)."""
    capacity = int(getattr(settings, "CREDSTACK_STATUS_LIST_CAPACITY", DEFAULT_CAPACITY))
    if capacity < 1 or capacity > MIN_BITS or capacity & (capacity - 1):
        raise ValueError("CREDSTACK_STATUS_LIST_CAPACITY must be a power of two between 1 and 131072.")
    return capacity


def _sign_documents(status_list: StatusList, purposes: tuple[str, ...] = PURPOSES) -> None:
    """(Re-)sign the list credentials of ``purposes`` with the organization's active key (no save)."""
    org = status_list.organization
    signer = do_ensure_signing_key(organization=org).signer()
    now = timezone.now()
    for purpose in purposes:
        bits = Bitstring(data=bytes(getattr(status_list, f"{purpose}_bits")))
        document = build_status_list_credential(
            id=status_list.url(purpose),
            issuer=org.issuer_id,
            purpose=purpose,
            bitstring=bits,
            valid_from=now,
            sign=lambda d: add_proof(d, signer, created=now),
        )
        setattr(status_list, f"{purpose}_document", document)


def _new_list(organization: Organization) -> StatusList:
    number = (StatusList.objects.filter(organization=organization).aggregate(n=Max("number"))["n"] or 0) + 1
    capacity = list_capacity()
    empty = bytes(MIN_BITS // 8)
    status_list = StatusList(
        organization=organization,
        number=number,
        capacity=capacity,
        multiplier=secrets.randbelow(capacity) | 1,
        offset=secrets.randbelow(capacity),
        revocation_bits=empty,
        suspension_bits=empty,
    )
    _sign_documents(status_list)
    status_list.save()
    return status_list


def reserve_indexes(organization: Organization, count: int) -> list[tuple[StatusList, int]]:
    """``count`` fresh ``(list, index)`` slots, rolling over to new lists as they fill up."""
    slots: list[tuple[StatusList, int]] = []
    with transaction.atomic():
        Organization.objects.select_for_update().only("pk").get(pk=organization.pk)
        while len(slots) < count:
            current = (
                StatusList.objects.filter(organization=organization, allocated__lt=F("capacity"))
                .select_related("organization")
                .order_by("number")
                .first()
            )
            if current is None:
                current = _new_list(organization)
            take = min(count - len(slots), current.capacity - current.allocated)
            slots += [(current, current.index_for(n)) for n in range(current.allocated, current.allocated + take)]
            StatusList.objects.filter(pk=current.pk).update(allocated=F("allocated") + take)
            current.allocated += take
    return slots


def set_status(status_list_id: int, index: int, purpose: str, value: bool) -> StatusList:
    """Flip one bit and re-sign that purpose's list credential; call inside the action's transaction."""
    status_list = StatusList.objects.select_for_update().select_related("organization").get(pk=status_list_id)
    bits = Bitstring(data=bytes(getattr(status_list, f"{purpose}_bits")))
    bits.set(index, value)
    setattr(status_list, f"{purpose}_bits", bits.to_bytes())
    _sign_documents(status_list, (purpose,))
    status_list.save(update_fields=[f"{purpose}_bits", f"{purpose}_document", "updated_at"])
    return status_list


def resign_all(organization: Organization) -> int:
    """Re-sign every list of the organization with its active key (after a key was rotated or retired)."""
    count = 0
    for pk in StatusList.objects.filter(organization=organization).values_list("pk", flat=True):
        with transaction.atomic():
            status_list = StatusList.objects.select_for_update().select_related("organization").get(pk=pk)
            _sign_documents(status_list)
            status_list.save(update_fields=["revocation_document", "suspension_document", "updated_at"])
            count += 1
    return count


def status_document(status_list: StatusList, purpose: str) -> dict[str, Any]:
    document = getattr(status_list, f"{purpose}_document")
    assert isinstance(document, dict)
    return document
