"""Open Badges 2.0: hosted and signed assertions against the 1EdTech validator's OB 2.0 test resources.

The 1EdTech validator's OB20Tests serve ``ob20/assets/`` for ``https://www.example.org/``,
``https://example.org/`` and ``http://example.org/``; the same is done here with a StaticFetcher. For a
hosted assertion the issuer's copy at its ``id`` is authoritative, so each test also serves the file under
test at its own id (as its issuer would). Nothing here opens a connection.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credstack.vc import jwt as vcjwt
from credstack.vc import ob2
from credstack.vc.fetch import NoNetwork, StaticFetcher
from credstack.vc.verify import VerifyOptions, verify

OB20 = Path(__file__).parent / "data" / "foreign" / "1edtech-validator" / "ob20"
LOCAL_DOMAINS = ("https://www.example.org/", "https://example.org/", "http://example.org/")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def assets() -> dict[str, bytes]:
    served = {}
    for path in (OB20 / "assets").iterdir():
        for domain in LOCAL_DOMAINS:
            served[domain + path.name] = path.read_bytes()
    return served


def fetcher_for(document: bytes | None = None, **extra: bytes) -> StaticFetcher:
    served = assets()
    if document is not None:
        served[json.loads(document)["id"]] = document
    served.update(extra)
    return StaticFetcher(served)


def run(name: str, *, hosted: bool = True, email: str | None = None) -> ob2.Ob2Result:
    raw = (OB20 / name).read_bytes()
    if name.endswith(".jwt"):
        decoded = vcjwt.decode(raw.decode())
        return ob2.verify_assertion(decoded.payload, fetcher=fetcher_for(), now=NOW, jws=decoded, recipient_email=email)
    return ob2.verify_assertion(
        json.loads(raw), fetcher=fetcher_for(raw if hosted else None), now=NOW, recipient_email=email
    )


def effects(result: ob2.Ob2Result) -> set[str]:
    return {f.effect for f in result.findings} - {"none"}


def finding(result: ob2.Ob2Result, check_id: str) -> ob2.Finding:
    return next(f for f in result.findings if f.id == check_id)


# -- verdicts the 1EdTech validator's OB20Tests expect -------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "basic-assertion.json",
        "basic-assertion-no-public-key.json",
        "assertion-with-data-image.json",
        "assertion-with-endorsements.json",
        "warning-issuer-non-http.json",
        "simple.jwt",
        "simple-not-revoked.jwt",
    ],
)
def test_valid_assertions(name: str) -> None:
    result = run(name)
    assert effects(result) == set(), [f for f in result.findings if f.effect != "none"]


def test_hosted_assertion_is_the_issuers_copy() -> None:
    result = run("basic-assertion.json")
    assert result.kind == "ob2-hosted"
    assert "hosts this very assertion" in finding(result, "proof").message
    assert result.badge is not None and result.badge["name"] == "Awesome Robotics Badge"
    assert result.issuer is not None and result.issuer["id"] == "https://example.org/organization.json"


def test_issuer_with_non_http_id_is_a_warning() -> None:
    check = finding(run("warning-issuer-non-http.json"), "issuer_controller")
    assert check.status == "warning"
    assert "no web origin" in check.message


def test_signed_assertion() -> None:
    result = run("simple.jwt")
    assert result.kind == "ob2-signed"
    assert finding(result, "proof").status == "passed"
    assert (
        finding(result, "key_resolution").message == "Fetched the issuer's RSA key from http://example.org/key1.json."
    )
    assert finding(result, "issuer_controller").status == "passed"


def test_revoked_signed_assertion() -> None:
    result = run("simple-revoked.jwt")
    assert effects(result) == {"revoked"}
    assert "A good reason, for sure" in finding(result, "status").message


@pytest.mark.parametrize(
    ("name", "effect", "check_id"),
    [
        ("basic-assertion-expired.json", "expired", "validity_window"),
        ("basic-assertion-expired-before-issued.json", "invalid", "validity_window"),
        ("basic-assertion-in-future.json", "not_yet_valid", "validity_window"),
        ("basic-assertion-invalid-context.json", "invalid", "context_and_type"),
        ("basic-assertion-invalid-type.json", "invalid", "context_and_type"),
    ],
)
def test_invalid_assertions(name: str, effect: str, check_id: str) -> None:
    result = run(name)
    assert effect in effects(result)
    assert finding(result, check_id).effect == effect


def test_extension_that_cannot_be_loaded_is_not_valid() -> None:
    # 1EdTech: invalid (the extension's JSON schema rejects it); offline its context cannot be loaded
    result = run("assertion-with-extension-node-invalid.json")
    assert "undetermined" in effects(result)
    assert "exampleExtension" in finding(result, "context_and_type").message


# -- the hosted verification rules -------------------------------------------------------------------------


def test_hosted_assertion_offline_cannot_be_checked() -> None:
    raw = (OB20 / "basic-assertion.json").read_bytes()
    result = ob2.verify_assertion(json.loads(raw), fetcher=NoNetwork(), now=NOW)
    assert effects(result) == {"undetermined"}
    assert "could not be fetched" in finding(result, "proof").message


def test_hosted_copy_is_authoritative() -> None:
    given = json.loads((OB20 / "basic-assertion.json").read_bytes())
    hosted = dict(given, expires="2020-01-01T00:00:00Z")
    result = ob2.verify_assertion(given, fetcher=fetcher_for(json.dumps(hosted).encode()), now=NOW)
    assert effects(result) == {"expired"}
    assert "expires" in finding(result, "proof").message


def test_hosted_copy_marked_revoked() -> None:
    given = json.loads((OB20 / "basic-assertion.json").read_bytes())
    hosted = dict(given, revoked=True, revocationReason="Issued by mistake")
    result = ob2.verify_assertion(given, fetcher=fetcher_for(json.dumps(hosted).encode()), now=NOW)
    assert effects(result) == {"revoked"}
    assert "Issued by mistake" in finding(result, "status").message


@pytest.mark.parametrize(
    ("badge", "expected"),
    [
        ("badgeclass-with-verification.json", set()),
        ("badgeclass-with-verification-valid-starts-with.json", set()),
        ("badgeclass-with-verification-valid-multiple-starts-with.json", set()),
        ("badgeclass-with-verification-invalid-starts-with.json", {"invalid"}),
        ("badgeclass-with-verification-invalid-multiple-starts-with.json", {"invalid"}),
    ],
)
def test_verification_policy_of_the_issuer(badge: str, expected: set[str]) -> None:
    # the 1EdTech basic-assertion-with-allowed-origins*.json tests: basic-assertion with another badge class
    assertion = json.loads((OB20 / "basic-assertion.json").read_bytes())
    assertion["badge"] = "http://example.org/" + badge
    raw = json.dumps(assertion).encode()
    result = ob2.verify_assertion(assertion, fetcher=fetcher_for(raw), now=NOW)
    assert effects(result) == expected, finding(result, "issuer_controller").message


def test_assertion_hosted_on_another_origin() -> None:
    assertion = json.loads((OB20 / "basic-assertion.json").read_bytes())
    assertion["id"] = "https://evil.example/beths-robotics-badge.json"
    result = ob2.verify_assertion(assertion, fetcher=fetcher_for(json.dumps(assertion).encode()), now=NOW)
    assert effects(result) == {"invalid"}
    assert "evil.example" in finding(result, "issuer_controller").message


def test_signed_assertion_given_as_plain_json_is_invalid() -> None:
    payload = vcjwt.decode((OB20 / "simple.jwt").read_text()).payload
    result = ob2.verify_assertion(payload, fetcher=fetcher_for(), now=NOW)
    assert "invalid" in effects(result)


# -- signed assertions -------------------------------------------------------------------------------------


def test_tampered_signed_assertion() -> None:
    header, payload, signature = (OB20 / "simple.jwt").read_text().strip().split(".")
    claims: dict[str, Any] = json.loads(vcjwt.b64url_decode(payload))
    claims["issuedOn"] = "2017-01-01T00:00:00Z"
    decoded = vcjwt.decode(f"{header}.{vcjwt.b64url_encode(json.dumps(claims).encode())}.{signature}")
    result = ob2.verify_assertion(decoded.payload, fetcher=fetcher_for(), now=NOW, jws=decoded)
    assert finding(result, "proof").effect == "invalid"


def test_signed_assertion_with_key_of_another_owner() -> None:
    decoded = vcjwt.decode((OB20 / "simple.jwt").read_text())
    key = json.loads((OB20 / "assets" / "key1.json").read_bytes())
    key["owner"] = "https://example.org/someone-else.json"
    fetcher = fetcher_for(**{"http://example.org/key1.json": json.dumps(key).encode()})
    result = ob2.verify_assertion(decoded.payload, fetcher=fetcher, now=NOW, jws=decoded)
    assert finding(result, "issuer_controller").effect == "invalid"


def test_signed_assertion_offline_cannot_be_checked() -> None:
    decoded = vcjwt.decode((OB20 / "simple.jwt").read_text())
    result = ob2.verify_assertion(decoded.payload, fetcher=NoNetwork(), now=NOW, jws=decoded)
    assert effects(result) == {"undetermined"}
    assert "http://example.org/key1.json" in finding(result, "key_resolution").message


def test_revocation_list_unreachable_cannot_be_checked() -> None:
    decoded = vcjwt.decode((OB20 / "simple-revoked.jwt").read_text())
    served = {k: v for k, v in assets().items() if not k.endswith("/revocation-list.json")}
    result = ob2.verify_assertion(decoded.payload, fetcher=StaticFetcher(served), now=NOW, jws=decoded)
    assert effects(result) == {"undetermined"}
    assert "revocation list could not be fetched" in finding(result, "status").message


# -- recipient -----------------------------------------------------------------------------------------------


def test_recipient_email_matches_the_salted_hash() -> None:
    assert finding(run("basic-assertion.json", email="nobody@example.org"), "recipient").status == "passed"
    assert finding(run("basic-assertion.json", email="Nobody@Example.org "), "recipient").status == "passed"
    mismatch = finding(run("basic-assertion.json", email="somebody@example.org"), "recipient")
    assert (mismatch.status, mismatch.effect) == ("failed", "invalid")


def test_recipient_matches_plain_and_md5() -> None:
    assert ob2.recipient_matches({"identity": "a@example.org", "hashed": False}, "a@example.org")
    digest = hashlib.md5(b"a@example.orgs").hexdigest()
    assert ob2.recipient_matches({"identity": f"md5${digest}", "hashed": True, "salt": "s"}, "a@example.org")
    assert not ob2.recipient_matches({"identity": f"md5${digest}", "hashed": True, "salt": "s"}, "b@example.org")
    assert not ob2.recipient_matches({"identity": "sha1$abc", "hashed": True}, "a@example.org")


# -- through the verifier ------------------------------------------------------------------------------------


def test_baked_ob20_png_through_verify() -> None:
    raw = (OB20 / "basic-assertion.json").read_bytes()
    report = verify(
        (OB20 / "simple-badge.png").read_bytes(),
        options=VerifyOptions(fetcher=fetcher_for(raw), now=NOW, recipient_email="nobody@example.org"),
    )
    assert report.verdict == "valid", report.reasons
    assert (report.format, report.container) == ("ob2-hosted", "png")
    assert report.issuer is not None and report.issuer["name"] == "An Example Badge Issuer"


def test_ob20_jws_through_verify() -> None:
    report = verify((OB20 / "simple-revoked.jwt").read_bytes(), options=VerifyOptions(fetcher=fetcher_for(), now=NOW))
    assert report.verdict == "revoked"
    assert report.format == "ob2-signed"
    assert report.to_json()["checks"][0]["id"] == "parse"
