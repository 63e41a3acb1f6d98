"""Typed builders for Open Badges 3.0 and CLR 2.0 documents.

Each builder is a frozen dataclass; ``to_json()`` returns plain ``dict``/``list``/``str`` data ready to be
signed. Only terms that the bundled contexts define are emitted (JSON-LD safe mode rejects anything else):

- credentials use ``https://www.w3.org/ns/credentials/v2`` + the OB 3.0.3 context; a CLR adds the CLR 2.0.1
  context between them, as the CLR schema requires;
- ``credentialSchema`` entries of type ``1EdTechJsonSchemaValidator2019`` need the OB ``extensions.json``
  context, which is added only when such an entry is present;
- evidence integrity uses ``digestMultibase`` (a top-level, protected term of the VC 2.0 context, so it is
  defined inside evidence objects too): a multibase base64url (``u``) multihash, sha2-256 by default;
- the recipient's email is an ``IdentityObject`` with ``identityHash = "sha256$" + hex(sha256(email + salt))``
  as OB 3.0 specifies for an IdentityHash.

Datetimes must carry a time zone (a naive one raises ``ValueError``) and are written as XML Schema
``dateTime`` in UTC with ``Z``. Values the schemas restrict (achievementType, resultType, targetType, result
status, associationType, language tags) are checked when the dataclass is created, so that ``to_json()``
only ever produces schema-valid documents.

OB 3.0 allows at most one ``credentialStatus`` (its JSON schema has a single ``CredentialStatus`` object);
``to_json()`` therefore refuses two or more entries unless ``allow_status_array=True`` is passed, which
emits the VC 2.0 list form that the OB 3.0 schema does not accept.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from credstack.vc.iri import check_iri

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_CREDENTIAL_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
CLR_CREDENTIAL_SCHEMA_URL = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
JSON_SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree", "Award",
        "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
        "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree",
        "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
        "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate",
        "MasterDegree", "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
    }
)  # fmt: skip
RESULT_TYPES = frozenset(
    {
        "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore", "RawScore",
        "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
    }
)  # fmt: skip
ALIGNMENT_TARGET_TYPES = frozenset(
    {"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
     "CFRubricCriterionLevel", "CTDL"}
)  # fmt: skip
RESULT_STATUSES = frozenset(
    {
        "Completed",
        "Enrolled",
        "Failed",
        "InProgress",
        "OnHold",
        "Provisional",
        "Withdrew",
    }
)
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)
IDENTITY_TYPES = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId", "sisSourcedId",
        "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
    }
)  # fmt: skip
STATUS_PURPOSES = frozenset({"revocation", "suspension", "refresh", "message"})

_EXTENSION_VALUE = re.compile(r"^ext:[A-Za-z0-9._-]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")

# multihash codes: sha2-256 (0x12, 32 bytes), sha2-384 (0x20, 48 bytes), sha2-512 (0x13, 64 bytes)
_MULTIHASH = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64)}
_MULTIHASH_CODE = {name: code for code, (name, _size) in _MULTIHASH.items()}

JsonObject = dict[str, Any]


# ---------------------------------------------------------------------------------------------------------
# helpers


def format_datetime(value: datetime) -> str:
    """XML Schema ``dateTime`` in UTC with ``Z``; a naive datetime raises ``ValueError``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"The datetime {value.isoformat()} has no time zone; give an aware datetime.")
    utc = value.astimezone(UTC)
    text = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def _check_iri(value: str, what: str) -> None:
    # The one rule every door of the platform checks too (credstack.vc.iri).
    check_iri(value, what)


def _check_choice(value: str, allowed: frozenset[str], what: str, *, extensible: bool = False) -> None:
    if value in allowed:
        return
    if extensible and _EXTENSION_VALUE.match(value):
        return
    hint = " or an 'ext:' extension value" if extensible else ""
    raise ValueError(f"{what} {value!r} is not one of {sorted(allowed)}{hint}.")


def _check_language(value: str) -> None:
    if not _LANGUAGE.match(value):
        raise ValueError(f"inLanguage {value!r} is not a BCP 47 language tag of the form 'en' or 'en-US'.")


