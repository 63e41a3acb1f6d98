"""Award actions: issuing credentials (manual, bulk, on an assessment pass, or a document from the API),
revoking, suspending, claiming, and the learner's choices.

Issuing is split on purpose: status indexes are reserved first (a short transaction under the
organization lock, like taking sequence values), the credentials are then built and signed outside any
lock, and finally recorded in one transaction with their audit records, mail scheduled on commit. The
``source`` of each award is unique, so a retry or a second worker on the same award gets the credential
that exists instead of a second one.
"""

from __future__ import annotations

import calendar
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from credstack.awards import documents, statuslists
from credstack.awards.models import STANDING, Credential, Origin, StatusList, WalletSettings
from credstack.awards.signals import credentials_issued
from credstack.catalog.models import MicroCredential, MicroCredentialVersion
from credstack.core import audit
from credstack.core.inputs import web_url_message
from credstack.core.mail import send_after_commit
from credstack.organizations.models import Organization, in_platform_space
from credstack.signing.actions import do_ensure_signing_key
from credstack.vc import builders as b
from credstack.vc.errors import VCError
from credstack.vc.iri import text_problem
from credstack.vc.proofs import add_proof

logger = logging.getLogger(__name__)

CLAIM_SALT = "credstack.awards.claim"
VERIFY_SALT = "credstack.awards.verify-email"
CLAIM_MAX_AGE = timedelta(days=365)
VERIFY_MAX_AGE = timedelta(days=3)
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
_STATUS = "https://www.w3.org/ns/credentials/status#"
OB3_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"
# VC 1.1's context defines neither DataIntegrityProof nor BitstringStatusListEntry: a VC 1.1 credential signed here
# gets the Data Integrity context (as digitalbazaar's issuers add it) and the status entry's terms inline, exactly as
# https://www.w3.org/ns/credentials/status/v1 defines them (same RDF), because VC 1.1 verifiers' loaders (the W3C
# suites' among them) know the Data Integrity context but rarely the 2024 status list one.
VC_V1_STATUS_CONTEXT: dict[str, Any] = {
    "BitstringStatusListEntry": {
        "@id": f"{_STATUS}BitstringStatusListEntry",
        "@context": {
            "@protected": True,
            "id": "@id",
            "type": "@type",
            "statusListCredential": {"@id": f"{_STATUS}statusListCredential", "@type": "@id"},
            "statusListIndex": f"{_STATUS}statusListIndex",
            "statusPurpose": f"{_STATUS}statusPurpose",
        },
    }
}
VC_V1_ADDED_CONTEXTS: tuple[Any, ...] = ("https://w3id.org/security/data-integrity/v2", VC_V1_STATUS_CONTEXT)
MAX_REASON = 2000
#: Credentials inserted per statement when a batch is recorded (well under SQLite's parameter limit).
RECORD_BATCH = 200
MAX_NARRATIVE = 5000
_email = EmailValidator()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, the day clamped to the month's length (31 Jan + 1 = 28/29 Feb)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# --- what an award is made of ---------------------------------------------------------------------


@dataclass
class AwardRequest:
    """One credential to issue. ``source`` is its idempotency key; ``valid_until=None`` follows the version's
    expiry policy unless ``no_expiry``."""

    version: MicroCredentialVersion | None
    email: str
    source: str
    origin: str
    name: str = ""
    user: Any = None
    levels: dict[str, str] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    awarded_at: datetime | None = None
    valid_until: datetime | None = None
    public_id: uuid.UUID = field(default_factory=uuid.uuid4)
    #: With ``version=None``: the achievement awarded (a completed stack's), built by its owner.
    achievement: b.Achievement | None = None

    @property
    def credential_id(self) -> str:
        return settings.CREDSTACK_BASE_URL + reverse("awards:credential", args=[self.public_id])


def evidence_page_url(public_id: uuid.UUID, number: int) -> str:
    """The stable URL of an evidence item's page (its ``id`` in the credential)."""
    return settings.CREDSTACK_BASE_URL + reverse("awards:evidence", args=[public_id, number])


def _valid_until(request: AwardRequest, awarded_at: datetime) -> datetime | None:
    if request.valid_until is not None:
        return request.valid_until
    months = request.version.expiry_months if request.version is not None else None
    return add_months(awarded_at, months) if months else None


def _recipient_choices(user: Any) -> tuple[str, bool]:
    """The learner's DID and whether their name goes into new credentials: named unless they chose otherwise."""
    if user is None:
        return "", True
    choices = WalletSettings.objects.filter(user=user).first()
    return (choices.did, choices.show_name) if choices else ("", True)


def accounts_by_email(emails: Sequence[str]) -> dict[str, Any]:
    """The active accounts of ``emails`` (lower-cased), one query: whose name and choices an award to an address
    follows before the credential is claimed."""
    from credstack.accounts.models import User

    wanted = {e.lower() for e in emails if e}
    if not wanted:
        return {}
    return {u.email.lower(): u for u in User.objects.filter(email__in=wanted, is_active=True)}


