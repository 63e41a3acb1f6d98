"""OAuth 2.0 client credentials (RFC 6749 section 4.4): an organization's client trades its secret at
/oauth/token for a Bearer token that signs credentials with POST /credentials/issue."""

from __future__ import annotations

import base64
import datetime
import io
import json
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from credstack.awards.models import Credential
from credstack.core.models import AuditEvent
from credstack.organizations.actions import do_create_oauth_client, do_revoke_oauth_client
from credstack.organizations.models import OAuthAccessToken, OAuthClient, Organization
from tests.platform.conftest import PASSWORD, admin_of
from tests.platform.test_verifier_issue import UNSIGNED, issue

BASE = django_settings.CREDSTACK_BASE_URL


@pytest.fixture
def oauth_client(org_a: Organization) -> tuple[OAuthClient, str]:
    return do_create_oauth_client(organization=org_a, name="W3C harness", actor=admin_of(org_a))


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def ask_token(data: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return Client(headers=headers or {}).post("/oauth/token", data)


def test_a_token_from_basic_authentication_signs_a_credential(
    org_a: Organization, oauth_client: tuple[OAuthClient, str]
) -> None:
    client, secret = oauth_client
    response = ask_token({"grant_type": "client_credentials"}, basic(client.client_id, secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "issue:credentials"
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    issued = issue(Client(headers={"Authorization": f"Bearer {body['access_token']}"}), UNSIGNED)
    assert issued.status_code == 201, issued.content
    assert issued.json()["verifiableCredential"]["issuer"]["id"] == org_a.issuer_id
    assert Credential.objects.get().organization == org_a
    client.refresh_from_db()
    assert client.last_token_at is not None


def test_the_w3c_harness_request_is_granted(oauth_client: tuple[OAuthClient, str]) -> None:
    """What vc-test-suite-implementations sends: client_secret_post, ``audience`` and ``scopes``."""
    client, secret = oauth_client
    response = ask_token(
        {
            "client_id": client.client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "audience": BASE,
            "scopes": "issue:credentials",
        }
    )
    assert response.status_code == 200, response.content
    json_body = Client().post(
        "/oauth/token",
        json.dumps({"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret}),
        content_type="application/json",
    )
    assert json_body.status_code == 200, json_body.content


def test_secrets_and_tokens_are_stored_hashed(oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    raw = ask_token({"grant_type": "client_credentials"}, basic(client.client_id, secret)).json()["access_token"]
    stored_client = OAuthClient.objects.values_list(flat=False).get()
    stored_token = OAuthAccessToken.objects.values_list(flat=False).get()
    assert not any(secret in str(value) for value in stored_client)
    assert not any(raw in str(value) for value in stored_token)
    events = AuditEvent.objects.filter(action="organization.oauth_client_created")
    assert events.count() == 1 and secret not in json.dumps(events.get().data)


@pytest.mark.parametrize(
    ("data", "auth", "status", "error"),
    [
        ({}, "basic", 400, "invalid_request"),
        ({"grant_type": "password"}, "basic", 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "wrong-secret", 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, "unknown-client", 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, "none", 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, "garbled-basic", 401, "invalid_client"),
        ({"grant_type": "client_credentials", "scope": "delete:everything"}, "basic", 400, "invalid_scope"),
        ({"grant_type": "client_credentials", "audience": "https://elsewhere.example"}, "basic", 400, "invalid_target"),
        ({"grant_type": "client_credentials", "client_secret": "x"}, "basic", 400, "invalid_request"),
    ],
)
def test_refused_token_requests_say_why_and_grant_nothing(
    oauth_client: tuple[OAuthClient, str], data: dict[str, str], auth: str, status: int, error: str
) -> None:
    client, secret = oauth_client
    headers = {
        "basic": basic(client.client_id, secret),
        "wrong-secret": basic(client.client_id, secret + "x"),
        "unknown-client": basic("csc_nobody", secret),
        "none": {},
        "garbled-basic": {"Authorization": "Basic %%%"},
    }[auth]
    response = ask_token(data, headers)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == error and body["error_description"] and body["status"] == status
    assert response["Cache-Control"] == "no-store"
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Basic")
    assert not OAuthAccessToken.objects.exists()


def test_malformed_requests_get_clear_errors(oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    got = Client().get("/oauth/token")
    assert got.status_code == 405 and got["Allow"] == "POST" and got.json()["error"] == "invalid_request"
    plain = Client().post("/oauth/token", "grant_type=client_credentials", content_type="text/plain")
    assert plain.status_code == 400 and "x-www-form-urlencoded" in plain.json()["error_description"]
    broken = Client().post("/oauth/token", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"] == "invalid_request"
    repeated = Client().post(
        "/oauth/token",
        f"grant_type=client_credentials&client_id={client.client_id}&client_id=other&client_secret={secret}",
        content_type="application/x-www-form-urlencoded",
    )
    assert repeated.status_code == 400 and "client_id" in repeated.json()["error_description"]
    huge = Client().post(
        "/oauth/token",
        "grant_type=client_credentials&pad=" + "x" * 10_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert huge.status_code == 413
    assert not OAuthAccessToken.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "headers"),
    [
        ("grant_type=client_credentials", "application/x-www-form-urlencoded", {"Authorization": "Basic \xe9t\xe9"}),
        ('{"grant_type": "client_credentials", "client_id": "x", "client_secret": "\\ud800"}', "application/json", {}),
        ("[" * 4000 + "]" * 4000, "application/json", {}),
        ("grant_type=client_credentials&client_id=%00&client_secret=x", "application/x-www-form-urlencoded", {}),
        ("grant_type=client_credentials", "multipart/form-data", {}),
        ("grant_type=client_credentials", "application/x-www-form-urlencoded; charset=latin-1", {}),
    ],
    ids=["non-ascii-basic", "lone-surrogate", "deep-json", "nul", "multipart-without-boundary", "latin-1-charset"],
)
def test_unreadable_token_requests_get_an_oauth_error_not_a_crash(
    db: Any, body: str, content_type: str, headers: dict[str, str]
) -> None:
    response = Client(headers=headers).post("/oauth/token", body, content_type=content_type)
    assert response.status_code in (400, 401), response.content
    assert response.json()["error"] in ("invalid_request", "invalid_client")
    assert not OAuthAccessToken.objects.exists()


def test_token_requests_are_rate_limited(settings: Any, oauth_client: tuple[OAuthClient, str]) -> None:
    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "2/minute"
    client, secret = oauth_client
    wrong = basic(client.client_id, "guess")
    assert [ask_token({"grant_type": "client_credentials"}, wrong).status_code for _ in range(2)] == [401, 401]
    limited = ask_token({"grant_type": "client_credentials"}, basic(client.client_id, secret))
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert limited.json()["error"] == "temporarily_unavailable"


def _token(client: OAuthClient, secret: str) -> str:
    response = ask_token({"grant_type": "client_credentials"}, basic(client.client_id, secret))
    return str(response.json()["access_token"])


def test_revoking_the_client_ends_its_tokens(org_a: Organization, oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    bearer = Client(headers={"Authorization": f"Bearer {_token(client, secret)}"})
    do_revoke_oauth_client(client=client, actor=admin_of(org_a))
    refused = issue(bearer, UNSIGNED)
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert ask_token({"grant_type": "client_credentials"}, basic(client.client_id, secret)).status_code == 401
    assert not Credential.objects.exists()


def test_a_token_of_a_revoked_client_is_refused_even_if_it_was_not_deleted(
    oauth_client: tuple[OAuthClient, str],
) -> None:
    client, secret = oauth_client
    bearer = Client(headers={"Authorization": f"Bearer {_token(client, secret)}"})
    OAuthClient.objects.update(revoked_at=timezone.now())
    refused = issue(bearer, UNSIGNED)
    assert refused.status_code == 401 and 'error="invalid_token"' in refused["WWW-Authenticate"]
    assert not Credential.objects.exists()


def test_a_token_without_the_issue_scope_may_not_issue(oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    bearer = Client(headers={"Authorization": f"Bearer {_token(client, secret)}"})
    OAuthAccessToken.objects.update(scope="")
    refused = issue(bearer, UNSIGNED)
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert not Credential.objects.exists()


def test_a_token_opens_only_the_issue_route(org_a: Organization, oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    bearer = Client(headers={"Authorization": f"Bearer {_token(client, secret)}"})
    assert bearer.get("/api/orgs/org-a/microcredentials").status_code == 401
    assert bearer.get("/api/submissions").status_code == 401


def test_an_expired_token_is_refused_and_cleared(oauth_client: tuple[OAuthClient, str]) -> None:
    client, secret = oauth_client
    raw = _token(client, secret)
    OAuthAccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert issue(Client(headers={"Authorization": f"Bearer {raw}"}), UNSIGNED).status_code == 401
    _token(client, secret)
    assert OAuthAccessToken.objects.count() == 1  # the expired one went when the new one was granted


def test_a_token_signs_only_as_its_own_organization(
    org_a: Organization, org_b: Organization, oauth_client: tuple[OAuthClient, str]
) -> None:
    client, secret = oauth_client
    bearer = Client(headers={"Authorization": f"Bearer {_token(client, secret)}"})
    response = issue(bearer, {**UNSIGNED, "issuer": org_b.issuer_id})
    assert response.status_code == 400 and "issuer" in response.json()["errors"]
    assert not Credential.objects.exists()


def test_metadata_and_openapi_describe_the_flow(db: Any) -> None:
    metadata = Client().get("/.well-known/oauth-authorization-server").json()
    assert metadata["token_endpoint"] == f"{BASE}/oauth/token"
    assert metadata["grant_types_supported"] == ["client_credentials"]
    assert "issue:credentials" in metadata["scopes_supported"]
    schema = Client().get("/api/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["OAuthTokenAuth"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert {"OAuthTokenAuth": []} in schema["paths"]["/credentials/issue"]["post"]["security"]


def test_the_dashboard_creates_lists_and_revokes_clients(org_a: Organization, org_b: Organization) -> None:
    admin = Client()
    assert admin.login(email=admin_of(org_a).email, password=PASSWORD)
    created = admin.post("/manage/org-a/oauth-clients/", {"client_name": "Test harness"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    html = created.content.decode()
    client = OAuthClient.objects.get(organization=org_a)
    secret = html.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert client.client_id in html and secret.startswith("css_")
    assert _token(client, secret).startswith("cst_")
    dashboard = admin.get("/manage/org-a/").content.decode()
    assert "Test harness" in dashboard and client.client_id in dashboard and secret not in dashboard

    other_admin = Client()
    assert other_admin.login(email=admin_of(org_b).email, password=PASSWORD)
    # Another organization's pages do not exist for this admin, nor does org A's client under org B.
    assert other_admin.post(f"/manage/org-a/oauth-clients/{client.pk}/revoke/").status_code == 404
    assert other_admin.post(f"/manage/org-b/oauth-clients/{client.pk}/revoke/").status_code == 404
    assessor = Client()
    assert assessor.login(email="assessor-a@example.org", password=PASSWORD)
    assert assessor.post("/manage/org-a/oauth-clients/", {"client_name": "sneaky"}).status_code == 404
    client.refresh_from_db()
    assert client.revoked_at is None and OAuthClient.objects.count() == 1

    revoked = admin.post(f"/manage/org-a/oauth-clients/{client.pk}/revoke/", follow=True)
    assert "its tokens no longer work" in revoked.content.decode()
    client.refresh_from_db()
    assert client.revoked_at is not None


def test_the_cli_creates_lists_and_revokes_clients(org_a: Organization) -> None:
    out = io.StringIO()
    call_command("oauth-clients", "--org", "org-a", "--create", "CI harness", stdout=out, stderr=io.StringIO())
    lines = dict(line.split(None, 1) for line in out.getvalue().splitlines() if line.startswith("client_"))
    client = OAuthClient.objects.get(client_id=lines["client_id"].strip())
    assert _token(client, lines["client_secret"].strip()).startswith("cst_")
    listed = io.StringIO()
    call_command("oauth-clients", "--org", "org-a", stdout=listed)
    assert client.client_id in listed.getvalue() and "live" in listed.getvalue()
    call_command("oauth-clients", "--org", "org-a", "--revoke", client.client_id, stdout=io.StringIO())
    with pytest.raises(CommandError) as again:
        call_command("oauth-clients", "--org", "org-a", "--revoke", client.client_id)
    assert again.value.returncode == 2
    with pytest.raises(CommandError) as unknown_org:
        call_command("oauth-clients", "--org", "nope", "--create", "x")
    assert unknown_org.value.returncode == 2
