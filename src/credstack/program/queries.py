"""What an organization's program looks like: participation, review turnaround, pass rates and awards.

Read-only and aggregate: counts, rates and durations per micro-credential and per month, never a learner's
name (the page is read by admins who also assess, and review is blind). A handful of grouped queries per
page, whatever the size of the program; durations come back as pairs of timestamps and are summarised here
(medians are not portable SQL).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from credstack.assessment.models import Attempt, Submission, SubmissionStatus
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredential
from credstack.organizations.models import Organization
from credstack.pathways.models import Stack, StackStatus

#: How awards are grouped in the monthly chart (and the order of its legend).
SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("assessed", "Assessed", (Origin.ASSESSMENT.value,)),
    ("direct", "Awarded directly", (Origin.MANUAL.value, Origin.BULK.value, Origin.API.value)),
    ("stack", "Stacks completed", (Origin.STACK.value,)),
)
WAITING = (SubmissionStatus.SUBMITTED, SubmissionStatus.IN_REVIEW)
RECENT_DAYS = 90


@dataclass
class MicroCredentialRow:
    name: str
    slug: str
    started: int = 0
    submitted: int = 0
    waiting: int = 0
    passed: int = 0
    not_passed: int = 0
    first_attempt_pass_percent: int | None = None
    median_days_to_decision: float | None = None
    credentials: int = 0
    revoked: int = 0


@dataclass
class Month:
    start: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def label(self) -> str:
        return self.start.strftime("%b %Y")


@dataclass
class Program:
    organization: Organization
    rows: list[MicroCredentialRow]
    months: list[Month]
    waiting: int
    oldest_waiting_days: float | None
    decided_recently: int
    median_turnaround_days: float | None
    within_target_percent: int | None
    credentials: int
    revoked: int
    stacks: list[tuple[Stack, int]] = field(default_factory=list)

    @property
    def learners(self) -> int:
        return sum(r.started for r in self.rows)


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _month_starts(now: datetime, count: int) -> list[date]:
    year, month = now.year, now.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(starts))


def program(organization: Organization, *, months: int = 12, now: datetime | None = None) -> Program:
    """The organization's program in numbers (see the module notes)."""
    now = timezone.localtime(now or timezone.now())  # months as the platform's time zone counts them
    rows: dict[int, MicroCredentialRow] = {}
    for mc in MicroCredential.objects.filter(organization=organization).order_by("slug"):
        version = mc.published_version() or mc.latest_version()
        rows[mc.pk] = MicroCredentialRow(name=version.name if version else mc.slug, slug=mc.slug)

    submissions = (
        Submission.objects.filter(organization=organization)
        .values("micro_credential_id")
        .annotate(
            started=Count("id"),
            submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
            waiting=Count("id", filter=Q(status__in=WAITING)),
            passed=Count("id", filter=Q(status=SubmissionStatus.PASSED)),
            not_passed=Count("id", filter=Q(status=SubmissionStatus.NOT_PASSED)),
        )
    )
    for counted in submissions:
        row = rows.get(counted["micro_credential_id"])
        if row is not None:
            for name in ("started", "submitted", "waiting", "passed", "not_passed"):
                setattr(row, name, counted[name])

    decided = Attempt.objects.filter(submission__organization=organization, decided_at__isnull=False).values_list(
        "submission__micro_credential_id", "number", "outcome", "submitted_at", "decided_at"
    )
    durations: dict[int, list[float]] = defaultdict(list)
    firsts: dict[int, list[bool]] = defaultdict(list)
    recent: list[float] = []
    since = now - timedelta(days=RECENT_DAYS)
    for mc_id, number, outcome, submitted_at, decided_at in decided:
        if decided_at is None:  # filtered out above; for the type checker
            continue
        days = _days(submitted_at, decided_at)
        durations[mc_id].append(days)
        if number == 1:
            firsts[mc_id].append(outcome == "passed")
        if decided_at >= since:
            recent.append(days)
    for mc_id, row in rows.items():
        if durations[mc_id]:
            row.median_days_to_decision = round(statistics.median(durations[mc_id]), 1)
        row.first_attempt_pass_percent = _percent(sum(firsts[mc_id]), len(firsts[mc_id]))

    credentials = Credential.objects.filter(organization=organization)
    for held in (
        credentials.filter(version__isnull=False)
        .values("version__micro_credential_id")
        .annotate(
            standing=Count("id", filter=Q(revoked_at__isnull=True)),
            revoked=Count("id", filter=Q(revoked_at__isnull=False)),
        )
    ):
        row = rows.get(held["version__micro_credential_id"])
        if row is not None:
            row.credentials, row.revoked = held["standing"], held["revoked"]
    totals = credentials.aggregate(
        standing=Count("id", filter=Q(revoked_at__isnull=True)), revoked=Count("id", filter=Q(revoked_at__isnull=False))
    )

    starts = _month_starts(now, months)
    first = datetime(starts[0].year, starts[0].month, 1, tzinfo=timezone.get_current_timezone())
    by_month: dict[date, dict[str, int]] = {start: {key: 0 for key, *_ in SOURCES} for start in starts}
    source_of = {origin: key for key, _, origins in SOURCES for origin in origins}
    # One count per month and origin over the index range of the last months (no date function per row, which
    # SQLite runs in Python), grouped by origin.
    bounds = [datetime(s.year, s.month, 1, tzinfo=timezone.get_current_timezone()) for s in starts]
    bounds.append(datetime(now.year + (now.month == 12), now.month % 12 + 1, 1, tzinfo=timezone.get_current_timezone()))
    per_month = {
        f"m{i}": Count("id", filter=Q(awarded_at__gte=bounds[i], awarded_at__lt=bounds[i + 1]))
        for i in range(len(starts))
    }
    for monthly in credentials.filter(awarded_at__gte=first).values("origin").annotate(**per_month).order_by():
        tally: dict[str, Any] = dict(monthly)
        key = source_of.get(tally["origin"], "direct")
        for i, start in enumerate(starts):
            by_month[start][key] += tally[f"m{i}"]

    waiting = Submission.objects.filter(organization=organization, status__in=WAITING).aggregate(
        n=Count("id"), oldest=Min("submitted_at")
    )
    target = organization.turnaround_days
    return Program(
        organization=organization,
        rows=list(rows.values()),
        months=[Month(start, counts) for start, counts in by_month.items()],
        waiting=waiting["n"],
        oldest_waiting_days=round(_days(waiting["oldest"], now), 1) if waiting["oldest"] else None,
        decided_recently=len(recent),
        median_turnaround_days=round(statistics.median(recent), 1) if recent else None,
        within_target_percent=_percent(sum(1 for d in recent if d <= target), len(recent)),
        credentials=totals["standing"],
        revoked=totals["revoked"],
        stacks=[
            (s, s.standing)
            for s in Stack.objects.filter(organization=organization)
            .exclude(status=StackStatus.DRAFT)
            .annotate(standing=Count("awards", filter=Q(awards__credential__revoked_at__isnull=True)))
            .order_by("name")
        ],
    )


