"""Issue 14, point 11: the learner's transcript (page, PDF, per-issuer signed CLR) and credit hours in credentials."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from credstack.accounts.models import User
from credstack.awards.actions import claim_token, do_claim_credential, do_revoke_credential
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.pathways import transcript
from credstack.vc import schema
from tests.platform.conftest import admin_of, client_for
from tests.platform.test_pathways import award, make_stack, publish, three  # noqa: F401 (fixture)
from tests.platform.test_verifier_issue import verify

LEARNER = "teacher@example.org"


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(LEARNER, display_name="Zoë Åberg-Okafor")


def _claimed(credential: Credential, user: User) -> Credential:
    do_claim_credential(credential=credential, token=claim_token(credential), user=user, actor=user)
    credential.refresh_from_db()
    return credential


@pytest.fixture
def record(
    org_a: Organization,
    org_b: Organization,
    three: list[MicroCredentialVersion],  # noqa: F811
    definition: dict[str, Any],
    learner: User,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """Three micro-credentials from org A (one a year ago, two completing a stack), one from org B, one revoked."""
    safety = three[1]
    MicroCredentialVersion.objects.filter(pk=safety.pk).update(
        pd_hours=Decimal("12.5"), credits_available=Decimal("0.75")
    )
    other = publish(org_b, definition, "b-course", "Org B Practice")
    stack = make_stack(org_a, ["cer-lab", "lab-safety"])
    with django_capture_on_commit_callbacks(execute=True):
        first = _claimed(award(org_a, "cer-lab"), learner)
        second = _claimed(award(org_a, "lab-safety"), learner)
    from_b = _claimed(award(org_b, "b-course"), learner)
    revoked = _claimed(award(org_a, "inquiry"), learner)
    do_revoke_credential(credential=revoked, reason="Awarded by mistake.", actor=admin_of(org_a))
    last_year = timezone.now() - dt.timedelta(days=400)
    Credential.objects.filter(pk=first.pk).update(awarded_at=last_year)
    (stack_credential,) = Credential.objects.filter(origin=Origin.STACK)
    return {
        "stack": stack,
        "first": first,
        "second": second,
        "from_b": from_b,
        "revoked": revoked,
        "stack_credential": stack_credential,
        "other": other,
        "last_year": timezone.localdate(last_year).year,
    }


def test_credit_hours_travel_in_the_achievement_and_the_credential(
    org_a: Organization,
    three: list[MicroCredentialVersion],  # noqa: F811
) -> None:
    version = three[1]
    MicroCredentialVersion.objects.filter(pk=version.pk).update(credits_available=Decimal("0.75"))
    achievement = json.loads(Client().get(f"/catalog/org-a/lab-safety/v{version.version}/achievement.json").content)
    assert achievement["creditsAvailable"] == 0.75
    credential = award(org_a, "lab-safety")
    subject = credential.document["credentialSubject"]
    assert subject["creditsEarned"] == 0.75 and subject["achievement"]["creditsAvailable"] == 0.75
    assert schema.validate(credential.document) == []
    assert verify(credential.document).status_code == 200


def test_the_transcript_adds_up_per_year(record: dict[str, Any], learner: User) -> None:
    built = transcript.build(learner)
    titles = [e.title for e in built.entries]
    assert titles == ["Claim-Evidence-Reasoning", "Lab Safety Routines", "Org B Practice"]  # no revoked, no stack
    assert [s.name for s in built.completed] == ["Science Teaching Specialist"]
    this_year = timezone.localdate().year
    years = {y.year: (y.count, y.pd_hours, y.credits) for y in built.years}
    assert years[record["last_year"]] == (1, Decimal("15.00"), Decimal("1.00"))
    assert years[this_year] == (2, Decimal("27.50"), Decimal("1.75"))
    assert (built.total_pd_hours, built.total_credits, built.counted) == (Decimal("42.50"), Decimal("2.75"), 3)
    # a period keeps only what was awarded in it
    only_now = transcript.build(learner, transcript.parse_period(f"{this_year}-01-01", ""))
    assert only_now.total_pd_hours == Decimal("27.50") and len(only_now.entries) == 2


def test_the_transcript_page(record: dict[str, Any], learner: User) -> None:
    page = client_for(learner)
    html = page.get("/transcript/").content.decode()
    assert "Zoë Åberg-Okafor" in html and "42.5</strong> PD hours" in html and "2.75</strong> credits" in html
    assert "Lab Safety Routines" in html and "Science Teaching Specialist" in html and "Completed" in html
    assert record["revoked"].get_absolute_url() not in html
    assert record["second"].get_absolute_url() in html  # each title links to the page that verifies it
    assert "/transcript/org-a/clr.json" in html and "/transcript/org-b/clr.json" in html
    assert "transcript.pdf" in html and "pathways/transcript.css" in html
    bad = page.get("/transcript/?from=yesterday&to=2020-01-01")
    assert bad.status_code == 400 and "is not a date" in bad.content.decode()
    backwards = page.get("/transcript/?from=2026-05-01&to=2026-01-01")
    assert backwards.status_code == 400 and "before its start" in backwards.content.decode()
    assert "Your transcript" in page.get("/wallet/").content.decode()


def test_the_transcript_pdf_has_real_text(record: dict[str, Any], learner: User) -> None:
    response = client_for(learner).get("/transcript/transcript.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata is not None and reader.metadata.title == (
        "Transcript of micro-credentials: Zoë Åberg-Okafor"
    )
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    for expected in (
        "Zoë Åberg-Okafor",
        "Micro-credential",
        "PD hours",
        "Lab Safety Routines",
        "Org B Practice",
        "Totals per year",
        "Total 3 42.5 2.75",
        "Generated",
        "Science Teaching Specialist",
    ):
        assert expected in flat, expected
    for credential in (record["first"], record["second"], record["from_b"]):
        assert credential.get_absolute_url() in flat.replace(" ", "")
    assert "Awarded by mistake" not in flat and record["revoked"].get_absolute_url() not in flat.replace(" ", "")


def test_one_signed_clr_per_organization_that_our_verifier_accepts(record: dict[str, Any], learner: User) -> None:
    page = client_for(learner)
    response = page.get("/transcript/org-a/clr.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
    clr = json.loads(response.content)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"] and clr["issuer"]["name"] == "Org A"
    subject = clr["credentialSubject"]
    ids = {c["id"] for c in subject["verifiableCredential"]}
    assert ids == {c.credential_id for c in (record["first"], record["second"], record["stack_credential"])}
    assert {a["associationType"] for a in subject["association"]} == {"isParentOf"}
    assert len(subject["association"]) == 2
    assert schema.validate({k: v for k, v in clr.items() if k != "proof"}) == []
    result = verify(clr)
    assert result.status_code == 200, result.json()
    tampered = {**clr, "name": "Something else"}
    assert verify(tampered).status_code != 200
    other = json.loads(page.get("/transcript/org-b/clr.json").content)
    assert [c["id"] for c in other["credentialSubject"]["verifiableCredential"]] == [record["from_b"].credential_id]
    assert verify(other).status_code == 200


def test_only_the_learner_sees_their_transcript(record: dict[str, Any], make_user: Any, org_a: Organization) -> None:
    stranger = client_for(make_user("stranger@example.org"))
    html = stranger.get("/transcript/").content.decode()
    assert "Lab Safety Routines" not in html and "No micro-credential yet" in html
    assert stranger.get("/transcript/org-a/clr.json").status_code == 404
    assert "Lab Safety Routines" not in stranger.get("/transcript/transcript.pdf").content.decode("latin-1")
    for url in ("/transcript/", "/transcript/transcript.pdf", "/transcript/org-a/clr.json"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # the organization's admin has no way to ask for the learner's transcript through these pages either
    assert "Lab Safety Routines" not in client_for(admin_of(org_a)).get("/transcript/").content.decode()


def test_without_a_unicode_font_the_pdf_still_renders(
    record: dict[str, Any], learner: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from credstack.pathways import transcript_pdf

    monkeypatch.setattr(transcript_pdf, "FONT_DIRS", ())
    settings.CREDSTACK_PDF_FONT_DIR = ""
    learner.display_name = "李 Wei — Zoë"
    learner.save()
    reader = PdfReader(io.BytesIO(client_for(learner).get("/transcript/transcript.pdf").content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "? Wei - Zoë" in text and "Lab Safety Routines" in text


def test_an_organization_admin_sees_what_their_organization_issued_to_a_learner(
    record: dict[str, Any], org_a: Organization, org_b: Organization, make_user: Any
) -> None:
    url = f"/manage/org-a/credentials/{record['second'].public_id}/transcript/"
    admin = client_for(admin_of(org_a))
    assert f'href="{url}"' in admin.get(f"/manage/org-a/credentials/{record['second'].public_id}/").content.decode()
    html = admin.get(url).content.decode()
    assert "Lab Safety Routines" in html and "Science Teaching Specialist" in html and "Zoë Åberg-Okafor" in html
    assert "Org B Practice" not in html  # another organization's credential is not theirs to see
    assert "27.5</strong> PD hours" in html  # 15 last year and 12.5 this year, from org A only
    assert "clr.json" not in html and "transcript.pdf" not in html
    # another organization's admin, an assessor, the learner: no such page for them
    for other in (client_for(admin_of(org_b)), client_for(User.objects.get(email="assessor-a@example.org"))):
        assert other.get(url).status_code == 404
    assert (
        client_for(admin_of(org_b))
        .get(f"/manage/org-b/credentials/{record['second'].public_id}/transcript/")
        .status_code
        == 404
    )
