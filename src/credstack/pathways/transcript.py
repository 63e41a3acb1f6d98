"""The learner's transcript: the micro-credentials and stacks they hold, with PD hours and credits per year.

One :class:`Transcript` feeds the page, the PDF (:mod:`credstack.pathways.transcript_pdf`) and the per-issuer
CLR 2.0 (:func:`clr_document`). What counts is what the learner holds on their account (claimed credentials,
as in My credentials): revoked and superseded credentials are left out; an expired one stays (the hours were
earned when it was awarded) and says so; a suspended one is listed but its hours do not count while it is
suspended. PD hours come from the micro-credential version earned; credits are the credential's own
``creditsEarned``.

A CLR is issued by one issuer, so a transcript that spans organizations is offered as one CLR per
organization: that organization's credentials of this learner, signed with its key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from credstack.awards import documents
from credstack.awards.models import Credential
from credstack.organizations.models import Organization
from credstack.pathways import actions
from credstack.pathways.models import StackAward
from credstack.vc import builders as b

# States whose hours count in the totals.
COUNTED_STATES = ("valid", "expired")


@dataclass(frozen=True)
class Entry:
    """One micro-credential (or other non-stack credential) on the transcript."""

    credential: Credential
    title: str
    issuer: str
    issuer_slug: str
    awarded_at: dt.datetime
    pd_hours: Decimal | None
    credits: Decimal | None
    state: str
    verify_url: str

    @property
    def counted(self) -> bool:
        return self.state in COUNTED_STATES


@dataclass(frozen=True)
class StackLine:
    name: str
    issuer: str
    url: str
    earned: int
    needed: int
    awarded_at: dt.datetime | None
    state: str
    verify_url: str


@dataclass(frozen=True)
class YearTotal:
    year: int
    count: int
    pd_hours: Decimal
    credits: Decimal


@dataclass(frozen=True)
class Period:
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def label(self) -> str:
        if self.start and self.end:
            return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"
        if self.start:
            return f"from {self.start:%-d %b %Y}"
        if self.end:
            return f"up to {self.end:%-d %b %Y}"
        return "all dates"

    def contains(self, moment: dt.datetime) -> bool:
        day = timezone.localdate(moment)
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def query(self) -> dict[str, str]:
        return {k: v.isoformat() for k, v in (("from", self.start), ("to", self.end)) if v is not None}


@dataclass(frozen=True)
class Transcript:
    learner_name: str
    learner_email: str
    generated_at: dt.datetime
    period: Period
    entries: tuple[Entry, ...]
    completed: tuple[StackLine, ...]
    in_progress: tuple[StackLine, ...]
    years: tuple[YearTotal, ...]
    total_pd_hours: Decimal
    total_credits: Decimal
    organizations: tuple[Organization, ...]

    @property
    def counted(self) -> int:
        return sum(1 for e in self.entries if e.counted)


def format_hours(value: Decimal | None) -> str:
    """2.50 -> "2.5", 12.00 -> "12", None -> "—"."""
    if value is None:
        return "—"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_period(start: str, end: str) -> Period:
    """The period the learner asked for (ISO dates, either may be empty); a readable error otherwise."""
    errors = {}
    days: dict[str, dt.date | None] = {}
    for key, text in (("from", start), ("to", end)):
        text = (text or "").strip()
        if not text:
            days[key] = None
            continue
        try:
            days[key] = dt.date.fromisoformat(text)
        except ValueError:
            errors[key] = f"“{text[:40]}” is not a date (use the date picker, or write it as 2026-09-01)."
    if not errors and days["from"] and days["to"] and days["from"] > days["to"]:
        errors["to"] = "The end of the period is before its start."
    if errors:
        raise ValidationError(errors)
    return Period(days["from"], days["to"])


def _absolute(path: str) -> str:
    return settings.CREDSTACK_BASE_URL + path


def _stack_awards(user: Any) -> dict[int, StackAward]:
    """The user's stack awards, by the stack credential's id."""
    return _stack_awards_of(Q(credential__recipient_user=user))


def _stack_awards_of(mine: Q) -> dict[int, StackAward]:
    return {
        award.credential_id: award for award in StackAward.objects.filter(mine).select_related("stack__organization")
    }


def build(user: Any, period: Period | None = None) -> Transcript:
    """The transcript of ``user``'s claimed credentials, entries and totals limited to ``period``."""
    return _build(
        actions.Holder.account(user),
        name=getattr(user, "name", "") or user.email,
        email=user.email,
        period=period or Period(),
        progress=[p for p in actions.learner_progress(user) if p.awarded is None],
    )


def build_for_organization(credential: Credential, period: Period | None = None) -> Transcript:
    """What ``credential``'s organization issued to its recipient (by the address awarded to, and by the account
    once claimed): the organization admin's view of one learner, never another organization's credentials."""
    holder = actions.Holder.of(credential)
    organization = credential.organization
    name = credential.recipient_name or (credential.recipient_user.name if credential.recipient_user else "")
    return _build(
        holder,
        name=name or holder.email,
        email=holder.email,
        period=period or Period(),
        progress=[],
        organization=organization,
    )


