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
#: A mark beside each status, always with its words: colour is never the only signal.
STATUS_MARK = {"passed": "✓", "failed": "✗", "warning": "!", "skipped": "–"}
EVIDENCE_TEXT = {
    "matches": "Unchanged since assessed",
    "changed": "Changed since assessed",
    "no_digest": "Link not fixed by a digest",
    "outside": "Outside link",
    "private": "Kept private",
    "unavailable": "Could not be opened",
    "no_link": "No link",
}

#: Each check, said for a person: (check id or its prefix) -> status -> sentence. The check's own message
#: stays beside it as the technical detail.
PLAIN_CHECKS: dict[str, dict[str, str]] = {
    "parse": {
        "passed": "We could read the credential.",
        "failed": "What was given could not be read as a credential.",
    },
    "context_and_type": {
        "passed": "It is a well-formed credential of a standard kind.",
        "failed": "It is not a well-formed credential: it does not follow the standard it claims.",
    },
    "schema": {
        "passed": "It has every part the Open Badges standard requires, in the right form.",
        "failed": "Parts the standard requires are missing or in the wrong form.",
        "warning": "Its structure could not be fully checked against the standard.",
        "skipped": "Its structure was not checked against a schema.",
    },
    "proof": {
        "passed": "The issuer's digital signature is intact: nothing in it was changed after it was issued.",
        "failed": "The digital signature does not match: the credential was changed after it was issued, "
        "or the issuer did not sign it.",
        "warning": "The digital signature could not be checked.",
        "skipped": "It carries no digital signature to check.",
    },
    "jwt-claims": {
        "passed": "Its signed envelope agrees with what it says.",
        "failed": "Its signed envelope disagrees with what it says.",
    },
    "key_resolution": {
        "passed": "We found the key the issuer signs with.",
        "failed": "The key that signed it could not be found.",
        "warning": "The key that signed it could not be looked up just now.",
        "skipped": "No signing key needed looking up.",
    },
    "issuer_controller": {
        "passed": "The key that signed it belongs to the issuer it names.",
        "failed": "The key that signed it does not belong to the issuer it names.",
        "warning": "We could not confirm that the key that signed it belongs to the issuer it names.",
        "skipped": "Whether the key belongs to the issuer was not checked.",
    },
    "validity_window": {
        "passed": "It is within its dates: already in force and not expired.",
        "failed": "It is outside the dates it is valid for.",
        "warning": "It is outside the dates it is valid for.",
        "skipped": "It gives no dates to check.",
    },
    "status": {
        "passed": "The issuer has not revoked or suspended it (checked against the issuer's list just now).",
        "failed": "The issuer has revoked or suspended it.",
        "warning": "The issuer's revocation list could not be read, so we cannot say whether it was revoked.",
        "skipped": "The issuer publishes no revocation list for it.",
    },
    "endorsements": {
        "passed": "The endorsements it carries check out.",
        "failed": "An endorsement it carries does not check out.",
        "warning": "An endorsement it carries could not be checked.",
        "skipped": "No one else has endorsed it.",
    },
    "recipient": {
        "passed": "It belongs to the email address you gave.",
        "failed": "It does not belong to the email address you gave.",
        "warning": "Whether it belongs to the email address you gave could not be checked.",
        "skipped": "No email address was given to check who it belongs to.",
    },
    "related_resources": {
        "passed": "The files it fixes by a digest are unchanged.",
        "failed": "A file it fixes by a digest has changed.",
        "warning": "A file it fixes by a digest could not be compared.",
        "skipped": "It fixes no other file by a digest.",
    },
    "gathered": {
        "passed": "Every credential in this record checks out.",
        "failed": "A credential in this record does not check out.",
        "warning": "A credential in this record could not be fully checked.",
        "skipped": "This record gathers no credentials.",
    },
}


def plain_check(check: Check) -> str:
    """The sentence a person reads for ``check``: by its id (``proof-2`` reads as ``proof``), else its name."""
    sentences = PLAIN_CHECKS.get(check.id) or PLAIN_CHECKS.get(check.id.split("-")[0]) or {}
    if check.status in sentences:
        return sentences[check.status]
    return f"{check.name}: {STATUS_TEXT.get(check.status, check.status).lower()}."


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
    issued: Any = None
    """When it was awarded or issued (the first date the credential gives of those)."""
    expires: Any = None
    credits_earned: str = ""
    credits_available: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    endorsements: list[VerificationReport] = field(default_factory=list)
    gathered: list[tuple[str, str, VerificationReport]] = field(default_factory=list)
    """A CLR: (name, issuer, report) of each credential it gathers."""
    alignments: list[tuple[str, str]] = field(default_factory=list)
    untrusted: bool = False
    """The credential failed a check that proves it genuine: what it says (digests included) proves nothing."""

    @property
    def evidence_details(self) -> list[tuple[str, str]]:
        """(name, what the fetcher said) of each evidence item that could not be read: for "How we checked"."""
        return [(e.name or "Evidence", e.check.detail) for e in self.evidence if e.check.detail]


@dataclass
class CheckRow:
    name: str
    status: str
    status_text: str
    message: str
    """The check's own (technical) message."""
    plain: str = ""
    mark: str = ""


@dataclass
class ReportView:
    verdict: str
    verdict_text: str
    summary: str
    tone: str
    reasons: list[str]
    """The deciding checks' own messages (technical)."""
    plain_reasons: list[str]
    """The same, said for people."""
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
    _people_dates(view)
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


def _people_dates(view: CredentialView) -> None:
    found = dict(view.dates)
    view.issued = found.get("Awarded") or found.get("Valid from") or found.get("Issued")
    view.expires = found.get("Valid until") or found.get("Expires")


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
                check.detail,
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
    _people_dates(view)
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
                EvidenceCheck(
                    "no_digest",
                    "Open Badges 2.0 does not fix evidence by a digest, so the page behind the link may have "
                    "changed since it was assessed.",
                    visible=True,
                ),
                EVIDENCE_TEXT["no_digest"],
            )
        )
    return view


def report_view(outcome: Outcome) -> ReportView:
    report = outcome.report
    deciding = [c for c in report.checks if c.effect != "none" and c.message in report.reasons]
    plain_reasons = list(dict.fromkeys(plain_check(c) for c in deciding))
    return ReportView(
        verdict=report.verdict,
        verdict_text=report.verdict_text,
        summary=VERDICT_SUMMARY[report.verdict],
        tone=VERDICT_TONE[report.verdict],
        reasons=list(report.reasons),
        plain_reasons=plain_reasons,
        checks=check_rows(report.checks),
        checked_at=report.checked_at,
        credential=credential_view(outcome),
        consulted=list(outcome.fetcher.attempts) if outcome.fetcher else [],
        json=report.to_json(),
    )


def check_rows(checks: list[Check]) -> list[CheckRow]:
    return [
        CheckRow(
            c.name,
            c.status,
            STATUS_TEXT.get(c.status, c.status),
            c.message,
            plain_check(c),
            STATUS_MARK.get(c.status, ""),
        )
        for c in checks
    ]
