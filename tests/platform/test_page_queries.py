"""Pages that list rows run the same number of queries with 1 row as with many, and show one page of them.

These are the pages the page-latency benchmark (``benchmarks.pages``) found growing with the data: the wallet,
the review queue (page and API), the issued list and the program overview. Query counts, never timings.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credstack.accounts.models import User
from credstack.assessment.queries import QUEUE_PAGE_SIZE
from credstack.awards import actions
from credstack.awards.models import Credential
from credstack.awards.views import WALLET_PAGE_SIZE
from credstack.catalog.models import MicroCredentialVersion
from tests.platform.assessment_support import submitted
from tests.platform.conftest import admin_of, client_for

ASSESSOR = "assessor-a@example.org"


def queries_of(client: Client, path: str) -> int:
    client.get(path)  # the first request may fill per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def renewals(credential: Credential, count: int) -> None:
    """``count`` earlier, superseded copies of ``credential`` (what renewals leave in a wallet and a list)."""
    for i in range(count):
        copy = Credential.objects.get(pk=credential.pk)
        copy.pk = None
        copy.public_id = uuid.uuid4()
        copy.source = f"test-renewal:{i}"
        copy.status_index = credential.status_index + 1000 + i
        copy.awarded_at = credential.awarded_at - timezone.timedelta(days=i + 1)
        copy.superseded_at = timezone.now()
        copy.save()


@pytest.fixture
def held(published: MicroCredentialVersion, make_user: Any) -> tuple[Credential, User]:
    learner = make_user("holder@example.org")
    credential = actions.do_award_credential(
        organization=published.organization,
        actor=admin_of(published.organization),
        data={"email": learner.email, "achievement": "cer-lab"},
        notify=False,
    )
    Credential.objects.filter(pk=credential.pk).update(recipient_user=learner)
    return Credential.objects.get(pk=credential.pk), learner


def test_wallet_queries_stay_constant_and_it_shows_one_page(held: tuple[Credential, User]) -> None:
    credential, learner = held
    client = client_for(learner)
    one = queries_of(client, "/wallet/")
    renewals(credential, WALLET_PAGE_SIZE + 5)
    assert queries_of(client, "/wallet/") == one
    html = client.get("/wallet/").content.decode()
    assert html.count('class="wallet-item"') == WALLET_PAGE_SIZE
    assert f"Page 1 of 2 ({WALLET_PAGE_SIZE + 6} credentials)" in html
    assert client.get("/wallet/?page=2").content.decode().count('class="wallet-item"') == 6


def test_issued_list_and_api_list_queries_stay_constant(held: tuple[Credential, User]) -> None:
    credential, _ = held
    org = credential.organization
    client = client_for(admin_of(org))
    paths = [f"/manage/{org.slug}/credentials/", f"/api/orgs/{org.slug}/credentials"]
    before = [queries_of(client, path) for path in paths]
    renewals(credential, 60)
    assert [queries_of(client, path) for path in paths] == before


def test_program_overview_queries_stay_constant(held: tuple[Credential, User]) -> None:
    credential, _ = held
    org = credential.organization
    client = client_for(admin_of(org))
    from django.core.cache import cache

    one = queries_of(client, f"/manage/{org.slug}/program/")
    renewals(credential, 20)
    cache.clear()  # the figures are kept a minute: count a fresh computation
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/manage/{org.slug}/program/")
    cache.clear()
    with CaptureQueriesContext(connection) as fresh_one:
        client.get(f"/manage/{org.slug}/program/")
    assert len(captured) == len(fresh_one)
    assert queries_of(client, f"/manage/{org.slug}/program/") == one


def test_review_queue_queries_stay_constant_and_it_is_paged(published: MicroCredentialVersion, make_user: Any) -> None:
    org = published.organization
    assessor = User.objects.get(email=ASSESSOR)
    client = client_for(assessor)
    submitted(make_user("q0@example.org"), published)
    page, api = f"/review/{org.slug}/", f"/api/review/{org.slug}/queue"
    one = [queries_of(client, page), queries_of(client, api)]
    for i in range(1, QUEUE_PAGE_SIZE + 3):
        submitted(make_user(f"q{i}@example.org"), published)
    assert [queries_of(client, page), queries_of(client, api)] == one
    total = QUEUE_PAGE_SIZE + 3
    body = client.get(api).json()
    assert (len(body["items"]), body["count"], body["page"], body["pages"]) == (QUEUE_PAGE_SIZE, total, 1, 2)
    second = client.get(api + "?page=2").json()
    assert len(second["items"]) == 3 and {i["id"] for i in second["items"]}.isdisjoint(i["id"] for i in body["items"])
    html = client.get(page).content.decode()
    assert f"Page 1 of 2 ({total} submissions)" in html
    assert client.get(page + "?page=2").content.decode().count("Open and claim") == 3
