"""Badge artwork on the platform (issue 14, point 2): the designer in the editor saves through the catalog
actions and follows the version rules, every micro-credential has artwork at a cacheable URL that the
achievement names, pages show it, and the baked PNG/SVG is that artwork."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from credstack.awards import actions as award_actions
from credstack.awards.models import Credential
from credstack.catalog import actions
from credstack.catalog.achievement import achievement
from credstack.catalog.artwork import design_key, render_png
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.vc.baking import unbake
from tests.platform.conftest import admin_of, client_for, key_client
from tests.platform.test_pages import _form_post

DESIGN = {
    "design.shape": "hexagon",
    "design.background": "#064e3b",
    "design.accent": "#34d399",
    "design.text_colour": "#ffffff",
    "design.icon": "lightbulb",
    "design.title": "Lab <Reports> & More",
}


def pixels(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGBA").tobytes()


@pytest.fixture
def draft(org_a: Organization, definition: dict[str, Any]) -> MicroCredentialVersion:
    definition.pop("design", None)
    return actions.do_create_micro_credential(
        organization=org_a, data=definition, slug="cer-lab", actor=admin_of(org_a)
    )


@pytest.fixture
def credential(published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any) -> Credential:
    with django_capture_on_commit_callbacks(execute=True):
        return award_actions.do_award_credential(
            organization=published.organization,
            actor=admin_of(published.organization),
            data={"email": "learner@example.org", "achievement": "cer-lab"},
        )


def test_the_designer_saves_the_design_through_the_editor(
    draft: MicroCredentialVersion, definition: dict[str, Any]
) -> None:
    client = client_for(admin_of(draft.organization))
    page = client.get("/manage/org-a/microcredentials/cer-lab/edit/").content.decode()
    assert 'id="badge-designer"' in page and 'src="data:image/svg+xml;base64,' in page
    response = client.post("/manage/org-a/microcredentials/cer-lab/edit/", {**_form_post(definition), **DESIGN})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.design == {k.removeprefix("design."): v for k, v in DESIGN.items()}
    served = client.get(draft.artwork_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert pixels(served.content) == pixels(render_png(draft.artwork_design()))
    svg = client.get(draft.artwork_url("svg")).content
    assert b"&lt;Reports&gt; &amp;" in svg and b"<Reports>" not in svg


def test_unreadable_text_colours_are_refused_and_nothing_is_saved(
    draft: MicroCredentialVersion, definition: dict[str, Any]
) -> None:
    client = client_for(admin_of(draft.organization))
    post = {**_form_post(definition), **DESIGN, "design.text_colour": "#0b5f46", "summary": "Changed"}
    response = client.post("/manage/org-a/microcredentials/cer-lab/edit/", post)
    assert response.status_code == 400
    assert "hard to read on this background" in response.content.decode()
    draft.refresh_from_db()
    assert draft.design == {} and draft.summary != "Changed"


def test_the_preview_button_draws_without_saving(draft: MicroCredentialVersion, definition: dict[str, Any]) -> None:
    client = client_for(admin_of(draft.organization))
    post = {**_form_post(definition), **DESIGN, "then": "preview"}
    response = client.post("/manage/org-a/microcredentials/cer-lab/edit/", post)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Lab &lt;Reports&gt; &amp; More"' in page and "Badge preview updated" in page
    draft.refresh_from_db()
    assert draft.design == {}


def test_the_live_preview_is_for_the_organization_admins(
    draft: MicroCredentialVersion, org_b: Organization, make_user: Any
) -> None:
    url = "/manage/org-a/microcredentials/design-preview.json?design.shape=ribbon&design.title=Hi&name=X"
    answer = client_for(admin_of(draft.organization)).get(url)
    assert answer.status_code == 200 and answer.json()["src"].startswith("data:image/svg+xml;base64,")
    low = client_for(admin_of(draft.organization)).get(
        url + "&design.background=%23ffffff&design.text_colour=%23eeeeee"
    )
    assert "design.text_colour" in low.json()["problems"]
    assert client_for(admin_of(org_b)).get(url).status_code in {403, 404}
    assert client_for(make_user("someone@example.org")).get(url).status_code in {403, 404}


def test_a_published_design_changes_only_through_a_new_version(
    published: MicroCredentialVersion, definition: dict[str, Any]
) -> None:
    admin = admin_of(published.organization)
    changed = {**published.definition(), "design": {"shape": "ribbon", "icon": "heart"}}
    with pytest.raises(actions.CatalogError):
        actions.do_update_draft(version=published, data=changed, actor=admin)
    before = design_key(published.artwork_design())
    draft = actions.do_start_new_version(micro_credential=published.micro_credential, actor=admin)
    assert draft.design == published.design  # the new version starts with the same artwork
    actions.do_update_draft(version=draft, data=changed, actor=admin)
    published.refresh_from_db()
    assert design_key(published.artwork_design()) == before
    assert draft.artwork_design()["shape"] == "ribbon"
    # The draft's artwork is for its organization's admins only, and not cached publicly.
    assert Client().get(draft.artwork_url()).status_code == 404
    own = client_for(admin).get(draft.artwork_url())
    assert own.status_code == 200 and own["Cache-Control"] == "private, no-cache"


def test_the_achievement_image_is_the_cacheable_artwork(published: MicroCredentialVersion) -> None:
    data = achievement(published)
    assert data["image"] == {
        "id": settings.CREDSTACK_BASE_URL + published.artwork_url(),
        "type": "Image",
        "caption": published.name,
    }
    served = Client().get(published.artwork_url())
    assert served.status_code == 200 and served["Cache-Control"] == "public, max-age=86400" and served["ETag"]
    again = Client().get(published.artwork_url(), HTTP_IF_NONE_MATCH=served["ETag"])
    assert again.status_code == 304 and not again.content
    svg = Client().get(published.artwork_url("svg"))
    assert svg["Content-Type"] == "image/svg+xml" and svg["ETag"] != served["ETag"]
    assert "default-src 'none'" in svg["Content-Security-Policy"]
    assert Client().get(published.artwork_url("gif")).status_code == 404


def test_the_baked_badge_is_the_artwork_and_unbakes(credential: Credential) -> None:
    version = credential.version
    assert version is not None
    png = Client().get(f"{credential.get_absolute_url()}/badge.png").content
    assert unbake(png).json() == credential.document
    assert pixels(png) == pixels(render_png(version.artwork_design()))
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (600, 600)
    svg = Client().get(f"{credential.get_absolute_url()}/badge.svg").content
    assert unbake(svg).json() == credential.document
    assert f'fill="{version.artwork_design()["background"]}"'.encode() in svg


def test_an_uploaded_image_wins_over_the_design(draft: MicroCredentialVersion, definition: dict[str, Any]) -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 40, 40)).save(out, format="PNG")
    client = client_for(admin_of(draft.organization))
    post = {**_form_post(definition), **DESIGN, "image": SimpleUploadedFile("b.png", out.getvalue(), "image/png")}
    assert client.post("/manage/org-a/microcredentials/cer-lab/edit/", post).status_code == 302
    draft.refresh_from_db()
    with Image.open(io.BytesIO(client.get(draft.artwork_url()).content)) as served:
        assert served.size == (300, 300) and served.convert("RGB").getpixel((150, 150)) == (200, 40, 40)
    # Removing the upload brings the design back.
    post = {**_form_post(definition), **DESIGN, "remove_image": "1"}
    assert client.post("/manage/org-a/microcredentials/cer-lab/edit/", post).status_code == 302
    draft.refresh_from_db()
    assert not draft.image
    assert pixels(client.get(draft.artwork_url()).content) == pixels(render_png(draft.artwork_design()))


def test_pages_show_the_artwork(credential: Credential, make_user: Any) -> None:
    version = credential.version
    assert version is not None
    url = version.artwork_url()
    for path in ("/", "/catalog/", "/catalog/org-a/cer-lab/", "/issuers/org-a/", credential.get_absolute_url()):
        page = Client().get(path).content.decode()
        assert f'src="{url}"' in page, path
    assert 'alt="Badge artwork of ' in Client().get("/catalog/org-a/cer-lab/").content.decode()
    learner = make_user("learner@example.org")
    Credential.objects.filter(pk=credential.pk).update(recipient_user=learner)
    assert f'src="{url}"' in client_for(learner).get("/wallet/").content.decode()


def test_every_demo_micro_credential_has_its_own_designed_artwork(db: Any) -> None:
    from credstack.catalog.demo.loader import load_demo, program

    load_demo()  # the catalog part of the demo
    versions = list(MicroCredentialVersion.objects.published().select_related("micro_credential__organization"))
    assert len(versions) == len(program()["microcredentials"])
    designs = [v.artwork_design() for v in versions]
    assert all(v.design and not v.image for v in versions)
    assert len({design_key(d) for d in designs}) == len(designs)
    assert len({(d["shape"], d["icon"], d["background"]) for d in designs}) == len(designs)


def test_the_api_takes_a_design_and_names_the_artwork(org_a: Organization, definition: dict[str, Any]) -> None:
    client = key_client(org_a)
    low = {**definition, "slug": "low", "design": {"background": "#ffffff", "text_colour": "#eeeeee"}}
    refused = client.post("/api/orgs/org-a/microcredentials", low, content_type="application/json")
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    assert set(refused.json()["errors"]) == {"design.text_colour"}
    chosen = {**definition, "slug": "good", "design": {"shape": "shield", "icon": "code", "title": "Code"}}
    created = client.post("/api/orgs/org-a/microcredentials", chosen, content_type="application/json")
    assert created.status_code == 201, created.content
    version = MicroCredentialVersion.objects.get(micro_credential__slug="good")
    assert version.design == {"shape": "shield", "icon": "code", "title": "Code"}
    assert created.json()["image"] == settings.CREDSTACK_BASE_URL + version.artwork_url()
