"""The /verify page without JavaScript: multipart POSTs, readable errors, the recipient check, the guard."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credstack.verifier import fetching, service
from credstack.verifier.fetching import InProcessFetcher
from tests.platform import verifier_support as vs


@pytest.fixture
def hosted(settings: Any, monkeypatch: pytest.MonkeyPatch) -> vs.RecordingTransport:
    settings.CREDSTACK_VERIFIER_ALLOWED_HOSTS = frozenset({vs.STATUS_HOST, vs.EVIDENCE_HOST})
    transport = vs.transport()
    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=transport, address_check=lambda host: True)
    )
    return transport


def upload(data: bytes, name: str = "badge.png", **fields: str) -> Any:
    return Client().post("/verify", {"file": SimpleUploadedFile(name, data), **fields})


def test_empty_page_is_a_form(db: Any) -> None:
    response = Client().get("/verify")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for label in ("Badge image or credential file", "Or paste the credential", "Or a link to the credential"):
        assert label in html


def test_valid_baked_png_shows_verdict_checks_and_credential(db: Any, hosted: vs.RecordingTransport) -> None:
    response = upload(vs.baked(vs.credential()))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="status"' in html and "verdict-ok" in html
    assert "genuine and current" in html
    assert "Revocation and suspension" in html and "Checked" in html and "UTC" in html
    assert '<strong>Claim quality</strong>: <span class="achieved-level">Exemplary' in html
    assert "Annotated lab report" in html and "is exactly the evidence that was assessed" in html
    assert vs.EVIDENCE_URL in html
    assert "1.5 earned of 1.5 available" in html
    assert "neither knows nor vouches" in html
    assert 'name="carried"' in html


def test_recipient_check_round_trip(db: Any, hosted: vs.RecordingTransport) -> None:
    first = upload(vs.baked(vs.credential()))
    carried = first.context["carried"]
    right = Client().post("/verify", {"carried": carried, "email": vs.RECIPIENT})
    assert "was awarded to teacher@example.org" in right.content.decode()
    wrong = Client().post("/verify", {"carried": carried, "email": "other@example.org"})
    assert wrong.context["result"].verdict == "invalid"
    assert "was not awarded to other@example.org" in wrong.content.decode()


def test_pasted_json_revoked_and_evidence_changed(db: Any, hosted: vs.RecordingTransport) -> None:
    hosted.resources[vs.STATUS_URL] = vs.status_list(revoked=(7,))
    hosted.resources[vs.EVIDENCE_URL] = b"a different file"
    response = Client().post("/verify", {"text": json.dumps(vs.credential())})
    html = response.content.decode()
    assert response.context["result"].verdict == "revoked"
    assert "Revoked by the issuer" in html
    assert "no longer matches the digest" in html
    assert vs.EVIDENCE_URL in html


def test_pasted_jwt(db: Any, hosted: vs.RecordingTransport) -> None:
    from credstack.vc import jwt as vcjwt

    token = vcjwt.sign(vs.credential(), vs.KEY)
    response = Client().post("/verify", {"text": token})
    assert response.context["result"].verdict == "valid"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "file", "Choose a badge image"),
        ({"text": "{}", "url": "https://x.example.test/c"}, "text", "one credential at a time"),
        ({"text": "{}", "email": "not-an-email"}, "email", "Enter the email address"),
        ({"url": "ftp://files.example.test/c.json"}, "url", "http(s) URL"),
        ({"url": "https://not-allowed.example.test/c.json"}, "url", "does not open links to not-allowed.example.test"),
        ({"carried": "***"}, "__all__", "could not be read back"),
    ],
)
def test_bad_input_is_a_readable_error_beside_the_field(
    db: Any, hosted: vs.RecordingTransport, fields: dict[str, str], field: str, message: str
) -> None:
    response = Client().post("/verify", fields)
    assert response.status_code == 400
    assert message in response.context["errors"][field]
    assert message in response.content.decode()
    assert hosted.calls == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01 not anything",
        vs.png(),
        b"<svg><!ENTITY x SYSTEM 'file:///'></svg>",
        b'{"hello": "world"}',
        b"[1,2",
        "é".encode("latin-1"),
    ],
)
def test_unusable_files_are_clean_reports(db: Any, hosted: vs.RecordingTransport, data: bytes) -> None:
    response = upload(data, name="thing.bin")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["result"].verdict == "invalid"
        assert "Do not rely on this credential" in response.content.decode()


def test_oversized_post_is_413_page(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_MAX_BYTES = 1000
    response = upload(b"x" * 80_000)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_oversized_file_within_the_envelope(db: Any, settings: Any) -> None:
    settings.CREDSTACK_VERIFIER_MAX_BYTES = 1000
    response = upload(b"x" * 5000)
    assert response.status_code == 400 and "files up to" in response.context["errors"]["file"]


def test_rate_limited_page(db: Any, settings: Any, hosted: vs.RecordingTransport) -> None:
    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "1/hour"
    Client().post("/verify", {"text": "{}"})
    response = Client().post("/verify", {"text": "{}"})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "Too many verifications" in response.content.decode()


def test_credential_link_on_an_allowed_host(db: Any, settings: Any, hosted: vs.RecordingTransport) -> None:
    hosted.resources["https://evidence.example.test/credentials/1"] = json.dumps(vs.credential()).encode()
    response = Client().get("/verify", {"url": "https://evidence.example.test/credentials/1"})
    assert response.context["result"].verdict == "valid"
    assert response.context["carried_url"] == "https://evidence.example.test/credentials/1"


def test_in_process_fetcher_reads_own_public_pages_only(db: Any, org_a: Any, settings: Any) -> None:
    fetcher = InProcessFetcher(settings.CREDSTACK_BASE_URL, 1_000_000)
    profile = json.loads(fetcher.fetch(org_a.profile_url).body)
    assert profile["name"] == "Org A"
    from credstack.vc.did import did_web_to_url

    did_document = json.loads(fetcher.fetch(did_web_to_url(org_a.issuer_id)).body)
    assert did_document["id"] == org_a.issuer_id
    from credstack.vc.errors import FetchError

    for path in ("/verify", "/credentials/verify", "/admin/", "/manage/org-a/", "/no/such/page"):
        with pytest.raises(FetchError):
            fetcher.fetch(settings.CREDSTACK_BASE_URL + path)
    assert not fetcher.handles("https://elsewhere.example.test/issuers/org-a/profile.json")


def test_known_issuer_is_named(db: Any, org_a: Any, hosted: vs.RecordingTransport) -> None:
    from credstack.vc import proofs

    document = {k: v for k, v in vs.credential(evidence=False).items() if k != "proof"}
    document["issuer"] = {"id": org_a.issuer_id, "type": ["Profile"], "name": "Org A"}
    signed = proofs.add_proof(document, vs.KEY, created=vs.ISSUED)
    html = Client().post("/verify", {"text": json.dumps(signed)}).content.decode()
    assert "Known to this platform as" in html and "Org A" in html


def test_carried_input_is_base64_of_the_original(db: Any, hosted: vs.RecordingTransport) -> None:
    data = vs.baked(vs.credential())
    assert base64.b64decode(upload(data).context["carried"]) == data
