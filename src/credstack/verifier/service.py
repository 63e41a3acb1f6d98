"""Verification on this platform: one call for the page, the API and share links.

The page, ``POST /credentials/verify`` and a share link must show the same report, so each of them
calls :func:`verify_credential` (or :func:`verify_presentation`) and nothing else decides a verdict.
What this adds to :func:`credstack.vc.verify.verify`: the platform's fetcher and limits, the W3C
``EnvelopedVerifiableCredential`` form, evidence digest checks, and presentations.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from credstack.vc import proofs, statuslist
from credstack.vc.builders import digest_matches
from credstack.vc.did import DefaultResolver
from credstack.vc.errors import FetchError, UndefinedTermError, VCError
from credstack.vc.jwt import looks_like_compact_jws
from credstack.vc.verify import VC_V1, VC_V2, Check, Effect, Status, VerificationReport, VerifyOptions, decide, verify
from credstack.verifier.fetching import NotVisible, PlatformFetcher, platform_fetcher

#: Status list credentials verified by earlier verifications in this process, reused while byte-identical
#: (credstack.vc.statuslist.VerifiedLists): the fetcher answers this platform's lists and DID documents current.
VERIFIED_STATUS_LISTS = statuslist.VerifiedLists()
#: How many evidence items of one credential are fetched to compare with their digests.
MAX_EVIDENCE_CHECKS = 20
_VERDICT_EFFECT: dict[str, Effect] = {
    "invalid": "invalid",
    "revoked": "revoked",
    "suspended": "suspended",
    "expired": "expired",
    "not_yet_valid": "not_yet_valid",
    "cannot_be_checked": "undetermined",
    "valid": "none",
}


def new_fetcher() -> PlatformFetcher:
    """A fresh fetcher per verification (its record of attempts belongs to one report)."""
    return platform_fetcher()


def options_for(
    fetcher: PlatformFetcher,
    *,
    recipient_email: str | None = None,
    now: datetime | None = None,
    within_limits: bool = False,
) -> VerifyOptions:
    return VerifyOptions(
        within_limits=within_limits,
        fetcher=fetcher,
        recipient_email=recipient_email or None,
        now=now,
        max_bytes=settings.CREDSTACK_VERIFIER_MAX_BYTES,
        max_array_items=settings.CREDSTACK_VERIFIER_MAX_LIST_ITEMS,
        max_values=settings.CREDSTACK_VERIFIER_MAX_VALUES,
        verified_status_lists=VERIFIED_STATUS_LISTS,
    )


def unwrap_envelope(value: Any) -> Any:
    """The JWT inside a VC 2.0 ``EnvelopedVerifiableCredential`` (a ``data:`` URL), else the value as given."""
    if not isinstance(value, Mapping) or value.get("type") not in (
        "EnvelopedVerifiableCredential",
        ["EnvelopedVerifiableCredential"],
    ):
        return value
    data_url = value.get("id")
    if not isinstance(data_url, str) or not data_url.startswith("data:") or "," not in data_url:
        return value
    header, _, payload = data_url[5:].partition(",")
    text = urllib.parse.unquote(payload)
    if header.endswith(";base64"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return value
    return text.strip() if looks_like_compact_jws(text.strip()) else value


@dataclass
class EvidenceCheck:
    """Whether an evidence item's content is still the content that was assessed, said for people."""

    state: str
    """``matches``, ``changed``, ``no_digest``, ``outside`` (a host the verifier does not open), ``private``
    (the learner keeps it private), ``unavailable`` (could not be read) or ``no_link``."""
    message: str
    visible: bool = False
    """A person can follow the link: the evidence is public, or on a host the verifier does not open."""
    detail: str = ""
    """What the fetcher said, for "How we checked"; never the main message."""


@dataclass
class Outcome:
    """A report with what the platform adds: evidence checks and the URLs consulted."""

    report: VerificationReport
    evidence: list[EvidenceCheck] = field(default_factory=list)
    fetcher: PlatformFetcher | None = None