class _Node:
    """Checks done for every builder: text must be valid Unicode (UTF-8 encodable), datetimes aware."""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            _check_value(getattr(self, item.name), item.name)
        self._check()

    def _check(self) -> None:
        """Builder-specific checks; overridden where a schema restricts a value."""


def _check_value(value: object, name: str) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{name} contains text that is not valid Unicode (a lone surrogate).") from exc
    elif isinstance(value, datetime):
        format_datetime(value)
    elif isinstance(value, tuple):
        for item in value:
            _check_value(item, name)


def _put(target: JsonObject, key: str, value: object) -> None:
    """Set ``key`` unless the value is absent (None or an empty sequence)."""
    if value is None:
        return
    if isinstance(value, (list, tuple)) and not value:
        return
    if isinstance(value, datetime):
        target[key] = format_datetime(value)
    elif isinstance(value, tuple):
        target[key] = [_json(item) for item in value]
    else:
        target[key] = _json(value)


def _json(value: object) -> Any:
    if isinstance(value, _Node) and hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, Mapping):
        return copy.deepcopy(dict(value))
    if isinstance(value, datetime):
        return format_datetime(value)
    return value


# ---------------------------------------------------------------------------------------------------------
# hashing and digests


def hash_email(email: str, salt: str | None = None) -> str:
    """The OB 3.0 IdentityHash of ``email``: ``"sha256$" + hex(sha256(utf8(email + salt)))``.

    The email is hashed exactly as given; normalise it (e.g. lower-case) before if your platform does.
    """
    return "sha256$" + hashlib.sha256((email + (salt or "")).encode("utf-8")).hexdigest()


def identity_matches(identity_object: Mapping[str, Any], email: str) -> bool:
    """Whether an IdentityObject (dict) identifies ``email``.

    Accepts ``sha256$``/``md5$`` hashes (hex in either case, as OB 3.0 allows) and plain values
    (``hashed: false``). The email is tried as given and lower-cased, because issuers differ in whether
    they normalise case before hashing.
    """
    identity_hash = identity_object.get("identityHash")
    if not isinstance(identity_hash, str):
        return False
    identity_type = identity_object.get("identityType", "emailAddress")
    if identity_type != "emailAddress":
        return False
    salt = identity_object.get("salt") or ""
    if not isinstance(salt, str):
        return False
    candidates = {email, email.strip(), email.strip().lower()}
    if identity_object.get("hashed") is False:
        return any(hmac.compare_digest(identity_hash.encode(), candidate.encode()) for candidate in candidates)
    algorithm, separator, expected = identity_hash.partition("$")
    if not separator or algorithm.lower() not in ("sha256", "md5"):
        return False
    for candidate in candidates:
        digest = hashlib.new(algorithm.lower(), (candidate + salt).encode("utf-8")).hexdigest()
        if hmac.compare_digest(digest, expected.lower()):
            return True
    return False


def digest_multibase(data: bytes, algorithm: Literal["sha256", "sha384", "sha512"] = "sha256") -> str:
    """``digestMultibase`` of ``data``: multibase base64url (``u``, no padding) of a multihash."""
    code = _MULTIHASH_CODE[algorithm]
    multihash = bytes([code, _MULTIHASH[code][1]]) + hashlib.new(algorithm, data).digest()
    return "u" + base64.urlsafe_b64encode(multihash).decode("ascii").rstrip("=")


def _decode_multibase(value: str) -> bytes:
    if value.startswith("u"):
        body = value[1:]
        if not re.fullmatch(r"[A-Za-z0-9_-]*", body):
            raise ValueError("not base64url")
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if value.startswith("z"):
        import base58

        return bytes(base58.b58decode(value[1:]))
    raise ValueError(f"unsupported multibase prefix {value[:1]!r}")


def decode_digest(digest: str) -> tuple[str, bytes]:
    """The hash algorithm and digest of a ``digestMultibase`` value (``u`` or ``z``; sha2-256/384/512);
    ``ValueError`` when it is not one."""
    try:
        multihash = _decode_multibase(digest)
    except (ValueError, TypeError) as exc:
        raise ValueError("not multibase") from exc
    if len(multihash) < 2 or multihash[0] not in _MULTIHASH:
        raise ValueError("not a sha2-256, sha2-384 or sha2-512 multihash")
    name, size = _MULTIHASH[multihash[0]]
    if multihash[1] != size or len(multihash) != size + 2:
        raise ValueError("the multihash has the wrong length")
    return name, multihash[2:]


