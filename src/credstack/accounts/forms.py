from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from credstack.accounts import throttle


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def clean(self) -> dict[str, Any]:
        """Refuse a locked account or client with how long to wait (``credstack.accounts.throttle``), also right
        after the failure that locked it."""
        email = self.cleaned_data.get("username")
        wait = throttle.sign_in_wait(self.request, email)
        if wait:
            raise throttle.Throttled(wait)
        try:
            return super().clean()
        except ValidationError:
            wait = throttle.sign_in_wait(self.request, email)
            if wait:
                raise throttle.Throttled(wait) from None
            raise


class RegisterForm(forms.Form):
    display_name = forms.CharField(
        label="Your name", max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
