"""The W3C VC API verify routes: valid, each kind of invalid, limits, malformed input, and the fetch guard."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from credstack.vc import jwt as vcjwt
from credstack.vc import proofs
from credstack.verifier import fetching, service
from tests.platform import verifier_support as vs

VERIFY = "/credentials/verify"


@pytest.fixture
def hosted(settings: Any, monkeypatch: pytest.MonkeyPatch) -> vs.RecordingTransport:
    """The status list and evidence hosts are allowed; the injected transport answers them, nothing else."""
    settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset({vs.STATUS_HOST, vs.EVIDENCE_HOST})
    transport = vs.transport()
    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=transport, address_check=lambda host: True)
    )
    return transport


def post(body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(VERIFY, data, content_type="application/json", **extra)


def check_of(body: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in body["checks"] if c["id"] == check_id)


def test_valid_credential_is_200_with_the_report(db: Any, hosted: vs.RecordingTransport) -> None:
    response = post({"verifiableCredential": vs.credential(), "options": {"recipientEmail": vs.RECIPIENT}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verified"] is True and body["verdict"] == "valid"
    assert check_of(body, "status")["status"] == "passed"
    assert check_of(body, "recipient")["status"] == "passed"
    assert body["evidence"] == [{"id": vs.EVIDENCE_URL, "state": "matches", "message": body["evidence"][0]["message"]}]
    assert hosted.calls == [vs.STATUS_URL, vs.EVIDENCE_URL]


def test_enveloped_jwt_credential(db: Any, hosted: vs.RecordingTransport) -> None:
    unsigned = {k: v for k, v in vs.credential().items() if k != "proof"}
    token = vcjwt.sign(unsigned, vs.KEY)
    envelope = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/vc+jwt,{token}",
    }
    response = post({"verifiableCredential": envelope})
    assert response.status_code == 200, response.json()["reasons"]
    assert response.json()["format"] == "vc-jwt"


@pytest.mark.parametrize(
    ("case", "verdict", "failing"),
    [
        ("tampered", "invalid", "proof"),
        ("revoked", "revoked", "status"),
        ("no_proof", "invalid", "proof"),
        ("wrong_key", "invalid", "issuer_controller"),
        ("expired", "expired", "validity_window"),
        ("not_yet_valid", "not_yet_valid", "validity_window"),
        ("undefined_term", "invalid", "context_and_type"),
        ("wrong_recipient", "invalid", "recipient"),
    ],
)
def test_each_kind_of_invalid_is_400_problem_with_the_report(
    db: Any, hosted: vs.RecordingTransport, case: str, verdict: str, failing: str
) -> None:
    document = vs.credential()
    options: dict[str, Any] = {}
    if case == "tampered":
        document = vs.tampered(document)
    elif case == "revoked":
        hosted.resources[vs.STATUS_URL] = vs.status_list(revoked=(7,))
    elif case == "no_proof":
        document.pop("proof")
    elif case == "wrong_key":
        other = vs.KEY.generate(seed=b"\x01" * 32)
        document = proofs.add_proof({k: v for k, v in document.items() if k != "proof"}, other, created=vs.ISSUED)
    elif case in ("expired", "not_yet_valid", "undefined_term"):
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        if case == "expired":
            unsigned["validUntil"] = "2026-02-01T00:00:00Z"
        elif case == "not_yet_valid":
            unsigned["validFrom"] = "2999-01-01T00:00:00Z"
        else:
            unsigned["favouriteColour"] = "blue"
        suite = "eddsa-jcs-2022" if case == "undefined_term" else "eddsa-rdfc-2022"  # RDFC refuses undefined terms
        document = proofs.add_proof(unsigned, vs.KEY, created=vs.ISSUED, suite=suite)
    elif case == "wrong_recipient":
        options = {"recipientEmail": "someone.else@example.org"}
    response = post({"verifiableCredential": document, "options": options})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["title"] and body["detail"]
    assert body["verified"] is False and body["verdict"] == verdict
    assert check_of(body, failing)["status"] == "failed"


def test_oversized_request_is_413_before_parsing(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_MAX_BYTES = 1000
    padding = "x" * 70_000
    response = post({"verifiableCredential": {"name": padding}})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert "too large" in response.json()["title"]


def test_oversized_credential_within_the_envelope_is_a_clean_report(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_MAX_BYTES = 5000
    response = post({"verifiableCredential": "ey" + "A" * 6000 + ".e30.sig"})
    assert response.status_code == 400
    assert response.json()["verdict"] == "invalid"


def test_malformed_json_is_400_problem(db: Any) -> None:
    response = post('{"verifiableCredential": {"@context": [')
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "The request body is not valid JSON"


@pytest.mark.parametrize(
    "body",
    [
        {"hello": "world"},
        {"verifiableCredential": {"hello": "world"}},
        {"verifiableCredential": [1, 2, 3]},
        {"verifiableCredential": "not a credential"},
        {"verifiableCredential": None},
        [1, 2],
    ],
)
def test_non_credential_json_is_400_problem(db: Any, hosted: vs.RecordingTransport, body: Any) -> None:
    response = post(body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert hosted.calls == []


def test_uploaded_baked_png(db: Any, hosted: vs.RecordingTransport) -> None:
    upload = ("badge.png", vs.baked(vs.credential()), "image/png")
    response = Client().post(f"{VERIFY}/file", {"file": _file(*upload), "recipientEmail": vs.RECIPIENT})
    assert response.status_code == 200, response.content
    assert response.json()["container"] == "png"


def test_png_without_a_credential(db: Any) -> None:
    response = Client().post(f"{VERIFY}/file", {"file": _file("plain.png", vs.png(), "image/png")})
    assert response.status_code == 400
    body = response.json()
    assert body["verdict"] == "invalid" and "No credential" in check_of(body, "parse")["message"]


def test_svg_with_an_external_entity_is_refused_without_fetching(db: Any, hosted: vs.RecordingTransport) -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        b'<!ENTITY net SYSTEM "http://169.254.169.254/latest/meta-data/">]>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential>&xxe;&net;</openbadges:credential></svg>"
    )
    response = Client().post(f"{VERIFY}/file", {"file": _file("evil.svg", svg, "image/svg+xml")})
    assert response.status_code == 400
    body = response.json()
    assert body["verdict"] == "invalid" and body["container"] == "svg"
    assert "root:" not in json.dumps(body)
    assert hosted.calls == []


def test_oversized_upload_is_413(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_MAX_BYTES = 1000
    response = Client().post(f"{VERIFY}/file", {"file": _file("big.png", b"\x89PNG" + b"0" * 100_000, "image/png")})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "status_url",
    [
        "https://10.0.0.1/status/1",
        "https://127.0.0.1/status/1",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/status/1",
        "https://intranet.example.test/status/1",
        "https://not-on-the-list.example.test/status/1",
    ],
)
def test_status_list_at_a_private_or_unlisted_address_is_never_contacted(
    db: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, status_url: str
) -> None:
    # Every one of these hosts but the last is on the allowlist, so only the address guard stands between the
    # verifier and the address. The real address check is used for IP literals (no DNS lookup happens); the
    # made-up intranet name is made to "resolve" to a private address.
    settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset(
        {"10.0.0.1", "127.0.0.1", "169.254.169.254", "::1", "intranet.example.test"}
    )
    transport = vs.RecordingTransport()

    def address_check(host: str) -> bool:
        return False if host == "intranet.example.test" else fetching.AllowlistFetcher.address_check(host)

    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=transport, address_check=address_check)
    )
    response = post({"verifiableCredential": vs.credential(status_url=status_url, evidence=False)})
    assert response.status_code == 400
    body = response.json()
    assert body["verdict"] == "cannot_be_checked"
    assert check_of(body, "status")["status"] == "warning"
    assert transport.calls == []


def test_default_fetcher_refuses_private_addresses_even_when_listed(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset({"127.0.0.1"})
    transport = vs.RecordingTransport()
    fetcher = fetching.platform_fetcher(transport=transport)
    report = service.verify_credential(
        vs.credential(status_url="https://127.0.0.1/s", evidence=False), fetcher=fetcher
    ).report
    assert "loopback" in report.check("status").message
    assert transport.calls == []
    assert fetcher.attempts and not fetcher.attempts[0].ok


def test_rate_limit_per_client(db: Any, settings: Any, hosted: vs.RecordingTransport) -> None:
    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "2/minute"
    assert post({"verifiableCredential": {}}).status_code == 400
    assert post({"verifiableCredential": {}}).status_code == 400
    third = post({"verifiableCredential": {}})
    assert third.status_code == 429 and third["Retry-After"] == "60"
    assert third["Content-Type"] == "application/problem+json"
    other = post({"verifiableCredential": {}}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 400
    settings.CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT = frozenset({"127.0.0.1"})
    assert post({"verifiableCredential": {}}).status_code == 400


def test_routes_are_in_the_openapi_document_at_their_root_paths(db: Any) -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path in ("/credentials/verify", "/credentials/verify/file", "/presentations/verify"):
        assert "post" in paths[path], path
    assert "/api/catalog/microcredentials" in paths


# -- presentations ------------------------------------------------------------------------------------


def _presentation(
    credentials: list[Any], *, challenge: str | None = "c-123", domain: str | None = "verifier.test", sign: bool = True
) -> dict[str, Any]:
    vp: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": vs.KEY.did_key,
        "verifiableCredential": credentials,
    }
    if not sign:
        return vp
    holder = vs.KEY.generate(seed=b"\x02" * 32)
    vp["holder"] = holder.did_key
    return _add_bound_proof(vp, holder, challenge, domain)


def _add_bound_proof(vp: dict[str, Any], holder: Any, challenge: str | None, domain: str | None) -> dict[str, Any]:
    from credstack.vc import suites

    suite = suites.get_suite("eddsa-rdfc-2022")
    config: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": suite.name,
        "created": "2026-01-15T12:00:00Z",
        "verificationMethod": holder.verification_method,
        "proofPurpose": "authentication",
    }
    if challenge is not None:
        config["challenge"] = challenge
    if domain is not None:
        config["domain"] = domain
    hashed = proofs._hash_data(suite, vp, config)
    return {**vp, "proof": {**config, "proofValue": suite.sign(hashed, holder)}}


def post_vp(vp: Any, options: dict[str, Any]) -> Any:
    return Client().post(
        "/presentations/verify",
        json.dumps({"verifiablePresentation": vp, "options": options}),
        content_type="application/json",
    )


def test_signed_presentation_with_challenge_and_domain(db: Any, hosted: vs.RecordingTransport) -> None:
    vp = _presentation([vs.credential()])
    ok = post_vp(vp, {"challenge": "c-123", "domain": "verifier.test"})
    assert ok.status_code == 200, ok.json()
    assert ok.json()["credentials"][0]["verdict"] == "valid"
    wrong = post_vp(vp, {"challenge": "another", "domain": "verifier.test"})
    assert wrong.status_code == 400 and check_of(wrong.json(), "challenge")["status"] == "failed"
    wrong_domain = post_vp(vp, {"challenge": "c-123", "domain": "elsewhere.test"})
    assert wrong_domain.status_code == 400 and check_of(wrong_domain.json(), "domain")["status"] == "failed"


def test_presentation_with_a_tampered_credential_or_proof(db: Any, hosted: vs.RecordingTransport) -> None:
    assert post_vp(_presentation([vs.tampered(vs.credential())]), {"challenge": "c-123"}).status_code == 400
    vp = _presentation([vs.credential()])
    vp["holder"] = "did:example:someone-else"
    response = post_vp(vp, {"challenge": "c-123"})
    assert response.status_code == 400 and check_of(response.json(), "proof")["status"] == "failed"


def test_unsigned_presentation(db: Any, hosted: vs.RecordingTransport) -> None:
    vp = _presentation([vs.credential()], sign=False)
    assert post_vp(vp, {}).status_code == 200
    assert post_vp(vp, {"challenge": "c-123"}).status_code == 400
    assert post_vp({"type": "VerifiablePresentation"}, {}).status_code == 400
    assert post_vp("nope", {}).status_code == 400


def _file(name: str, data: bytes, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_enveloped_base64_and_garbage_envelopes(db: Any, hosted: vs.RecordingTransport) -> None:
    token = vcjwt.sign({k: v for k, v in vs.credential().items() if k != "proof"}, vs.KEY)
    encoded = base64.b64encode(token.encode()).decode()
    assert (
        service.unwrap_envelope(
            {"type": "EnvelopedVerifiableCredential", "id": f"data:application/vc+jwt;base64,{encoded}"}
        )
        == token
    )
    garbage = {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt;base64,***"}
    assert post({"verifiableCredential": garbage}).status_code == 400


def test_a_credential_sent_as_a_json_string_is_an_error_not_verified(db: Any, hosted: vs.RecordingTransport) -> None:
    # Data Integrity's verify algorithm: a secured document that is not a map is an error (W3C vc-di-eddsa suite)
    response = post({"verifiableCredential": json.dumps(vs.credential())})
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["verified"] is False
    assert "not a JSON object" in response.json()["title"]
    vp = json.dumps(_presentation([vs.credential()]))
    assert post_vp(vp, {"challenge": "c-123", "domain": "verifier.test"}).status_code == 400
    # a VC-JWT is a string by definition and still verifies
    token = vcjwt.sign({k: v for k, v in vs.credential().items() if k != "proof"}, vs.KEY)
    assert post({"verifiableCredential": token}).status_code == 200


def test_a_context_the_processor_cannot_handle_is_a_400_problem(
    db: Any, hosted: vs.RecordingTransport, org_a: Any
) -> None:
    from tests.platform.test_verifier_issue import UNSIGNED, _client, issue

    odd = [*vs.credential()["@context"], {"@vocab": None}]
    response = post({"verifiableCredential": {**vs.credential(), "@context": odd}})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    vp = _presentation([{**vs.credential(), "@context": odd}], sign=False)
    assert post_vp(vp, {}).status_code == 400
    vp = {
        **_presentation([vs.credential()], sign=False),
        "@context": [vs.credential()["@context"][0], {"@vocab": None}],
    }
    vp["proof"] = _presentation([vs.credential()])["proof"]
    assert post_vp(vp, {"challenge": "c-123", "domain": "verifier.test"}).status_code == 400
    issued = issue(_client(org_a), {**UNSIGNED, "@context": [*UNSIGNED["@context"], {"@vocab": None}]})
    assert issued.status_code == 400 and issued["Content-Type"] == "application/problem+json", issued.content


def test_options_checks_decide_what_verified_means(db: Any, hosted: vs.RecordingTransport) -> None:
    # the W3C VC API verifier suite's valid credential: a did:key signs for an issuer that is an https URL, and the
    # suite asks for the proof alone
    from credstack.vc.keys import Ed25519Key

    stranger = Ed25519Key.generate(seed=b"\x09" * 32)
    unsigned = {k: v for k, v in vs.credential().items() if k != "proof"}
    foreign = proofs.add_proof(
        {**unsigned, "issuer": {**unsigned["issuer"], "id": "https://vc.example/issuers/5678"}}, stranger
    )
    whole = post({"verifiableCredential": foreign})
    assert whole.status_code == 400 and check_of(whole.json(), "issuer_controller")["status"] == "failed"
    proof_only = post({"verifiableCredential": foreign, "options": {"checks": ["proof"]}})
    assert proof_only.status_code == 200, proof_only.json()["reasons"]
    assert check_of(proof_only.json(), "issuer_controller")["status"] == "failed"  # still reported
    tampered = post({"verifiableCredential": vs.tampered(foreign), "options": {"checks": ["proof"]}})
    assert tampered.status_code == 400
    assert post({"verifiableCredential": foreign, "options": {"checks": ["magic"]}}).status_code == 400
    assert post({"verifiableCredential": foreign, "options": {"checks": []}}).status_code == 400
