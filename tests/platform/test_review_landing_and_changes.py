"""Issue 14, point 10 (the assessor's side): where people land after signing in, the rubric beside the evidence,
and what a resubmission changed since the previous attempt."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.changes import diff_text
from credstack.assessment.models import Submission
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_add_member
from credstack.organizations.models import Organization, Role
from tests.platform.assessment_support import (
    LEARNER_EMAIL,
    LEARNER_NAME,
    feedback_for,
    levels,
    submitted,
    upload,
)
from tests.platform.conftest import PASSWORD, admin_of, client_for


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(LEARNER_EMAIL, display_name=LEARNER_NAME)


@pytest.fixture
def assessor(org_a: Organization) -> User:
    return User.objects.get(email="assessor-a@example.org")


def sign_in(email: str, next_page: str = "") -> Any:
    data = {"username": email, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return Client().post("/accounts/login/", data)


# --- landing -------------------------------------------------------------------------------------------------


def test_an_assessor_lands_on_the_review_queue(assessor: User, org_a: Organization) -> None:
    response = sign_in(assessor.email)
    assert response.status_code == 302 and response["Location"] == "/review/"
    # /review/ goes on to the queue of their only organization
    assert client_for(assessor).get("/review/")["Location"] == "/review/org-a/"


def test_a_safe_next_page_always_wins(assessor: User, published: MicroCredentialVersion) -> None:
    response = sign_in(assessor.email, "/catalog/")
    assert response["Location"] == "/catalog/"
    # an address elsewhere is not followed: the person lands on their own page instead
    assert sign_in(assessor.email, "https://evil.example.com/")["Location"] == "/review/"


def test_landing_by_role(
    org_a: Organization, org_b: Organization, make_user: Any, learner: User, published: MicroCredentialVersion
) -> None:
    assert sign_in(admin_of(org_a).email)["Location"] == "/manage/org-a/"
    assert sign_in("nobody@example.org").status_code == 200  # no such account: the form again
    newcomer = make_user("new@example.org")
    assert sign_in(newcomer.email)["Location"] == "/"
    actions.do_start_submission(learner=learner, version=published, actor=learner)
    assert sign_in(learner.email)["Location"] == "/learning/"
    # An admin of one organization who also assesses for another: the queue while work waits there.
    both = admin_of(org_b)
    do_add_member(organization=org_a, user=both, role=Role.ASSESSOR, actor=admin_of(org_a))
    assert sign_in(both.email)["Location"] == "/manage/org-b/"
    submitted(make_user("other-learner@example.org"), published)
    assert sign_in(both.email)["Location"] == "/review/"


# --- the rubric beside the evidence --------------------------------------------------------------------------


class _Tree(HTMLParser):
    """The element path (tag.class) of every id in the page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.paths: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"br", "img", "input", "link", "meta", "hr", "source"}:
            if found.get("id"):
                self.paths[found["id"] or ""] = [*self.stack, tag]
            return
        self.stack.append(f"{tag}.{(found.get('class') or '').replace(' ', '.')}")
        if found.get("id"):
            self.paths[found["id"] or ""] = list(self.stack)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().startswith(tag + "."):
                break


def _layout(html: str) -> dict[str, list[str]]:
    tree = _Tree()
    tree.feed(html)
    return tree.paths


def test_the_rubric_sits_beside_the_evidence(learner: User, assessor: User, published: MicroCredentialVersion) -> None:
    submission = submitted(learner, published)
    page = client_for(assessor)
    url = f"/review/org-a/{submission.pk}/"
    before_claim = _layout(page.get(url).content.decode())
    # Before a claim the rubric is shown to read, beside the evidence.
    assert "aside.review-rubric" in before_claim["rubric"] and "div.review-layout" in before_claim["rubric"]
    page.post(url, {"action": "claim"})
    html = page.get(url).content.decode()
    tree = _layout(html)
    evidence, rubric = tree["evidence-h"], tree["score-h"]
    # Both in the same two-column layout: the evidence in the first column, the scoring form in the aside.
    assert evidence[: evidence.index("div.review-evidence")][-1] == "div.review-layout"
    assert rubric[: rubric.index("aside.review-rubric")][-1] == "div.review-layout"
    assert "aside.review-rubric" not in evidence and "div.review-evidence" not in rubric
    assert tree["answers-h"][-2] == "section." and "div.review-evidence" in tree["answers-h"]
    assert "form.scoring" in tree["f-overall_feedback"] and "aside.review-rubric" in tree["f-overall_feedback"]
    # the phone layout stacks them: a jump link leads to the rubric
    assert 'href="#rubric"' in html and "assessment/review.css" in html


