"""The report as a person reads it: verdict, checks in plain words, then what the credential says.

Kept apart from the template so that the page stays declarative and the same reading of a credential
(which level of which rubric criterion was reached, which evidence matches its digest) can be tested
without a browser. Only data from the credential is shown; images named by a credential are shown only
when they are data: URIs or this platform's own files, because loading an arbitrary image would tell
its host who is looking at the credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from credstack.organizations.models import Organization
from credstack.vc.jwt import parse_datetime
from credstack.vc.verify import Check, VerificationReport
from credstack.verifier.service import EvidenceCheck, Outcome, evidence_items

VERDICT_SUMMARY = {
    "valid": "This credential is genuine and current: it was issued as shown, has not been changed, and the "
    "issuer has not revoked it.",
    "invalid": "Do not rely on this credential: it failed a check that proves it genuine.",
    "revoked": "The issuer has revoked this credential. It no longer stands.",
    "suspended": "The issuer has suspended this credential for now.",
    "expired": "This credential was genuine but has expired.",
    "not_yet_valid": "This credential is not valid yet.",
    "cannot_be_checked": "Nothing wrong was found, but something that matters could not be checked (see below).",
}
VERDICT_TONE = {
    "valid": "ok",
    "invalid": "bad",
    "revoked": "bad",
    "suspended": "warn",
    "expired": "warn",
    "not_yet_valid": "warn",
    "cannot_be_checked": "warn",
}
STATUS_TEXT = {"passed": "Passed", "failed": "Failed", "warning": "Attention", "skipped": "Not checked"}
EVIDENCE_TEXT = {
    "matches": "Matches",
    "changed": "Changed",
    "unavailable": "Not compared",
    "no_digest": "No digest",
    "no_link": "No link",
}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _text(value: Any) -> str:
    """A plain string from a string or a JSON-LD language map / value object."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("@value", "en", "en-US"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return ""


def _link(value: Any) -> str:
    """A URL safe to put in an href: http(s) only (never javascript: or data:)."""
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def _image(value: Any) -> str:
    url = value.get("id") if isinstance(value, Mapping) else value
    if not isinstance(url, str):
        return ""
    if url.startswith(("data:image/png;", "data:image/jpeg;", "data:image/webp;", "data:image/gif;")):
        return url
    if url.startswith(settings.CREDSTACK_BASE_URL + "/media/"):
        return url
    return ""


