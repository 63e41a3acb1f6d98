"""Every page of the accessibility audit fits a 360 px phone and a 1280 px laptop without sideways scrolling.

A page fits when ``document.documentElement.scrollWidth <= window.innerWidth``. When one does not, the failure
names the elements that stick out (a CSS path, how far right they reach, how wide they are), widest first, so
the fix can start there. Content that scrolls inside its own container (a wide table in ``.table-wrap``) does
not count: it is clipped by that container, not by the window.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.platform.conftest import sign_in
from tests.platform.test_accessibility import (
    ADMIN,
    ASSESSOR,
    LEARNER,
    LEARNER_PATHS,
    admin_paths,
    assessor_paths,
    public_paths,
    start_submission,
)

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
HEIGHT = 800

# Elements reaching past the window's right edge (with their box or with content overflowing it), except those
# clipped by a scrolling (or hidden-overflow) ancestor that itself fits; only the sources, farthest-reaching first.
OFFENDERS_JS = """
() => {
  const limit = window.innerWidth;
  const path = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.localName;
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      const classes = Array.from(node.classList).slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  // Clipped when an ancestor that contains it (for positioned boxes: their containing block and its ancestors)
  // hides or scrolls what overflows it, and itself fits.
  const clipped = (el) => {
    let position = getComputedStyle(el).position;
    for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      const contains = position === "absolute" ? style.position !== "static"
        : position === "fixed" ? style.transform !== "none" : true;
      if (!contains) continue;
      if (style.overflowX !== "visible" && a.getBoundingClientRect().right <= limit + 0.5) return true;
      position = style.position;
    }
    return false;
  };
  // How far right an element reaches: its box, or the content overflowing it (a long word in a paragraph).
  const reach = (el) => {
    const box = el.getBoundingClientRect();
    const overflowing = getComputedStyle(el).overflowX === "visible" ? el.scrollWidth : 0;
    return box.left + window.scrollX + Math.max(box.width, overflowing);
  };
  const offending = new Map();
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const right = reach(el);
    if (right > limit + 0.5 && !clipped(el)) offending.set(el, right);
  }
  // The sources: offenders none of whose children reach as far (a parent reaches out only because of them).
  const found = [];
  for (const [el, right] of offending) {
    if (Array.from(el.children).some((child) => (offending.get(child) || 0) >= right - 1)) continue;
    found.push({selector: path(el), right: Math.round(right), width: Math.round(el.getBoundingClientRect().width)});
  }
  found.sort((a, b) => (b.right - a.right) || (b.width - a.width));
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: limit, offenders: found.slice(0, 5)};
}
"""


def overflow(page: Any) -> dict[str, Any] | None:
    """None when the page fits the window; otherwise its widths and the elements that stick out."""
    report: dict[str, Any] = page.evaluate(OFFENDERS_JS)
    return None if report["scrollWidth"] <= report["innerWidth"] else report


def _describe(report: dict[str, Any]) -> str:
    offenders = "; ".join(
        f"{o['selector']} (reaches {o['right']} px, {o['width']} px wide)" for o in report["offenders"]
    )
    return (
        f"{report['scrollWidth']} px wide in a {report['innerWidth']} px window; "
        f"sticking out, farthest first: {offenders or 'nothing measurable (a positioned or hidden box?)'}"
    )


def assert_fits(page: Any, paths: list[str], *, prepare: Any = None) -> None:
    """Load each path once per width; fail naming every page that overflowed and what sticks out of it."""
    failures: dict[str, str] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("load")
            if (report := overflow(page)) is not None:
                failures[f"{width} px {path}"] = _describe(report)
        if prepare is not None:
            label = prepare(page)
            if (report := overflow(page)) is not None:
                failures[f"{width} px {label}"] = _describe(report)
    assert not failures, "Pages wider than the window:\n" + "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_public_pages_fit_phones_and_laptops(demo_page: Any) -> None:
    def verifier_report(page: Any) -> str:
        from credstack.awards.models import Credential

        credential = Credential.objects.filter(recipient_email=LEARNER).first()
        assert credential is not None
        page.goto("/verify")
        page.get_by_label(re.compile("paste", re.IGNORECASE)).first.fill(json.dumps(credential.document))
        page.get_by_role("button", name=re.compile("verify", re.IGNORECASE)).first.click()
        expect(page.locator(".verdict").first).to_be_visible()
        return "the verifier's report"

    assert_fits(demo_page, public_paths(), prepare=verifier_report)


def test_learner_pages_fit_phones_and_laptops(demo_page: Any) -> None:
    sign_in(demo_page, LEARNER)

    editor_url: list[str] = []

    def editor(page: Any) -> str:
        if editor_url:
            page.goto(editor_url[0])
        else:
            start_submission(page)
            editor_url.append(page.url)
        return "the evidence editor"

    assert_fits(demo_page, LEARNER_PATHS, prepare=editor)


def test_a_returned_submission_with_evidence_fits(demo_page: Any) -> None:
    """The evidence section as a learner revising sees it: files with their hashes, links, the upload fields."""
    from credstack.assessment.models import Submission

    submission = Submission.objects.get(learner__email="sam.okafor@example.org")
    sign_in(demo_page, "sam.okafor@example.org")
    assert_fits(demo_page, [f"/learning/submissions/{submission.pk}/"])


def test_assessor_pages_fit_phones_and_laptops(demo_page: Any) -> None:
    sign_in(demo_page, ASSESSOR)
    assert_fits(demo_page, assessor_paths())


def test_admin_pages_fit_phones_and_laptops(demo_page: Any) -> None:
    sign_in(demo_page, ADMIN)
    assert_fits(demo_page, admin_paths())


def test_the_check_finds_what_sticks_out(demo_page: Any) -> None:
    """The check itself works: a page with a long unbreakable word is reported, with the word's element named."""
    demo_page.set_viewport_size({"width": 360, "height": HEIGHT})
    demo_page.goto("about:blank")
    demo_page.set_content(
        "<html><body><main><p class='long'>" + "x" * 200 + "</p>"
        "<div style='overflow-x:auto'><table><tr><td>" + "y" * 200 + "</td></tr></table></div></main></body></html>"
    )
    report = overflow(demo_page)
    assert report is not None and report["scrollWidth"] > 360
    assert report["offenders"][0]["selector"].endswith("p.long")
    assert all("td" not in o["selector"] for o in report["offenders"]), "content clipped by its scroller is fine"