def evidence_items(report: VerificationReport) -> list[Mapping[str, Any]]:
    credential = report.credential if isinstance(report.credential, Mapping) else {}
    raw = credential.get("evidence")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [item if isinstance(item, Mapping) else {"id": item} for item in items if item is not None]


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc.lower() or url


def check_evidence(item: Mapping[str, Any], fetcher: PlatformFetcher) -> EvidenceCheck:
    """Fetch an evidence link (own platform or allowed hosts only) and compare it with its digest."""
    url = item.get("id")
    digest = item.get("digestMultibase")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        if isinstance(digest, str):
            return EvidenceCheck(
                "no_link",
                "The credential fixes this evidence's content by a digest, but gives no link to it: ask the "
                "person for the file, and its digest will show whether it is what was assessed.",
            )
        return EvidenceCheck("no_link", "The credential describes this evidence but gives no link to it.")
    if not fetcher.may_open(url):
        return EvidenceCheck(
            "outside",
            f"This link points to {_host(url)}; we don't open outside links for you — open it yourself if you "
            "trust it."
            + (" The credential fixes its content by a digest, which we could not compare." if digest else ""),
            visible=True,
            detail=f"{url} is not on this platform or on a host the verifier is allowed to open.",
        )
    local = fetcher.local.handles(url)
    content_url = fetcher.local.content_url(url) if isinstance(digest, str) else url
    try:
        body = fetcher.fetch(content_url, accept="*/*").body
    except NotVisible as exc:
        return _private(str(exc))
    except FetchError as exc:
        if local and content_url != url:
            # The file behind an evidence page is refused the same way whether it is private or gone: the
            # page itself tells which.
            try:
                fetcher.fetch(url, accept="text/html")
            except NotVisible:
                return _private(str(exc))
            except FetchError:
                pass
        if local:
            return EvidenceCheck(
                "unavailable",
                "This evidence is no longer on this platform, so it could not be compared with what was assessed.",
                detail=str(exc),
            )
        return EvidenceCheck(
            "unavailable",
            f"We could not open this link on {_host(url)} just now, so its content was not compared with what "
            "was assessed. You can still open it yourself.",
            visible=True,
            detail=str(exc),
        )
    if not isinstance(digest, str):
        return EvidenceCheck(
            "no_digest",
            "The credential does not fix this evidence's content, so the page behind the link may have changed "
            "since it was assessed.",
            visible=True,
        )
    if digest_matches(digest, body):
        return EvidenceCheck(
            "matches",
            "Unchanged: the content at the link is exactly the evidence that was assessed (it matches the "
            "digest in the credential).",
            visible=True,
        )
    return EvidenceCheck(
        "changed",
        "Changed: the content at the link is not the evidence that was assessed (it no longer matches the "
        "digest in the credential).",
        visible=True,
    )


def _private(detail: str) -> EvidenceCheck:
    return EvidenceCheck(
        "private",
        "The learner keeps this evidence private. Ask them for a share link to see it.",
        detail=detail,
    )


def verify_credential(
    data: bytes | str | Mapping[str, Any],
    *,
    recipient_email: str | None = None,
    fetcher: PlatformFetcher | None = None,
    now: datetime | None = None,
    with_evidence: bool = True,
    within_limits: bool = False,
) -> Outcome:
    """Verify anything a person holds (bytes of a PNG/SVG/JSON/JWT, text, a parsed object); never raises.

    ``within_limits``: a parsed object the caller already measured within the verifier's shape limits (or a
    document holding it), so the core does not measure it again."""
    fetcher = fetcher or new_fetcher()
    options = options_for(fetcher, recipient_email=recipient_email, now=now, within_limits=within_limits)
    report = verify(unwrap_envelope(data), options=options)
    outcome = Outcome(report, fetcher=fetcher)
    if with_evidence and not report.input_error:
        outcome.evidence = [check_evidence(item, fetcher) for item in evidence_items(report)[:MAX_EVIDENCE_CHECKS]]
    return outcome


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """The report as JSON (the same one ``credstack verify --json`` prints) plus the evidence checks."""
    body = outcome.report.to_json()
    body["evidence"] = [
        {"id": item.get("id"), "state": check.state, "message": check.message}
        for item, check in zip(evidence_items(outcome.report), outcome.evidence, strict=False)
    ]
    return body


