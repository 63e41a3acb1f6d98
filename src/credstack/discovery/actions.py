"""Learner profile actions and the suggestions made from a profile.

A suggestion is a published micro-credential that fits the profile and that the learner has neither started
nor earned: it must share a subject and a grade band with the profile (when the profile names any) and,
when the micro-credential is meant for particular roles, one of them. They are ranked by how much they
match: first the missing parts of stacks the learner is working on, then the number of shared subjects,
grade bands and roles, then words of the learner's goals found in the name, summary or competency.
The catalog is small (tens to hundreds of definitions), so the matching runs in Python over the published
versions rather than as JSON queries that differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from credstack.awards.models import Credential
from credstack.catalog.definition import EDUCATOR_ROLES, GRADE_BANDS, SUBJECT_AREAS
from credstack.catalog.models import MicroCredentialVersion
from credstack.core import audit
from credstack.discovery.models import LearnerProfile

MAX_GOALS = 1000
#: Words too common to say anything about a goal (every definition is about teaching students).
STOP_WORDS = frozenset(
    "a an and are as at be by for from how i in into is it my of on or our so that the their them to want with "
    "about better help more students student teach teacher teachers teaching learn learning class classroom "
    "will would like".split()
)


def profile_of(user: Any) -> LearnerProfile:
    """The learner's profile (an empty, unsaved one when they have none yet)."""
    found = LearnerProfile.objects.filter(user=user).first()
    return found if found is not None else LearnerProfile(user=user)


def _choices(data: Mapping[str, Any], name: str, allowed: Mapping[str, str], errors: dict[str, str]) -> list[str]:
    raw = data.get(name) or []
    values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
    picked = list(dict.fromkeys(str(v) for v in values))
    unknown = [v for v in picked if v not in allowed]
    if unknown:
        errors[name] = f"Choose among {', '.join(allowed.values())}."
    return [v for v in picked if v in allowed]


def do_update_learner_profile(*, user: Any, data: Mapping[str, Any], actor: Any) -> LearnerProfile:
    errors: dict[str, str] = {}
    subjects = _choices(data, "subjects", SUBJECT_AREAS, errors)
    grade_bands = _choices(data, "grade_bands", GRADE_BANDS, errors)
    roles = _choices(data, "roles", EDUCATOR_ROLES, errors)
    goals = str(data.get("goals") or "").strip()
    if len(goals) > MAX_GOALS:
        errors["goals"] = f"At most {MAX_GOALS} characters."
    elif "\x00" in goals:
        errors["goals"] = "The goals contain a NUL character."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    with transaction.atomic():
        profile, _ = LearnerProfile.objects.select_for_update().get_or_create(user=user)
        profile.subjects, profile.grade_bands, profile.roles, profile.goals = subjects, grade_bands, roles, goals
        profile.save()
        audit.record("learner.profile_updated", profile, actor=actor)
    return profile


@dataclass(frozen=True)
class Suggestion:
    version: MicroCredentialVersion
    reasons: tuple[str, ...]
    score: float


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in STOP_WORDS}


def suggestions(user: Any, *, limit: int = 6) -> list[Suggestion]:
    """Published micro-credentials that fit the learner's profile, best first (see the module notes)."""
    from credstack.assessment.models import Submission
    from credstack.pathways.actions import Holder, learner_progress

    profile = profile_of(user)
    if profile.is_empty:
        return []
    taken = set(Submission.objects.filter(learner=user).values_list("micro_credential_id", flat=True))
    taken |= set(
        Credential.objects.filter(Holder.account(user).credentials(), version__isnull=False).values_list(
            "version__micro_credential_id", flat=True
        )
    )
    completes: dict[int, str] = {}
    for p in learner_progress(user):
        if p.awarded is None:
            for row in p.rows:
                if row.credential is None:
                    completes.setdefault(row.micro_credential.pk, p.stack.name)
    goal_words = _words(profile.goals)
    found = []
    for version in MicroCredentialVersion.objects.published().select_related("micro_credential__organization"):
        if version.micro_credential_id in taken:
            continue
        subjects = set(profile.subjects) & set(version.subject_areas)
        grades = set(profile.grade_bands) & set(version.grade_bands)
        roles = set(profile.roles) & set(version.roles)
        if (profile.subjects and not subjects) or (profile.grade_bands and not grades):
            continue
        if version.roles and profile.roles and not roles:
            continue
        reasons = []
        score = 0.0
        stack = completes.get(version.micro_credential_id)
        if stack:
            reasons.append(f"counts toward {stack}, which you have started")
            score += 10
        if subjects:
            reasons.append(", ".join(SUBJECT_AREAS[s] for s in sorted(subjects)))
        if grades:
            reasons.append(", ".join(GRADE_BANDS[g] for g in sorted(grades)))
        if roles:
            reasons.append(", ".join(EDUCATOR_ROLES[r] for r in sorted(roles)))
        score += len(subjects) + len(grades) + len(roles)
        shared = goal_words & _words(f"{version.name} {version.summary} {version.competency_statement}")
        if shared:
            reasons.append("matches your goals: " + ", ".join(sorted(shared)[:3]))
            score += 0.5 * len(shared)
        if not reasons:
            continue
        found.append(Suggestion(version=version, reasons=tuple(reasons), score=score))
    found.sort(key=lambda s: (-s.score, s.version.name))
    return found[:limit]
