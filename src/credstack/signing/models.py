"""Organization signing keys: Ed25519, the private half only ever stored encrypted under the KEK.

A key is ``active`` (new credentials are signed with it; at most one per organization, a database
constraint), ``superseded`` (rotated out: no longer signs, but stays in the organization's DID
document so that everything it signed keeps verifying) or ``revoked`` (retired as compromised: it
stays listed in the DID document with a ``revoked`` date and no verification relationship, so every
credential it signed fails verification with that reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from credstack.organizations.models import Organization
from credstack.signing import kek
from credstack.vc.keys import Ed25519Key


class KeyState(models.TextChoices):
    ACTIVE = "active", "Active (signs new credentials)"
    SUPERSEDED = "superseded", "Rotated out (still verifies)"
    REVOKED = "revoked", "Retired as compromised (no longer verifies)"


class SigningKey(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="signing_keys")
    public_key_multibase = models.CharField(max_length=64, unique=True)
    # nonce || AES-256-GCM ciphertext of the 32-byte Ed25519 seed; never shown anywhere.
    encrypted_private_key = models.BinaryField(editable=False)
    kek_id = models.CharField(max_length=16, editable=False)
    state = models.CharField(max_length=20, choices=KeyState.choices, default=KeyState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(state="active"), name="one_active_signing_key_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug} {self.public_key_multibase[:16]}… ({self.state})"

    def __repr__(self) -> str:
        # Never include the ciphertext: reprs end up in logs and tracebacks.
        return f"<SigningKey {self.pk} {self.organization_id} {self.public_key_multibase} {self.state}>"

    @property
    def verification_method(self) -> str:
        return f"{self.organization.issuer_id}#{self.public_key_multibase}"

    def associated_data(self) -> bytes:
        return f"credstack-signing-key\x00{self.organization_id}\x00{self.public_key_multibase}".encode()

    def public_key(self) -> Ed25519Key:
        """The public key under the organization's DID (for DID documents); no decryption."""
        return Ed25519Key.from_multibase(self.public_key_multibase, controller=self.organization.issuer_id)

    def signer(self) -> Ed25519Key:
        """The key with its private half, decrypted for signing; kept in memory only by the caller."""
        seed = kek.decrypt(bytes(self.encrypted_private_key), self.kek_id, self.associated_data())
        return Ed25519Key.from_private_bytes(seed, controller=self.organization.issuer_id)
