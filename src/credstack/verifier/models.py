"""Share links: a learner's revocable, optionally expiring link that shows a credential verified live."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def new_token() -> str:
    """256 random bits: the link is the only thing that grants a look at the learner's private evidence."""
    return secrets.token_urlsafe(32)


class ShareLink(models.Model):
    credential = models.ForeignKey("awards.Credential", on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    label = models.CharField(max_length=100, blank=True, help_text="Who the link is for (seen only by you).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Share link {self.label or self.pk} for {self.credential_id}"

    def get_absolute_url(self) -> str:
        return reverse("verifier:shared", args=[self.token])

    @property
    def url(self) -> str:
        return settings.CREDSTACK_BASE_URL + self.get_absolute_url()

    def active_at(self, moment: datetime | None = None) -> bool:
        moment = moment or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "withdrawn"
        return "active" if self.active_at() else "expired"
