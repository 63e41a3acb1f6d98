"""The verifier: every check, the verdict precedence, limits, status, endorsements, recipient."""

from __future__ import annotations

import copy
import json
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.vc import jwt as vcjwt
from credstack.vc.builders import hash_email
from credstack.vc.fetch import StaticFetcher
from credstack.vc.keys import Ed25519Key
from credstack.vc.proofs import add_proof
from credstack.vc.statuslist import Bitstring, build_status_list_credential
from credstack.vc.verify import VerificationReport, VerifyOptions, decide, sniff, verify

DATA = Path(__file__).parent / "data" / "credstack"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
CREATED = datetime(2026, 1, 2, tzinfo=UTC)
KEY = Ed25519Key.generate(seed=bytes(range(32)))
OTHER = Ed25519Key.generate(seed=bytes(range(1, 33)))
LIST_URL = "https://status.academy.example/lists/1"
ISSUER_URL = "https://academy.example/issuers/1"


def unsigned(issuer: str | None = None) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads((DATA / "ob3-unsigned.json").read_text())
    credential["issuer"]["id"] = issuer or KEY.did_key
    return credential


def signed(credential: dict[str, Any] | None = None, key: Ed25519Key = KEY, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("created", CREATED)
    return add_proof(credential if credential is not None else unsigned(key.did_key), key, **kwargs)


def options(**kwargs: Any) -> VerifyOptions:
    return VerifyOptions(**{"now": NOW, **kwargs})


def check_of(report: VerificationReport, check_id: str) -> Any:
    found = report.check(check_id)
    assert found is not None, [c.id for c in report.checks]
    return found


def status_list(*, revoked: tuple[int, ...] = (), purpose: str = "revocation", sign: bool = True) -> bytes:
    bits = Bitstring()
    for index in revoked:
        bits.set(index)
    credential = build_status_list_credential(
        id=LIST_URL,
        issuer=KEY.did_key,
        purpose=purpose,
        bitstring=bits,
        valid_from=CREATED,
        sign=(lambda d: add_proof(d, KEY, created=CREATED)) if sign else None,
    )
    return json.dumps(credential).encode()


def with_status(index: int = 5, purpose: str = "revocation") -> dict[str, Any]:
    credential = unsigned()
    credential["credentialStatus"] = {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }
    return signed(credential)


# -- the happy path and the report ------------------------------------------------------------------------


def test_valid_credential_and_report_shape() -> None:
    report = verify(signed(), options=options())
    assert report.verdict == "valid", report.reasons
    ids = [c.id for c in report.checks]
    assert ids == [
        "parse",
        "context_and_type",
        "schema",
        "proof",
        "key_resolution",
        "issuer_controller",
        "validity_window",
        "status",
        "endorsements",
        "recipient",
    ]
    data = report.to_json()
    assert {"verdict", "checks", "credential", "format", "issuer", "reasons"} <= set(data)
    assert all(set(c) == {"id", "name", "status", "message"} for c in data["checks"])
    assert data["format"] == "vc" and data["container"] == "object"
    assert data["issuer"]["id"] == KEY.did_key
    assert data["credential"]["name"] == "Teamwork"
    json.dumps(data)


@pytest.mark.parametrize("form", ["bytes", "str", "dict"])
def test_input_forms(form: str) -> None:
    credential = signed()
    data: Any = {"bytes": json.dumps(credential).encode(), "str": json.dumps(credential), "dict": credential}[form]
    assert verify(data, options=options()).verdict == "valid"


def test_vc_api_request_shape() -> None:
    report = verify({"verifiableCredential": signed(), "options": {}}, options=options())
    assert report.verdict == "valid"


def test_both_data_integrity_suites() -> None:
    jcs = signed(suite="eddsa-jcs-2022")
    assert verify(jcs, options=options()).verdict == "valid"
    refused = verify(jcs, options=options(accepted_suites=("eddsa-rdfc-2022",)))
    assert refused.verdict == "invalid"
    assert "not accepted" in check_of(refused, "proof").message


def test_multiple_proofs_each_get_a_check() -> None:
    both = add_proof(signed(), KEY, suite="eddsa-jcs-2022", created=CREATED)
    report = verify(both, options=options())
    assert report.verdict == "valid"
    assert [c.id for c in report.checks if c.id.startswith("proof")] == ["proof", "proof-2"]


# -- proof and issuer ---------------------------------------------------------------------------------------


def test_tampered_credential_is_invalid() -> None:
    credential = signed()
    credential["credentialSubject"]["achievement"]["name"] = "Rocket science"
    report = verify(credential, options=options())
    assert report.verdict == "invalid"
    assert check_of(report, "proof").status == "failed"


def test_unsigned_credential_is_invalid() -> None:
    report = verify(unsigned(), options=options())
    assert report.verdict == "invalid"
    assert "no proof" in check_of(report, "proof").message


def test_did_key_issuer_must_be_the_signing_key() -> None:
    report = verify(signed(unsigned(OTHER.did_key), KEY), options=options())
    assert report.verdict == "invalid"
    assert check_of(report, "issuer_controller").status == "failed"


def test_did_key_with_non_did_issuer_is_a_warning() -> None:
    report = verify(signed(unsigned("urn:uuid:6f2e33e5-7a29-4155-840a-59483ba10164")), options=options())
    assert report.verdict == "valid"
    assert check_of(report, "issuer_controller").status == "warning"


def profile(key: Ed25519Key) -> bytes:
    return json.dumps(
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": ISSUER_URL,
            "type": "Profile",
            "name": "Example Academy",
            "verificationMethod": [
                {
                    "id": f"{ISSUER_URL}#{key.public_key_multibase}",
                    "type": "Multikey",
                    "controller": ISSUER_URL,
                    "publicKeyMultibase": key.public_key_multibase,
                }
            ],
        }
    ).encode()


