"""Catalog actions: every write to a micro-credential definition goes through these functions.

Views, the API, the CLI (``credstack demo``) and the admin call them; each runs in one transaction
with its audit record, and raises ``ValidationError`` (field-keyed) before writing anything when
the input is wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from credstack.catalog.definition import DefinitionError, clean_definition
from credstack.catalog.models import DEFINITION_FIELDS, MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.core import audit
from credstack.core.images import normalize_upload
from credstack.organizations.models import Organization


class CatalogError(ValidationError):
    """A life-cycle rule was broken (e.g. editing a retired definition)."""


def validate_image(upload: UploadedFile, field: str = "image") -> tuple[bytes, str]:
    """Check an uploaded image by its content (PNG, JPEG or WebP, capped in bytes and pixels, decoded in full)
    and normalize it (``credstack.core.images``).

    Returns the PNG bytes to store and their file extension (the client's name is not trusted).
    """
    limit = settings.CREDSTACK_MAX_IMAGE_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError({field: [f"The image is {upload.size // 1024} KB; the limit is {limit // 1024} KB."]})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: [f"The image is larger than the limit of {limit // 1024} KB."]})
    return normalize_upload(data, field), "png"


def _apply(version: MicroCredentialVersion, cleaned: dict[str, Any]) -> None:
    for field in DEFINITION_FIELDS:
        value = cleaned.get(field)
        if field in {"credits_available", "pd_hours"}:
            value = Decimal(value) if value is not None else None
        setattr(version, field, value)
    version.refresh_index()


def _set_image(version: MicroCredentialVersion, image: UploadedFile | None) -> None:
    if image is None:
        return
    data, ext = validate_image(image)
    from django.core.files.base import ContentFile

    version.image.save(
        f"{version.micro_credential.organization.slug}-{version.micro_credential.slug}-v{version.version}.{ext}",
        ContentFile(data),
        save=False,
    )


def do_create_micro_credential(
    *,
    organization: Organization,
    data: dict[str, Any],
    actor: Any,
    slug: str = "",
    image: UploadedFile | None = None,
) -> MicroCredentialVersion:
    """Create a micro-credential with its first version, as a draft."""
    errors: dict[str, str] = {}
    try:
        cleaned = clean_definition(data)
    except DefinitionError as exc:
        errors.update(exc.errors_by_path)
        cleaned = {}
    slug = slugify(slug or data.get("slug") or data.get("name") or "")[:80]
    if not slug:
        errors.setdefault("slug", "A short name for the URL (slug) is required.")
    elif MicroCredential.objects.filter(organization=organization, slug=slug).exists():
        errors["slug"] = f"{organization.name} already has a micro-credential at {slug!r}; choose another."
    if image is not None:
        try:
            validate_image(image)
            image.seek(0)
        except ValidationError as exc:
            errors["image"] = exc.messages[0]
    if errors:
        raise DefinitionError(errors)
    try:
        with transaction.atomic():
            mc = MicroCredential.objects.create(organization=organization, slug=slug)
            version = MicroCredentialVersion(
                micro_credential=mc,
                version=1,
                status=VersionStatus.DRAFT,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            _apply(version, cleaned)
            _set_image(version, image)
            version.save()
            audit.record(
                "microcredential.created", version, actor=actor, organization=organization, slug=slug, version=1
            )
    except IntegrityError:
        raise DefinitionError({"slug": f"{organization.name} already has a micro-credential at {slug!r}."})
    return version


def do_update_draft(
    *,
    version: MicroCredentialVersion,
    data: dict[str, Any],
    actor: Any,
    image: UploadedFile | None = None,
    remove_image: bool = False,
) -> MicroCredentialVersion:
    """Replace the content of a draft version (its badge design included); ``remove_image`` drops the uploaded
    image so the designed badge is the artwork (a new ``image`` wins over it)."""
    if version.status != VersionStatus.DRAFT:
        raise CatalogError("Only a draft can be edited; start a new version of a published definition instead.")
    cleaned = clean_definition(data)
    with transaction.atomic():
        locked = MicroCredentialVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise CatalogError("This version was published meanwhile; start a new version to change it.")
        _apply(version, cleaned)
        if remove_image and image is None:
            # The file stays: earlier versions may share it (a new version starts with the same file).
            version.image = ""
        _set_image(version, image)
        version.save()
        audit.record(
            "microcredential.draft_updated",
            version,
            actor=actor,
            organization=version.organization,
            version=version.version,
        )
    return version


def do_start_new_version(*, micro_credential: MicroCredential, actor: Any) -> MicroCredentialVersion:
    """Open a new draft version copied from the latest one; returns the existing draft if there is one."""
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=micro_credential.pk)
        draft = micro_credential.draft_version()
        if draft is not None:
            return draft
        latest = micro_credential.latest_version()
        if latest.status == VersionStatus.RETIRED:
            raise CatalogError("This micro-credential is retired; it cannot get new versions.")
        new = MicroCredentialVersion(
            micro_credential=micro_credential,
            version=latest.version + 1,
            status=VersionStatus.DRAFT,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for field in DEFINITION_FIELDS:
            setattr(new, field, getattr(latest, field))
        new.image = latest.image.name if latest.image else ""
        new.refresh_index()
        new.save()
        new.related.set(latest.related.all())
        audit.record(
            "microcredential.version_started",
            new,
            actor=actor,
            organization=micro_credential.organization,
            version=new.version,
            from_version=latest.version,
        )
    return new


def do_publish_version(*, version: MicroCredentialVersion, actor: Any) -> MicroCredentialVersion:
    """Publish a draft; the previously published version becomes superseded (still readable)."""
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=version.micro_credential_id)
        version.refresh_from_db()
        if version.status != VersionStatus.DRAFT:
            raise CatalogError(f"Version {version.version} is {version.get_status_display().lower()}, not a draft.")
        clean_definition(version.definition())  # a draft stored by an older release must still be complete
        now = timezone.now()
        previous = version.micro_credential.published_version()
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(
            "microcredential.published",
            version,
            actor=actor,
            organization=version.organization,
            version=version.version,
            superseded=previous.version if previous else None,
        )
    return version


def do_retire_micro_credential(*, micro_credential: MicroCredential, actor: Any) -> MicroCredentialVersion:
    """Withdraw a published micro-credential from the catalog; earned credentials stay valid."""
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=micro_credential.pk)
        published = micro_credential.published_version()
        if published is None:
            raise CatalogError("Only a published micro-credential can be retired.")
        published.status = VersionStatus.RETIRED
        published.retired_at = timezone.now()
        published.save(update_fields=["status", "retired_at", "updated_at"])
        draft = micro_credential.draft_version()
        if draft is not None:
            draft.status = VersionStatus.RETIRED
            draft.retired_at = published.retired_at
            draft.save(update_fields=["status", "retired_at", "updated_at"])
        audit.record(
            "microcredential.retired",
            published,
            actor=actor,
            organization=micro_credential.organization,
            version=published.version,
        )
    return published


def do_set_related(*, version: MicroCredentialVersion, related: list[MicroCredential], actor: Any) -> None:
    if version.status != VersionStatus.DRAFT:
        raise CatalogError("Only a draft can be edited.")
    with transaction.atomic():
        version.related.set([mc for mc in related if mc.pk != version.micro_credential_id])
        audit.record(
            "microcredential.related_set",
            version,
            actor=actor,
            organization=version.organization,
            related=[str(mc) for mc in related],
        )
