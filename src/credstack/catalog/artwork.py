"""Badge artwork designed in the editor: a shape, three colours, an icon and a short title, drawn as SVG and PNG.

A design is a small dict (``shape``, ``background``, ``accent``, ``text_colour``, ``icon``, ``title``), stored on
the micro-credential version with the rest of its definition. Missing keys come from :func:`default_design`,
derived from the micro-credential's name and its organization, so every micro-credential has artwork.

One layout (:func:`layout`) feeds two renderers that draw the same geometry: :func:`render_svg` (text escaped,
no fonts or URLs fetched, deterministic to the byte) and :func:`render_png`, which draws with Pillow's
``ImageDraw`` at three times the size and scales down (Pillow has no SVG rasterizer, and the PNG that
credentials are baked into must not depend on one). Text is measured with Pillow's bundled scalable font
(``ImageFont.load_default(size=...)``, Pillow ≥ 10.1 with FreeType) for both, with a margin for the browser's
bold sans-serif in the SVG.

Written here rather than taken from PyPI: the badge-making packages there render a fixed template through a
browser or cairo; what is needed is a few shapes and icons drawn identically in two formats, with Pillow,
which the platform already depends on. No Django import: the editor, the API and the demo loader share it.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

#: The artwork's side: SVG user units and PNG pixels.
SIZE = 600
#: The PNG is drawn this many times larger and scaled down, for smooth edges (Pillow draws without antialiasing).
SUPERSAMPLE = 3
#: Title font sizes, in units of the 600-unit artwork: the largest tried, and the smallest ever used.
MAX_TEXT_SIZE = 64
MIN_TEXT_SIZE = 34
MAX_LINES = 3
MAX_TITLE_LENGTH = 60
#: WCAG 2 contrast for text (AA, normal size); the title is refused below it, and the renderer never draws below it.
MIN_TEXT_CONTRAST = 4.5
#: Widths measured with Pillow's font are scaled up by this for the SVG's bold browser font.
BOLD_WIDTH_FACTOR = 1.1
ELLIPSIS = "…"
FONT_FAMILY = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
#: Changes whenever the drawing changes, so cached renderings are not reused.
RENDERER_VERSION = "1"

SHAPES = {
    "circle": "Circle",
    "shield": "Shield",
    "hexagon": "Hexagon",
    "rounded-square": "Rounded square",
    "ribbon": "Medal with ribbon",
}
ICONS = {
    "book": "Open book",
    "chalkboard": "Chalkboard",
    "lightbulb": "Light bulb",
    "star": "Star",
    "check": "Check mark",
    "gear": "Gear",
    "people": "People",
    "chart": "Bar chart",
    "code": "Code brackets",
    "heart": "Heart",
    "globe": "Globe",
    "pencil": "Pencil",
    "flask": "Flask",
}
DESIGN_KEYS = ("shape", "background", "accent", "text_colour", "icon", "title")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SHORT_HEX = re.compile(r"^#[0-9a-fA-F]{3}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

#: Colour sets for designs nobody chose: background, accent, title colour (each title passes AA on its background).
PALETTES = (
    ("#1e3a8a", "#fbbf24", "#ffffff"),
    ("#115e59", "#5eead4", "#ffffff"),
    ("#581c87", "#f0abfc", "#ffffff"),
    ("#14532d", "#86efac", "#ffffff"),
    ("#7f1d1d", "#fca5a5", "#ffffff"),
    ("#1f2937", "#38bdf8", "#ffffff"),
    ("#fef3c7", "#b45309", "#1f2937"),
    ("#e0f2fe", "#0369a1", "#0c4a6e"),
)
#: Words in a name that suggest an icon, for designs nobody chose.
_ICON_WORDS = (
    ("code", ("computational", "coding", "programming", "computer", "code")),
    ("globe", ("online", "digital", "global", "web", "internet")),
    ("flask", ("science", "scientific", "lab", "phenomenon", "experiment")),
    ("chart", ("math", "number", "data", "statistic")),
    ("book", ("reading", "read", "text", "literacy", "phonics")),
    ("pencil", ("writing", "write", "essay")),
    ("people", ("family", "families", "community", "circles", "collaborat", "discourse")),
    ("heart", ("restorative", "wellbeing", "social", "emotional", "culturally")),
    ("lightbulb", ("thinking", "struggle", "inquiry", "idea")),
    ("check", ("checks", "assessment", "understanding", "feedback")),
    ("gear", ("design", "accessible", "routines", "systems")),
    ("chalkboard", ("instruction", "teaching", "lesson", "practice")),
)


# --- colours -------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def legible_on(background: str, preferred: str, minimum: float = MIN_TEXT_CONTRAST) -> str:
    """``preferred`` if it reaches ``minimum`` contrast on ``background``, else white or near-black, whichever
    contrasts more, or pure black (white or black always reaches 4.5: the worst background gives 4.58)."""
    if contrast_ratio(background, preferred) >= minimum:
        return preferred
    candidates = sorted(("#ffffff", "#111827"), key=lambda c: contrast_ratio(background, c), reverse=True)
    candidates += ["#000000"]
    return next((c for c in candidates if contrast_ratio(background, c) >= minimum), "#000000")


def normalize_colour(value: Any) -> str | None:
    """``#rrggbb`` in lower case, from ``#rgb`` or ``#rrggbb`` (None if it is neither)."""
    text = value.strip() if isinstance(value, str) else ""
    if _SHORT_HEX.match(text):
        text = "#" + "".join(ch * 2 for ch in text[1:])
    return text.lower() if _HEX.match(text) else None