def recipient_naming(request: AwardRequest, account: Any = None) -> tuple[str, str, bool]:
    """``(name, did, show_name)`` of a new credential.

    The credential names its earner by default (issue 14): the name of their account — the learner's own, or the
    account that already uses the address — else the name the issuer typed; the account's saved choice (not named,
    a DID) is followed. The DID is used only for the learner the award is made to: an unclaimed credential does not
    name the DID of an account that has not claimed it yet. With no name at all the credential is named at claim.
    """
    holder = request.user if request.user is not None else account
    did, show_name = _recipient_choices(holder)
    if request.user is None:
        did = ""
    name = (holder.display_name if holder is not None else "") or request.name
    return name, did, show_name and bool(name)


def issue_awards(
    organization: Organization,
    requests: Sequence[AwardRequest],
    *,
    actor: Any,
    notify: bool = True,
    on_recorded: Callable[[dict[str, Credential]], None] | None = None,
    failures: dict[str, str] | None = None,
) -> list[Credential]:
    """Issue ``requests`` (all of ``organization``); the credentials in the same order.

    A request whose ``source`` already has a credential gets that credential (idempotent), and so does one
    whose recipient already holds the micro-credential (the database refuses a second standing credential,
    see ``Credential``): the credential returned then has another ``source`` — compare to tell a loser of
    that race. ``on_recorded`` runs inside the recording transaction with ``{source: credential}`` of every
    request (e.g. to mark bulk rows done atomically with their credentials).

    With ``failures`` given, a request whose credential cannot be built or signed (a value the builder
    refuses) is left out instead of failing the others: ``failures[source]`` says why, and it is neither
    in ``on_recorded``'s map nor in the returned list.
    """
    found = {c.source: c for c in Credential.objects.filter(source__in=[r.source for r in requests])}
    todo = [r for r in requests if r.source not in found]
    rows: list[Credential] = []
    if todo:
        accounts = accounts_by_email([r.email for r in todo if r.user is None])
        key = do_ensure_signing_key(organization=organization, actor=actor)
        signer = key.signer()
        slots = statuslists.reserve_indexes(organization, len(todo))
        parts = documents.SharedParts()
        for request, slot in zip(todo, slots, strict=True):
            try:
                rows.append(
                    _build_credential(
                        organization,
                        request,
                        slot,
                        key,
                        signer,
                        actor=actor,
                        notify=notify,
                        parts=parts,
                        account=accounts.get(request.email.lower()),
                    )
                )
            except DatabaseError:
                raise
            except Exception as exc:
                if failures is None:
                    raise
                # One bad value must not sink the batch; the reserved index simply stays unused.
                logger.warning("Award %s could not be built: %r", request.source, exc)
                failures[request.source] = f"The credential could not be built: {exc}"[:1000]
    with transaction.atomic():
        # Recorded in one order everywhere, so that two batches racing over the same people wait for each other
        # at the unique index instead of deadlocking.
        ordered = sorted(rows, key=lambda r: (r.micro_credential_id or 0, r.recipient_email, r.source))
        created = _record_all(ordered, found)
        audit.record_many(
            audit.event(
                "award.issued",
                row,
                actor=actor,
                organization=organization,
                source=row.source,
                origin=row.origin,
                email=row.recipient_email,
                achievement=row.document["credentialSubject"]["achievement"]["id"],
            )
            for row in created
        )
        if on_recorded is not None:
            on_recorded(found)
        if created:
            issued = list(created)
            # Robust: a receiver that cannot queue its work (broker down) is logged; the award stands and the
            # request answers with it.
            transaction.on_commit(lambda: credentials_issued.send(sender=Credential, credentials=issued), robust=True)
        mailable = [c.pk for c in created if c.mail_due_at is not None]
        if mailable:
            transaction.on_commit(lambda: queue_award_mails(mailable))
    return [found[r.source] for r in requests if r.source in found]


def _build_credential(
    organization: Organization,
    request: AwardRequest,
    slot: tuple[StatusList, int],
    key: Any,
    signer: Any,
    *,
    actor: Any,
    notify: bool,
    parts: documents.SharedParts | None = None,
    account: Any = None,
) -> Credential:
    parts = parts or documents.SharedParts()
    status_list, index = slot
    awarded_at = request.awarded_at or timezone.now()
    name, did, show_name = recipient_naming(request, account)
    recipient = documents.Recipient(
        email=request.email, salt=secrets.token_hex(16), name=name if show_name else "", did=did
    )
    credits = request.version.credits_available if request.version is not None else None
    award = documents.Award(
        credential_id=request.credential_id,
        organization=organization,
        version=request.version,
        recipient=recipient,
        awarded_at=awarded_at,
        valid_until=_valid_until(request, awarded_at),
        status=documents.StatusSlot(*parts.status_urls(status_list), index),
        levels=request.levels,
        evidence=request.evidence,
        credits_earned=credits,
        achievement=request.achievement,
    )
    document = documents.sign(documents.build(award, parts), signer)
    return Credential(
        public_id=request.public_id,
        organization=organization,
        version=request.version,
        micro_credential=request.version.micro_credential if request.version is not None else None,
        origin=request.origin,
        source=request.source,
        recipient_email=request.email,
        recipient_name=name,
        name_shown=bool(recipient.name),
        recipient_did=did,
        recipient_user=request.user,
        claimed_at=timezone.now() if request.user is not None else None,
        awarded_at=awarded_at,
        valid_from=awarded_at,
        valid_until=award.valid_until,
        credits_earned=credits,
        results=request.levels,
        evidence=request.evidence,
        document=document,
        signing_key=key,
        status_list=status_list,
        status_index=index,
        mail_due_at=timezone.now() if notify and request.email else None,
        created_by=_user(actor),
    )


