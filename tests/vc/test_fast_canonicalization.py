"""The fast eddsa-rdfc-2022 path (credstack.vc.fastld) against the reference path, byte for byte.

Every outcome is compared: the canonical N-Quads, or the error (type and message). The reference is
``credstack.vc.jsonld.to_nquads`` (pyld + our RDFC-1.0). A smaller hypothesis sample runs here; the full 10,000
run is ``CREDSTACK_SLOW_TESTS=1`` (``test_fast_differential_10000``) and part of ``make bench``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.vc.credential_strategies import credential_documents, generated_documents

from credstack.vc import fastld, jsonld, proofs, suites
from credstack.vc.did import DefaultResolver
from credstack.vc.errors import CanonicalizationBudgetExceeded, UndefinedTermError
from credstack.vc.keys import Ed25519Key

HERE = Path(__file__).resolve().parent
VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def outcome(function: Any, doc: Any) -> tuple[str, str]:
    try:
        return ("ok", function(doc))
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def reference(doc: Any) -> tuple[str, str]:
    return outcome(jsonld.to_nquads, doc)


def fast(doc: Any) -> tuple[str, str]:
    return outcome(fastld.to_nquads, doc)


def took_fast_path(doc: dict[str, Any]) -> bool:
    return fastld.try_to_nquads(doc) is not None


def documents_in_repository() -> list[tuple[str, dict[str, Any]]]:
    """Every JSON object of the vectors and foreign credentials, unsigned, and each proof's configuration."""
    found: list[tuple[str, dict[str, Any]]] = []
    paths = sorted([*HERE.glob("vectors/**/*.json"), *HERE.glob("data/**/*.json")])
    for path in paths:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not isinstance(doc, dict):
            continue
        name = str(path.relative_to(HERE))
        found.append((name, doc))
        if "proof" in doc:
            unsecured = {k: v for k, v in doc.items() if k != "proof"}
            found.append((f"{name} (unsecured)", unsecured))
            listed = doc["proof"] if isinstance(doc["proof"], list) else [doc["proof"]]
            for index, proof in enumerate(listed):
                if isinstance(proof, dict) and "@context" in doc:
                    config = {"@context": doc["@context"], **{k: v for k, v in proof.items() if k != "proofValue"}}
                    found.append((f"{name} (proof {index} configuration)", config))
    return found


REPOSITORY_DOCUMENTS = documents_in_repository()


def test_repository_has_documents() -> None:
    assert len(REPOSITORY_DOCUMENTS) > 100


@pytest.mark.parametrize(("name", "doc"), REPOSITORY_DOCUMENTS, ids=[name for name, _ in REPOSITORY_DOCUMENTS])
def test_same_outcome_on_every_vector_and_foreign_credential(name: str, doc: dict[str, Any]) -> None:
    assert fast(doc) == reference(doc)


@pytest.mark.parametrize(
    "name",
    [
        "vectors/eddsa/eddsa-rdfc-2022/signedDataInt.json (unsecured)",
        "vectors/eddsa/eddsa-rdfc-2022/signedDataInt.json (proof 0 configuration)",
        "vectors/ob3/obv3p0/ob-signed-credential.json (unsecured)",
        "vectors/ob3/clrv2p0/clr-unsigned-credential.json",
        "vectors/ob3/clrv2p0/clr-signed-credential.json (unsecured)",
        "data/foreign/ob30-complete.json (unsecured)",
        "data/foreign/clr20-simple.json (unsecured)",
    ],
)
def test_the_fast_path_covers_the_vectors(name: str) -> None:
    doc = dict(REPOSITORY_DOCUMENTS)[name]
    assert took_fast_path(doc), name


def test_w3c_vector_canonical_form_by_the_fast_path() -> None:
    folder = HERE / "vectors/eddsa/eddsa-rdfc-2022"
    signed = json.loads((folder / "signedDataInt.json").read_text(encoding="utf-8"))
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    assert fastld.try_to_nquads(unsecured) == (folder / "canonDocDataInt.txt").read_text(encoding="utf-8")
    config = json.loads((folder / "proofConfigDataInt.json").read_text(encoding="utf-8"))
    assert fastld.try_to_nquads(config) == (folder / "proofCanonDataInt.txt").read_text(encoding="utf-8")


@generated_documents(200)
@given(credential_documents)
def test_same_outcome_on_generated_credentials(doc: dict[str, Any]) -> None:
    assert fast(doc) == reference(doc)


