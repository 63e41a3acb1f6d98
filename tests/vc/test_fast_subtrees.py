"""Remembered subtrees on the fast path (credstack.vc.fastld._Subtree): the same bytes as converting them.

A node object with an ``id`` met again (the achievement of every credential of one version, the issuer) has
its quads added from what its conversion gave before. Every test converts each document several times, so the
first conversion, the one that remembers and the ones that replay are all compared with the reference path.
"""

from __future__ import annotations

import copy
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest
from benchmarks import platform_credential
from hypothesis import given
from tests.vc.credential_strategies import credential_documents, generated_documents
from tests.vc.test_fast_canonicalization import REPOSITORY_DOCUMENTS, fast, reference

from credstack.vc import fastld

PLATFORM = platform_credential.load()
REPOSITORY_DOCUMENTS_BY_NAME = dict(REPOSITORY_DOCUMENTS[:40])


class Text(str):
    """A str subclass: the fast path's quick string branch does not take it."""


def same_every_time(doc: dict[str, Any], times: int = 3) -> None:
    expected = reference(doc)
    for _ in range(times):
        assert fast(doc) == expected


@pytest.mark.parametrize(("name", "doc"), REPOSITORY_DOCUMENTS, ids=[name for name, _ in REPOSITORY_DOCUMENTS])
def test_repeated_vectors_and_foreign_credentials(name: str, doc: dict[str, Any]) -> None:
    same_every_time(doc)


@generated_documents(150)
@given(credential_documents)
def test_repeated_generated_credentials(doc: dict[str, Any]) -> None:
    same_every_time(doc)


def test_the_achievement_of_the_platform_credential_is_replayed() -> None:
    for n in range(3):
        fastld.to_nquads(platform_credential.variant(PLATFORM, n))
    before = fastld.stats()["subtree_replays"]
    doc = platform_credential.variant(PLATFORM, 99)
    same_every_time(doc, times=1)
    assert fastld.stats()["subtree_replays"] > before


def test_a_subtree_twice_in_one_document_gets_blank_nodes_of_its_own_each_time() -> None:
    doc = copy.deepcopy(PLATFORM)
    descriptions = doc["credentialSubject"]["achievement"]["resultDescription"]
    # the same node twice: pyld merges its properties but never its lists, so there are two lists
    descriptions.append(copy.deepcopy(descriptions[0]))
    same_every_time(doc, times=4)
    twice = copy.deepcopy(PLATFORM)
    subject = twice["credentialSubject"]
    twice["credentialSubject"] = [subject, copy.deepcopy(subject)]  # the same achievement twice, at one depth
    same_every_time(twice, times=4)


def test_changing_a_document_in_place_after_signing_it_is_seen() -> None:
    doc = copy.deepcopy(PLATFORM)
    same_every_time(doc)
    achievement = doc["credentialSubject"]["achievement"]
    achievement["resultDescription"][1]["allowedValue"][2] = "Accomplished"
    same_every_time(doc)
    achievement["alignment"][0]["targetCode"] = "NCPF-SCI.3"
    same_every_time(doc)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (1, True),
        (0, False),
        (1, 1.0),
        (0.0, -0.0),
        ("1", 1),
        (None, ""),
        ([1, 2], [2, 1]),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # key order: another order of quads
        ({"a": [1]}, {"a": [1, 1]}),
        (float("nan"), float("nan")),
    ],
)
def test_values_that_convert_differently_are_never_taken_for_equal(first: Any, second: Any) -> None:
    one, other = fastld._fingerprint({"x": first}), fastld._fingerprint({"x": second})
    assert one is None or other is None or one != other


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (1, True),
        (0, False),
        (1, 1.0),
        (0.0, -0.0),
        (-0.0, 0.0),
        ("1", 1),
        (None, ""),
        (None, False),
        ([1, 2], [2, 1]),
        ([1, 2], (1, 2)),
        ([1], [1, 1]),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),  # key order: another order of quads
        ({"a": 1}, {"a": 1, "b": 2}),
        ({"a": [1]}, {"a": [1, 1]}),
        ({"a": {"b": "x"}}, {"a": {"b": Text("x")}}),
        ({"a": "x"}, {Text("a"): "x"}),
        ("x", Text("x")),
        (5, uuid.UUID(int=5)),
        ("2026-01-01T00:00:00", datetime(2026, 1, 1)),
        (1.5, float("nan")),
        ({"a": [{"b": 1}]}, {"a": [{"b": 2}]}),
    ],
)
def test_values_that_convert_differently_are_never_taken_for_the_remembered_one(first: Any, second: Any) -> None:
    stored = fastld._private_copy({"x": first})
    assert fastld._same_json({"x": first}, stored)
    assert not fastld._same_json({"x": second}, stored)


