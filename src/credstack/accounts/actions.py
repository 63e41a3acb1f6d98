"""Account actions: every write to an account goes through here."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from credstack.accounts.models import User
from credstack.core import audit


def do_register_user(*, email: str, password: str, display_name: str = "", actor: User | None = None) -> User:
    """Create a learner account. Raises ValidationError (field-keyed) on bad input; saves nothing then."""
    email = User.objects.normalize_email(email).strip().lower()
    errors: dict[str, list[str]] = {}
    if not email:
        errors["email"] = ["Enter an email address."]
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email address already exists. Sign in or reset your password."]
    try:
        validate_password(password, User(email=email, display_name=display_name))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, display_name=display_name.strip())
        audit.record("account.registered", user, actor=actor or user)
    return user


def do_create_admin(*, email: str, password: str, display_name: str = "") -> User:
    """Create a staff superuser (``credstack createadmin``)."""
    email = User.objects.normalize_email(email).strip().lower()
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