# --- what a resubmission changed -----------------------------------------------------------------------------


def _return(submission: Submission, assessor: User) -> None:
    version = submission.micro_credential_version
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    actions.do_decide_submission(
        submission=submission,
        assessor=assessor,
        decision="return",
        levels=levels(version, passing=False),
        criterion_feedback=feedback_for(version),
        overall_feedback="Show us what students did.",
        actor=assessor,
    )
    submission.refresh_from_db()


def test_a_resubmission_shows_what_changed(learner: User, assessor: User, published: MicroCredentialVersion) -> None:
    submission = submitted(learner, published)
    _return(submission, assessor)
    page = client_for(assessor)
    url = f"/review/org-a/{submission.pk}/"
    first_html = page.get(url).content.decode()
    assert "What changed since attempt" not in first_html
    removed = submission.active_evidence().filter(artifact_index=0).first()
    assert removed is not None
    answers = {
        "overview": list(submission.overview_answers()),
        "reflection": submission.reflection(),
    }
    answers["overview"][0] = answers["overview"][0] + " <script>alert(1)</script> & two samples"
    actions.do_save_draft(submission=submission, answers=answers, actor=learner)
    actions.do_remove_evidence(item=removed, actor=learner)
    actions.do_add_evidence(
        submission=submission,
        artifact_index=0,
        title="Annotated <b>samples</b>",
        note="Two samples",
        upload=upload(b"%PDF-1.4 new samples\n%%EOF\n", "samples.pdf"),
        actor=learner,
    )
    actions.do_submit_submission(submission=submission, actor=learner)
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    html = page.get(url).content.decode()
    changes = html[html.index('id="changes-h"') : html.index("</section>", html.index('id="changes-h"'))]
    assert "What changed since attempt 1" in changes
    assert "Since attempt 1: 1 of " in changes and "written answers changed; 1 new piece of evidence, 1 taken out." in (
        changes
    )
    # the learner's text is escaped; only the diff's own marks are markup
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in changes
    assert re.search(r"<ins><span class=\"visually-hidden\">\[added: </span> &lt;script&gt;", changes)
    assert "&amp; two samples" in changes and "Annotated &lt;b&gt;samples&lt;/b&gt;" in changes
    assert "6 words added, 0 words taken out" in changes  # script, alert, 1, script, two, samples
    assert "taken out since the last attempt" in changes and "new in this attempt" in changes
    # the previous feedback is next to each criterion being scored
    criterion = published.rubric["criteria"][0]
    rubric = html[html.index('id="rubric"') :]
    assert "Attempt 1:" in rubric and f"Feedback on {criterion['name']}: add more detail." in rubric
    assert "new in attempt 2" in html  # the new file is marked in the evidence list too


def test_the_word_diff() -> None:
    same = diff_text("A", "one two", "one two")
    assert same.status == "unchanged" and same.summary == "unchanged"
    changed = diff_text("A", "the cat sat", "the dog sat down")
    assert changed.status == "changed" and (changed.words_added, changed.words_removed) == (2, 1)
    assert "<del>" in changed.html and "cat" in changed.html and "<ins>" in changed.html and "down" in changed.html
    assert changed.summary == "2 words added, 1 word taken out"
    assert diff_text("A", "", "new text").status == "new"
    assert diff_text("A", "old text", "").status == "removed"
    escaped = diff_text("A", "a < b", 'a < b & "c"')
    assert "&lt;" in escaped.html and "&amp;" in escaped.html and "&quot;c&quot;" in escaped.html