def digest_matches(digest: str, data: bytes) -> bool:
    """Whether ``digest`` (a ``digestMultibase`` value, ``u`` or ``z``; sha2-256/384/512) is that of ``data``."""
    try:
        name, expected = decode_digest(digest)
    except ValueError:
        return False
    return hmac.compare_digest(expected, hashlib.new(name, data).digest())


# ---------------------------------------------------------------------------------------------------------
# building blocks


@dataclass(frozen=True)
class Image(_Node):
    """An image (``id`` is its URL or a data: URI)."""

    id: str
    caption: str | None = None

    def _check(self) -> None:
        _check_iri(self.id, "Image id")

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": "Image"}
        _put(out, "caption", self.caption)
        return out


@dataclass(frozen=True)
class Profile(_Node):
    """An issuer, creator or organisation (OB 3.0 Profile)."""

    id: str
    name: str | None = None
    url: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    image: Image | None = None
    parent_org: Profile | None = None

    def _check(self) -> None:
        _check_iri(self.id, "Profile id")
        if self.url is not None:
            _check_iri(self.url, "Profile url")

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": ["Profile"]}
        _put(out, "name", self.name)
        _put(out, "url", self.url)
        _put(out, "email", self.email)
        _put(out, "phone", self.phone)
        _put(out, "description", self.description)
        _put(out, "image", self.image)
        _put(out, "parentOrg", self.parent_org)
        return out

    def to_document(self) -> JsonObject:
        """The profile as a standalone document (served at the issuer URL), with its ``@context``."""
        return {"@context": [VC_V2_CONTEXT, OB_V3_CONTEXT], **self.to_json()}


@dataclass(frozen=True)
class Criteria(_Node):
    """How the achievement is earned: a URL (``id``), a narrative, or both."""

    narrative: str | None = None
    id: str | None = None

    def _check(self) -> None:
        if self.narrative is None and self.id is None:
            raise ValueError("Criteria needs a narrative, an id (URL), or both.")
        if self.id is not None:
            _check_iri(self.id, "Criteria id")

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        _put(out, "id", self.id)
        _put(out, "narrative", self.narrative)
        return out


@dataclass(frozen=True)
class Alignment(_Node):
    """An alignment to a framework item (competency, standard, ...)."""

    target_name: str
    target_url: str
    target_type: str | None = None
    target_code: str | None = None
    target_framework: str | None = None
    target_description: str | None = None

    def _check(self) -> None:
        _check_iri(self.target_url, "Alignment targetUrl")
        if self.target_type is not None:
            _check_choice(self.target_type, ALIGNMENT_TARGET_TYPES, "targetType", extensible=True)

    def to_json(self) -> JsonObject:
        out: JsonObject = {
            "type": ["Alignment"],
            "targetName": self.target_name,
            "targetUrl": self.target_url,
        }
        _put(out, "targetType", self.target_type)
        _put(out, "targetCode", self.target_code)
        _put(out, "targetFramework", self.target_framework)
        _put(out, "targetDescription", self.target_description)
        return out


@dataclass(frozen=True)
class RubricCriterionLevel(_Node):
    """One level of a rubric criterion (e.g. "Proficient", 3 points)."""

    id: str
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def _check(self) -> None:
        _check_iri(self.id, "RubricCriterionLevel id")

    def to_json(self) -> JsonObject:
        out: JsonObject = {
            "id": self.id,
            "type": ["RubricCriterionLevel"],
            "name": self.name,
        }
        _put(out, "description", self.description)
        _put(out, "level", self.level)
        _put(out, "points", self.points)
        _put(out, "alignment", self.alignment)
        return out


