"""Throttling of sign-in failures and of mail sent on a visitor's request.

Without it, 40 wrong passwords and then the right one signed in, and 25 reset requests sent 25 mails. Now:

- **Sign-in**: after ``SIGN_IN_FAILURES_PER_ACCOUNT`` failures for one email address, or
  ``SIGN_IN_FAILURES_PER_ADDRESS`` from one client address, within the window, that account (or that
  address) cannot sign in — not even with the right password — until the lock ends; the page says "Too many
  attempts; try again in N minutes." The lock sits in the authentication path itself
  (:class:`SignInThrottleBackend`, listed first in ``AUTHENTICATION_BACKENDS``; failures are counted from
  Django's ``user_login_failed`` signal), so the sign-in page, the Django admin's and anything else calling
  ``authenticate()`` are covered alike; ``/oauth/token`` counts a wrong client secret the same way, per client
  id (``count_failed_sign_in``). A success clears the account's count. Locking by account lets someone
  who knows an address keep its owner out for a while; the owner can still reset their password, and the
  lock ends by itself — the usual price of stopping password guessing.
- **Mail**: a form that sends mail to an address it is given (password reset, registration, the claim
  confirmation) sends at most ``MAIL_PER_RECIPIENT`` mails to one address and ``MAIL_PER_CLIENT`` for one
  client address per window. It counts every request for an address, whether an account exists or not, so
  the answer ("Too many requests; try again in N minutes.") tells nothing about accounts.

Why Django's cache and not django-axes: the project already counts verifier requests in the cache
(``credstack.verifier.limits``); throttling state is short-lived and needs no table, migration, admin or
middleware of its own, and it also has to cover mail, which django-axes does not. The counters are shared
between processes when the cache is (configure a shared cache, e.g. Redis, when running several web
processes); clients are ``REMOTE_ADDR`` (see ``credstack.verifier.limits`` for proxies). Keys are hashed, so
no address or email is stored in the cache in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.http import HttpRequest

from credstack.verifier.limits import client_address


@dataclass(frozen=True)
class Rule:
    """``count`` events per ``seconds``; the ``count``-th locks the key for ``seconds``."""

    scope: str
    count: int
    seconds: int


def _rule(name: str, default: tuple[int, int]) -> Rule:
    count, seconds = getattr(settings, f"CREDSTACK_{name}", default)
    return Rule(name.lower(), int(count), int(seconds))


def sign_in_rules() -> tuple[Rule, Rule]:
    """(per account, per client address); each overridable as a ``(count, seconds)`` setting."""
    return (
        _rule("SIGN_IN_FAILURES_PER_ACCOUNT", (10, 15 * 60)),
        _rule("SIGN_IN_FAILURES_PER_ADDRESS", (50, 15 * 60)),
    )


def mail_rules() -> tuple[Rule, Rule]:
    """(per recipient, per client address)."""
    # 30 per client: a workshop behind one school address registers its participants in one go.
    return _rule("MAIL_PER_RECIPIENT", (3, 3600)), _rule("MAIL_PER_CLIENT", (30, 3600))


def _now() -> float:
    return time.time()


def _key(rule: Rule, kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{rule.scope}\0{value.strip().lower()}".encode()).hexdigest()[:32]
    return f"throttle:{rule.scope}:{kind}:{digest}"


def wait_seconds(rule: Rule, value: str) -> int:
    """Seconds until ``value`` may act again under ``rule`` (0: now)."""
    until = cache.get(_key(rule, "lock", value))
    left = (until or 0) - _now()
    return math.ceil(left) if left > 0 else 0


def count(rule: Rule, value: str) -> int:
    """Count one event for ``value``; the ``rule.count``-th locks it. Returns the seconds it must now wait."""
    counter = _key(rule, "count", value)
    cache.add(counter, 0, timeout=rule.seconds)
    try:
        seen = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=rule.seconds)
        seen = 1
    if seen >= rule.count:
        cache.set(_key(rule, "lock", value), _now() + rule.seconds, timeout=rule.seconds)
        cache.delete(counter)  # counting starts over once the lock ends
        return rule.seconds
    return 0


def clear(rule: Rule, value: str) -> None:
    cache.delete_many([_key(rule, "count", value), _key(rule, "lock", value)])


def too_many(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}."


class Throttled(ValidationError):
    """Refused for now; ``wait`` says for how many seconds."""

    def __init__(self, wait: int, message: str | None = None) -> None:
        super().__init__(message or too_many(wait), code="throttled")
        self.wait = wait


# -- sign-in ------------------------------------------------------------------------------------------------


def _address(request: HttpRequest | None) -> str | None:
    return client_address(request) if request is not None else None


def sign_in_wait(request: HttpRequest | None, email: str | None) -> int:
    """Seconds before this account, from this client, may try to sign in again (0: now)."""
    by_account, by_address = sign_in_rules()
    waits = [wait_seconds(by_account, email) if email else 0]
    address = _address(request)
    if address:
        waits.append(wait_seconds(by_address, address))
    return max(waits)


class SignInThrottleBackend(BaseBackend):
    """First in ``AUTHENTICATION_BACKENDS``: refuses, before any password is checked, an account or client
    that is locked (``PermissionDenied`` stops ``authenticate()``); it never signs anyone in itself."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **credentials: Any) -> None:
        email = username or credentials.get("email")
        if sign_in_wait(request, email):
            raise PermissionDenied(too_many(sign_in_wait(request, email)))
        return None

    def get_user(self, user_id: Any) -> Any:
        # Sessions that name this backend (force_login picks the first one) load users as ModelBackend does.
        return ModelBackend().get_user(user_id)


def count_failed_sign_in(request: HttpRequest | None, account: str | None) -> int:
    """Count a failed sign-in of ``account`` (an email, or ``oauth:<client id>``) from this client; returns the
    seconds it must now wait (0: it may try again)."""
    if sign_in_wait(request, account):
        return sign_in_wait(request, account)  # refused while locked: attempts then do not extend the lock
    by_account, by_address = sign_in_rules()
    if account:
        count(by_account, str(account))
    address = _address(request)
    if address:
        count(by_address, address)
    return sign_in_wait(request, account)


@receiver(user_login_failed, dispatch_uid="credstack.accounts.throttle.failed")
def _count_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any) -> None:
    count_failed_sign_in(request, credentials.get("username") or credentials.get("email"))


@receiver(user_logged_in, dispatch_uid="credstack.accounts.throttle.succeeded")
def _clear_on_success(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    clear(sign_in_rules()[0], user.email)


# -- mail ---------------------------------------------------------------------------------------------------


def count_mail(request: HttpRequest, recipient: str) -> None:
    """Count a mail a visitor asks for; raises :class:`Throttled` (sending nothing) over either limit."""
    by_recipient, by_client = mail_rules()
    address = client_address(request)
    wait = max(wait_seconds(by_recipient, recipient), wait_seconds(by_client, address))
    if wait:
        raise Throttled(wait)
    count(by_recipient, recipient)
    count(by_client, address)
