"""Resolving verification methods: did:key offline, did:web and issuer URLs through a fetcher.

- ``did:key:z6Mk…#z6Mk…``: the key is in the identifier; nothing is fetched.
- ``did:web:host[:path…]#frag``: the DID document at ``https://host/.well-known/did.json`` (or
  ``https://host/path/…/did.json``) is fetched through the injected :class:`Fetcher` only.
- ``https://issuer.example/…#z6Mk…`` (the Open Badges 3.0 convention): the issuer profile at the
  URL without fragment is fetched through the fetcher and the key looked up in it (its
  ``verificationMethod``/``assertionMethod`` entries, or the fetched document itself when it is the
  key). The key's controller must be the document's id, i.e. the issuer.

Written by hand rather than with a DID resolver library: only these three methods are accepted,
and every network access must go through the caller's :class:`Fetcher`.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from credstack.vc import multibase
from credstack.vc.errors import FetchError, InputError, ResolutionError
from credstack.vc.fetch import Fetcher, NoNetwork
from credstack.vc.keys import Ed25519Key

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")
_KEY_TYPES = ("Multikey", "Ed25519VerificationKey2020", "JsonWebKey2020", "JsonWebKey")
_MAX_DOCUMENT_BYTES = 512 * 1024
# how the base58btc Multikey forms of Ed25519, P-256 and P-384 public keys begin
_MULTIKEY_PREFIXES = ("z6Mk", "zDn", "z82")


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: bytes
    #: verification relationships that list this method (``assertionMethod``, ...)
    purposes: frozenset[str] = field(default=frozenset(RELATIONSHIPS))
    #: ``Ed25519`` (32 raw bytes), ``P-256`` or ``P-384`` (compressed SEC1 point, 33 or 49 bytes)
    algorithm: str = multibase.ED25519

    @property
    def public_key_multibase(self) -> str:
        return multibase.encode_key(multibase.PUBLIC_KEY_CODECS[self.algorithm], self.public_key)


class Resolver(Protocol):
    def resolve_verification_method(self, vm_id: str) -> VerificationMethod:
        """Return the method or raise :class:`ResolutionError` with a readable message."""
        ...


def did_web_to_url(did: str) -> str:
    """``did:web:example.com:issuers:1`` -> ``https://example.com/issuers/1/did.json``."""
    if not did.startswith("did:web:"):
        raise ResolutionError(f"{did!r} is not a did:web DID.")
    parts = did[len("did:web:") :].split("#", 1)[0].split(":")
    if not parts[0]:
        raise ResolutionError(f"{did!r} has no host.")
    host = urllib.parse.unquote(parts[0])
    if any(c in host for c in "/?#@") or " " in host:
        raise ResolutionError(f"{did!r} has an invalid host.")
    path = [urllib.parse.unquote(p) for p in parts[1:]]
    if any(not p or "/" in p or p in (".", "..") for p in path):
        raise ResolutionError(f"{did!r} has an invalid path.")
    if not path:
        return f"https://{host}/.well-known/did.json"
    return f"https://{host}/{'/'.join(urllib.parse.quote(p) for p in path)}/did.json"


