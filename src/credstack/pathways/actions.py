"""Stack actions: define, publish and retire stacks; follow a learner's progress; award completed stacks.

Every issued credential re-evaluates the stacks its micro-credential belongs to, for its learner
(:func:`do_evaluate_stacks`, run by a task after the award commits). A learner who holds enough standing
credentials of a published stack's micro-credentials gets the stack's own Open Badges 3.0 credential,
issued through :func:`credstack.awards.actions.issue_awards` like any other award (signed, with status
entries, mailed, idempotent): its achievement is the stack, its evidence the credentials that completed it.
Publishing a stack evaluates everyone who already holds one of its micro-credentials.

The learner is identified by the email address their credentials were awarded to, and by their account
once they claimed them: credentials awarded to either count, and one learner gets a stack once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from credstack.awards import documents
from credstack.awards.actions import AwardRequest, add_months, issue_awards
from credstack.awards.models import Credential, Origin
from credstack.catalog.models import MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.core import audit
from credstack.core.models import AuditEvent
from credstack.organizations.models import Organization
from credstack.pathways.models import STACK_ACHIEVEMENT_TYPES, Stack, StackAward, StackRequirement, StackStatus
from credstack.vc import builders as b

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_COMPONENTS = 30


# --- the definition ----------------------------------------------------------------------------------


def _version_for_display(micro_credential: MicroCredential) -> MicroCredentialVersion | None:
    """The version learners see: the published one, else the newest that was ever public."""
    return (
        micro_credential.versions.filter(status=VersionStatus.PUBLISHED).first()
        or micro_credential.versions.exclude(status=VersionStatus.DRAFT).order_by("-version").first()
    )


def component_name(micro_credential: MicroCredential) -> str:
    version = _version_for_display(micro_credential)
    return version.name if version is not None else micro_credential.slug


def rule_text(stack: Stack, names: list[str] | None = None) -> str:
    """ "Earn all 3 of these micro-credentials: A; B; C." (or "any 2 of these 3")."""
    names = names if names is not None else [component_name(m) for m in stack.requirements()]
    total, needed = len(names), stack.needed
    head = f"Earn all {total}" if needed >= total else f"Earn any {needed} of these {total}"
    return f"{head} micro-credentials from {stack.organization.name}: {'; '.join(names)}."


def clean_stack(organization: Organization, data: Mapping[str, Any], *, stack: Stack | None = None) -> dict[str, Any]:
    """Validate a stack definition; the cleaned values, or ``ValidationError`` keyed by field.

    ``micro_credentials`` is a list of the organization's micro-credential slugs, each with a published
    version, in the order learners should see them.
    """
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    def text(name: str, label: str, limit: int, required: bool) -> str:
        value = str(data.get(name) or "").strip()
        if "\x00" in value or not _encodable(value):  # neither can be stored in a text column
            errors[name] = f"{label} contains a NUL character or text that is not valid Unicode."
        elif required and not value:
            errors[name] = f"{label} is required."
        elif len(value) > limit:
            errors[name] = f"{label}: at most {limit} characters."
        return value

    out["name"] = text("name", "The name", 120, True)
    out["summary"] = text("summary", "The summary", 500, True)
    out["criteria_narrative"] = text("criteria_narrative", "What earning it means", 5000, False)
    slug = str(data.get("slug") or "").strip() or slugify(out["name"])[:80]
    if not slug and not out["name"]:
        pass  # made from the name once there is one; the name's own error says what to do
    elif not SLUG.match(slug) or len(slug) > 80:
        errors["slug"] = "The slug takes lower-case letters, digits and single hyphens (e.g. science-specialist)."
    elif Stack.objects.filter(organization=organization, slug=slug).exclude(pk=stack.pk if stack else -1).exists():
        errors["slug"] = f"{organization.name} already has a stack called {slug}."
    out["slug"] = slug
    achievement_type = str(data.get("achievement_type") or "Certificate")
    if achievement_type not in dict(STACK_ACHIEVEMENT_TYPES):
        errors["achievement_type"] = f"Choose one of {', '.join(dict(STACK_ACHIEVEMENT_TYPES))}."
    out["achievement_type"] = achievement_type

    raw = data.get("micro_credentials") or []
    slugs = [raw] if isinstance(raw, str) else list(raw)
    slugs = list(
        dict.fromkeys(str(s).strip() for s in slugs if str(s).strip() and "\x00" not in str(s) and _encodable(str(s)))
    )
    found = (
        {
            mc.slug: mc
            for mc in MicroCredential.objects.filter(organization=organization, slug__in=slugs)
            if mc.published_version() is not None
        }
        if len(slugs) <= MAX_COMPONENTS
        else {}
    )
    unknown = [s for s in slugs if s not in found]
    if len(slugs) > MAX_COMPONENTS:
        errors["micro_credentials"] = f"At most {MAX_COMPONENTS} micro-credentials."
    elif unknown:
        named = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        errors["micro_credentials"] = f"Not a published micro-credential of {organization.name}: {named}."
    elif len(slugs) < 2:
        errors["micro_credentials"] = "A stack needs at least two micro-credentials."
    out["micro_credentials"] = [found[s] for s in slugs if s in found]

    out["required_count"] = _small_number(data.get("required_count"), "required_count", errors)
    if out["required_count"] is not None and not errors.get("micro_credentials"):
        if not 1 <= out["required_count"] <= len(slugs):
            errors["required_count"] = f"How many are needed: between 1 and {len(slugs)}, or empty for all of them."
    out["validity_months"] = _small_number(data.get("validity_months"), "validity_months", errors)
    if out["validity_months"] is not None and not 1 <= out["validity_months"] <= 120:
        errors["validity_months"] = "Valid for: between 1 and 120 months, or empty for no expiry."
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return out


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _small_number(value: Any, name: str, errors: dict[str, str]) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdecimal() or not text.isascii() or len(text) > 4:
        errors[name] = f"{'How many are needed' if name == 'required_count' else 'Valid for'}: a whole number."
        return None
    return int(text)


DEFINITION_FIELDS = (
    "name",
    "summary",
    "criteria_narrative",
    "slug",
    "achievement_type",
    "required_count",
    "validity_months",
)


def _save_definition(stack: Stack, values: dict[str, Any]) -> None:
    for name in DEFINITION_FIELDS:
        setattr(stack, name, values[name])
    if stack.pk is None:
        stack.save()
    else:
        stack.save(update_fields=list(DEFINITION_FIELDS))
    stack.stack_requirements.all().delete()
    StackRequirement.objects.bulk_create(
        StackRequirement(stack=stack, micro_credential=mc, position=i)
        for i, mc in enumerate(values["micro_credentials"])
    )


def do_create_stack(*, organization: Organization, data: Mapping[str, Any], actor: Any) -> Stack:
    values = clean_stack(organization, data)
    with transaction.atomic():
        stack = Stack(organization=organization)
        _save_definition(stack, values)
        audit.record("stack.created", stack, actor=actor, organization=organization, slug=stack.slug)
    return stack


def _locked(stack: Stack, expected: str, refusal: str) -> Stack:
    """The stack's row, locked for this transaction, if it is still in ``expected`` state (another admin may
    have published or retired it since this one loaded it)."""
    locked = Stack.objects.select_for_update().select_related("organization").get(pk=stack.pk)
    if locked.status != expected:
        raise ValidationError({"stack": [refusal.format(status=locked.get_status_display().lower())]})
    return locked


def do_update_stack(*, stack: Stack, data: Mapping[str, Any], actor: Any) -> Stack:
    frozen = "This stack is {status}: learners work toward it, so it is frozen. Retire it and create a new one."
    values = clean_stack(stack.organization, data, stack=stack)
    with transaction.atomic():
        locked = _locked(stack, StackStatus.DRAFT, frozen)
        _save_definition(locked, values)
        audit.record("stack.updated", locked, actor=actor, organization=locked.organization, slug=locked.slug)
    return locked


def do_publish_stack(*, stack: Stack, actor: Any) -> Stack:
    """Open the stack; everyone who already holds one of its micro-credentials is evaluated after commit."""
    with transaction.atomic():
        locked = _locked(stack, StackStatus.DRAFT, "Only a draft can be published; this stack is {status}.")
        closed = [component_name(m) for m in locked.requirements() if m.published_version() is None]
        if closed:
            raise ValidationError({"micro_credentials": [f"No longer published: {', '.join(closed)}."]})
        locked.status, locked.published_at = StackStatus.PUBLISHED, timezone.now()
        locked.save(update_fields=["status", "published_at"])
        audit.record("stack.published", locked, actor=actor, organization=locked.organization, slug=locked.slug)
        from credstack.pathways.tasks import evaluate_stack_holders

        stack_id = locked.pk
        transaction.on_commit(lambda: evaluate_stack_holders.delay(stack_id))
    return locked


def do_retire_stack(*, stack: Stack, actor: Any) -> Stack:
    """No new awards; the stack credentials already awarded stand."""
    with transaction.atomic():
        locked = _locked(stack, StackStatus.PUBLISHED, "Only a published stack can be retired; this stack is {status}.")
        locked.status, locked.retired_at = StackStatus.RETIRED, timezone.now()
        locked.save(update_fields=["status", "retired_at"])
        audit.record("stack.retired", locked, actor=actor, organization=locked.organization, slug=locked.slug)
    return locked


def do_delete_stack(*, stack: Stack, actor: Any) -> None:
    """Only a draft, which nobody could have earned, may be deleted."""
    with transaction.atomic():
        locked = _locked(stack, StackStatus.DRAFT, "Only a draft can be deleted; this stack is {status}: retire it.")
        audit.record("stack.deleted", locked, actor=actor, organization=locked.organization, slug=locked.slug)
        locked.delete()


# --- a learner's progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """A learner as their credentials name them: the email they were awarded to, and their account if any.

    Awarding goes by both (:meth:`of`): a credential awarded to an address counts for whoever holds that
    mailbox. What a signed-in person is *shown* goes by their account alone (:meth:`account`): registering
    with an address proves nothing about the mailbox, so credentials count there only once claimed through
    the mailed link or the email confirmation, as in My credentials.
    """

    email: str
    user: Any = None

    def credentials(self, prefix: str = "") -> Q:
        """Credentials of this learner (``prefix`` for a related credential, e.g. ``"credential__"``)."""
        # Awards store the address lower-cased (and so does a Holder), so an exact match can use the index.
        mine = Q(**{f"{prefix}recipient_email": self.email}) if self.email else Q(pk__in=[])
        if self.user is not None:
            mine |= Q(**{f"{prefix}recipient_user": self.user})
        return mine

    @classmethod
    def of(cls, credential: Credential) -> Holder:
        return cls(email=credential.recipient_email.strip().lower(), user=credential.recipient_user)

    @classmethod
    def account(cls, user: Any) -> Holder:
        """A signed-in learner, as their own pages and API show them: the credentials they claimed."""
        return cls(email="", user=user if getattr(user, "is_authenticated", False) else None)

    @property
    def key(self) -> str:
        """Who this is, once: the account when there is one, else the address."""
        return f"user:{self.user.pk}" if self.user is not None else f"email:{self.email}"


@dataclass(frozen=True)
class ProgressRow:
    micro_credential: MicroCredential
    name: str
    url: str
    credential: Credential | None
    #: The micro-credential's badge artwork (its published, else latest public, version's); "" if none.
    artwork: str = ""


@dataclass(frozen=True)
class Progress:
    stack: Stack
    rows: tuple[ProgressRow, ...]
    needed: int
    awarded: Credential | None

    @property
    def earned(self) -> int:
        return sum(1 for r in self.rows if r.credential is not None)

    @property
    def complete(self) -> bool:
        return self.earned >= self.needed

    @property
    def percent(self) -> int:
        return 100 if self.awarded is not None else min(100, round(100 * self.earned / max(self.needed, 1)))


def standing_components(
    stack: Stack, holder: Holder, micro_credential_ids: list[int] | None = None
) -> dict[int, Credential]:
    """The holder's standing credential for each of the stack's micro-credentials (the newest), by id."""
    wanted = micro_credential_ids if micro_credential_ids is not None else stack.micro_credentials.all()
    found = _standing(holder.credentials(), stack, wanted)
    return {c.version.micro_credential_id: c for c in found if c.version is not None}


def _standing(mine: Q, stack: Stack, micro_credentials: Any) -> Any:
    """These learners' credentials that count toward ``stack``: of its micro-credentials (any version), not
    revoked, suspended or expired, oldest first."""
    return (
        Credential.objects.filter(mine)
        .filter(
            organization=stack.organization,
            version__micro_credential__in=micro_credentials,
            revoked_at__isnull=True,
            suspended_at__isnull=True,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
        .select_related("version", "organization", "recipient_user")
        .order_by("awarded_at")
    )


def stack_credential(stack: Stack, holder: Holder) -> Credential | None:
    """The stack credential this learner was last awarded, if any (revoked and expired ones included)."""
    award = (
        StackAward.objects.filter(holder.credentials("credential__"), stack=stack)
        .select_related("credential__organization")
        .order_by("-credential__awarded_at")
        .first()
    )
    return award.credential if award is not None else None


def component_artwork(mc: MicroCredential) -> str:
    """The URL of a stack member's badge artwork: its published version's, else its latest public one's."""
    version = _version_for_display(mc)
    return version.artwork_url() if version is not None else ""


