"""Server-rendered pages: catalog, detail, editor with field-level errors, accounts."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from credstack.accounts.models import User
from credstack.catalog.demo.loader import load_demo
from credstack.catalog.models import MicroCredential, MicroCredentialVersion
from credstack.organizations.models import Organization
from tests.platform.conftest import PASSWORD, admin_of, client_for


def _form_post(definition: dict[str, Any], slug: str = "") -> dict[str, Any]:
    """The editor's dotted-name form fields for a definition."""
    post: dict[str, Any] = {"slug": slug}
    for key in (
        "name",
        "summary",
        "competency_statement",
        "key_method",
        "criteria_narrative",
        "estimated_hours",
        "pd_hours",
        "credits_available",
        "achievement_type",
    ):
        post[key] = "" if definition.get(key) is None else str(definition[key])
    post["method_components"] = "\n".join(definition["method_components"])
    post["supporting_research"] = "\n\n".join(definition["supporting_research"])
    post["tags"] = ", ".join(definition["tags"])
    post["subject_areas"] = definition["subject_areas"]
    post["grade_bands"] = definition["grade_bands"]
    post["roles"] = definition["roles"]
    for i, q in enumerate(definition["submission"]["overview_questions"]):
        post[f"submission.overview_questions.{i}.prompt"] = q["prompt"]
        post[f"submission.overview_questions.{i}.word_limit"] = str(q["word_limit"])
    for i, a in enumerate(definition["submission"]["artifacts"]):
        post[f"submission.artifacts.{i}.title"] = a["title"]
        post[f"submission.artifacts.{i}.description"] = a["description"]
        post[f"submission.artifacts.{i}.accepted_kinds"] = a["accepted_kinds"]
    post["submission.reflection_prompt"] = definition["submission"]["reflection_prompt"]
    post["submission.reflection_word_limit"] = str(definition["submission"]["reflection_word_limit"])
    for i, c in enumerate(definition["rubric"]["criteria"]):
        post[f"rubric.criteria.{i}.name"] = c["name"]
        post[f"rubric.criteria.{i}.description"] = c["description"]
        keys = [lv["key"] for lv in c["levels"]]
        post[f"rubric.criteria.{i}.passing_level"] = str(keys.index(c["passing_level"]))
        for j, lv in enumerate(c["levels"]):
            post[f"rubric.criteria.{i}.levels.{j}.name"] = lv["name"]
            post[f"rubric.criteria.{i}.levels.{j}.points"] = str(lv["points"])
            post[f"rubric.criteria.{i}.levels.{j}.description"] = lv["description"]
    for i, al in enumerate(definition["alignments"]):
        for k, v in al.items():
            post[f"alignments.{i}.{k}"] = v
    return post


def test_catalog_filters_and_pagination(db: Any) -> None:
    load_demo()
    client = Client()
    page = client.get("/catalog/")
    assert page.status_code == 200
    total = MicroCredentialVersion.objects.published().count()
    assert f"{total} micro-credentials" in page.content.decode()
    assert "Page 1 of 2" in page.content.decode()
    science = client.get("/catalog/", {"subject": "science"}).content.decode()
    assert "Claim" in science and "Number Talks" not in science
    k2 = client.get("/catalog/", {"grade": "prek-2", "subject": "literacy"}).context["page"].object_list
    assert k2 and all("prek-2" in v.grade_bands and "literacy" in v.subject_areas for v in k2)
    assert client.get("/catalog/", {"q": "phonics"}).context["total"] >= 1
    assert client.get("/catalog/", {"page": "999"}).status_code == 200
    assert client.get("/catalog/", {"org": "lakeside-teacher-institute"}).context["total"] == 3
    assert client.get("/").status_code == 200


def test_detail_page_shows_rubric_and_versions(db: Any) -> None:
    load_demo()
    mc = MicroCredential.objects.get(slug="claim-evidence-reasoning-lab-reports")
    body = Client().get(f"/catalog/{mc.organization.slug}/{mc.slug}/").content.decode()
    assert "How it is scored" in body and "passing level" in body
    assert "Version 1" in body  # the superseded version stays listed
    old = Client().get(f"/catalog/{mc.organization.slug}/{mc.slug}/?version=1").content.decode()
    assert "superseded" in old.lower()
    assert Client().get(f"/catalog/{mc.organization.slug}/{mc.slug}/?version=abc").status_code == 404