def test_the_phone_layout_reads_well_and_stays_accessible(demo_page: Any) -> None:
    """At 360 px the queue's rows read as labelled cards, the site's links fold behind Menu, and axe finds
    nothing wrong with either."""
    from tests.platform.test_accessibility import violations

    demo_page.set_viewport_size({"width": 360, "height": HEIGHT})
    sign_in(demo_page, ASSESSOR)
    demo_page.goto("/review/northfield-usd/")
    first_row = demo_page.locator("table.queue tbody tr").first
    cell = first_row.locator("td").first
    assert cell.get_attribute("data-label") == "Micro-credential"
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"Micro-credential"'
    assert first_row.evaluate("el => getComputedStyle(el).display") == "block"
    # Still a table to assistive technology: the row header names the row, cells keep their column header.
    expect(demo_page.get_by_role("rowheader").first).to_contain_text("S-0")
    expect(demo_page.get_by_role("columnheader", name="Micro-credential")).to_have_count(1)

    menu = demo_page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(demo_page.get_by_role("link", name="Catalog")).to_be_hidden()
    expect(demo_page.get_by_role("button", name="Sign out")).to_be_visible()
    assert violations(demo_page) == []
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(demo_page.get_by_role("link", name="Catalog")).to_be_visible()
    assert overflow(demo_page) is None
    assert violations(demo_page) == []

    # At 1280 px there is no Menu button: every link is in view.
    demo_page.set_viewport_size({"width": 1280, "height": HEIGHT})
    expect(menu).to_be_hidden()
    expect(demo_page.get_by_role("link", name="Catalog")).to_be_visible()