def test_open_badges_issuer_url_key_convention() -> None:
    url_key = KEY.with_controller(ISSUER_URL)
    credential = signed(unsigned(ISSUER_URL), url_key)
    assert credential["proof"]["verificationMethod"] == f"{ISSUER_URL}#{KEY.public_key_multibase}"

    offline = verify(credential, options=options())
    assert offline.verdict == "cannot_be_checked"
    assert check_of(offline, "key_resolution").status == "warning"
    assert ISSUER_URL in offline.reasons[0]

    online = verify(credential, options=options(fetcher=StaticFetcher({ISSUER_URL: profile(KEY)})))
    assert online.verdict == "valid", online.reasons
    assert check_of(online, "issuer_controller").status == "passed"

    wrong = verify(credential, options=options(fetcher=StaticFetcher({ISSUER_URL: profile(OTHER)})))
    assert wrong.verdict == "invalid"
    assert check_of(wrong, "key_resolution").status == "failed"


def test_credential_naming_an_unknown_term_is_invalid() -> None:
    credential = unsigned()
    credential["favouriteColour"] = "green"
    report = verify(credential, options=options())
    assert report.verdict == "invalid"
    assert "favouriteColour" in check_of(report, "context_and_type").message


def test_schema_failure_is_invalid() -> None:
    credential = unsigned()
    del credential["credentialSubject"]["achievement"]
    report = verify(signed(credential), options=options())
    assert report.verdict == "invalid"
    assert "achievement" in check_of(report, "schema").message


# -- the clock ---------------------------------------------------------------------------------------------


def test_not_yet_valid_and_expired() -> None:
    credential = signed(created=datetime(2025, 12, 1, tzinfo=UTC))
    early = verify(credential, options=options(now=datetime(2025, 12, 31, tzinfo=UTC)))
    assert early.verdict == "not_yet_valid"
    late = verify(credential, options=options(now=datetime(2030, 1, 1, tzinfo=UTC)))
    assert late.verdict == "expired"
    assert "2030-01-01T00:00:00Z" in check_of(late, "validity_window").message


def test_vc_1_1_dates() -> None:
    credential = unsigned()
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    credential["issuanceDate"] = credential.pop("validFrom")
    credential["expirationDate"] = "2026-03-01T00:00:00Z"
    del credential["validUntil"]
    report = verify(credential, options=options())
    assert check_of(report, "validity_window").effect == "expired"
    assert "2026-03-01" in check_of(report, "validity_window").message


def test_unreadable_date_is_invalid() -> None:
    credential = unsigned()
    credential["validUntil"] = "soon"
    assert check_of(verify(credential, options=options()), "validity_window").effect == "invalid"


# -- status -----------------------------------------------------------------------------------------------------


def test_status_not_set_is_valid() -> None:
    report = verify(with_status(5), options=options(fetcher=StaticFetcher({LIST_URL: status_list(revoked=(6,))})))
    assert report.verdict == "valid", report.reasons
    assert check_of(report, "status").status == "passed"


