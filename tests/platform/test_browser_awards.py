"""Issuance in a real browser: award, claim into My credentials, and a bulk award with its progress bar."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from credstack.awards.models import BulkAward, BulkStatus, Credential
from credstack.catalog.demo.loader import load_demo
from credstack.catalog.models import MicroCredentialVersion
from tests.platform.conftest import sign_in

pytestmark = pytest.mark.browser

ADMIN = "admin@northfield.example.org"
LEARNER = "learner@example.org"


@pytest.fixture
def context(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    load_demo()
    made = browser.new_context(base_url=live_server.url)
    yield made
    made.close()


def northfield_slug() -> tuple[str, str]:
    version = (
        MicroCredentialVersion.objects.published()
        .filter(micro_credential__organization__slug="northfield-usd")
        .order_by("name")
        .first()
    )
    assert version is not None
    return version.micro_credential.slug, version.name


def test_award_claim_and_wallet(context: Any, browser: Any, live_server: Any) -> None:
    slug, name = northfield_slug()
    admin = context.new_page()
    admin.set_default_timeout(15_000)
    sign_in(admin, ADMIN)
    admin.goto("/manage/northfield-usd/")
    admin.get_by_role("link", name="Credentials issued").click()
    admin.get_by_role("link", name="Award a credential").click()
    admin.get_by_label("Micro-credential").select_option(slug)
    admin.get_by_label("Recipient's email").fill("not an email")
    admin.get_by_role("button", name="Award and sign").click()
    expect(admin.locator(".error-summary")).to_contain_text("not a valid email")
    assert admin.get_by_label("Micro-credential").input_value() == slug  # kept
    admin.get_by_label("Recipient's email").fill(LEARNER)
    admin.get_by_role("button", name="Award and sign").click()
    admin.wait_for_url(re.compile(r".*/manage/northfield-usd/credentials/[0-9a-f-]+/$"))
    assert LEARNER in admin.locator(".facts").inner_text()

    claim = next(word for word in mail.outbox[-1].body.split() if "/claim/" in word)
    learner = browser.new_context(base_url=live_server.url).new_page()
    learner.set_default_timeout(15_000)
    sign_in(learner, LEARNER)
    learner.goto(urllib.parse.urlsplit(claim).path)
    learner.get_by_role("button", name="Add to My credentials").click()
    learner.wait_for_url("**/wallet/")
    assert name in learner.locator(".wallet").inner_text()
    assert learner.get_by_role("link", name=re.compile("Add to LinkedIn profile")).count() == 1
    learner.get_by_role("link", name=name, exact=True).click()
    expect(learner.locator(".credential-state")).to_have_text(re.compile(r"^\s*✓\s*Valid"))  # a mark and words
    assert Credential.objects.get().recipient_user is not None


def test_bulk_award_with_progress(context: Any, tmp_path: Path) -> None:
    slug, _name = northfield_slug()
    csv = tmp_path / "cohort.csv"
    csv.write_text(
        "email,name,achievement,evidence_url,evidence_narrative,awarded_on,expires_on\n"
        + "".join(f"t{i}@example.org,,{slug},,,,\n" for i in range(12))
        + "broken,,{slug},,,,\n"
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, ADMIN)
    page.goto("/manage/northfield-usd/bulk/")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r".*/bulk/\d+/$"))
    assert "not a valid email" in page.locator("table.data").inner_text()
    page.get_by_role("button", name="Issue 12 credentials").click()
    page.wait_for_url(re.compile(r".*/bulk/\d+/$"))
    # Without Redis the run goes on in a thread of the server; the page follows it to the end.
    page.wait_for_function("() => document.querySelector('#bulk-bar').value == 100")
    page.locator("#bulk-status", has_text="Done").wait_for()
    assert BulkAward.objects.get().status == BulkStatus.DONE and Credential.objects.count() == 12
