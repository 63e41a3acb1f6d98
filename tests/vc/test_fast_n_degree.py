"""RDFC-1.0's N-degree step on the fast path: the platform's credentials, look-alike blank nodes, the budget.

The platform's credentials carry the same ``allowedValue`` list (an RDF list) under every rubric criterion, so
the inner blank nodes of those lists have equal first-degree hashes and only Hash N-Degree Quads tells them
apart. ``credstack.vc.fastld`` runs that step itself; the reference labelling (``credstack.vc.jsonld``) and
pyoxigraph's RDFC-1.0 must give the same bytes, and the work budget must refuse exactly what it refuses there.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pyoxigraph as ox
import pytest
from benchmarks import platform_credential
from hypothesis import HealthCheck, given, settings
from tests.vc.credential_strategies import generated_documents, platform_documents
from tests.vc.test_fast_canonicalization import blow_up_credential, fast, reference

from credstack.vc import fastld, jsonld
from credstack.vc.errors import CanonicalizationBudgetExceeded

PLATFORM = platform_credential.load()


def oxigraph_canonical(quads: list[tuple[str, str, str, str]]) -> str:
    nquads = "".join(jsonld.serialize_quad(quad) for quad in quads)
    dataset = ox.Dataset(ox.parse(nquads.encode(), format=ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted({f"{quad} .\n" for quad in dataset}))


@pytest.fixture
def reference_labelling_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls of the reference labelling (``vc.jsonld.canonicalize``) made meanwhile."""
    calls: list[int] = []
    original = jsonld.canonicalize

    def counting(
        quads: list[tuple[str, str, str, str]], *, budget: int = jsonld.DEFAULT_BUDGET, hash_name: str = "sha256"
    ) -> str:
        calls.append(len(quads))
        return original(quads, budget=budget, hash_name=hash_name)

    monkeypatch.setattr(jsonld, "canonicalize", counting)
    return calls


def test_the_platform_credential_is_labelled_by_the_fast_path(reference_labelling_calls: list[int]) -> None:
    expected = reference(PLATFORM)
    reference_labelling_calls.clear()
    before = fastld.stats()
    assert fastld.try_to_nquads(PLATFORM) == expected[1]
    after = fastld.stats()
    assert reference_labelling_calls == []
    assert after["n_degree"] == before["n_degree"] + 1
    assert after["fast"] == before["fast"] + 1


def test_the_platform_credential_agrees_with_pyoxigraph() -> None:
    quads = fastld.document_quads(PLATFORM)
    assert fastld.canonicalize(quads) == oxigraph_canonical(quads)


def test_look_alike_nodes_with_ties_agree_with_the_reference_and_pyoxigraph() -> None:
    doc = copy.deepcopy(PLATFORM)
    same = {"type": ["Evidence"], "name": "Portfolio", "narrative": "Lesson plans."}
    doc["evidence"] = [dict(same) for _ in range(4)]  # four blank nodes nothing tells apart: every order ties
    alignment = doc["credentialSubject"]["achievement"]["alignment"][0]
    doc["credentialSubject"]["achievement"]["alignment"] = [alignment, dict(alignment)]
    for result in doc["credentialSubject"]["result"]:
        result["alignment"] = [dict(alignment)]
    assert fast(doc) == reference(doc)
    quads = fastld.document_quads(doc)
    assert fastld.canonicalize(quads) == oxigraph_canonical(quads)


def minimal_budget(canonicalize: Any, quads: list[tuple[str, str, str, str]]) -> int:
    """The least budget with which ``canonicalize`` labels ``quads`` (bisection)."""
    low, high = 0, jsonld.DEFAULT_BUDGET
    while low < high:
        middle = (low + high) // 2
        try:
            canonicalize(quads, budget=middle)
        except CanonicalizationBudgetExceeded:
            low = middle + 1
        else:
            high = middle
    return low


@pytest.mark.parametrize(
    "doc", [PLATFORM, blow_up_credential(3), blow_up_credential(5)], ids=["platform", "look-alike 3", "look-alike 5"]
)
def test_the_fast_n_degree_step_spends_the_work_budget_of_the_reference(doc: dict[str, Any]) -> None:
    quads = fastld.document_quads(doc)
    needed = minimal_budget(jsonld.canonicalize, quads)
    assert needed > 0
    assert minimal_budget(fastld.canonicalize, quads) == needed
    with pytest.raises(CanonicalizationBudgetExceeded) as refused:
        fastld.canonicalize(quads, budget=needed - 1)
    assert str(refused.value) == jsonld.BUDGET_EXCEEDED


@pytest.mark.parametrize("length", [150, 250, 2000])
def test_a_long_list_of_equal_values_is_refused_alike_on_both_paths(length: int) -> None:
    # every inner node of the list looks alike: Hash N-Degree Quads recurses along the whole list
    doc = copy.deepcopy(PLATFORM)
    doc["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"] = ["Proficient"] * length
    assert fastld.document_quads(doc)
    assert fast(doc) == reference(doc)
    assert fast(doc)[0] == "CanonicalizationBudgetExceeded"


