"""Screenshots of the naming and claiming pages (issue 14, points 1 and 8) at 360 and 1280 px wide.

Run on purpose only: ``CLAIM_SCREENS_DIR=docs/screenshots/issue14 CLAIM_SCREENS_TAG=after pytest -m browser
tests/platform/test_claim_screens.py``; without ``CLAIM_SCREENS_DIR`` it is skipped. It drives pages by URL so that
the same walk photographs the pages before and after a change.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from tests.platform.conftest import new_tab, sign_in

pytestmark = pytest.mark.browser

LEARNER = "learner@example.org"
ADMIN = "admin@northfield.example.org"
WIDTHS = (360, 1280)


def _shoot(tab: Any, name: str, *, fill: Any = None, focus: str = "") -> None:
    folder = Path(os.environ["CLAIM_SCREENS_DIR"])
    tag = os.environ.get("CLAIM_SCREENS_TAG", "after")
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900 if width == 1280 else 780})
        if fill is None:
            tab.reload()
        else:
            fill()
        tab.wait_for_load_state("load")
        if focus:
            tab.locator(focus).first.scroll_into_view_if_needed()
        tab.screenshot(path=str(folder / f"{name}-{tag}-{width}.png"))


@pytest.mark.skipif(not os.environ.get("CLAIM_SCREENS_DIR"), reason="screenshots are taken on demand")
def test_screens(demo_page: Any, browser: Any, live_server: Any) -> None:
    from credstack.accounts.models import User
    from credstack.awards import actions
    from credstack.awards.models import Credential

    owned = Credential.objects.filter(recipient_email=LEARNER).order_by("awarded_at").first()
    assert owned is not None
    version = owned.version
    admin = User.objects.get(email=ADMIN)
    fresh = actions.do_award_credential(
        organization=owned.organization,
        data={"email": "new.teacher@example.org", "name": "Alex Example", "achievement": version.micro_credential.slug},
        actor=admin,
    )
    gone = actions.do_award_credential(
        organization=owned.organization,
        data={"email": "gone.teacher@example.org", "achievement": version.micro_credential.slug},
        actor=admin,
    )
    actions.do_revoke_credential(credential=gone, reason="Awarded by mistake.", actor=admin)
    ready = actions.do_award_credential(
        organization=owned.organization,
        data={"email": "ready.teacher@example.org", "achievement": version.micro_credential.slug},
        actor=admin,
    )
    from credstack.catalog.demo.loader import DEMO_PASSWORD

    User.objects.create_user("ready.teacher@example.org", DEMO_PASSWORD, display_name="Robin Ready")
    path = lambda c: urllib.parse.urlsplit(actions.claim_url(c)).path  # noqa: E731

    page = demo_page
    page.goto(f"/credentials/{owned.public_id}")
    _shoot(page, "p1-credential-page", focus=".facts")

    def verify_owned() -> None:
        page.goto("/verify")
        page.get_by_label(re.compile("paste", re.IGNORECASE)).first.fill(json.dumps(owned.document))
        page.get_by_role("button", name=re.compile("verify", re.IGNORECASE)).first.click()
        page.locator(".verdict").first.wait_for()
        page.get_by_text("Recipient", exact=True).first.scroll_into_view_if_needed()

    _shoot(page, "p1-verify", fill=verify_owned)
    page.goto(path(fresh))
    _shoot(page, "p8-claim-signed-out")
    page.goto(path(gone))
    _shoot(page, "p8-claim-revoked")
    page.goto(path(fresh))
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_load_state("load")
    _shoot(page, "p8-create-account")
    sign_in(page, LEARNER)
    page.goto(path(owned))
    _shoot(page, "p8-claim-already-yours")
    page.goto("/wallet/")
    _shoot(page, "p1-wallet")
    with new_tab(browser, live_server.url) as other:
        sign_in(other, "ready.teacher@example.org")
        other.goto(path(ready))
        _shoot(other, "p1-claim-signed-in")
    mail.outbox.clear()
