"""Badge images to bake credentials into: the achievement's artwork (``credstack.catalog.badges``).

The artwork is the uploaded image when there is one, otherwise the badge drawn from the version's design
(``credstack.catalog.artwork``), so the baked PNG and SVG show what the catalog shows. A credential without
a catalog version gets the default design for its title.
"""

from __future__ import annotations

from credstack.catalog.badges import artwork_png, artwork_svg
from credstack.catalog.models import MicroCredentialVersion


def badge_png(version: MicroCredentialVersion | None, title: str) -> bytes:
    """PNG bytes of the badge artwork (cached; the designed badge if there is no readable upload)."""
    return artwork_png(version, title)


def badge_svg(version: MicroCredentialVersion | None, title: str, issuer: str) -> bytes:
    """SVG bytes of the badge artwork, with a text alternative naming the achievement and its issuer."""
    return artwork_svg(version, title, issuer)
