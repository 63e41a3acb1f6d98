"""Demo stacks (``credstack demo``): one per demo organization, plus one the demo learner is halfway through.

The demo learner holds Lakeside's first two micro-credentials (``credstack demo_awards``), so the
*Digital Learning Leader* stack is awarded to them and *STEM Discourse and Computation* shows 1 of 2;
Northfield's *Science Teaching Specialist* is there for its admin to manage. Idempotent.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from credstack.accounts.models import User
from credstack.organizations.models import Organization
from credstack.pathways import actions
from credstack.pathways.models import Stack

DEMO_STACKS: tuple[dict[str, Any], ...] = (
    {
        "organization": "lakeside-teacher-institute",
        "admin": "admin@lakeside.example.edu",
        "slug": "digital-learning-leader",
        "name": "Digital Learning Leader",
        "summary": "Designs accessible digital materials and brings computational thinking into STEM lessons.",
        "achievement_type": "Certificate",
        "micro_credentials": ["accessible-digital-materials", "computational-thinking-stem"],
    },
    {
        "organization": "lakeside-teacher-institute",
        "admin": "admin@lakeside.example.edu",
        "slug": "stem-discourse-and-computation",
        "name": "STEM Discourse and Computation",
        "summary": "Leads mathematical discourse and computational thinking across science and mathematics.",
        "achievement_type": "Certificate",
        "micro_credentials": ["computational-thinking-stem", "mathematical-discourse-representations"],
    },
    {
        "organization": "northfield-usd",
        "admin": "admin@northfield.example.org",
        "slug": "science-teaching-specialist",
        "name": "Science Teaching Specialist",
        "summary": "Three research-based science practices, from the anchoring phenomenon to the lab report.",
        "achievement_type": "Certificate",
        "micro_credentials": [
            "phenomenon-based-unit-launch",
            "scientific-modeling-with-diagrams",
            "claim-evidence-reasoning-lab-reports",
        ],
        "validity_months": "60",
    },
)


def load_demo_stacks() -> list[Stack]:
    """Create and publish the demo stacks (after the demo catalog); the ones that exist are left alone."""
    stacks = []
    with transaction.atomic():
        for spec in DEMO_STACKS:
            org = Organization.objects.filter(slug=spec["organization"]).first()
            admin = User.objects.filter(email=spec["admin"]).first()
            if org is None or admin is None:
                continue
            existing = Stack.objects.filter(organization=org, slug=spec["slug"]).first()
            if existing is not None:
                stacks.append(existing)
                continue
            data = {k: v for k, v in spec.items() if k not in ("organization", "admin")}
            stack = actions.do_create_stack(organization=org, data=data, actor=admin)
            stacks.append(actions.do_publish_stack(stack=stack, actor=admin))
    return stacks
