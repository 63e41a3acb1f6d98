"""Ed25519 keys, did:key identifiers and the key file the command line reads and writes.

A key is identified by its Multikey ``publicKeyMultibase`` (``z6Mk…``). Without a controller it
is a did:key key: controller ``did:key:z6Mk…``, verification method ``did:key:z6Mk…#z6Mk…``. With
a controller (a did:web DID or an issuer URL, the Open Badges convention) the verification method
is ``<controller>#<publicKeyMultibase>``.

Key file (JSON, UTF-8), a Multikey verification method plus the secret key::

    {
      "type": "Multikey",
      "id": "did:key:z6Mk…#z6Mk…",
      "controller": "did:key:z6Mk…",
      "publicKeyMultibase": "z6Mk…",
      "secretKeyMultibase": "z3u2…"
    }

``secretKeyMultibase`` is ``z`` + base58btc(0x8026 ``ed25519-priv`` multicodec prefix + the
32-byte seed), as in the W3C vc-di-eddsa test vectors (``privateKeyMultibase`` is accepted on
reading). A public key file is the same without ``secretKeyMultibase``. A file holding a secret
key is created with mode 0600.

Signing and verifying go through libsodium (PyNaCl): on the 64-byte hash data of a Data Integrity proof it
signs and, above all, verifies faster than the OpenSSL binding of ``cryptography``, which still parses and
serialises keys (the benchmark prints both). Ed25519 signatures are deterministic, so both give the same bytes.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import nacl.bindings
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from nacl.exceptions import BadSignatureError

from credstack.vc import multibase
from credstack.vc.errors import InputError

ALGORITHM = "Ed25519"


@runtime_checkable
class Signer(Protocol):
    """What a proof needs from a key: where to find the public key, and a signature."""

    @property
    def verification_method(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Ed25519Key:
    """An Ed25519 key pair (or a public key alone) with its identifiers."""

    def __init__(
        self,
        public_key: bytes,
        private_key: bytes | None = None,
        *,
        controller: str | None = None,
    ) -> None:
        if len(public_key) != 32:
            raise InputError("An Ed25519 public key has 32 bytes.")
        self._public = Ed25519PublicKey.from_public_bytes(public_key)
        self._private: Ed25519PrivateKey | None = None
        self._sodium_secret: bytes | None = None  # libsodium's 64-byte secret key (seed + public key)
        if private_key is not None:
            if len(private_key) != 32:
                raise InputError("An Ed25519 private key (seed) has 32 bytes.")
            self._private = Ed25519PrivateKey.from_private_bytes(private_key)
            derived = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            if derived != public_key:
                raise InputError("The private key does not belong to the public key.")
            self._sodium_secret = bytes(private_key) + bytes(public_key)
        self._public_bytes = bytes(public_key)
        self._controller = controller
        self._multibase: str | None = None  # computed once: every proof names the verification method

    # construction

    @classmethod
    def generate(cls, seed: bytes | None = None, *, controller: str | None = None) -> Ed25519Key:
        """A new key; a 32-byte ``seed`` makes it deterministic (tests, interoperability checks)."""
        if seed is None:
            seed = os.urandom(32)
        return cls.from_private_bytes(seed, controller=controller)

    @classmethod
    def from_private_bytes(cls, seed: bytes, *, controller: str | None = None) -> Ed25519Key:
        if len(seed) != 32:
            raise InputError("An Ed25519 seed has 32 bytes.")
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(public, seed, controller=controller)

    @classmethod
    def from_public_bytes(cls, public_key: bytes, *, controller: str | None = None) -> Ed25519Key:
        return cls(public_key, controller=controller)

    @classmethod
    def from_multibase(
        cls, public_key_multibase: str, secret_key_multibase: str | None = None, *, controller: str | None = None
    ) -> Ed25519Key:
        public = multibase.decode_key(public_key_multibase, multibase.ED25519_PUB)
        secret = None
        if secret_key_multibase is not None:
            secret = multibase.decode_key(secret_key_multibase, multibase.ED25519_PRIV)
        return cls(public, secret, controller=controller)

    def with_controller(self, controller: str | None) -> Ed25519Key:
        """The same key under another controller (``None``: did:key)."""
        return Ed25519Key(self._public_bytes, self.private_key_bytes, controller=controller)

    # identifiers

    @property
    def public_key_bytes(self) -> bytes:
        return self._public_bytes

    @property
    def private_key_bytes(self) -> bytes | None:
        if self._private is None:
            return None
        return self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def has_private_key(self) -> bool:
        return self._private is not None

    @property
    def public_key_multibase(self) -> str:
        if self._multibase is None:
            self._multibase = multibase.encode_key(multibase.ED25519_PUB, self._public_bytes)
        return self._multibase

    @property
    def secret_key_multibase(self) -> str | None:
        seed = self.private_key_bytes
        return None if seed is None else multibase.encode_key(multibase.ED25519_PRIV, seed)

    @property
    def did_key(self) -> str:
        return "did:key:" + self.public_key_multibase

    @property
    def controller(self) -> str:
        return self._controller or self.did_key

    @property
    def verification_method_id(self) -> str:
        return f"{self.controller}#{self.public_key_multibase}"

    # Signer

    @property
    def verification_method(self) -> str:
        return self.verification_method_id

    @property
    def algorithm(self) -> str:
        return ALGORITHM

    def sign(self, data: bytes) -> bytes:
        if self._sodium_secret is None:
            raise InputError("This key has no private part; it cannot sign.")
        signed: bytes = nacl.bindings.crypto_sign(bytes(data), self._sodium_secret)
        return signed[:64]

    def verify(self, data: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature of ``data``."""
        if len(signature) != 64:
            return False
        try:
            nacl.bindings.crypto_sign_open(bytes(signature) + bytes(data), self._public_bytes)
        except BadSignatureError:
            return False
        return True

    # representations

    def to_jwk(self, *, private: bool = False) -> dict[str, str]:
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(self._public_bytes)}
        if private:
            seed = self.private_key_bytes
            if seed is None:
                raise InputError("This key has no private part.")
            jwk["d"] = _b64url(seed)
        return jwk

    def to_multikey(self) -> dict[str, str]:
        """The public Multikey verification method (for DID documents and issuer profiles)."""
        return {
            "id": self.verification_method_id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }

    def to_key_file_json(self, *, include_private: bool = True) -> dict[str, str]:
        data = self.to_multikey()
        if include_private:
            secret = self.secret_key_multibase
            if secret is None:
                raise InputError("This key has no private part to export.")
            data["secretKeyMultibase"] = secret
        return data

    @classmethod
    def from_key_file_json(cls, data: Any) -> Ed25519Key:
        if not isinstance(data, dict):
            raise InputError("A key file holds a JSON object.")
        if data.get("type", "Multikey") != "Multikey":
            raise InputError(f"Unsupported key type {data.get('type')!r}; expected Multikey.")
        public = data.get("publicKeyMultibase")
        if not isinstance(public, str):
            raise InputError("The key file has no publicKeyMultibase.")
        secret = data.get("secretKeyMultibase", data.get("privateKeyMultibase"))
        if secret is not None and not isinstance(secret, str):
            raise InputError("secretKeyMultibase must be a string.")
        controller = data.get("controller")
        if controller is not None and not isinstance(controller, str):
            raise InputError("controller must be a string.")
        key = cls.from_multibase(public, secret)
        if controller and controller != key.did_key:
            key = key.with_controller(controller)
        key_id = data.get("id")
        if key_id is not None and key_id != key.verification_method_id:
            raise InputError(
                f"The key id {key_id!r} is not {key.verification_method_id!r} (controller#publicKeyMultibase)."
            )
        return key

    def __repr__(self) -> str:
        return f"Ed25519Key({self.verification_method_id!r}, private={self.has_private_key})"


def verify_ed25519(public_key: bytes, data: bytes, signature: bytes) -> bool:
    """:meth:`Ed25519Key.verify` without building a key object (the verifier's hot path)."""
    if len(public_key) != 32:
        raise InputError("An Ed25519 public key has 32 bytes.")
    if len(signature) != 64:
        return False
    try:
        nacl.bindings.crypto_sign_open(bytes(signature) + bytes(data), bytes(public_key))
    except BadSignatureError:
        return False
    return True


def save_key_file(key: Ed25519Key, path: str | os.PathLike[str], *, include_private: bool = True) -> None:
    """Write the key file; with the secret key the file gets mode 0600 (also when it existed)."""
    text = json.dumps(key.to_key_file_json(include_private=include_private), indent=2) + "\n"
    mode = 0o600 if include_private else 0o644
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def load_key_file(path: str | os.PathLike[str]) -> Ed25519Key:
    """Read a key file written by :func:`save_key_file`; :class:`InputError` if unusable."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"Cannot read the key file {os.fspath(path)}: {exc}") from exc
    return Ed25519Key.from_key_file_json(data)
