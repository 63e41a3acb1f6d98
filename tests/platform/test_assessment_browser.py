"""The whole assessment loop in Chromium, as people do it: submit with files, returned with feedback, resubmit, pass."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from credstack.catalog.demo.loader import load_demo
from tests.platform.assessment_support import PDF, PNG
from tests.platform.conftest import new_tab, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    load_demo()
    with new_tab(browser, live_server.url) as tab:
        yield tab


LEARNER = "learner@example.org"
LEARNER_NAME = "Taylor Teacher"
ASSESSOR = "assessor@northfield.example.org"
MC_URL = "/catalog/northfield-usd/claim-evidence-reasoning-lab-reports/"
REVIEW_URL = re.compile(r".*/review/northfield-usd/\d+/$")


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in").wait_for()


def _claim(page: Any) -> None:
    page.get_by_role("button", name="Claim for review").click()
    page.get_by_role("heading", name="Score against the rubric").wait_for()
    # Evidence previews (image, PDF) above the rubric finish loading before levels are clicked.
    page.wait_for_load_state("networkidle")


def _score(page: Any, level_for: dict[str, str]) -> None:
    for criterion, level in level_for.items():
        page.locator(f"input[name='levels.{criterion}'][value='{level}']").check()


CRITERIA = ["scaffold-design", "student-explanations", "feedback-revision", "analysis-reflection"]


def test_learner_and_assessor_walk_the_whole_loop(
    page: Any,
    browser: Any,
    live_server: Any,
    tmp_path: Path,
) -> None:
    from credstack.assessment.models import Submission

    lesson = tmp_path / "lesson-plan.pdf"
    lesson.write_bytes(PDF)
    photo = tmp_path / "student-work.png"
    photo.write_bytes(PNG)
    summary = tmp_path / "class-summary.pdf"
    summary.write_bytes(PDF)

    # The learner starts from the micro-credential's page and types; the draft autosaves with live word counts.
    sign_in(page, LEARNER)
    page.goto(MC_URL)
    page.get_by_role("button", name="Start a submission").click()
    page.wait_for_url(re.compile(r".*/learning/submissions/\d+/$"))
    submission_url = page.url
    first = page.locator("[id='f-overview.0']")
    first.fill("Grade seven science, thirty students, lab conclusions were mostly claims without evidence.")
    assert page.locator("[id='f-overview.0-count']").inner_text() == "12 / 250 words"
    page.locator("[id='f-overview.1']").fill("I modelled each part with a worked example and sentence starters.")
    page.locator("[id='f-overview.2']").fill("Students scored a partner's conclusion with the checklist.")
    page.locator("#f-reflection").fill("Fading scaffolds too early hurt the weakest writers.")
    page.wait_for_function("() => document.getElementById('autosave-status').textContent.startsWith('Draft saved')")

    # A closed browser loses nothing: a fresh browser context sees the draft from the server.
    other = browser.new_context(base_url=live_server.url)
    tab = other.new_page()
    sign_in(tab, LEARNER)
    tab.goto(submission_url)
    assert tab.locator("#f-reflection").input_value() == "Fading scaffolds too early hurt the weakest writers."
    other.close()

    # Evidence for the three artifacts, then submit.
    page.locator("[id='f-evidence.0.file']").set_input_files(str(lesson))
    page.locator("[id='f-evidence.0.title']").fill("CER scaffold and lesson")
    page.locator("[id='f-evidence.0.note']").fill("Shows where claim, evidence and reasoning are taught.")
    page.locator("[id='f-evidence.1.file']").set_input_files(str(photo))
    page.locator("[id='f-evidence.2.file']").set_input_files(str(summary))
    page.get_by_role("button", name=re.compile("Submit for review")).click()
    expect(page.locator(".messages")).to_contain_text("Submitted")
    expect(page.locator(".notice")).to_contain_text("Expected review by")
    _sign_out(page)

    # The assessor claims it from the queue: blind, with the evidence shown in the page.
    sign_in(page, ASSESSOR)
    page.goto("/review/")
    page.wait_for_url("**/review/northfield-usd/")
    reference = Submission.objects.get(learner__email=LEARNER).reference
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(REVIEW_URL)
    expect(page.locator("img.evidence-preview")).to_have_count(1)
    assert LEARNER_NAME not in page.content() and LEARNER not in page.content()
    _claim(page)
    _score(
        page,
        {
            "scaffold-design": "developing",
            "student-explanations": "proficient",
            "feedback-revision": "proficient",
            "analysis-reflection": "proficient",
        },
    )
    expect(page.locator("#verdict-text")).to_contain_text("Below the passing level: Scaffold design and fading")
    page.get_by_role("button", name="Return with feedback").click()
    expect(page.locator("#error-summary")).to_contain_text("Tell the learner what is missing")
    page.get_by_label("Feedback on Scaffold design and fading").fill("Show how supports fade across three reports.")
    page.get_by_label("Overall feedback").fill("Strong student work; the fading plan is missing.")
    page.get_by_role("button", name="Return with feedback").click()
    expect(page.locator(".messages")).to_contain_text("returned to the learner")
    _sign_out(page)

    # The learner reads the feedback, revises and resubmits.
    sign_in(page, LEARNER)
    page.get_by_role("link", name="My learning").click()
    expect(page.locator(".learning-item")).to_contain_text("Returned with feedback")
    page.get_by_role("link", name="Claim-Evidence-Reasoning in Science Lab Reports").click()
    expect(page.locator(".feedback")).to_contain_text("Show how supports fade across three reports.")
    page.locator("[id='f-overview.1']").fill(
        "I removed sentence starters after lab two and the checklist after lab four; three reports show it."
    )
    page.locator("[id='f-evidence.0.file']").set_input_files(str(lesson))
    page.locator("[id='f-evidence.0.title']").fill("Fading plan")
    page.get_by_role("button", name=re.compile("Resubmit")).click()
    expect(page.locator(".messages")).to_contain_text("Submitted")
    _sign_out(page)

    # The assessor passes it; the rule is explained as the levels are chosen.
    sign_in(page, ASSESSOR)
    page.goto("/review/northfield-usd/")
    page.get_by_role("link", name=reference).click()
    page.wait_for_url(REVIEW_URL)
    expect(page.locator("main")).to_contain_text("Earlier feedback")
    _claim(page)
    _score(page, dict.fromkeys(CRITERIA, "proficient"))
    expect(page.locator("#verdict-text")).to_contain_text("the rubric says this passes")
    page.get_by_role("button", name="Pass", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("passed")
    # The evidence stays readable after the decision; the PDF opens in the page on request.
    page.goto(f"/review/northfield-usd/{Submission.objects.get(learner__email=LEARNER).pk}/")
    page.get_by_text("Show the PDF here").first.click()
    frame = page.locator("iframe.evidence-preview").first
    frame.wait_for()
    assert frame.bounding_box()["height"] > 200
    _sign_out(page)

    # The learner sees the pass.
    sign_in(page, LEARNER)
    page.get_by_role("link", name="My learning").click()
    expect(page.locator(".learning-item")).to_contain_text(re.compile(r"Awarded — credential (pending|issued)"))
    page.locator(".learning-item summary").click()
    history = page.locator(".timeline")
    for step in ("Submitted (attempt 1)", "In review", "Returned with feedback", "Resubmitted (attempt 2)", "Passed"):
        expect(history).to_contain_text(step)
