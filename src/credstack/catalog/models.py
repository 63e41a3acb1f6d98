"""Micro-credential definitions and their versions.

A :class:`MicroCredential` is the stable identity (organization + slug). Its content lives in
:class:`MicroCredentialVersion` rows: editing a published definition creates a new draft version,
so everything earned keeps pointing at the exact version it was earned under. At most one draft
and one published version exist per micro-credential (database constraints, not just code).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from credstack.catalog.definition import EDUCATOR_ROLES, GRADE_BANDS, SUBJECT_AREAS
from credstack.organizations.models import Organization


class MicroCredential(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="micro_credentials")
    slug = models.SlugField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="unique_microcredential_slug")]
        ordering = ["organization__name", "slug"]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.slug}"

    def published_version(self) -> MicroCredentialVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()

    def draft_version(self) -> MicroCredentialVersion | None:
        return self.versions.filter(status=VersionStatus.DRAFT).first()

    def latest_version(self) -> MicroCredentialVersion:
        return self.versions.order_by("-version").first()  # type: ignore[return-value]


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    RETIRED = "retired", "Retired"


class VersionQuerySet(models.QuerySet["MicroCredentialVersion"]):
    def published(self) -> VersionQuerySet:
        return self.filter(status=VersionStatus.PUBLISHED)

    def public(self) -> VersionQuerySet:
        """Versions anyone may read: everything except drafts (earned versions stay readable)."""
        return self.exclude(status=VersionStatus.DRAFT)


class MicroCredentialVersion(models.Model):
    micro_credential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)

    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=500)
    competency_statement = models.TextField()
    key_method = models.TextField()
    method_components = models.JSONField(default=list, blank=True)
    supporting_research = models.JSONField(default=list, blank=True)
    resources = models.JSONField(default=list, blank=True)
    criteria_narrative = models.TextField(blank=True)
    alignments = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    achievement_type = models.CharField(max_length=60, default="MicroCredential")
    credits_available = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    image = models.ImageField(upload_to="achievements/", blank=True)
    #: The badge designer's choices (``catalog.artwork``); missing keys are derived from the name. An uploaded
    #: ``image`` wins over the design.
    design = models.JSONField(default=dict, blank=True)
    related = models.ManyToManyField(MicroCredential, blank=True, related_name="related_from")

    subject_areas = models.JSONField(default=list)
    grade_bands = models.JSONField(default=list)
    roles = models.JSONField(default=list, blank=True)
    estimated_hours = models.PositiveSmallIntegerField()
    pd_hours = models.DecimalField(
        "professional development hours", max_digits=7, decimal_places=2, null=True, blank=True
    )
    expiry_months = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: never expires.")

    max_attempts = models.PositiveSmallIntegerField(
        default=3, help_text="How many times a learner may submit (the first submission and resubmissions)."
    )

    submission = models.JSONField(default=dict)
    rubric = models.JSONField(default=dict)

    # Denormalized for filtering on every database: " subject:science grade:6-8 role:teacher ".
    facets = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    search_text = models.TextField(blank=True, editable=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["micro_credential", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["micro_credential", "version"], name="unique_version_number"),
            models.UniqueConstraint(
                fields=["micro_credential"], condition=Q(status="draft"), name="one_draft_per_microcredential"
            ),
            models.UniqueConstraint(
                fields=["micro_credential"], condition=Q(status="published"), name="one_published_per_microcredential"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version}, {self.status})"

    @property
    def organization(self) -> Organization:
        return self.micro_credential.organization

    @property
    def slug(self) -> str:
        return self.micro_credential.slug

    def get_absolute_url(self) -> str:
        url = reverse("catalog:detail", args=[self.micro_credential.organization.slug, self.micro_credential.slug])
        return url if self.status == VersionStatus.PUBLISHED else f"{url}?version={self.version}"

    @property
    def achievement_id(self) -> str:
        """The public id of the Open Badges Achievement for this version."""
        return settings.CREDSTACK_BASE_URL + reverse(
            "catalog:achievement_json",
            args=[self.micro_credential.organization.slug, self.micro_credential.slug, self.version],
        )

    def definition(self) -> dict[str, Any]:
        """The content in the shared definition format (see catalog.definition)."""
        return {field: _plain(getattr(self, field)) for field in DEFINITION_FIELDS}

    def artwork_design(self) -> dict[str, str]:
        """The complete design the artwork is drawn from (the stored one, completed from the default)."""
        from credstack.catalog.artwork import effective_design

        return effective_design(self.design, self.name, self.micro_credential.organization.slug)

    def artwork_url(self, ext: str = "png") -> str:
        """Where this version's artwork is served (the uploaded image, or the designed badge)."""
        mc = self.micro_credential
        return reverse("catalog:artwork", args=[mc.organization.slug, mc.slug, self.version, ext])

    def subject_labels(self) -> list[str]:
        return [SUBJECT_AREAS.get(s, s) for s in self.subject_areas]

    def grade_labels(self) -> list[str]:
        return [GRADE_BANDS.get(g, g) for g in self.grade_bands]

    def role_labels(self) -> list[str]:
        return [EDUCATOR_ROLES.get(r, r) for r in self.roles]

    def refresh_index(self) -> None:
        self.facets = (
            " "
            + " ".join(
                [f"subject:{s}" for s in self.subject_areas]
                + [f"grade:{g}" for g in self.grade_bands]
                + [f"role:{r}" for r in self.roles]
            )
            + " "
        )
        self.search_text = "\n".join(
            [
                self.name,
                self.summary,
                self.competency_statement,
                " ".join(self.tags),
                self.micro_credential.organization.name,
            ]
        ).lower()


DEFINITION_FIELDS = (
    "name",
    "summary",
    "competency_statement",
    "key_method",
    "method_components",
    "supporting_research",
    "resources",
    "criteria_narrative",
    "alignments",
    "tags",
    "achievement_type",
    "credits_available",
    "subject_areas",
    "grade_bands",
    "roles",
    "estimated_hours",
    "pd_hours",
    "expiry_months",
    "max_attempts",
    "submission",
    "rubric",
    "design",
)


def _plain(value: Any) -> Any:
    from decimal import Decimal

    return str(value) if isinstance(value, Decimal) else value
