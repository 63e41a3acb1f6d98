"""What one verification may cost is bounded, and the rate limit counts work, not requests (issue 12, point 12).

Work is asserted by counting it (schema validations run, units charged), never by timing it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from credstack.vc import schema
from credstack.verifier import limits
from tests.platform import verifier_support as vs

VERIFY = "/credentials/verify"


def with_alignments(count: int) -> dict[str, Any]:
    """The 1.6 MB credential of the report: a signed credential whose achievement lists ``count`` alignments."""
    document = vs.credential()
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": f"S{n}", "targetUrl": f"https://s.example.test/{n}"} for n in range(count)
    ]
    return document


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@pytest.fixture
def schema_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts JSON-schema validations (84 % of the CPU such a credential cost)."""
    runs: list[int] = []
    real = schema.validate

    def counted(doc: object, **options: Any) -> list[schema.SchemaProblem]:
        runs.append(1)
        return real(doc, **options)

    monkeypatch.setattr(schema, "validate", counted)
    return runs


def test_a_credential_with_20000_alignments_is_refused_before_any_work(db: Any, schema_runs: list[int]) -> None:
    body = compact({"verifiableCredential": with_alignments(20_000)})
    assert 1_500_000 < len(body) < 2_000_000  # within the byte cap: the shape limit is what refuses it
    answer = Client().post(VERIFY, body, content_type="application/json")
    assert answer.status_code == 413 and answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["title"] == "The credential is too large to verify"
    assert "list of 20000 items" in problem["detail"] and "at most 1000 items" in problem["detail"]
    assert schema_runs == []


def test_the_page_refuses_it_too_naming_the_limit(db: Any, schema_runs: list[int]) -> None:
    text = compact(with_alignments(20_000))
    answer = Client().post("/verify", {"text": text})
    html = answer.content.decode()
    assert answer.status_code == 200 and "lists of at most 1000 items are verified" in html
    assert schema_runs == []


def test_many_small_values_are_bounded_as_well(db: Any, schema_runs: list[int], settings: Any) -> None:
    document = vs.credential()
    document["credentialSubject"]["achievement"]["tag"] = [f"t{n}" for n in range(900)]
    document["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": str(n), "targetUrl": f"https://s.test/{n}"} for n in range(900)
    ]
    settings.CREDSTACK_VERIFIER_MAX_VALUES = 2_000
    answer = Client().post(VERIFY, compact({"verifiableCredential": document}), content_type="application/json")
    assert answer.status_code == 413 and "more than 2000 JSON values" in answer.json()["detail"]
    assert schema_runs == []


def test_a_credential_within_the_limits_is_verified(db: Any, schema_runs: list[int]) -> None:
    answer = Client().post(
        VERIFY, compact({"verifiableCredential": with_alignments(200)}), content_type="application/json"
    )
    assert answer.status_code == 400  # the alignments broke the signature: it was verified, and said so
    assert any(c["id"] == "proof" and c["status"] == "failed" for c in answer.json()["checks"])
    assert schema_runs == [1]


def test_the_rate_limit_charges_big_requests_more(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "30/minute"
    assert limits.cost_of(2_000) == 1 and limits.cost_of(1_600_000) == 25
    big = compact({"verifiableCredential": with_alignments(20_000)})
    small = compact({"verifiableCredential": vs.credential()})
    client = Client()
    assert client.post(VERIFY, big, content_type="application/json").status_code == 413
    left = 30 - limits.cost_of(len(big))  # 30 units a minute: the big request took most of them
    assert 0 < left < 10
    statuses = [client.post(VERIFY, small, content_type="application/json").status_code for _ in range(left + 1)]
    assert 429 not in statuses[:left] and statuses[left] == 429


def test_a_fetched_credential_is_charged_by_its_size(db: Any, settings: Any, monkeypatch: Any) -> None:
    from credstack.verifier import service

    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "30/minute"
    fetched = compact(with_alignments(3_000)).encode()  # ~280 KB behind a link: several units, not one
    monkeypatch.setattr(service, "fetch_credential_link", lambda url, fetcher: fetched)
    client = Client()
    client.get("/verify", {"url": "https://issuer.example.test/c/1"})
    assert cache.get("verifier:rate:verify:127.0.0.1") == limits.cost_of(len(fetched)) > 1


def test_a_baked_image_is_bounded_by_the_same_limits(db: Any, schema_runs: list[int]) -> None:
    baked = vs.baked(with_alignments(5_000))
    encoded = base64.b64encode(baked).decode()
    answer = Client().post("/verify", {"carried": encoded})
    assert "lists of at most 1000 items are verified" in answer.content.decode()
    assert schema_runs == []
