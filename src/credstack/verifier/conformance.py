"""Data model rules a credential must meet before this platform signs it (``POST /credentials/issue``).

Signing puts the platform's name under a document, so a credential that breaks the data model is refused
with a readable reason per member instead of being signed and failing elsewhere: a first context that is neither
VC 2.0 nor VC 1.1 (VC 1.1 credentials are signed as given, with their ``issuanceDate``), a term no context
defines (with ``eddsa-jcs-2022`` nothing else would notice), members
whose objects need a ``type`` (``credentialSchema``, ``credentialStatus``, ``refreshService``,
``termsOfUse``, ``evidence``), malformed ``relatedResource`` entries and digests, and malformed status
entries. The rules are those of https://www.w3.org/TR/vc-data-model-2.0/ and of the Bitstring Status
List for ``BitstringStatusListEntry``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credstack.vc import related
from credstack.vc.errors import UndefinedTermError, VCError
from credstack.vc.jwt import parse_datetime
from credstack.vc.verify import VC_V1, VC_V2

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_INDEX = re.compile(r"^(0|[1-9][0-9]*)$")
_TYPED_MEMBERS = ("credentialSchema", "credentialStatus", "refreshService", "termsOfUse", "evidence")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _types(node: Mapping[str, Any]) -> list[str]:
    return [t for t in _list(node.get("type")) if isinstance(t, str) and t]


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _status_problems(entry: Mapping[str, Any], where: str, problems: dict[str, str]) -> None:
    if "id" in entry and not _is_url(entry["id"]):
        problems[f"{where}.id"] = "A status entry's id must be a URL."
    if "BitstringStatusListEntry" not in _types(entry):
        return
    if entry.get("statusPurpose") not in ("revocation", "suspension", "refresh", "message"):
        problems[f"{where}.statusPurpose"] = "statusPurpose must be revocation, suspension, refresh or message."
    index = entry.get("statusListIndex")
    if not isinstance(index, str) or not _INDEX.match(index):
        problems[f"{where}.statusListIndex"] = "statusListIndex must be a base-10 integer written as a string."
    if not _is_url(entry.get("statusListCredential")):
        problems[f"{where}.statusListCredential"] = "statusListCredential must be the URL of a status list."
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        problems[f"{where}.statusSize"] = "statusSize must be a positive integer."


def issue_problems(credential: Any) -> dict[str, str]:
    """Member path -> what is wrong, for a credential offered for signing; empty when it may be signed."""
    if not isinstance(credential, Mapping):
        return {"credential": "The credential must be a JSON object."}
    problems: dict[str, str] = {}
    contexts = _list(credential.get("@context")) if "@context" in credential else []
    if not contexts:
        return {"@context": f"The credential needs an @context that starts with {VC_V2}."}
    if contexts[0] not in (VC_V2, VC_V1):
        return {"@context": f"The first @context must be {VC_V2} (or {VC_V1} for a VC 1.1 credential)."}
    # VC 1.1 names the validity period issuanceDate / expirationDate; 2.0 validFrom / validUntil
    dates = ("issuanceDate", "expirationDate") if contexts[0] == VC_V1 else ("validFrom", "validUntil")
    if "VerifiableCredential" not in _types(credential):
        problems["type"] = "The type must include VerifiableCredential."
    if "id" in credential and not _is_url(credential["id"]):
        problems["id"] = "The credential's id must be a URL."
    subjects = _list(credential.get("credentialSubject")) if "credentialSubject" in credential else []
    if not subjects or not all(isinstance(s, Mapping) and s for s in subjects):
        problems["credentialSubject"] = "A credential needs a credentialSubject: one or more non-empty objects."
    for member in dates:
        if member in credential and parse_datetime(credential[member]) is None:
            problems[member] = f"{member} must be a date and time with a time zone (e.g. 2026-01-15T12:00:00Z)."
    for member in _TYPED_MEMBERS:
        if member not in credential:
            continue
        for number, entry in enumerate(_list(credential[member])):
            where = f"{member}[{number}]" if isinstance(credential[member], list) else member
            if not isinstance(entry, Mapping):
                problems[where] = f"Each {member} entry must be an object."
            elif not _types(entry):
                problems[f"{where}.type"] = f"Each {member} entry needs a type."
            elif member == "credentialSchema" and not _is_url(entry.get("id")):
                problems[f"{where}.id"] = "A credentialSchema entry needs an id that is a URL."
            elif member == "credentialStatus":
                _status_problems(entry, where, problems)
    if "relatedResource" in credential:
        # one rule for the shape (VCDM 2.0 §5.3) and for digests of bundled contexts, shared with the verifier
        problems.update(related.problems(credential) or related.offline_mismatches(credential))
    if "proof" in credential:
        problems["proof"] = "Leave proof out: the platform signs the credential."
    if problems:
        return problems
    from credstack.vc import fastld

    try:
        fastld.check_safe(dict(credential))
    except UndefinedTermError as exc:
        problems[exc.term] = f"The term {exc.term!r} is not defined by any @context of the credential."
    except VCError as exc:
        problems["@context"] = str(exc)
    except (TypeError, ValueError, RecursionError) as exc:
        problems["credential"] = f"The credential cannot be read as JSON-LD: {exc}"
    return problems
