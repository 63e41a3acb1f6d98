"""Badge images to bake credentials into: the achievement's own image, or one drawn for it.

A baked PNG must be a PNG, and badge downloads are public: the stored artwork is turned into a bounded PNG
(``credstack.core.images``: at most 1024 px, pixels only) once, and that PNG is kept in Django's cache under
the stored file's name, so a download decodes nothing big. Uploads are normalized already; this also covers
images stored before that (a 4096×4096 JPEG) and files that cannot be decoded (a truncated JPEG): those are
logged and the drawn seal is served instead, never an error. A baked SVG needs an SVG: the platform draws a
simple one — the badge image embedded when there is one, otherwise a seal with the achievement's name — so
every credential can be downloaded in both forms.
"""

from __future__ import annotations

import base64
import io
import logging
import textwrap
from xml.sax.saxutils import escape

from django.core.cache import cache
from PIL import Image, ImageDraw

from credstack.catalog.models import MicroCredentialVersion
from credstack.core.images import ImageRefused, decode, to_stored_png

SIZE = 400
#: How long the normalized artwork of a stored image stays cached (stored files never change in place:
#: a new upload gets a new name).
ARTWORK_CACHE_SECONDS = 24 * 3600
_NO_ARTWORK = b""
log = logging.getLogger(__name__)


def _artwork(version: MicroCredentialVersion | None) -> bytes | None:
    """The version's image as a bounded PNG (cached), or None when it has none or it cannot be decoded."""
    if version is None or not version.image:
        return None
    key = f"awards:badge-artwork:{version.image.name}"
    cached = cache.get(key)
    if cached is None:
        cached = _normalized(version)
        cache.set(key, cached, ARTWORK_CACHE_SECONDS)
    return cached or None


def _normalized(version: MicroCredentialVersion) -> bytes:
    try:
        with version.image.open("rb") as handle:
            data = bytes(handle.read())
        return to_stored_png(decode(data))
    except (OSError, ImageRefused) as problem:
        log.warning(
            "Badge image %s of %s cannot be used (%s); the drawn badge is served instead.",
            version.image.name,
            version,
            problem,
        )
        return _NO_ARTWORK


def _drawn_png(title: str) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=(29, 78, 216, 255), outline=(30, 58, 138, 255), width=10)
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), outline=(255, 255, 255, 255), width=4)
    lines = textwrap.wrap(title, 18)[:4]
    y = SIZE // 2 - 11 * len(lines)
    for line in lines:
        width = draw.textlength(line)
        draw.text(((SIZE - width) / 2, y), line, fill=(255, 255, 255, 255))
        y += 22
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def badge_png(version: MicroCredentialVersion | None, title: str) -> bytes:
    """PNG bytes of the badge image (normalized and cached; drawn if there is none or it is unreadable)."""
    return _artwork(version) or _drawn_png(title)


def badge_svg(version: MicroCredentialVersion | None, title: str, issuer: str) -> bytes:
    """An SVG badge: the badge image embedded (as PNG data) or a drawn seal, with a text alternative."""
    artwork = _artwork(version)
    label = escape(title, {'"': "&quot;"})  # it goes in an attribute too
    if artwork is not None:
        png = base64.b64encode(artwork).decode("ascii")
        body = f'<image width="{SIZE}" height="{SIZE}" href="data:image/png;base64,{png}"/>'
    else:
        lines = textwrap.wrap(title, 22)[:4]
        start = SIZE // 2 - 12 * (len(lines) - 1)
        text = "".join(
            f'<tspan x="{SIZE // 2}" y="{start + 24 * i}">{escape(line)}</tspan>' for i, line in enumerate(lines)
        )
        body = (
            f'<circle cx="{SIZE // 2}" cy="{SIZE // 2}" r="{SIZE // 2 - 10}" fill="#1d4ed8" stroke="#1e3a8a" '
            f'stroke-width="10"/><circle cx="{SIZE // 2}" cy="{SIZE // 2}" r="{SIZE // 2 - 40}" fill="none" '
            f'stroke="#fff" stroke-width="4"/><text font-family="system-ui, sans-serif" font-size="20" '
            f'fill="#fff" text-anchor="middle">{text}</text>'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{label}"><title>{label} — {escape(issuer)}</title>{body}</svg>'
    )
    return svg.encode("utf-8")