def holder_of(row: Credential) -> Credential | None:
    """The standing credential that takes ``row``'s place in the one-standing-credential index, if any."""
    if row.micro_credential_id is None:
        return None
    return (
        Credential.objects.filter(STANDING)
        .filter(
            organization_id=row.organization_id,
            micro_credential_id=row.micro_credential_id,
            recipient_email=row.recipient_email,
        )
        .first()
    )


def _record_all(rows: list[Credential], found: dict[str, Credential]) -> list[Credential]:
    """Save ``rows`` (in order) and note each one's credential in ``found``; the rows that were saved.

    The usual case — no credential in the way — is one multi-row insert. When the database refuses it (one of the
    rows lost a race at a unique index), nothing of it stays and each row is recorded alone by :func:`_record`,
    which tells the winners from the losers.
    """
    if not rows:
        return []
    try:
        with transaction.atomic():
            Credential.objects.bulk_create(rows, batch_size=RECORD_BATCH)
    except IntegrityError:
        for row in rows:
            row.pk, row._state.adding = None, True
    else:
        if any(row.pk is None for row in rows):  # a database that cannot return the new ids (SQLite < 3.35)
            ids = dict(Credential.objects.filter(source__in=[r.source for r in rows]).values_list("source", "pk"))
            for row in rows:
                row.pk = ids[row.source]
        for row in rows:
            found[row.source] = row
        return list(rows)
    created = []
    for row in rows:
        winner = _record(row)
        found[row.source] = winner
        if winner is row:
            created.append(row)
    return created


def _record(row: Credential) -> Credential:
    """Save ``row``, or return the credential the database says already stands in its place.

    Two guards can refuse it: the unique ``source`` (the same award recorded by another worker) and the unique
    standing credential (the person got it another way meanwhile). An expired holder is superseded by the new
    award (a renewal); a holder still valid wins, and ``row`` is dropped (its reserved index stays unused).
    """
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row.save()
            return row
        except IntegrityError:
            same = Credential.objects.filter(source=row.source).first()
            if same is not None:
                return same
            holder = holder_of(row)
            if holder is None:
                continue  # the holder was revoked or superseded meanwhile: try again
            if holder.valid_until is None or holder.valid_until > timezone.now():
                return holder
            # Conditional, so that of two renewals racing only one supersedes the expired credential.
            Credential.objects.filter(pk=holder.pk, superseded_at__isnull=True).update(superseded_at=timezone.now())
    with transaction.atomic():
        row.save()  # a fourth refusal is a real error: let it show
    return row


def queue_award_mails(credential_ids: list[int]) -> None:
    """Hand the claim mails of new credentials to the task queue; when the broker cannot take them, they stay
    due (``mail_due_at``) and the sweep sends them, so the request that awarded still answers with its result."""
    from credstack.awards.tasks import send_award_mails

    try:
        send_award_mails.delay(credential_ids)
    except Exception:
        logger.warning(
            "Could not queue claim mail for %d credential(s); the sweep will send it",
            len(credential_ids),
            exc_info=True,
        )


# --- manual awards (page, API, command line) --------------------------------------------------------

FIELDS = ("email", "name", "achievement", "evidence_url", "evidence_narrative", "awarded_on", "expires_on")


