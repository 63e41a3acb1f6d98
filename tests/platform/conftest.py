from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from credstack.accounts.models import User
from credstack.catalog import actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_add_member, do_create_api_key, do_create_organization
from credstack.organizations.models import Organization, Role

PASSWORD = "correct-horse-battery-staple"


def _demo_entry() -> dict[str, Any]:
    data = json.loads(resources.files("credstack.catalog.demo").joinpath("program.json").read_text())
    entry = copy.deepcopy(data["microcredentials"][0])
    entry.pop("organization")
    entry.pop("slug")
    entry["alignments"] = [{**a, "target_type": "ext:Skill"} for a in entry["alignments"]]
    return entry


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts with an empty cache (rate-limit counters never carry over from one test to the next in
    the same process) and with credstack's Celery app as the current one."""
    from django.core.cache import cache

    from credstack.celery import app

    cache.clear()
    # Shared tasks run through the *current* Celery app; a client app made by a worker test must never stay it.
    app.set_current()
    yield


@pytest.fixture
def definition() -> dict[str, Any]:
    """A complete, valid definition (the demo program's first entry)."""
    return _demo_entry()


@pytest.fixture
def make_user(db: Any) -> Any:
    def make(email: str, **extra: Any) -> User:
        return User.objects.create_user(email, PASSWORD, **extra)

    return make


@pytest.fixture
def org_a(db: Any, make_user: Any) -> Organization:
    admin = make_user("admin-a@example.org", display_name="Admin A")
    org = do_create_organization(slug="org-a", name="Org A", actor=admin, admin=admin, url="https://example.org/a")
    do_add_member(organization=org, user=make_user("assessor-a@example.org"), role=Role.ASSESSOR, actor=admin)
    return org


@pytest.fixture
def org_b(db: Any, make_user: Any) -> Organization:
    admin = make_user("admin-b@example.org", display_name="Admin B")
    return do_create_organization(slug="org-b", name="Org B", actor=admin, admin=admin)


def admin_of(org: Organization) -> User:
    return User.objects.get(memberships__organization=org, memberships__role=Role.ADMIN)


def key_client(org: Organization, name: str = "test") -> Client:
    """A client that sends a new API key of ``org`` (made by its admin) as its bearer token."""
    _, raw = do_create_api_key(organization=org, name=name, actor=admin_of(org))
    return Client(headers={"Authorization": f"Bearer {raw}"})


def profile_form(org: Organization, **changed: Any) -> dict[str, Any]:
    """What the issuer profile form (``/manage/<org>/profile/``) posts for ``org`` as it is, ``changed`` aside."""
    return {
        "name": org.name,
        "url": org.url,
        "email": org.email,
        "description": org.description,
        "turnaround_days": org.turnaround_days,
        "second_review": org.second_review,
        "second_review_sample_percent": org.second_review_sample_percent,
        **changed,
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def published(org_a: Organization, definition: dict[str, Any]) -> MicroCredentialVersion:
    admin = admin_of(org_a)
    version = actions.do_create_micro_credential(organization=org_a, data=definition, slug="cer-lab", actor=admin)
    return actions.do_publish_version(version=version, actor=admin)


# --- browser tests (Playwright driving Debian's Chromium) ---------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module; skipped without Chromium, except in CI where that fails."""
    from tests.conftest import CHROMIUM, chromium_available, require_service

    require_service(chromium_available(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls stay synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@contextmanager
def new_tab(browser: Any, base_url: str, *, init_script: str = "") -> Iterator[Any]:
    """A tab in a context of its own (its own cookies) on ``base_url``, waiting at most 15 s for anything;
    ``init_script`` runs in every page before the page's own scripts."""
    context = browser.new_context(base_url=base_url)
    if init_script:
        context.add_init_script(init_script)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def demo_page(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    """A tab on the live server with the whole demo (``credstack demo``) loaded."""
    call_command("demo", stdout=io.StringIO())
    with new_tab(browser, live_server.url) as tab:
        yield tab


def sign_in(page: Any, email: str, password: str = "") -> None:
    """Sign in through the login form; returns once the signed-in page has loaded."""
    from credstack.catalog.demo.loader import DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password or DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
