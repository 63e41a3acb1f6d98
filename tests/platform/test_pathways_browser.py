"""Stacks in a real browser: the demo learner finds the stack they completed, downloads its CLR and an
employer verifies that file; the admin defines and publishes a stack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.platform.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(demo_page: Any) -> Iterator[Any]:
    yield demo_page


def test_the_learner_downloads_the_clr_of_a_completed_stack_and_it_verifies(page: Any, tmp_path: Path) -> None:
    sign_in(page, "learner@example.org")
    page.get_by_role("link", name="Stacks", exact=True).click()
    page.wait_for_url(re.compile(r".*/stacks/$"))
    expect(page.locator(".card", has_text="STEM Discourse and Computation")).to_contain_text("1 of 2 earned")
    page.get_by_role("link", name="Digital Learning Leader", exact=True).click()
    page.wait_for_url(re.compile(r".*/stacks/lakeside-teacher-institute/digital-learning-leader/$"))
    expect(page.locator(".stack-progress")).to_contain_text("Completed")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the CLR (JSON)").click()
    saved = tmp_path / "clr.json"
    download_info.value.save_as(saved)
    assert '"ClrCredential"' in saved.read_text()

    # Anyone can check it: the public verifier, signed out.
    page.get_by_role("button", name="Sign out").click()
    page.goto("/verify")
    page.get_by_label("Badge image or credential file").set_input_files(str(saved))
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_selector("#verdict-heading")
    expect(page.locator(".verdict-text")).to_have_text("Valid")


def test_the_admin_defines_and_publishes_a_stack(page: Any) -> None:
    sign_in(page, "admin@northfield.example.org")
    page.goto("/manage/northfield-usd/")
    page.get_by_role("link", name="Stacks", exact=True).last.click()
    page.wait_for_url(re.compile(r".*/manage/northfield-usd/stacks/$"))
    page.get_by_role("link", name="New stack").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("Literacy Coach")
    page.get_by_role("textbox", name="Summary", exact=True).fill("Close reading and writing conferences.")
    page.get_by_label("Close Reading of Complex Text").check()
    page.get_by_role("button", name="Save draft").click()
    # One micro-credential is not a stack: the error says so and keeps what was typed.
    expect(page.get_by_role("alert")).to_contain_text("at least two micro-credentials")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Literacy Coach")
    page.get_by_label("Student Writing Conferences").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/stacks/literacy-coach/edit/$"))
    page.get_by_role("button", name="Publish Literacy Coach").click()
    page.wait_for_url(re.compile(r".*/manage/northfield-usd/stacks/$"))
    expect(page.locator(".messages")).to_contain_text("is published")
    page.goto("/stacks/northfield-usd/literacy-coach/")
    expect(page.get_by_role("heading", name="Literacy Coach")).to_be_visible()
    expect(page.locator(".stack-parts li")).to_have_count(2)
