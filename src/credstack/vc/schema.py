"""JSON Schema validation of Open Badges 3.0 and CLR 2.0 documents, offline.

The schemas in ``schemas/`` are byte-for-byte copies of the 1EdTech files published under
``https://purl.imsglobal.org/spec/{ob/v3p0,clr/v2p0}/schema/json/`` (JSON-LD adaptation, draft 2019-09;
see the standards SOURCES note). They are read from the package, never from the network: every
``$ref`` is resolved through a :mod:`referencing` registry that holds the bundled copies only and
refuses anything else.

``jsonschema`` only checks ``format: date-time`` when the optional ``rfc3339-validator`` package is
installed; it is not, so the ``date-time`` and ``date`` checks are written here (RFC 3339 /
XML Schema forms with an explicit offset), because a credential whose ``validFrom`` is not a date
must not pass silently.

``credentialStatus`` may be a list (VC Data Model 2.0 allows several status entries, e.g. revocation *and*
suspension) although the 1EdTech schemas describe one object: :func:`validate` then checks the document
once per entry, each in the single-object form the schema knows, so every entry must be a valid
``CredentialStatus`` and nothing else about the document is relaxed. ``strict_status=True`` keeps the
schema's single-object rule. The same holds for the credentials a CLR gathers: each one with a list is
checked on its own, and the CLR with that list cut to its first entry.

**Speed.** Python's ``jsonschema`` takes ~3 s of CPU for a credential of 100,000 JSON values (20,000
alignments), which made verification easy to abuse. When ``jsonschema-rs`` (a Rust validator) is installed,
each document is first checked with it, with the same bundled schemas, registry and ``date``/``date-time``
checks: a valid document (the usual case) is answered by it alone, ~300× faster; only a document it finds
invalid goes through ``jsonschema``, whose error tree gives the readable messages below — so the problems
reported are exactly those of before. Both agree on the 1EdTech fixtures and on thousands of mutated
credentials (``tests/vc/test_schema_fast.py``); ``CREDSTACK_VC_PURE=1`` or a missing package keeps the pure
Python path. How much JSON a verifier accepts at all is bounded separately (:mod:`credstack.vc.shape`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

OB_ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
OB_PROFILE_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"
CLR_CREDENTIAL_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
CLR_ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_endorsementcredential_schema.json"
)

_SCHEMA_FILES = (
    "clr_v2p0_achievementcredential_schema.json",
    "clr_v2p0_clrcredential_schema.json",
    "clr_v2p0_endorsementcredential_schema.json",
    "clr_v2p0_getclrcredentialsresponse_schema.json",
    "clr_v2p0_imsx_statusinfo_schema.json",
    "clr_v2p0_profile_schema.json",
    "ob_v3p0_achievementcredential_schema.json",
    "ob_v3p0_endorsementcredential_schema.json",
    "ob_v3p0_getopenbadgecredentialsresponse_schema.json",
    "ob_v3p0_imsx_statusinfo_schema.json",
    "ob_v3p0_profile_schema.json",
)

_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SchemaProblem:
    """One way a document breaks its JSON schema: where (a ``/``-separated path) and what."""

    path: str
    message: str
    schema: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _refuse_remote(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def bundled_schema(schema_id: str) -> dict[str, Any]:
    """The bundled schema whose ``$id`` is ``schema_id`` (KeyError if none is bundled)."""
    return dict(_schemas()[schema_id])


@cache
def _schemas() -> dict[str, Mapping[str, Any]]:
    folder = resources.files(__package__ or "credstack.vc") / "schemas"
    loaded: dict[str, Mapping[str, Any]] = {}
    for name in _SCHEMA_FILES:
        contents = json.loads((folder / name).read_text(encoding="utf-8"))
        loaded[contents["$id"]] = contents
    return loaded


@cache
def _registry() -> Registry[Any]:
    registry: Registry[Any] = Registry(retrieve=_refuse_remote)  # type: ignore[call-arg]
    return registry.with_resources(
        (schema_id, Resource.from_contents(contents)) for schema_id, contents in _schemas().items()
    )


def _check_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if match is None:
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE.match(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@cache
def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_check_date_time)
    checker.checks("date")(_check_date)
    return checker


@cache
def _validator(schema_id: str) -> Draft201909Validator:
    return Draft201909Validator(_schemas()[schema_id], registry=_registry(), format_checker=_format_checker())


@cache
def _fast_validator(schema_id: str) -> Any | None:
    """The ``jsonschema-rs`` validator for ``schema_id``, or None (not installed, or ``CREDSTACK_VC_PURE=1``)."""
    if os.environ.get("CREDSTACK_VC_PURE") == "1":
        return None
    try:
        import jsonschema_rs
    except ImportError:
        return None
    registry = jsonschema_rs.Registry([(key, dict(value)) for key, value in _schemas().items()])
    return jsonschema_rs.Draft201909Validator(
        dict(_schemas()[schema_id]),
        registry=registry,
        base_uri=schema_id,
        offline=True,  # every $ref resolves to a bundled schema or fails
        validate_formats=True,
        formats={"date-time": _check_date_time, "date": _check_date},
    )


def fast_path() -> bool:
    """Whether valid documents are answered by ``jsonschema-rs`` (see the module notes)."""
    return _fast_validator(OB_ACHIEVEMENT_CREDENTIAL_SCHEMA) is not None


def _errors(schema_id: str, doc: Mapping[str, Any]) -> Iterable[ValidationError]:
    fast = _fast_validator(schema_id)
    if fast is not None and fast.is_valid(doc):
        return ()
    return _validator(schema_id).iter_errors(doc)


def _types(doc: Mapping[str, Any]) -> set[str]:
    value = doc.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def schema_for(doc: Mapping[str, Any]) -> str | None:
    """The ``$id`` of the bundled schema that applies to ``doc``, chosen by its ``type``."""
    types = _types(doc)
    if "ClrCredential" in types:
        return CLR_CREDENTIAL_SCHEMA
    if types & {"OpenBadgeCredential", "AchievementCredential"}:
        return OB_ACHIEVEMENT_CREDENTIAL_SCHEMA
    if "EndorsementCredential" in types:
        return OB_ENDORSEMENT_CREDENTIAL_SCHEMA
    if "Profile" in types:
        return OB_PROFILE_SCHEMA
    return None


def _path(error: ValidationError) -> str:
    parts = [str(part) for part in error.absolute_path]
    return "/".join(parts) if parts else "(document)"


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the alternative's error that went deepest into the document.

    An alternative that failed further down (``issuer/type``) explains more than one that failed at the
    top (``issuer`` is not a string); among equally deep ones jsonschema's ``best_match`` decides.
    """
    while error.context:
        depth = max(len(child.absolute_path) for child in error.context)
        deepest = [child for child in error.context if len(child.absolute_path) == depth]
        chosen = best_match(deepest)
        if chosen is None:
            break
        error = chosen
    return error


