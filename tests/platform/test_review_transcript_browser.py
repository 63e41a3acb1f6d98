"""Issue 14, points 10 and 11 in Chromium: the assessor's landing and scoring layout at 1280 and 360 px, a
resubmission's changes, and the learner's transcript on screen and on paper."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.platform.conftest import sign_in
from tests.platform.screens_issue14_assessor import _claim_first_waiting, _resubmit_demo_returned_submission
from tests.platform.test_accessibility import violations

pytestmark = pytest.mark.browser

ASSESSOR = "assessor@northfield.example.org"
LEARNER = "learner@example.org"
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_the_assessor_scores_with_the_rubric_beside_the_evidence(demo_page: Any) -> None:
    pk = _claim_first_waiting()
    demo_page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(demo_page, ASSESSOR)
    expect(demo_page).to_have_url(re.compile(r"/review/northfield-usd/$"))  # landed on the queue
    demo_page.goto(f"/review/northfield-usd/{pk}/")
    evidence, rubric = _box(demo_page, ".review-evidence"), _box(demo_page, "#rubric")
    assert rubric["x"] >= evidence["x"] + evidence["width"]  # beside, to the right
    assert abs(rubric["y"] - evidence["y"]) < 40  # starting at the same height, not below all evidence
    assert demo_page.evaluate(NO_OVERFLOW)
    expect(demo_page.locator(".jump")).to_be_hidden()
    # The rubric stays in view while the assessor scrolls through the evidence.
    demo_page.evaluate("window.scrollTo(0, 1500)")  # no wait_for_function: the page's CSP refuses eval
    assert demo_page.evaluate("window.scrollY") > 300
    stuck = _box(demo_page, "#rubric")
    assert 0 <= stuck["y"] <= 40
    expect(demo_page.get_by_role("button", name="Pass")).to_be_attached()

    demo_page.set_viewport_size({"width": 360, "height": 780})
    demo_page.goto(f"/review/northfield-usd/{pk}/")
    assert demo_page.evaluate(NO_OVERFLOW)
    evidence, rubric = _box(demo_page, ".review-evidence"), _box(demo_page, "#rubric")
    assert rubric["y"] >= evidence["y"] + evidence["height"]  # stacked: the rubric after the evidence
    jump = demo_page.get_by_role("link", name=re.compile("Jump to the rubric"))
    expect(jump).to_be_visible()
    jump.click()
    expect(demo_page.locator("#score-h")).to_be_in_viewport()


def test_a_resubmission_shows_its_changes_in_the_browser(demo_page: Any) -> None:
    pk = _resubmit_demo_returned_submission()
    demo_page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(demo_page, ASSESSOR)
    demo_page.goto(f"/review/northfield-usd/{pk}/")
    changes = demo_page.locator("section.changes")
    expect(changes.get_by_role("heading", name="What changed since attempt 1")).to_be_visible()
    expect(changes.locator(".diff ins").first).to_contain_text("<two> students & their revisions")
    expect(changes).to_contain_text("1 new piece of evidence")
    expect(demo_page.locator("#rubric .last-time").first).to_contain_text("Attempt 1:")
    assert violations(demo_page) == []
    demo_page.set_viewport_size({"width": 360, "height": 780})
    demo_page.reload()
    assert demo_page.evaluate(NO_OVERFLOW)


def test_the_transcript_on_screen_and_on_paper(demo_page: Any) -> None:
    for width, height in ((1280, 900), (360, 780)):
        demo_page.context.clear_cookies()
        demo_page.set_viewport_size({"width": width, "height": height})
        sign_in(demo_page, LEARNER)
        demo_page.goto("/wallet/")
        demo_page.get_by_role("link", name="Your transcript").click()
        expect(demo_page.get_by_role("heading", name="Transcript of micro-credentials")).to_be_visible()
        expect(demo_page.locator(".transcript-total")).to_contain_text("PD hours")
        expect(demo_page.locator("table.transcript-table tbody tr").first).to_be_visible()
        assert demo_page.evaluate(NO_OVERFLOW), width
    assert violations(demo_page) == []
    pdf = demo_page.request.get("/transcript/transcript.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    demo_page.emulate_media(media="print")
    expect(demo_page.locator(".transcript-tools")).to_be_hidden()
    expect(demo_page.locator(".site-header")).to_be_hidden()
    expect(demo_page.locator("table.transcript-table")).to_be_visible()
    # on paper each credential's verify address is printed after its title
    after = demo_page.evaluate(
        "getComputedStyle(document.querySelector('.transcript-table a.verify'), '::after').content"
    )
    assert "attr(href)" in after or "/credentials/" in after
    demo_page.emulate_media(media="screen")
    # A wrong period is said in the page, not a crash.
    demo_page.goto("/transcript/?from=2026-05-01&to=2026-01-01")
    expect(demo_page.get_by_role("alert")).to_contain_text("before its start")
