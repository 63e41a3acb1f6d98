"""Building the OpenBadgeCredential of an award from the catalog version it was earned under (or, for a
completed stack, from the stack's achievement).

Everything goes through the typed builders of :mod:`credstack.vc.builders`, so the result is schema-valid
and JSON-LD safe by construction. Two decisions worth knowing:

- ``credentialStatus`` is the single revocation ``BitstringStatusListEntry`` the OB 3.0 JSON schema requires
  (strict OB 3.0, the default). An organization that chose to publish suspension
  (``Organization.publish_suspension``) gets two entries, revocation and suspension, the VC 2.0 array form; our
  schema check accepts an array whose every entry is a valid OB 3.0 ``CredentialStatus`` (see
  :mod:`credstack.vc.schema`); the trade-off is described in docs/architecture.md ("Status").
- The recipient is a salted sha256 ``IdentityObject`` of the email address (lower-cased before hashing);
  the learner's name is added as a plain ``name`` IdentityObject unless the learner chose not to be named, and
  their DID as ``credentialSubject.id`` when they gave one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.vc import builders as b
from credstack.vc.iri import as_iri
from credstack.vc.keys import Ed25519Key
from credstack.vc.proofs import add_proof


def _absolute(path: str) -> str:
    return settings.CREDSTACK_BASE_URL + path


def issuer_profile(org: Organization) -> b.Profile:
    """The issuer as embedded in credentials: id (the did:web), name, and what the profile page shows."""
    parent = b.Profile(id=org.parent.issuer_id, name=org.parent.name) if org.parent is not None else None
    return b.Profile(
        id=org.issuer_id,
        name=org.name,
        url=as_iri(org.url) or None,  # a website saved before the URL rule is percent-encoded, not a 500
        email=org.email or None,
        description=org.description or None,
        image=b.Image(id=_absolute(org.image.url)) if org.image else None,
        parent_org=parent,
    )


def _achievement_type(value: str) -> str:
    if value in b.ACHIEVEMENT_TYPES or value.startswith("ext:"):
        return value
    return f"ext:{value}"  # catalog types OB 3.0 does not enumerate (e.g. CourseCredential) are extensions


def achievement(version: MicroCredentialVersion) -> b.Achievement:
    """The Achievement exactly as of the version earned: criteria, alignments, rubric, credits, tags, image."""
    org = version.micro_credential.organization
    aid = version.achievement_id
    page = _absolute(reverse("catalog:detail", args=[org.slug, version.micro_credential.slug]))
    rubric = []
    for crit in version.rubric.get("criteria", []):
        levels = tuple(
            b.RubricCriterionLevel(
                id=f"{aid}#criterion-{crit['key']}-level-{lv['key']}",
                name=lv["name"],
                description=lv.get("description") or None,
                points=str(lv["points"]),
            )
            for lv in crit["levels"]
        )
        rubric.append(
            b.ResultDescription(
                id=f"{aid}#criterion-{crit['key']}",
                name=crit["name"],
                result_type="RubricCriterionLevel",
                rubric_criterion_level=levels,
                required_level=f"{aid}#criterion-{crit['key']}-level-{crit['passing_level']}",
                allowed_value=tuple(lv["name"] for lv in crit["levels"]),
            )
        )
    alignments = tuple(
        b.Alignment(
            target_name=al["target_name"],
            target_url=as_iri(al["target_url"]),
            target_type=al.get("target_type") or None,
            target_code=al.get("target_code") or None,
            target_framework=al.get("target_framework") or None,
            target_description=al.get("target_description") or None,
        )
        for al in version.alignments
    )
    return b.Achievement(
        id=aid,
        name=version.name,
        description=version.summary,
        criteria=b.Criteria(
            id=f"{page}?version={version.version}", narrative=version.criteria_narrative or version.competency_statement
        ),
        achievement_type=_achievement_type(version.achievement_type),
        image=b.Image(id=_absolute(version.image.url), caption=version.name) if version.image else None,
        alignment=alignments,
        result_description=tuple(rubric),
        credits_available=float(version.credits_available) if version.credits_available is not None else None,
        tags=tuple(version.tags),
        version=str(version.version),
        creator=b.Profile(id=org.issuer_id, name=org.name),
    )


def results(version: MicroCredentialVersion, levels: dict[str, str]) -> tuple[b.Result, ...]:
    """One Result per rubric criterion: the level achieved (criteria without a recorded level are left out)."""
    aid = version.achievement_id
    out = []
    for crit in version.rubric.get("criteria", []):
        level = levels.get(crit["key"])
        if level in {lv["key"] for lv in crit["levels"]}:
            out.append(
                b.Result(
                    result_description=f"{aid}#criterion-{crit['key']}",
                    achieved_level=f"{aid}#criterion-{crit['key']}-level-{level}",
                )
            )
    return tuple(out)


def evidence(items: list[dict[str, Any]]) -> tuple[b.Evidence, ...]:
    """Evidence entries from the stored list: ``{url, name, description, narrative, digest}`` each."""
    return tuple(
        b.Evidence(
            id=as_iri(item.get("url") or "") or None,
            name=item.get("name") or None,
            description=item.get("description") or None,
            narrative=item.get("narrative") or None,
            genre=item.get("genre") or None,
            digest_multibase=item.get("digest") or None,
        )
        for item in items
    )


def sha256_hex_to_digest_multibase(hex_digest: str) -> str:
    """The ``digestMultibase`` (sha2-256 multihash, base64url) of a file whose sha256 we stored as hex."""
    import base64

    raw = bytes.fromhex(hex_digest)
    if len(raw) != 32:
        raise ValueError("A sha256 digest has 32 bytes.")
    return "u" + base64.urlsafe_b64encode(bytes([0x12, 0x20]) + raw).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class Recipient:
    email: str
    salt: str
    name: str = ""
    did: str = ""


@dataclass(frozen=True)
class StatusSlot:
    revocation_url: str
    suspension_url: str
    index: int


@dataclass(frozen=True)
class Award:
    """Everything a credential document is made of."""

    credential_id: str
    organization: Organization
    version: MicroCredentialVersion | None
    recipient: Recipient
    awarded_at: datetime
    valid_until: datetime | None
    status: StatusSlot
    levels: dict[str, str] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    credits_earned: Decimal | None = None
    #: For an award not earned under a catalog version (a completed stack): the achievement itself.
    achievement: b.Achievement | None = None


def identifiers(recipient: Recipient) -> tuple[b.IdentityObject, ...]:
    ids = [b.IdentityObject.for_email(recipient.email.strip().lower(), recipient.salt)]
    if recipient.name:
        ids.append(b.IdentityObject(identity_hash=recipient.name, identity_type="name", hashed=False))
    return tuple(ids)


class SharedParts:
    """What every credential of one issuing batch has in common — the achievement of each version, the issuer
    profile, the status list URLs — built once per batch instead of once per credential (the same values)."""

    def __init__(self) -> None:
        self._achievements: dict[int, b.Achievement] = {}
        self._issuers: dict[int, b.Profile] = {}
        self._status_urls: dict[int, tuple[str, str]] = {}

    def achievement(self, version: MicroCredentialVersion) -> b.Achievement:
        if version.pk not in self._achievements:
            self._achievements[version.pk] = achievement(version)
        return self._achievements[version.pk]

    def issuer(self, org: Organization) -> b.Profile:
        if org.pk not in self._issuers:
            self._issuers[org.pk] = issuer_profile(org)
        return self._issuers[org.pk]

    def status_urls(self, status_list: Any) -> tuple[str, str]:
        """The revocation and suspension list URLs of a ``StatusList``."""
        if status_list.pk not in self._status_urls:
            self._status_urls[status_list.pk] = (status_list.url("revocation"), status_list.url("suspension"))
        return self._status_urls[status_list.pk]


def build(award: Award, parts: SharedParts | None = None) -> dict[str, Any]:
    """The unsigned credential of ``award`` (``parts``: shared with the other credentials of a batch)."""
    parts = parts or SharedParts()
    version = award.version
    earned = parts.achievement(version) if version is not None else award.achievement
    if earned is None:
        raise ValueError("An award needs a catalog version or an achievement.")
    subject = b.AchievementSubject(
        achievement=earned,
        id=award.recipient.did or None,
        identifier=identifiers(award.recipient),
        result=results(version, award.levels) if version is not None else (),
        credits_earned=float(award.credits_earned) if award.credits_earned is not None else None,
    )
    credential = b.OpenBadgeCredential(
        id=award.credential_id,
        issuer=parts.issuer(award.organization),
        valid_from=award.awarded_at,
        valid_until=award.valid_until,
        awarded_date=award.awarded_at,
        credential_subject=subject,
        name=earned.name,
        description=earned.description,
        image=earned.image,
        evidence=evidence(award.evidence),
        credential_status=status_entries(award.organization, award.status),
    )
    return credential.to_json(allow_status_array=True)


def status_entries(organization: Organization, slot: StatusSlot) -> tuple[b.StatusEntry, ...]:
    """Revocation and suspension, or revocation alone when the organization does not publish suspension (one
    entry is written as the single object the OB 3.0 schema describes)."""
    revocation = b.StatusEntry("revocation", slot.index, slot.revocation_url)
    if not organization.publish_suspension:
        return (revocation,)
    return (revocation, b.StatusEntry("suspension", slot.index, slot.suspension_url))


def sign(document: dict[str, Any], signer: Ed25519Key, *, suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    return add_proof(document, signer, suite=suite)


def with_recipient(document: dict[str, Any], recipient: Recipient) -> dict[str, Any]:
    """The same credential (unsigned) with another recipient presentation: name shown or not, DID or not."""
    updated = copy.deepcopy(document)
    updated.pop("proof", None)
    subject = updated["credentialSubject"]
    subject.pop("id", None)
    rebuilt: dict[str, Any] = {}
    if recipient.did:
        rebuilt["id"] = recipient.did
    for key, value in subject.items():
        rebuilt[key] = value
    rebuilt["identifier"] = [i.to_json() for i in identifiers(recipient)]
    updated["credentialSubject"] = rebuilt
    return updated
