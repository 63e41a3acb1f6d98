"""Video evidence in Chromium: a file too large is caught before anything is sent, with what to do instead; a
large file goes up in pieces with a progress bar, survives a dropped connection, and the page stays where it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.platform.conftest import sign_in
from tests.platform.test_accessibility import violations

pytestmark = pytest.mark.browser

LEARNER = "learner@example.org"
NUMBER_TALKS = "/catalog/northfield-usd/number-talks-mental-computation/"
VIDEO_PART = "f-artifacts.1"  # "Video of a number talk": a video or a link
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(range(256)) * 40  # 10 KB of MP4 by its bytes


def _open_editor(page: Any) -> Any:
    sign_in(page, LEARNER)
    page.goto(NUMBER_TALKS)
    page.get_by_role("button", name="Start a submission").click()
    page.wait_for_url(re.compile(r".*/learning/submissions/\d+/$"))
    part = page.locator(f"[id='{VIDEO_PART}']")
    part.scroll_into_view_if_needed()
    return part


def test_a_video_over_the_limit_is_caught_before_sending(demo_page: Any, settings: Any, tmp_path: Path) -> None:
    from credstack.assessment.models import EvidenceUpload

    settings.CREDSTACK_MAX_VIDEO_FILE_BYTES = 4096
    video = tmp_path / "number-talk.mp4"
    video.write_bytes(VIDEO)
    part = _open_editor(demo_page)
    sent: list[str] = []
    demo_page.on("request", lambda r: sent.append(r.url) if r.method != "GET" else None)

    field = part.get_by_label("File", exact=True)
    field.set_input_files(str(video))
    message = part.locator("[id$='.file-check']")
    expect(message).to_contain_text("“number-talk.mp4” is")
    expect(message).to_contain_text("a video may be at most")
    expect(message).to_contain_text("paste its address into “…or a link”")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert field.evaluate("el => el.files.length") == 0, "the file is let go: Upload cannot send it"
    assert not [url for url in sent if "/uploads/" in url] and not EvidenceUpload.objects.exists()
    assert violations(demo_page) == []

    # The wrong kind of file for the part is caught the same way.
    photo = tmp_path / "board.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n")
    field.set_input_files(str(photo))
    expect(message).to_contain_text("accepts MP4, MOV or WebM")
    expect(message).to_contain_text("It also accepts a link")


def test_a_video_uploads_in_pieces_with_progress_and_the_page_stays(
    demo_page: Any, settings: Any, tmp_path: Path
) -> None:
    from credstack.assessment.models import EvidenceItem, EvidenceUpload

    settings.CREDSTACK_UPLOAD_CHUNK_BYTES = 1024
    video = tmp_path / "number-talk.mp4"
    video.write_bytes(VIDEO)
    part = _open_editor(demo_page)

    # One piece is lost on the way (the connection drops); the finish waits until the bar has been looked at.
    dropped: list[str] = []
    held: list[Any] = []

    def drop_third_piece(route: Any) -> None:
        if route.request.method == "PUT" and "bytes 2048-" in (route.request.headers.get("content-range") or ""):
            if not dropped:
                dropped.append(route.request.url)
                route.abort("connectionreset")
                return
        route.continue_()

    demo_page.route(re.compile(r".*/uploads/[0-9a-f-]+/$"), drop_third_piece)
    demo_page.route(re.compile(r".*/uploads/[0-9a-f-]+/finish/$"), lambda route: held.append(route))
    demo_page.evaluate("window.notReloaded = true")

    part.get_by_label("File", exact=True).set_input_files(str(video))
    part.get_by_label("Title of this piece of evidence").fill("Number talk, 2 May")
    scrolled = demo_page.evaluate("window.scrollY")
    assert scrolled > 0
    with demo_page.expect_request(re.compile(r".*/finish/$")):
        part.get_by_role("button", name="Upload").click()

    for _ in range(100):  # the route handler runs as Playwright dispatches events
        if held:
            break
        demo_page.wait_for_timeout(50)
    # Every piece is in; the bar says so while the server checks the file.
    assert held and dropped, "a piece was dropped and sent again; the finish is held"
    progress = part.get_by_role("progressbar", name="Uploading “number-talk.mp4”")
    expect(progress).to_be_visible()
    assert progress.evaluate("el => el.value") == 100
    expect(part.locator("[id='f-evidence.1.file-bar-status']")).to_have_text("Checking the file…")
    assert violations(demo_page) == []
    held[0].continue_()

    done = part.locator(".upload-done")
    expect(done).to_contain_text("Uploaded “Number talk, 2 May”")
    expect(part.locator(".evidence-list")).to_contain_text("number-talk.mp4")
    expect(demo_page.locator("#upload-announcer")).to_contain_text("Uploaded “Number talk, 2 May”")
    assert demo_page.evaluate("window.notReloaded") is True, "the page was not reloaded"
    assert abs(demo_page.evaluate("window.scrollY") - scrolled) < 50, "the page stayed where it was"

    item = EvidenceItem.objects.get(title="Number talk, 2 May")
    assert (item.media_type, item.size, item.original_name) == ("video/mp4", len(VIDEO), "number-talk.mp4")
    assert not EvidenceUpload.objects.exists()


def test_without_the_script_a_link_comes_back_to_its_part(demo_page: Any) -> None:
    """Adding a link posts the whole form; the page comes back at the part, not at the top."""
    part = _open_editor(demo_page)
    part.get_by_label("…or a link").fill("https://video.example.org/number-talk")
    part.get_by_role("button", name="Upload").click()
    demo_page.wait_for_url(re.compile(rf".*/learning/submissions/\d+/#{re.escape(VIDEO_PART)}$"))
    expect(demo_page.locator(f"[id='{VIDEO_PART}'] .evidence-list")).to_contain_text("video.example.org")
    assert demo_page.evaluate("window.scrollY") > 0
