"""The key-encryption key (KEK) that protects organization signing keys at rest.

Private signing keys are stored only as AES-256-GCM ciphertext under the KEK; the KEK itself never
enters the database, so a copy of the database (a backup, a replica, a leaked dump) does not hold a
usable signing key. The KEK comes from ``CREDSTACK_KEK`` (base64 of 32 random bytes, required in
production, where it belongs in a secret store); in development it is generated once into
``CREDSTACK_HOME/kek`` with mode 0600 so that ``make run`` works with no set-up.

``CREDSTACK_KEK_PREVIOUS`` (comma-separated, same format) lists retired KEKs that may still decrypt,
so that the KEK can be rotated: set the new one, keep the old one there, run
``credstack signing-keys --rewrap``, then drop the old one. Each ciphertext records the short id of
the KEK it was made under, so a wrong KEK is a clear error instead of a failed tag check.

The associated data binds each ciphertext to its organization and public key: a ciphertext copied
onto another row (another organization) does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12
KEK_BYTES = 32


class KeyDecryptionError(Exception):
    """A stored private key cannot be decrypted with the configured KEKs."""


def _parse(value: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64: {exc}") from exc
    if len(raw) != KEK_BYTES:
        raise ImproperlyConfigured(f"{name} must be base64 of {KEK_BYTES} bytes (it decodes to {len(raw)}).")
    return raw


def _development_kek(home: Path) -> bytes:
    path = home / "kek"
    if not path.exists():
        try:
            # Created once, owner-only, never logged; O_EXCL so two processes starting together agree.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(os.urandom(KEK_BYTES)).decode("ascii") + "\n")
    return _parse(path.read_text(), str(path))


def current_kek() -> bytes:
    """The KEK new ciphertexts are made under."""
    configured = getattr(settings, "CREDSTACK_KEK", "")
    if configured:
        return _parse(configured, "CREDSTACK_KEK")
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("CREDSTACK_KEK must be set when CREDSTACK_ENV=production.")
    return _development_kek(Path(settings.CREDSTACK_HOME))


def all_keks() -> dict[str, bytes]:
    """Every KEK that may decrypt, by id: the current one and the previous ones."""
    keks = {kek_id(current_kek()): current_kek()}
    for number, value in enumerate(getattr(settings, "CREDSTACK_KEK_PREVIOUS", []) or []):
        raw = _parse(value, f"CREDSTACK_KEK_PREVIOUS[{number}]")
        keks.setdefault(kek_id(raw), raw)
    return keks


def kek_id(kek: bytes) -> str:
    """A short public fingerprint of a KEK (not reversible; safe to store next to the ciphertext)."""
    return hashlib.sha256(b"credstack-kek-id\x00" + kek).hexdigest()[:16]


def encrypt(plaintext: bytes, associated_data: bytes) -> tuple[str, bytes]:
    """``(kek id, nonce || ciphertext)`` of ``plaintext`` under the current KEK."""
    kek = current_kek()
    nonce = os.urandom(NONCE_BYTES)
    return kek_id(kek), nonce + AESGCM(kek).encrypt(nonce, plaintext, associated_data)


def decrypt(blob: bytes, key_id: str, associated_data: bytes) -> bytes:
    """The plaintext of :func:`encrypt`'s output; :class:`KeyDecryptionError` if no KEK opens it."""
    kek = all_keks().get(key_id)
    if kek is None:
        raise KeyDecryptionError(
            f"This signing key was encrypted under KEK {key_id}, which is neither CREDSTACK_KEK nor listed in "
            "CREDSTACK_KEK_PREVIOUS. Restore that KEK (see docs/operations.md, 'Signing keys')."
        )
    try:
        return AESGCM(kek).decrypt(bytes(blob[:NONCE_BYTES]), bytes(blob[NONCE_BYTES:]), associated_data)
    except InvalidTag as exc:
        raise KeyDecryptionError(
            "A stored signing key does not decrypt: it was altered or moved to another row."
        ) from exc
