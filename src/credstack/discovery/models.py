"""What a learner teaches and wants to learn, so the catalog can suggest what fits them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LearnerProfile(models.Model):
    """Subjects, grade bands and roles use the catalog's vocabulary (``credstack.catalog.definition``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile")
    subjects = models.JSONField(default=list, blank=True)
    grade_bands = models.JSONField(default=list, blank=True)
    roles = models.JSONField(default=list, blank=True)
    goals = models.TextField(blank=True, help_text="In the learner's words; used to rank suggestions.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"

    @property
    def is_empty(self) -> bool:
        return not (self.subjects or self.grade_bands or self.roles or self.goals.strip())
