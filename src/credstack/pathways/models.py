"""Stacks: micro-credentials that add up to something bigger, awarded automatically when complete.

A :class:`Stack` belongs to an organization and requires some of its micro-credentials: all of them, or
``required_count`` of them. Any version of a required micro-credential counts, as long as the learner's
credential stands (not revoked or suspended, not expired). A stack is edited while it is a draft; once
published its requirements are frozen (what learners work toward does not move under them) and it can
only be retired, which stops new awards and leaves those made standing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization

#: Open Badges 3.0 achievement types that suit a stack (the OB 3.0 enumeration, a sensible subset).
STACK_ACHIEVEMENT_TYPES = (
    ("Certificate", "Certificate"),
    ("Certification", "Certification"),
    ("License", "Licence (or licence renewal)"),
    ("LearningProgram", "Learning program"),
    ("Award", "Award"),
)


class StackStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Stack(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="stacks")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=500)
    criteria_narrative = models.TextField(
        blank=True, help_text="What earning it means; left empty, the rule and the list of micro-credentials."
    )
    achievement_type = models.CharField(max_length=40, choices=STACK_ACHIEVEMENT_TYPES, default="Certificate")
    required_count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many of the micro-credentials are needed; empty: all of them."
    )
    validity_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long the stack credential is valid; empty: no expiry."
    )
    status = models.CharField(max_length=20, choices=StackStatus.choices, default=StackStatus.DRAFT)
    micro_credentials = models.ManyToManyField(MicroCredential, through="StackRequirement", related_name="stacks")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="unique_stack_slug")]
        ordering = ["organization__name", "name"]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("pathways:detail", args=[self.organization.slug, self.slug])

    @property
    def achievement_id(self) -> str:
        """The Open Badges achievement id of the stack: its public page."""
        return settings.CREDSTACK_BASE_URL + self.get_absolute_url()

    def requirements(self) -> list[MicroCredential]:
        return [r.micro_credential for r in self.stack_requirements.select_related("micro_credential").all()]

    @property
    def needed(self) -> int:
        """How many standing credentials complete the stack."""
        return self.needed_of(self.stack_requirements.count())

    def needed_of(self, total: int) -> int:
        """How many of ``total`` micro-credentials complete the stack: ``required_count`` of them, or all."""
        return min(self.required_count, total) if self.required_count else total


class StackRequirement(models.Model):
    stack = models.ForeignKey(Stack, on_delete=models.CASCADE, related_name="stack_requirements")
    micro_credential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stack", "micro_credential"], name="unique_stack_requirement"),
        ]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.stack} needs {self.micro_credential}"


class StackAward(models.Model):
    """A learner completed a stack: the credential it was awarded, and the ones that completed it."""

    stack = models.ForeignKey(Stack, on_delete=models.PROTECT, related_name="awards")
    credential = models.OneToOneField("awards.Credential", on_delete=models.PROTECT, related_name="stack_award")
    components = models.ManyToManyField("awards.Credential", related_name="counted_in_stacks")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.stack} → {self.credential.recipient_email}"
