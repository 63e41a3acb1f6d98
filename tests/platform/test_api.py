"""The JSON API: catalog reads, issuer writes, problem details."""

from __future__ import annotations

from typing import Any

from django.test import Client

from credstack.catalog.models import MicroCredential, MicroCredentialVersion
from credstack.organizations.actions import do_create_api_key, do_revoke_api_key
from credstack.organizations.models import Organization
from tests.platform.conftest import admin_of, client_for


def _key(org: Organization) -> str:
    return do_create_api_key(organization=org, name="ci", actor=admin_of(org))[1]


def test_openapi_and_docs(db: Any) -> None:
    client = Client()
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/catalog/microcredentials" in paths
    assert "/api/orgs/{org_slug}/microcredentials" in paths
    assert client.get("/api/docs").status_code == 200


def test_catalog_search(published: MicroCredentialVersion) -> None:
    client = Client()
    body = client.get("/api/catalog/microcredentials", {"subject": published.subject_areas[0]}).json()
    assert body["count"] == 1 and body["items"][0]["slug"] == "cer-lab"
    assert client.get("/api/catalog/microcredentials", {"q": "zzzz-no-match"}).json()["count"] == 0
    detail = client.get("/api/catalog/microcredentials/org-a/cer-lab").json()
    assert detail["version"] == 1 and detail["definition"]["rubric"]["criteria"]


def test_bad_query_is_problem_details(db: Any) -> None:
    response = Client().get("/api/catalog/microcredentials", {"page": "abc"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_create_publish_version_through_api(org_a: Organization, definition: dict[str, Any]) -> None:
    client = Client(headers={"Authorization": f"Bearer {_key(org_a)}"})
    created = client.post(
        "/api/orgs/org-a/microcredentials", {**definition, "slug": "via-api"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    published = client.post("/api/orgs/org-a/microcredentials/via-api/publish")
    assert published.json()["status"] == "published"
    assert client.post("/api/orgs/org-a/microcredentials/via-api/publish").status_code == 409
    started = client.post("/api/orgs/org-a/microcredentials/via-api/versions")
    assert started.status_code == 201 and started.json()["version"] == 2
    changed = {**definition, "name": "Version two"}
    assert (
        client.put("/api/orgs/org-a/microcredentials/via-api/draft", changed, content_type="application/json").json()[
            "name"
        ]
        == "Version two"
    )
    public = Client().get("/api/catalog/microcredentials/org-a/via-api").json()
    assert public["version"] == 1 and public["name"] == definition["name"]


def test_invalid_definition_gives_field_errors_and_saves_nothing(
    org_a: Organization, definition: dict[str, Any]
) -> None:
    client = Client(headers={"Authorization": f"Bearer {_key(org_a)}"})
    definition["rubric"]["criteria"][0]["passing_level"] = "nope"
    definition["submission"]["overview_questions"][0]["word_limit"] = 99999
    response = client.post(
        "/api/orgs/org-a/microcredentials", {**definition, "slug": "bad"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(errors) == {"rubric.criteria.0.passing_level", "submission.overview_questions.0.word_limit"}
    assert not MicroCredential.objects.filter(slug="bad").exists()


def test_malformed_json_body(org_a: Organization) -> None:
    client = Client(headers={"Authorization": f"Bearer {_key(org_a)}"})
    response = client.post("/api/orgs/org-a/microcredentials", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_authentication(org_a: Organization, definition: dict[str, Any]) -> None:
    response = Client().post(
        "/api/orgs/org-a/microcredentials", {**definition, "slug": "x"}, content_type="application/json"
    )
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    key = do_create_api_key(organization=org_a, name="old", actor=admin_of(org_a))
    do_revoke_api_key(key=key[0], actor=admin_of(org_a))
    revoked = Client(headers={"Authorization": f"Bearer {key[1]}"})
    assert revoked.get("/api/orgs/org-a/microcredentials").status_code == 401


def test_session_auth_needs_csrf(org_a: Organization, definition: dict[str, Any]) -> None:
    client = client_for(admin_of(org_a))
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/api/orgs/org-a/microcredentials", {**definition, "slug": "x"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    assert not MicroCredential.objects.filter(slug="x").exists()


def test_api_key_stored_hashed(org_a: Organization) -> None:
    from credstack.organizations.models import ApiKey

    raw = _key(org_a)
    stored = ApiKey.objects.get()
    assert raw not in (stored.key_hash, stored.prefix) and stored.key_hash == ApiKey.hash_key(raw)
