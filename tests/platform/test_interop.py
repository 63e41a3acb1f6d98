"""Credentials issued by the platform verify in an independent eddsa-rdfc-2022 implementation.

digitalbazaar's ``@digitalbazaar/vc`` + ``data-integrity`` + ``eddsa-rdfc-2022-cryptosuite`` run under Node
(tests/interop/verify.mjs), fully offline: contexts come from credstack's bundled copies and the issuer's
DID document from this test, through the harness's document loader. Without Node the test skips locally
and fails in CI. The npm packages are installed with ``npm ci`` from tests/interop/package-lock.json.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credstack.awards import actions
from credstack.awards.models import Credential
from credstack.catalog.models import MicroCredentialVersion
from credstack.signing.actions import do_revoke_signing_key, do_rotate_signing_key
from credstack.signing.documents import did_document
from tests.conftest import INTEROP, bundled_contexts, interop_node
from tests.platform.conftest import admin_of


@pytest.fixture(scope="module")
def node_harness() -> Path:
    interop_node()
    return INTEROP


def run_harness(
    harness: Path, tmp_path: Path, credentials: list[dict[str, Any]], documents: dict[str, Any]
) -> list[dict[str, Any]]:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"contexts": bundled_contexts(), "documents": documents, "credentials": credentials}))
    result = subprocess.run(
        ["node", "verify.mjs", str(bundle)], cwd=harness, capture_output=True, text=True, timeout=120
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(credentials), result.stderr[-3000:]
    return lines


def test_platform_credentials_verify_with_digitalbazaar(
    node_harness: Path, tmp_path: Path, published: MicroCredentialVersion, make_user: Any
) -> None:
    org = published.organization
    admin = admin_of(org)
    MicroCredentialVersion.objects.filter(pk=published.pk).update(expiry_months=24, credits_available="1.50")
    published.refresh_from_db()
    plain = actions.do_award_credential(
        organization=org,
        actor=admin,
        data={
            "email": "one@example.org",
            "achievement": "cer-lab",
            "evidence_url": "https://example.org/portfolio",
            "evidence_narrative": "Lesson plan, student work and a reflection.",
        },
    )
    # An assessment-shaped award: results on every criterion and evidence with digests.
    levels = {c["key"]: c["passing_level"] for c in published.rubric["criteria"]}
    evidence = [
        {
            "url": actions.evidence_page_url(plain.public_id, 1),
            "name": "Lab report",
            "description": "Student lab report",
            "digest": "uEiDZDqlaXw3ff-Hz3u05ZPYTm3Kuw3Y6z4NB5qOdqKr_SA",
        }
    ]
    rich = actions.issue_awards(
        org,
        [
            actions.AwardRequest(
                version=published,
                email="two@example.org",
                source="interop:rich",
                origin="manual",
                levels=levels,
                evidence=evidence,
            )
        ],
        actor=admin,
    )[0]
    do_rotate_signing_key(organization=org, actor=admin)
    learner = make_user("three@example.org", display_name="Robin Three")
    third = actions.issue_awards(
        org,
        [
            actions.AwardRequest(
                version=published, email="three@example.org", source="interop:third", origin="manual", user=learner
            )
        ],
        actor=admin,
    )[0]
    third = actions.do_present_recipient(credential=third, show_name=True, use_did=False, actor=learner)
    signed_api = actions.issue_credential_document(
        org,
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": org.issuer_id,
            "name": "Workshop attendance",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "achievement": {
                    "id": "https://example.org/achievements/workshop",
                    "type": ["Achievement"],
                    "name": "Workshop",
                    "description": "Attended",
                    "criteria": {"narrative": "Attend the workshop."},
                },
            },
        },
        actor=admin,
    )
    tampered = copy.deepcopy(plain.document)
    tampered["credentialSubject"]["achievement"]["name"] = "Something grander"

    documents = {org.issuer_id: did_document(org)}
    good = [plain.document, rich.document, third.document, signed_api]
    results = run_harness(node_harness, tmp_path, [*good, tampered], documents)
    for credential, outcome in zip(good, results[: len(good)], strict=True):
        assert outcome["verified"], (credential["id"], outcome["error"])
    assert not results[-1]["verified"]

    # A retired (compromised) key: the independent verifier refuses what it signed, too.
    do_revoke_signing_key(key=Credential.objects.get(pk=plain.pk).signing_key, reason="breach", actor=admin)
    after = run_harness(node_harness, tmp_path, [plain.document, third.document], {org.issuer_id: did_document(org)})
    assert not after[0]["verified"] and after[1]["verified"], after


def test_a_document_with_undefined_terms_is_not_signed(published: MicroCredentialVersion) -> None:
    with pytest.raises(ValidationError):
        actions.issue_credential_document(
            published.organization,
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"madeUpTerm": "x"},
            },
            actor=None,
        )
