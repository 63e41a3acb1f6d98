"""Life cycle and versioning of micro-credential definitions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credstack.catalog import actions
from credstack.catalog.definition import DefinitionError
from credstack.catalog.models import MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.core.models import AuditEvent
from tests.platform.conftest import admin_of


def test_edit_of_published_creates_new_version(published: MicroCredentialVersion) -> None:
    admin = admin_of(published.organization)
    mc = published.micro_credential
    v2 = actions.do_start_new_version(micro_credential=mc, actor=admin)
    assert v2.version == 2 and v2.status == VersionStatus.DRAFT
    data = v2.definition()
    data["name"] = "Renamed in version 2"
    actions.do_update_draft(version=v2, data=data, actor=admin)

    published.refresh_from_db()
    assert published.name != "Renamed in version 2"  # the earned version is untouched
    assert mc.published_version() == published

    actions.do_publish_version(version=v2, actor=admin)
    published.refresh_from_db()
    assert published.status == VersionStatus.SUPERSEDED
    assert mc.published_version().name == "Renamed in version 2"
    assert list(mc.versions.order_by("version").values_list("version", "status")) == [
        (1, "superseded"),
        (2, "published"),
    ]
    actions_logged = set(
        AuditEvent.objects.filter(organization=published.organization).values_list("action", flat=True)
    )
    assert {
        "microcredential.created",
        "microcredential.published",
        "microcredential.version_started",
        "microcredential.draft_updated",
    } <= actions_logged


def test_published_version_cannot_be_edited(published: MicroCredentialVersion) -> None:
    with pytest.raises(ValidationError):
        actions.do_update_draft(version=published, data=published.definition(), actor=admin_of(published.organization))


def test_start_new_version_is_idempotent(published: MicroCredentialVersion) -> None:
    admin = admin_of(published.organization)
    first = actions.do_start_new_version(micro_credential=published.micro_credential, actor=admin)
    second = actions.do_start_new_version(micro_credential=published.micro_credential, actor=admin)
    assert first.pk == second.pk


def test_database_allows_one_draft_and_one_published(published: MicroCredentialVersion) -> None:
    mc = published.micro_credential
    fields = published.definition()
    with pytest.raises(IntegrityError), transaction.atomic():
        MicroCredentialVersion.objects.create(
            micro_credential=mc, version=9, status="published", **{k: v for k, v in fields.items()}
        )


def test_retire_and_no_new_versions(published: MicroCredentialVersion) -> None:
    admin = admin_of(published.organization)
    actions.do_retire_micro_credential(micro_credential=published.micro_credential, actor=admin)
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED
    with pytest.raises(ValidationError):
        actions.do_start_new_version(micro_credential=published.micro_credential, actor=admin)
    assert not MicroCredentialVersion.objects.published().exists()


def test_invalid_definition_saves_nothing(org_a: Any, definition: dict[str, Any]) -> None:
    definition["rubric"]["criteria"] = []
    with pytest.raises(DefinitionError):
        actions.do_create_micro_credential(organization=org_a, data=definition, slug="x", actor=admin_of(org_a))
    assert not MicroCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="microcredential.created").exists()


def test_duplicate_slug_is_a_field_error(published: MicroCredentialVersion, definition: dict[str, Any]) -> None:
    with pytest.raises(DefinitionError) as info:
        actions.do_create_micro_credential(
            organization=published.organization, data=definition, slug="cer-lab", actor=admin_of(published.organization)
        )
    assert "slug" in info.value.errors_by_path


def test_same_slug_in_another_organization_is_fine(
    published: MicroCredentialVersion, org_b: Any, definition: dict[str, Any]
) -> None:
    other = actions.do_create_micro_credential(
        organization=org_b, data=definition, slug="cer-lab", actor=admin_of(org_b)
    )
    assert other.micro_credential.slug == published.micro_credential.slug