class VersionLookup:
    """Published versions of an organization's micro-credentials by slug, looked up once each."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self._cache: dict[str, MicroCredentialVersion | None] = {}

    def get(self, slug: str) -> MicroCredentialVersion | None:
        if slug not in self._cache:
            self._cache[slug] = (
                MicroCredentialVersion.objects.published()
                .filter(micro_credential__organization=self.organization, micro_credential__slug=slug)
                .select_related("micro_credential__organization")
                .first()
            )
        return self._cache[slug]


def _parse_date(text: str, label: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label} must be a date written YYYY-MM-DD (ISO 8601), not {text!r}.")


def clean_award(data: Mapping[str, Any], versions: VersionLookup) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one award's fields (the same for the form, the API, the CLI and each CSV row).

    Returns the cleaned values and a map of field -> message (empty when everything is right).
    """
    errors: dict[str, str] = {}
    raw = {k: ("" if data.get(k) is None else str(data.get(k)).strip()) for k in FIELDS}
    # Text the database cannot hold is refused, and never used in a query below.
    bad_text = {key: f"{key} {problem}." for key, value in raw.items() if (problem := text_problem(value))}
    raw.update(dict.fromkeys(bad_text, ""))
    out: dict[str, Any] = {
        "email": raw["email"].lower(),
        "name": raw["name"],
        "evidence_url": raw["evidence_url"],
        "evidence_narrative": raw["evidence_narrative"],
    }
    if not out["email"]:
        errors["email"] = "An email address is required."
    else:
        try:
            _email(out["email"])
        except ValidationError:
            errors["email"] = f"{raw['email']!r} is not a valid email address."
    if len(out["name"]) > 200:
        errors["name"] = "The name must be at most 200 characters."
    out["version"] = None
    if not raw["achievement"]:
        errors["achievement"] = "Which micro-credential? Give its slug (see `credstack catalog`)."
    else:
        version = versions.get(raw["achievement"])
        if version is None:
            errors["achievement"] = (
                f"{versions.organization.name} has no published micro-credential {raw['achievement']!r}."
            )
        out["version"] = version
    if out["evidence_url"]:
        url_problem = web_url_message(out["evidence_url"], label="The evidence URL")
        if url_problem is not None:
            errors["evidence_url"] = url_problem
    if len(out["evidence_narrative"]) > MAX_NARRATIVE:
        errors["evidence_narrative"] = f"The evidence narrative must be at most {MAX_NARRATIVE} characters."
    today = timezone.now().date()
    out["awarded_on"] = None
    out["expires_on"] = None
    try:
        if raw["awarded_on"]:
            out["awarded_on"] = _parse_date(raw["awarded_on"], "awarded_on")
            if out["awarded_on"] > today:
                errors["awarded_on"] = "awarded_on cannot be in the future."
    except ValueError as exc:
        errors["awarded_on"] = str(exc)
    try:
        if raw["expires_on"]:
            out["expires_on"] = _parse_date(raw["expires_on"], "expires_on")
            if out["expires_on"] <= (out["awarded_on"] or today):
                errors["expires_on"] = "expires_on must be after the award date."
    except ValueError as exc:
        errors["expires_on"] = str(exc)
    errors.update(bad_text)
    return out, errors


def awarded_at_for(day: date | None) -> datetime:
    """Today's awards carry the moment of issue; a past date means the start of that day (UTC)."""
    now = timezone.now()
    if day is None or day == now.date():
        return now
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def expiry_for(day: date | None) -> datetime | None:
    return datetime.combine(day, time(0, 0), tzinfo=UTC) if day is not None else None


def manual_evidence(url: str, narrative: str) -> list[dict[str, Any]]:
    if not url and not narrative:
        return []
    return [{"url": url, "name": "Evidence", "narrative": narrative}]


def standing_award(micro_credential: MicroCredential, email: str) -> Credential | None:
    """A credential the person already holds for this micro-credential (any version; not revoked, superseded or
    expired: an expired one may be renewed by a new award)."""
    return Credential.objects.holding().filter(micro_credential=micro_credential, recipient_email=email).first()


def _already_holds(email: str, held: Credential) -> ValidationError:
    return ValidationError({"email": [f"{email} already holds “{held.title}” (awarded {held.awarded_at:%Y-%m-%d})."]})


def do_award_credential(
    *, organization: Organization, data: Mapping[str, Any], actor: Any, request_key: str = "", notify: bool = True
) -> Credential:
    """A manual award by an organization admin (page, API, ``credstack award``).

    ``request_key`` (the form's one-time token) makes a repeated submission return the first credential.
    """
    if request_key:
        try:
            uuid.UUID(request_key)
        except ValueError:
            raise ValidationError({"request_key": ["The form token is not valid; reload the page."]})
        existing = Credential.objects.filter(source=f"request:{request_key}").first()
        if existing is not None:
            return existing
    cleaned, errors = clean_award(data, VersionLookup(organization))
    version = cleaned["version"]
    if not errors and version is not None:
        held = standing_award(version.micro_credential, cleaned["email"])
        if held is not None:
            raise _already_holds(cleaned["email"], held)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    assert version is not None
    request = AwardRequest(
        version=version,
        email=cleaned["email"],
        name=cleaned["name"],
        origin=Origin.MANUAL,
        source=f"request:{request_key}" if request_key else f"manual:{uuid.uuid4()}",
        evidence=manual_evidence(cleaned["evidence_url"], cleaned["evidence_narrative"]),
        awarded_at=awarded_at_for(cleaned["awarded_on"]),
        valid_until=expiry_for(cleaned["expires_on"]),
    )
    failures: dict[str, str] = {}
    issued = issue_awards(organization, [request], actor=actor, notify=notify, failures=failures)
    if not issued:
        # A value passed the checks above but the credential builder refuses it: say so, never a 500/traceback.
        raise ValidationError(
            {
                "credential": [
                    f"{failures[request.source]}. Check the evidence URL; if it is right, the organization's "
                    "profile or the micro-credential holds a value that cannot be signed."
                ]
            }
        )
    credential = issued[0]
    if credential.source != request.source:
        # Another award of the same to the same person was recorded between the check above and ours: the
        # database kept theirs; the answer is the one a later request would get.
        raise _already_holds(cleaned["email"], credential)
    return credential


