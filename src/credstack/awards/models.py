"""Issued credentials, the status lists that revoke and suspend them, and bulk awards.

A :class:`Credential` row keeps the signed OpenBadgeCredential exactly as issued (``document``) next to
the facts it was built from. ``source`` is the idempotency key of the award ("assessment:<pk>",
"bulk-row:<pk>", "request:<uuid>", ...): a unique column, so retrying an award — a double click, a task
redelivered after a crash, two workers on the same row — can never create a second credential.

A :class:`StatusList` is a pair of Bitstring Status Lists (revocation and suspension) of one
organization; each credential gets the same index in both. Indexes are handed out under a lock on the
organization row through an odd-multiplier permutation of a counter, so they are unique, not in issuance
order (herd privacy, as the Bitstring Status List spec recommends), and a full list rolls over to the
next number. ``(status_list, status_index)`` is unique in the database as well.

A person holds a micro-credential at most once: ``unique_standing_credential`` (a partial unique index that
PostgreSQL and SQLite both enforce) refuses a second *standing* credential — not revoked, not superseded — of
the same organization, micro-credential and recipient, however many awards race for it. Expiry is a moment,
not a column an index can test, so an expired credential keeps its place until a new award of the same
micro-credential takes it over: the award marks it ``superseded_at`` in the same transaction (a renewal).

``mail_due_at`` is the award's outbox: set in the transaction that records the credential when its claim mail
is to be sent, cleared once it went out. The task sends it right after the commit; the sweep
(:mod:`credstack.awards.sweep`) sends whatever a lost task, a dead broker or a database blip left behind.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.signing.models import SigningKey

PURPOSES = ("revocation", "suspension")


class StatusList(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="status_lists")
    number = models.PositiveIntegerField()
    capacity = models.PositiveIntegerField(help_text="How many indexes this list hands out (a power of two).")
    allocated = models.PositiveIntegerField(default=0, help_text="How many indexes were handed out so far.")
    multiplier = models.PositiveBigIntegerField(help_text="Odd: index = (multiplier × n + offset) mod capacity.")
    offset = models.PositiveBigIntegerField()
    revocation_bits = models.BinaryField()
    suspension_bits = models.BinaryField()
    revocation_document = models.JSONField(null=True, blank=True)
    suspension_document = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "number"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="unique_status_list_number")]

    def __str__(self) -> str:
        return f"{self.organization.slug} status list {self.number} ({self.allocated}/{self.capacity})"

    def index_for(self, n: int) -> int:
        return (self.multiplier * n + self.offset) % self.capacity

    def url(self, purpose: str) -> str:
        return settings.CREDSTACK_BASE_URL + reverse(
            "awards:status_list", args=[self.organization.slug, self.number, purpose]
        )


class Origin(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment pass"
    MANUAL = "manual", "Manual award"
    BULK = "bulk", "Bulk award"
    API = "api", "Signed through the API"
    STACK = "stack", "Stack completed"


#: What the unique index over standing credentials covers (see the module notes).
STANDING = Q(revoked_at__isnull=True, superseded_at__isnull=True, micro_credential__isnull=False)


class CredentialQuerySet(models.QuerySet["Credential"]):
    def standing(self) -> CredentialQuerySet:
        """Not revoked nor superseded (suspended ones still count: suspension is reversible)."""
        return self.filter(revoked_at__isnull=True, superseded_at__isnull=True)

    def holding(self) -> CredentialQuerySet:
        """Standing and not expired: what "already holds" means for a new award (an expired one may be renewed)."""
        from django.utils import timezone

        return self.standing().filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))


class Credential(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="credentials")
    version = models.ForeignKey(
        MicroCredentialVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
        help_text="Empty for documents signed through the API.",
    )
    micro_credential = models.ForeignKey(
        "catalog.MicroCredential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version's micro-credential (kept here for the one-standing-credential index).",
    )
    origin = models.CharField(max_length=20, choices=Origin.choices)
    source = models.CharField(max_length=120, unique=True, help_text="Idempotency key of the award.")

    recipient_email = models.EmailField(blank=True, db_index=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    name_shown = models.BooleanField(
        default=False, help_text="Whether the name is in the credential (learner's choice)."
    )
    recipient_did = models.CharField(max_length=500, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="credentials"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    awarded_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    credits_earned = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    results = models.JSONField(default=dict, blank=True, help_text="{criterion key: level key}")
    evidence = models.JSONField(default=list, blank=True)
    evidence_public = models.BooleanField(default=False, help_text="Evidence pages open to anyone (learner's choice).")

    document = models.JSONField(help_text="The signed credential, as issued (re-signed on the learner's choices).")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField()

    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    superseded_at = models.DateTimeField(
        null=True, blank=True, help_text="When a newer award of the same micro-credential took its place."
    )
    mail_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Claim mail still to send (the outbox); empty once sent."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="unique_status_index"),
            models.UniqueConstraint(
                fields=["organization", "micro_credential", "recipient_email"],
                condition=STANDING,
                name="unique_standing_credential",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "recipient_email"]),
            # The issued list and the API's list (newest first, one page): read in index order, never sorted.
            models.Index(fields=["organization", "-awarded_at", "-id"], name="credential_org_newest"),
            # A learner's wallet, newest first.
            models.Index(fields=["recipient_user", "-awarded_at", "-id"], name="credential_holder_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_email or '(API)'}"

    @property
    def credential_id(self) -> str:
        return settings.CREDSTACK_BASE_URL + reverse("awards:credential", args=[self.public_id])

    @property
    def title(self) -> str:
        if self.version is not None:
            return self.version.name
        name = self.document.get("name") if isinstance(self.document, dict) else None
        return name if isinstance(name, str) else "Credential"

    @property
    def publishes_suspension(self) -> bool:
        """Whether the credential as issued carries a suspension status entry (verifiers elsewhere can see it)."""
        entries = self.document.get("credentialStatus") if isinstance(self.document, dict) else None
        entries = entries if isinstance(entries, list) else [entries]
        return any(isinstance(e, dict) and e.get("statusPurpose") == "suspension" for e in entries)

    @property
    def state(self) -> str:
        from django.utils import timezone

        if self.revoked_at:
            return "revoked"
        if self.suspended_at:
            return "suspended"
        if self.valid_until and self.valid_until <= timezone.now():
            return "expired"
        return "valid"

    def get_absolute_url(self) -> str:
        return reverse("awards:credential", args=[self.public_id])


class WalletSettings(models.Model):
    """A learner's choices for credentials issued to them: their DID, and whether their name is shown."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_settings")
    did = models.CharField("your DID", max_length=500, blank=True)
    #: Named by default (issue 14): a credential that does not say who earned it is of little use to an employer.
    #: Rows saved before kept their value: a learner who left the box unticked then made that choice.
    show_name = models.BooleanField("put my name in new credentials", default=True)
    updated_at = models.DateTimeField(auto_now=True)


