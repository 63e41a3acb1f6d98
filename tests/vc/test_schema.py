"""JSON schema validation with the bundled OB 3.0 / CLR 2.0 schemas, offline."""

from __future__ import annotations

import copy
import json
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from referencing.exceptions import Unresolvable

from credstack.vc import schema
from credstack.vc.schema import (
    CLR_CREDENTIAL_SCHEMA,
    OB_ACHIEVEMENT_CREDENTIAL_SCHEMA,
    OB_ENDORSEMENT_CREDENTIAL_SCHEMA,
    OB_PROFILE_SCHEMA,
    SchemaProblem,
    schema_for,
    validate,
)

FOREIGN = Path(__file__).parent / "data" / "foreign"
SHARED_SCHEMAS = Path("/work/shared/standards/schemas")


def load(name: str) -> dict[str, Any]:
    value = json.loads((FOREIGN / name).read_text(encoding="utf-8"))
    assert isinstance(value, dict)
    return value


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("schema validation tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_bundled_schemas_are_byte_exact_copies() -> None:
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip("the shared standards folder is not available here")
    bundled = resources.files("credstack.vc") / "schemas"
    names = sorted(path.name for path in SHARED_SCHEMAS.glob("*.json"))
    assert len(names) == 11
    for name in names:
        assert (bundled / name).read_bytes() == (SHARED_SCHEMAS / name).read_bytes(), name


@pytest.mark.parametrize(
    ("name", "schema_id"),
    [
        ("ob30-simple.json", OB_ACHIEVEMENT_CREDENTIAL_SCHEMA),
        ("ob30-complete.json", OB_ACHIEVEMENT_CREDENTIAL_SCHEMA),
        ("ob30-endorsement-valid.json", OB_ENDORSEMENT_CREDENTIAL_SCHEMA),
        ("clr20-simple.json", CLR_CREDENTIAL_SCHEMA),
    ],
)
def test_valid_foreign_documents(name: str, schema_id: str) -> None:
    doc = load(name)
    assert schema_for(doc) == schema_id
    assert validate(doc) == []


@pytest.mark.parametrize(
    ("name", "path", "fragment"),
    [
        (
            "ob30-simple-err-credential-subject-identifier-type.json",
            "credentialSubject/identifier/0/type",
            "IdentityObject",
        ),
        ("ob30-simple-err-issuer-type.json", "issuer/type", "InvalidProfile"),
        (
            "ob30-simple-err-context.json",
            "@context/0",
            "https://www.w3.org/ns/credentials/v2",
        ),
    ],
)
def test_invalid_foreign_documents_name_the_place(name: str, path: str, fragment: str) -> None:
    problems = validate(load(name))
    assert problems
    assert any(problem.path == path and fragment in problem.message for problem in problems), problems


def test_required_property_and_date_time_format() -> None:
    doc = load("ob30-simple.json")
    del doc["issuer"]
    doc["validFrom"] = "yesterday"
    problems = validate(doc)
    assert SchemaProblem("(document)", "'issuer' is a required property", problems[0].schema) in problems
    assert any(p.path == "validFrom" and "date-time" in p.message for p in problems)
    assert all(p.schema == "ob_v3p0_achievementcredential_schema.json" for p in problems)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2010-01-01T00:00:00Z", True),
        ("2010-01-01T00:00:00.123+02:00", True),
        ("2010-01-01T00:00:00", False),  # no offset
        ("2010-13-01T00:00:00Z", False),
        ("2010-01-01 00:00:00Z", False),
    ],
)
def test_date_time_checks(value: str, ok: bool) -> None:
    doc = load("ob30-simple.json")
    doc["validFrom"] = value
    assert (validate(doc) == []) is ok


def test_profile_and_type_selection() -> None:
    profile = {"id": "https://example.org/issuer", "type": "Profile", "name": "Example"}
    assert schema_for(profile) == OB_PROFILE_SCHEMA
    assert validate(profile) == []
    assert validate(
        {
            "id": "https://example.org/issuer",
            "type": "Profile",
            "dateOfBirth": "1.1.2000",
        }
    )
    unknown = validate({"type": ["VerifiableCredential", "EmployeeIdCredential"]})
    assert len(unknown) == 1 and "No bundled schema" in unknown[0].message
    assert validate([1, 2])[0].message == "The document is not a JSON object."


def test_explicit_schema_id() -> None:
    doc = copy.deepcopy(load("ob30-simple.json"))
    assert validate(doc, schema_id=OB_PROFILE_SCHEMA)  # a credential is not a Profile
    with pytest.raises(KeyError):
        validate(doc, schema_id="https://example.org/unknown.json")


def test_remote_references_are_never_fetched() -> None:
    from jsonschema import Draft201909Validator

    validator = Draft201909Validator({"$ref": "https://example.org/remote-schema.json"}, registry=schema._registry())
    with pytest.raises(Unresolvable):
        validator.validate({})
    # bundled schemas resolve by their $id without any network access
    by_id = Draft201909Validator({"$ref": OB_PROFILE_SCHEMA}, registry=schema._registry())
    by_id.validate({"id": "https://example.org/i", "type": "Profile"})


def test_problem_str() -> None:
    assert str(SchemaProblem("issuer/type", "bad", "x.json")) == "issuer/type: bad"


def test_status_array_of_valid_entries_is_accepted() -> None:
    """VC 2.0 lets a credential carry revocation and suspension entries; each must be a valid CredentialStatus."""
    doc = load("ob30-simple.json")
    entry = {
        "id": "https://example.org/status/1#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": "https://example.org/status/1",
    }
    doc["credentialStatus"] = [
        entry,
        {
            **entry,
            "id": "https://example.org/status/2#5",
            "statusPurpose": "suspension",
            "statusListCredential": "https://example.org/status/2",
        },
    ]
    assert validate(doc) == []
    assert any(p.path == "credentialStatus" for p in validate(doc, strict_status=True))
    broken = copy.deepcopy(doc)
    del broken["credentialStatus"][1]["type"]
    problems = validate(broken)
    assert problems and all(p.path.startswith("credentialStatus/1") or p.path == "credentialStatus/1" for p in problems)

    # Gathered in a CLR, the same credential is judged the same way, at its place in the CLR.
    clr = load("clr20-simple.json")
    clr["credentialSubject"]["verifiableCredential"] = [doc]
    assert validate(clr) == []
    assert any(p.path.startswith("credentialSubject/verifiableCredential/0") for p in validate(clr, strict_status=True))
    clr["credentialSubject"]["verifiableCredential"] = [broken]
    problems = validate(clr)
    assert problems and all(
        p.path.startswith("credentialSubject/verifiableCredential/0/credentialStatus/1") for p in problems
    )
