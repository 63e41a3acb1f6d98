"""The assessment loop through its actions and pages: drafts, word limits, submit, review, return, resubmit, pass."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.models import Assessment, AwardStatus, Submission, SubmissionStatus
from credstack.assessment.signals import assessment_passed
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.models import AuditEvent
from credstack.organizations.actions import do_add_member, do_update_organization_profile
from credstack.organizations.models import Organization, Role
from tests.platform.assessment_support import (
    LEARNER_EMAIL,
    LEARNER_NAME,
    PDF,
    award_step_disconnected,
    complete,
    feedback_for,
    levels,
    submitted,
    upload,
)
from tests.platform.conftest import admin_of, client_for


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(LEARNER_EMAIL, display_name=LEARNER_NAME)


@pytest.fixture
def assessor(org_a: Organization) -> User:
    return User.objects.get(email="assessor-a@example.org")


def test_word_count_matches_the_page() -> None:
    assert actions.word_count("") == 0
    assert actions.word_count("  one\ttwo\nthree  ") == 3
    assert actions.word_count("don't stop—now") == 2


def test_word_limits_are_enforced_on_submit(learner: User, published: MicroCredentialVersion) -> None:
    submission = actions.do_start_submission(learner=learner, version=published, actor=learner)
    complete(submission, learner)
    limit = published.submission["overview_questions"][0]["word_limit"]
    answers = {"overview": submission.overview_answers(), "reflection": submission.reflection()}
    answers["overview"][0] = " ".join(["w"] * (limit + 1))
    actions.do_save_draft(submission=submission, answers=answers, actor=learner)  # a draft may be over the limit
    with pytest.raises(ValidationError) as exc:
        actions.do_submit_submission(submission=submission, actor=learner)
    assert f"has {limit + 1} words; the limit is {limit}" in exc.value.message_dict["overview.0"][0]
    answers["overview"][0] = " ".join(["w"] * limit)
    actions.do_save_draft(submission=submission, answers=answers, actor=learner)
    actions.do_submit_submission(submission=submission, actor=learner)
    assert submission.status == SubmissionStatus.SUBMITTED


def test_submit_lists_everything_missing(learner: User, published: MicroCredentialVersion) -> None:
    submission = actions.do_start_submission(learner=learner, version=published, actor=learner)
    with pytest.raises(ValidationError) as exc:
        actions.do_submit_submission(submission=submission, actor=learner)
    errors = exc.value.message_dict
    assert {"overview.0", "reflection", "artifacts.0", "artifacts.1", "artifacts.2"} <= set(errors)
    assert submission.attempts.count() == 0


def test_page_keeps_typed_text_on_error_and_shows_word_count(learner: User, published: MicroCredentialVersion) -> None:
    client = client_for(learner)
    response = client.post("/learning/start/org-a/cer-lab/")
    url = response["Location"]
    typed = "My class of thirty " + " ".join(["x"] * 400)
    response = client.post(
        url, {"overview.0": typed, "overview.1": "b", "overview.2": "c", "reflection": "r", "action": "submit"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert typed in html  # nothing typed is lost
    assert 'id="error-summary"' in html and "the limit is 250" in html
    assert "404 / 250 words" in html
    # The draft is on the server: another browser sees it.
    assert typed in client_for(learner).get(url).content.decode()


def test_autosave_endpoint(learner: User, published: MicroCredentialVersion) -> None:
    client = client_for(learner)
    submission = actions.do_start_submission(learner=learner, version=published, actor=learner)
    response = client.post(
        f"/learning/submissions/{submission.pk}/autosave/", {"overview.0": "Autosaved words", "reflection": "Thinking"}
    )
    assert response.status_code == 200 and response.json()["saved"] is True
    submission.refresh_from_db()
    assert submission.overview_answers()[0] == "Autosaved words" and submission.reflection() == "Thinking"
    # Frequent autosaves leave one audit record per quarter hour, not one per keystroke.
    client.post(f"/learning/submissions/{submission.pk}/autosave/", {"overview.0": "Autosaved words again"})
    assert AuditEvent.objects.filter(action="submission.draft_saved", object_id=str(submission.pk)).count() == 1
    too_long = client.post(f"/learning/submissions/{submission.pk}/autosave/", {"overview.0": "x" * 20_001})
    assert too_long.status_code == 400 and too_long.json()["saved"] is False


def test_full_loop_with_mail_history_and_award(
    learner: User, assessor: User, published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[Assessment] = []

    def receiver(sender: Any, assessment: Assessment, **kwargs: Any) -> None:
        received.append(assessment)

    isolation = award_step_disconnected()  # this test plays the award step itself
    isolation.__enter__()
    assessment_passed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            submission = submitted(learner, published)
        subjects = [m.subject for m in mail.outbox]
        assert any(s.startswith("Submitted:") for s in subjects)
        queue_mail = next(m for m in mail.outbox if m.subject.startswith("New in the review queue"))
        assert LEARNER_EMAIL not in queue_mail.body and LEARNER_NAME not in queue_mail.body
        assert LEARNER_EMAIL not in queue_mail.to
        mail.outbox.clear()

        # Returned with feedback.
        actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
        with pytest.raises(ValidationError) as exc:
            actions.do_decide_submission(
                submission=submission,
                assessor=assessor,
                decision="return",
                levels=levels(published, passing=False),
                criterion_feedback={},
                overall_feedback="",
                actor=assessor,
            )
        assert "criterion_feedback.scaffold-design" in exc.value.message_dict
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_decide_submission(
                submission=submission,
                assessor=assessor,
                decision="return",
                levels=levels(published, passing=False),
                criterion_feedback=feedback_for(published),
                overall_feedback="Good start.",
                actor=assessor,
            )
        submission.refresh_from_db()
        assert submission.status == SubmissionStatus.RETURNED and submission.attempts_left == 2
        assert [m.to for m in mail.outbox if m.subject.startswith("Feedback on")] == [[LEARNER_EMAIL]]
        mail.outbox.clear()

        page = client_for(learner).get(f"/learning/submissions/{submission.pk}/").content.decode()
        assert "Feedback on Scaffold design and fading: add more detail." in page and "2 attempts left" in page

        # Resubmitted with one more file, then passed.
        actions.do_add_evidence(
            submission=submission, artifact_index=1, title="Revised", upload=upload(PDF), actor=learner
        )
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_submit_submission(submission=submission, actor=learner)
        assert submission.attempts_used == 2
        actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
        with pytest.raises(ValidationError) as exc:
            actions.do_decide_submission(
                submission=submission,
                assessor=assessor,
                decision="pass",
                levels=levels(published, passing=False),
                criterion_feedback={},
                overall_feedback="",
                actor=assessor,
            )
        assert "does not pass" in exc.value.message_dict["decision"][0]
        with pytest.raises(ValidationError) as exc:
            actions.do_decide_submission(
                submission=submission,
                assessor=assessor,
                decision="return",
                levels=levels(published),
                criterion_feedback={},
                overall_feedback="",
                actor=assessor,
            )
        assert "rubric says this passes" in exc.value.message_dict["decision"][0]
        with django_capture_on_commit_callbacks(execute=True):
            actions.do_decide_submission(
                submission=submission,
                assessor=assessor,
                decision="pass",
                levels=levels(published),
                criterion_feedback={},
                overall_feedback="Well evidenced.",
                actor=assessor,
            )
    finally:
        assessment_passed.disconnect(receiver)
        isolation.__exit__(None, None, None)

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PASSED
    assessment = Assessment.objects.get(submission=submission)
    assert received == [assessment]
    assert assessment.learner == learner and assessment.micro_credential_version == published
    assert assessment.levels == levels(published) and assessment.feedback == "Well evidenced."
    assert list(assessment.assessors.all()) == [assessor] and assessment.award_status == AwardStatus.PENDING
    assert assessment.attempt.number == 2 and assessment.attempt.evidence  # the evidence assessed, frozen
    assert any(m.subject.startswith("Passed:") and m.to == [LEARNER_EMAIL] for m in mail.outbox)

    page = client_for(learner).get("/learning/").content.decode()
    assert "Awarded — credential pending" in page
    history = [
        h
        for h in ["Submitted (attempt 1)", "In review", "Returned with feedback", "Resubmitted (attempt 2)", "Passed"]
        if h in page
    ]
    assert len(history) == 5

    actions.do_mark_credential_issued(assessment, "urn:uuid:1234", None)
    assert actions.do_mark_credential_issued(assessment, "urn:uuid:1234", None).award_status == AwardStatus.ISSUED
    with pytest.raises(ValidationError):
        actions.do_mark_credential_issued(assessment, "urn:uuid:other", None)
    assert "Awarded — credential issued" in client_for(learner).get("/learning/").content.decode()
    # Already earned: no new submission.
    with pytest.raises(ValidationError):
        actions.do_start_submission(learner=learner, version=published, actor=learner)


def test_attempt_limit(learner: User, assessor: User, published: MicroCredentialVersion) -> None:
    MicroCredentialVersion.objects.filter(pk=published.pk).update(max_attempts=2)
    published.refresh_from_db()
    submission = submitted(learner, published)
    for attempt in (1, 2):
        actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
        actions.do_decide_submission(
            submission=submission,
            assessor=assessor,
            decision="return",
            levels=levels(published, passing=False),
            criterion_feedback=feedback_for(published),
            overall_feedback="",
            actor=assessor,
        )
        submission.refresh_from_db()
        if attempt == 1:
            assert submission.status == SubmissionStatus.RETURNED
            actions.do_submit_submission(submission=submission, actor=learner)
    assert submission.status == SubmissionStatus.NOT_PASSED and submission.attempts_left == 0
    with pytest.raises(ValidationError):
        actions.do_submit_submission(submission=submission, actor=learner)
    with pytest.raises(ValidationError) as exc:
        actions.do_start_submission(learner=learner, version=published, actor=learner)
    assert "used every attempt" in exc.value.messages[0]
    page = client_for(learner).get(f"/learning/submissions/{submission.pk}/").content.decode()
    assert "All 2 attempts are used" in page and "about next steps" in page


def test_withdraw_keeps_history(learner: User, published: MicroCredentialVersion) -> None:
    submission = submitted(learner, published)
    client = client_for(learner)
    assert client.post(f"/learning/submissions/{submission.pk}/withdraw/").status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.WITHDRAWN
    assert Submission.objects.filter(pk=submission.pk).exists() and submission.attempts.count() == 1
    assert "Withdrawn" in client.get("/learning/").content.decode()
    # A new one can be started.
    assert actions.do_start_submission(learner=learner, version=published, actor=learner).pk != submission.pk


def test_second_review_and_agreement(
    learner: User,
    assessor: User,
    published: MicroCredentialVersion,
    org_a: Organization,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = admin_of(org_a)
    do_update_organization_profile(organization=org_a, actor=admin, second_review="passes")
    second = make_user("second@example.org", display_name="Second Assessor")
    do_add_member(organization=org_a, user=second, role=Role.ASSESSOR, actor=admin)
    submission = submitted(learner, published)
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_submission(
            submission=submission,
            assessor=assessor,
            decision="pass",
            levels=levels(published),
            criterion_feedback={},
            overall_feedback="Yes.",
            actor=assessor,
        )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW and submission.review_stage == "second"
    assert not Assessment.objects.exists()
    assert any(m.subject.startswith("Second review needed") for m in mail.outbox)
    with pytest.raises(ValidationError) as exc:  # the first assessor cannot be the second
        actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    assert "independent" in exc.value.messages[0]
    actions.do_claim_submission(submission=submission, assessor=second, actor=second)
    exemplary = levels(published)
    first_key = published.rubric["criteria"][0]["key"]
    exemplary[first_key] = "exemplary"
    actions.do_decide_submission(
        submission=submission,
        assessor=second,
        decision="pass",
        levels=exemplary,
        criterion_feedback={},
        overall_feedback="Agreed.",
        actor=second,
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PASSED
    assessment = Assessment.objects.get(submission=submission)
    assert set(assessment.assessors.all()) == {assessor, second}
    assert assessment.levels[first_key] == "proficient"  # the lower of the two passing levels

    dashboard = client_for(admin).get("/manage/org-a/").content.decode()
    assert "Agreement between assessors" in dashboard and "<svg" in dashboard
    assert "Scaffold design and fading" in dashboard and "0%" in dashboard and "100%" in dashboard
    assert LEARNER_EMAIL not in dashboard


def test_sampled_second_review_is_a_share(org_a: Organization) -> None:
    do_update_organization_profile(
        organization=org_a, actor=admin_of(org_a), second_review="sample", second_review_sample_percent=30
    )
    share = sum(actions._needs_second_review(org_a) for _ in range(4000)) / 4000
    assert 0.25 < share < 0.35


def test_release_and_claim_again(
    learner: User, assessor: User, published: MicroCredentialVersion, org_a: Organization
) -> None:
    submission = submitted(learner, published)
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    actions.do_save_scores(
        submission=submission,
        assessor=assessor,
        levels={"scaffold-design": "developing"},
        criterion_feedback={},
        overall_feedback="halfway",
        actor=assessor,
    )
    with pytest.raises(ValidationError):
        actions.do_save_scores(
            submission=submission,
            assessor=assessor,
            levels={"nope": "x"},
            criterion_feedback={},
            overall_feedback="",
            actor=assessor,
        )
    admin = admin_of(org_a)
    with pytest.raises(ValidationError):  # someone else holds it
        actions.do_claim_submission(submission=submission, assessor=admin, actor=admin)
    actions.do_release_submission(submission=submission, actor=assessor)
    assert submission.status == SubmissionStatus.SUBMITTED and submission.claimed_by is None
    review = actions.do_claim_submission(submission=submission, assessor=admin, actor=admin)
    assert review.levels == {}  # a fresh, independent review


def test_review_pages_claim_score_decide(learner: User, assessor: User, published: MicroCredentialVersion) -> None:
    submission = submitted(learner, published)
    client = client_for(assessor)
    queue = client.get("/review/org-a/")
    assert queue.status_code == 200 and submission.reference in queue.content.decode()
    page = client.get(f"/review/org-a/{submission.pk}/").content.decode()
    assert "Claim for review" in page and "<iframe" in page  # the PDF evidence is previewed
    client.post(f"/review/org-a/{submission.pk}/", {"action": "claim"})
    page = client.get(f"/review/org-a/{submission.pk}/").content.decode()
    assert "Score against the rubric" in page
    posted = {f"levels.{k}": v for k, v in levels(published).items()}
    posted[f"levels.{published.rubric['criteria'][0]['key']}"] = "not-yet"
    response = client.post(f"/review/org-a/{submission.pk}/", {**posted, "action": "pass", "overall_feedback": "kept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "does not pass" in html and "kept" in html  # the typed feedback stays
    response = client.post(
        f"/review/org-a/{submission.pk}/",
        {**{f"levels.{k}": v for k, v in levels(published).items()}, "action": "pass"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PASSED


def test_evidence_files_are_hashed_and_not_public(learner: User, published: MicroCredentialVersion) -> None:
    import hashlib

    submission = actions.do_start_submission(learner=learner, version=published, actor=learner)
    item = actions.do_add_evidence(
        submission=submission,
        artifact_index=0,
        title="Plan",
        upload=upload(PDF, "Jane Quillfeather plan.pdf"),
        actor=learner,
    )
    assert item.sha256 == hashlib.sha256(PDF).hexdigest() and item.size == len(PDF)
    assert item.file.name.startswith(f"evidence/{submission.pk}/") and "Quillfeather" not in item.file.name
    assert item.kind == "document" and item.media_type == "application/pdf"
    client = client_for(learner)
    response = client.get(f"/evidence/{item.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    from django.test import Client

    assert Client().get("/media/" + item.file.name).status_code == 404
    actions.do_remove_evidence(item=item, actor=learner)
    item.refresh_from_db()
    assert item.removed_at is not None and item.file  # kept, just out of the draft
