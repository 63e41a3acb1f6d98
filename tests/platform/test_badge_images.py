"""Badge artwork: decoded in full and normalized at upload; public badge downloads decode nothing big and never
fail on a stored image that cannot be read (issue 12, point 11)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from credstack.awards import actions as award_actions
from credstack.awards import images as badge_images
from credstack.awards.models import Credential
from credstack.catalog import actions
from credstack.catalog import badges as catalog_badges
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.images import MAX_STORED_SIDE
from credstack.organizations.forms import ProfileForm
from credstack.vc.baking import unbake
from tests.platform.conftest import admin_of, client_for
from tests.platform.test_pages import _form_post


def jpeg(width: int, height: int, **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="JPEG", quality=90, **save)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = jpeg(256, 256)
    return whole[: len(whole) * 2 // 3]  # headers intact: Pillow's verify() accepts it, decoding fails


def test_a_truncated_jpeg_is_refused_at_upload(org_a: Any, definition: dict[str, Any]) -> None:
    client = client_for(admin_of(org_a))
    post = _form_post(definition, slug="with-image")
    post["image"] = SimpleUploadedFile("badge.jpg", truncated_jpeg(), content_type="image/jpeg")
    response = client.post("/manage/org-a/microcredentials/new/", post)
    assert response.status_code == 400
    assert "not an image we can read" in response.content.decode()
    assert not MicroCredentialVersion.objects.filter(micro_credential__slug="with-image").exists()
    # The issuer profile's logo goes through the same check.
    logo = SimpleUploadedFile("logo.jpg", truncated_jpeg(), content_type="image/jpeg")
    profile = {k: v for k, v in ProfileForm(instance=org_a).initial.items() if v is not None}
    profile["image"] = logo
    answer = client.post("/manage/org-a/profile/", profile)
    assert answer.status_code == 400 and "not an image we can read" in answer.content.decode()


def test_a_large_image_is_stored_as_a_bounded_png_without_metadata(org_a: Any, definition: dict[str, Any]) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPS latitude: the kind of metadata that must not be published
    upload = SimpleUploadedFile("photo.jpg", jpeg(4000, 3000, exif=exif.tobytes()), content_type="image/jpeg")
    version = actions.do_create_micro_credential(
        organization=org_a, data=definition, slug="big-image", actor=admin_of(org_a), image=upload
    )
    with version.image.open("rb") as handle:
        stored = handle.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (MAX_STORED_SIDE, 768)
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert version.image.name.endswith(".png")


@pytest.fixture
def stored_badly(published: MicroCredentialVersion) -> MicroCredentialVersion:
    """A version whose stored image was never checked (stored before uploads were decoded in full)."""
    published.image.save("legacy-truncated.jpg", ContentFile(truncated_jpeg()), save=True)
    return published


def _award(version: MicroCredentialVersion, email: str, capture: Any) -> Credential:
    with capture(execute=True):
        return award_actions.do_award_credential(
            organization=version.organization,
            actor=admin_of(version.organization),
            data={"email": email, "achievement": version.micro_credential.slug},
        )


def test_a_stored_image_that_cannot_be_decoded_serves_the_drawn_badge(
    stored_badly: MicroCredentialVersion, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    credential = _award(stored_badly, "learner@example.org", django_capture_on_commit_callbacks)
    base = credential.get_absolute_url()
    with caplog.at_level(logging.WARNING, logger="credstack.catalog.badges"):
        png = Client().get(f"{base}/badge.png")
        svg = Client().get(f"{base}/badge.svg")
    assert png.status_code == 200 and unbake(png.content).json() == credential.document
    assert svg.status_code == 200 and unbake(svg.content).json() == credential.document
    assert png.content.startswith(b"\x89PNG")
    assert "legacy-truncated" in caplog.text and "drawn badge is served" in caplog.text


def test_public_badge_requests_decode_the_stored_artwork_once(
    published: MicroCredentialVersion, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # An image stored before uploads were normalized: 4096×4096, decoded on every request until now.
    published.image.save("legacy-huge.jpg", ContentFile(jpeg(4096, 4096)), save=True)
    first = _award(published, "one@example.org", django_capture_on_commit_callbacks)
    second = _award(published, "two@example.org", django_capture_on_commit_callbacks)
    decoded: list[int] = []
    real_decode = catalog_badges.decode

    def counting_decode(data: bytes, **options: Any) -> Image.Image:
        decoded.append(len(data))
        return real_decode(data, **options)

    monkeypatch.setattr(catalog_badges, "decode", counting_decode)
    for credential in (first, second, first):
        for kind in ("png", "svg"):
            assert Client().get(f"{credential.get_absolute_url()}/badge.{kind}").status_code == 200
    assert len(decoded) == 1
    with Image.open(io.BytesIO(badge_images.badge_png(published, "x"))) as served:
        assert max(served.size) <= MAX_STORED_SIDE
