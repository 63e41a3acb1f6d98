"""VC Data Model 2.0 rules checked before the platform signs a credential it is given."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credstack.verifier.conformance import issue_problems

V2 = "https://www.w3.org/ns/credentials/v2"
GOOD: dict[str, Any] = {
    "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
    "type": ["VerifiableCredential", "ExampleAlumniCredential"],
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "alumniOf": "Example University"},
}


def with_(**members: Any) -> dict[str, Any]:
    document = copy.deepcopy(GOOD)
    document.update(members)
    return document


def test_a_good_credential_has_no_problems() -> None:
    assert issue_problems(GOOD) == {}
    related = [
        {"id": "https://example.org/a.json", "digestSRI": "sha384-" + "A" * 64},
        {"id": "https://example.org/b.json", "digestMultibase": "uEiA" + "a" * 43},
    ]
    schema = {"id": "https://example.org/schema.json", "type": "JsonSchema"}
    status = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://example.org/status/3",
    }
    assert issue_problems(with_(relatedResource=related, credentialSchema=schema, credentialStatus=status)) == {}


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ("not an object", "credential"),
        ({**GOOD, "@context": ["https://example.org/not-a-vc-context"]}, "@context"),
        ({k: v for k, v in GOOD.items() if k != "@context"}, "@context"),
        (with_(type=["ExampleAlumniCredential"]), "type"),
        (with_(id="not a url"), "id"),
        (with_(credentialSubject={}), "credentialSubject"),
        (with_(validFrom="yesterday"), "validFrom"),
        (
            {
                "@context": [V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "favouriteColour": "blue",
                "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
            },
            "favouriteColour",
        ),
        (with_(credentialSchema={"id": "https://example.org/schema.json"}), "credentialSchema.type"),
        (with_(credentialSchema=[{"type": "JsonSchema"}]), "credentialSchema[0].id"),
        (with_(refreshService={"id": "https://example.org/refresh"}), "refreshService.type"),
        (with_(credentialStatus={"id": "https://example.org/status#1"}), "credentialStatus.type"),
        (with_(termsOfUse=[{"id": "https://example.org/tou"}]), "termsOfUse[0].type"),
        (with_(evidence=[{"id": "https://example.org/evidence"}]), "evidence[0].type"),
        (
            with_(
                credentialStatus={
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": 5,
                    "statusListCredential": "https://example.org/s",
                }
            ),
            "credentialStatus.statusListIndex",
        ),
        (
            with_(
                credentialStatus={
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "fun",
                    "statusListIndex": "5",
                    "statusListCredential": "https://example.org/s",
                }
            ),
            "credentialStatus.statusPurpose",
        ),
        (
            with_(
                credentialStatus={
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": "5",
                }
            ),
            "credentialStatus.statusListCredential",
        ),
        (with_(relatedResource=[{"id": "https://example.org/a"}]), "relatedResource[0]"),
        (with_(relatedResource=[{"digestSRI": "sha384-AAAA"}]), "relatedResource[0].id"),
        (
            with_(relatedResource=[{"id": "https://example.org/a", "digestSRI": "md5-abc"}]),
            "relatedResource[0].digestSRI",
        ),
        (
            with_(relatedResource=[{"id": "https://example.org/a", "digestMultibase": "not multibase"}]),
            "relatedResource[0].digestMultibase",
        ),
        (
            with_(
                relatedResource=[
                    {"id": "https://example.org/a", "digestSRI": "sha384-AAAA"},
                    {"id": "https://example.org/a", "digestSRI": "sha384-AAAA"},
                ]
            ),
            "relatedResource[1].id",
        ),
        (with_(relatedResource="https://example.org/a"), "relatedResource[0]"),
        (with_(proof={"type": "DataIntegrityProof"}), "proof"),
    ],
)
def test_violations_are_named_by_member(document: Any, path: str) -> None:
    problems = issue_problems(document)
    assert path in problems, problems
    assert problems[path].endswith(".")
