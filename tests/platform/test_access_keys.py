"""What an organization's API key and OAuth client may do (issue 12, Access 5, 7 and 8).

Keys act for their organization only: what its admins and assessors may see and do, never a learner's side.
Keys and OAuth clients made by a person end when that person leaves the organization or stops being its admin.
What the platform signs names the organization as it is, and keeps out of the platform's own URL space.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment import actions as assessment
from credstack.assessment.models import Submission, SubmissionStatus
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.models import AuditEvent
from credstack.organizations.actions import (
    do_add_member,
    do_create_api_key,
    do_create_oauth_client,
    do_remove_member,
)
from credstack.organizations.models import Membership, OAuthAccessToken, Organization, Role
from tests.platform.assessment_support import complete
from tests.platform.conftest import client_for, key_client
from tests.platform.test_verifier_issue import UNSIGNED

PROBLEM = "application/problem+json"


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user("learner@example.org")


@pytest.fixture
def key_of_a(org_a: Organization) -> Client:
    return key_client(org_a, "lms")


@pytest.fixture
def draft(learner: User, published: MicroCredentialVersion) -> Submission:
    submission = assessment.do_start_submission(learner=learner, version=published, actor=learner)
    assessment.do_save_draft(submission=submission, answers={"overview": ["my private draft"]}, actor=learner)
    return submission


def _refused(response: Any) -> None:
    assert response.status_code in (403, 404), response.content
    assert response["Content-Type"] == PROBLEM


# --- Access 5: a key never acts on a learner's side -------------------------------------------------


def test_key_cannot_read_a_learners_draft(key_of_a: Client, learner: User, draft: Submission) -> None:
    _refused(key_of_a.get(f"/api/submissions/{draft.pk}"))
    assert "my private draft" not in key_of_a.get("/api/submissions").content.decode()
    mine = client_for(learner).get(f"/api/submissions/{draft.pk}")
    assert mine.status_code == 200 and mine.json()["answers"]["overview"][0] == "my private draft"


def test_key_cannot_start_a_submission_for_a_learner(
    key_of_a: Client, learner: User, published: MicroCredentialVersion
) -> None:
    body = {"organization": "org-a", "micro_credential": "cer-lab", "learner_email": learner.email}
    _refused(key_of_a.post("/api/submissions", body, content_type="application/json"))
    assert not Submission.objects.filter(learner=learner).exists()
    started = client_for(learner).post("/api/submissions", body, content_type="application/json")
    assert started.status_code == 201


def test_key_cannot_write_a_learners_answers(key_of_a: Client, learner: User, draft: Submission) -> None:
    answers = {"overview": ["written by the key"], "reflection": ""}
    _refused(key_of_a.put(f"/api/submissions/{draft.pk}/answers", answers, content_type="application/json"))
    draft.refresh_from_db()
    assert draft.overview_answers()[0] == "my private draft"
    mine = client_for(learner).put(f"/api/submissions/{draft.pk}/answers", answers, content_type="application/json")
    assert mine.status_code == 200 and mine.json()["answers"]["overview"][0] == "written by the key"


def test_key_cannot_withdraw_a_learners_submitted_work(key_of_a: Client, learner: User, draft: Submission) -> None:
    complete(draft, learner)
    assessment.do_submit_submission(submission=draft, actor=learner)
    _refused(key_of_a.post(f"/api/submissions/{draft.pk}/withdraw"))
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.SUBMITTED
    mine = client_for(learner).post(f"/api/submissions/{draft.pk}/withdraw")
    assert mine.status_code == 200 and mine.json()["status"] == "withdrawn"


def test_key_still_reviews_as_its_creator(key_of_a: Client, learner: User, draft: Submission) -> None:
    """The organization's side stays open to its key: the review queue, blind."""
    complete(draft, learner)
    assessment.do_submit_submission(submission=draft, actor=learner)
    queue = key_of_a.get("/api/review/org-a/queue")
    assert queue.status_code == 200 and [i["id"] for i in queue.json()["items"]] == [draft.pk]
    assert learner.email not in queue.content.decode()