@dataclass(frozen=True)
class ResultDescription(_Node):
    """A result the achievement records, e.g. one rubric criterion with its levels."""

    id: str
    name: str
    result_type: str = "RubricCriterionLevel"
    rubric_criterion_level: tuple[RubricCriterionLevel, ...] = ()
    required_level: str | None = None
    allowed_value: tuple[str, ...] = ()
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def _check(self) -> None:
        _check_iri(self.id, "ResultDescription id")
        _check_choice(self.result_type, RESULT_TYPES, "resultType", extensible=True)
        if self.required_level is not None:
            _check_iri(self.required_level, "ResultDescription requiredLevel")

    def to_json(self) -> JsonObject:
        out: JsonObject = {
            "id": self.id,
            "type": ["ResultDescription"],
            "name": self.name,
            "resultType": self.result_type,
        }
        _put(out, "rubricCriterionLevel", self.rubric_criterion_level)
        _put(out, "requiredLevel", self.required_level)
        _put(out, "allowedValue", self.allowed_value)
        _put(out, "requiredValue", self.required_value)
        _put(out, "valueMin", self.value_min)
        _put(out, "valueMax", self.value_max)
        _put(out, "alignment", self.alignment)
        return out


@dataclass(frozen=True)
class Related(_Node):
    """Another achievement this one relates to (e.g. the same badge in another language or version)."""

    id: str
    version: str | None = None
    in_language: str | None = None

    def _check(self) -> None:
        _check_iri(self.id, "Related id")
        if self.in_language is not None:
            _check_language(self.in_language)

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": ["Related"]}
        _put(out, "version", self.version)
        _put(out, "inLanguage", self.in_language)
        return out


@dataclass(frozen=True)
class Achievement(_Node):
    """What is earned (the micro-credential definition, as of the version earned)."""

    id: str
    name: str
    description: str
    criteria: Criteria
    achievement_type: str | None = "MicroCredential"
    image: Image | None = None
    alignment: tuple[Alignment, ...] = ()
    result_description: tuple[ResultDescription, ...] = ()
    related: tuple[Related, ...] = ()
    credits_available: float | None = None
    tags: tuple[str, ...] = ()
    version: str | None = None
    creator: Profile | None = None
    human_code: str | None = None
    field_of_study: str | None = None
    specialization: str | None = None
    in_language: str | None = None

    def _check(self) -> None:
        _check_iri(self.id, "Achievement id")
        if self.achievement_type is not None:
            _check_choice(
                self.achievement_type,
                ACHIEVEMENT_TYPES,
                "achievementType",
                extensible=True,
            )
        if self.in_language is not None:
            _check_language(self.in_language)
        if self.credits_available is not None and not _finite(self.credits_available):
            raise ValueError("creditsAvailable must be a finite number.")

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": ["Achievement"]}
        _put(out, "achievementType", self.achievement_type)
        out["name"] = self.name
        out["description"] = self.description
        out["criteria"] = self.criteria.to_json()
        _put(out, "image", self.image)
        _put(out, "alignment", self.alignment)
        _put(out, "resultDescription", self.result_description)
        _put(out, "related", self.related)
        _put(out, "creditsAvailable", self.credits_available)
        _put(out, "tag", self.tags)
        _put(out, "version", self.version)
        _put(out, "creator", self.creator)
        _put(out, "humanCode", self.human_code)
        _put(out, "fieldOfStudy", self.field_of_study)
        _put(out, "specialization", self.specialization)
        _put(out, "inLanguage", self.in_language)
        return out


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class IdentityObject(_Node):
    """A recipient identifier; for an email, built with :meth:`for_email` (salted sha256)."""

    identity_hash: str
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None

    def _check(self) -> None:
        _check_choice(self.identity_type, IDENTITY_TYPES, "identityType", extensible=True)

    @classmethod
    def for_email(cls, email: str, salt: str | None = None) -> IdentityObject:
        """A hashed email identity; a random 128-bit salt is drawn when none is given."""
        salt = secrets.token_hex(16) if salt is None else salt
        return cls(
            identity_hash=hash_email(email, salt),
            identity_type="emailAddress",
            hashed=True,
            salt=salt,
        )

    def matches(self, email: str) -> bool:
        return identity_matches(self.to_json(), email)

    def to_json(self) -> JsonObject:
        out: JsonObject = {
            "type": "IdentityObject",
            "hashed": self.hashed,
            "identityHash": self.identity_hash,
            "identityType": self.identity_type,
        }
        _put(out, "salt", self.salt)
        return out


