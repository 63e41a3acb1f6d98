"""Badge images to bake credentials into: the achievement's own image, or one drawn for it.

A baked PNG must be a PNG: JPEG and WebP badge images are converted (once per request; they are small). A
baked SVG needs an SVG: the platform draws a simple one — the badge image embedded when there is one,
otherwise a seal with the achievement's name — so every credential can be downloaded in both forms.
"""

from __future__ import annotations

import base64
import io
import textwrap
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

from credstack.catalog.models import MicroCredentialVersion

SIZE = 400


def _stored_image(version: MicroCredentialVersion | None) -> bytes | None:
    if version is None or not version.image:
        return None
    try:
        with version.image.open("rb") as handle:
            return bytes(handle.read())
    except OSError:
        return None


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
    """PNG bytes of the badge image (converted if stored as JPEG/WebP, drawn if there is none)."""
    data = _stored_image(version)
    if data is None:
        return _drawn_png(title)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    with Image.open(io.BytesIO(data)) as source:
        out = io.BytesIO()
        source.convert("RGBA").save(out, format="PNG")
        return out.getvalue()


def badge_svg(version: MicroCredentialVersion | None, title: str, issuer: str) -> bytes:
    """An SVG badge: the badge image embedded (as PNG data) or a drawn seal, with a text alternative."""
    data = _stored_image(version)
    label = escape(title, {'"': "&quot;"})  # it goes in an attribute too
    if data is not None:
        png = base64.b64encode(badge_png(version, title)).decode("ascii")
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