# --- Access 7: what a person created ends when they leave or stop being admin -----------------------


class Integrations:
    """An API key and an OAuth client (with a live token) created by one admin of org A."""

    def __init__(self, org: Organization, creator: User) -> None:
        self.key, raw_key = do_create_api_key(organization=org, name="their key", actor=creator)
        self.client, self.secret = do_create_oauth_client(organization=org, name="their client", actor=creator)
        self.keyed = Client(headers={"Authorization": f"Bearer {raw_key}"})
        self.token = self.new_token()

    def new_token(self) -> Any:
        return Client().post(
            "/oauth/token",
            {"grant_type": "client_credentials", "client_id": self.client.client_id, "client_secret": self.secret},
        )

    def statuses(self) -> tuple[int, int, int, int]:
        """(key on the API, key issuing, the earlier token issuing, a new token request)."""
        bearer = Client(headers={"Authorization": f"Bearer {self.token.json()['access_token']}"})
        return (
            self.keyed.get("/api/orgs/org-a/microcredentials").status_code,
            _issue(self.keyed, UNSIGNED).status_code,
            _issue(bearer, UNSIGNED).status_code,
            self.new_token().status_code,
        )


@pytest.fixture
def second_admin(org_a: Organization, make_user: Any) -> User:
    user = make_user("second-admin@example.org")
    do_add_member(organization=org_a, user=user, role=Role.ADMIN, actor=_first_admin())
    return user


def _first_admin() -> User:
    return User.objects.get(email="admin-a@example.org")


def _membership(org: Organization, user: User, role: str) -> Membership:
    return Membership.objects.get(organization=org, user=user, role=role)


def test_removing_an_admin_ends_the_keys_and_clients_they_created(org_a: Organization, second_admin: User) -> None:
    theirs = Integrations(org_a, second_admin)
    others = Integrations(org_a, _first_admin())
    assert theirs.statuses() == (200, 201, 201, 200)
    do_remove_member(membership=_membership(org_a, second_admin, Role.ADMIN), actor=_first_admin())
    assert theirs.statuses() == (401, 401, 401, 401)
    assert others.statuses() == (200, 201, 201, 200)  # another admin's integrations go on
    theirs.key.refresh_from_db()
    theirs.client.refresh_from_db()
    assert theirs.key.revoked_at is not None and theirs.client.revoked_at is not None
    assert not OAuthAccessToken.objects.filter(client=theirs.client).exists()
    audited = AuditEvent.objects.filter(organization=org_a, action__endswith="_revoked").order_by("pk")
    assert [(e.action, e.data.get("because")) for e in audited] == [
        ("organization.api_key_revoked", "second-admin@example.org is no longer admin"),
        ("organization.oauth_client_revoked", "second-admin@example.org is no longer admin"),
    ]


def test_demoting_an_admin_to_assessor_ends_the_keys_and_clients_they_created(
    org_a: Organization, second_admin: User
) -> None:
    do_add_member(organization=org_a, user=second_admin, role=Role.ASSESSOR, actor=_first_admin())
    theirs = Integrations(org_a, second_admin)
    do_remove_member(membership=_membership(org_a, second_admin, Role.ASSESSOR), actor=_first_admin())
    assert theirs.statuses() == (200, 201, 201, 200)  # still admin: nothing ends
    do_add_member(organization=org_a, user=second_admin, role=Role.ASSESSOR, actor=_first_admin())
    do_remove_member(membership=_membership(org_a, second_admin, Role.ADMIN), actor=_first_admin())
    assert theirs.statuses() == (401, 401, 401, 401)
    assert Membership.objects.filter(organization=org_a, user=second_admin, role=Role.ASSESSOR).exists()


def test_removal_on_the_dashboard_says_what_ended(org_a: Organization, second_admin: User) -> None:
    Integrations(org_a, second_admin)
    page = client_for(_first_admin()).get("/manage/org-a/").content.decode()
    assert "by second-admin@example.org" in page and "stops working when that person" in page
    done = client_for(_first_admin()).post(
        f"/manage/org-a/members/{_membership(org_a, second_admin, Role.ADMIN).pk}/remove/", follow=True
    )
    assert "1 API key and 1 OAuth client they created were revoked" in done.content.decode()