def url_to_did_web(url: str) -> str:
    """The did:web DID for an https base URL (``https://h:8443/a/b`` -> ``did:web:h%3A8443:a:b``)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" or not parsed.hostname:
        raise InputError("A did:web DID needs an https URL.")
    host = parsed.netloc.replace(":", "%3A")
    path = [p for p in parsed.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def did_web_document(did: str, keys: Iterable[Ed25519Key]) -> dict[str, Any]:
    """A DID document for ``did`` listing ``keys`` as Multikey methods for assertion and authentication."""
    did_web_to_url(did)  # validates
    methods = [key.with_controller(did).to_multikey() for key in keys]
    ids = [m["id"] for m in methods]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }


def _key_from_method(method: Mapping[str, Any]) -> tuple[str, bytes]:
    """(algorithm, public key bytes) of a verification method: Ed25519, P-256 or P-384."""
    if isinstance(method.get("publicKeyMultibase"), str):
        algorithm, key = multibase.decode_public_key(method["publicKeyMultibase"])
        if method.get("type") == "Ed25519VerificationKey2020" and algorithm != multibase.ED25519:
            raise ResolutionError(f"The Ed25519VerificationKey2020 {method.get('id')!r} holds a {algorithm} key.")
        return algorithm, key
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, Mapping) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        x = jwk.get("x")
        if isinstance(x, str):
            return multibase.ED25519, multibase.decode("u" + x)
    if isinstance(jwk, Mapping) and jwk.get("kty") == "EC" and jwk.get("crv") in ("P-256", "P-384"):
        x, y = jwk.get("x"), jwk.get("y")
        if isinstance(x, str) and isinstance(y, str):
            return str(jwk["crv"]), multibase.compress_ec_point(multibase.decode("u" + x), multibase.decode("u" + y))
    raise ResolutionError(f"The verification method {method.get('id')!r} has no Ed25519, P-256 or P-384 public key.")


def _absolute(reference: Any, base: str) -> Any:
    if isinstance(reference, str) and reference.startswith("#"):
        return base.split("#", 1)[0] + reference
    return reference


@dataclass
class DefaultResolver:
    """did:key offline; did:web and http(s) verification methods only through ``fetcher``."""

    fetcher: Fetcher = field(default_factory=NoNetwork)

    def resolve_verification_method(self, vm_id: str) -> VerificationMethod:
        if not isinstance(vm_id, str) or not vm_id:
            raise ResolutionError("The verification method is missing or not a string.")
        try:
            if vm_id.startswith("did:key:"):
                return _resolve_did_key(vm_id)
            if vm_id.startswith("did:web:"):
                return self._resolve_in_document(vm_id, did_web_to_url(vm_id), vm_id.split("#", 1)[0])
            if vm_id.startswith(("https://", "http://")):
                base = vm_id.split("#", 1)[0]
                return self._resolve_in_document(vm_id, base, base)
        except FetchError as exc:
            raise ResolutionError(f"Cannot resolve {vm_id}: {exc}") from exc
        except InputError as exc:
            raise ResolutionError(f"Cannot resolve {vm_id}: {exc}") from exc
        raise ResolutionError(f"Unsupported verification method {vm_id!r} (did:key, did:web and https URLs are).")

    def _resolve_in_document(self, vm_id: str, url: str, expected_id: str) -> VerificationMethod:
        result = self.fetcher.fetch(url, accept="application/did+json, application/ld+json, application/json")
        if len(result.body) > _MAX_DOCUMENT_BYTES:
            raise ResolutionError(f"The document at {url} is too large.")
        try:
            document = json.loads(result.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ResolutionError(f"The document at {url} is not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise ResolutionError(f"The document at {url} is not a JSON object.")
        if document.get("id") == vm_id and ("publicKeyMultibase" in document or "publicKeyJwk" in document):
            # the URL names the key document itself
            return self._method(document, vm_id, str(document.get("controller", "")), None)
        if document.get("id") != expected_id:
            raise ResolutionError(f"The document at {url} has id {document.get('id')!r}, not {expected_id!r}.")
        candidates: list[Mapping[str, Any]] = []
        purposes: set[str] = set()
        for relation in ("verificationMethod", *RELATIONSHIPS):
            entries = document.get(relation, [])
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, Mapping):
                    if _absolute(entry.get("id"), expected_id) == vm_id:
                        candidates.append(entry)
                        if relation != "verificationMethod":
                            purposes.add(relation)
                elif _absolute(entry, expected_id) == vm_id and relation != "verificationMethod":
                    purposes.add(relation)
        if not candidates:
            raise ResolutionError(f"The document at {url} does not list the key {vm_id}.")
        if vm_id.startswith("http") and not purposes:
            # an issuer profile lists keys without relationships: the profile's keys assert its credentials
            purposes = {"assertionMethod"}
        return self._method(candidates[0], vm_id, expected_id, frozenset(purposes))

    @staticmethod
    def _method(
        method: Mapping[str, Any], vm_id: str, expected_controller: str, purposes: frozenset[str] | None
    ) -> VerificationMethod:
        revoked = method.get("revoked")
        if revoked is not None:
            # CID 1.0 / Multikey: a verification method with a ``revoked`` date must not be trusted any more,
            # whatever it signed and whenever; the controller says so on purpose (e.g. a compromised key).
            raise ResolutionError(
                f"The key {vm_id} was revoked by its controller on {revoked} (retired, e.g. as compromised); "
                "signatures made with it are no longer accepted."
            )
        type_ = method.get("type")
        if type_ not in _KEY_TYPES:
            raise ResolutionError(f"The verification method {vm_id} has unsupported type {type_!r}.")
        controller = method.get("controller")
        if controller != expected_controller or not controller:
            raise ResolutionError(
                f"The verification method {vm_id} is controlled by {controller!r}, not by {expected_controller!r}."
            )
        algorithm, public_key = _key_from_method(method)
        fragment = vm_id.split("#", 1)[1] if "#" in vm_id else ""
        if fragment.startswith(_MULTIKEY_PREFIXES) and fragment != multibase.encode_key(
            multibase.PUBLIC_KEY_CODECS[algorithm], public_key
        ):
            raise ResolutionError(f"The key fragment of {vm_id} does not match its publicKeyMultibase.")
        return VerificationMethod(
            id=vm_id,
            type=str(type_),
            controller=controller,
            public_key=public_key,
            purposes=purposes if purposes is not None else frozenset({"assertionMethod"}),
            algorithm=algorithm,
        )


@lru_cache(maxsize=1024)
def _resolve_did_key(vm_id: str) -> VerificationMethod:
    # a did:key resolves from its own text (nothing to revoke or fetch): issuers' keys repeat on every credential
    did, _, fragment = vm_id.partition("#")
    encoded = did[len("did:key:") :]
    if not encoded.startswith(_MULTIKEY_PREFIXES):
        raise ResolutionError(
            f"{did} is not an Ed25519, P-256 or P-384 did:key (it must start with did:key:z6Mk, zDn or z82)."
        )
    if fragment and fragment != encoded:
        raise ResolutionError(f"The fragment of {vm_id} must repeat the key ({encoded}).")
    algorithm, public_key = multibase.decode_public_key(encoded)
    return VerificationMethod(
        id=f"{did}#{encoded}", type="Multikey", controller=did, public_key=public_key, algorithm=algorithm
    )