# --- assessment passes ------------------------------------------------------------------------------


def assessment_evidence(assessment: Any, public_id: uuid.UUID) -> list[dict[str, Any]]:
    """The evidence that was assessed (the attempt's frozen list), each with its page URL and digest."""
    artifacts = assessment.micro_credential_version.submission.get("artifacts", [])
    out = []
    for number, item in enumerate(assessment.attempt.evidence or [], start=1):
        index = item.get("artifact_index")
        artifact = artifacts[index] if isinstance(index, int) and 0 <= index < len(artifacts) else {}
        entry: dict[str, Any] = {
            "url": evidence_page_url(public_id, number),
            "name": item.get("title") or artifact.get("title") or "Evidence",
            # The learner's own words ("What it shows"), or nothing: the part's prompt is the issuer's
            # assignment, and printed here it would read as what the learner said about their work.
            "description": item.get("note") or "",
            "item_id": item.get("id"),
            "kind": item.get("kind", ""),
            "media_type": item.get("media_type", ""),
            "size": item.get("size", 0),
            "link": item.get("url", ""),
            "artifact": artifact.get("title", ""),
        }
        if item.get("sha256"):
            entry["digest"] = documents.sha256_hex_to_digest_multibase(item["sha256"])
        out.append(entry)
    return out


def do_issue_for_assessment(*, assessment: Any, actor: Any = None) -> Credential:
    """Issue the credential of a recorded pass (idempotent: one credential per assessment, ever)."""
    source = f"assessment:{assessment.pk}"
    credential = Credential.objects.filter(source=source).first()
    if credential is None:
        public_id = uuid.uuid4()
        request = AwardRequest(
            version=assessment.micro_credential_version,
            email=assessment.learner.email.lower(),
            source=source,
            origin=Origin.ASSESSMENT,
            user=assessment.learner,
            levels=dict(assessment.levels or {}),
            evidence=assessment_evidence(assessment, public_id),
            awarded_at=assessment.decided_at,
            public_id=public_id,
        )
        credential = issue_awards(assessment.organization, [request], actor=actor)[0]
    from credstack.assessment.actions import do_mark_credential_issued

    do_mark_credential_issued(assessment, credential.credential_id, actor)
    return credential


# --- a document from the API (credstack.verifier's POST /credentials/issue) ---------------------------