def chart(months: list[Month], *, width: int = 640, height: int = 220) -> dict[str, Any]:
    """Geometry of the stacked monthly bar chart (SVG drawn by the template): bars, segments, axis ticks."""
    top = max((m.total for m in months), default=0)
    scale_max = max(top, 1)
    left, bottom, plot_height = 40, height - 30, height - 50
    slot = (width - left - 10) / max(len(months), 1)
    colors = {"assessed": "#1d4ed8", "direct": "#0f766e", "stack": "#b45309"}
    bars = []
    for i, month in enumerate(months):
        x = left + i * slot + slot * 0.15
        y: float = bottom
        segments = []
        for key, label, _ in SOURCES:
            n = month.counts.get(key, 0)
            if n:
                h = plot_height * n / scale_max
                y -= h
                segments.append({"y": round(y, 1), "h": round(h, 1), "color": colors[key], "label": label, "n": n})
        bars.append(
            {
                "x": round(x, 1),
                "w": round(slot * 0.7, 1),
                "label": month.start.strftime("%b"),
                "total": month.total,
                "segments": segments,
                "text_x": round(x + slot * 0.35, 1),
            }
        )
    ticks = sorted({0, scale_max // 2, scale_max}) if top else [0]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "baseline": bottom,
        "ticks": [{"value": t, "y": round(bottom - plot_height * t / scale_max, 1)} for t in ticks],
        "legend": [{"label": label, "color": colors[key]} for key, label, _ in SOURCES],
        "empty": top == 0,
    }