def test_a_list_of_equal_values_within_the_limits_is_labelled_alike() -> None:
    doc = copy.deepcopy(PLATFORM)
    doc["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"] = ["Proficient"] * 40
    assert fast(doc) == reference(doc)
    assert fast(doc)[0] == "ok"


@generated_documents(150)
@given(platform_documents)
def test_same_outcome_on_generated_platform_credentials(doc: dict[str, Any]) -> None:
    assert fast(doc) == reference(doc)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(platform_documents)
def test_generated_platform_credentials_agree_with_pyoxigraph(doc: dict[str, Any]) -> None:
    quads = fastld.document_quads(doc)
    assert fastld.canonicalize(quads) == oxigraph_canonical(quads)


def test_generated_platform_credentials_take_the_fast_path_and_the_n_degree_step() -> None:
    taken: list[bool] = []
    before = fastld.stats()["n_degree"]

    @settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(platform_documents)
    def sample(doc: dict[str, Any]) -> None:
        taken.append(fastld.try_to_nquads(doc) is not None)

    sample()
    assert all(taken), json.dumps(taken)
    assert fastld.stats()["n_degree"] - before >= len(taken) // 3


# --- remembered N-degree results (fastld._replay_look_alikes) ---------------------------------------------------


def replayed_n_degree(docs: list[dict[str, Any]], times: int = 3) -> int:
    """Convert each document ``times`` times in turn, each conversion compared with the reference path; how many
    conversions took their N-degree step from a remembered result."""
    expected = [reference(doc) for doc in docs]
    before = fastld.stats()["n_degree_replays"]
    for _ in range(times):
        for doc, outcome in zip(docs, expected, strict=True):
            assert fast(doc) == outcome
    return fastld.stats()["n_degree_replays"] - before


def test_the_platform_credentials_n_degree_step_is_remembered_and_exact() -> None:
    docs = [platform_credential.variant(PLATFORM, 3000 + n) for n in range(30)]
    assert replayed_n_degree(docs) > 30  # the step 5 labels the look-alike lists reach repeat between documents


def test_a_look_alike_list_outside_the_remembered_subtree_is_labelled_afresh() -> None:
    # the credential's own list, equal to the rubric's, outside the achievement: its nodes join the look-alike
    # groups of the achievement's, so no remembered result applies
    doc = platform_credential.variant(PLATFORM, 3100)
    allowed = doc["credentialSubject"]["achievement"]["resultDescription"][0]["allowedValue"]
    doc["evidence"].append(
        {"id": "urn:uuid:0e4c2b1a-0000-4000-8000-000000000001", "type": ["Evidence", "ResultDescription"],
         "name": "Extra", "resultType": "RubricCriterionLevel", "allowedValue": list(allowed)}
    )  # fmt: skip
    before = fastld.stats()
    assert replayed_n_degree([doc]) == 0
    after = fastld.stats()
    assert after["fast"] - before["fast"] == 3
    assert after["n_degree"] - before["n_degree"] == 3
    assert after["subtree_replays"] > before["subtree_replays"]


def test_remembered_results_depend_on_how_many_labels_step_5_issued() -> None:
    # the same achievement (the same subtree) in documents with more or fewer unique blank nodes: the labels the
    # N-degree step issues start elsewhere, and later look-alike groups hash those labels
    docs = []
    for n, count in enumerate((0, 1, 3, 5)):
        doc = platform_credential.variant(PLATFORM, 3200 + n)
        doc["evidence"] = [
            {"type": ["Evidence"], "name": f"Item {item}", "narrative": f"Narrative {item} of {count}."}
            for item in range(count)
        ]
        docs.append(doc)
    assert replayed_n_degree(docs) >= len(docs)


def test_look_alike_lists_with_other_values_or_relabelled_nodes_are_labelled_exactly() -> None:
    base = platform_credential.variant(PLATFORM, 3300)
    other_values = copy.deepcopy(base)
    criteria = other_values["credentialSubject"]["achievement"]["resultDescription"]
    criteria[1]["allowedValue"] = list(reversed(criteria[1]["allowedValue"]))  # same look, other order
    criteria[2]["allowedValue"] = ["Not yet", "Not yet", "Developing", "Proficient"]
    replayed_n_degree([base, other_values, base, other_values])
    # the remembered subtrees forgotten: the same documents get new subtree labels, and new remembered results
    fastld._subtrees.clear()
    replayed_n_degree([other_values, base])


def test_a_remembered_result_never_lets_a_smaller_budget_through() -> None:
    doc = platform_credential.variant(PLATFORM, 3400)
    quads = fastld.document_quads(doc)
    needed = minimal_budget(jsonld.canonicalize, quads)
    for _ in range(3):
        fastld.to_nquads(doc)  # remembered with the default budget
    with pytest.raises(CanonicalizationBudgetExceeded):
        fastld.to_nquads(doc, budget=needed - 1)
    assert fastld.to_nquads(doc, budget=needed) == jsonld.to_nquads(doc, budget=needed)