def issue_credential_document(
    organization: Organization, credential: dict[str, Any], *, suite: str = "eddsa-rdfc-2022", actor: Any
) -> dict[str, Any]:
    """Sign a caller-supplied credential as ``organization``: its issuer, status entries and proof added.

    The credential must use the VC 2.0 context first (or VC 1.1's, signed as given: ``issuanceDate`` added when
    missing, and the Data Integrity and Bitstring Status List contexts appended when absent, since VC 1.1's context
    defines neither the proof nor the status entry) and may not carry a proof of its own; the platform
    sets ``credentialStatus`` itself (the revocation and, unless the organization does not publish suspension,
    the suspension entries it serves), replacing any the
    caller sent; ``issuer`` is set to the organization's own profile (the caller's credential must name the
    organization as its issuer, as every verifiable credential names one; its other members are replaced, so no
    one signs as "Harvard University"); an ``id`` (a
    caller's own must lie outside the platform's URL space, whose ids the platform alone gives) and
    ``validFrom`` are added when missing. It is recorded (origin ``api``), so it can be revoked and
    suspended like any other.
    Raises ``ValidationError`` keyed by member when the document cannot be signed as given.
    """
    if not isinstance(credential, dict):
        raise ValidationError({"credential": ["The credential must be a JSON object."]})
    document = dict(credential)
    errors: dict[str, str] = {}
    contexts = document.get("@context")
    if isinstance(contexts, str):
        contexts = [contexts]
    vc11 = isinstance(contexts, list) and bool(contexts) and contexts[0] == VC_V1_CONTEXT
    given_contexts: list[Any] = list(contexts) if isinstance(contexts, list) else []
    if not isinstance(contexts, list) or not contexts or contexts[0] not in (b.VC_V2_CONTEXT, VC_V1_CONTEXT):
        errors["@context"] = (
            f"The first @context must be {b.VC_V2_CONTEXT} (VC Data Model 2.0) or {VC_V1_CONTEXT} (VC 1.1)."
        )
    if "proof" in document:
        errors["proof"] = "Leave proof out: the platform signs the credential."
    if organization.did_method == "key" and not organization.did_key:
        do_ensure_signing_key(organization=organization, actor=actor)  # binds the did:key that names the issuer
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer is None:
        # a verifiable credential MUST have an issuer (VCDM 2.0 §4.7; the W3C VC API issuer suite checks it)
        errors["issuer"] = f"The credential needs its issuer: {organization.issuer_id}."
    elif not isinstance(issuer_id, str):
        errors["issuer"] = f"The issuer must be a string or an object whose id is {organization.issuer_id}."
    elif issuer_id != organization.issuer_id:
        errors["issuer"] = f"The issuer must be {organization.issuer_id}."
    if isinstance(document.get("id"), str) and in_platform_space(document["id"]):
        errors["id"] = (
            f"Leave id out or use one of your own (such as urn:uuid:…): ids under {settings.CREDSTACK_BASE_URL} "
            "are given by the platform."
        )
    if suite not in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        errors["suite"] = "The suite must be eddsa-rdfc-2022 or eddsa-jcs-2022."
    if "credentialSubject" not in document:
        errors["credentialSubject"] = "A credential needs a credentialSubject."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    public_id = uuid.uuid4()
    document.setdefault("id", settings.CREDSTACK_BASE_URL + reverse("awards:credential", args=[public_id]))
    # The organization's own issuer, whatever name, url or image the caller sent: its Open Badges profile where the
    # credential's contexts define Profile, else its id and name (terms every VC 2.0 credential defines); VC 1.1's
    # context defines neither, so the id alone there.
    if vc11:
        document["issuer"] = organization.issuer_id
    elif any(isinstance(c, str) and c.startswith(OB3_CONTEXT_PREFIX) for c in given_contexts):
        document["issuer"] = documents.issuer_profile(organization).to_json()
    else:
        document["issuer"] = {"id": organization.issuer_id, "name": organization.name}
    now = timezone.now()
    if vc11:
        document["@context"] = [
            *given_contexts,
            *(extra for extra in VC_V1_ADDED_CONTEXTS if extra not in given_contexts),
        ]
        document.setdefault("issuanceDate", b.format_datetime(now))
    else:
        document.setdefault("validFrom", b.format_datetime(now))
    key = do_ensure_signing_key(organization=organization, actor=actor)
    ((status_list, index),) = statuslists.reserve_indexes(organization, 1)
    entries = documents.status_entries(
        organization, documents.StatusSlot(status_list.url("revocation"), status_list.url("suspension"), index)
    )
    document["credentialStatus"] = b.status_json(entries, allow_array=True)
    try:
        signed = add_proof(document, key.signer(), suite=suite)
    except (VCError, ValueError, TypeError) as exc:
        raise ValidationError({"credential": [f"The credential cannot be signed: {exc}"]})
    with transaction.atomic():
        row = Credential.objects.create(
            public_id=public_id,
            organization=organization,
            version=None,
            origin=Origin.API,
            source=f"api:{public_id}",
            awarded_at=now,
            valid_from=now,
            document=signed,
            signing_key=key,
            status_list=status_list,
            status_index=index,
            created_by=_user(actor),
        )
        audit.record("award.document_signed", row, actor=actor, organization=organization, id=signed["id"], suite=suite)
    return signed


# --- revocation and suspension ----------------------------------------------------------------------


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [f"Say why the credential is {what}; the learner is told."]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [f"At most {MAX_REASON} characters."]})
    return reason


def _locked(credential: Credential) -> Credential:
    return (
        Credential.objects.select_for_update(of=("self",))
        .select_related("organization", "version")
        .get(pk=credential.pk)
    )


def _tell_learner(credential: Credential, template: str, **extra: Any) -> None:
    if credential.recipient_email:
        context = {"c": credential, "base": settings.CREDSTACK_BASE_URL, **extra}
        body = render_to_string(f"awards/mail/{template}.txt", context)
        subject, _, text = body.partition("\n\n")
        send_after_commit(subject.strip(), text, [credential.recipient_email])


def do_revoke_credential(*, credential: Credential, reason: str, actor: Any) -> Credential:
    """Revoke for good: the revocation bit is set and the list re-signed in this transaction."""
    reason = _reason(reason, "revoked")
    with transaction.atomic():
        locked = _locked(credential)
        if locked.revoked_at is not None:
            raise ValidationError({"credential": ["This credential is already revoked; revocation is permanent."]})
        locked.revoked_at, locked.revocation_reason = timezone.now(), reason
        locked.save(update_fields=["revoked_at", "revocation_reason"])
        statuslists.set_status(locked.status_list_id, locked.status_index, "revocation", True)
        audit.record("award.revoked", locked, actor=actor, organization=locked.organization, reason=reason)
        _tell_learner(locked, "revoked", reason=reason)
    return locked


def do_suspend_credential(*, credential: Credential, reason: str, actor: Any) -> Credential:
    reason = _reason(reason, "suspended")
    with transaction.atomic():
        locked = _locked(credential)
        if locked.revoked_at is not None:
            raise ValidationError({"credential": ["A revoked credential cannot be suspended."]})
        if locked.suspended_at is not None:
            raise ValidationError({"credential": ["This credential is already suspended."]})
        locked.suspended_at, locked.suspension_reason = timezone.now(), reason
        locked.save(update_fields=["suspended_at", "suspension_reason"])
        statuslists.set_status(locked.status_list_id, locked.status_index, "suspension", True)
        audit.record("award.suspended", locked, actor=actor, organization=locked.organization, reason=reason)
        _tell_learner(locked, "suspended", reason=reason)
    return locked


