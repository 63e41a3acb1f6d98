"""Every kind of page, as each kind of person sees it, checked with axe-core in Chromium against WCAG 2.1 A/AA.

axe-core is the engine behind Lighthouse's and most browsers' accessibility audits; ``axe-playwright-python``
bundles it (no network). A page passes when axe reports no violation of the WCAG 2.0/2.1 level A and AA
rules; each failure names the rule, the elements and axe's advice.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.platform.conftest import sign_in

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
ADMIN = "admin@northfield.example.org"
ASSESSOR = "assessor@northfield.example.org"
LEARNER = "learner@example.org"


def violations(page: Any) -> list[str]:
    """axe's WCAG A/AA violations on the page as it is now, one readable line per element."""
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node.get('failureSummary', '')}"
        for v in found
        for node in v["nodes"]
    ]


def _credential_paths() -> list[str]:
    from credstack.awards.models import Credential

    credential = Credential.objects.filter(recipient_email=LEARNER).order_by("awarded_at").first()
    assert credential is not None, "the demo puts credentials in the learner's wallet"
    return [f"/credentials/{credential.public_id}", f"/manage/northfield-usd/credentials/{credential.public_id}/"]


def _submission_paths() -> list[str]:
    from credstack.assessment.models import Submission

    submission = Submission.objects.filter(micro_credential__organization__slug="northfield-usd").first()
    assert submission is not None, "the demo puts submissions in the review queue"
    return [f"/review/northfield-usd/{submission.pk}/"]


def _audit(page: Any, paths: list[str]) -> dict[str, list[str]]:
    failures: dict[str, list[str]] = {}
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        found = violations(page)
        if found:
            failures[path] = found
    return failures


def public_paths() -> list[str]:
    """Every public page the audit checks (the layout checks reuse this list)."""
    from credstack.catalog.models import MicroCredentialVersion

    version = MicroCredentialVersion.objects.published().select_related("micro_credential__organization").first()
    assert version is not None
    return [
        "/",
        "/catalog/",
        "/catalog/?q=underwater+basket+weaving",
        "/issuers/northfield-usd/",
        "/verify",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
        "/no-such-page/",
        "/stacks/",
        "/stacks/northfield-usd/science-teaching-specialist/",
        version.get_absolute_url(),
        _credential_paths()[0],
    ]


LEARNER_PATHS = [
    "/learning/",
    "/learning/profile/",
    "/wallet/",
    "/transcript/",
    "/stacks/",
    "/stacks/lakeside-teacher-institute/digital-learning-leader/",
]


def assessor_paths() -> list[str]:
    return ["/review/", "/review/northfield-usd/", *_submission_paths()]


def admin_paths() -> list[str]:
    return [
        "/manage/northfield-usd/",
        "/manage/northfield-usd/profile/",
        "/manage/northfield-usd/microcredentials/new/",
        "/manage/northfield-usd/credentials/",
        "/manage/northfield-usd/credentials/award/",
        "/manage/northfield-usd/bulk/",
        "/manage/northfield-usd/keys/",
        "/manage/northfield-usd/stacks/",
        "/manage/northfield-usd/program/",
        "/manage/northfield-usd/stacks/new/",
        _credential_paths()[1],
        _credential_paths()[1] + "transcript/",
    ]


def start_submission(page: Any) -> None:
    """As the signed-in learner, start a submission of the first published micro-credential: its evidence editor."""
    from credstack.catalog.models import MicroCredentialVersion

    version = MicroCredentialVersion.objects.published().select_related("micro_credential__organization").first()
    assert version is not None
    page.goto(version.get_absolute_url())
    page.get_by_role("button", name="Start a submission").click()
    page.wait_for_url(re.compile(r".*/learning/submissions/\d+/$"))


def test_public_pages_meet_wcag_aa(demo_page: Any) -> None:
    assert _audit(demo_page, public_paths()) == {}


def test_the_verifier_report_meets_wcag_aa(demo_page: Any) -> None:
    from credstack.awards.models import Credential

    credential = Credential.objects.filter(recipient_email=LEARNER).first()
    assert credential is not None
    demo_page.goto("/verify")

    demo_page.get_by_label(re.compile("paste", re.IGNORECASE)).first.fill(json.dumps(credential.document))
    demo_page.get_by_role("button", name=re.compile("verify", re.IGNORECASE)).first.click()
    expect(demo_page.locator(".verdict").first).to_be_visible()
    assert violations(demo_page) == []
    tampered = {**credential.document, "validFrom": "2001-01-01T00:00:00Z"}
    demo_page.goto("/verify")
    demo_page.get_by_label(re.compile("paste", re.IGNORECASE)).first.fill(json.dumps(tampered))
    demo_page.get_by_role("button", name=re.compile("verify", re.IGNORECASE)).first.click()
    expect(demo_page.locator(".verdict").first).to_contain_text(re.compile("not valid|invalid", re.IGNORECASE))
    assert violations(demo_page) == []


def test_learner_pages_meet_wcag_aa(demo_page: Any) -> None:
    sign_in(demo_page, LEARNER)
    assert _audit(demo_page, LEARNER_PATHS) == {}
    start_submission(demo_page)
    assert violations(demo_page) == []  # the evidence editor, with its word counts and file fields


def test_assessor_pages_meet_wcag_aa(demo_page: Any) -> None:
    sign_in(demo_page, ASSESSOR)
    assert _audit(demo_page, assessor_paths()) == {}


def test_admin_pages_meet_wcag_aa(demo_page: Any) -> None:
    sign_in(demo_page, ADMIN)
    paths = admin_paths()
    assert _audit(demo_page, paths) == {}
    # The editor showing field errors after an incomplete save.
    demo_page.goto("/manage/northfield-usd/microcredentials/new/")
    demo_page.get_by_label("Name").first.fill("Half a definition")
    demo_page.get_by_role("button", name=re.compile("Save", re.IGNORECASE)).first.click()
    expect(demo_page.locator(".field-error, .errorlist, [role=alert]").first).to_be_visible()
    assert violations(demo_page) == []


def test_the_audit_finds_what_it_should(demo_page: Any) -> None:
    """The check itself works: a page with known faults gets them reported."""
    demo_page.goto("about:blank")  # no Content-Security-Policy: the faulty page's style attribute applies
    demo_page.set_content(
        '<html><head><title>x</title></head><body><img src="/badge.png"><input type="text">'
        '<p style="color:#bbb;background:#fff">faint</p></body></html>'
    )
    found = " ".join(violations(demo_page))
    assert "image-alt" in found and "label" in found and "color-contrast" in found
    assert "html-has-lang" in found