def progress(stack: Stack, holder: Holder) -> Progress:
    held = standing_components(stack, holder)
    rows = tuple(
        ProgressRow(
            micro_credential=mc,
            name=component_name(mc),
            url=f"/catalog/{stack.organization.slug}/{mc.slug}/",
            credential=held.get(mc.pk),
            artwork=component_artwork(mc),
        )
        for mc in stack.requirements()
    )
    return Progress(stack=stack, rows=rows, needed=stack.needed, awarded=stack_credential(stack, holder))


def learner_progress(user: Any) -> list[Progress]:
    """The published stacks this learner has started (or completed), most advanced first."""
    holder = Holder.account(user)
    mc_ids = set(
        Credential.objects.filter(holder.credentials(), revoked_at__isnull=True, version__isnull=False).values_list(
            "version__micro_credential_id", flat=True
        )
    )
    stacks = (
        Stack.objects.filter(Q(micro_credentials__in=mc_ids) | Q(awards__credential__recipient_user=user))
        .filter(status__in=[StackStatus.PUBLISHED, StackStatus.RETIRED])
        .select_related("organization")
        .distinct()
    )
    found = [progress(stack, holder) for stack in stacks]
    found = [p for p in found if p.awarded is not None or (p.stack.status == StackStatus.PUBLISHED and p.earned)]
    return sorted(found, key=lambda p: (p.awarded is None, -p.percent, p.stack.name))


