"""Screenshots of the employer view for issue 14 (points 5, 6, 7), before and after.

Not collected by the suite (no ``test_`` prefix); run it by path::

    SHOTS_TAG=after pytest -p no:randomly -n 0 tests/platform/shots_issue14_employer.py

It loads the demo, passes Jordan Lee's demo submission (a file with a note, a link with none), shares the
credential, and saves at 360 and 1280 px wide: /verify given the share link (p5), the share link's page (p6)
and the public credential page (p7), into docs/screenshots/issue14/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from tests.platform.conftest import new_tab

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "issue14"
WIDTHS = (360, 1280)


def _shrink(path: Path) -> None:
    """A palette PNG: text screenshots stay sharp and well under 250 KB."""
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=128).save(path, optimize=True)


def _credential(django_capture_on_commit_callbacks: Any) -> Any:
    """A teacher passes the demo's CER micro-credential (its criteria narrative has Markdown) with a link left
    without a note, a file with one and a file without; the credential and a share link of it."""
    from django.core.files.base import ContentFile

    from credstack.accounts.actions import do_register_user
    from credstack.accounts.models import User
    from credstack.assessment import actions
    from credstack.awards.models import Credential
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.verifier.actions import do_create_share_link
    from tests.platform.assessment_support import answers_for, levels

    version = next(v for v in MicroCredentialVersion.objects.published() if "**" in v.criteria_narrative)
    learner = do_register_user(
        email="alex.rivera@example.org", password="x-very-long-password", display_name="Alex Rivera"
    )
    submission = actions.do_start_submission(learner=learner, version=version, actor=learner)
    actions.do_save_draft(submission=submission, answers=answers_for(version), actor=learner)
    for i, artifact in enumerate(version.submission["artifacts"]):
        if "link" in artifact["accepted_kinds"]:
            actions.do_add_evidence(
                submission=submission,
                artifact_index=i,
                title="Unit video",
                url="https://portfolio.example.org/cer-unit",
                actor=learner,
            )
            continue
        actions.do_add_evidence(
            submission=submission,
            artifact_index=i,
            title=f"{artifact['title']} (week 5)",
            actor=learner,
            note="Three conclusions from week 5, annotated." if i == 1 else "",
            upload=ContentFile(f"{artifact['title']}\n".encode(), name=f"part-{i + 1}.txt"),
        )
    actions.do_submit_submission(submission=submission, actor=learner)
    assessor = User.objects.get(email="assessor@northfield.example.org")
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide_submission(
            submission=submission,
            assessor=assessor,
            decision="pass",
            levels=levels(version),
            criterion_feedback={},
            overall_feedback="Clear, **well evidenced** growth.",
            actor=assessor,
        )
    credential = Credential.objects.get(recipient_email=learner.email)
    link = do_create_share_link(credential=credential, actor=learner, label="Hiring")
    return credential, link


def _awarded_with_a_link(learner_email: str) -> Any:
    """An issuer's award (no assessment on the platform) whose evidence is a link to the teacher's portfolio."""
    from credstack.accounts.models import User
    from credstack.awards.actions import AwardRequest, issue_awards
    from credstack.awards.models import Origin
    from credstack.catalog.models import MicroCredentialVersion
    from credstack.verifier.actions import do_create_share_link

    version = next(v for v in MicroCredentialVersion.objects.published() if "**" not in v.criteria_narrative)
    learner = User.objects.get(email=learner_email)
    org = version.micro_credential.organization
    request = AwardRequest(
        version=version,
        email=learner.email,
        user=learner,
        origin=Origin.MANUAL,
        levels={c["key"]: c["passing_level"] for c in version.rubric.get("criteria", [])},
        source="shots:portfolio",
        evidence=[{"url": "https://portfolio.example.org/alex/models", "name": "Student models, before and after"}],
    )
    credential = issue_awards(org, [request], actor=None, notify=False)[0]
    return do_create_share_link(credential=credential, actor=learner)


def test_screenshots(
    browser: Any, live_server: Any, transactional_db: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CREDSTACK_BASE_URL = live_server.url
    call_command("demo", stdout=io.StringIO())
    credential, link = _credential(django_capture_on_commit_callbacks)
    page_url = live_server.url + credential.get_absolute_url()
    portfolio_link = _awarded_with_a_link(credential.recipient_email)
    tag = os.environ.get("SHOTS_TAG", "after")
    OUT.mkdir(parents=True, exist_ok=True)
    with new_tab(browser, live_server.url) as tab:
        for width in WIDTHS:
            tab.set_viewport_size({"width": width, "height": 900})
            tab.goto("/verify")
            tab.locator("#f-url").fill(live_server.url + link.get_absolute_url())
            tab.get_by_role("button", name="Verify", exact=True).click()
            tab.wait_for_load_state("load")
            pages = {
                "p5-share-link-in-verify": (None, "body"),
                "p6-employer-view": (link.get_absolute_url(), "body"),
                "p6-employer-evidence": (link.get_absolute_url(), ".evidence-list"),
                "p6-outside-link-evidence": (portfolio_link.get_absolute_url(), ".evidence-list"),
                "p7-credential-page": (credential.get_absolute_url(), "body"),
                "p7-employer-criteria": ("/verify?" + urlencode({"url": page_url}), "body"),
            }
            for name, (path, selector) in pages.items():
                if path:
                    tab.goto(path)
                    tab.wait_for_load_state("load")
                found = tab.locator(selector).first
                if not found.count():
                    continue
                found.scroll_into_view_if_needed()
                top = tab.evaluate("(e) => e.getBoundingClientRect().top + window.scrollY", found.element_handle())
                top = max(0, top - 60) if selector != "body" else 0
                page_height = tab.evaluate("document.documentElement.scrollHeight")
                height = min(page_height - top, 3600 if width == 360 else 2400)
                target = OUT / f"{name}-{tag}-{width}.png"
                tab.screenshot(
                    path=str(target), clip={"x": 0, "y": top, "width": width, "height": height}, full_page=True
                )
                _shrink(target)