# --- designs -------------------------------------------------------------------------------------


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def default_design(name: str, organization_key: str = "") -> dict[str, str]:
    """The design of a micro-credential nobody designed: the organization's colour set (so its badges belong
    together), a shape from the name, and an icon suggested by the name's words."""
    background, accent, text = PALETTES[_digest(organization_key or name) % len(PALETTES)]
    lowered = name.lower()
    icon = next(
        (icon for icon, words in _ICON_WORDS if any(word in lowered for word in words)),
        tuple(ICONS)[_digest(name) % len(ICONS)],
    )
    shape = tuple(SHAPES)[_digest("shape:" + name) % len(SHAPES)]
    return {"shape": shape, "background": background, "accent": accent, "text_colour": text, "icon": icon, "title": ""}


def clean_design(data: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Validate a design as posted or imported: (the cleaned design, errors keyed by ``design.<key>``).

    Only keys given are kept (the rest come from the default when drawn); an empty title means the name.
    A title colour that is hard to read on the background is refused, naming a colour that would do.
    """
    if data in (None, "", {}):
        return {}, {}
    if not isinstance(data, dict):
        return {}, {"design": "The badge design must be an object with shape, colours, icon and title."}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key in DESIGN_KEYS:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and key != "title"):
            continue
        if key == "shape":
            if value not in SHAPES:
                errors["design.shape"] = f"Choose a shape: {', '.join(SHAPES)}."
            else:
                cleaned[key] = value
        elif key == "icon":
            if value not in ICONS:
                errors["design.icon"] = f"Choose an icon: {', '.join(ICONS)}."
            else:
                cleaned[key] = value
        elif key == "title":
            title = " ".join(str(value).split())
            if _CONTROL.search(title):
                errors["design.title"] = "The badge text contains characters that cannot be shown."
            elif len(title) > MAX_TITLE_LENGTH:
                errors["design.title"] = (
                    f"The badge text must be at most {MAX_TITLE_LENGTH} characters (it has {len(title)})."
                )
            else:
                cleaned[key] = title
        else:
            colour = normalize_colour(value)
            if colour is None:
                errors[f"design.{key}"] = "Give a colour as #rrggbb, e.g. #1e3a8a."
            else:
                cleaned[key] = colour
    background, text = cleaned.get("background"), cleaned.get("text_colour")
    if background and text and "design.text_colour" not in errors:
        ratio = contrast_ratio(background, text)
        if ratio < MIN_TEXT_CONTRAST:
            errors["design.text_colour"] = (
                f"The text colour is hard to read on this background (contrast {ratio:.1f}:1; at least "
                f"{MIN_TEXT_CONTRAST}:1 is needed). Try {legible_on(background, text)}."
            )
    return cleaned, errors


def effective_design(design: dict[str, Any] | None, name: str, organization_key: str = "") -> dict[str, str]:
    """The stored design completed from the default; colours fixed so the text is always legible."""
    merged = default_design(name, organization_key)
    cleaned, _ = clean_design({k: v for k, v in (design or {}).items() if k in DESIGN_KEYS})
    merged.update(cleaned)
    merged["text_colour"] = legible_on(merged["background"], merged["text_colour"])
    merged["title"] = merged["title"] or " ".join(name.split())[: MAX_TITLE_LENGTH * 2]
    return merged


def design_key(design: dict[str, str]) -> str:
    """A short hash of what the artwork depends on (for cache keys and ETags)."""
    text = RENDERER_VERSION + "|" + "|".join(f"{k}={design.get(k, '')}" for k in DESIGN_KEYS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --- geometry ------------------------------------------------------------------------------------

Point = tuple[float, float]


@dataclass(frozen=True)
class Primitive:
    """One thing to draw: ``kind`` is poly (filled polygon), line (stroked polyline), circle, ring
    (stroked circle), ellipse-ring, rect (filled, rounded) or rect-ring; ``colour`` a role or ``#rrggbb``."""

    kind: str
    points: tuple[Point, ...] = ()
    centre: Point = (0.0, 0.0)
    radius: float = 0.0
    radius_y: float = 0.0
    width: float = 0.0
    corner: float = 0.0
    colour: str = "ink"


@dataclass(frozen=True)
class Layout:
    primitives: tuple[Primitive, ...]
    lines: tuple[str, ...]
    text_size: int
    baselines: tuple[float, ...]
    colours: dict[str, str]


def _scaled(points: list[Point], factor: float, centre: Point) -> tuple[Point, ...]:
    cx, cy = centre
    return tuple((cx + (x - cx) * factor, cy + (y - cy) * factor) for x, y in points)


def _regular(n: int, centre: Point, radius: float, start_degrees: float) -> list[Point]:
    cx, cy = centre
    return [
        (
            cx + radius * math.cos(math.radians(start_degrees + 360 * i / n)),
            cy + radius * math.sin(math.radians(start_degrees + 360 * i / n)),
        )
        for i in range(n)
    ]


def _quadratic(start: Point, control: Point, end: Point, steps: int = 14) -> list[Point]:
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        out.append(
            (
                (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0],
                (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1],
            )
        )
    return out


def _shield() -> list[Point]:
    top = [(300.0, 22.0), *_quadratic((300, 22), (420, 70), (552, 64))]
    right = [(552.0, 300.0), *_quadratic((552, 300), (540, 490), (300, 584))]
    left = [*_quadratic((300, 584), (60, 490), (48, 300)), (48.0, 64.0)]
    back = _quadratic((48, 64), (180, 70), (300, 22))[:-1]
    return top + right + left + back


@dataclass(frozen=True)
class _Frame:
    """Where things go inside a shape: its centre, the icon disc, and the box the title fits in."""

    centre: Point
    icon_centre: Point
    icon_radius: float
    text_top: float
    text_bottom: float
    text_width: float


_FRAMES = {
    "circle": _Frame((300, 300), (300, 178), 80, 280, 462, 380),
    "hexagon": _Frame((300, 300), (300, 170), 78, 272, 450, 370),
    "rounded-square": _Frame((300, 300), (300, 165), 80, 270, 500, 440),
    "shield": _Frame((300, 290), (300, 160), 76, 258, 430, 380),
    "ribbon": _Frame((300, 250), (300, 140), 66, 222, 372, 320),
}


def _shape_primitives(shape: str, frame: _Frame) -> list[Primitive]:
    """The outer shape in the accent colour, the face in the background colour, and a thin inner ring."""
    out: list[Primitive] = []
    if shape == "circle":
        out += [
            Primitive("circle", centre=(300, 300), radius=290, colour="accent"),
            Primitive("circle", centre=(300, 300), radius=262, colour="background"),
            Primitive("ring", centre=(300, 300), radius=244, width=4, colour="accent"),
        ]
    elif shape == "ribbon":
        left_tail = [(196.0, 380.0), (292.0, 430.0), (246.0, 592.0), (200.0, 548.0), (138.0, 568.0)]
        right_tail = [(600 - x, y) for x, y in left_tail]
        out += [
            Primitive("poly", points=tuple(left_tail), colour="accent"),
            Primitive("poly", points=tuple(right_tail), colour="accent"),
            Primitive("circle", centre=(300, 250), radius=240, colour="accent"),
            Primitive("circle", centre=(300, 250), radius=214, colour="background"),
            Primitive("ring", centre=(300, 250), radius=197, width=4, colour="accent"),
        ]
    elif shape == "rounded-square":
        out += [
            Primitive("rect", points=((14, 14), (586, 586)), corner=96, colour="accent"),
            Primitive("rect", points=((40, 40), (560, 560)), corner=74, colour="background"),
            Primitive("rect-ring", points=((58, 58), (542, 542)), corner=58, width=4, colour="accent"),
        ]
    else:
        outline = _regular(6, (300, 300), 296, -90) if shape == "hexagon" else _shield()
        inner, ring = (0.9, 0.83) if shape == "hexagon" else (0.9, 0.84)
        out += [
            Primitive("poly", points=tuple(outline), colour="accent"),
            Primitive("poly", points=_scaled(outline, inner, frame.centre), colour="background"),
            Primitive("line", points=_scaled(outline + outline[:1], ring, frame.centre), width=4, colour="accent"),
        ]
    return out


def _icon(name: str) -> list[Primitive]:
    """The icon in a 100×100 box, in the ``ink`` colour (``disc`` cuts holes)."""
    P = Primitive
    if name == "book":
        return [
            P("line", points=((50, 30), (32, 22), (10, 26), (10, 78), (32, 74), (50, 82)), width=7),
            P("line", points=((50, 30), (68, 22), (90, 26), (90, 78), (68, 74), (50, 82)), width=7),
            P("line", points=((50, 30), (50, 82)), width=6),
        ]
    if name == "chalkboard":
        return [
            P("rect-ring", points=((10, 14), (90, 66)), corner=5, width=7),
            P("line", points=((24, 32), (52, 32)), width=6),
            P("line", points=((24, 48), (66, 48)), width=6),
            P("line", points=((32, 68), (22, 90)), width=7),
            P("line", points=((68, 68), (78, 90)), width=7),
        ]
    if name == "lightbulb":
        return [
            P("ring", centre=(50, 38), radius=25, width=7),
            P("line", points=((41, 60), (41, 70)), width=7),
            P("line", points=((59, 60), (59, 70)), width=7),
            P("line", points=((38, 74), (62, 74)), width=7),
            P("line", points=((43, 86), (57, 86)), width=7),
            P("line", points=((50, 28), (50, 48)), width=5),
        ]
    if name == "star":
        points = []
        for i in range(10):
            radius = 44 if i % 2 == 0 else 19
            angle = math.radians(-90 + 36 * i)
            points.append((50 + radius * math.cos(angle), 54 + radius * math.sin(angle)))
        return [P("poly", points=tuple(points))]
    if name == "check":
        return [
            P("ring", centre=(50, 50), radius=40, width=7),
            P("line", points=((31, 51), (45, 65), (70, 37)), width=9),
        ]
    if name == "gear":
        teeth = []
        for i in range(8):
            angle = math.radians(22.5 * 2 * i)
            dx, dy = math.cos(angle), math.sin(angle)
            px, py = -dy, dx
            inner, outer, half = 26, 44, 8
            teeth.append(
                P(
                    "poly",
                    points=(
                        (50 + dx * inner + px * half, 50 + dy * inner + py * half),
                        (50 + dx * outer + px * half * 0.8, 50 + dy * outer + py * half * 0.8),
                        (50 + dx * outer - px * half * 0.8, 50 + dy * outer - py * half * 0.8),
                        (50 + dx * inner - px * half, 50 + dy * inner - py * half),
                    ),
                )
            )
        return [*teeth, P("circle", centre=(50, 50), radius=33), P("circle", centre=(50, 50), radius=13, colour="disc")]
    if name == "people":

        def body(cx: float, base: float, r: float) -> tuple[Point, ...]:
            return tuple(
                (cx + r * math.cos(math.radians(a)), base - r * math.sin(math.radians(a))) for a in range(0, 181, 12)
            )

        return [
            P("circle", centre=(66, 30), radius=12),
            P("poly", points=body(66, 74, 22)),
            P("circle", centre=(36, 36), radius=15, colour="disc"),
            P("poly", points=body(36, 90, 30), colour="disc"),
            P("circle", centre=(36, 36), radius=12),
            P("poly", points=body(36, 86, 26)),
        ]
    if name == "chart":
        return [
            P("line", points=((12, 12), (12, 88), (90, 88)), width=7),
            P("rect", points=((24, 58), (38, 80)), corner=2),
            P("rect", points=((46, 40), (60, 80)), corner=2),
            P("rect", points=((68, 20), (82, 80)), corner=2),
        ]
    if name == "code":
        return [
            P("line", points=((34, 28), (12, 50), (34, 72)), width=8),
            P("line", points=((66, 28), (88, 50), (66, 72)), width=8),
            P("line", points=((57, 20), (43, 80)), width=7),
        ]
    if name == "heart":
        points = []
        for i in range(48):
            t = 2 * math.pi * i / 48
            x = 16 * math.sin(t) ** 3
            y = 13 * math.cos(t) - 5 * math.cos(2 * t) - 2 * math.cos(3 * t) - math.cos(4 * t)
            points.append((50 + x * 2.6, 46 - y * 2.6))
        return [P("poly", points=tuple(points))]
    if name == "globe":
        return [
            P("ring", centre=(50, 50), radius=40, width=6),
            P("ellipse-ring", centre=(50, 50), radius=17, radius_y=40, width=5),
            P("line", points=((10, 50), (90, 50)), width=5),
            P("line", points=((17, 30), (83, 30)), width=5),
            P("line", points=((17, 70), (83, 70)), width=5),
        ]
    if name == "pencil":
        return [
            P("poly", points=((24, 64), (64, 24), (76, 36), (36, 76))),
            P("poly", points=((68, 20), (74, 14), (86, 26), (80, 32))),
            P("poly", points=((22, 68), (32, 78), (14, 86))),
        ]
    # flask
    return [
        P("line", points=((38, 12), (62, 12)), width=7),
        P("line", points=((43, 14), (43, 40), (18, 82), (22, 88), (78, 88), (82, 82), (57, 40), (57, 14)), width=7),
        P("poly", points=((31, 64), (69, 64), (80, 82), (77, 85), (23, 85), (20, 82))),
    ]


def _place(prims: list[Primitive], centre: Point, size: float) -> list[Primitive]:
    """Icon primitives moved from their 100×100 box to a ``size`` box around ``centre``."""
    k = size / 100
    ox, oy = centre[0] - size / 2, centre[1] - size / 2

    def at(p: Point) -> Point:
        return (ox + p[0] * k, oy + p[1] * k)

    return [
        Primitive(
            p.kind,
            points=tuple(at(q) for q in p.points),
            centre=at(p.centre),
            radius=p.radius * k,
            radius_y=p.radius_y * k,
            width=p.width * k,
            corner=p.corner * k,
            colour=p.colour,
        )
        for p in prims
    ]


# --- text ----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(size: int) -> Any:
    return ImageFont.load_default(size=size)


def text_width(text: str, size: int) -> float:
    """Width of ``text`` in artwork units at ``size``, with the margin for the browser's bold font."""
    return float(_font(size).getlength(text)) * BOLD_WIDTH_FACTOR


def _wrap(words: list[str], size: int, width: float) -> list[str] | None:
    """Greedy wrap; None if a single word is wider than the box."""
    lines: list[str] = []
    for word in words:
        if text_width(word, size) > width:
            return None
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _ellipsized(text: str, size: int, width: float) -> str:
    while text and text_width(text + ELLIPSIS, size) > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS


def fit_title(title: str, width: float, height: float) -> tuple[list[str], int]:
    """The title's lines and font size: the largest size from MAX_TEXT_SIZE down to MIN_TEXT_SIZE at which it
    wraps into at most MAX_LINES lines inside ``width`` × ``height``; otherwise MIN_TEXT_SIZE with the text cut
    and ending in an ellipsis. Never smaller than MIN_TEXT_SIZE."""
    words = title.split()
    if not words:
        return [], MAX_TEXT_SIZE
    for size in range(MAX_TEXT_SIZE, MIN_TEXT_SIZE - 1, -2):
        lines = _wrap(words, size, width)
        if lines is not None and len(lines) <= MAX_LINES and _block_height(len(lines), size) <= height:
            return lines, size
    size = MIN_TEXT_SIZE
    max_lines = max(1, min(MAX_LINES, int((height - size) // (size * 1.18)) + 1))
    lines = []
    rest = list(words)
    while rest and len(lines) < max_lines:
        line = ""
        while rest and text_width((line + " " + rest[0]).strip(), size) <= width:
            line = (line + " " + rest.pop(0)).strip()
        if not line:  # one word wider than the box: cut it, and end there
            lines.append(_ellipsized(rest.pop(0), size, width))
            break
        lines.append(line)
    if rest and not lines[-1].endswith(ELLIPSIS):
        lines[-1] = _ellipsized(lines[-1], size, width)
    return lines, size


def _block_height(count: int, size: int) -> float:
    return (count - 1) * size * 1.18 + size * 0.75


# --- layout and renderers ------------------------------------------------------------------------


def layout(design: dict[str, str]) -> Layout:
    """Everything to draw for a complete design (see :func:`effective_design`)."""
    frame = _FRAMES[design["shape"]]
    accent = design["accent"]
    # The icon sits on an accent disc, drawn in whichever of the face's colours stands out on it.
    ink = max((design["background"], design["text_colour"]), key=lambda c: contrast_ratio(accent, c))
    ink = legible_on(accent, ink, 3.0)
    prims = _shape_primitives(design["shape"], frame)
    prims.append(Primitive("circle", centre=frame.icon_centre, radius=frame.icon_radius, colour="accent"))
    prims += _place(_icon(design["icon"]), frame.icon_centre, frame.icon_radius * 1.3)
    lines, size = fit_title(design["title"], frame.text_width, frame.text_bottom - frame.text_top)
    middle = (frame.text_top + frame.text_bottom) / 2
    first = middle - (len(lines) - 1) * size * 1.18 / 2 + size * 0.36
    baselines = tuple(first + i * size * 1.18 for i in range(len(lines)))
    colours = {"accent": accent, "background": design["background"], "ink": ink, "disc": accent}
    return Layout(tuple(prims), tuple(lines), size, baselines, colours)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg_primitive(p: Primitive, colours: dict[str, str]) -> str:
    colour = colours.get(p.colour, p.colour)
    if p.kind == "circle":
        return f'<circle cx="{_n(p.centre[0])}" cy="{_n(p.centre[1])}" r="{_n(p.radius)}" fill="{colour}"/>'
    if p.kind == "ring":
        return (
            f'<circle cx="{_n(p.centre[0])}" cy="{_n(p.centre[1])}" r="{_n(p.radius - p.width / 2)}" fill="none" '
            f'stroke="{colour}" stroke-width="{_n(p.width)}"/>'
        )
    if p.kind == "ellipse-ring":
        return (
            f'<ellipse cx="{_n(p.centre[0])}" cy="{_n(p.centre[1])}" rx="{_n(p.radius - p.width / 2)}" '
            f'ry="{_n(p.radius_y - p.width / 2)}" fill="none" stroke="{colour}" stroke-width="{_n(p.width)}"/>'
        )
    if p.kind in {"rect", "rect-ring"}:
        (x0, y0), (x1, y1) = p.points
        inset = p.width / 2 if p.kind == "rect-ring" else 0
        paint = f'fill="none" stroke="{colour}" stroke-width="{_n(p.width)}"' if inset else f'fill="{colour}"'
        return (
            f'<rect x="{_n(x0 + inset)}" y="{_n(y0 + inset)}" width="{_n(x1 - x0 - 2 * inset)}" '
            f'height="{_n(y1 - y0 - 2 * inset)}" rx="{_n(max(p.corner - inset, 0))}" {paint}/>'
        )
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in p.points)
    if p.kind == "poly":
        return f'<polygon points="{points}" fill="{colour}"/>'
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{_n(p.width)}" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    )


def render_svg(design: dict[str, str], *, label: str = "", tooltip: str = "") -> bytes:
    """The artwork as a standalone SVG (UTF-8): no scripts, fonts or external references; ``label`` (default:
    the title) is its accessible name, ``tooltip`` (default: the label) its ``<title>``."""
    art = layout(design)
    label = label or design["title"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">',
        f"<title>{escape(tooltip or label)}</title>",
    ]
    parts += [_svg_primitive(p, art.colours) for p in art.primitives]
    if art.lines:
        tspans = "".join(
            f'<tspan x="300" y="{_n(y)}">{escape(line)}</tspan>'
            for line, y in zip(art.lines, art.baselines, strict=True)
        )
        parts.append(
            f'<text font-family="{FONT_FAMILY}" font-size="{art.text_size}" font-weight="700" '
            f'fill="{design["text_colour"]}" text-anchor="middle">{tspans}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")


def render_png(design: dict[str, str], size: int = SIZE) -> bytes:
    """The same artwork as a ``size``×``size`` RGBA PNG, drawn with Pillow."""
    art = layout(design)
    k = size * SUPERSAMPLE / SIZE
    # Transparent pixels carry the accent colour (every outer edge is accent), so the box filter that scales
    # down blends edges with it instead of darkening them (no premultiplied-alpha pass needed).
    image = Image.new("RGBA", (round(SIZE * k), round(SIZE * k)), (*_rgb(design["accent"]), 0))
    draw = ImageDraw.Draw(image)

    def xy(p: Point) -> tuple[float, float]:
        return (p[0] * k, p[1] * k)

    for p in art.primitives:
        colour = _rgb(art.colours.get(p.colour, p.colour))
        cx, cy = xy(p.centre)
        if p.kind == "circle":
            r = p.radius * k
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        elif p.kind in {"ring", "ellipse-ring"}:
            rx, ry = p.radius * k, (p.radius_y or p.radius) * k
            draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), outline=colour, width=max(1, round(p.width * k)))
        elif p.kind in {"rect", "rect-ring"}:
            (x0, y0), (x1, y1) = (xy(q) for q in p.points)
            if p.kind == "rect":
                draw.rounded_rectangle((x0, y0, x1, y1), radius=p.corner * k, fill=colour)
            else:
                draw.rounded_rectangle(
                    (x0, y0, x1, y1), radius=p.corner * k, outline=colour, width=max(1, round(p.width * k))
                )
        elif p.kind == "poly":
            draw.polygon([xy(q) for q in p.points], fill=colour)
        else:
            width = max(1, round(p.width * k))
            points = [xy(q) for q in p.points]
            draw.line(points, fill=colour, width=width, joint="curve")
            for x, y in (points[0], points[-1]):  # round caps, as in the SVG
                draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=colour)
    font = _font(round(art.text_size * k))
    text_colour = _rgb(design["text_colour"])
    for line, baseline in zip(art.lines, art.baselines, strict=True):
        draw.text(
            (300 * k, baseline * k),
            line,
            font=font,
            fill=text_colour,
            anchor="ms",
            stroke_width=max(1, round(art.text_size * k * 0.025)),
            stroke_fill=text_colour,
        )
    image = image.reduce(SUPERSAMPLE)
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
