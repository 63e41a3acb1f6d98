"""The assessment loop over the JSON API: a learner submits, assessors claim, score and decide."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment.models import Assessment, Submission
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from tests.platform.assessment_support import (
    LEARNER_EMAIL,
    LEARNER_NAME,
    PDF,
    PNG,
    award_step_disconnected,
    feedback_for,
    levels,
    upload,
)
from tests.platform.conftest import admin_of, client_for, key_client

PROBLEM = "application/problem+json"


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(LEARNER_EMAIL, display_name=LEARNER_NAME)


@pytest.fixture
def lms(org_a: Organization) -> Client:
    return key_client(org_a, "lms")


def _fill(client: Client, pk: int, version: MicroCredentialVersion) -> None:
    n = len(version.submission["overview_questions"])
    saved = client.put(
        f"/api/submissions/{pk}/answers",
        {"overview": ["An answer."] * n, "reflection": "Reflected."},
        content_type="application/json",
    )
    assert saved.status_code == 200, saved.content
    for i, artifact in enumerate(version.submission["artifacts"]):
        data = PDF if "document" in artifact["accepted_kinds"] else PNG
        added = client.post(
            f"/api/submissions/{pk}/evidence",
            {"artifact_index": i, "title": f"Item {i}", "note": "shows it", "file": upload(data)},
        )
        assert added.status_code == 201, added.content


def test_openapi_documents_the_flow(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in [
        "/api/submissions",
        "/api/submissions/{pk}/evidence",
        "/api/submissions/{pk}/submit",
        "/api/review/{org_slug}/queue",
        "/api/review/{org_slug}/submissions/{pk}/claim",
        "/api/review/{org_slug}/submissions/{pk}/scores",
        "/api/review/{org_slug}/submissions/{pk}/decision",
    ]:
        assert path in paths, path


def test_learner_submits_over_the_api_and_assessor_decides(
    lms: Client, learner: User, published: MicroCredentialVersion
) -> None:
    # An organization's key never starts (or touches) a learner's submission: the learner does, signed in.
    keyed = lms.post(
        "/api/submissions",
        {"organization": "org-a", "micro_credential": "cer-lab", "learner_email": LEARNER_EMAIL},
        content_type="application/json",
    )
    assert keyed.status_code == 403 and keyed["Content-Type"] == PROBLEM
    own = client_for(learner)
    someone_else = own.post(
        "/api/submissions",
        {"organization": "org-a", "micro_credential": "cer-lab", "learner_email": "nobody@example.org"},
        content_type="application/json",
    )
    assert someone_else.status_code == 400 and "learner_email" in someone_else.json()["errors"]
    created = own.post(
        "/api/submissions", {"organization": "org-a", "micro_credential": "cer-lab"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["status"] == "draft" and body["learner_email"] == LEARNER_EMAIL
    assert set(body["problems"]) >= {"overview.0", "artifacts.0"}

    early = own.post(f"/api/submissions/{pk}/submit")
    assert early.status_code == 400 and early["Content-Type"] == PROBLEM and "artifacts.0" in early.json()["errors"]
    wrong = own.post(f"/api/submissions/{pk}/evidence", {"artifact_index": 0, "file": upload(b"MZ\x90\x00")})
    assert wrong.status_code == 400 and "Programs are not accepted" in wrong.json()["errors"]["file"]
    _fill(own, pk, published)
    submitted = own.post(f"/api/submissions/{pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["expected_review_by"]

    # The learner sees it in their own list.
    mine = client_for(learner).get("/api/submissions").json()
    assert [s["id"] for s in mine] == [pk]

    assessor = client_for(User.objects.get(email="assessor-a@example.org"))
    queue = assessor.get("/api/review/org-a/queue").json()
    assert [i["id"] for i in queue["items"]] == [pk]
    assert (
        assessor.put(
            f"/api/review/org-a/submissions/{pk}/scores", {"levels": {}}, content_type="application/json"
        ).status_code
        == 400
    )  # not claimed yet
    assert assessor.post(f"/api/review/org-a/submissions/{pk}/claim").status_code == 200
    rival = client_for(admin_of(published.organization))
    lost = rival.post(f"/api/review/org-a/submissions/{pk}/claim")
    assert lost.status_code == 409 and lost["Content-Type"] == PROBLEM

    scored = assessor.put(
        f"/api/review/org-a/submissions/{pk}/scores",
        {"levels": {"scaffold-design": "developing"}, "overall_feedback": "so far"},
        content_type="application/json",
    )
    assert scored.json()["my_scores"]["overall_feedback"] == "so far"
    refused = assessor.post(
        f"/api/review/org-a/submissions/{pk}/decision",
        {"decision": "pass", "levels": levels(published, passing=False)},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "does not pass" in refused.json()["errors"]["decision"]
    returned = assessor.post(
        f"/api/review/org-a/submissions/{pk}/decision",
        {
            "decision": "return",
            "levels": levels(published, passing=False),
            "criterion_feedback": feedback_for(published),
            "overall_feedback": "Close.",
        },
        content_type="application/json",
    )
    assert returned.status_code == 200, returned.content

    back = own.get(f"/api/submissions/{pk}").json()
    assert back["status"] == "returned" and back["feedback"][0]["overall"] == "Close."
    assert any(not c["meets"] for c in back["feedback"][0]["criteria"])
    assert own.post(f"/api/submissions/{pk}/submit").json()["status"] == "submitted"

    assessor.post(f"/api/review/org-a/submissions/{pk}/claim")
    detail = assessor.get(f"/api/review/org-a/submissions/{pk}").json()
    assert detail["attempt"] == 2 and detail["earlier_feedback"][0]["overall"] == "Close."
    with award_step_disconnected():  # issuing the credential is the award step's (its own tests)
        passed = assessor.post(
            f"/api/review/org-a/submissions/{pk}/decision",
            {"decision": "pass", "levels": levels(published)},
            content_type="application/json",
        )
    assert passed.status_code == 200 and passed.json()["status"] == "passed"
    final = own.get(f"/api/submissions/{pk}").json()
    assert final["award_status"] == "pending" and final["credential_id"] is None
    assert Assessment.objects.filter(submission_id=pk).exists()


def test_learner_session_flow_and_evidence_removal(learner: User, published: MicroCredentialVersion) -> None:
    client = client_for(learner)
    created = client.post(
        "/api/submissions", {"organization": "org-a", "micro_credential": "cer-lab"}, content_type="application/json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    again = client.post(
        "/api/submissions", {"organization": "org-a", "micro_credential": "cer-lab"}, content_type="application/json"
    )
    assert again.json()["id"] == pk  # the open one
    other = client.post(
        "/api/submissions",
        {"organization": "org-a", "micro_credential": "cer-lab", "learner_email": "someone@example.org"},
        content_type="application/json",
    )
    assert other.status_code == 400
    added = client.post(f"/api/submissions/{pk}/evidence", {"artifact_index": 0, "url": "https://example.org/x"})
    assert added.status_code == 201 and added.json()["kind"] == "link"
    assert client.delete(f"/api/submissions/{pk}/evidence/{added.json()['id']}").status_code == 204
    assert client.get(f"/api/submissions/{pk}").json()["evidence"] == []
    withdrawn = client.post(f"/api/submissions/{pk}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/submissions/{pk}/withdraw").status_code == 409  # nothing keyed: a state conflict
    assert Submission.objects.filter(pk=pk).exists()
