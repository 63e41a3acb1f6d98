"""POST /credentials/issue (W3C VC API): an organization's API key signs a credential; it then verifies,
revokes and rejects what breaks the VC Data Model 2.0."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from credstack.awards.actions import do_revoke_credential
from credstack.awards.models import Credential
from credstack.organizations.actions import do_create_api_key
from credstack.organizations.models import Organization, Role
from tests.platform.conftest import admin_of

V2 = "https://www.w3.org/ns/credentials/v2"
ORG_A_ISSUER = "did:web:127.0.0.1%3A8000:issuers:org-a"
UNSIGNED: dict[str, Any] = {
    "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
    "issuer": ORG_A_ISSUER,
    "type": ["VerifiableCredential", "ExampleAlumniCredential"],
    "credentialSubject": {"id": "did:example:learner", "alumniOf": "Example University"},
}


def _client(org: Organization, role: str = Role.ADMIN) -> Client:
    raw = do_create_api_key(organization=org, name="suite", actor=admin_of(org), role=role)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def issue(client: Client, credential: Any, **options: Any) -> Any:
    return client.post(
        "/credentials/issue",
        json.dumps({"credential": credential, "options": options}),
        content_type="application/json",
    )


def verify(credential: Any) -> Any:
    return Client().post(
        "/credentials/verify", json.dumps({"verifiableCredential": credential}), content_type="application/json"
    )


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issue_then_verify_then_revoke(org_a: Organization, suite: str) -> None:
    response = issue(_client(org_a), UNSIGNED, cryptosuite=suite)
    assert response.status_code == 201, response.content
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"]["id"] == org_a.issuer_id if isinstance(signed["issuer"], dict) else False
    assert signed["proof"]["cryptosuite"] == suite and signed["proof"]["type"] == "DataIntegrityProof"
    statuses = (
        signed["credentialStatus"] if isinstance(signed["credentialStatus"], list) else [signed["credentialStatus"]]
    )
    assert all(s["type"] == "BitstringStatusListEntry" and s["statusListIndex"].isdigit() for s in statuses)
    verified = verify(signed)
    assert verified.status_code == 200, verified.json()
    assert {c["id"]: c["status"] for c in verified.json()["checks"]}["status"] == "passed"
    row = Credential.objects.get(document__id=signed["id"])
    do_revoke_credential(credential=row, reason="Issued in error.", actor=admin_of(org_a))
    revoked = verify(signed)
    assert revoked.status_code == 400 and revoked.json()["verdict"] == "revoked"


def test_issued_credential_page_names_the_issuer_and_vouches(org_a: Organization) -> None:
    signed = issue(_client(org_a), UNSIGNED).json()["verifiableCredential"]
    html = Client().post("/verify", {"text": json.dumps(signed)}).content.decode()
    assert "Known to this platform" in html and "the signing key is the one this platform publishes" in html


def test_issue_needs_an_admin_api_key(org_a: Organization) -> None:
    anonymous = Client().post(
        "/credentials/issue", json.dumps({"credential": UNSIGNED}), content_type="application/json"
    )
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/problem+json"
    wrong = Client(headers={"Authorization": "Bearer cs_not-a-key"})
    assert issue(wrong, UNSIGNED).status_code == 401
    assert issue(_client(org_a, Role.ASSESSOR), UNSIGNED).status_code == 403
    assert not Credential.objects.exists()


@pytest.mark.parametrize(
    ("change", "member"),
    [
        ({"@context": ["https://example.org/not-a-vc-context"]}, "@context"),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"], "issuanceDate": "January"}, "issuanceDate"),
        ({"credentialSchema": {"id": "https://example.org/schema.json"}}, "credentialSchema.type"),
        ({"refreshService": {"id": "https://example.org/refresh"}}, "refreshService.type"),
        ({"credentialStatus": {"id": "https://example.org/status#1"}}, "credentialStatus.type"),
        (
            {
                "credentialStatus": {
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "statusListIndex": 3,
                    "statusListCredential": "https://example.org/s",
                }
            },
            "credentialStatus.statusListIndex",
        ),
        ({"relatedResource": [{"id": "https://example.org/a"}]}, "relatedResource[0]"),
        ({"relatedResource": [{"id": "https://example.org/a", "digestSRI": "nope"}]}, "relatedResource[0].digestSRI"),
        ({"validFrom": "January"}, "validFrom"),
    ],
)
def test_vc2_violations_are_400_problem_details(org_a: Organization, change: dict[str, Any], member: str) -> None:
    response = issue(_client(org_a), {**UNSIGNED, **change})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert member in response.json()["errors"]
    assert not Credential.objects.exists()


def test_undefined_term_and_bad_requests(org_a: Organization) -> None:
    client = _client(org_a)
    ob = {
        "@context": [V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "favouriteColour": "blue",
        "credentialSubject": {"id": "did:example:x", "type": ["AchievementSubject"]},
    }
    assert "favouriteColour" in issue(client, ob).json()["errors"]
    assert issue(client, UNSIGNED, cryptosuite="rsa-2048").status_code == 400
    assert client.post("/credentials/issue", "{", content_type="application/json").status_code == 400
    assert client.post("/credentials/issue", "{}", content_type="application/json").status_code == 400
    other_issuer = {**UNSIGNED, "issuer": "did:example:someone-else"}
    assert issue(client, other_issuer).status_code == 400
    # a verifiable credential must name its issuer (the W3C VC API issuer suite sends these)
    for issuer in (None, 4, [ORG_A_ISSUER], {"name": "No id"}):
        refused = issue(client, {**UNSIGNED, "issuer": issuer})
        assert refused.status_code == 400 and "issuer" in refused.json()["errors"], issuer
    missing = issue(client, {k: v for k, v in UNSIGNED.items() if k != "issuer"})
    assert missing.status_code == 400 and ORG_A_ISSUER in missing.json()["errors"]["issuer"]


def test_issue_is_in_the_openapi_document(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/credentials/issue"]


def test_issue_replaces_a_well_formed_status_entry(org_a: Organization) -> None:
    credential = {
        **UNSIGNED,
        "credentialStatus": {
            "id": "https://example.org/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://example.org/status/1",
        },
    }
    response = issue(_client(org_a), credential)
    assert response.status_code == 201, response.content
    entries = [response.json()["verifiableCredential"]["credentialStatus"]]
    assert {e["statusPurpose"] for e in entries} == {"revocation"}
    assert all(e["statusListCredential"].startswith("http://127.0.0.1:8000/") for e in entries)


def test_related_resource_digests_are_compared_on_issue_and_verify(org_a: Organization) -> None:
    from tests.vc.test_related import SPEC_MULTIBASE, SPEC_SRI, SUITE_STALE_SRI, SUITE_WRONG_MULTIBASE

    client = _client(org_a)
    right = issue(client, {**UNSIGNED, "relatedResource": [{"id": V2, "digestSRI": SPEC_SRI}]})
    assert right.status_code == 201, right.content
    assert verify(right.json()["verifiableCredential"]).status_code == 200
    for wrong in (
        {"id": V2, "digestSRI": SUITE_STALE_SRI},
        {"id": V2, "digestMultibase": SUITE_WRONG_MULTIBASE},
        {"id": V2, "digestSRI": SPEC_SRI, "digestMultibase": SPEC_MULTIBASE[:-2] + "AA"},
    ):
        refused = issue(client, {**UNSIGNED, "relatedResource": [wrong]})
        assert refused.status_code == 400, (wrong, refused.content)
        assert any(key.startswith("relatedResource[0]") for key in refused.json()["errors"])
    # a credential signed elsewhere with a wrong digest: the verifier says invalid, naming the resource
    from tests.vc.test_related import with_related

    forged = with_related({"id": V2, "digestSRI": SUITE_STALE_SRI})
    response = verify(forged)
    assert response.status_code == 400
    check = next(c for c in response.json()["checks"] if c["id"] == "related_resources")
    assert check["status"] == "failed" and V2 in check["message"]


V1 = "https://www.w3.org/2018/credentials/v1"
VC11: dict[str, Any] = {
    "@context": [V1, "https://www.w3.org/2018/credentials/examples/v1"],
    "type": ["VerifiableCredential", "UniversityDegreeCredential"],
    "issuanceDate": "2026-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "degree": {"type": "BachelorDegree", "name": "Bachelor of Science and Arts"},
    },
}


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_vc11_credential_is_issued_as_given_then_verifies_and_revokes(org_a: Organization, suite: str) -> None:
    # what the W3C vc-di-eddsa and vc-api-issuer suites send
    vc11 = {**VC11, "@context": [V1], "type": ["VerifiableCredential"], "issuer": org_a.issuer_id}
    vc11["credentialSubject"] = {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"}
    without_date = {k: v for k, v in vc11.items() if k != "issuanceDate"}
    for sent in (vc11, without_date):
        response = issue(_client(org_a), sent, cryptosuite=suite)
        assert response.status_code == 201, response.content
        signed = response.json()["verifiableCredential"]
        assert signed["@context"][0] == V1 and "https://w3id.org/security/data-integrity/v2" in signed["@context"]
        assert "issuanceDate" in signed and "validFrom" not in signed
        assert signed["proof"]["cryptosuite"] == suite
        assert signed["credentialStatus"]["type"] == "BitstringStatusListEntry"
        # the status terms inline, as the status list context defines them: the same RDF
        from credstack.vc import jsonld

        linked = {**signed, "@context": [*signed["@context"][:2], "https://www.w3.org/ns/credentials/status/v1"]}
        linked = {k: v for k, v in linked.items() if k != "proof"}
        assert jsonld.to_nquads({k: v for k, v in signed.items() if k != "proof"}) == jsonld.to_nquads(linked)
        verified = verify(signed)
        assert verified.status_code == 200, verified.json()["reasons"]
    row = Credential.objects.get(document__id=signed["id"])
    assert Client().get(row.get_absolute_url()).status_code == 200
    do_revoke_credential(credential=row, reason="Issued in error.", actor=admin_of(org_a))
    assert verify(signed).json()["verdict"] == "revoked"


def test_a_plain_vc2_credential_gets_an_issuer_its_contexts_define(org_a: Organization) -> None:
    # only the VC 2.0 context: no Open Badges Profile term to use (what the W3C data model suite sends)
    plain = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": org_a.issuer_id,
        "credentialSubject": {"id": "did:example:subject"},
    }
    response = issue(_client(org_a), plain)
    assert response.status_code == 201, response.content
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == {"id": org_a.issuer_id, "name": org_a.name}
    assert verify(signed).status_code == 200