def test_revoked() -> None:
    report = verify(with_status(5), options=options(fetcher=StaticFetcher({LIST_URL: status_list(revoked=(5,))})))
    assert report.verdict == "revoked"
    assert "revoked" in report.reasons[0]


def test_suspended() -> None:
    fetcher = StaticFetcher({LIST_URL: status_list(revoked=(5,), purpose="suspension")})
    assert verify(with_status(5, "suspension"), options=options(fetcher=fetcher)).verdict == "suspended"


def test_unreachable_status_list_is_never_valid() -> None:
    report = verify(with_status(5), options=options())
    assert report.verdict == "cannot_be_checked"
    assert "cannot be checked" in check_of(report, "status").message


def test_unsigned_status_list_is_not_believed() -> None:
    fetcher = StaticFetcher({LIST_URL: status_list(sign=False)})
    assert verify(with_status(5), options=options(fetcher=fetcher)).verdict == "cannot_be_checked"


def test_1edtech_revocation_list() -> None:
    credential = unsigned()
    credential["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    credential["credentialStatus"] = {"id": "https://status.example/1", "type": "1EdTechRevocationList"}
    report = verify(signed(credential), options=options())
    assert report.verdict == "cannot_be_checked"
    revocations = json.dumps({"revokedCredentials": [{"id": credential["id"], "revocationReason": "cheating"}]})
    revoked = verify(
        signed(credential), options=options(fetcher=StaticFetcher({"https://status.example/1": revocations.encode()}))
    )
    assert revoked.verdict == "revoked"
    assert "cheating" in revoked.reasons[0]


def test_precedence() -> None:
    fetcher = StaticFetcher({LIST_URL: status_list(revoked=(5,))})
    late = options(fetcher=fetcher, now=datetime(2031, 1, 1, tzinfo=UTC))
    assert verify(with_status(5), options=late).verdict == "revoked"  # revoked beats expired
    tampered = with_status(5)
    tampered["name"] = "Changed"
    assert verify(tampered, options=late).verdict == "invalid"  # an invalid proof beats everything
    future = with_status(5)
    future["validFrom"] = "2027-01-01T00:00:00Z"
    future = signed({k: v for k, v in future.items() if k != "proof"})
    early = verify(future, options=options())
    assert early.verdict == "not_yet_valid"  # a definite finding beats what could not be checked


def test_decide_order() -> None:
    from credstack.vc.verify import Check

    checks = [
        Check("a", "a", "failed", "gone", "expired"),
        Check("b", "b", "warning", "?", "undetermined"),
        Check("c", "c", "failed", "paused", "suspended"),
    ]
    assert decide(checks) == ("suspended", ["paused"])
    assert decide([]) == ("valid", [])


# -- endorsements -------------------------------------------------------------------------------------------


def endorsement(key: Ed25519Key = OTHER) -> dict[str, Any]:
    return signed(
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": "urn:uuid:0b6f6c2e-2c0f-4d5c-9a53-0d1a7e1e0c55",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": {"id": key.did_key, "type": ["Profile"], "name": "Guild of Teams"},
            "validFrom": "2026-01-01T00:00:00Z",
            "name": "Guild endorsement",
            "credentialSubject": {
                "id": "https://academy.example/achievements/teamwork",
                "type": ["EndorsementSubject"],
                "endorsementComment": "A sound achievement.",
            },
        },
        key,
    )


def test_embedded_endorsements_are_verified() -> None:
    credential = unsigned()
    credential["credentialSubject"]["achievement"]["endorsement"] = [endorsement()]
    report = verify(signed(credential), options=options())
    assert report.verdict == "valid", report.reasons
    assert check_of(report, "endorsements").status == "passed"
    assert [e.verdict for e in report.endorsements] == ["valid"]


def test_bad_endorsement_does_not_invalidate_the_credential() -> None:
    bad = endorsement()
    bad["credentialSubject"]["endorsementComment"] = "Changed after signing."
    jwt_endorsement = vcjwt.sign(endorsement(), OTHER)
    credential = unsigned()
    credential["endorsement"] = [bad]
    credential["endorsementJwt"] = [jwt_endorsement]
    report = verify(signed(credential), options=options())
    assert report.verdict == "valid"
    assert check_of(report, "endorsements").status == "warning"
    assert sorted(e.verdict for e in report.endorsements) == ["invalid", "valid"]


def test_endorsement_depth_is_limited() -> None:
    credential = unsigned()
    credential["credentialSubject"]["achievement"]["endorsement"] = [endorsement()]
    report = verify(signed(credential), options=options(max_endorsement_depth=0))
    assert check_of(report, "endorsements").status == "warning"
    assert report.endorsements == []