def _date(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass
class Level:
    name: str
    description: str
    points: str
    achieved: bool = False
    required: bool = False


@dataclass
class Criterion:
    name: str
    description: str
    levels: list[Level]
    achieved: str = ""
    """The name (or value) of the level reached, when the credential says."""
    status: str = ""


@dataclass
class Evidence:
    name: str
    description: str
    narrative: str
    genre: str
    url: str
    check: EvidenceCheck
    label: str


@dataclass
class CredentialView:
    kind: str
    name: str = ""
    description: str = ""
    image: str = ""
    recipient_name: str = ""
    recipient_id: str = ""
    recipient_identities: list[str] = field(default_factory=list)
    issuer_id: str = ""
    issuer_name: str = ""
    issuer_url: str = ""
    issuer_org: Organization | None = None
    issuer_vouched: bool = False
    achievement_type: str = ""
    criteria_narrative: str = ""
    criteria_url: str = ""
    rubric: list[Criterion] = field(default_factory=list)
    results: list[tuple[str, str]] = field(default_factory=list)
    dates: list[tuple[str, Any]] = field(default_factory=list)
    credits_earned: str = ""
    credits_available: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    endorsements: list[VerificationReport] = field(default_factory=list)
    gathered: list[tuple[str, str, VerificationReport]] = field(default_factory=list)
    """A CLR: (name, issuer, report) of each credential it gathers."""
    alignments: list[tuple[str, str]] = field(default_factory=list)
    untrusted: bool = False
    """The credential failed a check that proves it genuine: what it says (digests included) proves nothing."""


@dataclass
class CheckRow:
    name: str
    status: str
    status_text: str
    message: str


@dataclass
class ReportView:
    verdict: str
    verdict_text: str
    summary: str
    tone: str
    reasons: list[str]
    checks: list[CheckRow]
    checked_at: Any
    credential: CredentialView | None
    consulted: list[Any]
    json: dict[str, Any]


def _subject(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    for subject in _list(credential.get("credentialSubject")):
        if isinstance(subject, Mapping):
            return subject
    return {}


def _rubric(achievement: Mapping[str, Any], results: list[Mapping[str, Any]]) -> list[Criterion]:
    by_description = {r.get("resultDescription"): r for r in results if isinstance(r, Mapping)}
    rubric: list[Criterion] = []
    for description in _list(achievement.get("resultDescription")):
        if not isinstance(description, Mapping):
            continue
        result = by_description.get(description.get("id"), {})
        achieved_id = result.get("achievedLevel")
        levels = []
        for level in _list(description.get("rubricCriterionLevel")):
            if not isinstance(level, Mapping):
                continue
            levels.append(
                Level(
                    _text(level.get("name")),
                    _text(level.get("description")),
                    str(level.get("points") or ""),
                    achieved=level.get("id") == achieved_id,
                    required=level.get("id") == description.get("requiredLevel"),
                )
            )
        achieved = next((lv.name for lv in levels if lv.achieved), "") or _text(result.get("value"))
        rubric.append(
            Criterion(
                _text(description.get("name")),
                _text(description.get("description")),
                levels,
                achieved,
                _text(result.get("status")),
            )
        )
    return rubric


def _known_issuer(issuer_id: str) -> Organization | None:
    """The organization of this platform whose issuer id (its did:web, or its profile URL in credentials
    issued before issuers had DIDs) the credential names."""
    if not issuer_id:
        return None
    for org in Organization.objects.all().only("slug", "name"):
        if issuer_id in (org.issuer_id, getattr(org, "profile_url", None)):
            return org
    return None


def _vouched(report: VerificationReport, org: Organization | None) -> bool:
    """The platform vouches when the issuer is one of its organizations and the key that signed is the one
    the platform itself publishes for it (resolved in-process, tied to the issuer)."""
    if org is None:
        return False
    binding = report.check("issuer_controller")
    proof = report.check("proof")
    return bool(binding and binding.status == "passed" and proof and proof.status == "passed")


def credential_view(outcome: Outcome) -> CredentialView | None:
    report = outcome.report
    credential = report.credential
    if not isinstance(credential, Mapping) or report.input_error:
        return None
    if report.format.startswith("ob2"):
        return _ob2_view(report, outcome)
    types = [t for t in _list(credential.get("type")) if isinstance(t, str)]
    kind = (
        "CLR 2.0 transcript"
        if "ClrCredential" in types
        else "Open Badges 3.0 badge"
        if {"OpenBadgeCredential", "AchievementCredential"} & set(types)
        else "Open Badges 3.0 endorsement"
        if "EndorsementCredential" in types
        else "Verifiable Credential"
    )
    subject = _subject(credential)
    found = subject.get("achievement")
    achievement: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    issuer = report.issuer or {}
    issuer_id = str(issuer.get("id") or "")
    org = _known_issuer(issuer_id)
    view = CredentialView(kind=kind, untrusted=report.verdict == "invalid")
    view.name = _text(credential.get("name")) or _text(achievement.get("name"))
    view.description = _text(achievement.get("description")) or _text(credential.get("description"))
    view.image = _image(credential.get("image")) or _image(achievement.get("image"))
    identities = [i for i in _list(subject.get("identifier")) if isinstance(i, Mapping)]
    view.recipient_name = next(
        (
            _text(i.get("identityHash"))
            for i in identities
            if i.get("identityType") == "name" and i.get("hashed") is False
        ),
        "",
    )
    view.recipient_id = str(subject.get("id") or "")
    view.recipient_identities = [
        f"{i.get('identityType', 'identity')} ({'hashed' if i.get('hashed') else 'in clear'})" for i in identities
    ]
    view.issuer_id = issuer_id
    view.issuer_name = _text(issuer.get("name"))
    view.issuer_url = _link(issuer.get("url"))
    view.issuer_org = org
    view.issuer_vouched = _vouched(report, org)
    view.achievement_type = _text(achievement.get("achievementType"))
    found = achievement.get("criteria")
    criteria: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    view.criteria_narrative = _text(criteria.get("narrative"))
    view.criteria_url = _link(criteria.get("id"))
    results = [r for r in _list(subject.get("result")) if isinstance(r, Mapping)]
    view.rubric = _rubric(achievement, results)
    described = {
        r.get("resultDescription")
        for r in results
        if any(
            isinstance(d, Mapping) and d.get("id") == r.get("resultDescription")
            for d in _list(achievement.get("resultDescription"))
        )
    }
    view.results = [
        (str(r.get("resultDescription") or "Result"), _text(r.get("value")) or _text(r.get("status")))
        for r in results
        if r.get("resultDescription") not in described
    ]
    view.alignments = [
        (_text(a.get("targetName")), _link(a.get("targetUrl")))
        for a in _list(achievement.get("alignment"))
        if isinstance(a, Mapping)
    ]
    for label, member, holder in (
        ("Awarded", "awardedDate", credential),
        ("Valid from", "validFrom", credential),
        ("Issued", "issuanceDate", credential),
        ("Valid until", "validUntil", credential),
        ("Expires", "expirationDate", credential),
        ("Activity started", "activityStartDate", subject),
        ("Activity ended", "activityEndDate", subject),
    ):
        when = _date(holder.get(member))
        if when is not None:
            view.dates.append((label, when))
    if subject.get("creditsEarned") is not None:
        view.credits_earned = str(subject.get("creditsEarned"))
    if achievement.get("creditsAvailable") is not None:
        view.credits_available = str(achievement.get("creditsAvailable"))
    view.evidence = _evidence(report, outcome)
    view.endorsements = list(report.endorsements)
    for inner in report.gathered:
        document = inner.credential if isinstance(inner.credential, Mapping) else {}
        inner_achievement = _subject(document).get("achievement")
        title = _text(document.get("name")) or (
            _text(inner_achievement.get("name")) if isinstance(inner_achievement, Mapping) else ""
        )
        who = inner.issuer or {}
        view.gathered.append((title or "A credential", str(who.get("name") or who.get("id") or ""), inner))
    return view


def _evidence(report: VerificationReport, outcome: Outcome) -> list[Evidence]:
    shown = []
    for item, check in zip(evidence_items(report), outcome.evidence, strict=False):
        url = _link(item.get("id")) if check.visible else ""
        if report.verdict == "invalid" and check.state == "matches":
            check = EvidenceCheck(
                "matches",
                "The content at the link matches the digest the credential claims, but "
                "the credential does not verify, so this proves nothing.",
                check.visible,
            )
        shown.append(
            Evidence(
                _text(item.get("name")),
                _text(item.get("description")),
                _text(item.get("narrative")),
                _text(item.get("genre")),
                url,
                check,
                EVIDENCE_TEXT[check.state],
            )
        )
    return shown


def _ob2_view(report: VerificationReport, outcome: Outcome) -> CredentialView:
    assertion = report.credential or {}
    badge = report.badge or {}
    issuer = report.issuer or {}
    view = CredentialView(kind="Open Badges 2.0 badge")
    view.name = _text(badge.get("name"))
    view.description = _text(badge.get("description"))
    view.image = _image(badge.get("image"))
    recipient = assertion.get("recipient") if isinstance(assertion.get("recipient"), Mapping) else {}
    if recipient:
        view.recipient_identities = [
            f"{recipient.get('type', 'identity')} ({'hashed' if recipient.get('hashed') else 'in clear'})"
        ]
    view.issuer_id = str(issuer.get("id") or "")
    view.issuer_name = _text(issuer.get("name"))
    view.issuer_url = _link(issuer.get("url"))
    view.issuer_org = _known_issuer(view.issuer_id)
    criteria = badge.get("criteria")
    if isinstance(criteria, Mapping):
        view.criteria_narrative = _text(criteria.get("narrative"))
        view.criteria_url = _link(criteria.get("id"))
    else:
        view.criteria_url = _link(criteria)
    for label, member in (("Issued", "issuedOn"), ("Expires", "expires")):
        when = _date(assertion.get(member))
        if when is not None:
            view.dates.append((label, when))
    view.evidence = []
    for item in _list(assertion.get("evidence")):
        node = item if isinstance(item, Mapping) else {"id": item}
        view.evidence.append(
            Evidence(
                _text(node.get("name")),
                _text(node.get("description")),
                _text(node.get("narrative")),
                _text(node.get("genre")),
                _link(node.get("id")),
                EvidenceCheck("no_digest", "Open Badges 2.0 evidence carries no digest."),
                EVIDENCE_TEXT["no_digest"],
            )
        )
    return view


def report_view(outcome: Outcome) -> ReportView:
    report = outcome.report
    checks = [CheckRow(c.name, c.status, STATUS_TEXT.get(c.status, c.status), c.message) for c in report.checks]
    return ReportView(
        verdict=report.verdict,
        verdict_text=report.verdict_text,
        summary=VERDICT_SUMMARY[report.verdict],
        tone=VERDICT_TONE[report.verdict],
        reasons=list(report.reasons),
        checks=checks,
        checked_at=report.checked_at,
        credential=credential_view(outcome),
        consulted=list(outcome.fetcher.attempts) if outcome.fetcher else [],
        json=report.to_json(),
    )


def check_rows(checks: list[Check]) -> list[CheckRow]:
    return [CheckRow(c.name, c.status, STATUS_TEXT.get(c.status, c.status), c.message) for c in checks]