def test_the_remembered_copy_is_its_own() -> None:
    doc = copy.deepcopy(PLATFORM)
    stored = fastld._private_copy(doc)
    assert fastld._same_json(copy.deepcopy(PLATFORM), stored)
    doc["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"].append("Exemplary")
    assert not fastld._same_json(doc, stored)
    assert fastld._same_json(PLATFORM, stored)


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), uuid.UUID(int=5), datetime(2026, 1, 1), "\ud800", 2**70, Text("x")]
)
def test_values_serialized_like_others_are_not_remembered(value: Any) -> None:
    assert fastld._fingerprint({"x": [value]}) is None


def test_equal_json_is_taken_for_equal() -> None:
    assert fastld._fingerprint(copy.deepcopy(PLATFORM)) == fastld._fingerprint(PLATFORM) is not None


@pytest.mark.parametrize(("value", "other"), [(True, 1), (2.5, "2.5"), (0.0, -0.0), (1, 1.0)])
def test_a_changed_value_type_in_a_remembered_subtree_is_converted_again(value: Any, other: Any) -> None:
    doc = copy.deepcopy(PLATFORM)
    achievement = doc["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = value
    same_every_time(doc)
    achievement["creditsAvailable"] = other
    same_every_time(doc)


def test_threads_converting_at_once_get_the_reference_bytes() -> None:
    docs = [platform_credential.variant(PLATFORM, n) for n in range(200, 240)]
    docs += [copy.deepcopy(doc) for doc in REPOSITORY_DOCUMENTS_BY_NAME.values()]
    expected = [reference(doc) for doc in docs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(fast, docs)) == expected


def test_large_subtrees_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastld, "MAX_SUBTREE_BYTES", 200)
    fastld._subtrees.clear()
    doc = platform_credential.variant(PLATFORM, 500)
    same_every_time(doc)
    assert fastld._subtrees  # small ones (the achievement's creator) are remembered
    assert all(entry.size <= 200 for entry in fastld._subtrees.values())
    achievement = doc["credentialSubject"]["achievement"]["id"]
    assert not [key for key in fastld._subtrees if key[0] == achievement]


def replays(doc: dict[str, Any]) -> list[tuple[int, int, fastld._Subtree, set[Any] | None]]:
    converter = fastld._Converter()
    converter.node(None, None, doc, 0)
    return converter.blocks


def test_replayed_lines_are_taken_ready_made_even_when_some_quads_were_there_already() -> None:
    # the achievement's creator is the issuer, described before it: two of its quads are in the document already
    for n in range(3):
        fastld.to_nquads(platform_credential.variant(PLATFORM, 200 + n))
    doc = platform_credential.variant(PLATFORM, 299)
    blocks = {entry.result[0]: already for _, _, entry, already in replays(doc)}
    assert blocks[PLATFORM["credentialSubject"]["achievement"]["id"]]
    same_every_time(doc, times=2)
    # and without a creator, none was there already
    alone = copy.deepcopy(doc)
    del alone["credentialSubject"]["achievement"]["creator"]
    same_every_time(alone)
    blocks = {entry.result[0]: already for _, _, entry, already in replays(alone)}
    assert blocks[PLATFORM["credentialSubject"]["achievement"]["id"]] is None
    # an issuer described by fewer quads: fewer of the creator's lines are there already (the lines kept for the
    # last set of quads there already are not reused for another)
    brief = copy.deepcopy(doc)
    brief["issuer"] = {key: brief["issuer"][key] for key in ("id", "type")}
    fastld.to_nquads(doc)  # the achievement with its creator remembered again (``alone`` replaced it)
    for current in (brief, doc, brief):
        blocks = {entry.result[0]: already for _, _, entry, already in replays(current)}
        assert len(blocks[PLATFORM["credentialSubject"]["achievement"]["id"]] or ()) == (1 if current is brief else 2)
        same_every_time(current, times=1)


def test_a_value_twice_in_a_replayed_subtree_gives_one_line() -> None:
    doc = copy.deepcopy(PLATFORM)
    achievement = doc["credentialSubject"]["achievement"]
    achievement["tag"] = ["twice", "twice", "once"]
    same_every_time(doc, times=4)
    (entry,) = [entry for _, _, entry, _ in replays(doc) if entry.result[0] == achievement["id"]]
    assert len({quad for quad, _ in entry.quads}) == len(entry.quads)
