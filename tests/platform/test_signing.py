"""Organization signing keys: encrypted at rest, did:web document, rotation and retirement."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client, override_settings

from credstack.organizations.models import Organization
from credstack.signing import kek
from credstack.signing.actions import (
    do_ensure_signing_key,
    do_revoke_signing_key,
    do_rewrap_signing_keys,
    do_rotate_signing_key,
)
from credstack.signing.models import KeyState, SigningKey
from tests.platform.conftest import admin_of, client_for

OTHER_KEK = base64.b64encode(bytes(range(32))).decode()


def test_key_is_created_on_demand_and_stored_encrypted(org_a: Organization) -> None:
    assert not SigningKey.objects.filter(organization=org_a).exists()
    key = do_ensure_signing_key(organization=org_a)
    assert do_ensure_signing_key(organization=org_a).pk == key.pk  # one active key
    signer = key.signer()
    seed = signer.private_key_bytes
    assert seed is not None and seed not in bytes(key.encrypted_private_key)
    assert signer.public_key_multibase == key.public_key_multibase
    assert signer.verification_method == f"did:web:127.0.0.1%3A8000:issuers:org-a#{key.public_key_multibase}"
    assert "encrypted" not in repr(key) and str(bytes(key.encrypted_private_key)) not in repr(key)


def test_ciphertext_is_bound_to_its_row(org_a: Organization, org_b: Organization) -> None:
    key_a = do_ensure_signing_key(organization=org_a)
    key_b = do_ensure_signing_key(organization=org_b)
    key_b.encrypted_private_key = key_a.encrypted_private_key  # a ciphertext moved to another organization
    with pytest.raises(kek.KeyDecryptionError):
        key_b.signer()


def test_wrong_kek_is_a_clear_error_and_rewrap_moves_keys(org_a: Organization) -> None:
    key = do_ensure_signing_key(organization=org_a)
    with override_settings(CREDSTACK_KEK=OTHER_KEK):
        with pytest.raises(kek.KeyDecryptionError, match="CREDSTACK_KEK_PREVIOUS"):
            SigningKey.objects.get(pk=key.pk).signer()
    old = base64.b64encode(kek.current_kek()).decode()
    with override_settings(CREDSTACK_KEK=OTHER_KEK, CREDSTACK_KEK_PREVIOUS=[old]):
        assert SigningKey.objects.get(pk=key.pk).signer().public_key_multibase == key.public_key_multibase
        assert do_rewrap_signing_keys(actor=None) == 1
        assert do_rewrap_signing_keys(actor=None) == 0
    with override_settings(CREDSTACK_KEK=OTHER_KEK):
        assert SigningKey.objects.get(pk=key.pk).signer().public_key_multibase == key.public_key_multibase


def test_kek_is_required_in_production() -> None:
    with override_settings(CREDSTACK_KEK="", PRODUCTION=True), pytest.raises(ImproperlyConfigured):
        kek.current_kek()
    with override_settings(CREDSTACK_KEK="c2hvcnQ="), pytest.raises(ImproperlyConfigured, match="32 bytes"):
        kek.current_kek()


def test_development_kek_file_is_private(settings: Any, tmp_path: Any) -> None:
    settings.CREDSTACK_KEK = ""
    settings.CREDSTACK_HOME = tmp_path
    first = kek.current_kek()
    assert (tmp_path / "kek").stat().st_mode & 0o777 == 0o600
    assert kek.current_kek() == first


def test_did_document_lists_every_key_and_marks_revoked(org_a: Organization) -> None:
    admin = admin_of(org_a)
    first = do_ensure_signing_key(organization=org_a)
    second = do_rotate_signing_key(organization=org_a, actor=admin)
    do_revoke_signing_key(key=first, reason="laptop stolen", actor=admin)
    response = Client().get("/issuers/org-a/did.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/did+ld+json"
    assert response["ETag"] and "max-age" in response["Cache-Control"]
    doc = response.json()
    did = "did:web:127.0.0.1%3A8000:issuers:org-a"
    assert doc["id"] == did
    methods = {m["publicKeyMultibase"]: m for m in doc["verificationMethod"]}
    assert set(methods) == {first.public_key_multibase, second.public_key_multibase}
    assert "revoked" in methods[first.public_key_multibase]
    assert doc["assertionMethod"] == [f"{did}#{second.public_key_multibase}"]
    assert "laptop" not in response.content.decode()  # the reason stays with the issuer
    again = Client().get("/issuers/org-a/did.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_rotation_keeps_one_active_key(org_a: Organization) -> None:
    admin = admin_of(org_a)
    first = do_ensure_signing_key(organization=org_a)
    second = do_rotate_signing_key(organization=org_a, actor=admin)
    first.refresh_from_db()
    assert first.state == KeyState.SUPERSEDED and second.state == KeyState.ACTIVE
    assert SigningKey.objects.filter(organization=org_a, state=KeyState.ACTIVE).count() == 1


def test_revoking_the_active_key_replaces_it(org_a: Organization) -> None:
    admin = admin_of(org_a)
    first = do_ensure_signing_key(organization=org_a)
    with pytest.raises(ValidationError) as info:
        do_revoke_signing_key(key=first, reason="  ", actor=admin)
    assert "reason" in info.value.message_dict
    do_revoke_signing_key(key=first, reason="compromised", actor=admin)
    active = SigningKey.objects.get(organization=org_a, state=KeyState.ACTIVE)
    assert active.pk != first.pk
    with pytest.raises(ValidationError):
        do_revoke_signing_key(key=first, reason="again", actor=admin)


def test_keys_page_permissions_and_forms(org_a: Organization, org_b: Organization) -> None:
    admin = client_for(admin_of(org_a))
    assert client_for(admin_of(org_b)).get("/manage/org-a/keys/").status_code == 404
    assert Client().get("/manage/org-a/keys/").status_code == 302
    assert admin.post("/manage/org-a/keys/rotate/").status_code == 302
    key = SigningKey.objects.get(organization=org_a, state=KeyState.ACTIVE)
    page = admin.get("/manage/org-a/keys/").content.decode()
    assert key.public_key_multibase in page
    assert client_for(admin_of(org_b)).post(f"/manage/org-a/keys/{key.pk}/retire/", {"reason": "x"}).status_code == 404
    missing = admin.post(f"/manage/org-a/keys/{key.pk}/retire/", {"reason": "stolen laptop"})
    assert missing.status_code == 400 and "Tick the box" in missing.content.decode()
    assert 'value="stolen laptop"' in missing.content.decode()  # what was typed is kept
    blank = admin.post(f"/manage/org-a/keys/{key.pk}/retire/", {"reason": "", "confirm": "yes"})
    assert blank.status_code == 400 and "Say why" in blank.content.decode()
    assert admin.post(f"/manage/org-a/keys/{key.pk}/retire/", {"reason": "stolen", "confirm": "yes"}).status_code == 302
    key.refresh_from_db()
    assert key.state == KeyState.REVOKED


def test_admin_never_shows_the_private_key(org_a: Organization, make_user: Any) -> None:
    key = do_ensure_signing_key(organization=org_a)
    staff = make_user("staff@example.org", is_staff=True, is_superuser=True)
    client = client_for(staff)
    page = client.get(f"/admin/signing/signingkey/{key.pk}/change/").content.decode()
    assert key.public_key_multibase in page
    assert (
        "encrypted_private_key" not in page and base64.b64encode(bytes(key.encrypted_private_key)).decode() not in page
    )
    assert json.dumps(key.public_key_multibase)[1:-1] in client.get("/admin/signing/signingkey/").content.decode()
