"""Issue 14, points 1 and 8: a credential names its earner by default, the claim page asks once (named or not) and
fits each person's situation, an account made from a claim link needs no confirmation, and the award mail says
what is left to do."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credstack.accounts.models import User
from credstack.awards import actions
from credstack.awards.models import Credential, Origin, WalletSettings
from credstack.catalog.models import MicroCredentialVersion
from tests.platform.conftest import PASSWORD, admin_of, client_for

EMAIL = "learner@example.org"
NEW_PASSWORD = "a-long-and-unusual-passphrase"


def named(doc: dict[str, Any]) -> str:
    """The plain name identity of the credential's subject (OB 3.0 IdentityObject), or ``""``."""
    for identity in doc["credentialSubject"].get("identifier", []):
        if identity.get("identityType") == "name" and identity.get("hashed") is False:
            return str(identity["identityHash"])
    return ""


def award(version: MicroCredentialVersion, capture: Any, *, email: str = EMAIL, name: str = "") -> Credential:
    with capture(execute=True):
        return actions.do_award_credential(
            organization=version.organization,
            actor=admin_of(version.organization),
            data={"email": email, "achievement": version.micro_credential.slug, "name": name},
        )


def earned(version: MicroCredentialVersion, user: User, capture: Any) -> Credential:
    """A credential earned through the platform (as an assessment pass issues it): already the learner's."""
    request = actions.AwardRequest(
        version=version, email=user.email, source=f"test:{user.pk}", origin=Origin.ASSESSMENT, user=user
    )
    with capture(execute=True):
        return actions.issue_awards(version.organization, [request], actor=None)[0]


def claim_path(credential: Credential) -> str:
    return re.sub(r"^https?://[^/]+", "", actions.claim_url(credential))


def verifies(credential: Credential) -> bool:
    from credstack.awards.local import LocalFetcher
    from credstack.vc.fetch import NoNetwork
    from credstack.vc.verify import VerifyOptions, verify

    options = VerifyOptions(fetcher=LocalFetcher(fallback=NoNetwork()), recipient_email=credential.recipient_email)
    return verify(credential.document, options=options).verdict == "valid"


def mail_to(address: str) -> str:
    return next(m.body for m in reversed(mail.outbox) if address in m.to)


# --- point 1: named by default -----------------------------------------------------------------------------------


