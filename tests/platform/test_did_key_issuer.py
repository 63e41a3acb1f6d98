"""An organization may issue under a did:key (its one key is its identity): credentials verify anywhere offline,
the key can never be rotated or retired, and the choice is made before the first credential."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_update_organization_profile
from credstack.organizations.models import Organization
from credstack.signing.actions import do_ensure_signing_key, do_revoke_signing_key, do_rotate_signing_key
from credstack.vc.fetch import NoNetwork, StaticFetcher
from credstack.vc.verify import VerifyOptions, verify
from tests.platform.conftest import admin_of, profile_form
from tests.platform.test_awards import award
from tests.platform.test_verifier_issue import UNSIGNED, _client, issue


def use_did_key(org: Organization) -> Organization:
    return do_update_organization_profile(organization=org, actor=admin_of(org), did_method="key")


def test_a_did_key_organization_issues_credentials_that_verify_offline(published: MicroCredentialVersion) -> None:
    org = use_did_key(published.organization)
    credential = award(org)
    document = credential.document
    key = do_ensure_signing_key(organization=org)
    did = f"did:key:{key.public_key_multibase}"
    assert org.issuer_id == did and document["issuer"]["id"] == did
    assert document["proof"]["verificationMethod"] == f"{did}#{key.public_key_multibase}"
    # nothing of the platform is needed to check the signature and the issuer binding: the did:key is the key
    status_url = document["credentialStatus"]["statusListCredential"]
    status = Client().get(status_url.removeprefix("http://127.0.0.1:8000")).content
    report = verify(document, options=VerifyOptions(fetcher=StaticFetcher({status_url: status}, NoNetwork())))
    assert report.verdict == "valid", report.to_text()
    assert report.check("issuer_controller").status == "passed"
    # the VC API signs under the same identity
    signed = issue(_client(org), {**UNSIGNED, "issuer": did}).json()["verifiableCredential"]
    assert signed["issuer"]["id"] == did and signed["proof"]["verificationMethod"].startswith(did)


def test_a_did_key_can_never_be_rotated_or_retired(published: MicroCredentialVersion) -> None:
    org = use_did_key(published.organization)
    award(org)
    key = do_ensure_signing_key(organization=org)
    with pytest.raises(ValidationError, match="cannot be rotated"):
        do_rotate_signing_key(organization=org, actor=admin_of(org))
    with pytest.raises(ValidationError, match="cannot be retired"):
        do_revoke_signing_key(key=key, reason="leaked", actor=admin_of(org))
    assert do_ensure_signing_key(organization=org) == key


def test_the_identity_is_chosen_before_the_first_credential(published: MicroCredentialVersion) -> None:
    org = published.organization
    award(org)
    with pytest.raises(ValidationError) as info:
        use_did_key(org)
    assert "can no longer change" in info.value.message_dict["did_method"][0]
    org.refresh_from_db()
    assert org.did_method == "web" and org.issuer_id.startswith("did:web:")


def test_the_profile_page_offers_the_choice_with_its_trade_off(org_a: Organization, client: Client) -> None:
    client.force_login(admin_of(org_a))
    page = client.get(f"/manage/{org_a.slug}/profile/").content.decode()
    assert "did:key" in page and "can never be rotated or retired" in page
    assert client.post(f"/manage/{org_a.slug}/profile/", profile_form(org_a, did_method="key")).status_code == 302
    org_a.refresh_from_db()
    assert org_a.did_method == "key"


def test_the_keys_page_and_command_refuse_rotation_clearly(published: MicroCredentialVersion, client: Client) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    org = use_did_key(published.organization)
    award(org)
    client.force_login(admin_of(org))
    page = client.get(f"/manage/{org.slug}/keys/")
    assert page.status_code == 200 and "can never be" in page.content.decode()
    refused = client.post(f"/manage/{org.slug}/keys/rotate/", follow=True)
    assert refused.status_code == 200 and "cannot be rotated" in refused.content.decode()
    with pytest.raises(CommandError) as info:
        call_command("signing-keys", "--org", org.slug, "--rotate")
    assert info.value.returncode == 2
