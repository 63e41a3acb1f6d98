"""A pass becomes a credential: the assessment_passed receiver issues it once, with the assessed evidence."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment import actions as assessment_actions
from credstack.assessment.models import Assessment, AwardStatus, EvidenceItem
from credstack.awards.actions import do_issue_for_assessment
from credstack.awards.local import LocalFetcher
from credstack.awards.models import Credential
from credstack.awards.tasks import issue_for_assessment
from credstack.catalog.models import MicroCredentialVersion
from credstack.vc.builders import digest_matches
from credstack.vc.fetch import NoNetwork
from credstack.vc.verify import VerifyOptions, verify
from tests.platform.assessment_support import LEARNER_EMAIL, LEARNER_NAME, claim_and_pass, levels, submitted
from tests.platform.conftest import client_for


@pytest.fixture
def passed(published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any) -> Assessment:
    learner = make_user(LEARNER_EMAIL, display_name=LEARNER_NAME)
    assessor = User.objects.get(email="assessor-a@example.org")
    submission = submitted(learner, published)
    claim_and_pass(submission, assessor, django_capture_on_commit_callbacks)
    return Assessment.objects.get(submission=submission)


def test_pass_issues_one_credential_with_results_and_evidence(passed: Assessment) -> None:
    assert passed.award_status == AwardStatus.ISSUED
    credential = Credential.objects.get(source=f"assessment:{passed.pk}")
    assert passed.credential_id == credential.credential_id
    assert credential.recipient_user == passed.learner and credential.claimed_at is not None
    doc = credential.document
    results = doc["credentialSubject"]["result"]
    assert len(results) == len(passed.micro_credential_version.rubric["criteria"])
    assert all(
        r["achievedLevel"]
        .split("#criterion-")[1]
        .endswith(passed.levels[r["resultDescription"].split("#criterion-")[1]])
        for r in results
    )
    # named by default, with the name of the learner's account (they may re-issue it without)
    named = {"identityType": "name", "identityHash": LEARNER_NAME, "hashed": False, "type": "IdentityObject"}
    assert credential.name_shown and named in doc["credentialSubject"]["identifier"]
    files = [e for e in doc["evidence"] if "digestMultibase" in e]
    assert files, "assessed files carry their digest"
    for entry in files:
        item = next(e for e in credential.evidence if e["url"] == entry["id"])
        stored = EvidenceItem.objects.get(pk=item["item_id"])
        with stored.file.open("rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == stored.sha256 and digest_matches(entry["digestMultibase"], data)
    report = verify(
        doc, options=VerifyOptions(fetcher=LocalFetcher(fallback=NoNetwork()), recipient_email=LEARNER_EMAIL)
    )
    assert report.verdict == "valid", report.to_text()


def test_retries_never_issue_twice(passed: Assessment) -> None:
    first = Credential.objects.get(source=f"assessment:{passed.pk}")
    assert issue_for_assessment.delay(passed.pk).get() == first.credential_id
    assert do_issue_for_assessment(assessment=passed).pk == first.pk
    assert Credential.objects.filter(source__startswith="assessment:").count() == 1


def test_evidence_pages_follow_the_learners_choice(passed: Assessment, make_user: Any) -> None:
    credential = Credential.objects.get(source=f"assessment:{passed.pk}")
    number = next(i for i, e in enumerate(credential.evidence, 1) if e.get("digest"))
    page = f"/credentials/{credential.public_id}/evidence/{number}"
    assert Client().get(page).status_code == 403
    assert Client().get(f"{page}/file").status_code == 404
    assert client_for(make_user("stranger@example.org")).get(page).status_code == 403
    owner = client_for(passed.learner)
    assert owner.get(page).status_code == 200
    assert owner.post(f"/wallet/{credential.public_id}/evidence/", {"evidence_public": "1"}).status_code == 302
    public = Client().get(page)
    assert public.status_code == 200 and credential.evidence[number - 1]["digest"] in public.content.decode()
    served = Client().get(f"{page}/file")
    data = b"".join(served.streaming_content)
    assert served.status_code == 200 and digest_matches(credential.evidence[number - 1]["digest"], data)
    assert "sandbox" in served.get("Content-Security-Policy", "sandbox") or served["Content-Type"] == "application/pdf"


def test_passes_left_pending_are_issued_when_a_worker_starts(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from credstack.awards.receivers import queue_pending_assessments
    from tests.platform.assessment_support import award_step_disconnected

    learner = make_user(LEARNER_EMAIL)
    assessor = User.objects.get(email="assessor-a@example.org")
    submission = submitted(learner, published)
    assessment_actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    with award_step_disconnected(), django_capture_on_commit_callbacks(execute=True):
        assessment_actions.do_decide_submission(
            submission=submission,
            assessor=assessor,
            decision="pass",
            levels=levels(published),
            criterion_feedback={},
            overall_feedback="",
            actor=assessor,
        )
    assessment = Assessment.objects.get(submission=submission)
    assert assessment.award_status == AwardStatus.PENDING
    assert queue_pending_assessments() == []  # too recent: its own task may still be on its way
    Assessment.objects.filter(pk=assessment.pk).update(decided_at=timezone.now() - timedelta(minutes=5))
    assert queue_pending_assessments() == [assessment.pk]  # eager here: issued on the spot
    assessment.refresh_from_db()
    assert assessment.award_status == AwardStatus.ISSUED
    assert Credential.objects.filter(source=f"assessment:{assessment.pk}").count() == 1
