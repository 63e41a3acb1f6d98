"""Who may see what: blind review, conflicts of interest, own submissions, other learners, other organizations."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.models import Submission
from credstack.catalog import actions as catalog_actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_add_member, do_create_api_key
from credstack.organizations.models import Organization, Role
from tests.platform.assessment_support import LEARNER_EMAIL, LEARNER_NAME, levels, submitted
from tests.platform.conftest import admin_of, client_for


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(LEARNER_EMAIL, display_name=LEARNER_NAME)


@pytest.fixture
def assessor(org_a: Organization) -> User:
    return User.objects.get(email="assessor-a@example.org")


@pytest.fixture
def sub(learner: User, published: MicroCredentialVersion) -> Submission:
    return submitted(learner, published)


def _identity_absent(text: str) -> None:
    for secret in (LEARNER_EMAIL, LEARNER_NAME, "jane.learner", "Quillfeather"):
        assert secret not in text, secret


def test_blind_review_pages(sub: Submission, assessor: User) -> None:
    client = client_for(assessor)
    for url in ["/review/org-a/", f"/review/org-a/{sub.pk}/", "/review/org-a/?status=claimed"]:
        response = client.get(url)
        assert response.status_code == 200
        _identity_absent(response.content.decode())
    client.post(f"/review/org-a/{sub.pk}/", {"action": "claim"})
    scoring = client.get(f"/review/org-a/{sub.pk}/").content.decode()
    assert "Score against the rubric" in scoring
    _identity_absent(scoring)
    # Evidence files are served under a neutral name (the learner's file was called "Jane Quillfeather.pdf").
    item = sub.active_evidence().exclude(file="").first()
    assert item is not None and "Quillfeather" in item.original_name
    response = client.get(f"/evidence/{item.pk}/?download=1")
    assert response.status_code == 200
    _identity_absent(response["Content-Disposition"])
    assert response["Content-Disposition"].startswith("attachment")
    # Decided: the queue's history filters stay blind too.
    client.post(
        f"/review/org-a/{sub.pk}/",
        {**{f"levels.{k}": v for k, v in levels(sub.micro_credential_version).items()}, "action": "pass"},
    )
    _identity_absent(client.get("/review/org-a/?status=passed").content.decode())


def test_blind_review_api(sub: Submission, assessor: User) -> None:
    client = client_for(assessor)
    queue = client.get("/api/review/org-a/queue")
    assert queue.status_code == 200 and queue.json()["items"][0]["reference"] == sub.reference
    _identity_absent(queue.content.decode())
    claimed = client.post(f"/api/review/org-a/submissions/{sub.pk}/claim")
    assert claimed.status_code == 200, claimed.content
    _identity_absent(claimed.content.decode())
    detail = client.get(f"/api/review/org-a/submissions/{sub.pk}")
    _identity_absent(detail.content.decode())
    body = detail.json()
    assert body["claimed_by_me"] and body["evidence"] and body["rubric"]["criteria"]
    content = client.get(body["evidence"][0]["content_url"] or body["evidence"][1]["content_url"])
    assert content.status_code == 200
    _identity_absent(content["Content-Disposition"])


def test_own_submission_is_never_reviewable(published: MicroCredentialVersion, assessor: User) -> None:
    own = submitted(assessor, published)
    client = client_for(assessor)
    assert own.reference not in client.get("/review/org-a/").content.decode()
    assert "your own" in client.get("/review/org-a/").content.decode()
    assert client.get(f"/review/org-a/{own.pk}/").status_code == 404
    assert client.post(f"/api/review/org-a/submissions/{own.pk}/claim").status_code == 404
    with pytest.raises(ValidationError) as exc:
        actions.do_claim_submission(submission=own, assessor=assessor, actor=assessor)
    assert "your own submission" in exc.value.messages[0]


def test_conflict_of_interest(sub: Submission, assessor: User) -> None:
    client = client_for(assessor)
    response = client.post("/review/conflicts/", {"learner_email": "not-an-email", "reason": ""})
    assert response.status_code == 400 and "Enter the learner" in response.content.decode()
    client.post(f"/review/org-a/{sub.pk}/", {"action": "claim"})
    sub.refresh_from_db()
    assert sub.claimed_by == assessor
    # Declaring a conflict releases the claim held on that learner's work.
    assert (
        client.post("/review/conflicts/", {"learner_email": LEARNER_EMAIL.upper(), "reason": "I coach her"}).status_code
        == 302
    )
    sub.refresh_from_db()
    assert sub.claimed_by is None and sub.status == "submitted"
    queue = client.get("/review/org-a/").content.decode()
    assert f">{sub.reference}</a>" not in queue and "declared a conflict" in queue
    assert client.get(f"/review/org-a/{sub.pk}/").status_code == 404
    item = sub.active_evidence().exclude(file="").first()
    assert client.get(f"/evidence/{item.pk}/").status_code == 404  # type: ignore[union-attr]
    assert client.post(f"/api/review/org-a/submissions/{sub.pk}/claim").status_code == 404
    with pytest.raises(ValidationError) as exc:
        actions.do_claim_submission(submission=sub, assessor=assessor, actor=assessor)
    assert "conflict of interest" in exc.value.messages[0]
    # Withdrawn, the submission comes back.
    conflict = assessor.conflicts.get()
    client.post(f"/review/conflicts/{conflict.pk}/withdraw/")
    assert sub.reference in client.get("/review/org-a/").content.decode()


def test_conflicts_over_the_api(sub: Submission, assessor: User) -> None:
    client = client_for(assessor)
    created = client.post("/api/conflicts", {"learner_email": LEARNER_EMAIL}, content_type="application/json")
    assert created.status_code == 201
    assert client.get(f"/api/review/org-a/submissions/{sub.pk}").status_code == 404
    bad = client.post("/api/conflicts", {"learner_email": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert "learner_email" in bad.json()["errors"]
    assert client.delete(f"/api/conflicts/{created.json()['id']}").status_code == 204
    assert client.get(f"/api/review/org-a/submissions/{sub.pk}").status_code == 200


def test_learner_cannot_read_another_learners_submission(sub: Submission, make_user: Any) -> None:
    other = make_user("other.learner@example.org")
    client = client_for(other)
    assert client.get(f"/learning/submissions/{sub.pk}/").status_code == 404
    assert client.post(f"/learning/submissions/{sub.pk}/", {"action": "save"}).status_code == 404
    assert client.post(f"/learning/submissions/{sub.pk}/autosave/", {"overview.0": "x"}).status_code == 404
    assert client.post(f"/learning/submissions/{sub.pk}/withdraw/").status_code == 404
    item = sub.active_evidence().exclude(file="").first()
    assert client.get(f"/evidence/{item.pk}/").status_code == 404  # type: ignore[union-attr]
    assert client.get(f"/api/evidence/{item.pk}/content").status_code == 404  # type: ignore[union-attr]
    response = client.get(f"/api/submissions/{sub.pk}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert client.get("/api/submissions").json() == []
    # A learner who is no assessor has no queue.
    assert client.get("/review/org-a/").status_code == 404
    assert client.get("/api/review/org-a/queue").status_code == 404
    assert client.get("/learning/").status_code == 200


def test_assessor_of_another_organization_is_refused(sub: Submission, org_b: Organization, make_user: Any) -> None:
    outsider = make_user("assessor-b@example.org")
    do_add_member(organization=org_b, user=outsider, role=Role.ASSESSOR, actor=admin_of(org_b))
    for user in (outsider, admin_of(org_b)):
        client = client_for(user)
        assert client.get("/review/org-a/").status_code == 404
        assert client.get(f"/review/org-a/{sub.pk}/").status_code == 404
        assert client.post(f"/review/org-a/{sub.pk}/", {"action": "claim"}).status_code == 404
        assert client.get(f"/review/org-b/{sub.pk}/").status_code == 404  # not in their org's queue either
        item = sub.active_evidence().exclude(file="").first()
        assert client.get(f"/evidence/{item.pk}/").status_code == 404  # type: ignore[union-attr]
        assert client.get("/api/review/org-a/queue").status_code == 404
        assert client.post(f"/api/review/org-a/submissions/{sub.pk}/claim").status_code == 404
        assert client.post(f"/api/review/org-b/submissions/{sub.pk}/claim").status_code == 404
    with pytest.raises(ValidationError):
        actions.do_claim_submission(submission=sub, assessor=outsider, actor=outsider)
    # Org B's API key cannot reach org A's submissions either (no key reaches a learner's side: 403 for all).
    _, key = do_create_api_key(organization=org_b, name="lms", actor=admin_of(org_b))
    keyed = Client(headers={"Authorization": f"Bearer {key}"})
    assert keyed.get(f"/api/submissions/{sub.pk}").status_code == 403
    assert keyed.get("/api/review/org-a/queue").status_code == 404
    assert (
        keyed.post(
            "/api/submissions",
            {"organization": "org-a", "micro_credential": "cer-lab", "learner_email": LEARNER_EMAIL},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_drafts_are_not_in_the_queue(learner: User, published: MicroCredentialVersion, assessor: User) -> None:
    draft = actions.do_start_submission(learner=learner, version=published, actor=learner)
    client = client_for(assessor)
    assert client.get(f"/review/org-a/{draft.pk}/").status_code == 404
    assert draft.reference not in client.get("/review/org-a/").content.decode()


def test_anonymous_is_sent_to_sign_in(sub: Submission) -> None:
    client = Client()
    for url in ["/learning/", f"/learning/submissions/{sub.pk}/", "/review/org-a/", "/review/conflicts/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get("/api/submissions").status_code == 401


def test_start_only_published(learner: User, org_a: Organization, definition: dict[str, Any]) -> None:
    draft = catalog_actions.do_create_micro_credential(
        organization=org_a, data=definition, slug="drafty", actor=admin_of(org_a)
    )
    with pytest.raises(ValidationError):
        actions.do_start_submission(learner=learner, version=draft, actor=learner)
    assert client_for(learner).post("/learning/start/org-a/drafty/").status_code == 404


def test_evidence_added_after_a_return_stays_private_until_resubmitted(sub: Submission, assessor: User) -> None:
    from tests.platform.assessment_support import PDF, feedback_for, upload

    version = sub.micro_credential_version
    actions.do_claim_submission(submission=sub, assessor=assessor, actor=assessor)
    actions.do_decide_submission(
        submission=sub,
        assessor=assessor,
        decision="return",
        levels=levels(version, passing=False),
        criterion_feedback=feedback_for(version),
        overall_feedback="",
        actor=assessor,
    )
    item = actions.do_add_evidence(submission=sub, artifact_index=0, title="New", upload=upload(PDF), actor=sub.learner)
    client = client_for(assessor)
    assert client.get(f"/evidence/{item.pk}/").status_code == 404
    assert client_for(sub.learner).get(f"/evidence/{item.pk}/").status_code == 200
    actions.do_submit_submission(submission=sub, actor=sub.learner)
    assert client.get(f"/evidence/{item.pk}/").status_code == 200


def test_admin_releases_a_claim_another_assessor_left_standing(sub: Submission, assessor: User, make_user: Any) -> None:
    admin = admin_of(sub.organization)
    other = make_user("assessor-b@example.org")
    do_add_member(organization=sub.organization, user=other, role=Role.ASSESSOR, actor=admin)
    client_for(assessor).post(f"/review/org-a/{sub.pk}/", {"action": "claim"})
    sub.refresh_from_db()
    assert sub.claimed_by == assessor

    # Another assessor sees who holds it and since when, but cannot take it away, not even by posting.
    other_client = client_for(other)
    page = other_client.get(f"/review/org-a/{sub.pk}/").content.decode()
    assert "they claimed it" in page and "Release their claim" not in page
    refused = other_client.post(f"/review/org-a/{sub.pk}/", {"action": "release"}, follow=True)
    assert "Another assessor holds this submission." in refused.content.decode()
    sub.refresh_from_db()
    assert sub.claimed_by == assessor

    # The organization admin gets the button, and using it puts the submission back in the queue.
    admin_client = client_for(admin)
    assert "Release their claim" in admin_client.get(f"/review/org-a/{sub.pk}/").content.decode()
    released = admin_client.post(f"/review/org-a/{sub.pk}/", {"action": "release"}, follow=True)
    assert released.redirect_chain[-1][0] == "/review/org-a/"
    assert f"{sub.reference} is back in the queue." in released.content.decode()
    sub.refresh_from_db()
    assert sub.claimed_by is None and sub.status == "submitted"
    assert "Release their claim" not in admin_client.get(f"/review/org-a/{sub.pk}/").content.decode()
