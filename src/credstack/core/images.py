"""Uploaded images (issuer logos, badge artwork): decoded once, fully, at upload, and stored normalized.

Pillow's ``verify()`` only checks a file's structure: a truncated JPEG passes it and then fails later, when
something decodes it (a badge download, on every request). So an upload is decoded completely here
(``load()``); what cannot be decoded is refused with a field error. What is stored is a normalized PNG:
at most :data:`MAX_STORED_SIDE` pixels on its longest side, RGB or RGBA, and nothing but pixels (no EXIF,
ICC profile, text chunks or comments), so later readers decode a small, known file.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
#: Refused before decoding (a decompression bomb would otherwise be decoded to find out).
MAX_IMAGE_PIXELS = 4096 * 4096
#: The longest side of a stored image; larger uploads are scaled down, keeping their proportions.
MAX_STORED_SIDE = 1024
UNREADABLE = "This file is not an image we can read. Upload a PNG, JPEG or WebP image."


class ImageRefused(ValueError):
    """The image cannot be stored; the message says why, for the person who uploaded it."""


_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


def decode(data: bytes, *, max_pixels: int = MAX_IMAGE_PIXELS) -> Image.Image:
    """Decode ``data`` completely (ValueError naming the problem if it cannot be, or is too large)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if fmt not in ALLOWED_IMAGE_FORMATS:
                raise ImageRefused(f"{fmt or 'This'} images are not accepted. Upload a PNG, JPEG or WebP image.")
            if width * height > max_pixels:
                raise ImageRefused(f"The image is {width}×{height} pixels; at most 4096×4096 is accepted.")
            probe.load()  # every pixel: a truncated or corrupt file fails here, not on a later request
            image = probe.copy()
    except ImageRefused:
        raise
    except _DECODE_ERRORS:
        raise ImageRefused(UNREADABLE) from None
    return image


def to_stored_png(image: Image.Image, *, max_side: int = MAX_STORED_SIDE) -> bytes:
    """The image as a metadata-free PNG, scaled down to ``max_side`` on its longest side."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    pixels = image.convert("RGBA" if has_alpha else "RGB")
    if max(pixels.size) > max_side:
        pixels.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)  # no pnginfo, exif or icc_profile: pixels only
    return out.getvalue()


def normalize_upload(data: bytes, field: str = "image") -> bytes:
    """An uploaded image's bytes -> the PNG to store. Raises a ValidationError keyed by ``field``."""
    try:
        return to_stored_png(decode(data))
    except ImageRefused as refused:
        raise ValidationError({field: [str(refused)]}) from None
