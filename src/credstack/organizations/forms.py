from __future__ import annotations

from typing import Any

from django import forms

from credstack.core.inputs import WebURLField
from credstack.organizations.models import Organization, Role


class ProfileForm(forms.ModelForm):
    image = forms.FileField(required=False, help_text="PNG, JPEG or WebP, at most 2 MB.")
    url = WebURLField(label="Website", required=False, max_length=200)

    class Meta:
        model = Organization
        fields = [
            "name",
            "url",
            "email",
            "description",
            "turnaround_days",
            "second_review",
            "second_review_sample_percent",
            "publish_suspension",
            "did_method",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "did_method": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the identity is kept as it is unless the admin picks another (older forms and scripts post no choice)
        self.fields["did_method"].required = False

    def clean_did_method(self) -> str:
        return str(self.cleaned_data.get("did_method") or self.instance.did_method)


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email of an existing account")
    role = forms.ChoiceField(choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, label="What is this key for?")


class OAuthClientForm(forms.Form):
    # Its own field name, so its input's id does not clash with the API key form's on the same page.
    client_name = forms.CharField(max_length=100, label="What is this client for?")