def _readable(error: ValidationError) -> tuple[str, str]:
    detail = _deepest(error)
    message = detail.message
    if len(message) > 300:
        message = message[:297] + "..."
    return _path(detail), message


def _problems(errors: Iterable[ValidationError], schema_id: str) -> list[SchemaProblem]:
    name = schema_id.rsplit("/", 1)[-1]
    found = {SchemaProblem(*_readable(error), name) for error in errors}
    return sorted(found, key=lambda problem: (problem.path, problem.message))


def _nested_status_lists(doc: Mapping[str, Any]) -> tuple[list[SchemaProblem] | None, Mapping[str, Any]]:
    """A CLR whose gathered credentials carry ``credentialStatus`` lists: each such credential validated on its
    own (every entry checked, as for a credential alone), and the CLR with those lists cut to their first
    entry, for the CLR schema. ``(None, doc)`` when no gathered credential has a list."""
    subject = doc.get("credentialSubject")
    gathered = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    if not isinstance(gathered, list) or not any(
        isinstance(c, Mapping) and isinstance(c.get("credentialStatus"), list) and c.get("credentialStatus")
        for c in gathered
    ):
        return None, doc
    assert isinstance(subject, Mapping)
    problems: list[SchemaProblem] = []
    cut: list[Any] = []
    for number, credential in enumerate(gathered):
        status = credential.get("credentialStatus") if isinstance(credential, Mapping) else None
        if isinstance(credential, Mapping) and isinstance(status, list) and status:
            prefix = f"credentialSubject/verifiableCredential/{number}/"
            problems += [
                SchemaProblem(prefix + p.path, p.message, p.schema)
                for p in validate(credential, schema_id=OB_ACHIEVEMENT_CREDENTIAL_SCHEMA)
            ]
            cut.append({**credential, "credentialStatus": status[0]})
        else:
            cut.append(credential)
    return problems, {**doc, "credentialSubject": {**subject, "verifiableCredential": cut}}


def validate(doc: object, *, schema_id: str | None = None, strict_status: bool = False) -> list[SchemaProblem]:
    """Validate ``doc`` against the bundled schema for its type; an empty list means valid.

    The schema is chosen by ``type`` (OpenBadgeCredential/AchievementCredential, EndorsementCredential,
    ClrCredential, Profile) unless ``schema_id`` names one of the bundled schemas. A ``credentialStatus``
    list is accepted when each of its entries is (see the module notes) unless ``strict_status``.
    """
    if not isinstance(doc, Mapping):
        return [SchemaProblem("(document)", "The document is not a JSON object.", "")]
    chosen = schema_id or schema_for(doc)
    if chosen is None:
        return [
            SchemaProblem(
                "type",
                "No bundled schema applies: the type is none of OpenBadgeCredential, AchievementCredential, "
                "EndorsementCredential, ClrCredential or Profile.",
                "",
            )
        ]
    if chosen not in _schemas():
        raise KeyError(f"No bundled schema has the $id {chosen!r}.")
    if not strict_status and chosen == CLR_CREDENTIAL_SCHEMA:
        nested_problems, doc = _nested_status_lists(doc)
        if nested_problems is not None:
            found_all = set(nested_problems) | set(validate(doc, schema_id=chosen))
            return sorted(found_all, key=lambda problem: (problem.path, problem.message))
    status = doc.get("credentialStatus")
    if not strict_status and isinstance(status, list) and status:
        found: set[SchemaProblem] = set()
        for number, entry in enumerate(status):
            for problem in _problems(_errors(chosen, {**doc, "credentialStatus": entry}), chosen):
                path = problem.path
                if path == "credentialStatus" or path.startswith("credentialStatus/"):
                    path = f"credentialStatus/{number}" + path[len("credentialStatus") :]
                found.add(SchemaProblem(path, problem.message, problem.schema))
        return sorted(found, key=lambda problem: (problem.path, problem.message))
    return _problems(_errors(chosen, doc), chosen)