@dataclass(frozen=True)
class Result(_Node):
    """A result achieved, e.g. the level reached on one rubric criterion."""

    result_description: str
    achieved_level: str | None = None
    status: str | None = None
    value: str | None = None
    alignment: tuple[Alignment, ...] = ()

    def _check(self) -> None:
        _check_iri(self.result_description, "Result resultDescription")
        if self.achieved_level is not None:
            _check_iri(self.achieved_level, "Result achievedLevel")
        if self.status is not None:
            _check_choice(self.status, RESULT_STATUSES, "Result status")

    def to_json(self) -> JsonObject:
        out: JsonObject = {
            "type": ["Result"],
            "resultDescription": self.result_description,
        }
        _put(out, "achievedLevel", self.achieved_level)
        _put(out, "status", self.status)
        _put(out, "value", self.value)
        _put(out, "alignment", self.alignment)
        return out


@dataclass(frozen=True)
class AchievementSubject(_Node):
    """The recipient and what they achieved; needs an ``id`` (e.g. a DID) or at least one identifier."""

    achievement: Achievement
    id: str | None = None
    identifier: tuple[IdentityObject, ...] = ()
    result: tuple[Result, ...] = ()
    credits_earned: float | None = None
    activity_start_date: datetime | None = None
    activity_end_date: datetime | None = None
    image: Image | None = None
    narrative: str | None = None

    def _check(self) -> None:
        if self.id is None and not self.identifier:
            raise ValueError("An AchievementSubject needs an id or at least one identifier.")
        if self.id is not None:
            _check_iri(self.id, "AchievementSubject id")
        if self.credits_earned is not None and not _finite(self.credits_earned):
            raise ValueError("creditsEarned must be a finite number.")
        if self.activity_start_date and self.activity_end_date and self.activity_end_date < self.activity_start_date:
            raise ValueError("activityEndDate is before activityStartDate.")

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        _put(out, "id", self.id)
        out["type"] = ["AchievementSubject"]
        _put(out, "identifier", self.identifier)
        out["achievement"] = self.achievement.to_json()
        _put(out, "result", self.result)
        _put(out, "creditsEarned", self.credits_earned)
        _put(out, "activityStartDate", self.activity_start_date)
        _put(out, "activityEndDate", self.activity_end_date)
        _put(out, "image", self.image)
        _put(out, "narrative", self.narrative)
        return out


@dataclass(frozen=True)
class Evidence(_Node):
    """Evidence of the achievement; ``digest_multibase`` lets anyone check the evidence file's bytes."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None
    digest_multibase: str | None = None

    def _check(self) -> None:
        if self.id is not None:
            _check_iri(self.id, "Evidence id")
        if self.digest_multibase is not None and not re.fullmatch(r"[uz][A-Za-z0-9_-]+", self.digest_multibase):
            raise ValueError("digestMultibase must be a multibase string (u… or z…).")

    @classmethod
    def for_file(cls, data: bytes, **fields: Any) -> Evidence:
        """Evidence whose ``digestMultibase`` is computed from the file's bytes."""
        return cls(digest_multibase=digest_multibase(data), **fields)

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        _put(out, "id", self.id)
        out["type"] = ["Evidence"]
        _put(out, "name", self.name)
        _put(out, "description", self.description)
        _put(out, "narrative", self.narrative)
        _put(out, "genre", self.genre)
        _put(out, "audience", self.audience)
        _put(out, "digestMultibase", self.digest_multibase)
        return out


@dataclass(frozen=True)
class StatusEntry(_Node):
    """A ``BitstringStatusListEntry``; ``id`` defaults to ``<list URL>#<index>``."""

    status_purpose: str
    status_list_index: int
    status_list_credential: str
    id: str | None = None

    def _check(self) -> None:
        _check_choice(self.status_purpose, STATUS_PURPOSES, "statusPurpose")
        if isinstance(self.status_list_index, bool) or not isinstance(self.status_list_index, int):
            raise TypeError("statusListIndex must be an integer.")
        if self.status_list_index < 0:
            raise ValueError("statusListIndex must not be negative.")
        _check_iri(self.status_list_credential, "statusListCredential")
        if self.id is not None:
            _check_iri(self.id, "status entry id")

    def to_json(self) -> JsonObject:
        return {
            "id": self.id or f"{self.status_list_credential}#{self.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.status_purpose,
            "statusListIndex": str(self.status_list_index),
            "statusListCredential": self.status_list_credential,
        }


