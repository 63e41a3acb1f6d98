"""The verifier page in Chromium: baked PNGs of a valid, a revoked and a tampered credential; drag and drop;
without JavaScript; printing. Status lists and evidence come from an injected transport (no network)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.cache import cache

from credstack.verifier import fetching, service
from tests.platform import verifier_support as vs

pytestmark = pytest.mark.browser


@pytest.fixture
def transport(settings: Any, monkeypatch: pytest.MonkeyPatch) -> vs.RecordingTransport:
    cache.clear()
    settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset({vs.STATUS_HOST, vs.EVIDENCE_HOST})
    # credential 8 is revoked on the list; 7 is not
    recording = vs.RecordingTransport({vs.STATUS_URL: vs.status_list(revoked=(8,)), vs.EVIDENCE_URL: vs.EVIDENCE_BYTES})
    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=recording, address_check=lambda host: True)
    )
    return recording


def _open(browser: Any, live_server: Any, *, javascript: bool = True) -> Any:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


def _upload(tab: Any, data: bytes) -> None:
    tab.goto("/verify")
    tab.get_by_label("Badge image or credential file").set_input_files(
        {"name": "badge.png", "mimeType": "image/png", "buffer": data}
    )
    tab.get_by_role("button", name="Verify", exact=True).click()
    tab.wait_for_selector("#verdict-heading")


@pytest.mark.parametrize(
    ("document", "verdict", "evidence_state"),
    [
        (lambda: vs.credential(7), "Valid", "is exactly the evidence that was assessed"),
        (lambda: vs.credential(8), "Revoked by the issuer", "is exactly the evidence that was assessed"),
        (lambda: vs.tampered(vs.credential(7)), "Invalid", "the credential does not verify, so this proves nothing"),
    ],
)
def test_baked_png_verdict_and_evidence(
    browser: Any,
    live_server: Any,
    transactional_db: Any,
    transport: vs.RecordingTransport,
    document: Any,
    verdict: str,
    evidence_state: str,
) -> None:
    tab = _open(browser, live_server)
    try:
        _upload(tab, vs.baked(document()))
        status = tab.get_by_role("status").filter(has=tab.locator("#verdict-heading"))
        assert status.locator(".verdict-text").inner_text() == verdict
        assert tab.evaluate("document.activeElement.id") == "verdict-heading"
        # the checks are behind "How we checked", one plain sentence each with the technical detail under it
        checks = tab.locator("details.how-we-checked .check-list li")
        assert not checks.filter(has_text="Revocation and suspension").is_visible()
        tab.get_by_text("How we checked", exact=True).last.click()
        assert checks.filter(has_text="Revocation and suspension").is_visible()
        if verdict == "Invalid":
            assert "Failed" in checks.filter(has_text="Proof").first.inner_text()
            assert "was changed after it was issued" in tab.locator(".verdict-reasons").inner_text()
            assert "can be relied on" in tab.locator(".verified-credential .notice").inner_text()
        evidence = tab.locator(".evidence")
        assert evidence.count() == 1
        assert "Annotated lab report" in evidence.inner_text()
        assert "The third lab report with the teacher's annotations." in evidence.inner_text()
        assert evidence_state in evidence.inner_text()
        assert tab.get_by_role("link", name="Open this evidence").get_attribute("href") == vs.EVIDENCE_URL
        assert "Exemplary" in tab.locator(".achieved-level").inner_text()
    finally:
        tab.context.close()


def test_drag_and_drop_and_recipient_check(
    browser: Any, live_server: Any, transactional_db: Any, transport: vs.RecordingTransport
) -> None:
    tab = _open(browser, live_server)
    try:
        tab.goto("/verify")
        assert tab.locator("[data-drop-hint]").is_visible()
        encoded = base64.b64encode(vs.baked(vs.credential(7))).decode()
        data_transfer = tab.evaluate_handle(
            """(b64) => {
                const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
                return dt;
            }""",
            encoded,
        )
        with tab.expect_navigation():
            tab.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": data_transfer})
        assert tab.locator(".verdict-text").inner_text() == "Valid"
        assert "the file dropped.png" in tab.locator(".checked-at").inner_text()
        tab.get_by_label("Email address of the person who showed you this credential").fill(vs.RECIPIENT)
        tab.get_by_role("button", name="Check the recipient").click()
        tab.wait_for_selector(".recipient-result")
        assert "was awarded to teacher@example.org" in tab.locator(".recipient-result").inner_text()
    finally:
        tab.context.close()


def test_without_javascript_and_in_print(
    browser: Any, live_server: Any, transactional_db: Any, transport: vs.RecordingTransport
) -> None:
    tab = _open(browser, live_server, javascript=False)
    try:
        _upload(tab, vs.baked(vs.credential(8)))
        assert tab.locator(".verdict-text").inner_text() == "Revoked by the issuer"
        tab.emulate_media(media="print")
        assert not tab.locator(".verify-form").is_visible()
        assert not tab.locator(".site-header").is_visible()
        assert tab.locator(".checked-at").is_visible()
        assert "UTC" in tab.locator(".checked-at").inner_text()
        assert tab.locator(".print-url").first.is_visible()
    finally:
        tab.context.close()


def test_bad_input_shows_an_error_summary(
    browser: Any, live_server: Any, transactional_db: Any, transport: vs.RecordingTransport
) -> None:
    tab = _open(browser, live_server)
    try:
        tab.goto("/verify")
        tab.get_by_role("button", name="Verify", exact=True).click()
        alert = tab.get_by_role("alert")
        assert "Choose a badge image" in alert.inner_text()
        assert tab.get_by_label("Badge image or credential file").get_attribute("aria-invalid") == "true"
    finally:
        tab.context.close()