class BulkStatus(models.TextChoices):
    VALIDATED = "validated", "Checked, waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Issuing"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class BulkAward(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bulk_awards")
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=BulkStatus.choices, default=BulkStatus.VALIDATED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    duplicate_rows = models.PositiveIntegerField(default=0, help_text="Already awarded before this file.")
    error_rows = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0, help_text="Rows whose credential could not be built.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=200, blank=True, help_text="Who is issuing now (host:pid), for resuming.")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def done_rows(self) -> int:
        return self.issued + self.skipped + self.failed

    @property
    def to_issue(self) -> int:
        return self.valid_rows

    @property
    def percent(self) -> int:
        return 100 if not self.valid_rows else min(100, round(100 * self.done_rows / self.valid_rows))


class RowState(models.TextChoices):
    VALID = "valid", "To issue"
    ERROR = "error", "Rejected"
    DUPLICATE = "duplicate", "Already awarded"
    ISSUED = "issued", "Issued"
    SKIPPED = "skipped", "Skipped (awarded meanwhile)"
    FAILED = "failed", "Failed at issue"


class BulkRow(models.Model):
    bulk = models.ForeignKey(BulkAward, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(help_text="Line in the file (the header is line 1).")
    email = models.CharField(max_length=320)
    name = models.CharField(max_length=200, blank=True)
    achievement = models.CharField(max_length=120)
    version = models.ForeignKey(
        MicroCredentialVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_url = models.CharField(max_length=2000, blank=True)
    evidence_narrative = models.TextField(blank=True)
    awarded_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=RowState.choices)
    errors = models.JSONField(default=dict, blank=True, help_text="{column: message}")
    credential = models.OneToOneField(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="bulk_row"
    )

    class Meta:
        ordering = ["bulk", "line"]
        constraints = [models.UniqueConstraint(fields=["bulk", "line"], name="unique_bulk_line")]
        indexes = [models.Index(fields=["bulk", "state", "line"])]

    def __str__(self) -> str:
        return f"line {self.line}: {self.email} {self.achievement} ({self.state})"