@dataclass(frozen=True)
class CredentialSchema(_Node):
    """A ``credentialSchema`` entry; by default the OB 3.0 AchievementCredential schema."""

    id: str = OB_ACHIEVEMENT_CREDENTIAL_SCHEMA_URL
    type: str = JSON_SCHEMA_VALIDATOR_TYPE

    def _check(self) -> None:
        _check_iri(self.id, "credentialSchema id")
        if self.type not in (JSON_SCHEMA_VALIDATOR_TYPE, "JsonSchema"):
            raise ValueError(f"credentialSchema type {self.type!r} is not defined by the bundled contexts.")

    def to_json(self) -> JsonObject:
        return {"id": self.id, "type": self.type}


def _contexts(base: list[str], schemas: Sequence[CredentialSchema]) -> list[str]:
    if any(schema.type == JSON_SCHEMA_VALIDATOR_TYPE for schema in schemas):
        return [*base, OB_EXTENSIONS_CONTEXT]
    return base


def status_json(entries: tuple[StatusEntry, ...], *, allow_array: bool = False) -> Any:
    """``credentialStatus`` for ``entries``: one entry as the single object OB 3.0 describes, several as the VC 2.0
    list (only with ``allow_array``)."""
    if len(entries) == 1:
        return entries[0].to_json()
    if not allow_array:
        raise ValueError(
            "OB 3.0 allows one credentialStatus (its JSON schema has a single object); pass "
            "allow_status_array=True to emit the VC 2.0 list form anyway."
        )
    return [entry.to_json() for entry in entries]


def _put_status(out: JsonObject, entries: tuple[StatusEntry, ...], allow_array: bool) -> None:
    if entries:
        out["credentialStatus"] = status_json(entries, allow_array=allow_array)


def _check_window(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom.")


# ---------------------------------------------------------------------------------------------------------
# credentials


@dataclass(frozen=True)
class EndorsementSubject(_Node):
    """What is endorsed (an achievement, a profile, a credential: its id) and the endorser's comment."""

    id: str
    endorsement_comment: str | None = None

    def _check(self) -> None:
        _check_iri(self.id, "EndorsementSubject id")

    def to_json(self) -> JsonObject:
        out: JsonObject = {"id": self.id, "type": ["EndorsementSubject"]}
        _put(out, "endorsementComment", self.endorsement_comment)
        return out


@dataclass(frozen=True)
class EndorsementCredential(_Node):
    """An OB 3.0 EndorsementCredential (unsigned)."""

    id: str
    issuer: Profile
    valid_from: datetime
    name: str
    credential_subject: EndorsementSubject
    description: str | None = None
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    credential_status: tuple[StatusEntry, ...] = ()
    credential_schema: tuple[CredentialSchema, ...] = ()

    def _check(self) -> None:
        _check_iri(self.id, "EndorsementCredential id")
        _check_window(self.valid_from, self.valid_until)

    def to_json(self, *, allow_status_array: bool = False) -> JsonObject:
        out: JsonObject = {
            "@context": _contexts([VC_V2_CONTEXT, OB_V3_CONTEXT], self.credential_schema),
            "id": self.id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": self.name,
        }
        _put(out, "description", self.description)
        return _put_envelope(out, self, allow_status_array)


@dataclass(frozen=True)
class OpenBadgeCredential(_Node):
    """An OB 3.0 OpenBadgeCredential / AchievementCredential (unsigned; sign with ``proofs.add_proof``).

    ``endorsement`` takes builders or already signed EndorsementCredential dicts (copied as they are).
    """

    id: str
    issuer: Profile
    valid_from: datetime
    credential_subject: AchievementSubject
    name: str | None = None
    description: str | None = None
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    image: Image | None = None
    evidence: tuple[Evidence, ...] = ()
    credential_status: tuple[StatusEntry, ...] = ()
    credential_schema: tuple[CredentialSchema, ...] = (CredentialSchema(),)
    endorsement: tuple[EndorsementCredential | Mapping[str, Any], ...] = ()
    credential_type: Literal["OpenBadgeCredential", "AchievementCredential"] = "OpenBadgeCredential"
    extra_contexts: tuple[str, ...] = field(default=())

    def _check(self) -> None:
        _check_iri(self.id, "credential id")
        _check_window(self.valid_from, self.valid_until)
        for context in self.extra_contexts:
            _check_iri(context, "@context")

    def to_json(self, *, allow_status_array: bool = False) -> JsonObject:
        contexts = _contexts([VC_V2_CONTEXT, OB_V3_CONTEXT], self.credential_schema)
        contexts += [context for context in self.extra_contexts if context not in contexts]
        out: JsonObject = {
            "@context": contexts,
            "id": self.id,
            "type": ["VerifiableCredential", self.credential_type],
        }
        _put(out, "name", self.name)
        _put(out, "description", self.description)
        _put(out, "image", self.image)
        _put_envelope(out, self, allow_status_array, self.evidence)
        _put(out, "endorsement", self.endorsement)
        return out


AchievementCredential = OpenBadgeCredential


@dataclass(frozen=True)
class Association(_Node):
    """How two achievements of a CLR relate (``sourceId`` and ``targetId`` are achievement ids)."""

    association_type: str
    source_id: str
    target_id: str

    def _check(self) -> None:
        _check_choice(self.association_type, ASSOCIATION_TYPES, "associationType")
        _check_iri(self.source_id, "Association sourceId")
        _check_iri(self.target_id, "Association targetId")

    def to_json(self) -> JsonObject:
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": self.source_id,
            "targetId": self.target_id,
        }


