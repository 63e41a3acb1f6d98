"""Stacks: micro-credentials that add up to a bigger credential, awarded automatically when complete."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.awards.actions import (
    claim_token,
    do_award_credential,
    do_claim_credential,
    do_revoke_credential,
    do_suspend_credential,
)
from credstack.awards.models import Credential, Origin
from credstack.catalog import actions as catalog
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.pathways import actions
from credstack.pathways.models import Stack, StackAward, StackStatus
from credstack.vc import schema
from tests.platform.conftest import admin_of, client_for
from tests.platform.test_verifier_issue import verify

LEARNER = "teacher@example.org"


def publish(org: Organization, definition: dict[str, Any], slug: str, name: str) -> MicroCredentialVersion:
    data = copy.deepcopy(definition)
    data["name"] = name
    version = catalog.do_create_micro_credential(organization=org, data=data, slug=slug, actor=admin_of(org))
    return catalog.do_publish_version(version=version, actor=admin_of(org))


@pytest.fixture
def three(org_a: Organization, definition: dict[str, Any]) -> list[MicroCredentialVersion]:
    return [
        publish(org_a, definition, "cer-lab", "Claim-Evidence-Reasoning"),
        publish(org_a, definition, "lab-safety", "Lab Safety Routines"),
        publish(org_a, definition, "inquiry", "Inquiry Questions"),
    ]


def make_stack(org: Organization, slugs: list[str], *, publish_it: bool = True, **extra: Any) -> Stack:
    data = {"name": "Science Teaching Specialist", "summary": "Three science practices.", "micro_credentials": slugs}
    stack = actions.do_create_stack(organization=org, data={**data, **extra}, actor=admin_of(org))
    return actions.do_publish_stack(stack=stack, actor=admin_of(org)) if publish_it else stack


def award(org: Organization, slug: str, email: str = LEARNER) -> Credential:
    return do_award_credential(
        organization=org, data={"email": email, "achievement": slug}, actor=admin_of(org), notify=False
    )


def award_all(capture: Any, org: Organization, *slugs: str, email: str = LEARNER) -> list[Credential]:
    """Award these micro-credentials to one learner, running what the awards schedule on commit (stacks)."""
    with capture(execute=True):
        return [award(org, slug, email=email) for slug in slugs]


def stack_credentials() -> list[Credential]:
    return list(Credential.objects.filter(origin=Origin.STACK))


def test_completing_a_stack_awards_its_credential(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety", "inquiry"])
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    assert stack_credentials() == []
    progress = actions.progress(stack, actions.Holder(LEARNER))
    assert (progress.earned, progress.needed, progress.complete) == (2, 3, False)
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "inquiry")
    (earned,) = stack_credentials()
    document = earned.document
    assert document["credentialSubject"]["achievement"]["id"] == stack.achievement_id
    assert document["credentialSubject"]["achievement"]["achievementType"] == "Certificate"
    assert "Earn all 3" in document["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert [e["name"] for e in document["evidence"]] == [
        "Claim-Evidence-Reasoning",
        "Lab Safety Routines",
        "Inquiry Questions",
    ]
    assert verify(document).status_code == 200, verify(document).json()
    assert schema.validate(document) == []
    assert earned.recipient_email == LEARNER and earned.version is None and earned.title == stack.name
    assert StackAward.objects.get().components.count() == 3
    assert actions.progress(stack, actions.Holder(LEARNER)).awarded == earned


def test_a_stack_is_awarded_once(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    make_stack(org_a, ["cer-lab", "lab-safety"], required_count="")
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "cer-lab")
        first = award(org_a, "lab-safety")
    again = actions.do_evaluate_stacks(credentials=[first])
    assert again == [] and len(stack_credentials()) == 1


def test_n_of_m_and_only_standing_credentials_count(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety", "inquiry"], required_count="2")
    with django_capture_on_commit_callbacks(execute=True):
        revoked = award(org_a, "cer-lab")
        do_revoke_credential(credential=revoked, reason="Issued in error.", actor=admin_of(org_a))
        suspended = award(org_a, "lab-safety")
        do_suspend_credential(credential=suspended, reason="Under review.", actor=admin_of(org_a))
        award(org_a, "inquiry")
    assert stack_credentials() == []
    assert actions.progress(stack, actions.Holder(LEARNER)).earned == 1
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "cer-lab", email="TEACHER@example.org")  # the same learner, however the address is written
    (earned,) = stack_credentials()
    assert "Earn any 2 of these 3" in earned.document["credentialSubject"]["achievement"]["criteria"]["narrative"]


def test_other_learners_credentials_do_not_count(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    make_stack(org_a, ["cer-lab", "lab-safety"])
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "cer-lab")
        award(org_a, "lab-safety", email="someone-else@example.org")
    assert stack_credentials() == []


def test_publishing_awards_learners_who_already_completed_it(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    stack = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False)
    assert stack_credentials() == []  # a draft awards nothing
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_publish_stack(stack=stack, actor=admin_of(org_a))
    (earned,) = stack_credentials()
    assert earned.recipient_email == LEARNER
    assert len(mail.outbox) == 1 and stack.name in mail.outbox[0].subject
    assert "You hold enough of its micro-credentials" in mail.outbox[0].body


def test_a_retired_stack_awards_nothing_new(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    actions.do_retire_stack(stack=stack, actor=admin_of(org_a))
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    assert stack_credentials() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"summary": "x" * 501}, "summary"),
        ({"micro_credentials": ["cer-lab"]}, "micro_credentials"),
        ({"micro_credentials": ["cer-lab", "no-such"]}, "micro_credentials"),
        ({"required_count": "4"}, "required_count"),
        ({"required_count": "two"}, "required_count"),
        ({"validity_months": "0"}, "validity_months"),
        ({"achievement_type": "Degree"}, "achievement_type"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"name": "Nul\x00Stack"}, "name"),
    ],
)
def test_a_bad_definition_is_refused_field_by_field(
    org_a: Organization, three: list[MicroCredentialVersion], change: dict[str, Any], field: str
) -> None:
    data = {"name": "Stack", "summary": "S.", "micro_credentials": ["cer-lab", "lab-safety", "inquiry"], **change}
    with pytest.raises(ValidationError) as refused:
        actions.do_create_stack(organization=org_a, data=data, actor=admin_of(org_a))
    assert field in refused.value.message_dict
    assert not Stack.objects.exists()


def test_another_organizations_micro_credentials_cannot_be_stacked(
    org_a: Organization, org_b: Organization, three: list[MicroCredentialVersion]
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.do_create_stack(
            organization=org_b,
            data={"name": "Theft", "summary": "S.", "micro_credentials": ["cer-lab", "lab-safety"]},
            actor=admin_of(org_b),
        )
    assert "micro_credentials" in refused.value.message_dict


def test_a_published_stack_is_frozen(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    with pytest.raises(ValidationError):
        actions.do_update_stack(
            stack=stack, data={"name": "X", "summary": "Y", "micro_credentials": ["cer-lab"]}, actor=admin_of(org_a)
        )
    with pytest.raises(ValidationError):
        actions.do_delete_stack(stack=stack, actor=admin_of(org_a))
    stack.refresh_from_db()
    assert stack.status == StackStatus.PUBLISHED and stack.needed == 2


def test_the_clr_gathers_the_stack_and_its_micro_credentials(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    clr = actions.clr_document(StackAward.objects.get())
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert len(subject["verifiableCredential"]) == 3
    assert {a["sourceId"] for a in subject["association"]} == {stack.achievement_id}
    assert len(subject["association"]) == 2
    assert schema.validate(clr) == []
    assert all(verify(c).status_code == 200 for c in subject["verifiableCredential"])
    json.dumps(clr)


# --- pages -------------------------------------------------------------------------------------------------


def test_the_admin_defines_and_publishes_a_stack_on_its_pages(
    org_a: Organization, three: list[MicroCredentialVersion]
) -> None:
    admin = client_for(admin_of(org_a))
    empty = admin.post("/manage/org-a/stacks/new/", {"name": "", "micro_credentials": ["cer-lab"]})
    assert empty.status_code == 400
    page = empty.content.decode()
    assert "Nothing was saved" in page and "at least two micro-credentials" in page and not Stack.objects.exists()
    saved = admin.post(
        "/manage/org-a/stacks/new/",
        {
            "name": "Science Specialist",
            "summary": "Three practices.",
            "micro_credentials": ["cer-lab", "lab-safety", "inquiry"],
            "required_count": "2",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == "/manage/org-a/stacks/science-specialist/edit/"
    stack = Stack.objects.get()
    assert stack.status == StackStatus.DRAFT and stack.needed == 2
    assert Client().get(stack.get_absolute_url()).status_code == 404  # drafts are not public
    assert admin.post("/manage/org-a/stacks/science-specialist/publish/").status_code == 302
    stack.refresh_from_db()
    assert stack.status == StackStatus.PUBLISHED
    public = Client().get(stack.get_absolute_url()).content.decode()
    assert "Science Specialist" in public and "Any 2 of 3" in public and "Sign in" in public
    assert "Science Specialist" in Client().get("/stacks/").content.decode()
    assert "Counts toward" in Client().get("/catalog/org-a/cer-lab/").content.decode()
    listing = admin.get("/manage/org-a/stacks/").content.decode()
    assert "Retire" in listing and "Published" in listing


def test_other_people_cannot_manage_a_stack(
    org_a: Organization, org_b: Organization, three: list[MicroCredentialVersion]
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False)
    for outsider in (client_for(admin_of(org_b)), Client()):
        for url in ("/manage/org-a/stacks/", f"/manage/org-a/stacks/{stack.slug}/edit/"):
            assert outsider.get(url).status_code in (302, 404)
        for step in ("publish", "delete"):
            assert outsider.post(f"/manage/org-a/stacks/{stack.slug}/{step}/").status_code in (302, 404)
    stack.refresh_from_db()
    assert stack.status == StackStatus.DRAFT


def test_the_learner_sees_progress_and_downloads_a_signed_clr(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = make_user(LEARNER)
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    mine = client_for(learner)
    with django_capture_on_commit_callbacks(execute=True):
        first = award(org_a, "cer-lab")
    do_claim_credential(credential=first, token=claim_token(first), user=learner, actor=learner)
    page = mine.get(stack.get_absolute_url()).content.decode()
    assert "1 of 2 earned" in page and "Download the CLR" not in page
    assert mine.get(f"{stack.get_absolute_url()}clr.json").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "lab-safety")
    page = mine.get(stack.get_absolute_url()).content.decode()
    assert "Completed" in page and "Download the CLR" in page
    wallet = mine.get("/wallet/").content.decode()
    assert "Your stacks" in wallet and stack.name in wallet
    (earned,) = stack_credentials()
    assert earned.recipient_user == learner  # its components were claimed: so is the stack credential
    public = Client().get(earned.get_absolute_url())
    assert public.status_code == 200 and "Lab Safety Routines" in public.content.decode()
    for image in ("badge.png", "badge.svg"):
        assert Client().get(f"{earned.get_absolute_url()}/{image}").status_code == 200
    # The learner may show their name in the stack credential too; it is re-signed and still verifies.
    learner.display_name = "Taylor Teacher"
    learner.save()
    assert mine.post(f"/wallet/{earned.public_id}/presentation/", {"show_name": "1"}).status_code == 302
    earned.refresh_from_db()
    assert earned.name_shown and verify(earned.document).status_code == 200
    download = mine.get(f"{stack.get_absolute_url()}clr.json")
    assert download.status_code == 200 and download["Content-Type"] == "application/vc+ld+json"
    clr = json.loads(download.content)
    assert clr["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert verify(clr).status_code == 200, verify(clr).json()
    # Someone else, signed in, gets no CLR of this learner's stack.
    stranger = client_for(make_user("stranger@example.org"))
    assert stranger.get(f"{stack.get_absolute_url()}clr.json").status_code == 404


def test_many_learners_are_evaluated_in_chunks_and_awarded_in_one_batch(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(actions, "EVALUATION_CHUNK", 2)
    learners = [f"t{i}@example.org" for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        for email in learners:
            award(org_a, "cer-lab", email=email)
        for email in learners[:3]:
            award(org_a, "lab-safety", email=email)
    stack = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_publish_stack(stack=stack, actor=admin_of(org_a))
    assert sorted(c.recipient_email for c in stack_credentials()) == learners[:3]
    assert actions.do_evaluate_stacks(credentials=Credential.objects.filter(origin=Origin.MANUAL)) == []


# --- found in review: identity, renewal, stale edits, what the CLR vouches for --------------------------------


def test_an_account_that_only_registered_the_address_sees_nothing_until_it_claims(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    with django_capture_on_commit_callbacks(execute=True):
        first = award(org_a, "cer-lab")
        award(org_a, "lab-safety")
    assert len(stack_credentials()) == 1  # awarded to the address, as every award is
    squatter = make_user(LEARNER)  # registered with the address; owns no mailbox as far as we know
    browser = client_for(squatter)
    page = browser.get(stack.get_absolute_url()).content.decode()
    assert "state-valid" not in page and "Completed" not in page and "Download the CLR" not in page
    assert browser.get(f"{stack.get_absolute_url()}clr.json").status_code == 404
    assert stack.name not in browser.get("/wallet/").content.decode().split("Your choices")[0]
    do_claim_credential(credential=first, token=claim_token(first), user=squatter, actor=squatter)
    assert browser.get(f"{stack.get_absolute_url()}clr.json").status_code == 200  # the mailbox is proved now


def test_learners_whose_addresses_share_a_long_beginning_each_get_the_stack(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    make_stack(org_a, ["cer-lab", "lab-safety"])
    stem = "a" * 110
    with django_capture_on_commit_callbacks(execute=True):
        for email in (f"{stem}1@example.org", f"{stem}2@example.org"):
            award(org_a, "cer-lab", email=email)
            award(org_a, "lab-safety", email=email)
    assert len(stack_credentials()) == 2 and StackAward.objects.count() == 2


def test_one_account_with_two_addresses_gets_the_stack_once(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = make_user("new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        old = award(org_a, "cer-lab", email="old@example.org")
        new = award(org_a, "lab-safety", email="new@example.org")
    Credential.objects.filter(pk__in=[old.pk, new.pk]).update(recipient_user=learner)  # both claimed by one account
    stack = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_publish_stack(stack=stack, actor=admin_of(org_a))
    (earned,) = stack_credentials()
    assert earned.recipient_user == learner


def test_a_stale_draft_cannot_undo_a_publication(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    stack = make_stack(org_a, ["cer-lab", "lab-safety"], publish_it=False)
    stale = Stack.objects.get(pk=stack.pk)  # another admin's page, loaded before the publication
    actions.do_publish_stack(stack=stack, actor=admin_of(org_a))
    data = {"name": "Changed", "summary": "S.", "micro_credentials": ["cer-lab", "inquiry"]}
    with pytest.raises(ValidationError):
        actions.do_update_stack(stack=stale, data=data, actor=admin_of(org_a))
    with pytest.raises(ValidationError):
        actions.do_delete_stack(stack=stale, actor=admin_of(org_a))
    stack.refresh_from_db()
    assert stack.status == StackStatus.PUBLISHED and stack.name == "Science Teaching Specialist"
    assert [m.slug for m in stack.requirements()] == ["cer-lab", "lab-safety"]


def test_an_expired_stack_is_renewed_by_credentials_earned_since(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    make_stack(org_a, ["cer-lab", "lab-safety"], validity_months="12")
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    (first,) = stack_credentials()
    assert first.valid_until is not None
    Credential.objects.filter(pk=first.pk).update(valid_until=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "inquiry")  # not in the stack: nothing happens
    assert len(stack_credentials()) == 1
    # The old micro-credentials still stand, but a renewal takes credentials earned since the last award.
    assert actions.do_evaluate_stacks(credentials=Credential.objects.filter(origin=Origin.MANUAL)) == []
    with django_capture_on_commit_callbacks(execute=True):
        Credential.objects.filter(origin=Origin.MANUAL).update(revoked_at=timezone.now())
        award(org_a, "cer-lab")
        award(org_a, "lab-safety")
    assert len(stack_credentials()) == 2
    renewal = Credential.objects.filter(origin=Origin.STACK).exclude(pk=first.pk).get()
    assert renewal.source != first.source and renewal.state == "valid"


def test_a_revoked_stack_credential_is_not_awarded_again(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    make_stack(org_a, ["cer-lab", "lab-safety", "inquiry"], required_count="2")
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    (earned,) = stack_credentials()
    do_revoke_credential(credential=earned, reason="Awarded in error.", actor=admin_of(org_a))
    with django_capture_on_commit_callbacks(execute=True):
        award(org_a, "inquiry")
    assert stack_credentials() == [Credential.objects.get(pk=earned.pk)]


def test_the_clr_vouches_only_for_what_still_stands(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = make_user(LEARNER)
    stack = make_stack(org_a, ["cer-lab", "lab-safety", "inquiry"], required_count="2")
    with django_capture_on_commit_callbacks(execute=True):
        first = award(org_a, "cer-lab")
        award(org_a, "lab-safety")
    do_claim_credential(credential=first, token=claim_token(first), user=learner, actor=learner)
    do_revoke_credential(credential=first, reason="Plagiarised evidence.", actor=admin_of(org_a))
    clr = actions.clr_document(StackAward.objects.get())
    assert clr["partial"] is True
    gathered = [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]]
    assert first.credential_id not in gathered and len(gathered) == 2
    (earned,) = stack_credentials()
    do_suspend_credential(credential=earned, reason="Under review.", actor=admin_of(org_a))
    assert client_for(learner).get(f"{stack.get_absolute_url()}clr.json").status_code == 404


def test_odd_input_on_the_pages_is_a_clear_error(org_a: Organization, three: list[MicroCredentialVersion]) -> None:
    admin = client_for(admin_of(org_a))
    data = {"name": "Odd", "summary": "S.", "micro_credentials": ["cer-lab", "lab-safety"]}
    for field in ("required_count", "validity_months"):
        response = admin.post("/manage/org-a/stacks/new/", {**data, field: "²"})
        assert response.status_code == 400 and "a whole number" in response.content.decode()
    many = admin.post("/manage/org-a/stacks/new/", {**data, "micro_credentials": [f"x{i}" for i in range(500)]})
    assert many.status_code == 400 and "At most 30" in many.content.decode()
    assert not Stack.objects.exists()


def test_a_quoted_stack_name_makes_a_valid_svg(
    org_a: Organization, three: list[MicroCredentialVersion], django_capture_on_commit_callbacks: Any
) -> None:
    from defusedxml import ElementTree

    make_stack(org_a, ["cer-lab", "lab-safety"], name='The "Lab" Stack & <More>')
    award_all(django_capture_on_commit_callbacks, org_a, "cer-lab", "lab-safety")
    (earned,) = stack_credentials()
    svg = Client().get(f"{earned.get_absolute_url()}/badge.svg")
    assert svg.status_code == 200
    root = ElementTree.fromstring(svg.content)
    assert root.get("aria-label") == 'The "Lab" Stack & <More>'


def test_outsiders_cannot_retire_or_edit_and_drafts_count_toward_nothing(
    org_a: Organization, org_b: Organization, three: list[MicroCredentialVersion]
) -> None:
    published = make_stack(org_a, ["cer-lab", "lab-safety"])
    draft = make_stack(org_a, ["cer-lab", "inquiry"], publish_it=False, name="Secret Draft", slug="secret")
    outsider = client_for(admin_of(org_b))
    assert outsider.post(f"/manage/org-a/stacks/{published.slug}/retire/").status_code == 404
    edit = {"name": "Hijacked", "summary": "S.", "micro_credentials": ["cer-lab", "lab-safety"]}
    assert outsider.post(f"/manage/org-a/stacks/{draft.slug}/edit/", edit).status_code == 404
    assert Client().post(f"/manage/org-a/stacks/{draft.slug}/edit/", edit).status_code == 302  # to sign-in
    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == StackStatus.PUBLISHED and draft.name == "Secret Draft"
    catalog = Client().get("/catalog/org-a/cer-lab/").content.decode()
    assert published.name in catalog and "Secret Draft" not in catalog
    assert "Secret Draft" not in Client().get("/stacks/").content.decode()


def test_the_verifier_checks_each_credential_in_a_downloaded_clr(
    org_a: Organization,
    three: list[MicroCredentialVersion],
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = make_user(LEARNER)
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    with django_capture_on_commit_callbacks(execute=True):
        first = award(org_a, "cer-lab")
        award(org_a, "lab-safety")
    do_claim_credential(credential=first, token=claim_token(first), user=learner, actor=learner)
    clr = json.loads(client_for(learner).get(f"{stack.get_absolute_url()}clr.json").content)
    report = verify(clr).json()
    assert [c["status"] for c in report["checks"] if c["id"] == "gathered"] == ["passed"]
    assert [g["verdict"] for g in report["gathered"]] == ["valid", "valid", "valid"]
    # Revoked after the download: the record still verifies, and says which part no longer stands.
    do_revoke_credential(credential=first, reason="Plagiarised evidence.", actor=admin_of(org_a))
    later = verify(clr).json()
    assert later["verdict"] == "valid"
    assert [g["verdict"] for g in later["gathered"]].count("revoked") == 1
    page = Client().post("/verify", {"text": json.dumps(clr)}).content.decode()
    assert "Credentials in this record" in page and "Revoked" in page