# --- awarding ------------------------------------------------------------------------------------------


def stack_achievement(stack: Stack) -> b.Achievement:
    """The stack as an Open Badges 3.0 Achievement: its page as id, its rule as criteria."""
    org = stack.organization
    return b.Achievement(
        id=stack.achievement_id,
        name=stack.name,
        description=stack.summary,
        criteria=b.Criteria(id=stack.achievement_id, narrative=stack.criteria_narrative or rule_text(stack)),
        achievement_type=stack.achievement_type,
        creator=b.Profile(id=org.issuer_id, name=org.name),
    )


def _evidence(components: Iterable[Credential]) -> list[dict[str, Any]]:
    return [
        {
            "url": c.credential_id,
            "name": c.title,
            "description": f"Micro-credential awarded by {c.organization.name} on {c.awarded_at:%Y-%m-%d}.",
            "genre": "Credential",
        }
        for c in components
    ]


@dataclass(frozen=True)
class _Completion:
    holder: Holder
    components: tuple[Credential, ...]
    #: How many stack credentials of this stack the learner held before (all expired): 0 for a first award.
    earlier: int = 0


def _award_all(stack: Stack, completions: list[_Completion], actor: Any) -> list[Credential]:
    """Issue the stack credential of each completion in one batch (one status reservation, one transaction)."""
    valid_until = add_months(timezone.now(), stack.validity_months) if stack.validity_months else None
    achievement = stack_achievement(stack)
    requests: list[AwardRequest] = []
    for completion in completions:
        holder, components = completion.holder, completion.components
        # A learner who claimed the credentials that complete the stack finds its credential in their wallet.
        user = holder.user or next((c.recipient_user for c in components if c.recipient_user is not None), None)
        requests.append(
            AwardRequest(
                version=None,
                achievement=achievement,
                email=holder.email,
                user=user,
                # One key per learner and round: a re-run finds the credential; a renewal after expiry is new.
                source=f"stack:{stack.pk}:{hashlib.sha256(holder.email.encode()).hexdigest()[:40]}:{completion.earlier}",
                origin=Origin.STACK,
                evidence=_evidence(components),
                valid_until=valid_until,
            )
        )

    def record(found: dict[str, Credential]) -> None:
        pairs = [(found[request.source], completion) for request, completion in zip(requests, completions, strict=True)]
        _record_stack_awards(stack, pairs, actor)

    return issue_awards(stack.organization, requests, actor=actor, on_recorded=record)


