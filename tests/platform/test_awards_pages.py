"""The award pages: public credential (HTML/JSON), downloads, evidence, claim, wallet and the issuer's pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from credstack.awards import actions
from credstack.awards.models import Credential
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.vc.baking import unbake
from tests.platform.conftest import admin_of, client_for


@pytest.fixture
def credential(published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any) -> Credential:
    with django_capture_on_commit_callbacks(execute=True):
        return actions.do_award_credential(
            organization=published.organization,
            actor=admin_of(published.organization),
            data={"email": "Learner@Example.org", "achievement": "cer-lab", "name": "Lee Learner"},
        )


def test_public_page_negotiates_html_and_json(credential: Credential) -> None:
    url = credential.get_absolute_url()
    page = Client().get(url)
    assert page.status_code == 200 and "text/html" in page["Content-Type"] and "Accept" in page["Vary"]
    html = page.content.decode()
    assert credential.title in html and "Valid" in html and "learner@example.org" not in html
    for accept in ("application/json", "application/ld+json", "application/vc+ld+json"):
        answer = Client().get(url, HTTP_ACCEPT=accept)
        assert answer["Content-Type"] == "application/vc+ld+json"
        assert answer.json() == credential.document
    assert "text/html" in Client().get(url, HTTP_ACCEPT="text/html,application/json;q=0.9")["Content-Type"]
    assert Client().get("/credentials/00000000-0000-0000-0000-000000000000").status_code == 404


def test_downloads_carry_the_credential(credential: Credential) -> None:
    base = credential.get_absolute_url()
    as_json = Client().get(f"{base}/credential.json")
    assert as_json["Content-Type"] == "application/vc+ld+json" and "attachment" in as_json["Content-Disposition"]
    assert json.loads(as_json.content) == credential.document
    png = Client().get(f"{base}/badge.png")
    assert png["Content-Type"] == "image/png" and unbake(png.content).json() == credential.document
    svg = Client().get(f"{base}/badge.svg")
    assert svg["Content-Type"] == "image/svg+xml" and unbake(svg.content).json() == credential.document


def test_claim_through_the_mailed_link(credential: Credential, make_user: Any) -> None:
    link = next(line for line in mail.outbox[0].body.split() if "/claim/" in line)
    path = link.replace("http://127.0.0.1:8000", "")
    anonymous = Client().get(path)
    assert anonymous.status_code == 200 and "Sign in" in anonymous.content.decode()
    other = client_for(make_user("someone@example.org"))
    assert "you are signed in as someone@example.org" in other.get(path).content.decode()
    assert other.post(path).status_code == 400
    learner = make_user("learner@example.org")
    client = client_for(learner)
    assert client.post(path).status_code == 302
    credential.refresh_from_db()
    assert credential.recipient_user == learner and credential.claimed_at is not None
    wallet = client.get("/wallet/").content.decode()
    assert credential.title in wallet and "linkedin.com/profile/add" in wallet
    assert Client().get(path.replace(path.rsplit("/", 1)[1], "forged")).status_code == 400


def test_credentials_awarded_before_the_account_are_found_once_email_is_confirmed(
    credential: Credential, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user("learner@example.org")
    client = client_for(learner)
    page = client.get("/wallet/").content.decode()
    assert "Confirm my email address" in page and "1 credential was awarded" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/wallet/confirm-email/")
    link = next(line for line in mail.outbox[-1].body.split() if "/wallet/confirm-email/" in line)
    assert client_for(make_user("other@example.org")).get(link.replace("http://127.0.0.1:8000", "")).status_code == 302
    assert Credential.objects.get(pk=credential.pk).recipient_user is None  # another account's link does nothing
    client.get(link.replace("http://127.0.0.1:8000", ""))
    assert Credential.objects.get(pk=credential.pk).recipient_user == learner


def test_wallet_choices_and_resigning(credential: Credential, make_user: Any) -> None:
    learner = make_user("learner@example.org", display_name="Lee Learner")
    Credential.objects.filter(pk=credential.pk).update(recipient_user=learner)
    client = client_for(learner)
    bad = client.post("/wallet/settings/", {"did": "not a did", "show_name": "on"})
    assert bad.status_code == 400 and 'value="not a did"' in bad.content.decode()
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert client.post("/wallet/settings/", {"did": did}).status_code == 302
    client.post(f"/wallet/{credential.public_id}/presentation/", {"show_name": "1", "use_did": "1"})
    credential.refresh_from_db()
    subject = credential.document["credentialSubject"]
    assert (
        subject["id"] == did
        and {"identityType": "name", "identityHash": "Lee Learner", "hashed": False, "type": "IdentityObject"}
        in subject["identifier"]
    )
    from credstack.awards.local import LocalFetcher
    from credstack.vc.fetch import NoNetwork
    from credstack.vc.verify import VerifyOptions, verify

    report = verify(
        credential.document,
        options=VerifyOptions(fetcher=LocalFetcher(fallback=NoNetwork()), recipient_email="learner@example.org"),
    )
    assert report.verdict == "valid", report.to_text()
    assert "Lee Learner" in Client().get(credential.get_absolute_url()).content.decode()
    assert (
        client_for(make_user("x@example.org"))
        .post(f"/wallet/{credential.public_id}/presentation/", {"show_name": "1"})
        .status_code
        == 404
    )


def test_issuer_pages_and_isolation(credential: Credential, org_b: Organization) -> None:
    org = credential.organization
    admin = client_for(admin_of(org))
    other = client_for(admin_of(org_b))
    assert "learner@example.org" in admin.get("/manage/org-a/credentials/").content.decode()
    assert admin.get("/manage/org-a/credentials/?state=revoked&q=learner").status_code == 200
    assert other.get("/manage/org-a/credentials/").status_code == 404
    manage = f"/manage/org-a/credentials/{credential.public_id}/"
    assert other.get(manage).status_code == 404
    assert other.post(manage, {"operation": "revoke", "reason": "x", "confirm": "yes"}).status_code == 404
    unconfirmed = admin.post(manage, {"operation": "revoke", "reason": "Copied work"})
    assert unconfirmed.status_code == 400 and 'value="Copied work"' in unconfirmed.content.decode()
    assert admin.post(manage, {"operation": "suspend", "reason": ""}).status_code == 400
    assert admin.post(manage, {"operation": "suspend", "reason": "Check"}).status_code == 302
    assert admin.post(manage, {"operation": "unsuspend"}).status_code == 302
    assert admin.post(manage, {"operation": "revoke", "reason": "Copied work", "confirm": "yes"}).status_code == 302
    assert Credential.objects.get(pk=credential.pk).revoked_at is not None
    assert "Revoked" in Client().get(credential.get_absolute_url()).content.decode()


def test_award_form_keeps_input_and_is_idempotent(published: MicroCredentialVersion) -> None:
    admin = client_for(admin_of(published.organization))
    form = admin.get("/manage/org-a/credentials/award/").content.decode()
    assert 'name="request_key"' in form and "cer-lab" in form
    bad = admin.post(
        "/manage/org-a/credentials/award/",
        {
            "email": "nope",
            "achievement": "cer-lab",
            "name": "Ann",
            "request_key": "2b0f8e4c-1d3a-4e5f-8a9b-0c1d2e3f4a5b",
        },
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and "not a valid email" in html and 'value="Ann"' in html
    data = {"email": "ann@example.org", "achievement": "cer-lab", "request_key": "2b0f8e4c-1d3a-4e5f-8a9b-0c1d2e3f4a5b"}
    assert admin.post("/manage/org-a/credentials/award/", data).status_code == 302
    assert admin.post("/manage/org-a/credentials/award/", data).status_code == 302  # a double click
    assert Credential.objects.filter(recipient_email="ann@example.org").count() == 1


def test_api_award_revoke_and_problem_details(published: MicroCredentialVersion, org_b: Organization) -> None:
    admin = client_for(admin_of(published.organization))
    created = admin.post(
        "/api/orgs/org-a/credentials",
        {"email": "api@example.org", "achievement": "cer-lab"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["credential"]["id"] == body["id"]
    bad = admin.post(
        "/api/orgs/org-a/credentials", {"email": "x", "achievement": "none"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert set(bad.json()["errors"]) == {"email", "achievement"}
    other = client_for(admin_of(org_b))
    assert other.get(f"/api/orgs/org-a/credentials/{body['public_id']}").status_code == 404
    revoked = admin.post(
        f"/api/orgs/org-a/credentials/{body['public_id']}/revoke", {"reason": "error"}, content_type="application/json"
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    again = admin.post(
        f"/api/orgs/org-a/credentials/{body['public_id']}/revoke", {"reason": "error"}, content_type="application/json"
    )
    assert again.status_code == 400 and again["Content-Type"] == "application/problem+json"
    keys = admin.get("/api/orgs/org-a/keys").json()
    assert keys and "secret" not in json.dumps(keys).lower() and "encrypted" not in json.dumps(keys)
    assert admin.post("/api/orgs/org-a/keys/rotate").status_code == 201
    assert admin.get("/api/orgs/org-a/credentials?state=revoked").json()["count"] == 1
