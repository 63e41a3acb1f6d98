"""Signing key actions: create on demand, rotate, revoke (retire as compromised), re-wrap under a new KEK.

Each is one transaction with its audit record. The private key is generated here, encrypted under
the KEK before it reaches the model, and never logged or returned.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.core import audit
from credstack.organizations.models import Organization
from credstack.signing import kek
from credstack.signing.models import KeyState, SigningKey
from credstack.signing.signals import signing_key_changed
from credstack.vc.keys import Ed25519Key

MAX_REASON = 2000


def _new_key(organization: Organization, actor: Any) -> SigningKey:
    fresh = Ed25519Key.generate()
    row = SigningKey(
        organization=organization,
        public_key_multibase=fresh.public_key_multibase,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    seed = fresh.private_key_bytes
    assert seed is not None
    row.kek_id, blob = kek.encrypt(seed, row.associated_data())
    row.encrypted_private_key = blob
    row.save()
    return row


def _changed(organization: Organization, revoked: bool) -> None:
    # Inside the transaction: what receivers re-sign commits together with the key change, or not at all.
    signing_key_changed.send(sender=SigningKey, organization=organization, revoked=revoked)


def do_ensure_signing_key(*, organization: Organization, actor: Any = None) -> SigningKey:
    """The organization's active key, created on first use (keys are made on demand, not up front)."""
    existing = SigningKey.objects.filter(organization=organization, state=KeyState.ACTIVE).first()
    if existing is not None:
        return _bind_did_key(organization, existing)
    try:
        with transaction.atomic():
            row = _new_key(organization, actor)
            audit.record(
                "signing.key_created", row, actor=actor, organization=organization, key=row.public_key_multibase
            )
    except IntegrityError:
        # Another process created it at the same moment: the partial unique constraint kept one.
        row = SigningKey.objects.get(organization=organization, state=KeyState.ACTIVE)
    return _bind_did_key(organization, row)


def _bind_did_key(organization: Organization, key: SigningKey) -> SigningKey:
    """A did:key organization's identity is its one key: bound the first time the key is used."""
    if organization.did_method != "key" or organization.did_key:
        return key
    did = Ed25519Key.from_multibase(key.public_key_multibase).did_key
    Organization.objects.filter(pk=organization.pk, did_key="").update(did_key=did)
    organization.refresh_from_db(fields=["did_key"])
    key.organization = organization
    return key


def _refuse_for_did_key(organization: Organization, what: str) -> None:
    if organization.did_method == "key":
        raise ValidationError(
            {
                "key": [
                    f"{organization.name} issues under a did:key, whose identity is its key: the key cannot be "
                    f"{what}. Revoke the credentials it signed instead, and issue under a did:web organization to "
                    "have keys that can change."
                ]
            }
        )


def do_rotate_signing_key(*, organization: Organization, actor: Any) -> SigningKey:
    """A new active key; the old one is superseded and keeps verifying what it signed."""
    _refuse_for_did_key(organization, "rotated")
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        old = SigningKey.objects.filter(organization=organization, state=KeyState.ACTIVE).first()
        if old is not None:
            old.state = KeyState.SUPERSEDED
            old.superseded_at = timezone.now()
            old.save(update_fields=["state", "superseded_at"])
        row = _new_key(organization, actor)
        audit.record(
            "signing.key_rotated",
            row,
            actor=actor,
            organization=organization,
            key=row.public_key_multibase,
            previous=old.public_key_multibase if old else None,
        )
        _changed(organization, revoked=False)
    return row


def do_revoke_signing_key(*, key: SigningKey, reason: str, actor: Any) -> SigningKey:
    """Retire a compromised key: everything it signed fails verification from now on.

    If it was the active key a new one takes its place, so issuing goes on; the organization's status
    lists are re-signed with that key (see :mod:`credstack.signing.signals`).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the key is retired (for example: the server was breached)."]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [f"At most {MAX_REASON} characters."]})
    _refuse_for_did_key(key.organization, "retired")
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=key.organization_id)
        key = SigningKey.objects.select_for_update().get(pk=key.pk)
        if key.state == KeyState.REVOKED:
            raise ValidationError({"key": ["This key is already retired."]})
        was_active = key.state == KeyState.ACTIVE
        key.state = KeyState.REVOKED
        key.revoked_at = timezone.now()
        key.revocation_reason = reason
        key.save(update_fields=["state", "revoked_at", "revocation_reason"])
        audit.record(
            "signing.key_revoked",
            key,
            actor=actor,
            organization=key.organization,
            key=key.public_key_multibase,
            reason=reason,
        )
        if was_active:
            replacement = _new_key(key.organization, actor)
            audit.record(
                "signing.key_created",
                replacement,
                actor=actor,
                organization=key.organization,
                key=replacement.public_key_multibase,
                replaces=key.public_key_multibase,
            )
        _changed(key.organization, revoked=True)
    return key


def do_rewrap_signing_keys(*, actor: Any) -> int:
    """Re-encrypt every key made under an older KEK with the current one; returns how many changed."""
    current = kek.kek_id(kek.current_kek())
    changed = 0
    for row_id in SigningKey.objects.exclude(kek_id=current).values_list("pk", flat=True):
        with transaction.atomic():
            row = SigningKey.objects.select_for_update().select_related("organization").get(pk=row_id)
            if row.kek_id == current:
                continue
            seed = kek.decrypt(bytes(row.encrypted_private_key), row.kek_id, row.associated_data())
            row.kek_id, row.encrypted_private_key = kek.encrypt(seed, row.associated_data())
            row.save(update_fields=["kek_id", "encrypted_private_key"])
            audit.record("signing.key_rewrapped", row, actor=actor, organization=row.organization, kek=current)
            changed += 1
    return changed
