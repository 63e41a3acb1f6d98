"""Account actions: every write to an account goes through here.

Registration on the site never says whether an address already has an account: :func:`do_request_registration`
answers the same way and sends one mail either way — a link that activates the new (inactive) account, or,
when the address already has one, a "you already have an account" note with links to sign in and to reset the
password. A registration for an address whose account was registered but never activated (inactive and never
signed in) starts over with the new password: someone who registered another person's address first cannot
keep it, because only the mailbox's owner can open the link.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from credstack.accounts.models import User
from credstack.core import audit
from credstack.core.mail import send_after_commit


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Activation links: valid for ``PASSWORD_RESET_TIMEOUT``, once (activating changes ``is_active``), and only
    for the latest registration (a new one changes the password hash)."""

    key_salt = "credstack.accounts.activation"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


activation_tokens = ActivationTokenGenerator()
ACTIVATION_INVALID = "This activation link is not valid, was used already or has expired. Register again for a new one."


def normalized_email(email: str) -> str:
    return User.objects.normalize_email(email).strip().lower()


def clean_registration(*, email: str, password: str, display_name: str = "", refuse_taken: bool = False) -> str:
    """The normalized address; ValidationError (field-keyed) for a missing address or a weak password. Says
    nothing about whether an account exists, unless ``refuse_taken`` (an operator creating an account at once):
    then an address that has one is refused too."""
    email = normalized_email(email)
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = ["Enter an email address."]
    elif refuse_taken and User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email address already exists. Sign in or reset your password."]
    try:
        validate_password(password, User(email=email, display_name=display_name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return email


def _awaiting_activation(user: User) -> bool:
    return not user.is_active and user.last_login is None


def _mail(template: str, to: str, **context: Any) -> None:
    body = render_to_string(f"accounts/mail/{template}.txt", {"base": settings.CREDSTACK_BASE_URL, **context})
    subject, _, text = body.partition("\n\n")
    send_after_commit(subject.strip(), text.strip() + "\n", [to])


def do_request_registration(*, email: str, password: str, display_name: str = "") -> None:
    """Register from the site: one mail to the address, whatever the case (see the module notes)."""
    email = clean_registration(email=email, password=password, display_name=display_name)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and not _awaiting_activation(user):
            make_password(password)  # the time a new account's hash takes: the answer's timing tells nothing
            audit.record("account.registration_repeated", user, actor=None)
            _mail("already_registered", user.email, user=user)
            return
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, display_name=display_name.strip(), is_active=False
            )
            audit.record("account.registered", user, actor=None)
        else:
            user.set_password(password)
            user.display_name = display_name.strip()
            user.save(update_fields=["password", "display_name"])
            audit.record("account.registration_renewed", user, actor=None)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = settings.CREDSTACK_BASE_URL + reverse(
            "accounts:activate", args=[uid, activation_tokens.make_token(user)]
        )
        _mail("activate", user.email, user=user, link=link)


def do_activate_user(*, uidb64: str, token: str) -> User:
    """Activate the account an activation link names; ValidationError when the link is not (or no longer) valid."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError({"token": [ACTIVATION_INVALID]}) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk).first()
        if user is None or not _awaiting_activation(user) or not activation_tokens.check_token(user, token):
            raise ValidationError({"token": [ACTIVATION_INVALID]})
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record("account.activated", user, actor=user)
    return user


def do_register_user(*, email: str, password: str, display_name: str = "", actor: User | None = None) -> User:
    """Create an active learner account at once (the demo, operators). Raises ValidationError (field-keyed) on bad
    input; saves nothing then. The site's registration form uses :func:`do_request_registration` instead."""
    email = clean_registration(email=email, password=password, display_name=display_name, refuse_taken=True)
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, display_name=display_name.strip())
        audit.record("account.registered", user, actor=actor or user)
    return user


def do_create_admin(*, email: str, password: str, display_name: str = "") -> User:
    """Create a staff superuser (``credstack createadmin``)."""
    email = normalized_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [f"{email!r} is not a valid email address."]}) from None
    if len(display_name) > 150:
        raise ValidationError({"display_name": ["The name must be at most 150 characters."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this email address already exists."]})
    validate_password(password, User(email=email))
    with transaction.atomic():
        user = User.objects.create_superuser(email=email, password=password, display_name=display_name)
        audit.record("account.admin_created", user, actor=None)
    return user


def do_register_proven_address(*, email: str, password: str, display_name: str = "", proof: str) -> User:
    """Create an active account for an address whose mailbox is already proven (``proof`` says how, e.g. the claim
    link of a credential mailed there): no activation mail, since opening that link was the confirmation.

    An account registered for the address but never activated starts over with this password and is activated (only
    the mailbox's owner has the link). An address with a working account is refused with a pointer to sign in — the
    person asking owns the mailbox, so telling them is no leak.
    """
    email = clean_registration(email=email, password=password, display_name=display_name)
    if len(display_name.strip()) > 150:
        raise ValidationError({"display_name": ["The name must be at most 150 characters."]})
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and not _awaiting_activation(user):
            raise ValidationError(
                {"email": ["You already have an account with this address: sign in (or reset your password)."]}
            )
        if user is None:
            user = User.objects.create_user(email=email, password=password, display_name=display_name.strip())
        else:
            user.set_password(password)
            user.display_name, user.is_active = display_name.strip(), True
            user.save(update_fields=["password", "display_name", "is_active"])
        audit.record("account.registered", user, actor=user, proven_by=proof)
    return user
