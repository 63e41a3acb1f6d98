"""Issuance: the signed credential, its status entries, revocation and suspension, idempotency."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.awards import actions
from credstack.awards.local import LocalFetcher
from credstack.awards.models import Credential, StatusList
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.signing.actions import do_ensure_signing_key, do_revoke_signing_key, do_rotate_signing_key
from credstack.vc import schema
from credstack.vc.fetch import NoNetwork
from credstack.vc.verify import VerifyOptions, verify
from tests.platform.conftest import admin_of, profile_form

DID = "did:web:127.0.0.1%3A8000:issuers:org-a"


def award(org: Organization, email: str = "learner@example.org", **extra: Any) -> Credential:
    data = {"email": email, "achievement": "cer-lab", **extra}
    return actions.do_award_credential(organization=org, data=data, actor=admin_of(org))


def check(credential: dict[str, Any], **options: Any) -> Any:
    return verify(credential, options=VerifyOptions(fetcher=LocalFetcher(fallback=NoNetwork()), **options))


@pytest.fixture
def issued(published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any) -> Credential:
    with django_capture_on_commit_callbacks(execute=True):
        return award(
            published.organization,
            name="Lee Learner",
            evidence_url="https://example.org/portfolio",
            evidence_narrative="Lesson plan and student work",
        )


@pytest.fixture
def issued_with_suspension(published: MicroCredentialVersion) -> Credential:
    """An organization that chose to publish suspension: two status entries, the VC 2.0 list form."""
    published.organization.publish_suspension = True
    published.organization.save(update_fields=["publish_suspension"])
    return award(published.organization)


def test_issued_credential_verifies_and_is_schema_valid(issued: Credential) -> None:
    doc = issued.document
    assert doc["id"] == issued.credential_id and doc["issuer"]["id"] == DID
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert doc["proof"]["verificationMethod"] == f"{DID}#{issued.signing_key.public_key_multibase}"
    # strict Open Badges 3.0 by default: one revocation entry, the single object the schema requires
    assert doc["credentialStatus"]["statusPurpose"] == "revocation"
    assert doc["credentialSchema"][0]["id"].endswith("ob_v3p0_achievementcredential_schema.json")
    subject = doc["credentialSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    # named by default: the name the issuer typed (no account uses the address), in the OB 3.0 identity object
    named = {"identityType": "name", "identityHash": "Lee Learner", "hashed": False, "type": "IdentityObject"}
    assert named in subject["identifier"]
    assert subject["achievement"]["resultDescription"] and subject["achievement"]["id"].endswith("achievement.json")
    assert doc["evidence"][0]["id"] == "https://example.org/portfolio"
    assert schema.validate(doc, strict_status=True) == []
    report = check(doc, recipient_email="learner@example.org")
    assert report.verdict == "valid", report.to_text()
    assert report.check("status").status == "passed"
    assert report.check("recipient").status == "passed"


def test_mail_with_claim_link(issued: Credential) -> None:
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["learner@example.org"]
    assert f"/credentials/{issued.public_id}/claim/" in mail.outbox[0].body


def test_revocation_shows_at_once_and_is_permanent(issued: Credential) -> None:
    admin = admin_of(issued.organization)
    actions.do_revoke_credential(credential=issued, reason="Plagiarised evidence", actor=admin)
    report = check(issued.document)
    assert report.verdict == "revoked", report.to_text()
    with pytest.raises(ValidationError):
        actions.do_revoke_credential(credential=issued, reason="again", actor=admin)
    with pytest.raises(ValidationError) as info:
        actions.do_revoke_credential(credential=Credential.objects.get(pk=issued.pk), reason="", actor=admin)
    assert "credential" in info.value.message_dict or "reason" in info.value.message_dict


def test_suspension_is_reversible(issued_with_suspension: Credential) -> None:
    issued = issued_with_suspension
    admin = admin_of(issued.organization)
    actions.do_suspend_credential(credential=issued, reason="Under review", actor=admin)
    assert check(issued.document).verdict == "suspended"
    actions.do_unsuspend_credential(credential=issued, actor=admin)
    assert check(issued.document).verdict == "valid"


def test_status_list_is_served_signed_with_etag(issued: Credential) -> None:
    url = issued.document["credentialStatus"]["statusListCredential"]
    path = url.replace("http://127.0.0.1:8000", "")
    first = Client().get(path)
    assert first.status_code == 200 and first["Content-Type"] == "application/vc+ld+json"
    assert first["ETag"] and "no-cache" in first["Cache-Control"]
    assert first.json()["proof"]["verificationMethod"].startswith(DID)
    assert Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    actions.do_revoke_credential(credential=issued, reason="x", actor=admin_of(issued.organization))
    second = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


def test_rotation_keeps_old_credentials_valid_and_retirement_fails_them(issued: Credential) -> None:
    admin = admin_of(issued.organization)
    old_key = issued.signing_key
    do_rotate_signing_key(organization=issued.organization, actor=admin)
    newer = award(issued.organization, email="second@example.org")
    assert newer.signing_key != old_key
    assert check(issued.document).verdict == "valid"
    assert check(newer.document).verdict == "valid"
    do_revoke_signing_key(key=old_key, reason="server breach", actor=admin)
    report = check(issued.document)
    assert report.verdict == "invalid"
    assert "revoked by its controller" in report.check("key_resolution").message
    # the status lists were re-signed with the active key, so the newer credential still checks out
    assert check(newer.document).verdict == "valid"


def test_duplicate_manual_award_is_refused_and_request_key_is_idempotent(issued: Credential) -> None:
    org = issued.organization
    with pytest.raises(ValidationError) as info:
        award(org)
    assert "already holds" in info.value.message_dict["email"][0]
    key = "6f1c3a52-8d2e-4b7a-9c1d-0e2f3a4b5c6d"
    first = actions.do_award_credential(
        organization=org, data={"email": "x@example.org", "achievement": "cer-lab"}, actor=None, request_key=key
    )
    again = actions.do_award_credential(
        organization=org, data={"email": "x@example.org", "achievement": "cer-lab"}, actor=None, request_key=key
    )
    assert first.pk == again.pk and Credential.objects.filter(recipient_email="x@example.org").count() == 1


def test_invalid_input_is_keyed_by_field(published: MicroCredentialVersion) -> None:
    with pytest.raises(ValidationError) as info:
        actions.do_award_credential(
            organization=published.organization,
            actor=None,
            data={
                "email": "not-an-email",
                "achievement": "nope",
                "evidence_url": "ftp://x",
                "awarded_on": "2026-13-01",
                "expires_on": "tomorrow",
            },
        )
    assert set(info.value.message_dict) == {"email", "achievement", "evidence_url", "awarded_on", "expires_on"}
    assert Credential.objects.count() == 0


def test_expiry_policy_and_past_award_date(published: MicroCredentialVersion) -> None:
    MicroCredentialVersion.objects.filter(pk=published.pk).update(expiry_months=12)
    day = (datetime.now(UTC) - timedelta(days=100)).date()
    credential = award(published.organization, awarded_on=day.isoformat())
    assert credential.awarded_at == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert credential.valid_until == actions.add_months(credential.awarded_at, 12)
    assert check(credential.document).verdict == "valid"
    old = award(
        published.organization,
        email="old@example.org",
        awarded_on=(datetime.now(UTC) - timedelta(days=400)).date().isoformat(),
    )
    assert check(old.document).verdict == "expired"
    explicit = award(
        published.organization,
        email="b@example.org",
        expires_on=(datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
    )
    assert explicit.valid_until is not None and explicit.document["validUntil"].endswith("T00:00:00Z")
    assert actions.add_months(datetime(2025, 1, 31, tzinfo=UTC), 1) == datetime(2025, 2, 28, tzinfo=UTC)


def test_status_indexes_roll_over_to_a_new_list(published: MicroCredentialVersion, settings: Any) -> None:
    settings.CREDSTACK_STATUS_LIST_CAPACITY = 4
    credentials = [award(published.organization, email=f"p{i}@example.org") for i in range(10)]
    slots = {(c.status_list_id, c.status_index) for c in credentials}
    assert len(slots) == 10
    lists = StatusList.objects.filter(organization=published.organization).order_by("number")
    assert [sl.allocated for sl in lists] == [4, 4, 2]
    assert all(0 <= c.status_index < 4 for c in credentials)
    for c in credentials[::3]:
        assert check(c.document).verdict == "valid"


def test_local_fetcher_answers_platform_documents(issued: Credential) -> None:
    fetcher = LocalFetcher(fallback=NoNetwork())
    did_doc = json.loads(fetcher.fetch("https://127.0.0.1:8000/issuers/org-a/did.json").body)
    assert did_doc["id"] == DID
    profile = json.loads(fetcher.fetch("http://127.0.0.1:8000/issuers/org-a/profile.json").body)
    assert profile["id"] == DID
    assert json.loads(fetcher.fetch(issued.credential_id).body)["id"] == issued.credential_id
    achievement = issued.document["credentialSubject"]["achievement"]["id"]
    assert json.loads(fetcher.fetch(achievement).body)["type"] == ["Achievement"]
    from credstack.vc.errors import FetchError

    for refused in (
        "http://127.0.0.1:8000/manage/org-a/",
        "http://127.0.0.1:8000/nope",
        "https://elsewhere.example/did.json",
        "http://127.0.0.1:8000/issuers/nope/did.json",
    ):
        with pytest.raises(FetchError):
            fetcher.fetch(refused)


#: a caller's unsigned credential for POST /credentials/issue (issue_credential_document)
API_CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": DID,
    "name": "Attendance",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "achievement": {
            "id": "https://example.org/a/1",
            "type": ["Achievement"],
            "name": "A",
            "description": "d",
            "criteria": {"narrative": "n"},
        },
    },
}


def test_issue_credential_document_for_the_api(org_a: Organization) -> None:
    do_ensure_signing_key(organization=org_a)
    unsigned = API_CREDENTIAL
    signed = actions.issue_credential_document(org_a, unsigned, actor=None)
    assert signed["issuer"]["id"] == DID and signed["credentialStatus"]["statusPurpose"] == "revocation"
    assert check(signed).verdict == "valid"
    row = Credential.objects.get(origin="api")
    assert row.credential_id == signed["id"]
    page = Client().get(row.get_absolute_url())
    assert page.status_code == 200 and "Attendance" in page.content.decode()
    assert Client().get(row.get_absolute_url(), HTTP_ACCEPT="application/json").json() == signed
    assert Client().get(f"{row.get_absolute_url()}/badge.png")["Content-Type"] == "image/png"
    actions.do_revoke_credential(credential=row, reason="mistake", actor=None)
    assert check(signed).verdict == "revoked"
    with pytest.raises(ValidationError) as info:
        actions.issue_credential_document(org_a, {**unsigned, "issuer": "did:web:elsewhere", "proof": {}}, actor=None)
    assert {"issuer", "proof"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        actions.issue_credential_document(org_a, {**unsigned, "undefinedTerm": 1}, actor=None)
    assert "credential" in info.value.message_dict


def test_issued_credential_passes_credstack_verify(issued: Credential, tmp_path: Any, capsys: Any) -> None:
    """The offline command line verifies it, given the issuer's DID document and status lists as local copies."""
    from credstack.vc.cli import main as vc_main

    fetcher = LocalFetcher(fallback=NoNetwork())
    resources = {"https://127.0.0.1:8000/issuers/org-a/did.json"}
    resources |= {issued.document["credentialStatus"]["statusListCredential"]}
    args = []
    for number, url in enumerate(sorted(resources)):
        path = tmp_path / f"r{number}.json"
        path.write_bytes(fetcher.fetch(url).body)
        args += ["--resource", f"{url}={path}"]
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(issued.document))
    assert vc_main(["verify", str(credential), "--json", "--recipient", "learner@example.org", *args]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "valid" and {c["id"]: c["status"] for c in report["checks"]}["status"] == "passed"


def test_an_organization_that_does_not_publish_suspension_issues_strict_ob3_status(
    published: MicroCredentialVersion, client: Client
) -> None:
    org = published.organization
    admin = admin_of(org)
    # The issuer profile page is where the choice is made.
    client.force_login(admin)
    form = client.get(f"/manage/{org.slug}/profile/")
    assert form.status_code == 200 and "Publish suspension in credentials" in form.content.decode()
    posted = profile_form(org)  # publish_suspension left unticked
    assert client.post(f"/manage/{org.slug}/profile/", posted).status_code == 302
    org.refresh_from_db()
    assert org.publish_suspension is False

    credential = award(org)
    doc = credential.document
    # One status entry, as the single object of the OB 3.0 schema: valid under its strict rule too.
    assert isinstance(doc["credentialStatus"], dict) and doc["credentialStatus"]["statusPurpose"] == "revocation"
    assert schema.validate(doc, strict_status=True) == []
    assert check(doc).verdict == "valid"
    assert not credential.publishes_suspension
    manage = client.get(f"/manage/{org.slug}/credentials/{credential.public_id}/").content.decode()
    assert "verifiers elsewhere still report it valid" in manage
    # Suspension is kept on the platform; revocation still shows everywhere.
    actions.do_suspend_credential(credential=credential, reason="Under review", actor=admin)
    credential.refresh_from_db()
    assert credential.state == "suspended" and check(doc).verdict == "valid"
    actions.do_unsuspend_credential(credential=credential, actor=admin)
    actions.do_revoke_credential(credential=credential, reason="Plagiarised evidence", actor=admin)
    assert check(doc).verdict == "revoked"

    # The issuing API follows the same choice.
    api_doc = actions.issue_credential_document(org, API_CREDENTIAL, actor=None)
    assert api_doc["credentialStatus"]["statusPurpose"] == "revocation"
    assert check(api_doc).verdict == "valid"