# -- recipient ---------------------------------------------------------------------------------------------


def test_recipient() -> None:
    credential = signed()
    report = verify(credential, options=options(recipient_email="ada@example.org"))
    assert check_of(report, "recipient").status == "passed"
    other = verify(credential, options=options(recipient_email="eve@example.org"))
    assert other.verdict == "invalid"
    assert "eve@example.org" in check_of(other, "recipient").message


def test_recipient_without_email_identity_cannot_be_checked() -> None:
    credential = unsigned()
    credential["credentialSubject"] = {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": credential["credentialSubject"]["achievement"],
    }
    report = verify(signed(credential), options=options(recipient_email="ada@example.org"))
    assert report.verdict == "cannot_be_checked"


def test_plain_email_identity() -> None:
    credential = unsigned()
    credential["credentialSubject"]["identifier"] = [
        {"type": "IdentityObject", "identityHash": "ada@example.org", "identityType": "emailAddress", "hashed": False}
    ]
    assert (
        check_of(verify(signed(credential), options=options(recipient_email="ada@example.org")), "recipient").status
        == "passed"
    )
    assert hash_email("ada@example.org", "pepper-42") in json.dumps(unsigned())


# -- JWT through the verifier ---------------------------------------------------------------------------------


def test_vc_jwt() -> None:
    token = vcjwt.sign(unsigned(), KEY)
    report = verify(token.encode(), options=options(recipient_email="ada@example.org"))
    assert report.verdict == "valid", report.reasons
    assert (report.format, report.container) == ("vc-jwt", "jwt")
    assert check_of(report, "proof").name == "Proof (JWT, EdDSA)"


def test_vc_jwt_contradicting_claims_are_invalid() -> None:
    header, payload, _ = vcjwt.sign(unsigned(), KEY).split(".")
    claims = json.loads(vcjwt.b64url_decode(payload))
    claims["iss"] = "did:key:z6MkSomebodyElse"
    body = f"{header}.{vcjwt.b64url_encode(json.dumps(claims).encode())}"
    token = f"{body}.{vcjwt.b64url_encode(KEY.sign(body.encode()))}"
    report = verify(token, options=options())
    assert report.verdict == "invalid"
    assert check_of(report, "proof-claims").status == "failed"


def test_vc_jwt_refused_when_not_accepted() -> None:
    report = verify(vcjwt.sign(unsigned(), KEY), options=options(accepted_suites=("eddsa-rdfc-2022",)))
    assert report.verdict == "invalid"


# -- limits and garbage -----------------------------------------------------------------------------------------


def png_with_size(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "not a credential"),
        (b"\xff\xfe\x00garbage", "neither an image"),
        (b"hello world", "not a credential"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2, 3]", "not an object"),
        (b"[" * 100 + b"]" * 100, "nested more than"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "nested more than"),
        (b" " * (2 * 1024 * 1024 + 1), "at most"),
        (png_with_size(100_000, 10), "pixels"),
        (png_with_size(10, 10), "No credential could be read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "No credential could be read"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b"<svg xmlns='http://www.w3.org/2000/svg'>&b;</svg>",
            "No credential could be read",
        ),
        (b"eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", "not JSON"),
    ],
)
def test_unusable_input_is_a_clean_failed_report(data: bytes, fragment: str) -> None:
    report = verify(data, options=options())
    assert report.verdict == "invalid"
    assert report.input_error
    assert [c.id for c in report.checks] == ["parse"]
    assert fragment in report.checks[0].message


def test_json_that_is_not_a_credential_is_invalid_not_unusable() -> None:
    report = verify(b"{}", options=options())
    assert report.verdict == "invalid"
    assert not report.input_error


def test_max_bytes_is_an_option() -> None:
    assert verify(json.dumps(signed()).encode(), options=options(max_bytes=100)).input_error


def test_sniff() -> None:
    assert sniff(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert sniff(b"\xef\xbb\xbf  <svg/>") == "svg"
    assert sniff(' {"a": 1}') == "json"
    assert sniff(vcjwt.sign(unsigned(), KEY)) == "jwt"
    assert sniff(b"plain") == "unknown"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
            max_leaves=20,
        ).map(lambda v: {"credentialSubject": v, "proof": v, "@context": v}),
    )
)
def test_never_raises(data: Any) -> None:
    report = verify(data, options=options())
    assert report.verdict in (
        "invalid",
        "cannot_be_checked",
        "valid",
        "expired",
        "not_yet_valid",
        "revoked",
        "suspended",
    )
    json.dumps(report.to_json())


