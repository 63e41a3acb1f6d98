"""Content-Security-Policy on every HTML page and the headers ``check --deploy`` does not cover (issue 12, point 9).

The pages of the demo program, as each kind of person sees them, carry the headers, and hold nothing the policy
would block (inline scripts without the nonce, inline handlers, ``style`` attributes); in Chromium the main pages
raise no CSP violation while their scripts (verify drop zone, confirmations, evidence editor, API docs) work.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from credstack.accounts.models import User
from tests.platform.conftest import client_for, new_tab, sign_in

ADMIN = "admin@northfield.example.org"
ASSESSOR = "assessor@northfield.example.org"
LEARNER = "learner@example.org"
INLINE_DATA_TYPES = {"application/json", "application/ld+json"}


def _demo_paths() -> dict[str, list[str]]:
    from credstack.assessment.models import Submission
    from credstack.awards.models import Credential
    from credstack.catalog.models import MicroCredentialVersion

    version = MicroCredentialVersion.objects.published().select_related("micro_credential__organization").first()
    credential = Credential.objects.filter(recipient_email=LEARNER).order_by("awarded_at").first()
    submission = Submission.objects.filter(micro_credential__organization__slug="northfield-usd").first()
    assert version and credential and submission
    public = [
        "/",
        "/catalog/",
        "/catalog/?q=fractions",
        "/issuers/northfield-usd/",
        "/verify",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
        "/no-such-page/",
        "/stacks/",
        "/stacks/northfield-usd/science-teaching-specialist/",
        "/api/docs",
        version.get_absolute_url(),
        f"/credentials/{credential.public_id}",
    ]
    return {
        "": public,
        LEARNER: ["/learning/", "/learning/profile/", "/wallet/", f"/wallet/{credential.public_id}/share/"],
        ASSESSOR: ["/review/northfield-usd/", f"/review/northfield-usd/{submission.pk}/"],
        ADMIN: [
            "/manage/northfield-usd/",
            "/manage/northfield-usd/profile/",
            "/manage/northfield-usd/microcredentials/new/",
            "/manage/northfield-usd/credentials/",
            "/manage/northfield-usd/credentials/award/",
            "/manage/northfield-usd/bulk/",
            "/manage/northfield-usd/keys/",
            "/manage/northfield-usd/stacks/",
            "/manage/northfield-usd/program/",
            f"/manage/northfield-usd/credentials/{credential.public_id}/",
        ],
        "staff@example.org": ["/admin/", "/admin/awards/credential/", "/admin/accounts/user/"],
    }


class _InlineFinder(HTMLParser):
    """What a strict policy blocks: inline scripts without the nonce, on* handlers, style attributes/elements."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.blocked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.blocked.append(f"<{tag} {name}=…>")
        if tag == "script" and "src" not in named and named.get("type") not in INLINE_DATA_TYPES:
            if named.get("nonce") != self.nonce:
                self.blocked.append("<script> inline without the nonce")
        if tag == "style" and named.get("nonce") != self.nonce:
            self.blocked.append("<style> without the nonce")
        for name in ("href", "src", "action"):
            if (named.get(name) or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:…>")


def _policy(response: Any) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
        if part
    }


