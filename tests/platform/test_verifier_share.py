"""Share links: the learner creates (optionally expiring) and withdraws them; whoever opens one sees the
credential verified live, and the evidence the learner shared through it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from credstack.awards.actions import AwardRequest, do_revoke_credential, evidence_page_url, issue_awards
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.models import AuditEvent
from credstack.verifier.actions import do_create_share_link, do_withdraw_share_link
from credstack.verifier.models import ShareLink
from tests.platform.conftest import admin_of, client_for


@pytest.fixture
def held(published: MicroCredentialVersion, make_user: Any) -> Credential:
    learner = make_user("learner@example.org", display_name="Lee Learner")
    org = published.micro_credential.organization
    request = AwardRequest(
        version=published, email=learner.email, source="test:share", origin=Origin.MANUAL, user=learner
    )
    request.evidence = [
        {
            "url": evidence_page_url(request.public_id, 1),
            "name": "Annotated lab report",
            "description": "The third report, annotated.",
        }
    ]
    (credential,) = issue_awards(org, [request], actor=admin_of(org), notify=False)
    assert not credential.evidence_public
    return credential


def _page(credential: Credential) -> str:
    return f"/wallet/{credential.public_id}/share/"


def test_learner_creates_a_link_and_an_employer_sees_it_verified(held: Credential) -> None:
    learner = held.recipient_user
    response = client_for(learner).post(_page(held), {"label": "Westside MS", "expires": "30"})
    assert response.status_code == 302
    link = ShareLink.objects.get(credential=held)
    assert link.label == "Westside MS" and link.expires_at is not None
    assert AuditEvent.objects.filter(action="verifier.share_link_created", object_id=str(link.pk)).exists()
    listing = client_for(learner).get(_page(held)).content.decode()
    assert link.url in listing and "Westside MS" in listing

    employer = Client()
    page = employer.get(link.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert page.context["result"].verdict == "valid", page.context["result"].checks
    assert "shared this credential with you" in html and "verified live" in html
    assert "the signing key is the one this platform publishes" in html
    assert "Annotated lab report" in html
    # the evidence page is private, but this browser opened the share link
    assert Client().get(evidence_page_url(held.public_id, 1)).status_code == 403
    assert employer.get(evidence_page_url(held.public_id, 1)).status_code == 200
    checked = employer.post(link.get_absolute_url(), {"email": "learner@example.org"}).content.decode()
    assert "was awarded to learner@example.org" in checked


def test_revoked_credential_shows_revoked_live(held: Credential) -> None:
    link = do_create_share_link(credential=held, actor=held.recipient_user)
    do_revoke_credential(credential=held, reason="Awarded in error.", actor=admin_of(held.organization))
    response = Client().get(link.get_absolute_url())
    assert response.context["result"].verdict == "revoked"


def test_withdrawn_and_expired_links_are_gone(held: Credential) -> None:
    learner = held.recipient_user
    link = do_create_share_link(credential=held, actor=learner, expires_at=timezone.now() + timedelta(days=1))
    employer = Client()
    assert employer.get(link.get_absolute_url()).status_code == 200
    client_for(learner).post(f"{_page(held)}{link.pk}/withdraw")
    link.refresh_from_db()
    assert link.revoked_at is not None
    gone = employer.get(link.get_absolute_url())
    assert gone.status_code == 410 and "withdrawn" in gone.content.decode()
    # the evidence the link opened is closed again
    assert employer.get(evidence_page_url(held.public_id, 1)).status_code == 403
    expired = do_create_share_link(credential=held, actor=learner, expires_at=timezone.now() + timedelta(days=1))
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(expired.get_absolute_url()).status_code == 410
    assert Client().get("/share/no-such-token").status_code == 404


def test_only_the_holder_manages_links(held: Credential, make_user: Any) -> None:
    stranger = client_for(make_user("stranger@example.org"))
    assert stranger.get(_page(held)).status_code == 404
    assert stranger.post(_page(held), {"expires": ""}).status_code == 404
    link = do_create_share_link(credential=held, actor=held.recipient_user)
    assert stranger.post(f"{_page(held)}{link.pk}/withdraw").status_code == 404
    assert Client().get(_page(held)).status_code == 302  # sign in first
    with pytest.raises(ValidationError):
        do_create_share_link(credential=held, actor=admin_of(held.organization))
    with pytest.raises(ValidationError):
        do_withdraw_share_link(link=link, actor=admin_of(held.organization))


def test_bad_input_is_shown_beside_the_field(held: Credential) -> None:
    learner = client_for(held.recipient_user)
    response = learner.post(_page(held), {"expires": "forever", "label": "x"})
    assert response.status_code == 400 and "Choose when the link stops working" in response.content.decode()
    response = learner.post(_page(held), {"expires": "", "label": "x" * 101})
    assert response.status_code == 400 and "At most 100 characters" in response.content.decode()
    assert not ShareLink.objects.exists()
    do_revoke_credential(credential=held, reason="Awarded in error.", actor=admin_of(held.organization))
    refused = learner.post(_page(held), {"expires": ""})
    assert refused.status_code == 400 and "cannot be shared" in refused.content.decode()


def test_wallet_links_to_share_links(held: Credential) -> None:
    page = client_for(held.recipient_user).get("/wallet/").content.decode()
    assert f"/wallet/{held.public_id}/share/" in page