def _record_stack_awards(stack: Stack, pairs: list[tuple[Credential, _Completion]], actor: Any) -> None:
    """A ``StackAward`` with its components and audit record for each stack credential that has none yet.

    Together: a few multi-row inserts. When the database refuses them (another evaluation recorded one of them
    meanwhile), nothing of them stays and each is recorded alone, skipping the ones that exist.
    """
    existing = set(
        StackAward.objects.filter(credential__in=[credential.pk for credential, _ in pairs]).values_list(
            "credential_id", flat=True
        )
    )
    todo: dict[int, tuple[Credential, _Completion]] = {}
    for credential, completion in pairs:
        if credential.pk not in existing:
            todo.setdefault(credential.pk, (credential, completion))
    if not todo:
        return
    try:
        with transaction.atomic():
            awards = StackAward.objects.bulk_create(
                [StackAward(stack=stack, credential=credential) for credential, _ in todo.values()]
            )
            if any(award.pk is None for award in awards):  # a database that cannot return the new ids
                ids = dict(StackAward.objects.filter(credential__in=list(todo)).values_list("credential_id", "pk"))
                for award in awards:
                    award.pk = ids[award.credential_id]
            through = StackAward.components.through
            through.objects.bulk_create(
                [
                    through(stackaward_id=award.pk, credential_id=component.pk)
                    for award, (_, completion) in zip(awards, todo.values(), strict=True)
                    for component in completion.components
                ]
            )
    except IntegrityError:
        for credential, completion in todo.values():
            award, created = StackAward.objects.get_or_create(stack=stack, credential=credential)
            if created:
                award.components.set(completion.components)
                _audit_stack_award(stack, award.credential, completion, actor).save()
        return
    audit.record_many(
        _audit_stack_award(stack, credential, completion, actor) for credential, completion in todo.values()
    )