@dataclass(frozen=True)
class ClrSubject(_Node):
    """The learner of a CLR with the credentials it gathers (signed dicts or builders)."""

    verifiable_credential: tuple[OpenBadgeCredential | Mapping[str, Any], ...]
    id: str | None = None
    identifier: tuple[IdentityObject, ...] = ()
    achievement: tuple[Achievement, ...] = ()
    association: tuple[Association, ...] = ()

    def _check(self) -> None:
        if not self.verifiable_credential:
            raise ValueError("A ClrSubject needs at least one verifiableCredential.")
        if self.id is not None:
            _check_iri(self.id, "ClrSubject id")

    def to_json(self) -> JsonObject:
        out: JsonObject = {}
        _put(out, "id", self.id)
        out["type"] = ["ClrSubject"]
        _put(out, "identifier", self.identifier)
        out["verifiableCredential"] = [_json(item) for item in self.verifiable_credential]
        _put(out, "achievement", self.achievement)
        _put(out, "association", self.association)
        return out


@dataclass(frozen=True)
class ClrCredential(_Node):
    """A CLR 2.0 ClrCredential (unsigned)."""

    id: str
    issuer: Profile
    valid_from: datetime
    name: str
    credential_subject: ClrSubject
    description: str | None = None
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    partial: bool | None = None
    credential_status: tuple[StatusEntry, ...] = ()
    credential_schema: tuple[CredentialSchema, ...] = ()

    def _check(self) -> None:
        _check_iri(self.id, "ClrCredential id")
        _check_window(self.valid_from, self.valid_until)

    def to_json(self, *, allow_status_array: bool = False) -> JsonObject:
        out: JsonObject = {
            "@context": _contexts([VC_V2_CONTEXT, CLR_V2_CONTEXT, OB_V3_CONTEXT], self.credential_schema),
            "id": self.id,
            "type": ["VerifiableCredential", "ClrCredential"],
            "name": self.name,
        }
        _put(out, "description", self.description)
        _put(out, "partial", self.partial)
        return _put_envelope(out, self, allow_status_array)


def _put_envelope(
    out: JsonObject,
    credential: EndorsementCredential | OpenBadgeCredential | ClrCredential,
    allow_status_array: bool,
    evidence: tuple[Evidence, ...] = (),
) -> JsonObject:
    """The members every credential builder writes the same way, in the same order, after its own."""
    out["issuer"] = credential.issuer.to_json()
    out["validFrom"] = format_datetime(credential.valid_from)
    _put(out, "validUntil", credential.valid_until)
    _put(out, "awardedDate", credential.awarded_date)
    out["credentialSubject"] = credential.credential_subject.to_json()
    _put(out, "evidence", evidence)
    _put_status(out, credential.credential_status, allow_status_array)
    _put(out, "credentialSchema", credential.credential_schema)
    return out
