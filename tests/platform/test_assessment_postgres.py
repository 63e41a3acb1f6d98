"""Claim races on PostgreSQL: assessors claiming the same submission at the same instant, exactly one wins.

SQLite serializes writers (BEGIN IMMEDIATE), so the race only exists on PostgreSQL; the suite's
PostgreSQL run (``make test``, CI) covers it and the SQLite run skips it.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client

from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.models import Review, ReviewStatus, Submission
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.actions import do_add_member
from credstack.organizations.models import Organization, Role
from tests.conftest import require_service
from tests.platform.assessment_support import LEARNER_EMAIL, submitted
from tests.platform.conftest import admin_of

pytestmark = pytest.mark.postgres


@pytest.fixture
def on_postgres(transactional_db: Any) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("claim races need concurrent writers: covered by the PostgreSQL run")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL=postgres://…)")


def _race(callables: list[Any]) -> list[Any]:
    """Run the callables in threads released at the same instant; return each one's result or exception."""
    barrier = threading.Barrier(len(callables))
    results: list[Any] = [None] * len(callables)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = callables[i]()
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(callables))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def assessors(on_postgres: None, org_a: Organization, make_user: Any) -> list[User]:
    admin = admin_of(org_a)
    people = [User.objects.get(email="assessor-a@example.org")]
    for i in range(5):
        user = make_user(f"racer{i}@example.org")
        do_add_member(organization=org_a, user=user, role=Role.ASSESSOR, actor=admin)
        people.append(user)
    return people


def test_two_assessors_claim_at_once_one_wins(
    assessors: list[User], published: MicroCredentialVersion, make_user: Any
) -> None:
    first, second = assessors[0], assessors[1]
    for round_ in range(10):
        learner = make_user(f"{round_}-{LEARNER_EMAIL}")
        sub = submitted(learner, published)
        results = _race(
            [
                lambda s=sub: actions.do_claim_submission(
                    submission=Submission.objects.get(pk=s.pk), assessor=first, actor=first
                ),
                lambda s=sub: actions.do_claim_submission(
                    submission=Submission.objects.get(pk=s.pk), assessor=second, actor=second
                ),
            ]
        )
        wins = [r for r in results if isinstance(r, Review)]
        losses = [r for r in results if isinstance(r, ValidationError)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert "just claimed" in losses[0].messages[0]
        sub.refresh_from_db()
        assert sub.claimed_by == wins[0].assessor and sub.status == "in_review"
        assert Review.objects.filter(submission=sub, status=ReviewStatus.IN_PROGRESS).count() == 1


def test_many_assessors_over_http_one_wins(
    assessors: list[User], published: MicroCredentialVersion, make_user: Any
) -> None:
    sub = submitted(make_user(LEARNER_EMAIL), published)
    clients = []
    for user in assessors:
        client = Client()
        client.force_login(user)
        clients.append(client)
    results = _race([lambda c=c: c.post(f"/api/review/org-a/submissions/{sub.pk}/claim") for c in clients])
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * (len(assessors) - 1), codes
    assert Review.objects.filter(submission=sub).count() == 1
