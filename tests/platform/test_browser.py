"""The pages in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from credstack.catalog.demo.loader import load_demo
from tests.platform.conftest import new_tab, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    load_demo()
    with new_tab(browser, live_server.url) as tab:
        yield tab


def test_catalog_filter_and_detail(page: Any) -> None:
    page.goto("/catalog/")
    page.get_by_label("Subject", exact=True).select_option("science")
    page.get_by_label("Grade band", exact=True).select_option("6-8")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r".*subject=science.*"))
    count = page.locator(".results-count").inner_text()
    assert count.split()[0].isdigit() and int(count.split()[0]) >= 2
    cards = page.locator(".card")
    for i in range(cards.count()):
        assert "Science" in cards.nth(i).inner_text()
    page.get_by_role("link", name="Claim-Evidence-Reasoning in Science Lab Reports").click()
    expect(page.get_by_role("heading", name="How it is scored")).to_be_visible()
    assert page.locator("table.rubric").count() >= 3
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator(".notice")).to_contain_text(re.compile("superseded", re.IGNORECASE))


def test_search_with_no_result_explains(page: Any) -> None:
    page.goto("/catalog/?q=underwater+basket+weaving")
    assert "Nothing matches" in page.locator(".empty").inner_text()


def test_editor_keeps_input_and_shows_field_errors(page: Any) -> None:
    from credstack.catalog.models import MicroCredential

    sign_in(page, "admin@northfield.example.org")
    page.goto("/manage/northfield-usd/microcredentials/new/")
    page.get_by_label("Name").first.fill("Fraction Number Lines")
    page.get_by_label("Summary for the catalog").fill("Use number lines to reason about fractions.")
    page.get_by_label("Competency statement").fill("The educator uses number lines to build fraction sense.")
    page.get_by_label("Key method").fill("Students place fractions on number lines and justify placements.")
    page.get_by_label("Mathematics").check()
    page.get_by_label("Grades 3–5").check()
    page.get_by_label("Estimated hours").fill("10")
    page.locator("[id='f-submission.overview_questions.0.prompt']").fill("Describe your class.")
    page.locator("[id='f-submission.overview_questions.0.word_limit']").fill("90000")
    page.locator("[id='f-submission.artifacts.0.title']").fill("Lesson plan")
    page.locator("[id='f-submission.artifacts.0.description']").fill("A plan with number line tasks.")
    page.locator("[id='f-rubric.criteria.0.name']").fill("Task design")
    # A second criterion added with the page's own script, left without a passing level.
    page.get_by_role("button", name="Add a criterion").click()
    page.locator("[id='f-rubric.criteria.1.name']").fill("Student reasoning")
    page.locator("input[name='rubric.criteria.0.passing_level'][value='2']").check()
    page.get_by_role("button", name="Save draft").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    text = summary.inner_text()
    assert "Word limit must be between 1 and 2000" in text
    assert "Choose which level counts as passing" in text
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # Nothing typed is lost, including the criterion added by script.
    assert page.locator("[id='f-rubric.criteria.1.name']").input_value() == "Student reasoning"
    assert page.get_by_label("Key method").input_value().startswith("Students place fractions")
    assert not MicroCredential.objects.filter(slug="fraction-number-lines").exists()

    page.locator("[id='f-submission.overview_questions.0.word_limit']").fill("300")
    page.locator("input[name='rubric.criteria.1.passing_level'][value='2']").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("saved")
    assert MicroCredential.objects.filter(slug="fraction-number-lines").exists()
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("heading", name="Fraction Number Lines")).to_be_visible()


def test_register_as_learner(page: Any) -> None:
    page.goto("/accounts/register/")
    page.get_by_label("Email address").fill("new.teacher@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-error").first).to_contain_text("too short")
    assert page.get_by_label("Email address").input_value() == "new.teacher@example.org"
    page.get_by_label("Password").fill("a-much-better-passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    # The account is activated from the mailed link (registration never says whether an account exists).
    link = next(word for word in mail.outbox[-1].body.split() if "/accounts/activate/" in word)
    page.goto(urlsplit(link).path)
    page.get_by_role("button", name="Activate my account").click()
    expect(page.locator(".messages")).to_contain_text("Welcome to credstack")


def test_admin_creates_an_oauth_client_and_its_secret_gets_a_token(page: Any) -> None:
    sign_in(page, "admin@northfield.example.org")
    page.goto("/manage/northfield-usd/")
    page.get_by_label("What is this client for?").fill("Interop test harness")
    page.get_by_role("button", name="Create OAuth client").click()
    expect(page.get_by_role("heading", name=re.compile("OAuth client .* created"))).to_be_visible()
    client_id = page.locator("dt:text-is('Client id') + dd").inner_text().strip()
    secret = page.locator("code.secret").inner_text().strip()
    answer = page.request.post(
        "/oauth/token",
        form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert answer.status == 200 and answer.json()["token_type"] == "Bearer"
    page.get_by_role("link", name="Back to the dashboard").click()
    listed = page.locator("#oauth-h + p + ul")
    expect(listed).to_contain_text("Interop test harness")
    expect(listed).not_to_contain_text(secret)
    page.get_by_role("button", name="Revoke OAuth client Interop test harness").click()
    expect(page.locator(".messages")).to_contain_text("its tokens no longer work")
    refused = page.request.post(
        "/oauth/token",
        form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert refused.status == 401 and refused.json()["error"] == "invalid_client"
