"""Issue 14, points 5 and 6 in Chromium: an employer pastes a share link into /verify, or opens it, at 360 and
1280 px. The verdict comes first, then who earned what from whom, then the evidence; the checks open from
"How we checked"; nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.awards.actions import AwardRequest, evidence_page_url, issue_awards
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.verifier import fetching, service
from credstack.verifier.actions import do_create_share_link
from credstack.verifier.models import ShareLink
from tests.platform import verifier_support as vs
from tests.platform.conftest import admin_of, new_tab
from tests.platform.test_accessibility import violations

pytestmark = pytest.mark.browser

OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def shared(
    published: MicroCredentialVersion, make_user: Any, live_server: Any, settings: Any, monkeypatch: Any
) -> ShareLink:
    settings.CREDSTACK_BASE_URL = live_server.url  # the links pasted are this platform's own
    recording = vs.RecordingTransport({})
    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=recording, address_check=lambda h: True)
    )
    learner = make_user("learner@example.org", display_name="Lee Learner")
    org = published.micro_credential.organization
    request = AwardRequest(
        version=published, email=learner.email, source="test:employer", origin=Origin.MANUAL, user=learner
    )
    request.evidence = [
        {"url": evidence_page_url(request.public_id, 1), "name": "Annotated lab report"},
        {"url": "https://portfolio.example.org/a-very-long-path/" + "x" * 80, "name": "Lesson video"},
    ]
    credential: Credential = issue_awards(org, [request], actor=admin_of(org), notify=False)[0]
    return do_create_share_link(credential=credential, actor=learner)


def _top(tab: Any, selector: str) -> float:
    return float(tab.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY"))


def _reads_as_a_verdict(tab: Any) -> None:
    assert tab.locator(".verdict-text").inner_text() == "Valid"
    assert tab.locator(".verdict-mark").inner_text() == "✓"  # a mark and words, not colour alone
    order = [_top(tab, s) for s in ("#verdict-heading", "#credential-heading", ".evidence-list", ".how-we-checked")]
    assert order == sorted(order), order
    assert "we don't open outside links for you" in tab.locator(".evidence-list").inner_text()
    checks = tab.locator(".how-we-checked .check-list")
    assert not checks.is_visible()
    tab.locator(".how-we-checked > summary").click()
    assert checks.is_visible()
    assert "digital signature is intact" in checks.inner_text()
    assert tab.evaluate(OVERFLOW), tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # everything unfolded (the rubric, the fetched URLs, the JSON) still fits and passes the audit
    tab.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert tab.evaluate(OVERFLOW), tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert violations(tab) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_employer_view_of_a_pasted_share_link(
    browser: Any, live_server: Any, transactional_db: Any, shared: ShareLink, width: int
) -> None:
    with new_tab(browser, live_server.url) as tab:
        tab.set_viewport_size({"width": width, "height": 800})
        tab.goto("/verify")
        assert tab.evaluate(OVERFLOW)
        tab.get_by_label("Or a link to the credential").fill(shared.url)
        tab.get_by_role("button", name="Verify", exact=True).click()
        tab.wait_for_selector("#verdict-heading")
        _reads_as_a_verdict(tab)
        # the link in the verdict opens the same disclosure
        tab.reload()
        tab.get_by_role("link", name="How we checked").click()
        assert tab.locator(".how-we-checked .check-list").is_visible()


@pytest.mark.parametrize("width", [360, 1280])
def test_employer_view_of_an_opened_share_link(
    browser: Any, live_server: Any, transactional_db: Any, shared: ShareLink, width: int
) -> None:
    with new_tab(browser, live_server.url) as tab:
        tab.set_viewport_size({"width": width, "height": 800})
        tab.goto(shared.get_absolute_url())
        assert "shared this credential with you" in tab.locator(".lead").inner_text()
        _reads_as_a_verdict(tab)
        # the evidence the learner keeps private opens for whoever holds the link
        with tab.expect_navigation():
            tab.get_by_role("link", name="Open this evidence").first.click()
        assert tab.locator("h1").inner_text() == "Annotated lab report"
