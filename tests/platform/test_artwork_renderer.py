"""The badge designer's renderer (``credstack.catalog.artwork``): escaping, contrast, text fitting, and the PNG
drawing the same badge as the SVG (issue 14, point 2). No database: the renderer is plain Python."""

from __future__ import annotations

import io

import pytest
from defusedxml import ElementTree
from PIL import Image

from credstack.catalog import artwork
from credstack.catalog.artwork import (
    ELLIPSIS,
    ICONS,
    MAX_LINES,
    MAX_TEXT_SIZE,
    MIN_TEXT_CONTRAST,
    MIN_TEXT_SIZE,
    SHAPES,
    clean_design,
    contrast_ratio,
    effective_design,
    fit_title,
    render_png,
    render_svg,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"


def design(**changed: str) -> dict[str, str]:
    return effective_design(changed, "Number Talks", "org-a")


def test_the_title_is_escaped_and_the_svg_stays_well_formed() -> None:
    hostile = '<b>"Q" & A</b></text>'
    svg = render_svg(design(title=hostile), label=hostile)
    assert b"<b>" not in svg and b"& A" not in svg
    root = ElementTree.fromstring(svg)
    assert root.get("aria-label") == hostile
    assert root.find(f"{SVG}title").text == hostile
    assert " ".join(t.text for t in root.iter(f"{SVG}tspan")) == hostile


def test_the_svg_is_deterministic_and_self_contained() -> None:
    for shape in SHAPES:
        for icon in ICONS:
            chosen = design(shape=shape, icon=icon)
            svg = render_svg(chosen)
            assert svg == render_svg(chosen)
            text = svg.decode()
            assert text.count("http") == 1  # the xmlns declaration, nothing fetched
            for forbidden in ("href", "url(", "@import", "<script", "<style", "<image", "font-face"):
                assert forbidden not in text, (shape, icon, forbidden)
            ElementTree.fromstring(svg)


def test_low_contrast_text_is_refused_with_a_colour_that_would_do() -> None:
    _cleaned, errors = clean_design({"background": "#808080", "text_colour": "#777777"})
    assert set(errors) == {"design.text_colour"}
    assert "contrast 1.1:1" in errors["design.text_colour"]
    suggestion = errors["design.text_colour"].rsplit("Try ", 1)[1].rstrip(".")
    assert contrast_ratio("#808080", suggestion) >= MIN_TEXT_CONTRAST
    assert not clean_design({"background": "#1e3a8a", "text_colour": "#ffffff"})[1]


def test_the_renderer_never_draws_illegible_text() -> None:
    # A design stored before the check (or imported): the text colour is fixed when drawn.
    fixed = effective_design({"background": "#ffff00", "text_colour": "#fafa00"}, "Name", "org")
    assert fixed["text_colour"] in {"#111827", "#ffffff"}
    assert contrast_ratio(fixed["background"], fixed["text_colour"]) >= MIN_TEXT_CONTRAST
    assert b'fill="#111827" text-anchor="middle"' in render_svg(fixed)


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"shape": "triangle"}, "design.shape"),
        ({"icon": "skull"}, "design.icon"),
        ({"accent": "red"}, "design.accent"),
        ({"background": "#12345"}, "design.background"),
        ({"title": "x" * 61}, "design.title"),
        ({"title": "bell\x07"}, "design.title"),
    ],
)
def test_bad_design_values_are_refused(posted: dict[str, str], field: str) -> None:
    assert field in clean_design(posted)[1]


def test_colours_are_normalized_and_an_empty_title_means_the_name() -> None:
    cleaned, errors = clean_design({"background": "#ABC", "accent": " #A1B2C3 ", "title": "  "})
    assert not errors and cleaned == {"background": "#aabbcc", "accent": "#a1b2c3", "title": ""}
    assert effective_design(cleaned, "Close Reading", "org")["title"] == "Close Reading"


def test_a_short_title_gets_the_largest_size_on_one_line() -> None:
    assert fit_title("Phonics", 380, 180) == (["Phonics"], MAX_TEXT_SIZE)


def test_a_longer_title_wraps_and_shrinks_but_never_below_the_legible_size() -> None:
    lines, size = fit_title("Supporting Productive Struggle with Rich Tasks", 380, 180)
    assert 1 < len(lines) <= MAX_LINES and MIN_TEXT_SIZE <= size < MAX_TEXT_SIZE
    assert all(text_width(line, size) <= 380 for line in lines)
    assert " ".join(lines) == "Supporting Productive Struggle with Rich Tasks"


def test_a_title_that_cannot_fit_ends_in_an_ellipsis() -> None:
    title = "Integrating Computational Thinking into Science and Mathematics across the Whole School Year"
    lines, size = fit_title(title, 320, 150)
    assert size == MIN_TEXT_SIZE and len(lines) <= MAX_LINES and lines[-1].endswith(ELLIPSIS)
    assert all(text_width(line, size) <= 320 for line in lines)
    # One word wider than the box is cut too.
    (word,), size = fit_title("Pneumonoultramicroscopicsilicovolcanoconiosis", 320, 150)
    assert size == MIN_TEXT_SIZE and word.endswith(ELLIPSIS) and text_width(word, size) <= 320


def test_the_png_draws_the_same_badge() -> None:
    chosen = design(shape="circle", background="#1e3a8a", accent="#fbbf24", text_colour="#ffffff", icon="star")
    png = render_png(chosen)
    assert png == render_png(chosen)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (600, 600) and image.mode == "RGBA"
        pixels = image.convert("RGBA")
        assert pixels.getpixel((5, 5))[3] == 0  # outside the circle: transparent
        assert pixels.getpixel((300, 20))[:3] == (0xFB, 0xBF, 0x24)  # the accent rim
        assert pixels.getpixel((80, 300))[:3] == (0x1E, 0x3A, 0x8A)  # the face
        # The title is drawn in the text colour (white pixels inside the text box).
        box = pixels.crop((120, 300, 480, 440))
        assert any(colour[:3] == (255, 255, 255) for _, colour in box.getcolors(maxcolors=1 << 20))
    layout = artwork.layout(chosen)
    assert layout.lines == ("Number Talks",) or len(layout.lines) == 2


def test_every_name_gets_a_complete_design() -> None:
    for name in ("Number Talks", "Restorative Classroom Circles", "", "ß" * 200):
        chosen = effective_design({}, name, "org")
        assert chosen["shape"] in SHAPES and chosen["icon"] in ICONS
        assert contrast_ratio(chosen["background"], chosen["text_colour"]) >= MIN_TEXT_CONTRAST
        render_svg(chosen)
