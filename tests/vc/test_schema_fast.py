"""The jsonschema-rs fast path of credstack.vc.schema gives the verdicts of the jsonschema reference, and does the
work of a valid document alone (issue 12, point 12; issue 15's suggestion)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credstack.vc import schema

HERE = Path(__file__).parent
FIXTURE_FOLDERS = [HERE / "vectors" / "ob3", HERE / "data" / "foreign" / "1edtech-validator" / "ob30", HERE / "data"]
JUNK: list[Any] = [None, 1, -1.5, "x", "2020-13-01T00:00:00Z", "2020-01-01", "2020-01-01T00:00:00", [], {}, True, ["x"]]

pytestmark = pytest.mark.skipif(not schema.fast_path(), reason="jsonschema-rs is not installed")


def fixtures() -> list[dict[str, Any]]:
    """Every Open Badges / CLR document among the test data (1EdTech vectors and validator fixtures, our own)."""
    found: dict[str, dict[str, Any]] = {}
    for folder in FIXTURE_FOLDERS:
        for path in sorted(folder.rglob("*.json")):
            try:
                value = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for number, doc in enumerate(value if isinstance(value, list) else [value]):
                if isinstance(doc, dict) and schema.schema_for(doc):
                    found[f"{path}#{number}"] = doc
    assert len(found) >= 15
    return list(found.values())


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        yield from _paths(child, (*path, key))


def mutants(count_per_document: int, seed: int = 12) -> Iterator[dict[str, Any]]:
    """Each fixture with one value replaced by junk or one member removed, anywhere in the document."""
    chooser = random.Random(seed)
    for document in fixtures():
        places = list(_paths(document))[1:]
        for _ in range(count_per_document):
            changed = copy.deepcopy(document)
            *route, last = chooser.choice(places)
            parent = changed
            for key in route:
                parent = parent[key]
            if isinstance(parent, dict) and chooser.random() < 0.3:
                del parent[last]
            else:
                parent[last] = copy.deepcopy(chooser.choice(JUNK))
            yield changed


def _reference(doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[schema.SchemaProblem]:
    with monkeypatch.context() as patch:
        patch.setattr(schema, "_fast_validator", lambda schema_id: None)
        return schema.validate(doc)


def test_the_fixtures_get_the_reference_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = fixtures()
    assert any(not schema.validate(d) for d in documents) and any(schema.validate(d) for d in documents)
    for doc in documents:
        assert schema.validate(doc) == _reference(doc, monkeypatch)


def test_mutated_credentials_get_the_reference_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = 0
    for doc in mutants(60):
        chosen = schema.schema_for(doc)
        if chosen is None:
            continue
        fast = schema._fast_validator(chosen)
        assert fast is not None
        candidates = [doc]
        status = doc.get("credentialStatus")
        if isinstance(status, list) and status:
            candidates = [{**doc, "credentialStatus": entry} for entry in status]
        for candidate in candidates:
            assert fast.is_valid(candidate) == schema._validator(chosen).is_valid(candidate)
            checked += 1
    assert checked >= 1_000


def test_a_valid_document_is_answered_by_the_fast_path_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    valid = next(d for d in fixtures() if not schema.validate(d) and schema.schema_for(d) != schema.OB_PROFILE_SCHEMA)
    big = copy.deepcopy(valid)
    subject = big["credentialSubject"]
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if isinstance(achievement, dict):
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": f"S{n}", "targetUrl": f"https://s.example.test/{n}"}
            for n in range(20_000)
        ]
    reference_runs: list[str] = []
    real = schema._validator

    def counted(schema_id: str) -> Any:
        reference_runs.append(schema_id)
        return real(schema_id)

    monkeypatch.setattr(schema, "_validator", counted)
    assert schema.validate(big) == []
    assert reference_runs == []  # no pass of the Python validator over the 100,000 values
    broken = {**big, "validFrom": "not a date"}
    assert any(p.path == "validFrom" for p in schema.validate(broken))  # readable problems still come from it
    assert reference_runs
