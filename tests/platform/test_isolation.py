"""Cross-organization isolation: one organization can never see or change another's drafts."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.catalog import actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_create_api_key
from credstack.organizations.models import Organization
from tests.platform.conftest import admin_of, client_for


@pytest.fixture
def draft_a(org_a: Organization, definition: dict[str, Any]) -> MicroCredentialVersion:
    return actions.do_create_micro_credential(
        organization=org_a, data=definition, slug="secret-draft", actor=admin_of(org_a)
    )


def test_other_admin_cannot_reach_pages(draft_a: MicroCredentialVersion, org_b: Organization) -> None:
    client = client_for(admin_of(org_b))
    for url in [
        "/manage/org-a/",
        "/manage/org-a/microcredentials/new/",
        "/manage/org-a/microcredentials/secret-draft/edit/",
        "/manage/org-a/profile/",
        "/catalog/org-a/secret-draft/",
        "/catalog/org-a/secret-draft/?version=1",
        "/catalog/org-a/secret-draft/v1/achievement.json",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        "/manage/org-a/microcredentials/secret-draft/publish/",
        "/manage/org-a/microcredentials/secret-draft/retire/",
        "/manage/org-a/microcredentials/secret-draft/new-version/",
        "/manage/org-a/members/add/",
        "/manage/org-a/api-keys/",
    ]:
        assert client.post(url, {"email": "x@example.org", "role": "admin", "name": "k"}).status_code == 404, url
    draft_a.refresh_from_db()
    assert draft_a.status == "draft"


def test_assessor_is_not_an_admin(draft_a: MicroCredentialVersion) -> None:
    from credstack.accounts.models import User

    assessor = User.objects.get(email="assessor-a@example.org")
    client = client_for(assessor)
    assert client.get("/manage/org-a/").status_code == 404
    assert client.post("/manage/org-a/microcredentials/secret-draft/publish/").status_code == 404


def test_anonymous_is_sent_to_sign_in(draft_a: MicroCredentialVersion) -> None:
    from django.test import Client

    response = Client().get("/manage/org-a/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_own_admin_sees_draft(draft_a: MicroCredentialVersion) -> None:
    client = client_for(admin_of(draft_a.organization))
    assert client.get("/catalog/org-a/secret-draft/").status_code == 200
    assert client.get("/manage/org-a/microcredentials/secret-draft/edit/").status_code == 200


def test_api_isolation(draft_a: MicroCredentialVersion, org_b: Organization, definition: dict[str, Any]) -> None:
    from django.test import Client

    _, key_b = do_create_api_key(organization=org_b, name="b", actor=admin_of(org_b))
    client = Client(headers={"Authorization": f"Bearer {key_b}"})
    assert client.get("/api/orgs/org-a/microcredentials").status_code == 404
    response = client.post("/api/orgs/org-a/microcredentials/secret-draft/publish")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert (
        client.post(
            "/api/orgs/org-a/microcredentials", {**definition, "slug": "sneaky"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Client().get("/api/catalog/microcredentials/org-a/secret-draft").status_code == 404
    # Org B's own writes work with its key.
    assert client.get("/api/orgs/org-b/microcredentials").status_code == 200
    draft_a.refresh_from_db()
    assert draft_a.status == "draft"
    assert not MicroCredentialVersion.objects.filter(micro_credential__slug="sneaky").exists()
