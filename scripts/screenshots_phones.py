"""Screenshots for issue 14, points 3 (phones) and 4 (video evidence), at 360 and 1280 px wide.

Run against a server with the demo loaded (``credstack demo``), e.g.
``python scripts/screenshots_phones.py http://127.0.0.1:8000 docs/screenshots/issue14 after``.
Each shot is the viewport (what a person sees) with the section scrolled into view; the page's
``scrollWidth`` is printed beside it, so overflow shows as a number as well as a cut-off picture.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

DEMO_PASSWORD = "demo-credstack-2026"  # noqa: S105 (the demo accounts' printed password)
WIDTHS = (360, 1280)


def sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def shoot(page: Any, out: Path, name: str, selector: str) -> None:
    page.wait_for_load_state("load")
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    page.evaluate("sel => document.querySelector(sel).scrollIntoView({block: 'start'})", selector)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(out / name))
    print(f"{name}: viewport {page.viewport_size['width']} px, page scrollWidth {width} px")


def video_part(page: Any, out: Path, label: str, width: int, big: Path, medium: Path) -> None:
    """Point 4 on the number talk's video part: a too-large video chosen, then a 20 MB one uploaded."""
    page.goto("/catalog/northfield-usd/number-talks-mental-computation/")
    start = page.get_by_role("button", name="Start a submission")
    if start.count():
        start.click()
    else:
        page.goto("/learning/")
        page.locator("a[href*='/learning/submissions/']").first.click()
    page.wait_for_url("**/learning/submissions/*/")
    part = "[id='f-artifacts.1']"
    field = page.locator(f"{part} input[type=file]")
    field.set_input_files(str(big))
    shoot(page, out, f"p4-upload-{label}-{width}.png", part)
    field.set_input_files(str(medium))
    held: list[Any] = []
    pieces: list[int] = []

    def hold_third_piece(route: Any) -> None:
        if route.request.method == "PUT":
            pieces.append(1)
            if len(pieces) == 3:
                held.append(route)
                return
        route.continue_()

    page.route("**/uploads/*/", hold_third_piece)
    page.locator(f"{part} button[data-upload-part], {part} button[value=save]").first.click()
    if label == "after":
        for _ in range(200):
            if held:
                break
            page.wait_for_timeout(50)
        page.evaluate("sel => document.querySelector(sel).scrollIntoView({block: 'center'})", f"{part} progress")
        page.screenshot(path=str(out / f"p4-progress-{label}-{width}.png"))
        print(f"p4-progress-{label}-{width}.png")
        held[0].continue_()
        page.locator(f"{part} .upload-done").filter(has_text="Uploaded").wait_for()
        page.screenshot(path=str(out / f"p4-done-{label}-{width}.png"))
    else:
        page.wait_for_load_state("load")
        page.screenshot(path=str(out / f"p4-done-{label}-{width}.png"))
    print(f"p4-done-{label}-{width}.png: scrollY {page.evaluate('window.scrollY')}")
    page.unroute("**/uploads/*/")


def main(base_url: str, out_dir: str, label: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    big = Path(tempfile.mkdtemp()) / "lesson-video.mp4"
    with big.open("wb") as handle:  # sparse: 600 MB on paper, nothing on disk
        handle.write(b"\x00\x00\x00\x18ftypmp42")
        handle.truncate(600 * 1024 * 1024)
    medium = big.with_name("number-talk.mp4")
    with medium.open("wb") as handle:
        handle.write(b"\x00\x00\x00\x18ftypmp42")
        handle.truncate(20 * 1024 * 1024)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
        for width in WIDTHS:
            height = 780 if width < 600 else 800
            for email, steps in (
                ("learner@example.org", "video"),
                ("sam.okafor@example.org", "evidence"),
                ("assessor@northfield.example.org", "queue"),
                ("learner@example.org", "credential"),
            ):
                context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
                page = context.new_page()
                sign_in(page, email)
                if steps == "video":
                    video_part(page, out, label, width, big, medium)
                elif steps == "evidence":
                    page.goto("/learning/")
                    page.locator("a[href*='/learning/submissions/']").first.click()
                    page.wait_for_url("**/learning/submissions/*/")
                    shoot(page, out, f"p3-evidence-{label}-{width}.png", "fieldset:has(.artifact)")
                elif steps == "queue":
                    page.goto("/review/northfield-usd/")
                    shoot(page, out, f"p3-queue-{label}-{width}.png", "main form.inline-form")
                else:
                    page.goto("/wallet/")
                    href = page.locator("main a[href^='/credentials/']").first.get_attribute("href")
                    page.context.clear_cookies()
                    page.goto(href)
                    shoot(page, out, f"p3-credential-{label}-{width}.png", "main .facts")
                context.close()
        browser.close()
    big.unlink()
    medium.unlink()


if __name__ == "__main__":
    main(*sys.argv[1:4])
