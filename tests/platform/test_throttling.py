"""Sign-in failures and visitor-requested mail are throttled; registration reveals no account (issue 12, point 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from credstack.accounts import throttle
from credstack.accounts.models import User
from tests.platform.conftest import PASSWORD, client_for

WRONG = "not-the-password-at-all"
LOCKED = "Too many attempts; try again in"
# Mail is sent once the request's transaction commits: run each request in its own, as a server does.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock, moved by the test (``clock[0] += seconds``)."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    return now


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(make_user: Any, clock: list[float]) -> None:
    make_user("teacher@example.org")
    client = Client()
    for _ in range(40):
        sign_in(client, "teacher@example.org", WRONG)
    refused = sign_in(client, "teacher@example.org", PASSWORD)
    assert LOCKED + " 15 minutes." in refused.content.decode()
    assert not signed_in(client)
    # The lock is the account's, from any address, and also through authenticate() (the admin's sign-in too).
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert LOCKED in sign_in(elsewhere, "teacher@example.org", PASSWORD).content.decode()
    assert not Client().login(email="teacher@example.org", password=PASSWORD)
    clock[0] += 15 * 60 + 1
    sign_in(client, "teacher@example.org", PASSWORD)
    assert signed_in(client)


def test_the_failure_that_locks_says_so_at_once(make_user: Any, clock: list[float]) -> None:
    make_user("teacher@example.org")
    client = Client()
    answers = [sign_in(client, "teacher@example.org", WRONG).content.decode() for _ in range(10)]
    assert all("Please enter a correct" in a for a in answers[:9])
    assert LOCKED in answers[9]


def test_a_success_clears_the_accounts_count(make_user: Any, clock: list[float]) -> None:
    make_user("teacher@example.org")
    for _ in range(2):
        client = Client()
        for _ in range(9):
            sign_in(client, "teacher@example.org", WRONG)
        sign_in(client, "teacher@example.org", PASSWORD)
        assert signed_in(client)


def test_failures_from_one_address_lock_that_address(make_user: Any, clock: list[float], settings: Any) -> None:
    settings.CREDSTACK_SIGN_IN_FAILURES_PER_ADDRESS = (5, 600)
    make_user("teacher@example.org")
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(5):  # one wrong guess each for five different accounts: no account reaches its own limit
        sign_in(guesser, f"someone{n}@example.org", WRONG)
    refused = sign_in(guesser, "teacher@example.org", PASSWORD)
    assert LOCKED + " 10 minutes." in refused.content.decode() and not signed_in(guesser)
    other = Client(REMOTE_ADDR="198.51.100.8")
    sign_in(other, "teacher@example.org", PASSWORD)
    assert signed_in(other)


def test_twenty_five_reset_requests_send_three_mails(make_user: Any, clock: list[float]) -> None:
    make_user("teacher@example.org")
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post("/accounts/password-reset/", {"email": "teacher@example.org"})
        for n in range(25)
    ]
    assert len(mail.outbox) == 3
    assert [s.status_code for s in statuses[:3]] == [302] * 3
    assert {s.status_code for s in statuses[3:]} == {429}
    assert LOCKED + " 60 minutes." in statuses[3].content.decode()


def test_reset_answers_the_same_for_an_unknown_address(make_user: Any, clock: list[float]) -> None:
    make_user("teacher@example.org")

    def statuses(email: str) -> list[int]:
        return [
            Client(REMOTE_ADDR=f"192.0.2.{n}").post("/accounts/password-reset/", {"email": email}).status_code
            for n in range(5)
        ]

    assert statuses("teacher@example.org") == statuses("nobody@example.org") == [302, 302, 302, 429, 429]


def test_one_client_cannot_mail_many_addresses(make_user: Any, clock: list[float], settings: Any) -> None:
    settings.CREDSTACK_MAIL_PER_CLIENT = (10, 3600)
    client = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(10):
        make_user(f"t{n}@example.org")
        assert client.post("/accounts/password-reset/", {"email": f"t{n}@example.org"}).status_code == 302
    make_user("t10@example.org")
    refused = client.post("/accounts/password-reset/", {"email": "t10@example.org"})
    assert refused.status_code == 429 and len(mail.outbox) == 10


def _register(email: str, password: str = PASSWORD, **extra: Any) -> Any:
    client = Client(**extra)
    return client, client.post("/accounts/register/", {"email": email, "password": password, "display_name": "T"})


def test_registration_does_not_reveal_an_existing_account(make_user: Any, clock: list[float]) -> None:
    make_user("taken@example.org")
    client_a, existing = _register("Taken@Example.org", "another-good-passphrase")
    client_b, new = _register("fresh@example.org")
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"] == "/accounts/register/sent/"
    page_a = client_a.get("/accounts/register/sent/").content.decode().replace("taken@example.org", "X")
    page_b = client_b.get("/accounts/register/sent/").content.decode().replace("fresh@example.org", "X")
    assert page_a == page_b
    assert [m.to for m in mail.outbox] == [["taken@example.org"], ["fresh@example.org"]]
    already, welcome = mail.outbox
    assert "this address already has one" in " ".join(already.body.split())
    assert "/accounts/password-reset/" in already.body
    assert "/accounts/activate/" in welcome.body
    # The existing account is untouched: its password is still the old one.
    assert Client().login(email="taken@example.org", password=PASSWORD)
    assert not Client().login(email="taken@example.org", password="another-good-passphrase")


def test_the_activation_link_activates_once(db: Any, clock: list[float]) -> None:
    _register("fresh@example.org")
    assert not Client().login(email="fresh@example.org", password=PASSWORD)  # not before the link
    path = next(w for w in mail.outbox[0].body.split() if "/accounts/activate/" in w).split("8000", 1)[1]
    client = Client()
    assert client.get(path).status_code == 200 and not User.objects.get(email="fresh@example.org").is_active
    assert client.post(path).status_code == 302 and signed_in(client)
    again = Client().post(path)
    assert again.status_code == 400 and "not valid" in again.content.decode()


def test_registering_someone_elses_address_first_does_not_keep_it(db: Any, clock: list[float]) -> None:
    _register("victim@example.org", "squatters-passphrase-1", REMOTE_ADDR="203.0.113.66")
    squatter_link = next(w for w in mail.outbox[0].body.split() if "/accounts/activate/" in w)
    _register("victim@example.org", "victims-own-passphrase")
    victim_link = next(w for w in mail.outbox[1].body.split() if "/accounts/activate/" in w)
    assert Client().post(squatter_link.split("8000", 1)[1]).status_code == 400  # replaced by the new one
    assert Client().post(victim_link.split("8000", 1)[1]).status_code == 302
    assert Client().login(email="victim@example.org", password="victims-own-passphrase")


def test_registration_mail_is_throttled_the_same_way(make_user: Any, clock: list[float]) -> None:
    make_user("taken@example.org")
    for email in ("taken@example.org", "fresh@example.org"):
        answers = [_register(email, REMOTE_ADDR=f"192.0.2.{n}")[1] for n in range(4)]
        assert [a.status_code for a in answers] == [302, 302, 302, 429]
        assert LOCKED in answers[3].content.decode()
    assert len(mail.outbox) == 6


def test_the_claim_confirmation_mail_is_throttled(make_user: Any, clock: list[float]) -> None:
    client = client_for(make_user("learner@example.org"))
    answers = [client.post("/wallet/confirm-email/", follow=True).content.decode() for _ in range(5)]
    assert len(mail.outbox) == 3
    assert LOCKED in answers[3] and LOCKED in answers[4]


def test_wrong_oauth_client_secrets_lock_the_client_id(org_a: Any, clock: list[float]) -> None:
    from credstack.organizations.actions import do_create_oauth_client
    from tests.platform.conftest import admin_of

    client, secret = do_create_oauth_client(organization=org_a, name="Harness", actor=admin_of(org_a))

    def ask(client_secret: str, address: str = "192.0.2.1") -> Any:
        form = {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client_secret}
        return Client(REMOTE_ADDR=address).post("/oauth/token", form)

    answers = [ask("cs_wrong-guess") for _ in range(10)]
    assert {a.status_code for a in answers[:9]} == {401}
    locked = ask(secret, "192.0.2.99")  # the right secret, from elsewhere: the client id is locked
    for answer in (answers[9], locked):
        assert answer.status_code == 429 and answer.json()["error"] == "temporarily_unavailable"
        assert answer.json()["detail"] == "Too many attempts; try again in 15 minutes."
        assert answer["Retry-After"] == "900"
    clock[0] += 15 * 60 + 1
    assert ask(secret, "192.0.2.99").status_code == 200
