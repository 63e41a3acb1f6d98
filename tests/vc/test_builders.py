"""Builders: exact output, checks on construction, and a property: everything built is schema-valid."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import base58
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.vc.credential_strategies import MOMENTS, ob3_credentials, profiles

from credstack.vc.builders import (
    CLR_V2_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    Achievement,
    AchievementSubject,
    Alignment,
    Association,
    ClrCredential,
    ClrSubject,
    CredentialSchema,
    Criteria,
    EndorsementCredential,
    EndorsementSubject,
    Evidence,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    Related,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    StatusEntry,
    digest_matches,
    digest_multibase,
    format_datetime,
    hash_email,
    identity_matches,
)
from credstack.vc.schema import validate

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ISSUER = Profile(
    id="https://credstack.example/orgs/acme",
    name="Acme Academy",
    url="https://acme.example",
)
RUBRIC = "https://credstack.example/rubrics/7"


def achievement(**overrides: Any) -> Achievement:
    fields: dict[str, Any] = {
        "id": "https://credstack.example/achievements/python-basics/v3",
        "name": "Python basics",
        "description": "Writes and tests small Python programs.",
        "criteria": Criteria(narrative="Pass the assessed project."),
    }
    fields.update(overrides)
    return Achievement(**fields)


def credential(**overrides: Any) -> OpenBadgeCredential:
    fields: dict[str, Any] = {
        "id": "https://credstack.example/credentials/1",
        "issuer": ISSUER,
        "valid_from": T0,
        "credential_subject": AchievementSubject(
            achievement=achievement(),
            identifier=(IdentityObject.for_email("ada@example.org", "s1"),),
        ),
    }
    fields.update(overrides)
    return OpenBadgeCredential(**fields)


# --- exact output -------------------------------------------------------------------------------------


def test_platform_credential_shape() -> None:
    level = RubricCriterionLevel(
        id=f"{RUBRIC}/c1/l3",
        name="Proficient",
        description="Solid.",
        level="3",
        points="3",
    )
    criterion = ResultDescription(
        id=f"{RUBRIC}/c1",
        name="Correctness",
        rubric_criterion_level=(level,),
        required_level=f"{RUBRIC}/c1/l2",
    )
    ach = achievement(
        result_description=(criterion,),
        alignment=(Alignment("Programming", "https://framework.example/prog", target_type="CFItem"),),
        credits_available=2.5,
        tags=("python", "testing"),
        version="3",
        image=Image("https://credstack.example/img/badge.png"),
        related=(Related("https://credstack.example/achievements/python-basics/v2", version="2"),),
        creator=ISSUER,
    )
    subject = AchievementSubject(
        achievement=ach,
        id="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        identifier=(IdentityObject.for_email("ada@example.org", "pepper"),),
        result=(Result(f"{RUBRIC}/c1", achieved_level=f"{RUBRIC}/c1/l3", status="Completed"),),
        credits_earned=2.5,
    )
    evidence = Evidence.for_file(
        b"%PDF-1.7 project report",
        id="https://credstack.example/evidence/99",
        name="Project report",
        description="The assessed report.",
        genre="Report",
    )
    doc = credential(
        credential_subject=subject,
        valid_until=T0 + timedelta(days=365),
        awarded_date=T0,
        name="Python basics",
        evidence=(evidence,),
        credential_status=(StatusEntry("revocation", 41, "https://credstack.example/status/acme/r/1"),),
    ).to_json()
    assert validate(doc) == []
    assert doc["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT, OB_EXTENSIONS_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["validFrom"] == "2026-03-01T09:30:00Z"
    assert doc["validUntil"] == "2027-03-01T09:30:00Z"
    assert doc["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    assert doc["credentialStatus"] == {
        "id": "https://credstack.example/status/acme/r/1#41",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "41",
        "statusListCredential": "https://credstack.example/status/acme/r/1",
    }
    built = doc["credentialSubject"]["achievement"]
    assert built["achievementType"] == "MicroCredential"
    assert built["tag"] == ["python", "testing"]
    assert built["resultDescription"][0]["rubricCriterionLevel"][0]["points"] == "3"
    assert doc["credentialSubject"]["identifier"][0] == {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": hash_email("ada@example.org", "pepper"),
        "identityType": "emailAddress",
        "salt": "pepper",
    }
    assert doc["evidence"][0]["digestMultibase"] == digest_multibase(b"%PDF-1.7 project report")
    assert doc["evidence"][0]["type"] == ["Evidence"]
    assert json.loads(json.dumps(doc)) == doc


def test_contexts_without_credential_schema_and_for_clr() -> None:
    doc = credential(credential_schema=()).to_json()
    assert doc["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert validate(doc) == []
    clr = ClrCredential(
        id="https://credstack.example/clr/1",
        issuer=ISSUER,
        valid_from=T0,
        name="Record",
        credential_subject=ClrSubject(
            verifiable_credential=(credential(),),
            achievement=(achievement(),),
            association=(Association("isPartOf", achievement().id, "https://credstack.example/programs/1"),),
        ),
    ).to_json()
    assert clr["@context"] == [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT]
    assert clr["credentialSubject"]["verifiableCredential"][0]["type"][1] == "OpenBadgeCredential"
    assert validate(clr) == []


def test_endorsement_and_embedded_signed_endorsement() -> None:
    endorsement = EndorsementCredential(
        id="urn:uuid:2f5a0a00-0000-4000-8000-000000000002",
        issuer=Profile(id="https://guild.example", name="Guild"),
        valid_from=T0,
        name="Guild endorses Python basics",
        credential_subject=EndorsementSubject(achievement().id, "Good assessment."),
    ).to_json()
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert validate(endorsement) == []
    signed = {
        **endorsement,
        "proof": {"type": "DataIntegrityProof", "proofValue": "z..."},
    }
    doc = credential(endorsement=(signed,)).to_json()
    assert doc["endorsement"][0]["proof"]["type"] == "DataIntegrityProof"
    assert validate(doc) == []


def test_profile_document() -> None:
    doc = Profile(
        id="https://credstack.example/orgs/acme",
        name="Acme",
        email="hello@acme.example",
        description="We teach.",
        image=Image("https://acme.example/logo.png", caption="Logo"),
        parent_org=Profile(id="https://group.example", name="Group"),
    ).to_document()
    assert doc["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert doc["parentOrg"]["type"] == ["Profile"]
    assert validate(doc) == []


# --- datetimes ----------------------------------------------------------------------------------------


def test_datetimes_are_utc_with_z() -> None:
    assert format_datetime(datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))) == "2025-12-31T23:00:00Z"
    assert format_datetime(datetime(2026, 1, 1, 0, 0, 0, 120000, tzinfo=UTC)) == "2026-01-01T00:00:00.12Z"
    with pytest.raises(ValueError, match="time zone"):
        format_datetime(datetime(2026, 1, 1))


@pytest.mark.parametrize("field", ["valid_from", "valid_until", "awarded_date"])
def test_naive_datetimes_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match="time zone"):
        credential(**{field: datetime(2026, 5, 1)})


def test_naive_activity_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        AchievementSubject(
            achievement=achievement(),
            id="did:example:1",
            activity_start_date=datetime(2026, 1, 1),
        )


def test_valid_until_must_follow_valid_from() -> None:
    with pytest.raises(ValueError, match="validUntil"):
        credential(valid_until=T0)


# --- checks on construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: achievement(achievement_type="Nanodegree"),
        lambda: achievement(id="not an iri"),
        lambda: achievement(in_language="English"),
        lambda: achievement(credits_available=float("nan")),
        lambda: Criteria(),
        lambda: ResultDescription(id=f"{RUBRIC}/1", name="x", result_type="Stars"),
        lambda: Alignment("x", "https://a.example", target_type="Skill"),
        lambda: Result(f"{RUBRIC}/1", status="Passed"),
        lambda: AchievementSubject(achievement=achievement()),
        lambda: StatusEntry("expiry", 1, "https://s.example/1"),
        lambda: StatusEntry("revocation", -1, "https://s.example/1"),
        lambda: Association("isCousinOf", "https://a.example", "https://b.example"),
        lambda: ClrSubject(verifiable_credential=()),
        lambda: CredentialSchema(type="UnknownValidator"),
        lambda: Evidence(name="\ud800"),
        lambda: Evidence(digest_multibase="sha256-abc"),
    ],
)
def test_values_the_schemas_restrict_are_checked(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


def test_extension_values_are_allowed() -> None:
    assert achievement(achievement_type="ext:Nanodegree").to_json()["achievementType"] == "ext:Nanodegree"
    assert (
        validate(
            credential(
                credential_subject=AchievementSubject(
                    achievement=achievement(achievement_type="ext:Nanodegree"),
                    id="did:example:1",
                )
            ).to_json()
        )
        == []
    )


def test_one_credential_status_unless_asked() -> None:
    entries = (
        StatusEntry("revocation", 3, "https://credstack.example/status/r/1"),
        StatusEntry("suspension", 3, "https://credstack.example/status/s/1"),
    )
    doc = credential(credential_status=entries)
    with pytest.raises(ValueError, match="one credentialStatus"):
        doc.to_json()
    as_list = doc.to_json(allow_status_array=True)
    assert [entry["statusPurpose"] for entry in as_list["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    # the bundled OB 3.0 schema allows a single CredentialStatus object only; our check accepts a VC 2.0 list
    # whose every entry is a valid CredentialStatus (docs/architecture.md, "Status: two entries, an array")
    assert validate(as_list) == []
    assert [problem.path for problem in validate(as_list, strict_status=True)] == ["credentialStatus"]


# --- email identity and digests ---------------------------------------------------------------------


def test_hash_email_is_salted_sha256_hex() -> None:
    expected = hashlib.sha256(b"ada@example.org" + b"pepper").hexdigest()
    assert hash_email("ada@example.org", "pepper") == "sha256$" + expected
    assert hash_email("alice@example.com", "salt") == (
        "sha256$927c56139b5aa6cbad733ea92d6482df07dbe6ddf8942ad7359b0a9e1c325579"
    )
    assert hash_email("é@example.org") == "sha256$" + hashlib.sha256("é@example.org".encode()).hexdigest()


def test_identity_matches() -> None:
    identity = IdentityObject.for_email("ada@example.org")
    assert len(identity.salt or "") == 32
    assert identity.matches("ada@example.org")
    assert identity.matches("  Ada@Example.org ")
    assert not identity.matches("bob@example.org")
    obj = identity.to_json()
    assert identity_matches(obj, "ada@example.org")
    assert not identity_matches({**obj, "identityType": "name"}, "ada@example.org")
    md5 = {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress", "salt": "s",
           "identityHash": "md5$" + hashlib.md5(b"ada@example.orgs").hexdigest().upper()}  # fmt: skip
    assert identity_matches(md5, "ada@example.org")
    plain = {
        "type": "IdentityObject",
        "hashed": False,
        "identityType": "emailAddress",
        "identityHash": "ada@example.org",
    }
    assert identity_matches(plain, "ada@example.org")
    assert not identity_matches({"identityHash": "sha1$00"}, "ada@example.org")


def test_digest_multibase() -> None:
    multihash = bytes([0x12, 0x20]) + hashlib.sha256(b"hello").digest()
    expected = "u" + base64.urlsafe_b64encode(multihash).decode().rstrip("=")
    assert digest_multibase(b"hello") == expected == "uEiAs8k26X7CjDiboOyrFueKeGxYeXB-nQl5zBDNik4uYJA"
    assert digest_matches(expected, b"hello")
    assert not digest_matches(expected, b"hello!")
    assert digest_matches("z" + base58.b58encode(multihash).decode(), b"hello")
    assert digest_matches(digest_multibase(b"x", "sha512"), b"x")
    sha384 = digest_multibase(b"x", "sha384")
    assert base64.urlsafe_b64decode(sha384[1:] + "==")[:2] == bytes([0x20, 0x30])
    assert digest_matches(sha384, b"x")
    for broken in ("", "u", "uEiA", "m" + expected[1:], expected[:-2], "u!!!!"):
        assert not digest_matches(broken, b"hello")


# --- property: builders only produce schema-valid documents --------------------------------------------

# the generators the differential tests of the fast path draw from (tests/vc/credential_strategies.py)
credentials = ob3_credentials


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(credentials())
def test_built_credentials_are_schema_valid(built: OpenBadgeCredential) -> None:
    doc = built.to_json()
    assert validate(doc) == []
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    for item in doc["credentialSubject"].get("identifier", []):
        assert item["identityHash"].startswith("sha256$")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(
    st.lists(credentials(), min_size=1, max_size=2),
    profiles,
    MOMENTS,
    st.none() | st.booleans(),
)
def test_built_clr_credentials_are_schema_valid(
    gathered: list[OpenBadgeCredential],
    issuer: Profile,
    valid_from: datetime,
    partial: bool | None,
) -> None:
    achieved = tuple(item.credential_subject.achievement for item in gathered)
    associations = tuple(Association("isRelatedTo", a.id, b.id) for a, b in itertools.pairwise(achieved))
    clr = ClrCredential(
        id="https://credstack.example/clr/1",
        issuer=issuer,
        valid_from=valid_from,
        name="Learner record",
        partial=partial,
        credential_subject=ClrSubject(
            verifiable_credential=tuple(gathered),
            achievement=achieved,
            association=associations,
        ),
    )
    assert validate(clr.to_json()) == []


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(credentials())
def test_built_credentials_use_only_defined_terms(built: OpenBadgeCredential) -> None:
    jsonld = pytest.importorskip("credstack.vc.jsonld")
    jsonld.expand_safe(built.to_json())
