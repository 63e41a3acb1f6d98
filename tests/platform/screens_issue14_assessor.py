"""Screenshots for issue 14, points 10 (assessor) and 11 (transcript): not a test module (no ``test_`` prefix).

Run explicitly: ``SHOTS=after pytest -n 0 tests/platform/screens_issue14_assessor.py``; ``SHOTS=before`` on
unmodified main. Writes ``docs/screenshots/issue14/p10-assessor-*-{before,after}-{360,1280}.png`` (and the
transcript's ``p11-*`` when the page exists).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from tests.platform.conftest import sign_in

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "issue14"
WIDTHS = {360: 780, 1280: 900}


def _resubmit_demo_returned_submission() -> int:
    """Sam's returned demo submission, changed and handed in again, claimed by the demo assessor."""
    from credstack.accounts.models import User
    from credstack.assessment import actions
    from credstack.assessment.models import Submission

    submission = Submission.objects.get(learner__email="sam.okafor@example.org")
    learner = submission.learner
    answers = {"overview": list(submission.overview_answers()), "reflection": submission.reflection()}
    answers["overview"][0] = (
        answers["overview"][0] + " After the feedback I added annotated samples from <two> students & their revisions."
    )
    actions.do_save_draft(submission=submission, answers=answers, actor=learner)
    actions.do_add_evidence(
        submission=submission,
        artifact_index=0,
        title="Annotated student samples",
        note="Two samples with my margin notes.",
        upload=ContentFile(b"Sample A: claim, evidence, reasoning.\nSample B: revised after peer review.\n", "s.txt"),
        actor=learner,
    )
    actions.do_submit_submission(submission=submission, actor=learner)
    assessor = User.objects.get(email="assessor@northfield.example.org")
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    return submission.pk


def _claim_first_waiting() -> int:
    from credstack.accounts.models import User
    from credstack.assessment import actions
    from credstack.assessment.models import Submission

    submission = Submission.objects.get(learner__email="jordan.lee@example.org")
    assessor = User.objects.get(email="assessor@northfield.example.org")
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    return submission.pk


def _shot(page: Any, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": WIDTHS[width]})
    page.wait_for_load_state("load")
    path = OUT / f"{name}-{os.environ.get('SHOTS', 'after')}-{width}.png"
    page.screenshot(path=str(path))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    print(f"{path.name}: {path.stat().st_size // 1024} KB, horizontal overflow {overflow} px")


def test_screens(demo_page: Any) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    first = _claim_first_waiting()
    again = _resubmit_demo_returned_submission()
    for width in WIDTHS:
        demo_page.context.clear_cookies()
        demo_page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        sign_in(demo_page, "assessor@northfield.example.org")
        _shot(demo_page, "p10-assessor-landing", width)
        demo_page.goto(f"/review/northfield-usd/{first}/")
        _shot(demo_page, "p10-assessor-review", width)
        demo_page.goto(f"/review/northfield-usd/{again}/")
        _shot(demo_page, "p10-assessor-resubmission", width)
        if width == 360 and demo_page.locator("#rubric").count():
            demo_page.locator("#score-h").scroll_into_view_if_needed()
            _shot(demo_page, "p10-assessor-resubmission-rubric", width)
    from credstack.catalog.demo.loader import DEMO_PASSWORD

    assert DEMO_PASSWORD
    for width in WIDTHS:
        demo_page.context.clear_cookies()
        demo_page.set_viewport_size({"width": width, "height": WIDTHS[width]})
        sign_in(demo_page, "learner@example.org")
        response = demo_page.goto("/transcript/")
        if response is not None and response.ok:
            _shot(demo_page, "p11-transcript", width)
            if width == 1280:
                demo_page.locator("#stacks-h").scroll_into_view_if_needed()
                _shot(demo_page, "p11-transcript-stacks", width)