@pytest.mark.skipif(os.environ.get("CREDSTACK_SLOW_TESTS") != "1", reason="slow: set CREDSTACK_SLOW_TESTS=1")
@generated_documents(10_000)
@given(credential_documents)
def test_fast_differential_10000(doc: dict[str, Any]) -> None:
    assert fast(doc) == reference(doc)


def test_generated_credentials_mostly_take_the_fast_path() -> None:
    taken: list[bool] = []

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )
    @given(credential_documents)
    def sample(doc: dict[str, Any]) -> None:
        taken.append(took_fast_path(doc))

    sample()
    assert sum(taken) >= len(taken) // 3, f"{sum(taken)} of {len(taken)} on the fast path"


# --- safe mode: undefined terms reported as on the reference path -------------------------------------------


def credential(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [VC2, OB3],
        "id": "https://credstack.example/credentials/1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://credstack.example/orgs/acme", "type": ["Profile"], "name": "Acme"},
        "validFrom": "2026-03-01T09:30:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://credstack.example/achievements/1",
                "type": ["Achievement"],
                "name": "Python",
                "description": "Writes Python.",
                "criteria": {"narrative": "Pass."},
            },
        },
    }
    doc.update(extra)
    return doc


@pytest.mark.parametrize(
    ("mutate", "term"),
    [
        (lambda d: d.update(favouriteColour="blue"), None),
        (lambda d: d["issuer"].update(achievementType="Badge"), None),
        (lambda d: d["credentialSubject"]["achievement"].update(type=["Achievement", "Trophy"]), "Trophy"),
        (lambda d: d.update(type=["VerifiableCredential", "Diploma"]), "Diploma"),
        (lambda d: d.update(id="credentials/1"), "credentials/1"),
        (lambda d: d["issuer"].update(image="logo.png"), "logo.png"),
        (lambda d: d["credentialSubject"].update(id="#me"), "#me"),
    ],
)
def test_undefined_terms_are_reported_exactly_as_on_the_reference_path(mutate: Any, term: str | None) -> None:
    doc = credential()
    mutate(doc)
    before = fastld.stats()["fallback_reasons"]
    with pytest.raises(UndefinedTermError) as fast_error:
        fastld.to_nquads(doc)
    with pytest.raises(UndefinedTermError) as reference_error:
        jsonld.to_nquads(doc)
    assert (fast_error.value.term, str(fast_error.value)) == (reference_error.value.term, str(reference_error.value))
    if term is not None:
        assert fast_error.value.term == term
    assert sum(fastld.stats()["fallback_reasons"].values()) > sum(before.values())
    with pytest.raises(UndefinedTermError) as checked:
        fastld.check_safe(doc)
    assert str(checked.value) == str(reference_error.value)


def test_check_safe_passes_a_defined_credential_quickly() -> None:
    fastld.check_safe(credential())


# --- coverage and fallback ------------------------------------------------------------------------------------


def test_unknown_context_and_graphs_go_to_the_reference_path_and_are_counted() -> None:
    before = fastld.stats()
    unknown = credential()
    unknown["@context"] = [*unknown["@context"], "https://example.org/not-bundled"]
    assert fast(unknown) == reference(unknown)
    assert fast(unknown)[0] == "ContextError"
    graph = {"@context": [VC2], "@graph": [credential()]}
    assert fast(graph) == reference(graph)
    inline = credential()
    inline["@context"] = [VC2, {"favouriteColour": "https://example.org/colour"}]
    inline["favouriteColour"] = "blue"
    assert fast(inline) == reference(inline)
    after = fastld.stats()
    assert after["fallback"] >= before["fallback"] + 3
    assert after["fallback_reasons"].get("context not bundled", 0) > before["fallback_reasons"].get(
        "context not bundled", 0
    )


def test_reference_path_can_be_forced() -> None:
    doc = credential()
    before = fastld.stats()
    with fastld.reference_path():
        assert not fastld.fast_path_enabled()
        assert fastld.to_nquads(doc) == jsonld.to_nquads(doc)
    after = fastld.stats()
    assert after["fast"] == before["fast"]
    assert (
        after["fallback_reasons"]["reference path forced"]
        == before["fallback_reasons"].get("reference path forced", 0) + 1
    )
    assert fastld.fast_path_enabled()