def fetch_credential_link(url: str, fetcher: PlatformFetcher) -> bytes:
    """The bytes at a credential link, through the same guard as everything else; FetchError otherwise."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise FetchError("A credential link must be an http(s) URL.")
    return fetcher.fetch(
        url.strip(),
        accept="application/vc+ld+json, application/ld+json, application/json, "
        "application/vc+jwt, image/png, image/svg+xml, */*",
    ).body


# -- presentations ----------------------------------------------------------------------------------------


@dataclass
class PresentationReport:
    verdict: str
    checks: list[Check]
    credentials: list[VerificationReport]
    reasons: list[str]
    checked_at: datetime = field(default_factory=lambda: datetime.now(tz=UTC))

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "checks": [c.to_json() for c in self.checks],
            "credentials": [r.to_json() for r in self.credentials],
            "checked_at": self.checked_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _presentation_proof_checks(
    presentation: dict[str, Any],
    challenge: str | None,
    domain: str | None,
    fetcher: PlatformFetcher,
    now: datetime,
) -> list[Check]:
    listed = _as_list(presentation.get("proof"))
    if not listed:
        if challenge is not None or domain is not None:
            return [
                Check(
                    "proof",
                    "Holder's proof",
                    "failed",
                    "A challenge or domain was given, but the presentation carries no proof that answers it.",
                    "invalid",
                )
            ]
        return [
            Check(
                "proof",
                "Holder's proof",
                "skipped",
                "The presentation is not signed, so it does not prove who presents the credentials.",
            )
        ]
    results = proofs.verify_proofs(
        presentation, resolver=DefaultResolver(fetcher=fetcher), expected_proof_purpose="authentication", now=now
    )
    checks = [
        Check(
            "proof" if i == 0 else f"proof-{i + 1}",
            "Holder's proof",
            "passed" if r.ok else "failed",
            r.message,
            "none" if r.ok else "invalid",
        )
        for i, r in enumerate(results)
    ]
    proof_objects = [p for p in listed if isinstance(p, Mapping)]
    if challenge is not None:
        if any(p.get("challenge") == challenge for p in proof_objects):
            checks.append(Check("challenge", "Challenge", "passed", "The proof answers the challenge given."))
        else:
            checks.append(
                Check(
                    "challenge",
                    "Challenge",
                    "failed",
                    "The proof does not carry the challenge given (it may be replayed).",
                    "invalid",
                )
            )
    if domain is not None:
        if any(domain in _as_list(p.get("domain")) for p in proof_objects):
            checks.append(Check("domain", "Domain", "passed", f"The proof is bound to the domain {domain}."))
        else:
            checks.append(
                Check("domain", "Domain", "failed", f"The proof is not bound to the domain {domain}.", "invalid")
            )
    return checks


def verify_presentation(
    presentation: Any,
    *,
    challenge: str | None = None,
    domain: str | None = None,
    fetcher: PlatformFetcher | None = None,
    now: datetime | None = None,
) -> PresentationReport:
    """Verify a Verifiable Presentation: its structure, the holder's proof and each credential; never raises."""
    fetcher = fetcher or new_fetcher()
    now = now or datetime.now(tz=UTC)
    checks: list[Check] = []
    reports: list[VerificationReport] = []

    def done() -> PresentationReport:
        verdict, reasons = decide(checks)
        return PresentationReport(verdict, checks, reports, reasons)

    if not isinstance(presentation, dict):
        checks.append(Check("parse", "Read the input", "failed", "The presentation is not a JSON object.", "invalid"))
        return done()
    contexts = _as_list(presentation.get("@context"))
    types = [t for t in _as_list(presentation.get("type")) if isinstance(t, str)]
    if not contexts or contexts[0] not in (VC_V2, VC_V1):
        checks.append(
            Check(
                "context_and_type",
                "Context and type",
                "failed",
                f"A Verifiable Presentation's first @context is {VC_V2}.",
                "invalid",
            )
        )
        return done()
    if "VerifiablePresentation" not in types:
        checks.append(
            Check(
                "context_and_type",
                "Context and type",
                "failed",
                f"The type is {types or '(none)'}; it must include 'VerifiablePresentation'.",
                "invalid",
            )
        )
        return done()
    from credstack.vc import fastld

    try:
        fastld.check_safe(presentation)
    except UndefinedTermError as exc:
        checks.append(
            Check(
                "context_and_type",
                "Context and type",
                "failed",
                f"The property or type {exc.term!r} is not defined by any @context.",
                "invalid",
            )
        )
        return done()
    except VCError as exc:
        checks.append(Check("context_and_type", "Context and type", "failed", str(exc), "invalid"))
        return done()
    except (TypeError, ValueError, RecursionError) as exc:
        checks.append(
            Check(
                "context_and_type",
                "Context and type",
                "failed",
                f"The presentation cannot be read as JSON-LD: {exc}",
                "invalid",
            )
        )
        return done()
    checks.append(
        Check(
            "context_and_type",
            "Context and type",
            "passed",
            "A VerifiablePresentation; every term is defined by its contexts.",
        )
    )
    checks += _presentation_proof_checks(presentation, challenge, domain, fetcher, now)
    credentials = _as_list(presentation.get("verifiableCredential"))
    for number, credential in enumerate(credentials, 1):
        report = verify_credential(credential, fetcher=fetcher, now=now, with_evidence=False).report
        reports.append(report)
        status: Status = "passed" if report.valid else "failed" if report.verdict == "invalid" else "warning"
        reason = f": {'; '.join(report.reasons)}" if report.reasons else "."
        checks.append(
            Check(
                f"credential-{number}",
                f"Credential {number}",
                status,
                f"{report.verdict_text}{reason}",
                _VERDICT_EFFECT[report.verdict],
            )
        )
    if not credentials:
        checks.append(Check("credentials", "Credentials", "skipped", "The presentation holds no credentials."))
    return done()