def do_unsuspend_credential(*, credential: Credential, actor: Any) -> Credential:
    with transaction.atomic():
        locked = _locked(credential)
        if locked.suspended_at is None or locked.revoked_at is not None:
            raise ValidationError({"credential": ["Only a suspended (not revoked) credential can be reinstated."]})
        locked.suspended_at, locked.suspension_reason = None, ""
        locked.save(update_fields=["suspended_at", "suspension_reason"])
        statuslists.set_status(locked.status_list_id, locked.status_index, "suspension", False)
        audit.record("award.unsuspended", locked, actor=actor, organization=locked.organization)
        _tell_learner(locked, "reinstated")
    return locked


# --- claiming and the wallet ------------------------------------------------------------------------


def claim_token(credential: Credential) -> str:
    return signing.dumps({"c": str(credential.public_id), "e": credential.recipient_email}, salt=CLAIM_SALT)


def claim_url(credential: Credential) -> str:
    return settings.CREDSTACK_BASE_URL + reverse("awards:claim", args=[credential.public_id, claim_token(credential)])


def read_claim_token(credential: Credential, token: str) -> bool:
    try:
        data = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.BadSignature:
        return False
    return bool(data.get("c") == str(credential.public_id) and data.get("e") == credential.recipient_email)


def _claim_all(user: Any, email: str, actor: Any) -> list[Credential]:
    claimed = []
    with transaction.atomic():
        rows = Credential.objects.select_for_update().filter(recipient_email=email.lower(), recipient_user__isnull=True)
        for credential in rows:
            credential.recipient_user, credential.claimed_at = user, timezone.now()
            credential.save(update_fields=["recipient_user", "claimed_at"])
            audit.record(
                "award.claimed", credential, actor=actor, organization=credential.organization, user=user.email
            )
            claimed.append(credential)
    return claimed


def claim_closed_reason(credential: Credential) -> str:
    """Why a credential can no longer be claimed (revoked, replaced by a newer award, expired), or ``""``."""
    if credential.revoked_at is not None:
        return f"{credential.organization.name} revoked this credential on {credential.revoked_at:%-d %B %Y}."
    if credential.superseded_at is not None:
        return "A newer award of the same micro-credential replaced this credential; claim that one instead."
    if credential.state == "expired" and credential.valid_until is not None:
        return f"This credential expired on {credential.valid_until:%-d %B %Y}."
    return ""


def clean_shown_name(name: str) -> str:
    """A name the learner typed for their credentials; ValidationError (key ``name``) when it cannot be used."""
    name = " ".join((name or "").split())
    if len(name) > 200:
        raise ValidationError({"name": ["The name must be at most 200 characters."]})
    if problem := text_problem(name):
        raise ValidationError({"name": [f"The name {problem}."]})
    return name


def do_claim_credential(
    *,
    credential: Credential,
    token: str,
    user: Any,
    actor: Any,
    show_name: bool | None = None,
    name: str = "",
) -> list[Credential]:
    """Claim through the mailed link: the token proves the mailbox, so every credential awarded to that
    address and not yet claimed joins the account (the signed-in account must use that address).

    ``show_name`` is the learner's answer to "name me in my credentials?" asked on the claim page (``None``: not
    asked): it becomes their choice for new credentials, and each credential claimed now whose presentation
    differs is re-issued with it (``name``, or the name it carries or the account's, when named).
    """
    closed = claim_closed_reason(credential)
    if closed:
        raise ValidationError({"credential": [f"{closed} It cannot be added to My credentials."]})
    if not read_claim_token(credential, token):
        raise ValidationError(
            {
                "token": [
                    "This claim link is not valid or has expired. Sign in and confirm your "
                    "email address in My credentials instead."
                ]
            }
        )
    if user.email.lower() != credential.recipient_email:
        raise ValidationError(
            {
                "email": [
                    f"This credential was awarded to {credential.recipient_email}; you are "
                    f"signed in as {user.email}. Sign in with that address to claim it."
                ]
            }
        )
    if credential.recipient_user_id is not None and credential.recipient_user_id != user.pk:
        raise ValidationError({"credential": ["This credential was already claimed by another account."]})
    name = clean_shown_name(name) or credential.recipient_name or user.display_name
    if show_name and not name:
        raise ValidationError({"name": ["Type the name your credentials should show, or choose not to be named."]})
    with transaction.atomic():
        claimed = _claim_all(user, credential.recipient_email, actor)
        if show_name is not None:
            choices, _ = WalletSettings.objects.get_or_create(user=user)
            if choices.show_name != show_name:
                choices.show_name = show_name
                choices.save(update_fields=["show_name", "updated_at"])
                audit.record("award.wallet_settings", choices, actor=actor, did=bool(choices.did), show_name=show_name)
            # The credential at the link too: its earner may have had it in their wallet already.
            for row in {c.pk: c for c in [credential, *claimed]}.values():
                shown = name if show_name else ""
                if row.origin == Origin.API or row.revoked_at is not None:
                    continue
                if row.name_shown == bool(shown) and (not shown or row.recipient_name == shown):
                    continue  # already presented as chosen: no new signature
                do_present_recipient(
                    credential=row, show_name=bool(show_name), use_did=bool(row.recipient_did), actor=actor, name=name
                )
    return claimed