def test_an_earned_credential_names_its_earner_by_default(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(EMAIL, display_name="Lee Learner")
    credential = earned(published, learner, django_capture_on_commit_callbacks)
    assert named(credential.document) == "Lee Learner" and credential.name_shown
    assert "Lee Learner" in Client().get(credential.get_absolute_url()).content.decode()
    report = Client().post("/verify", {"text": json.dumps(credential.document)}).content.decode()
    assert "Lee Learner" in report and "Not named in the credential" not in report


def test_a_learner_who_chose_not_to_be_named_is_not(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(EMAIL, display_name="Lee Learner")
    WalletSettings.objects.create(user=learner, show_name=False)  # a choice saved before stays as it was
    credential = earned(published, learner, django_capture_on_commit_callbacks)
    assert named(credential.document) == "" and not credential.name_shown
    assert "Not named" in Client().get(credential.get_absolute_url()).content.decode()


def test_an_award_to_an_address_names_the_account_else_the_issuers_name(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("has-account@example.org", display_name="Account Name")
    capture = django_capture_on_commit_callbacks
    assert named(award(published, capture, email="has-account@example.org", name="Typed").document) == "Account Name"
    assert named(award(published, capture, email="new@example.org", name="Typed Name").document) == "Typed Name"
    nameless = award(published, capture, email="nameless@example.org")
    assert named(nameless.document) == "" and not nameless.name_shown  # named at claim


def test_the_claim_page_asks_once_and_names_the_credential(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    credential = award(published, django_capture_on_commit_callbacks)  # no name known yet
    learner = make_user(EMAIL)
    client = client_for(learner)
    page = client.get(claim_path(credential)).content.decode()
    assert "Should the credential show your name?" in page and "Not named in the credential" in page
    refused = client.post(claim_path(credential), {"show_name": "1", "name": ""})
    assert refused.status_code == 400 and "Type the name" in refused.content.decode()
    assert Credential.objects.get(pk=credential.pk).recipient_user is None  # nothing half done
    assert client.post(claim_path(credential), {"show_name": "1", "name": "Lee  Learner"}).status_code == 302
    credential.refresh_from_db()
    assert credential.recipient_user == learner and named(credential.document) == "Lee Learner"
    assert WalletSettings.objects.get(user=learner).show_name
    assert "Lee Learner" in Client().post("/verify", {"text": json.dumps(credential.document)}).content.decode()
    assert verifies(credential)


def test_choosing_anonymity_at_claim_reissues_without_the_name(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    credential = award(published, django_capture_on_commit_callbacks, name="Lee Learner")
    assert named(credential.document) == "Lee Learner"
    learner = make_user(EMAIL, display_name="Lee Learner")
    assert client_for(learner).post(claim_path(credential), {"show_name": "0"}).status_code == 302
    credential.refresh_from_db()
    assert named(credential.document) == "" and not credential.name_shown and verifies(credential)
    assert WalletSettings.objects.get(user=learner).show_name is False  # new credentials follow the choice
    assert "Not named" in Client().get(credential.get_absolute_url()).content.decode()


def test_the_wallet_card_says_what_the_credential_shows_and_changes_it(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(EMAIL, display_name="Lee Learner")
    credential = earned(published, learner, django_capture_on_commit_callbacks)
    client = client_for(learner)
    assert "Awarded to <strong>Lee Learner</strong>" in client.get("/wallet/").content.decode()
    client.post(f"/wallet/{credential.public_id}/presentation/", {"show_name": "0"})
    credential.refresh_from_db()
    assert named(credential.document) == "" and "Does not name you" in client.get("/wallet/").content.decode()


# --- point 8: claiming fits the person's situation ---------------------------------------------------------------


def test_the_mail_of_a_credential_earned_on_the_platform_does_not_ask_to_claim(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(EMAIL, display_name="Lee Learner")
    earned(published, learner, django_capture_on_commit_callbacks)
    body = mail_to(EMAIL)
    assert "already in My credentials" in body and "/wallet/" in body
    assert "Claim it" not in body and "create an account" not in body.lower() and "/claim/" not in body


def test_the_mail_asks_to_sign_in_or_to_create_an_account(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("has-account@example.org")
    award(published, django_capture_on_commit_callbacks, email="has-account@example.org")
    award(published, django_capture_on_commit_callbacks, email="new@example.org")
    assert "You already have an account" in mail_to("has-account@example.org")
    assert "free account" in mail_to("new@example.org") and "/claim/" in mail_to("new@example.org")


def test_the_claim_link_of_a_credential_already_in_the_wallet_does_not_offer_to_add_it(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    learner = make_user(EMAIL, display_name="Lee Learner")
    credential = earned(published, learner, django_capture_on_commit_callbacks)
    page = client_for(learner).get(claim_path(credential)).content.decode()
    assert "is in your wallet" in page and "Add to My credentials" not in page and "Open My credentials" in page


def test_create_an_account_from_a_claim_link(
    published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any
) -> None:
    credential = award(published, django_capture_on_commit_callbacks, name="Lee Learner")
    path = claim_path(credential)
    client = Client()
    page = client.get(path).content.decode()
    assert f'href="{path}/account"' in page and "Create an account" in page
    form = client.get(f"{path}/account").content.decode()
    assert f'value="{EMAIL}" readonly' in form and 'value="Lee Learner"' in form
    weak = client.post(f"{path}/account", {"display_name": "Lee Learner", "password": "short"})
    assert weak.status_code == 400 and not User.objects.filter(email=EMAIL).exists()
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(f"{path}/account", {"display_name": "Lee Learner", "password": NEW_PASSWORD})
    assert made.status_code == 302 and made["Location"] == path
    user = User.objects.get(email=EMAIL)
    assert user.is_active and user.display_name == "Lee Learner" and len(mail.outbox) == sent  # no activation mail
    assert "Should the credential show your name?" in client.get(path).content.decode()  # signed in, one choice left
    assert client.post(path, {"show_name": "1", "name": "Lee Learner"}).status_code == 302
    assert Credential.objects.get(pk=credential.pk).recipient_user == user
    # the link does not make a second account, nor one for a forged token
    assert Client().get(f"{path}/account")["Location"] == path
    assert Client().get(f"{path}x/account").status_code == 302
    assert Client().post(f"{path}x/account", {"password": NEW_PASSWORD}).status_code == 302


def test_an_account_waiting_for_activation_is_activated_by_the_claim_link(
    published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.create_user(EMAIL, "someone-elses-pass", is_active=False)
    credential = award(published, django_capture_on_commit_callbacks)
    made = Client().post(f"{claim_path(credential)}/account", {"display_name": "Lee", "password": NEW_PASSWORD})
    assert made.status_code == 302
    user = User.objects.get(email=EMAIL)
    assert user.is_active and user.check_password(NEW_PASSWORD)


def test_an_address_with_an_account_is_told_to_sign_in(
    published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user(EMAIL)
    credential = award(published, django_capture_on_commit_callbacks)
    page = Client().get(claim_path(credential)).content.decode()
    assert "You already have an account" in page and "Create an account" not in page
    assert Client().get(f"{claim_path(credential)}/account").status_code == 302
    from credstack.accounts.actions import do_register_proven_address

    with pytest.raises(Exception, match="already have an account"):
        do_register_proven_address(email=EMAIL, password=NEW_PASSWORD, proof="test")
    assert User.objects.get(email=EMAIL).check_password(PASSWORD)


@pytest.mark.parametrize("ending", ["revoked", "superseded", "expired"])
def test_the_claim_page_of_a_credential_that_ended_says_so(
    ending: str, published: MicroCredentialVersion, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    credential = award(published, django_capture_on_commit_callbacks)
    path = claim_path(credential)
    if ending == "revoked":
        actions.do_revoke_credential(credential=credential, reason="Awarded by mistake.", actor=None)
    elif ending == "superseded":
        Credential.objects.filter(pk=credential.pk).update(superseded_at=timezone.now())
    else:
        Credential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() - timedelta(days=1))
    page = Client().get(path).content.decode()
    assert (
        "can no longer be claimed" in page
        and {"revoked": "revoked", "superseded": "newer award"}.get(ending, "expired") in page
    )
    assert f"{path}/account" not in page and "?next=" not in page  # neither "Create an account" nor "Sign in" to claim
    learner = make_user(EMAIL)
    client = client_for(learner)
    assert "Add to My credentials" not in client.get(path).content.decode()
    assert client.post(path, {"show_name": "1"}).status_code == 400
    assert Credential.objects.get(pk=credential.pk).recipient_user is None
