"""did:key, did:web and issuer-URL verification methods."""

from __future__ import annotations

import json

import pytest

from credstack.vc.did import (
    DefaultResolver,
    did_web_document,
    did_web_to_url,
    url_to_did_web,
)
from credstack.vc.errors import ResolutionError
from credstack.vc.fetch import StaticFetcher
from credstack.vc.keys import Ed25519Key

KEY = Ed25519Key.generate(bytes(range(32)))


def test_did_key_offline() -> None:
    method = DefaultResolver().resolve_verification_method(KEY.verification_method_id)
    assert method.public_key == KEY.public_key_bytes
    assert method.controller == KEY.did_key
    assert "assertionMethod" in method.purposes
    with pytest.raises(ResolutionError):
        DefaultResolver().resolve_verification_method(KEY.did_key + "#z6MkOther")
    with pytest.raises(ResolutionError):
        DefaultResolver().resolve_verification_method("did:key:zDnaeWrong#zDnaeWrong")


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:issuer.example", "https://issuer.example/.well-known/did.json"),
        ("did:web:issuer.example:orgs:42", "https://issuer.example/orgs/42/did.json"),
        ("did:web:localhost%3A8443:a", "https://localhost:8443/a/did.json"),
    ],
)
def test_did_web_to_url(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


def test_url_to_did_web() -> None:
    assert url_to_did_web("https://localhost:8443/orgs/42") == "did:web:localhost%3A8443:orgs:42"


@pytest.mark.parametrize("did", ["did:web:", "did:web:host:..", "did:web:a/b", "did:key:z6Mk"])
def test_bad_did_web(did: str) -> None:
    with pytest.raises(ResolutionError):
        did_web_to_url(did)


def test_did_web_resolves_through_fetcher_only() -> None:
    did = "did:web:issuer.example:orgs:42"
    document = did_web_document(did, [KEY])
    vm_id = document["assertionMethod"][0]
    assert vm_id == f"{did}#{KEY.public_key_multibase}"
    with pytest.raises(ResolutionError, match="not allowed"):
        DefaultResolver().resolve_verification_method(vm_id)
    resolver = DefaultResolver(StaticFetcher({did_web_to_url(did): json.dumps(document).encode()}))
    method = resolver.resolve_verification_method(vm_id)
    assert method.controller == did and method.public_key == KEY.public_key_bytes
    assert method.purposes == {"assertionMethod", "authentication"}


def test_did_web_controller_must_match() -> None:
    did = "did:web:issuer.example"
    document = did_web_document(did, [KEY])
    document["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    resolver = DefaultResolver(StaticFetcher({did_web_to_url(did): json.dumps(document).encode()}))
    with pytest.raises(ResolutionError, match="controlled by"):
        resolver.resolve_verification_method(document["assertionMethod"][0])


def test_issuer_url_convention() -> None:
    issuer = "https://issuer.example/profile"
    key = KEY.with_controller(issuer)
    profile = {"id": issuer, "type": "Profile", "verificationMethod": [key.to_multikey()]}
    resolver = DefaultResolver(StaticFetcher({issuer: json.dumps(profile).encode()}))
    method = resolver.resolve_verification_method(key.verification_method_id)
    assert method.controller == issuer
    # another issuer's profile cannot vouch for this key
    other = {"id": "https://other.example/", "verificationMethod": [key.to_multikey()]}
    resolver = DefaultResolver(StaticFetcher({issuer: json.dumps(other).encode()}))
    with pytest.raises(ResolutionError):
        resolver.resolve_verification_method(key.verification_method_id)
    # a key the profile does not list
    stranger = Ed25519Key.generate(bytes(32), controller=issuer)
    resolver = DefaultResolver(StaticFetcher({issuer: json.dumps(profile).encode()}))
    with pytest.raises(ResolutionError, match="does not list"):
        resolver.resolve_verification_method(stranger.verification_method_id)


def test_revoked_key_is_refused_with_its_date() -> None:
    """A method marked ``revoked`` (CID 1.0) no longer resolves, and the error says so and when."""
    did = "did:web:issuer.example:orgs:42"
    document = did_web_document(did, [KEY])
    document["verificationMethod"][0]["revoked"] = "2026-03-01T00:00:00Z"
    document["assertionMethod"] = []
    resolver = DefaultResolver(StaticFetcher({did_web_to_url(did): json.dumps(document).encode()}))
    with pytest.raises(ResolutionError, match="revoked by its controller on 2026-03-01T00:00:00Z"):
        resolver.resolve_verification_method(f"{did}#{KEY.public_key_multibase}")