def unclaimed_for(user: Any) -> int:
    return Credential.objects.filter(recipient_email=user.email.lower(), recipient_user__isnull=True).count()


def do_send_email_confirmation(*, user: Any, actor: Any) -> None:
    """Mail the account's address a link that proves it, so credentials awarded to it can be claimed."""
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT)
    link = settings.CREDSTACK_BASE_URL + reverse("awards:confirm_email", args=[token])
    body = render_to_string("awards/mail/confirm_email.txt", {"user": user, "link": link})
    subject, _, text = body.partition("\n\n")
    with transaction.atomic():
        audit.record("award.email_confirmation_sent", user, actor=actor)
        send_after_commit(subject.strip(), text, [user.email])


def do_confirm_email_and_claim(*, token: str, user: Any, actor: Any) -> list[Credential]:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError({"token": ["This confirmation link is not valid or has expired; ask for a new one."]})
    if data.get("u") != user.pk or data.get("e") != user.email.lower():
        raise ValidationError({"token": ["This confirmation link belongs to another account."]})
    return _claim_all(user, user.email, actor)


def do_update_wallet_settings(*, user: Any, did: str, show_name: bool, actor: Any) -> WalletSettings:
    did = (did or "").strip()
    if did and not (did.startswith(("did:key:z6Mk", "did:web:")) and " " not in did and len(did) <= 500):
        raise ValidationError({"did": ["Give a did:key (did:key:z6Mk…) or did:web DID, or leave it empty."]})
    with transaction.atomic():
        choices, _ = WalletSettings.objects.get_or_create(user=user)
        choices.did, choices.show_name = did, bool(show_name)
        choices.save()
        audit.record("award.wallet_settings", choices, actor=actor, did=bool(did), show_name=bool(show_name))
    return choices


def do_set_evidence_public(*, credential: Credential, public: bool, actor: Any) -> Credential:
    with transaction.atomic():
        locked = _locked(credential)
        locked.evidence_public = bool(public)
        locked.save(update_fields=["evidence_public"])
        audit.record(
            "award.evidence_visibility", locked, actor=actor, organization=locked.organization, public=bool(public)
        )
    return locked


def do_present_recipient(
    *, credential: Credential, show_name: bool, use_did: bool, actor: Any, name: str = ""
) -> Credential:
    """Re-sign the credential with the learner's name shown or not, their DID as subject or not.

    The id, status entries and everything the issuer asserted stay; only the recipient presentation and the
    proof (by the organization's active key) change. ``name`` replaces the name the credential keeps (the one
    the issuer typed or the account's) when given.
    """
    name = clean_shown_name(name)
    with transaction.atomic():
        locked = _locked(credential)
        # Documents signed for an integrator (origin API) are theirs as given: their recipient is not ours to redo.
        if locked.revoked_at is not None or locked.origin == Origin.API:
            raise ValidationError({"credential": ["This credential cannot be changed."]})
        did = _recipient_choices(locked.recipient_user)[0] if use_did else ""
        if use_did and not did:
            raise ValidationError({"did": ["Add your DID in My credentials settings first."]})
        name = name or locked.recipient_name or (locked.recipient_user.display_name if locked.recipient_user else "")
        if show_name and not name:
            raise ValidationError({"name": ["Your account has no name; add one first."]})
        salt = _identity_salt(locked.document)
        recipient = documents.Recipient(
            email=locked.recipient_email, salt=salt, name=name if show_name else "", did=did
        )
        key = do_ensure_signing_key(organization=locked.organization, actor=actor)
        locked.document = documents.sign(documents.with_recipient(locked.document, recipient), key.signer())
        locked.signing_key = key
        locked.name_shown, locked.recipient_name, locked.recipient_did = bool(recipient.name), name, did
        locked.save(update_fields=["document", "signing_key", "name_shown", "recipient_name", "recipient_did"])
        audit.record(
            "award.resigned",
            locked,
            actor=actor,
            organization=locked.organization,
            name_shown=bool(recipient.name),
            did=bool(did),
        )
    return locked


def _identity_salt(document: dict[str, Any]) -> str:
    for identity in document.get("credentialSubject", {}).get("identifier", []):
        if identity.get("identityType") == "emailAddress" and isinstance(identity.get("salt"), str):
            return str(identity["salt"])
    return secrets.token_hex(16)


def resign_status_lists(organization: Organization) -> int:
    """Re-sign the organization's status list credentials with its active key (after a key change)."""
    return statuslists.resign_all(organization)


def status_list_for(organization: Organization, number: int) -> StatusList | None:
    return StatusList.objects.filter(organization=organization, number=number).first()
