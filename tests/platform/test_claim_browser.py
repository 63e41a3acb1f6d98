"""Claiming in Chromium at a phone's and a laptop's width: the claim link → a new account (address filled in, no
confirmation) → the name choice → My credentials, with no page wider than the screen, and the axe audit of each."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.platform.conftest import new_tab
from tests.platform.test_accessibility import violations

pytestmark = pytest.mark.browser

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def claim_link(live_server: Any, transactional_db: Any) -> Iterator[Any]:
    """Makes, for each call, a credential awarded to a new address with no account, and returns its claim path."""
    from credstack.awards import actions
    from credstack.catalog.demo.loader import load_demo
    from credstack.catalog.models import MicroCredentialVersion
    from tests.platform.conftest import admin_of

    load_demo()
    version = (
        MicroCredentialVersion.objects.published()
        .filter(micro_credential__organization__slug="northfield-usd")
        .select_related("micro_credential__organization")
        .first()
    )
    assert version is not None

    def make(email: str) -> tuple[str, Any]:
        credential = actions.do_award_credential(
            organization=version.micro_credential.organization,
            actor=admin_of(version.micro_credential.organization),
            data={"email": email, "achievement": version.micro_credential.slug},
        )
        return urllib.parse.urlsplit(actions.claim_url(credential)).path, credential

    yield make


def check_page(tab: Any) -> None:
    tab.wait_for_load_state("load")
    assert tab.evaluate(FITS), f"{tab.url} is wider than {tab.viewport_size['width']} px"
    assert violations(tab) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_claim_with_a_new_account_then_choose_the_name(
    width: int, browser: Any, live_server: Any, claim_link: Any
) -> None:
    from credstack.awards.models import Credential

    email = f"new.teacher.{width}@example.org"
    path, credential = claim_link(email)
    with new_tab(browser, live_server.url) as tab:
        tab.set_viewport_size({"width": width, "height": 800})
        tab.goto(path)
        check_page(tab)
        tab.get_by_role("link", name="Create an account").click()
        tab.wait_for_url(re.compile(r".*/account$"))
        check_page(tab)
        assert tab.get_by_label("Email address").input_value() == email  # filled in, not typed
        tab.get_by_label("Your name").fill("Alex Example")
        tab.get_by_label("Password").fill("a-long-and-unusual-passphrase")
        tab.get_by_role("button", name="Create account and continue").click()
        # Signed in at once (no confirmation mail), back at the claim page with one question left.
        expect(tab.get_by_role("group", name="Should the credential show your name?")).to_be_visible()
        check_page(tab)
        expect(tab.get_by_label("Yes, show my name")).to_be_checked()
        assert tab.get_by_label("Name shown").input_value() == "Alex Example"
        tab.get_by_role("button", name="Add to My credentials").click()
        tab.wait_for_url("**/wallet/")
        expect(tab.locator(".naming-now").first).to_contain_text("Alex Example")
        check_page(tab)
        credential.refresh_from_db()
        assert credential.name_shown and credential.recipient_user is not None
        tab.goto(credential.get_absolute_url())
        expect(tab.locator(".facts")).to_contain_text("Alex Example")  # its width is issue 14's point 3
        # The same link again: it is in the wallet, nothing to add.
        tab.goto(path)
        expect(tab.get_by_role("heading", level=1)).to_contain_text("is in your wallet")
        assert tab.get_by_role("button", name="Add to My credentials").count() == 0
        check_page(tab)
    assert Credential.objects.get(pk=credential.pk).recipient_email == email


@pytest.mark.parametrize("width", [360, 1280])
def test_a_revoked_credentials_claim_link(width: int, browser: Any, live_server: Any, claim_link: Any) -> None:
    from credstack.awards import actions

    path, credential = claim_link(f"gone.{width}@example.org")
    actions.do_revoke_credential(credential=credential, reason="Awarded by mistake.", actor=None)
    with new_tab(browser, live_server.url) as tab:
        tab.set_viewport_size({"width": width, "height": 800})
        tab.goto(path)
        expect(tab.get_by_role("heading", level=1)).to_contain_text("can no longer be claimed")
        assert tab.get_by_role("link", name="Create an account").count() == 0
        check_page(tab)
