"""The demo program: a fictional district's professional learning catalog and one user per role.

Loaded by ``credstack demo`` and by ``make run`` on an empty database. Everything goes through the
same action functions as the pages and the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction

from credstack.accounts.models import User
from credstack.catalog import actions
from credstack.organizations.actions import do_add_member, do_create_organization
from credstack.organizations.models import Organization, Role

DEMO_PASSWORD = "demo-credstack-2026"  # noqa: S105 (printed on purpose: demo accounts only)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_LOGINS = (
    DemoLogin("Staff superuser (Django admin at /admin/)", "staff@example.org", DEMO_PASSWORD),
    DemoLogin("Organization admin, Northfield USD", "admin@northfield.example.org", DEMO_PASSWORD),
    DemoLogin("Assessor, Northfield USD", "assessor@northfield.example.org", DEMO_PASSWORD),
    DemoLogin("Organization admin, Lakeside Teacher Institute", "admin@lakeside.example.edu", DEMO_PASSWORD),
    DemoLogin("Learner (a teacher)", "learner@example.org", DEMO_PASSWORD),
)

_TARGET_TYPES = {"Competency": "ceasn:Competency", "Skill": "ext:Skill", "Credential": "ceterms:Credential"}


def program() -> dict[str, Any]:
    text = resources.files("credstack.catalog.demo").joinpath("program.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _definition(entry: dict[str, Any]) -> dict[str, Any]:
    definition = {k: v for k, v in entry.items() if k not in {"organization", "slug"}}
    definition["alignments"] = [
        {**al, "target_type": _TARGET_TYPES.get(al.get("target_type", ""), al.get("target_type", ""))}
        for al in entry.get("alignments", [])
    ]
    return definition


def demo_is_loaded() -> bool:
    return Organization.objects.filter(slug=program()["organization"]["slug"]).exists()


def load_demo() -> list[DemoLogin]:
    """Create the demo organizations, users and catalog. Idempotent: does nothing if already loaded."""
    data = program()
    if demo_is_loaded():
        return list(DEMO_LOGINS)
    with transaction.atomic():
        users = {}
        for login in DEMO_LOGINS:
            user = User.objects.filter(email=login.email).first()
            if user is None:
                if login.email.startswith("staff@"):
                    user = User.objects.create_superuser(login.email, login.password, display_name="Sam Staff")
                else:
                    name = {
                        "admin@northfield.example.org": "Alex Admin",
                        "assessor@northfield.example.org": "Robin Reviewer",
                        "admin@lakeside.example.edu": "Lee Lakeside",
                        "learner@example.org": "Taylor Teacher",
                    }[login.email]
                    user = User.objects.create_user(login.email, login.password, display_name=name)
            users[login.email] = user
        staff = users["staff@example.org"]

        orgs = {}
        for key, admin_email in (
            ("organization", "admin@northfield.example.org"),
            ("second_organization", "admin@lakeside.example.edu"),
        ):
            spec = data[key]
            orgs[spec["slug"]] = do_create_organization(
                slug=spec["slug"],
                name=spec["name"],
                url=spec.get("url", ""),
                email=spec.get("email", ""),
                description=spec.get("description", ""),
                actor=staff,
                admin=users[admin_email],
            )
        northfield = orgs[data["organization"]["slug"]]
        do_add_member(
            organization=northfield, user=users["assessor@northfield.example.org"], role=Role.ASSESSOR, actor=staff
        )

        drafts = []
        for entry in data["microcredentials"]:
            org = orgs[entry["organization"]]
            admin = users["admin@northfield.example.org" if org is northfield else "admin@lakeside.example.edu"]
            version = actions.do_create_micro_credential(
                organization=org, data=_definition(entry), slug=entry["slug"], actor=admin
            )
            drafts.append((version, admin))
        # Related achievements: definitions of the same organization and first subject point at each other.
        groups: dict[tuple[int, str], list[Any]] = {}
        for version, _ in drafts:
            groups.setdefault((version.micro_credential.organization_id, version.subject_areas[0]), []).append(version)
        for version, admin in drafts:
            group = groups[(version.micro_credential.organization_id, version.subject_areas[0])]
            others = [v.micro_credential for v in group if v.pk != version.pk][:2]
            actions.do_set_related(version=version, related=others, actor=admin)
            actions.do_publish_version(version=version, actor=admin)

        # Show the life cycle: one definition revised to version 2, one new draft in progress.
        northfield_admin = users["admin@northfield.example.org"]
        first, second = drafts[0][0].micro_credential, drafts[1][0].micro_credential
        v2 = actions.do_start_new_version(micro_credential=first, actor=northfield_admin)
        definition = v2.definition()
        definition["summary"] = definition["summary"] + " Revised with a clearer evidence checklist."
        actions.do_update_draft(version=v2, data=definition, actor=northfield_admin)
        actions.do_publish_version(version=v2, actor=northfield_admin)
        actions.do_start_new_version(micro_credential=second, actor=northfield_admin)
    return list(DEMO_LOGINS)
