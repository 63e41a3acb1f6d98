"""Stacks over the JSON API, the ``credstack stacks`` command and the Django admin."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from credstack.accounts.models import User
from credstack.awards.actions import claim_token, do_claim_credential
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.models import AuditEvent
from credstack.organizations.actions import do_create_api_key
from credstack.organizations.models import Organization, Role
from credstack.pathways.models import Stack, StackAward, StackStatus
from tests.platform.conftest import admin_of, client_for
from tests.platform.test_pathways import LEARNER, award, make_stack, publish

BODY: dict[str, Any] = {
    "name": "Science Specialist",
    "summary": "Three science practices.",
    "micro_credentials": ["cer-lab", "lab-safety", "inquiry"],
    "required_count": 2,
}


@pytest.fixture
def three(org_a: Organization, definition: dict[str, Any]) -> list[MicroCredentialVersion]:
    return [
        publish(org_a, definition, "cer-lab", "Claim-Evidence-Reasoning"),
        publish(org_a, definition, "lab-safety", "Lab Safety Routines"),
        publish(org_a, definition, "inquiry", "Inquiry Questions"),
    ]


def keyed(org: Organization, role: str = Role.ADMIN) -> Client:
    raw = do_create_api_key(organization=org, name="ci", actor=admin_of(org), role=role)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def is_problem(response: Any, status: int) -> bool:
    return bool(response.status_code == status and response["Content-Type"] == "application/problem+json")


# --- reading ---------------------------------------------------------------------------------------------


def test_the_public_sees_published_stacks_and_not_drafts(
    org_a: Organization, org_b: Organization, three: list[MicroCredentialVersion]
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety", "inquiry"], required_count="2")
    draft = make_stack(org_a, ["cer-lab", "inquiry"], publish_it=False, name="Draft Stack", slug="draft-stack")
    listing = Client().get("/api/stacks")
    assert listing.status_code == 200
    (item,) = listing.json()
    assert item["organization"] == "org-a" and item["slug"] == stack.slug and item["name"] == stack.name
    assert (item["needed"], item["required_count"], item["status"]) == (2, 2, "published")
    assert item["micro_credentials"] == [
        {"slug": "cer-lab", "name": "Claim-Evidence-Reasoning"},
        {"slug": "lab-safety", "name": "Lab Safety Routines"},
        {"slug": "inquiry", "name": "Inquiry Questions"},
    ]
    assert item["achievement_id"] == stack.achievement_id and item["url"].endswith(stack.get_absolute_url())
    assert "Earn any 2 of these 3" in item["criteria"]

    detail = Client().get(f"/api/stacks/org-a/{stack.slug}")
    assert detail.status_code == 200 and detail.json() == item
    hidden = f"/api/stacks/org-a/{draft.slug}"
    for outsider in (Client(), keyed(org_b), keyed(org_a, Role.ASSESSOR), client_for(admin_of(org_b))):
        assert is_problem(outsider.get(hidden), 404)
    assert is_problem(Client().get("/api/stacks/org-a/no-such"), 404)
    for insider in (client_for(admin_of(org_a)), keyed(org_a)):
        seen = insider.get(hidden)
        assert seen.status_code == 200 and seen.json()["status"] == "draft"


# --- defining ----------------------------------------------------------------------------------------------


def test_an_admin_key_defines_a_draft(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    created = post(keyed(org_a), "/api/orgs/org-a/stacks", {**BODY, "validity_months": 36})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["slug"], data["status"], data["needed"], data["validity_months"]) == (
        "science-specialist",
        "draft",
        2,
        36,
    )
    assert [m["slug"] for m in data["micro_credentials"]] == BODY["micro_credentials"]
    stack = Stack.objects.get()
    assert stack.status == StackStatus.DRAFT and stack.needed == 2 and stack.organization == org_a
    assert AuditEvent.objects.filter(action="stack.created").exists()
    # A signed-in admin may do the same.
    again = post(client_for(admin_of(org_a)), "/api/orgs/org-a/stacks", {**BODY, "slug": "second"})
    assert again.status_code == 201 and Stack.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"micro_credentials": ["cer-lab"]}, "micro_credentials"),
        ({"micro_credentials": ["cer-lab", "no-such"]}, "micro_credentials"),
        ({"required_count": 9}, "required_count"),
        ({"required_count": -1}, "required_count"),
        ({"validity_months": 500}, "validity_months"),
        ({"name": "  "}, "name"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"achievement_type": "Degree"}, "achievement_type"),
    ],
)
def test_a_bad_definition_is_a_400_naming_the_field(
    org_a: Organization, three: list[MicroCredentialVersion], change: dict[str, Any], field: str
) -> None:
    refused = post(keyed(org_a), "/api/orgs/org-a/stacks", {**BODY, **change})
    assert is_problem(refused, 400), refused.content
    assert field in refused.json()["errors"]
    assert not Stack.objects.exists()


def test_a_malformed_body_is_a_422_not_a_500(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    client = keyed(org_a)
    for body in (
        {"name": "X", "summary": "Y"},
        {**BODY, "required_count": "two"},
        {**BODY, "micro_credentials": 7},
    ):
        assert is_problem(post(client, "/api/orgs/org-a/stacks", body), 422), body
    # NUL in any request is refused once, by credstack.core.middleware, with the field's path.
    nul_bodies = (
        ({**BODY, "name": "Nul\x00"}, "name"),
        ({**BODY, "micro_credentials": ["a", "b\x00"]}, "micro_credentials.1"),
    )
    for body, path in nul_bodies:
        refused = post(client, "/api/orgs/org-a/stacks", body)
        assert is_problem(refused, 400) and path in refused.json()["errors"], body
    broken = client.post("/api/orgs/org-a/stacks", "{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert not Stack.objects.exists()


def test_a_duplicate_slug_is_refused(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    client = keyed(org_a)
    assert post(client, "/api/orgs/org-a/stacks", BODY).status_code == 201
    again = post(client, "/api/orgs/org-a/stacks", BODY)
    assert is_problem(again, 400) and "slug" in again.json()["errors"]
    assert Stack.objects.count() == 1


def test_only_the_organizations_admins_define_its_stacks(
    org_a: Organization, org_b: Organization, three: list[MicroCredentialVersion], make_user: Any
) -> None:
    assessor = User.objects.get(email="assessor-a@example.org")
    for outsider in (
        keyed(org_b),
        keyed(org_a, Role.ASSESSOR),
        client_for(admin_of(org_b)),
        client_for(assessor),
        client_for(make_user("learner@example.org")),
    ):
        refused = post(outsider, "/api/orgs/org-a/stacks", BODY)
        assert refused.status_code in (403, 404), refused.content
    assert is_problem(post(Client(), "/api/orgs/org-a/stacks", BODY), 401)
    assert is_problem(post(Client(headers={"Authorization": "Bearer cs_nope"}), "/api/orgs/org-a/stacks", BODY), 401)
    # org-b's key cannot stack org-a's micro-credentials under org-b either.
    theft = post(keyed(org_b), "/api/orgs/org-b/stacks", BODY)
    assert is_problem(theft, 400) and "micro_credentials" in theft.json()["errors"]
    assert not Stack.objects.exists()


# --- publishing and retiring --------------------------------------------------------------------------------


def test_publish_then_retire_through_the_api(
    org_a: Organization,
    org_b: Organization,
    three: list[MicroCredentialVersion],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = keyed(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "cer-lab")
        award(org_a, "inquiry")
    slug = post(client, "/api/orgs/org-a/stacks", BODY).json()["slug"]
    base = f"/api/orgs/org-a/stacks/{slug}"

    assert is_problem(post(client, f"{base}/retire"), 409)  # a draft is not retired
    for outsider in (keyed(org_b), keyed(org_a, Role.ASSESSOR)):
        assert post(outsider, f"{base}/publish").status_code in (403, 404)
    assert Stack.objects.get().status == StackStatus.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        published = post(client, f"{base}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published.json()["published_at"]
    # The learner who already held two of the three got the stack when it was published.
    (earned,) = Credential.objects.filter(origin=Origin.STACK)
    assert earned.recipient_email == LEARNER and StackAward.objects.get().stack.slug == slug

    twice = post(client, f"{base}/publish")
    assert is_problem(twice, 409) and "draft" in twice.json()["detail"]

    retired = post(client, f"{base}/retire")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert is_problem(post(client, f"{base}/retire"), 409)
    assert Client().get("/api/stacks").json() == []  # no longer offered
    assert Client().get(f"/api/stacks/org-a/{slug}").status_code == 200  # but its page stays
    assert is_problem(post(client, "/api/orgs/org-a/stacks/no-such/publish"), 404)


# --- the learner --------------------------------------------------------------------------------------------


def test_the_learner_follows_progress(
    org_a: Organization, three: list[MicroCredentialVersion], make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(LEARNER)
    mine = client_for(learner)
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    assert mine.get("/api/me/stacks").json() == []
    assert is_problem(Client().get("/api/me/stacks"), 401)
    assert is_problem(keyed(org_a).get("/api/me/stacks"), 401)  # a learner's own view: sessions only

    with django_capture_on_commit_callbacks(execute=True):
        first = award(org_a, "cer-lab")
    # An account with the address shows nothing until the credential is claimed (the mailbox is proved).
    assert mine.get("/api/me/stacks").json() == []
    do_claim_credential(credential=first, token=claim_token(first), user=learner, actor=learner)
    (progress,) = mine.get("/api/me/stacks").json()
    assert progress["slug"] == stack.slug and progress["organization"] == "org-a"
    assert (progress["earned"], progress["needed"], progress["complete"], progress["percent"]) == (1, 2, False, 50)
    assert progress["awarded_credential_id"] is None
    assert progress["rows"] == [
        {"slug": "cer-lab", "name": "Claim-Evidence-Reasoning", "earned_credential_id": first.credential_id},
        {"slug": "lab-safety", "name": "Lab Safety Routines", "earned_credential_id": None},
    ]

    with django_capture_on_commit_callbacks(execute=True):
        second = award(org_a, "lab-safety")
    do_claim_credential(credential=second, token=claim_token(second), user=learner, actor=learner)
    (progress,) = mine.get("/api/me/stacks").json()
    earned = Credential.objects.get(origin=Origin.STACK)
    assert (progress["earned"], progress["complete"], progress["percent"]) == (2, True, 100)
    assert progress["awarded_credential_id"] == earned.credential_id
    # Someone else sees nothing of it.
    assert client_for(make_user("stranger@example.org")).get("/api/me/stacks").json() == []


# --- the command line ---------------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stacks", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("stacks", *args, stdout=io.StringIO())
    assert info.value.returncode == 2
    return str(info.value)


def test_the_stacks_command(org_a: Organization, three: list[MicroCredentialVersion], tmp_path: Path) -> None:
    assert "no stacks yet" in run("--org", "org-a")
    definition = tmp_path / "stack.json"
    definition.write_text(json.dumps({**BODY, "slug": "science"}))
    assert "Draft stack org-a/science saved" in run("--org", "org-a", "--create", str(definition))
    assert Stack.objects.get().status == StackStatus.DRAFT
    assert "draft" in run("--org", "org-a") and "2/3" in run("--org", "org-a")

    award(org_a, "cer-lab")
    award(org_a, "lab-safety")  # learners who complete it before it is published …
    assert "Published org-a/science" in run("--org", "org-a", "--publish", "science")
    assert Credential.objects.filter(origin=Origin.STACK).count() == 0  # (its after-commit evaluation not run here)
    assert "1 stack credential(s) awarded" in run("--org", "org-a", "--evaluate", "science")  # … get it
    assert "0 stack credential(s) awarded" in run("--org", "org-a", "--evaluate", "science")  # once
    listing = run("--org", "org-a")
    assert "published" in listing and "1 awarded" in listing and "Science Specialist" in listing
    assert "Retired org-a/science" in run("--org", "org-a", "--retire", "science")
    assert Stack.objects.get().status == StackStatus.RETIRED


def test_the_stacks_command_refuses_unusable_input(
    org_a: Organization, three: list[MicroCredentialVersion], tmp_path: Path
) -> None:
    make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False, slug="draft")
    assert "No organization with slug 'nope'" in refused("--org", "nope")
    assert "no stack 'missing'" in refused("--org", "org-a", "--publish", "missing")
    assert "cannot be read" in refused("--org", "org-a", "--create", str(tmp_path / "absent.json"))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    assert "not a JSON file" in refused("--org", "org-a", "--create", str(garbage))
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    assert "expected a JSON object" in refused("--org", "org-a", "--create", str(listed))
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps({"name": "X", "micro_credentials": 7}))
    message = refused("--org", "org-a", "--create", str(typed))
    assert "summary: Field required" in message and "micro_credentials:" in message
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**BODY, "micro_credentials": ["cer-lab"]}))
    assert "micro_credentials:" in refused("--org", "org-a", "--create", str(bad))
    assert "Only a published stack" in refused("--org", "org-a", "--retire", "draft")
    assert "Only a published stack" in refused("--org", "org-a", "--evaluate", "draft")
    assert Stack.objects.count() == 1


# --- the admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def staff(db: Any) -> Client:
    return client_for(User.objects.create_superuser("root@example.org", "correct-horse-battery-staple"))


def action(client: Client, name: str, *stacks: Stack) -> Any:
    return client.post(
        "/admin/pathways/stack/", {"action": name, "_selected_action": [s.pk for s in stacks]}, follow=True
    )


def test_admin_pages_and_lifecycle_actions(
    org_a: Organization, three: list[MicroCredentialVersion], staff: Client
) -> None:
    first = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False, slug="first")
    second = make_stack(org_a, ["cer-lab", "inquiry"], publish_it=False, slug="second", name="Second")
    for url in (
        "/admin/pathways/stack/",
        "/admin/pathways/stack/?status__exact=draft",
        f"/admin/pathways/stack/{first.pk}/change/",
        "/admin/pathways/stackaward/",
    ):
        assert staff.get(url).status_code == 200, url
    assert staff.get("/admin/pathways/stack/add/").status_code == 403

    done = action(staff, "publish", first)
    assert done.status_code == 200 and "Published: org-a/first" in done.content.decode()
    first.refresh_from_db()
    assert first.status == StackStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="stack.published").count() == 1

    wrong = action(staff, "retire", second).content.decode()
    assert "Only a published stack can be retired" in wrong
    second.refresh_from_db()
    assert second.status == StackStatus.DRAFT

    action(staff, "retire", first)
    first.refresh_from_db()
    assert first.status == StackStatus.RETIRED
    page = staff.get(f"/admin/pathways/stack/{first.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()  # frozen: read only


def test_admin_edits_and_deletes_only_drafts(
    org_a: Organization, three: list[MicroCredentialVersion], staff: Client
) -> None:
    draft = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False, slug="draft")
    live = make_stack(org_a, ["cer-lab", "inquiry"], slug="live", name="Live")
    form = {
        "name": "Renamed",
        "slug": "draft",
        "summary": "New summary.",
        "criteria_narrative": "",
        "achievement_type": "Certification",
        "required_count": "1",
        "validity_months": "",
        "stack_requirements-TOTAL_FORMS": "0",
        "stack_requirements-INITIAL_FORMS": "0",
    }
    bad = staff.post(f"/admin/pathways/stack/{draft.pk}/change/", {**form, "slug": "live"})
    assert bad.status_code == 200 and "already has a stack called live" in bad.content.decode()
    saved = staff.post(f"/admin/pathways/stack/{draft.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    draft.refresh_from_db()
    assert (draft.name, draft.achievement_type, draft.needed) == ("Renamed", "Certification", 1)
    assert [m.slug for m in draft.requirements()] == ["cer-lab", "lab-safety"]  # kept
    assert AuditEvent.objects.filter(action="stack.updated").exists()
    assert staff.post(f"/admin/pathways/stack/{live.pk}/change/", {**form, "slug": "live"}).status_code == 403

    assert staff.get(f"/admin/pathways/stack/{live.pk}/delete/").status_code == 403
    kept = staff.post(
        "/admin/pathways/stack/", {"action": "delete_selected", "_selected_action": [live.pk], "post": "yes"}
    )
    assert kept.status_code == 200 and "retire it instead" in kept.content.decode()
    assert Stack.objects.filter(pk=live.pk).exists()
    gone = staff.post(
        "/admin/pathways/stack/", {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    assert gone.status_code == 302
    assert not Stack.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="stack.deleted").exists()
