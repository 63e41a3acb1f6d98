"""do_register_user (the demo, operators): an active account at once, and every fault of the input at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credstack.accounts.actions import do_register_user
from credstack.accounts.models import User
from tests.platform.conftest import PASSWORD


def test_an_account_is_created_active_with_the_normalized_address(db: Any) -> None:
    user = do_register_user(email=" Pat@Example.ORG ", password=PASSWORD, display_name=" Pat ")
    assert (user.email, user.display_name, user.is_active) == ("pat@example.org", "Pat", True)


def test_a_taken_address_and_a_weak_password_are_both_reported_and_nothing_is_saved(db: Any) -> None:
    User.objects.create_user("taken@example.org", PASSWORD)
    with pytest.raises(ValidationError) as error:
        do_register_user(email="TAKEN@example.org", password="123")
    assert "already exists" in error.value.message_dict["email"][0]
    assert error.value.message_dict["password"]
    assert User.objects.count() == 1


def test_a_missing_address_is_reported(db: Any) -> None:
    with pytest.raises(ValidationError) as error:
        do_register_user(email="  ", password=PASSWORD)
    assert error.value.message_dict == {"email": ["Enter an email address."]}
