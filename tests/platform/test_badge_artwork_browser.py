"""The badge designer in Chromium (issue 14, point 2): the preview follows every change without a page load,
an unreadable text colour is flagged as you choose it and refused on save, the design is saved, and the
editor fits 360 px and 1280 px screens. Screenshots go to ``$CREDSTACK_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from credstack.catalog.demo.loader import DEMO_PASSWORD
from credstack.catalog.models import MicroCredential
from tests.platform.conftest import sign_in

EDITOR = "/manage/northfield-usd/microcredentials/phenomenon-based-unit-launch/edit/"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("CREDSTACK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


@pytest.mark.parametrize("width", [360, 1280])
def test_the_badge_designer_previews_live_and_saves(demo_page: Any, width: int) -> None:
    page = demo_page
    page.set_viewport_size({"width": width, "height": 900})
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, "admin@northfield.example.org")
    page.goto(EDITOR)
    preview = page.locator("#design-preview")
    status = page.locator("#design-status")
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    # With JavaScript the preview follows the fields: no preview button, no page load.
    expect(page.get_by_role("button", name="Preview the badge")).to_be_hidden()
    page.evaluate("window.__same_page = true")

    before = preview.get_attribute("src")
    page.get_by_label("Medal with ribbon").check()
    expect(preview).not_to_have_attribute("src", before)
    before = preview.get_attribute("src")
    page.get_by_label("Icon").select_option("globe")
    page.get_by_label("Badge text").fill("Anchoring Phenomena in Science")
    expect(preview).not_to_have_attribute("src", before)
    expect(status).to_contain_text("Text contrast")

    # A text colour close to the background is flagged at once, and refused on save.
    page.get_by_label("Text colour").fill("#0b5f46")
    expect(status).to_contain_text("hard to read")
    assert page.evaluate("window.__same_page") is True
    page.get_by_label("Badge text").scroll_into_view_if_needed()
    assert page.evaluate(OVERFLOW) <= 0
    _shot(page, f"p2-designer-after-{width}.png")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".field-error").first).to_contain_text("hard to read")
    assert page.evaluate(OVERFLOW) <= 0

    page.get_by_label("Text colour").fill("#ffffff")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft version 2 saved.")).to_be_visible()
    draft = MicroCredential.objects.get(slug="phenomenon-based-unit-launch").draft_version()
    assert draft is not None
    assert draft.design["shape"] == "ribbon" and draft.design["icon"] == "globe"
    assert draft.design["title"] == "Anchoring Phenomena in Science"
    assert page.evaluate(OVERFLOW) <= 0
    assert csp_errors == []


def test_the_designer_works_without_javascript(browser: Any, live_server: Any, transactional_db: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill("admin@northfield.example.org")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(EDITOR)
        before = page.locator("#design-preview").get_attribute("src")
        page.get_by_label("Rounded square").check()
        page.get_by_role("button", name="Preview the badge").click()
        expect(page.get_by_text("Badge preview updated")).to_be_visible()
        expect(page.get_by_label("Rounded square")).to_be_checked()
        assert page.locator("#design-preview").get_attribute("src") != before
        draft = MicroCredential.objects.get(slug="phenomenon-based-unit-launch").draft_version()
        assert draft is not None and draft.design.get("shape") != "rounded-square"  # previewed, not saved
    finally:
        context.close()