def test_every_page_of_the_demo_carries_the_headers_and_nothing_the_policy_blocks(transactional_db: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    User.objects.filter(email="staff@example.org").exists() or pytest.fail("the demo has a staff account")
    checked = 0
    for who, paths in _demo_paths().items():
        client = client_for(User.objects.get(email=who)) if who else Client()
        for path in paths:
            response = client.get(path)
            assert response.status_code in (200, 404), (path, response.status_code)
            assert response["Content-Type"].startswith("text/html"), path
            policy = _policy(response)
            nonce = re.search(r"'nonce-([^']+)'", policy["script-src"])
            assert nonce, path
            assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
            assert "'unsafe-eval'" not in response["Content-Security-Policy"], path
            assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'", path
            assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'", path
            assert policy["form-action"] == "'self'", path
            assert response["X-Content-Type-Options"] == "nosniff", path
            assert response["Referrer-Policy"] == "same-origin", path
            assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
            assert response["X-Frame-Options"] == "DENY", path
            assert "camera=()" in response["Permissions-Policy"], path
            finder = _InlineFinder(nonce.group(1))
            finder.feed(response.content.decode())
            assert finder.blocked == [], (path, finder.blocked)
            checked += 1
    assert checked >= 30


def test_the_nonce_is_new_on_every_request(db: Any) -> None:
    first, second = Client().get("/"), Client().get("/")
    assert _policy(first)["script-src"] != _policy(second)["script-src"]


def test_other_responses_carry_the_general_headers(db: Any) -> None:
    call_command("demo", stdout=io.StringIO())
    for path in ("/api/catalog/microcredentials", "/issuers/northfield-usd/profile.json", "/static/credstack/site.css"):
        response = Client().get(path)
        assert response.status_code == 200, path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert "camera=()" in response["Permissions-Policy"], path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path


# --- in Chromium --------------------------------------------------------------------------------------------

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || ""));
});
"""


@pytest.fixture
def watched(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[tuple[Any, list[str]]]:
    call_command("demo", stdout=io.StringIO())
    with new_tab(browser, live_server.url, init_script=LISTEN) as tab:
        errors: list[str] = []
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab, errors


def _visit(page: Any, errors: list[str], paths: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        errors.clear()
        page.goto(path)
        page.wait_for_load_state("load")
        problems = [*page.evaluate("window.__violations"), *(e for e in errors if "404" not in e)]
        if problems:
            found[path] = problems
    return found


@pytest.mark.browser
def test_the_main_pages_raise_no_csp_violation_in_chromium(watched: tuple[Any, list[str]]) -> None:
    page, errors = watched
    paths = _demo_paths()
    assert _visit(page, errors, paths[""]) == {}
    # The API docs render (Swagger UI from the static files).
    page.goto("/api/docs")
    expect(page.locator("#swagger-ui .info").first).to_be_visible()
    assert page.evaluate("window.__violations") == []
    # The verify page's script ran: the drop-zone hint is shown by it.
    page.goto("/verify")
    expect(page.locator("[data-drop-hint]")).to_be_visible()
    sign_in(page, LEARNER)
    assert _visit(page, errors, paths[LEARNER]) == {}
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, ASSESSOR)
    assert _visit(page, errors, paths[ASSESSOR]) == {}
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, ADMIN)
    assert _visit(page, errors, paths[ADMIN]) == {}


@pytest.mark.browser
def test_confirmations_and_page_scripts_work_under_the_policy(watched: tuple[Any, list[str]]) -> None:
    page, errors = watched
    sign_in(page, ADMIN)
    page.goto("/manage/northfield-usd/")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Retire").first.click()
    expect(page.get_by_role("button", name="Retire").first).to_be_visible()  # dismissed: nothing was retired
    assert asked and asked[0].startswith("Retire “")
    # The editor's own script adds a criterion.
    page.goto("/manage/northfield-usd/microcredentials/new/")
    page.get_by_role("button", name="Add a criterion").click()
    expect(page.locator("[id='f-rubric.criteria.1.name']")).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert [e for e in errors if "404" not in e] == []


@pytest.mark.browser
def test_chromium_enforces_the_policy(watched: tuple[Any, list[str]]) -> None:
    """An injected inline script or style attribute (what an XSS would add) is blocked, and reported."""
    page, _ = watched
    page.goto("/catalog/")
    ran = page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.appendChild(script);
          const styled = document.createElement("p");
          styled.setAttribute("style", "color: rgb(255, 0, 0)");
          document.body.appendChild(styled);
          return [window.__ran === true, getComputedStyle(styled).color];
        }"""
    )
    assert ran[0] is False and ran[1] != "rgb(255, 0, 0)"
    page.wait_for_function("() => window.__violations.length >= 2")
    reported = page.evaluate("window.__violations")
    assert any(v.startswith("script-src") for v in reported) and any(v.startswith("style-src") for v in reported)