def _audit_stack_award(stack: Stack, credential: Credential, completion: _Completion, actor: Any) -> AuditEvent:
    return audit.event(
        "stack.awarded",
        stack,
        actor=actor,
        organization=stack.organization,
        email=completion.holder.email,
        credential=credential.credential_id,
    )


#: What evaluating needs of a credential: not its document, evidence or the version's rubric, whose JSON
#: would be decoded for every row (most of the time of a large evaluation before this).
LIGHT = (
    "public_id",
    "recipient_email",
    "recipient_user",
    "awarded_at",
    "valid_until",
    "organization__name",
    "organization__slug",
    "version__name",
    "version__micro_credential",
)

#: Learners looked up per query when evaluating many at once (well under SQLite's parameter limit).
EVALUATION_CHUNK = 400


def _completions(stack: Stack, order: list[int], needed: int, holders: list[Holder]) -> list[_Completion]:
    """The holders (all unawarded or not) who now complete ``stack``, found with two queries per chunk."""
    found: list[_Completion] = []
    now = timezone.now()
    for start in range(0, len(holders), EVALUATION_CHUNK):
        chunk = holders[start : start + EVALUATION_CHUNK]
        emails = {h.email for h in chunk if h.email}
        user_ids = {h.user.pk for h in chunk if h.user is not None}
        mine = Q(recipient_email__in=emails) | Q(recipient_user_id__in=user_ids)
        earlier = list(
            StackAward.objects.filter(stack=stack)
            .filter(Q(credential__recipient_email__in=emails) | Q(credential__recipient_user_id__in=user_ids))
            .values_list(
                "credential__recipient_email",
                "credential__recipient_user_id",
                "credential__revoked_at",
                "credential__valid_until",
                "credential__awarded_at",
            )
        )
        standing = _standing(mine, stack, order).only(*LIGHT)
        by_email: dict[str, list[Credential]] = {}
        by_user: dict[int, list[Credential]] = {}
        for credential in standing:
            by_email.setdefault(credential.recipient_email, []).append(credential)
            if credential.recipient_user_id is not None:
                by_user.setdefault(credential.recipient_user_id, []).append(credential)
        earlier_by_email: dict[str, list[Any]] = {}
        earlier_by_user: dict[int, list[Any]] = {}
        for entry in earlier:
            earlier_by_email.setdefault(entry[0], []).append(entry)
            if entry[1] is not None:
                earlier_by_user.setdefault(entry[1], []).append(entry)
        for holder in chunk:
            holder_user: int | None = holder.user.pk if holder.user is not None else None
            theirs = list(
                {
                    id(e): e for e in earlier_by_email.get(holder.email, []) + earlier_by_user.get(holder_user or 0, [])
                }.values()
            )
            # A revoked stack credential is not re-awarded; a standing one needs nothing. Only when every earlier
            # one has expired may the stack be earned again (a renewal), with credentials awarded since.
            if any(revoked is not None or until is None or until > now for _, _, revoked, until, _ in theirs):
                continue
            since = max((awarded for *_, awarded in theirs), default=None)
            held: dict[int, Credential] = {}
            for credential in by_email.get(holder.email, []) + by_user.get(holder_user or 0, []):
                assert credential.version is not None  # filtered on version__micro_credential
                if since is None or credential.awarded_at > since:
                    held[credential.version.micro_credential_id] = credential  # newest last: it wins
            if len(held) >= needed:
                found.append(_Completion(holder, tuple(held[pk] for pk in order if pk in held), len(theirs)))
    return found