def test_a_creator_who_loses_admin_rights_elsewhere_stops_their_key(org_a: Organization, second_admin: User) -> None:
    """Belt and braces: a membership ended without the action (a deactivated account) stops the key too."""
    theirs = Integrations(org_a, second_admin)
    User.objects.filter(pk=second_admin.pk).update(is_active=False)
    assert theirs.statuses() == (401, 401, 401, 401)


def test_deleting_the_creators_account_ends_their_key_and_client(org_a: Organization, second_admin: User) -> None:
    """An account deleted in the Django admin: what it made must not live on as the organization's."""
    theirs = Integrations(org_a, second_admin)
    second_admin.delete()
    assert theirs.statuses() == (401, 401, 401, 401)


# --- Access 8: what the platform signs names the organization as it is ------------------------------


def _issue(client: Client, credential: dict[str, Any]) -> Any:
    return client.post("/credentials/issue", {"credential": credential}, content_type="application/json")


def test_issue_signs_the_organizations_own_issuer_profile(key_of_a: Client, org_a: Organization) -> None:
    spoofed = {
        **UNSIGNED,
        "issuer": {"id": org_a.issuer_id, "name": "Harvard University", "url": "https://www.harvard.edu/"},
    }
    response = _issue(key_of_a, spoofed)
    assert response.status_code == 201, response.content
    issuer = response.json()["verifiableCredential"]["issuer"]
    assert issuer["id"] == org_a.issuer_id and issuer["name"] == "Org A"
    assert "Harvard" not in response.content.decode()
    as_string = _issue(key_of_a, {**UNSIGNED, "issuer": org_a.issuer_id})
    assert as_string.json()["verifiableCredential"]["issuer"]["name"] == "Org A"


@pytest.mark.parametrize("issuer", ["did:web:harvard.edu", {"id": "https://www.harvard.edu/", "name": "Org A"}])
def test_issue_refuses_an_issuer_that_is_not_the_organization(
    key_of_a: Client, org_a: Organization, issuer: Any
) -> None:
    response = _issue(key_of_a, {**UNSIGNED, "issuer": issuer})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert org_a.issuer_id in response.json()["errors"]["issuer"]


@pytest.mark.parametrize(
    "credential_id",
    [
        "{base}/credentials/0f7c1d7e-3b7e-4d2a-9a59-3b1f0e4c2a11",
        "{base}/issuers/org-b/",
        "{base}/anything",
        "{base}",
        "{base_upper}/credentials/x",
        "https://127.0.0.1:8000/credentials/x",
        "did:web:127.0.0.1%3A8000:issuers:org-b",
    ],
)
def test_issue_refuses_an_id_in_the_platforms_url_space(
    key_of_a: Client, org_b: Organization, credential_id: str
) -> None:
    base = settings.CREDSTACK_BASE_URL
    chosen = credential_id.format(base=base, base_upper=base.upper())
    response = _issue(key_of_a, {**UNSIGNED, "id": chosen})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM, response.content
    assert "id" in response.json()["errors"]


@pytest.mark.parametrize("credential_id", ["urn:uuid:0f7c1d7e-3b7e-4d2a-9a59-3b1f0e4c2a11", "https://lms.example/c/1"])
def test_issue_keeps_an_id_of_the_callers_own(key_of_a: Client, credential_id: str) -> None:
    response = _issue(key_of_a, {**UNSIGNED, "id": credential_id})
    assert response.status_code == 201, response.content
    assert response.json()["verifiableCredential"]["id"] == credential_id


def test_issue_assigns_an_id_in_the_platforms_space(key_of_a: Client) -> None:
    response = _issue(key_of_a, UNSIGNED)
    assert response.json()["verifiableCredential"]["id"].startswith(settings.CREDSTACK_BASE_URL + "/")
