"""Verdicts on credentials made elsewhere: the 1EdTech validator's test resources.

Expected verdicts follow the 1EdTech validator's own tests (OB30Tests, CLR20Tests, OB20Tests of
1EdTech/digital-credentials-public-validator) where they can be reached offline. Differences, on purpose:

* what the validator fetches from the network is "cannot be checked" here unless the test supplies it
  through a StaticFetcher; in particular the Open Badges key convention ``<issuer URL>#<publicKeyMultibase>``
  is only believed once the issuer's profile (which lists the key) is available, because anyone can write
  a URL and a key of their own side by side;
* an expired credential gets the verdict ``expired`` (the validator: invalid, ExpirationProbe).

The issuer profiles supplied below are constructed for the test (they list the keys the 1EdTech files are
signed with); they are not 1EdTech files.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credstack.vc.fetch import StaticFetcher
from credstack.vc.verify import VerificationReport, VerifyOptions, verify

FOREIGN = Path(__file__).parent / "data" / "foreign" / "1edtech-validator"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
EXAMPLE_COM = "https://example.com/issuers/876543"
KEYS = ("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x")


def profile(issuer: str, keys: tuple[str, ...]) -> bytes:
    methods = [{"id": f"{issuer}#{k}", "type": "Multikey", "controller": issuer, "publicKeyMultibase": k} for k in keys]
    return json.dumps({"id": issuer, "type": "Profile", "name": "Example Corp", "verificationMethod": methods}).encode()


def check(name: str, *, with_profile: bool = False) -> VerificationReport:
    fetcher = StaticFetcher({EXAMPLE_COM: profile(EXAMPLE_COM, KEYS)} if with_profile else {})
    return verify((FOREIGN / name).read_bytes(), options=VerifyOptions(fetcher=fetcher, now=NOW))


def status_of(report: VerificationReport, check_id: str) -> str:
    found = report.check(check_id)
    assert found is not None
    return found.status


# -- VC-JWT ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ob30/simple-jwt.png", "ob30/simple-jwt.svg"])
def test_jwt_baked_badges_are_valid(name: str) -> None:
    # OB30Tests.testSimplePNGJWTValid / testSimpleJsonSVGJWTValid: valid
    report = check(name)
    assert report.verdict == "valid", report.reasons
    assert report.format == "vc-jwt"
    assert status_of(report, "proof") == "passed"
    assert status_of(report, "issuer_controller") == "warning"  # the key travels in the header (jwk)


@pytest.mark.parametrize("name", ["ob30/simple-jwt_v1.png", "ob30/simple-jwt_v1.svg"])
def test_vc_1_1_jwt_baked_badges_are_valid_with_warnings(name: str) -> None:
    # OB30Tests.testSimpleV1PNGJWTValid / testSimpleV1JsonSVGJWTValid: warning (outdated context, schema)
    report = check(name)
    assert report.verdict == "valid", report.reasons
    assert status_of(report, "context_and_type") == "warning"


def test_ob30_simple_jwt_names_no_key() -> None:
    # ExternalProofProbe: "Key must present in either jwk or kid value." -> fatal; also an unknown context
    report = check("ob30/simple.jwt")
    assert report.verdict == "invalid"
    assert any("neither 'jwk' nor 'kid'" in reason for reason in report.reasons)


def test_velocity_jwt_is_invalid() -> None:
    # OB30Tests.testVelocityJWTValid: assertInvalid "due to the lack of ob's extension context";
    # its key (did:velocity) cannot be resolved here either
    report = check("ob30/velocity.jwt")
    assert report.verdict == "invalid"
    assert "lib.velocitynetwork.foundation" in report.reasons[0]
    assert status_of(report, "proof") == "warning"


def test_clr_simple_jwt_has_a_valid_signature_but_a_draft_context() -> None:
    # CLR20Tests.testSimpleJWTValid is @Disabled: the file uses the draft CLR context dc.imsglobal.org
    report = check("clr20/simple.jwt")
    assert report.verdict == "invalid"
    assert status_of(report, "proof") == "passed"
    assert status_of(report, "context_and_type") == "failed"


# -- Data Integrity ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ob30/simple.json", "ob30/simple-json.png", "ob30/simple-json.svg"])
def test_issuer_url_keys_need_the_issuer_profile(name: str) -> None:
    # OB30Tests.testSimpleJsonValid / testSimplePNGPlainValid / testSimpleJsonSVGPlainValid: valid
    offline = check(name)
    assert offline.verdict == "cannot_be_checked"
    assert EXAMPLE_COM in offline.reasons[0]
    online = check(name, with_profile=True)
    assert online.verdict == "valid", online.reasons


def test_did_key_method_is_valid() -> None:
    # OB30Tests.testSimpleDidKeyMethodJsonValid: valid (the issuer is a urn:uuid, so the did:key is not tied to it)
    report = check("ob30/simple-did-key-method.json")
    assert report.verdict == "valid", report.reasons
    assert status_of(report, "issuer_controller") == "warning"


def test_proof_value_error_is_invalid() -> None:
    # OB30Tests.testSimpleJsonInvalidProofValue: invalid
    assert check("ob30/simple-err-proof-value.json").verdict == "cannot_be_checked"
    report = check("ob30/simple-err-proof-value.json", with_profile=True)
    assert report.verdict == "invalid"
    assert status_of(report, "proof") == "failed"


def test_expired() -> None:
    # OB30Tests.testSimpleJsonExpired: invalid (ExpirationProbe)
    assert check("ob30/simple-err-expired.json").verdict == "expired"


@pytest.mark.parametrize(
    ("name", "check_id"),
    [
        ("ob30/simple-err-type.json", "context_and_type"),  # testSimpleJsonInvalidUnknownType
        ("ob30/simple-err-context.json", "context_and_type"),  # testSimpleJsonContextError
        ("ob30/simple-err-issuer.json", "schema"),  # testSimpleJsonSchemaError
        ("ob30/simple-noproof.json", "proof"),  # SIMPLE_JSON_NOPROOF (a Sample marked invalid)
        ("ob30/simple-err-proof-method-unknown-did-method.json", "proof"),  # ...UnknownDidMethod
    ],
)
def test_invalid_credentials(name: str, check_id: str) -> None:
    report = check(name, with_profile=True)
    assert report.verdict == "invalid"
    assert status_of(report, check_id) == "failed"


# -- Open Badges 2.0 (details in test_ob2.py) -----------------------------------------------------------------------


def ob20_fetcher() -> StaticFetcher:
    served = {}
    for path in (FOREIGN / "ob20" / "assets").iterdir():
        for domain in ("https://www.example.org/", "https://example.org/", "http://example.org/"):
            served[domain + path.name] = path.read_bytes()
    served["https://example.org/beths-robotics-badge.json"] = (FOREIGN / "ob20" / "basic-assertion.json").read_bytes()
    return StaticFetcher(served)


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("ob20/simple-badge.png", "valid"),  # testSimplePNGPlainValid
        ("ob20/simple.jwt", "valid"),  # testSimpleJWTValid
        ("ob20/simple-not-revoked.jwt", "valid"),  # testJWTNotRevoked
        ("ob20/simple-revoked.jwt", "revoked"),  # testJWTRevoked: invalid
        ("ob20/basic-assertion-invalid-context.json", "invalid"),  # testSimpleJsonInvalidContext
        ("ob20/basic-assertion-invalid-type.json", "invalid"),  # testSimpleJsonInvalidType
    ],
)
def test_ob20(name: str, verdict: str) -> None:
    report = verify((FOREIGN / name).read_bytes(), options=VerifyOptions(fetcher=ob20_fetcher(), now=NOW))
    assert report.verdict == verdict, report.reasons


def test_ob20_offline_cannot_be_checked() -> None:
    for name in ("ob20/simple-badge.png", "ob20/simple.jwt"):
        report = verify((FOREIGN / name).read_bytes(), options=VerifyOptions(now=NOW))
        assert report.verdict == "cannot_be_checked", name
        assert any("could not be fetched" in reason for reason in report.reasons)


# -- Proof types found in the field: Ed25519Signature2020, ecdsa-sd-2023; the 1EdTech Revocation List ----------


def served_profile(issuer: str, keys: tuple[str, ...], *, did: bool = False) -> bytes:
    """An issuer profile (or, ``did=True``, a DID document) listing ``keys``, constructed for the test."""
    if not did:
        return profile(issuer, keys)
    methods = [{"id": f"{issuer}#{k}", "type": "Multikey", "controller": issuer, "publicKeyMultibase": k} for k in keys]
    return json.dumps(
        {"id": issuer, "verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}
    ).encode()


def check_with(name: str, served: dict[str, bytes]) -> VerificationReport:
    return verify((FOREIGN / name).read_bytes(), options=VerifyOptions(fetcher=StaticFetcher(served), now=NOW))


def test_ed25519_signature_2020_vc_1_1_credential_is_valid() -> None:
    # OB30Tests.testSimpleV1JsonValid: warning (VC 1.1 form). Signed with Ed25519Signature2020 by a key of the
    # issuer's profile: offline it cannot be checked; with the profile it is valid, with the same warnings
    issuer, key = EXAMPLE_COM, "z6MknNHHrBzPytzu6CUBP9Lg7fg4KSBjzimc2Frh693YbMiv"
    assert check("ob30/simple_v1.json").verdict == "cannot_be_checked"
    report = check_with("ob30/simple_v1.json", {issuer: served_profile(issuer, (key,))})
    assert report.verdict == "valid", report.reasons
    proof = report.check("proof")
    assert proof is not None and proof.status == "passed" and proof.name == "Proof (Ed25519Signature2020)"
    assert status_of(report, "context_and_type") == "warning"


def test_ed25519_signature_2020_with_another_key_is_invalid() -> None:
    issuer, other = EXAMPLE_COM, KEYS[0]
    report = check_with("ob30/simple_v1.json", {issuer: served_profile(issuer, (other,))})
    assert report.verdict == "invalid"


def test_ed25519_signature_2020_did_key_clr_is_valid() -> None:
    # CLR20 Samples COMPLEX_JSON: valid. The did:key resolves offline; nothing ties it to the urn:uuid issuer
    report = check("clr20/complex.json")
    assert report.verdict == "valid", report.reasons
    assert status_of(report, "proof") == "passed"
    assert status_of(report, "issuer_controller") == "warning"


def test_ed25519_signature_2020_urn_uuid_method_is_not_believed() -> None:
    # CLR20 Samples SIMPLE_V1_JSON: valid there. Here a verification method under a urn:uuid cannot be
    # dereferenced, so nothing says the key in its fragment is the issuer's: invalid, on purpose
    report = check("clr20/simple_v1.json")
    assert report.verdict == "invalid"
    assert "Unsupported verification method" in report.reasons[0]


REVOKED_DID = "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:da1e96e9-afcc-4eed-b9a2-2ddf7353214c"
REVOKED_DID_URL = (
    "https://dc.1edtech.org/wellspring2022/wellspring-portal/org/da1e96e9-afcc-4eed-b9a2-2ddf7353214c/did.json"
)
REVOKED_LIST = (
    "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c"
)


def test_ed25519_signature_2020_did_web_credential_revoked_by_1edtech_revocation_list() -> None:
    # OB30Tests.testCredentialStatusRevoked: invalid, RevocationListProbe fatal "Credential has been revoked".
    # The DID document and the revocation list are constructed here (the validator fetches the live ones)
    credential = json.loads((FOREIGN / "ob30/credential-status-revoked.json").read_bytes())
    did_document = served_profile(REVOKED_DID, (KEYS[0],), did=True)
    revoked = {"id": REVOKED_LIST, "revokedCredentials": [{"id": credential["id"], "revocationReason": "Test."}]}
    report = check_with(
        "ob30/credential-status-revoked.json",
        {REVOKED_DID_URL: did_document, REVOKED_LIST: json.dumps(revoked).encode()},
    )
    assert report.verdict == "revoked", report.reasons
    assert status_of(report, "proof") == "passed"  # did:web, Ed25519Signature2020
    status = report.check("status")
    assert status is not None and "Reason given: Test." in status.message
    not_revoked = {"id": REVOKED_LIST, "revokedCredentials": [{"id": "urn:uuid:someone-else"}]}
    report = check_with(
        "ob30/credential-status-revoked.json",
        {REVOKED_DID_URL: did_document, REVOKED_LIST: json.dumps(not_revoked).encode()},
    )
    assert status_of(report, "status") == "passed"
    offline = check_with("ob30/credential-status-revoked.json", {REVOKED_DID_URL: did_document})
    assert offline.verdict == "cannot_be_checked"
    assert "Revocation cannot be checked" in offline.reasons[0]


def test_endorsement_with_errors_is_invalid() -> None:
    # Samples ENDORSEMENT_ERR_SCHEMA_STATUS_REFRESH: invalid. Its content was changed after signing: the
    # Ed25519Signature2020 proof no longer matches (digitalbazaar's ed25519-signature-2020 5.4.0, run by hand
    # with the same key, says "Invalid signature." too)
    issuer, key = "https://state.gov/issuers/565049", "z6MkmQ49FhpMN7V11B7Qzc6WC6Q3ymVW4xmHUsHBR2MWMMo1"
    report = check_with("ob30/endorsement-err-schema-status-refresh.json", {issuer: served_profile(issuer, (key,))})
    assert report.verdict == "invalid"
    assert status_of(report, "proof") == "failed"


def test_complete_v1_key_is_not_reachable_offline() -> None:
    # OB30Tests.testCompleteV1JsonInvalidInlineSchemaRef: invalid (also for its 1EdTechJsonSchemaValidator2019
    # term, which its contexts do not define, and its expiry); its key #key-1 is only in the live profile
    report = check("ob30/complete_v1.json")
    assert report.verdict == "invalid"
    assert status_of(report, "proof") == "warning"


ISSUER_1EDTECH = "https://1edtech.edu/issuers/565049"
SD_KEY = "zDnaekGZTbQBerwcehBSXLqAg6s55hVEBms1zFy89VHXtJSa9"


def test_ecdsa_sd_2023_derived_credential_is_valid() -> None:
    # ob30/sd/derivedcredential.json: an ecdsa-sd-2023 derived proof by a P-256 key of the issuer's profile
    assert check("ob30/sd/derivedcredential.json").verdict == "cannot_be_checked"
    report = check_with("ob30/sd/derivedcredential.json", {ISSUER_1EDTECH: served_profile(ISSUER_1EDTECH, (SD_KEY,))})
    assert report.verdict == "valid", report.reasons
    proof = report.check("proof")
    assert proof is not None and proof.name == "Proof (ecdsa-sd-2023)"
    assert "derived proof" in proof.message


def test_ecdsa_sd_2023_derived_credential_tampered_is_invalid() -> None:
    credential = json.loads((FOREIGN / "ob30/sd/derivedcredential.json").read_bytes())
    credential["credentialSubject"]["achievement"]["name"] = "Leadership"
    report = verify(
        json.dumps(credential).encode(),
        options=VerifyOptions(
            fetcher=StaticFetcher({ISSUER_1EDTECH: served_profile(ISSUER_1EDTECH, (SD_KEY,))}), now=NOW
        ),
    )
    assert report.verdict == "invalid"
    assert status_of(report, "proof") == "failed"