def test_changing_any_value_breaks_the_proof() -> None:
    credential = signed()
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "proof":
                    walk(v, [*path, k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, [*path, i])
        elif isinstance(node, str) and path and path[0] != "@context":
            paths.append(path)

    walk(credential, [])
    assert len(paths) > 10
    for path in paths:
        changed = copy.deepcopy(credential)
        node = changed
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = node[path[-1]] + "x"
        report = verify(changed, options=options())
        assert report.verdict == "invalid", path


# -- a CLR's gathered credentials ------------------------------------------------------------------------------


def clr(*gathered: dict[str, Any]) -> dict[str, Any]:
    """A CLR 2.0 signed by KEY's did:key, gathering these (signed) credentials."""
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:3f0b2a4e-6d1c-4f7e-9a51-0c3f5d2b8e11",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Record",
        "issuer": {"id": KEY.did_key, "type": ["Profile"], "name": "Academy"},
        "validFrom": "2026-01-02T00:00:00Z",
        "credentialSubject": {"type": ["ClrSubject"], "verifiableCredential": list(gathered)},
    }
    return signed(document)


def test_a_clr_checks_each_credential_it_gathers() -> None:
    fetcher = StaticFetcher({LIST_URL: status_list(revoked=(6,))})
    good = verify(clr(signed(), with_status(5)), options=options(fetcher=fetcher))
    assert good.verdict == "valid", good.reasons
    assert check_of(good, "gathered").status == "passed" and len(good.gathered) == 2
    assert good.to_json()["gathered"][1]["verdict"] == "valid"

    # A part revoked since: the record itself stands, and says which part does not.
    lapsed = verify(clr(signed(), with_status(6)), options=options(fetcher=fetcher))
    assert lapsed.verdict == "valid"
    assert check_of(lapsed, "gathered").status == "warning" and "2: revoked" in check_of(lapsed, "gathered").message

    # A forged part: the record's issuer put false data in it.
    forged = signed()
    forged["name"] = "Something never awarded"
    bad = verify(clr(signed(), forged), options=options(fetcher=fetcher))
    assert bad.verdict == "invalid" and check_of(bad, "gathered").status == "failed"
    assert bad.gathered[1].verdict == "invalid"


def test_a_credential_that_is_not_a_clr_gathers_nothing() -> None:
    report = verify(signed(), options=options())
    assert report.check("gathered") is None and report.gathered == []


# -- proof sets and chains with several signers (Data Integrity 1.0 §2.1.2, the spec's two-signer example) ----


def _chain(first: Ed25519Key, second: Ed25519Key, issuer: Ed25519Key) -> dict[str, Any]:
    document = add_proof(unsigned(issuer.did_key), first, created=CREATED, proof_id="urn:uuid:proof-1")
    return add_proof(document, second, created=CREATED, proof_id="urn:uuid:proof-2", previous_proof="urn:uuid:proof-1")


def test_a_proof_chain_with_a_second_signer_verifies() -> None:
    report = verify(_chain(KEY, OTHER, issuer=KEY), options=options())
    assert report.verdict == "valid", report.to_text()
    assert check_of(report, "proof").status == "passed" and check_of(report, "proof-2").status == "passed"
    binding = check_of(report, "issuer_controller")
    assert binding.status == "passed" and OTHER.did_key in binding.message
    # the issuer's proof may also come second, chained to a witness's
    assert verify(_chain(OTHER, KEY, issuer=KEY), options=options()).verdict == "valid"


def test_a_chain_needs_one_valid_proof_by_the_issuer_and_every_proof_valid() -> None:
    third = Ed25519Key.generate(seed=bytes(range(2, 34)))
    nobody = verify(_chain(OTHER, third, issuer=KEY), options=options())
    assert nobody.verdict == "invalid" and check_of(nobody, "issuer_controller").status == "failed"
    chained = _chain(KEY, OTHER, issuer=KEY)
    chained["proof"][1] = {**chained["proof"][1], "previousProof": "urn:uuid:missing"}
    broken = verify(chained, options=options())
    assert broken.verdict == "invalid" and check_of(broken, "proof-2").status == "failed"
    tampered = _chain(KEY, OTHER, issuer=KEY)
    tampered["proof"][1] = {**tampered["proof"][1], "created": "2026-01-03T00:00:00Z"}
    assert verify(tampered, options=options()).verdict == "invalid"