def _build(
    holder: actions.Holder,
    *,
    name: str,
    email: str,
    period: Period,
    progress: list[actions.Progress],
    organization: Organization | None = None,
) -> Transcript:
    held_query = Credential.objects.standing().filter(holder.credentials())
    if organization is not None:
        held_query = held_query.filter(organization=organization)
    held = list(held_query.select_related("organization", "version__micro_credential").order_by("awarded_at", "pk"))
    stack_awards = _stack_awards_of(holder.credentials("credential__"))
    entries = []
    for credential in held:
        if credential.pk in stack_awards or not period.contains(credential.awarded_at):
            continue
        version = credential.version
        entries.append(
            Entry(
                credential=credential,
                title=credential.title,
                issuer=credential.organization.name,
                issuer_slug=credential.organization.slug,
                awarded_at=credential.awarded_at,
                pd_hours=version.pd_hours if version is not None else None,
                credits=credential.credits_earned,
                state=credential.state,
                verify_url=_absolute(credential.get_absolute_url()),
            )
        )
    by_year: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.counted:
            by_year[timezone.localdate(entry.awarded_at).year].append(entry)
    years = tuple(
        YearTotal(
            year=year,
            count=len(found),
            pd_hours=sum((e.pd_hours or Decimal(0) for e in found), Decimal(0)),
            credits=sum((e.credits or Decimal(0) for e in found), Decimal(0)),
        )
        for year, found in sorted(by_year.items())
    )
    completed = []
    for credential in held:
        award = stack_awards.get(credential.pk)
        if award is None or not period.contains(credential.awarded_at):
            continue
        completed.append(
            StackLine(
                name=award.stack.name,
                issuer=award.stack.organization.name,
                url=award.stack.get_absolute_url(),
                earned=award.components.count(),
                needed=award.stack.needed,
                awarded_at=credential.awarded_at,
                state=credential.state,
                verify_url=_absolute(credential.get_absolute_url()),
            )
        )
    in_progress = tuple(
        StackLine(
            name=p.stack.name,
            issuer=p.stack.organization.name,
            url=p.stack.get_absolute_url(),
            earned=p.earned,
            needed=p.needed,
            awarded_at=None,
            state="in progress",
            verify_url="",
        )
        for p in progress
    )
    organizations = {c.organization.pk: c.organization for c in held}
    return Transcript(
        learner_name=name,
        learner_email=email,
        generated_at=timezone.now(),
        period=period,
        entries=tuple(entries),
        completed=tuple(completed),
        in_progress=in_progress,
        years=years,
        total_pd_hours=sum((y.pd_hours for y in years), Decimal(0)),
        total_credits=sum((y.credits for y in years), Decimal(0)),
        organizations=tuple(sorted(organizations.values(), key=lambda o: o.name)),
    )


def clr_document(user: Any, organization: Organization) -> dict[str, Any] | None:
    """A CLR 2.0 ClrCredential (unsigned) of every credential ``organization`` issued to ``user`` that still
    stands and has not expired, or None when there is none. Stacks say which micro-credentials completed them
    (``isParentOf``); the CLR is valid until the first of its credentials expires."""
    held = [
        c
        for c in Credential.objects.holding()
        .filter(recipient_user=user, organization=organization, suspended_at__isnull=True)
        .select_related("version__micro_credential__organization", "organization")
        .order_by("awarded_at", "pk")
    ]
    if not held:
        return None
    stack_awards = _stack_awards(user)
    achievements: dict[str, b.Achievement] = {}
    associations: list[b.Association] = []
    ids = {c.pk for c in held}
    for credential in held:
        award = stack_awards.get(credential.pk)
        if award is not None:
            parent = actions.stack_achievement(award.stack)
            achievements.setdefault(parent.id, parent)
            for part in award.components.select_related("version__micro_credential__organization"):
                if part.pk in ids and part.version is not None:
                    associations.append(b.Association("isParentOf", parent.id, part.version.achievement_id))
        elif credential.version is not None:
            achievement = documents.achievement(credential.version)
            achievements.setdefault(achievement.id, achievement)
    expiries = [c.valid_until for c in held if c.valid_until is not None]
    identity = b.IdentityObject.for_email(held[0].recipient_email.strip().lower() or user.email.lower())
    unique_associations = list({(a.source_id, a.target_id): a for a in associations}.values())
    clr = b.ClrCredential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=documents.issuer_profile(organization),
        valid_from=timezone.now(),
        valid_until=min(expiries) if expiries else None,
        awarded_date=max(c.awarded_at for c in held),
        name=f"{organization.name}: comprehensive learner record",
        description=(
            f"Every standing credential {organization.name} issued to this learner: "
            f"{len(held)} credential{'s' if len(held) != 1 else ''}."
        ),
        credential_subject=b.ClrSubject(
            identifier=(identity,),
            verifiable_credential=tuple(c.document for c in held),
            achievement=tuple(achievements.values()),
            association=tuple(unique_associations),
        ),
    )
    return clr.to_json()