def test_editor_creates_and_reshows_errors(org_a: Organization, definition: dict[str, Any]) -> None:
    client = client_for(admin_of(org_a))
    assert client.get("/manage/org-a/microcredentials/new/").status_code == 200
    bad = _form_post(definition, slug="editor-made")
    bad["submission.overview_questions.0.word_limit"] = "50000"
    del bad["rubric.criteria.0.passing_level"]
    response = client.post("/manage/org-a/microcredentials/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Word limit must be between 1 and 2000" in html
    assert "Choose which level counts as passing" in html
    assert 'id="f-submission.overview_questions.0.word_limit-err"' in html
    assert definition["key_method"][:40] in html  # nothing typed is lost
    assert not MicroCredential.objects.filter(slug="editor-made").exists()

    good = client.post("/manage/org-a/microcredentials/new/", _form_post(definition, slug="editor-made"))
    assert good.status_code == 302
    version = MicroCredentialVersion.objects.get(micro_credential__slug="editor-made")
    assert version.rubric["criteria"][0]["passing_level"] == definition["rubric"]["criteria"][0]["passing_level"]
    assert version.method_components == definition["method_components"]
    assert version.status == "draft"
    publish = client.post(
        "/manage/org-a/microcredentials/editor-made/edit/", {**_form_post(definition), "then": "publish"}
    )
    assert publish.status_code == 302
    version.refresh_from_db()
    assert version.status == "published"


def test_bad_image_is_a_field_error(org_a: Organization, definition: dict[str, Any]) -> None:
    client = client_for(admin_of(org_a))
    post = _form_post(definition, slug="with-image")
    post["image"] = io.BytesIO(b"GIF89a not really an image")
    post["image"].name = "badge.png"
    response = client.post("/manage/org-a/microcredentials/new/", post)
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    assert not MicroCredential.objects.filter(slug="with-image").exists()

    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    gif.seek(0)
    gif.name = "badge.png"
    post["image"] = gif
    assert "GIF images are not accepted" in client.post("/manage/org-a/microcredentials/new/", post).content.decode()

    png = io.BytesIO()
    Image.new("RGBA", (64, 64), (30, 80, 200, 255)).save(png, format="PNG")
    png.seek(0)
    png.name = "anything.gif"
    post["image"] = png
    assert client.post("/manage/org-a/microcredentials/new/", post).status_code == 302
    stored = MicroCredentialVersion.objects.get(micro_credential__slug="with-image").image
    assert stored.name.endswith(".png")


@pytest.mark.django_db(transaction=True)  # the activation mail is sent when the request commits
def test_register_login_and_reset(db: Any) -> None:
    client = Client()
    weak = client.post("/accounts/register/", {"email": "new@example.org", "password": "123"})
    assert weak.status_code == 400 and not User.objects.filter(email="new@example.org").exists()
    ok = client.post("/accounts/register/", {"email": "New@Example.org", "password": PASSWORD, "display_name": "N"})
    assert ok.status_code == 302 and ok["Location"] == "/accounts/register/sent/"
    assert "new@example.org" in client.get(ok["Location"]).content.decode()
    assert not User.objects.get(email="new@example.org").is_active  # until the mailed link is opened
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/activate/" in word)
    activated = client.post(link.replace("http://127.0.0.1:8000", ""), follow=True)
    assert "Welcome to credstack" in activated.content.decode()
    assert Client().login(email="new@example.org", password=PASSWORD)

    Client().post("/accounts/password-reset/", {"email": "new@example.org"})
    assert len(mail.outbox) == 2
    assert "http://127.0.0.1:8000/accounts/reset/" in mail.outbox[1].body


def test_issuer_profile_json(org_a: Organization) -> None:
    profile = Client().get("/issuers/org-a/profile.json").json()
    # The issuer id is the organization's did:web; its DID document sits next to the profile.
    assert profile["id"] == "did:web:127.0.0.1%3A8000:issuers:org-a"
    assert profile["type"] == ["Profile"] and profile["name"] == "Org A"


def test_achievement_json_carries_rubric(published: MicroCredentialVersion) -> None:
    data = Client().get("/catalog/org-a/cer-lab/v1/achievement.json").json()
    assert data["type"] == ["Achievement"] and data["achievementType"] == "MicroCredential"
    assert len(data["resultDescription"]) == len(published.rubric["criteria"])
    assert data["resultDescription"][0]["resultType"] == "RubricCriterionLevel"


def test_dashboard_lists_definitions(published: MicroCredentialVersion) -> None:
    body = client_for(admin_of(published.organization)).get("/manage/org-a/").content.decode()
    assert published.name in body and "Retire" in body


def test_admin_pages_and_actions(db: Any) -> None:
    load_demo()
    staff = User.objects.get(email="staff@example.org")
    client = client_for(staff)
    for url in [
        "/admin/",
        "/admin/organizations/organization/",
        "/admin/catalog/microcredentialversion/",
        "/admin/core/auditevent/",
        "/admin/organizations/membership/",
        "/admin/accounts/user/",
    ]:
        assert client.get(url).status_code == 200, url
    draft = MicroCredentialVersion.objects.get(status="draft")
    response = client.post(
        "/admin/catalog/microcredentialversion/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    org = Organization.objects.get(slug="northfield-usd")
    response = client.post(
        f"/admin/organizations/organization/{org.pk}/change/",
        {
            "name": "Renamed District",
            "url": org.url,
            "email": org.email,
            "description": org.description,
            "turnaround_days": 10,
            "second_review": "none",
            "second_review_sample_percent": 20,
            "did_method": "web",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "Renamed District" and org.turnaround_days == 10
    from credstack.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="organization.updated", actor=staff).exists()
