"""A micro-credential version's artwork as files: its uploaded image, or the badge drawn from its design.

An uploaded image wins over the design. Uploads are normalized already (``credstack.core.images``); an image
stored before that (a 4096×4096 JPEG) or one that cannot be decoded (a truncated JPEG) is turned into a bounded
PNG once, or logged and replaced by the designed badge, never an error. Rendered files are kept in Django's
cache under a key naming everything they depend on (the stored file's name, or the design's hash), so a
request renders or decodes nothing twice, and that key is also the ETag the artwork URL sends.
"""

from __future__ import annotations

import base64
import logging
from xml.sax.saxutils import escape

from django.core.cache import cache

from credstack.catalog.artwork import SIZE, design_key, effective_design, render_png, render_svg
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.images import ImageRefused, decode, to_stored_png

#: How long rendered artwork stays cached (its key changes whenever what it is drawn from changes).
ARTWORK_CACHE_SECONDS = 24 * 3600
_NO_ARTWORK = b""
log = logging.getLogger(__name__)


def uploaded_png(version: MicroCredentialVersion | None) -> bytes | None:
    """The version's uploaded image as a bounded PNG (cached), or None when it has none or it cannot be decoded."""
    if version is None or not version.image:
        return None
    key = f"catalog:uploaded-artwork:{version.image.name}"
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


def design_for(version: MicroCredentialVersion | None, title: str = "") -> dict[str, str]:
    """The complete design of a version (or, without one, the default design for ``title``)."""
    if version is None:
        return effective_design({}, title)
    return version.artwork_design()


def designed_png(design: dict[str, str]) -> bytes:
    key = f"catalog:designed-artwork:{design_key(design)}.png"
    cached = cache.get(key)
    if cached is None:
        cached = render_png(design)
        cache.set(key, cached, ARTWORK_CACHE_SECONDS)
    return bytes(cached)


def artwork_png(version: MicroCredentialVersion | None, title: str = "") -> bytes:
    """PNG bytes of the artwork: the uploaded image when it can be read, else the designed badge."""
    return uploaded_png(version) or designed_png(design_for(version, title))


def artwork_svg(version: MicroCredentialVersion | None, title: str = "", issuer: str = "") -> bytes:
    """SVG bytes of the artwork: the designed badge, or the uploaded image embedded (as PNG data)."""
    uploaded = uploaded_png(version)
    label = title or (version.name if version is not None else "")
    tooltip = f"{label} — {issuer}" if issuer else label
    if uploaded is None:
        return render_svg(design_for(version, title), label=label, tooltip=tooltip)
    png = base64.b64encode(uploaded).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{escape(label, {chr(34): "&quot;"})}"><title>{escape(tooltip)}</title>'
        f'<image width="{SIZE}" height="{SIZE}" preserveAspectRatio="xMidYMid meet" '
        f'href="data:image/png;base64,{png}"/></svg>'
    ).encode()


def artwork_etag(version: MicroCredentialVersion) -> str:
    """A validator for the version's artwork: changes when the upload or the design changes."""
    if version.image:
        return f'"u-{version.image.name}-{design_key(version.artwork_design())[:8]}"'.replace(" ", "_")
    return f'"d-{design_key(version.artwork_design())}"'