class _Learners:
    """The learners to evaluate for one stack, each once: by account when their credential is claimed
    (whatever address it went to), else by address; an address already seen for an account is that account."""

    def __init__(self) -> None:
        self.by_key: dict[str, Holder] = {}
        self._key_of_email: dict[str, str] = {}

    def add(self, holder: Holder) -> None:
        if holder.key in self.by_key:
            return
        earlier = self._key_of_email.get(holder.email)
        if earlier is not None and (holder.user is None or earlier.startswith("user:")):
            return
        if earlier is not None:
            del self.by_key[earlier]  # the same address, now known by its account
        self.by_key[holder.key] = holder
        self._key_of_email[holder.email] = holder.key


def do_evaluate_stacks(*, credentials: Iterable[Credential], actor: Any = None) -> list[Credential]:
    """Award every published stack these credentials' learners have now completed; the new stack credentials.

    Learners are grouped per stack and looked up in chunks, and each stack's new credentials are issued in
    one batch, so a bulk award that completes many learners' stacks costs a few queries and one issuing run
    per stack, not per learner.
    """
    stacks_of: dict[int, list[Stack]] = {}
    holders: dict[int, _Learners] = {}
    by_pk: dict[int, Stack] = {}
    for credential in credentials:
        if credential.version is None or not credential.recipient_email:
            continue
        mc_id = credential.version.micro_credential_id
        if mc_id not in stacks_of:
            stacks_of[mc_id] = list(
                Stack.objects.filter(status=StackStatus.PUBLISHED, micro_credentials=mc_id).select_related(
                    "organization"
                )
            )
        holder = Holder.of(credential)
        for stack in stacks_of[mc_id]:
            by_pk[stack.pk] = stack
            holders.setdefault(stack.pk, _Learners()).add(holder)
    awarded: list[Credential] = []
    for stack_pk, found in holders.items():
        stack = by_pk[stack_pk]
        order = list(stack.stack_requirements.order_by("position", "id").values_list("micro_credential_id", flat=True))
        needed = stack.needed_of(len(order))
        completions = _completions(stack, order, needed, list(found.by_key.values()))
        if completions:
            awarded += _award_all(stack, completions, actor)
    return awarded


