"""The verifier's cache of this platform's own DID documents and status lists (credstack.verifier.owncache).

Another worker process writes without this process hearing of it, so these tests make their writes with the
cache's signal receivers disconnected: only the stamps can tell that a document changed. Every change must show
on the very next verification.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credstack.awards import actions
from credstack.awards.models import Credential, StatusList
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from credstack.signing.actions import do_revoke_signing_key, do_rotate_signing_key
from credstack.signing.models import SigningKey
from credstack.verifier import owncache, service
from tests.platform.conftest import admin_of


@pytest.fixture
def other_process_writes() -> Iterator[None]:
    """Writes as another worker process makes them: this process's cache is not told."""
    owncache.clear()
    for model in (StatusList, SigningKey, Organization):
        post_save.disconnect(sender=model, dispatch_uid=f"owncache-save-{model.__name__}")
        post_delete.disconnect(sender=model, dispatch_uid=f"owncache-delete-{model.__name__}")
    yield
    owncache.connect_signals()
    owncache.clear()


def award(org: Organization, email: str = "learner@example.org") -> Credential:
    return actions.do_award_credential(
        organization=org, data={"email": email, "achievement": "cer-lab"}, actor=admin_of(org)
    )


def verdict(document: dict[str, Any]) -> str:
    return service.verify_credential(document).report.verdict


@pytest.fixture
def issued(published: MicroCredentialVersion) -> Credential:
    return award(published.organization)


def test_a_second_verification_reads_only_the_stamps(issued: Credential, other_process_writes: None) -> None:
    assert verdict(issued.document) == "valid"
    with CaptureQueriesContext(connection) as queries:
        assert verdict(issued.document) == "valid"
    # one stamp for the DID document (read once for the credential and its status list), one for the list
    assert len(queries.captured_queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_revocation_by_another_process_shows_on_the_next_verification(
    issued: Credential, other_process_writes: None
) -> None:
    assert verdict(issued.document) == "valid"
    actions.do_revoke_credential(credential=issued, reason="Plagiarised evidence", actor=admin_of(issued.organization))
    assert verdict(issued.document) == "revoked"


def test_suspension_and_its_end_show_on_the_next_verification(
    published: MicroCredentialVersion, other_process_writes: None
) -> None:
    org = published.organization
    org.publish_suspension = True
    org.save(update_fields=["publish_suspension"])
    issued = award(org)
    assert verdict(issued.document) == "valid"
    actions.do_suspend_credential(credential=issued, reason="Under review", actor=admin_of(org))
    assert verdict(issued.document) == "suspended"
    actions.do_unsuspend_credential(credential=Credential.objects.get(pk=issued.pk), actor=admin_of(org))
    assert verdict(issued.document) == "valid"


def test_key_rotation_and_retirement_show_on_the_next_verification(
    issued: Credential, other_process_writes: None
) -> None:
    org = issued.organization
    assert verdict(issued.document) == "valid"
    new_key = do_rotate_signing_key(organization=org, actor=admin_of(org))
    # a credential signed with the new key verifies at once: the kept DID document did not list that key
    after_rotation = award(org, "second@example.org")
    assert after_rotation.signing_key_id == new_key.pk
    assert verdict(after_rotation.document) == "valid"
    assert verdict(issued.document) == "valid"  # the rotated-out key still vouches for what it signed
    do_revoke_signing_key(key=SigningKey.objects.get(pk=issued.signing_key_id), reason="stolen", actor=admin_of(org))
    assert verdict(issued.document) == "invalid"


def test_the_verify_api_shows_a_revocation_on_the_very_next_request(
    issued: Credential, other_process_writes: None, settings: Any
) -> None:
    settings.CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT = frozenset({"127.0.0.1"})
    body = json.dumps({"verifiableCredential": issued.document})
    client = Client(REMOTE_ADDR="127.0.0.1")
    first = client.post("/credentials/verify", body, content_type="application/json")
    assert first.status_code == 200 and first.json()["verified"] is True
    actions.do_revoke_credential(credential=issued, reason="x", actor=admin_of(issued.organization))
    second = client.post("/credentials/verify", body, content_type="application/json")
    assert second.status_code == 400 and second.json()["verdict"] == "revoked"


def test_writes_in_this_process_empty_the_cache(issued: Credential) -> None:
    owncache.clear()
    assert verdict(issued.document) == "valid" and owncache._entries
    actions.do_revoke_credential(credential=issued, reason="x", actor=admin_of(issued.organization))
    assert not owncache._entries
    assert verdict(issued.document) == "revoked"


def test_the_verify_api_parses_and_measures_the_body_once(
    issued: Credential, other_process_writes: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credstack.vc import shape

    settings.CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT = frozenset({"127.0.0.1"})
    body = json.dumps({"verifiableCredential": issued.document, "options": {}})
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert client.post("/credentials/verify", body, content_type="application/json").status_code == 200
    measured: list[Any] = []
    parsed: list[Any] = []
    real_measure, real_loads = shape.measure, json.loads

    def counting_measure(value: Any, **limits: Any) -> Any:
        measured.append(value)
        return real_measure(value, **limits)

    def counting_loads(text: Any, *args: Any, **kwargs: Any) -> Any:
        if text == body.encode():
            parsed.append(text)
        return real_loads(text, *args, **kwargs)

    monkeypatch.setattr(shape, "measure", counting_measure)
    monkeypatch.setattr(json, "loads", counting_loads)
    answer = client.post("/credentials/verify", body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["verified"] is True
    assert len(parsed) == 1  # the guard's parse; Ninja is handed the same object
    assert len(measured) == 1  # the guard's measure of the whole body; the core does not walk the credential again
    # Bytes or text sent to the service are still measured by the core.
    assert service.verify_credential(json.dumps(issued.document)).report.verdict == "valid"
    assert len(measured) == 2
