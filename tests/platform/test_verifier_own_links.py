"""Issue 14, points 5 and 6: the platform's own links verify on /verify, and the employer view says what it
could not check in plain words.

A share link, a credential's public page, its id and its downloads are looked up in the database (no fetch
of our own pages); a link of ours that names nothing says so plainly. Evidence the verifier may not open (a
host not on the allow list, evidence the learner keeps private) is described for people, never with an
exception name; and a learner's empty "What it shows" is not replaced by the assignment's prompt.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from credstack.accounts.models import User
from credstack.assessment import actions as assessment_actions
from credstack.assessment.models import Assessment
from credstack.awards.actions import AwardRequest, do_revoke_credential, evidence_page_url, issue_awards
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredentialVersion
from credstack.verifier import fetching, service
from credstack.verifier.actions import do_create_share_link, do_withdraw_share_link
from tests.platform import verifier_support as vs
from tests.platform.assessment_support import PDF, claim_and_pass, complete, upload
from tests.platform.conftest import admin_of

PORTFOLIO = "https://portfolio.example.org/lee/lesson-video"
JARGON = ("Http404", "PermissionDenied", "FetchError", "Traceback", "could not be read (")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> vs.RecordingTransport:
    """Every outside fetch is recorded and refused: nothing here may need the network."""
    recording = vs.RecordingTransport({})
    monkeypatch.setattr(
        service, "new_fetcher", lambda: fetching.platform_fetcher(transport=recording, address_check=lambda h: True)
    )
    return recording


@pytest.fixture
def held(published: MicroCredentialVersion, make_user: Any, no_network: vs.RecordingTransport) -> Credential:
    learner = make_user("learner@example.org", display_name="Lee Learner")
    org = published.micro_credential.organization
    request = AwardRequest(
        version=published, email=learner.email, source="test:own-links", origin=Origin.MANUAL, user=learner
    )
    request.evidence = [
        {"url": evidence_page_url(request.public_id, 1), "name": "Annotated lab report"},
        {"url": PORTFOLIO, "name": "Lesson video"},
    ]
    (credential,) = issue_awards(org, [request], actor=admin_of(org), notify=False)
    assert not credential.evidence_public
    return credential


def _states(response: Any) -> list[str]:
    return [item.check.state for item in response.context["result"].credential.evidence]


def _evidence_html(html: str) -> str:
    found = re.search(r'<ol class="evidence-list">.*?</ol>', html, re.S)
    assert found, "the page lists the evidence"
    return found.group(0)


def test_a_share_link_pasted_into_verify_is_verified_like_opening_it(
    held: Credential, no_network: vs.RecordingTransport
) -> None:
    link = do_create_share_link(credential=held, actor=held.recipient_user)
    employer = Client()
    response = employer.post("/verify", {"url": link.url})
    html = response.content.decode()
    assert response.status_code == 200, response.context.get("errors")
    assert response.context["result"].verdict == "valid"
    assert "is not a document the verifier reads" not in html
    # the share link grants what opening it grants: the private evidence is read, and this browser may open it
    assert _states(response) == ["no_digest", "outside"]
    assert employer.get(evidence_page_url(held.public_id, 1)).status_code == 200
    assert Client().get(evidence_page_url(held.public_id, 1)).status_code == 403
    # read from the database: the share page itself was never fetched, and nothing left the machine
    assert not any("/share/" in attempt.url for attempt in response.context["result"].consulted)
    assert no_network.calls == []


@pytest.mark.parametrize(
    "address",
    [
        lambda c: c.credential_id,  # the credential's id is its public page
        lambda c: c.credential_id + "?utm_source=linkedin",
        lambda c: c.credential_id + "/credential.json",
        lambda c: c.credential_id + "/badge.png",
    ],
)
def test_the_credential_page_and_id_verify(held: Credential, address: Any) -> None:
    response = Client().post("/verify", {"url": address(held)})
    assert response.status_code == 200, response.context.get("errors")
    assert response.context["result"].verdict == "valid"
    assert "Annotated lab report" in response.content.decode()


def test_a_link_in_the_address_bar_verifies_too(held: Credential) -> None:
    response = Client().get("/verify", {"url": held.credential_id})
    assert response.status_code == 200 and response.context["result"].verdict == "valid"


def test_a_revoked_credential_verifies_as_revoked(held: Credential) -> None:
    do_revoke_credential(credential=held, reason="Awarded in error.", actor=admin_of(held.organization))
    response = Client().post("/verify", {"url": held.credential_id})
    assert response.status_code == 200 and response.context["result"].verdict == "revoked"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (lambda c: f"{c.credential_id.split('/credentials/')[0]}/share/not-a-real-token", "no share link at that"),
        (lambda c: f"{c.credential_id.split('/credentials/')[0]}/credentials/{uuid.uuid4()}", "No credential on"),
        (lambda c: f"{c.credential_id.split('/credentials/')[0]}/credentials/not-a-uuid", "No credential on"),
        (lambda c: f"{c.credential_id.split('/credentials/')[0]}/verify", "not a credential"),
    ],
)
def test_a_link_of_ours_that_names_nothing_says_so(
    held: Credential, no_network: vs.RecordingTransport, address: Any, message: str
) -> None:
    response = Client().post("/verify", {"url": address(held)})
    assert response.status_code == 400
    assert message in response.context["errors"]["url"]
    assert message in response.content.decode()
    assert no_network.calls == []


def test_withdrawn_and_expired_share_links_say_why(held: Credential) -> None:
    withdrawn = do_create_share_link(credential=held, actor=held.recipient_user)
    do_withdraw_share_link(link=withdrawn, actor=held.recipient_user)
    response = Client().post("/verify", {"url": withdrawn.url})
    assert response.status_code == 400 and "has withdrawn it" in response.context["errors"]["url"]

    expired = do_create_share_link(
        credential=held, actor=held.recipient_user, expires_at=timezone.now() + timedelta(days=1)
    )
    expired.expires_at = timezone.now() - timedelta(minutes=1)
    expired.save(update_fields=["expires_at"])
    response = Client().post("/verify", {"url": expired.url})
    assert response.status_code == 400 and "expired on" in response.context["errors"]["url"]


def test_evidence_the_verifier_may_not_open_is_explained_in_plain_words(
    held: Credential, no_network: vs.RecordingTransport
) -> None:
    response = Client().post("/verify", {"url": held.credential_id})
    html = response.content.decode()
    evidence = _evidence_html(html)
    assert _states(response) == ["private", "outside"]
    assert "The learner keeps this evidence private" in evidence
    assert "points to portfolio.example.org; we don&#x27;t open outside links for you" in evidence
    assert f'href="{PORTFOLIO}" rel="nofollow noopener"' in evidence  # people can open it themselves
    assert "not allowed" not in evidence
    for jargon in JARGON:
        assert jargon not in html
    assert no_network.calls == []  # the outside link was never fetched


def test_the_verdict_comes_before_the_credential_and_the_checks_are_folded(held: Credential) -> None:
    html = Client().post("/verify", {"url": held.credential_id}).content.decode()
    verdict = html.index('id="verdict-heading"')
    credential = html.index('id="credential-heading"')
    evidence = html.index('<ol class="evidence-list">')
    checks = html.index('<details class="how-we-checked"')
    assert verdict < credential < evidence < checks
    assert "How we checked</summary>" in html
    assert "The issuer&#x27;s digital signature is intact" in html  # each check said for people
    assert "Every check" not in html


def test_an_empty_what_it_shows_is_not_replaced_by_the_prompt(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user("quiet@example.org", display_name="Quinn Quiet")
    submission = assessment_actions.do_start_submission(learner=learner, version=published, actor=learner)
    assessment_actions.do_add_evidence(
        submission=submission, artifact_index=0, title="Unit plan", upload=upload(PDF), actor=learner
    )
    complete(submission, learner)  # the other parts get a note
    assessment_actions.do_submit_submission(submission=submission, actor=learner)
    claim_and_pass(submission, User.objects.get(email="assessor-a@example.org"), django_capture_on_commit_callbacks)
    credential = Credential.objects.get(source=f"assessment:{Assessment.objects.get(submission=submission).pk}")
    prompts = [a["description"] for a in published.submission["artifacts"]]
    evidence = credential.document["evidence"]
    notes = [item.get("note", "") for item in submission.attempts.get().evidence]
    assert "" in notes, "some evidence was left without a note"
    for entry, note in zip(evidence, notes, strict=True):
        assert entry.get("description", "") == note
    assert not any(prompt in str(evidence) for prompt in prompts)
    html = Client().get(credential.get_absolute_url()).content.decode()
    page_evidence = html[html.index('id="evidence-h"') :]
    assert not any(prompt in page_evidence for prompt in prompts)


def test_private_assessed_files_are_private_not_missing(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The file behind an evidence page answers 404 to a stranger, private or not: the page tells which."""
    learner = make_user("files@example.org")
    submission = assessment_actions.do_start_submission(learner=learner, version=published, actor=learner)
    complete(submission, learner)
    assessment_actions.do_submit_submission(submission=submission, actor=learner)
    claim_and_pass(submission, User.objects.get(email="assessor-a@example.org"), django_capture_on_commit_callbacks)
    credential = Credential.objects.get(recipient_email="files@example.org")
    response = Client().post("/verify", {"url": credential.credential_id})
    html = response.content.decode()
    assert response.context["result"].verdict == "valid"
    assert set(_states(response)) == {"private"}
    for jargon in JARGON:
        assert jargon not in html
