"""The program overview: participation, turnaround, pass rates and awards of an organization, for its admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from credstack.accounts.models import User
from credstack.assessment import actions as assessment
from credstack.assessment.models import Attempt
from credstack.awards.actions import do_award_credential, do_revoke_credential
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.program.queries import chart, program
from tests.platform.assessment_support import feedback_for, levels, submitted
from tests.platform.conftest import admin_of, client_for

ASSESSOR = "assessor-a@example.org"


def decide(submission: Any, passing: bool) -> None:
    assessor = User.objects.get(email=ASSESSOR)
    assessment.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    version = submission.micro_credential_version
    assessment.do_decide_submission(
        submission=submission,
        assessor=assessor,
        decision="pass" if passing else "return",
        levels=levels(version, passing=passing),
        criterion_feedback={} if passing else feedback_for(version),
        overall_feedback="Well evidenced." if passing else "Add more detail.",
        actor=assessor,
    )


@pytest.fixture
def busy(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> MicroCredentialVersion:
    """Four learners: one passed at once, one returned, one waiting, one only started; one direct award, revoked."""
    with django_capture_on_commit_callbacks(execute=True):
        decide(submitted(make_user("l1@example.org"), published), passing=True)
        decide(submitted(make_user("l2@example.org"), published), passing=False)
    submitted(make_user("l3@example.org"), published)
    assessment.do_start_submission(learner=make_user("l4@example.org"), version=published, actor=None)
    org = published.micro_credential.organization
    direct = do_award_credential(
        organization=org, data={"email": "l5@example.org", "achievement": "cer-lab"}, actor=admin_of(org), notify=False
    )
    do_revoke_credential(credential=direct, reason="Issued in error.", actor=admin_of(org))
    return published


def test_the_numbers_add_up(org_a: Organization, busy: MicroCredentialVersion) -> None:
    # The first decision took two days, the return five: the medians and the target (14 days) see that.
    first, second = Attempt.objects.filter(decided_at__isnull=False).order_by("pk")
    Attempt.objects.filter(pk=first.pk).update(submitted_at=first.decided_at - timedelta(days=2))
    Attempt.objects.filter(pk=second.pk).update(submitted_at=second.decided_at - timedelta(days=20))
    found = program(org_a)
    (row,) = found.rows
    assert (row.started, row.submitted, row.waiting, row.passed, row.not_passed) == (4, 3, 1, 1, 0)
    assert row.first_attempt_pass_percent == 50
    assert row.median_days_to_decision == 11.0
    assert (row.credentials, row.revoked) == (1, 1)
    assert found.waiting == 1 and found.oldest_waiting_days is not None
    assert (found.decided_recently, found.median_turnaround_days, found.within_target_percent) == (2, 11.0, 50)
    assert (found.credentials, found.revoked) == (1, 1)
    this_month = found.months[-1]
    assert this_month.start.month == timezone.localtime().month
    assert this_month.counts == {"assessed": 1, "direct": 1, "stack": 0}
    assert len(found.months) == 12 and sum(m.total for m in found.months) == 2


def test_the_chart_draws_what_the_numbers_say(org_a: Organization, busy: MicroCredentialVersion) -> None:
    drawn = chart(program(org_a).months)
    assert not drawn["empty"] and len(drawn["bars"]) == 12
    last = drawn["bars"][-1]
    assert [s["n"] for s in last["segments"]] == [1, 1]
    heights = [s["h"] for s in last["segments"]]
    assert heights[0] == heights[1] and round(sum(heights)) == drawn["height"] - 50  # the tallest bar fills the plot
    assert chart(program(Organization.objects.get(slug="org-a"), now=timezone.now() + timedelta(days=800)).months)[
        "empty"
    ]


def test_the_page_is_for_the_organizations_admins(
    org_a: Organization, org_b: Organization, busy: MicroCredentialVersion
) -> None:
    page = client_for(admin_of(org_a)).get("/manage/org-a/program/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Program overview" in html and "Credentials awarded, month by month" in html
    assert "l1@example.org" not in html and "l2@example.org" not in html  # counts only
    assert client_for(admin_of(org_b)).get("/manage/org-a/program/").status_code == 404
    assert client_for(User.objects.get(email=ASSESSOR)).get("/manage/org-a/program/").status_code == 404
    assert Client().get("/manage/org-a/program/").status_code == 302
    assert "Program overview" in client_for(admin_of(org_a)).get("/manage/org-a/").content.decode()


def test_an_empty_program_says_so(org_b: Organization) -> None:
    html = client_for(admin_of(org_b)).get("/manage/org-b/program/").content.decode()
    assert "No credential was awarded in the last twelve months." in html and "No micro-credentials yet." in html
