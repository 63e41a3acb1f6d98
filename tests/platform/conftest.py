from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from django.test import Client

from credstack.accounts.models import User
from credstack.catalog import actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_add_member, do_create_organization
from credstack.organizations.models import Organization, Role

PASSWORD = "correct-horse-battery-staple"


def _demo_entry() -> dict[str, Any]:
    data = json.loads(resources.files("credstack.catalog.demo").joinpath("program.json").read_text())
    entry = copy.deepcopy(data["microcredentials"][0])
    entry.pop("organization")
    entry.pop("slug")
    entry["alignments"] = [{**a, "target_type": "ext:Skill"} for a in entry["alignments"]]
    return entry


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


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def published(org_a: Organization, definition: dict[str, Any]) -> MicroCredentialVersion:
    admin = admin_of(org_a)
    version = actions.do_create_micro_credential(organization=org_a, data=definition, slug="cer-lab", actor=admin)
    return actions.do_publish_version(version=version, actor=admin)