def holders_of(stack: Stack) -> list[Credential]:
    """One standing credential per learner who holds any of the stack's micro-credentials (for evaluation)."""
    by_email: dict[str, Credential] = {}
    for credential in (
        Credential.objects.filter(
            organization=stack.organization,
            version__micro_credential__in=stack.micro_credentials.all(),
            revoked_at__isnull=True,
        )
        .exclude(recipient_email="")
        .select_related("version", "recipient_user")
        .only(*LIGHT)
        .order_by("awarded_at")
    ):
        by_email.setdefault(credential.recipient_email.strip().lower(), credential)
    return list(by_email.values())


# --- the learner's record ------------------------------------------------------------------------------


def clr_document(award: StackAward) -> dict[str, Any]:
    """A CLR 2.0 ClrCredential (unsigned) gathering the stack credential and the credentials that completed it.

    The signed credentials go in as issued (each keeps its own proof and status); the achievements and
    ``isParentOf`` associations say how they fit together. Only credentials that still stand go in (the
    CLR is then ``partial``), and the CLR is valid until the first of them expires, so that it never vouches
    for more than its parts.
    """
    import uuid

    stack, stack_cred = award.stack, award.credential
    parts = award.components.select_related("version__micro_credential__organization").order_by("awarded_at")
    components = [c for c in parts if c.state == "valid"]
    achievements = [stack_achievement(stack)] + [
        documents.achievement(c.version) for c in components if c.version is not None
    ]
    unique = list({a.id: a for a in achievements}.values())
    identity = b.IdentityObject.for_email(stack_cred.recipient_email.strip().lower(), uuid.uuid4().hex)
    expiries = [c.valid_until for c in [stack_cred, *components] if c.valid_until is not None]
    clr = b.ClrCredential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=documents.issuer_profile(stack.organization),
        valid_from=timezone.now(),
        valid_until=min(expiries) if expiries else None,
        awarded_date=stack_cred.awarded_at,
        name=f"{stack.name}: comprehensive learner record",
        description=f"The {stack.name} credential and the micro-credentials that completed it.",
        partial=True if len(components) < len(parts) else None,
        credential_subject=b.ClrSubject(
            identifier=(identity,),
            verifiable_credential=(stack_cred.document, *[c.document for c in components]),
            achievement=tuple(unique),
            association=tuple(
                b.Association("isParentOf", stack.achievement_id, a.id) for a in unique if a.id != stack.achievement_id
            ),
        ),
    )
    return clr.to_json()