def test_the_registered_suite_uses_the_fast_path_and_interoperates_with_the_reference() -> None:
    key = Ed25519Key.generate(b"\x07" * 32)
    resolver = DefaultResolver()
    doc = credential()
    before = fastld.stats()["fast"]
    signed_fast = proofs.add_proof(doc, key, created="2026-03-01T09:30:00Z")
    assert fastld.stats()["fast"] > before
    with suites.reference_path():
        signed_reference = proofs.add_proof(doc, key, created="2026-03-01T09:30:00Z")
        assert all(check.ok for check in proofs.verify_proofs(signed_fast, resolver=resolver))
    assert signed_fast == signed_reference  # Ed25519 is deterministic: same hash, same signature
    assert all(check.ok for check in proofs.verify_proofs(signed_reference, resolver=resolver))
    reference_suite = suites.EddsaRdfc2022(fast=False)
    assert reference_suite.canonize_document(doc) == suites.get_suite("eddsa-rdfc-2022").canonize_document(doc)


def test_numbers_and_escapes() -> None:
    doc = credential()
    achievement = doc["credentialSubject"]["achievement"]
    achievement["creditsAvailable"] = 2.5
    achievement["name"] = 'a\bb\tc\nd\fe\rf"g\\h\x00i\x1fj\x7fk\u00e9\U0001f600\u2028'
    doc["credentialSubject"]["creditsEarned"] = 10**21
    doc["credentialSubject"]["identifier"] = [
        {"type": "IdentityObject", "hashed": True, "identityHash": "x", "identityType": "emailAddress", "salt": 5}
    ]
    assert took_fast_path(doc)
    assert fast(doc) == reference(doc)
    for value in (0, -0.0, 1.0, 3, 1e20, 1e21, 0.1, 1e-7, True, False, 123456789.0, -7):
        doc["credentialSubject"]["creditsEarned"] = value
        achievement["tag"] = [value, str(value), value]
        assert fast(doc) == reference(doc), value


def test_repeated_ids_merge_like_the_node_map() -> None:
    doc = credential()
    doc["credentialSubject"]["achievement"]["creator"] = {
        "id": "https://credstack.example/orgs/acme",
        "type": ["Profile"],
        "name": "Acme",
        "url": "https://acme.example",
    }
    doc["credentialSubject"]["achievement"]["tag"] = ["x", "x", "y"]
    assert took_fast_path(doc)
    assert fast(doc) == reference(doc)


# --- blank-node blow-up ------------------------------------------------------------------------------------------


def blow_up_credential(children: int) -> dict[str, Any]:
    """Two look-alike results, each with ``children`` look-alike alignments: the N-degree step would try
    ``children!`` orders. Shaped like a credential, so the fast path itself meets it."""
    alignment = {"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://framework.example/same"}
    result = {
        "type": ["Result"],
        "resultDescription": "https://credstack.example/rd",
        "alignment": [dict(alignment) for _ in range(children)],
    }
    doc = credential()
    doc["credentialSubject"]["result"] = [dict(result), json.loads(json.dumps(result))]
    return doc


@pytest.mark.parametrize("children", [9, 12, 30])
def test_blank_node_blow_up_is_stopped_by_the_budget_on_both_paths(children: int) -> None:
    doc = blow_up_credential(children)
    assert fastld.document_quads(doc)  # the fast path covers the document: the blow-up is met there
    for canonicalize in (fastld.to_nquads, jsonld.to_nquads):
        # The budget counts steps of work, so it is what stops the blow-up (30! orders would never end). The
        # CPU-time bound only catches a budget that no longer applies: it is far above what the budget allows
        # (`make bench` prints that time), so that a slow or busy machine cannot fail it.
        start = time.process_time()
        with pytest.raises(CanonicalizationBudgetExceeded):
            canonicalize(doc)
        assert time.process_time() - start < 30.0


def test_small_look_alike_credential_is_within_budget_on_both_paths() -> None:
    doc = blow_up_credential(3)
    before = fastld.stats()["n_degree"]
    assert fast(doc) == reference(doc)
    assert fast(doc)[0] == "ok"
    assert fastld.stats()["n_degree"] > before


def test_context_tables_are_bounded_and_start_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastld, "MAX_COMPILED_CONTEXTS", fastld._compiled_count + 3)
    doc = credential()
    for extra in range(12):  # ever new lists of bundled contexts
        varied = dict(doc)
        varied["@context"] = [VC2, OB3] + [OB3] * extra
        assert fast(varied) == reference(varied)
        assert fastld._compiled_count <= fastld.MAX_COMPILED_CONTEXTS + 8
    assert fastld.stats()["context_table_resets"] >= 1
    monkeypatch.undo()
    assert took_fast_path(doc)