# --- the VC API's options.checks: which checks decide `verified` ---------------------------------------------

#: Check ids of the report each requested check stands for. Reading the input, the contexts and the integrity of
#: related resources always count: without them nothing else means anything.
CHECK_GROUPS: dict[str, tuple[str, ...]] = {
    "proof": ("proof", "key_resolution"),
    "credentialStatus": ("status",),
    "status": ("status",),
    "expiration": ("validity_window",),
    "validity": ("validity_window",),
    "issuer": ("issuer_controller",),
    "schema": ("schema",),
    "recipient": ("recipient",),
}
ALWAYS_DECIDING = ("parse", "context_and_type", "related_resources")


def unknown_checks(requested: list[str]) -> list[str]:
    return [name for name in requested if name not in CHECK_GROUPS]


def narrowed(report: VerificationReport, requested: list[str]) -> VerificationReport:
    """The report with its verdict decided by the requested checks only (``options.checks`` of the VC API, e.g.
    ``["proof"]``: is the signature good, whoever the issuer claims to be). Every check stays in the report."""
    wanted = set(ALWAYS_DECIDING)
    for name in requested:
        wanted.update(CHECK_GROUPS[name])

    def counts(check: Check) -> bool:
        return check.id in wanted or (check.id.startswith("proof-") and "proof" in wanted)

    verdict, reasons = decide([c for c in report.checks if counts(c)])
    return replace(report, verdict=verdict, reasons=reasons)
