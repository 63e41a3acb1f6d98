"""Resumable evidence uploads (a large classroom video in pieces): the protocol, its limits, its permissions, and
that nothing half-written stays behind."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from credstack.assessment import actions
from credstack.assessment.models import EvidenceItem, EvidenceUpload, Submission, SubmissionStatus
from credstack.awards import sweep
from credstack.catalog import actions as catalog_actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from tests.platform.assessment_support import LEARNER_EMAIL, PNG
from tests.platform.conftest import admin_of, client_for

CHUNK = 64
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00" + bytes(range(256)) * 2  # an MP4 by its bytes, NULs and all
VIDEO_ARTIFACT = 1  # accepts a video or a link
DOCUMENT_ARTIFACT = 0


@pytest.fixture(autouse=True)
def _small_pieces(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDSTACK_UPLOAD_CHUNK_BYTES = CHUNK


@pytest.fixture
def video_version(org_a: Organization, definition: dict[str, Any]) -> MicroCredentialVersion:
    definition["submission"]["artifacts"][VIDEO_ARTIFACT]["accepted_kinds"] = ["video", "link"]
    definition["submission"]["artifacts"][DOCUMENT_ARTIFACT]["accepted_kinds"] = ["document"]
    admin = admin_of(org_a)
    version = catalog_actions.do_create_micro_credential(
        organization=org_a, data=definition, slug="video-lab", actor=admin
    )
    return catalog_actions.do_publish_version(version=version, actor=admin)


@pytest.fixture
def draft(make_user: Any, video_version: MicroCredentialVersion) -> Submission:
    learner = make_user(LEARNER_EMAIL)
    return actions.do_start_submission(learner=learner, version=video_version, actor=learner)


def _start(client: Client, submission: Submission, size: int, artifact: int = VIDEO_ARTIFACT) -> Any:
    return client.post(
        f"/learning/submissions/{submission.pk}/uploads/",
        {"artifact": artifact, "title": "Number talk", "note": "The whole talk", "name": "talk.mp4", "size": size},
    )


def _put(client: Client, url: str, data: bytes, first: int, total: int) -> Any:
    return client.put(
        url,
        data=data[first : first + CHUNK],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {first}-{min(first + CHUNK, len(data)) - 1}/{total}"},
    )


def _pieces(upload_id: str, submission: Submission) -> list[str]:
    prefix = f"evidence-uploads/{submission.pk}/{upload_id.replace('-', '')}"
    try:
        return default_storage.listdir(prefix)[1]
    except FileNotFoundError:
        return []


def _upload_all(client: Client, url: str, data: bytes) -> None:
    for first in range(0, len(data), CHUNK):
        response = _put(client, url, data, first, len(data))
        assert response.status_code == 200, response.content
        assert response.json()["received"] == min(first + CHUNK, len(data))


def test_a_video_arrives_in_pieces_and_becomes_evidence(draft: Submission) -> None:
    client = client_for(draft.learner)
    started = _start(client, draft, len(VIDEO))
    assert started.status_code == 201, started.content
    state = started.json()
    assert state["received"] == 0 and state["chunk_bytes"] == CHUNK
    _upload_all(client, state["url"], VIDEO)
    assert len(_pieces(state["id"], draft)) == -(-len(VIDEO) // CHUNK)

    finished = client.post(state["url"] + "finish/")
    assert finished.status_code == 201, finished.content
    item = EvidenceItem.objects.get(pk=finished.json()["evidence"])
    assert (item.media_type, item.kind, item.artifact_index) == ("video/mp4", "video", VIDEO_ARTIFACT)
    assert item.sha256 == hashlib.sha256(VIDEO).hexdigest() and item.size == len(VIDEO)
    assert item.original_name == "talk.mp4" and item.title == "Number talk" and item.note == "The whole talk"
    with item.file.open("rb") as stored:
        assert stored.read() == VIDEO
    # Nothing of the upload is left: no row, no pieces.
    assert not EvidenceUpload.objects.exists()
    assert _pieces(state["id"], draft) == []


def test_a_missing_piece_is_refused_and_the_upload_resumes_where_it_stopped(draft: Submission) -> None:
    client = client_for(draft.learner)
    state = _start(client, draft, len(VIDEO)).json()
    assert _put(client, state["url"], VIDEO, 0, len(VIDEO)).status_code == 200
    # The second piece was lost on the way; the third is refused, saying where to go on.
    skipped = _put(client, state["url"], VIDEO, 2 * CHUNK, len(VIDEO))
    assert skipped.status_code == 409 and skipped.json()["received"] == CHUNK
    # After a reload the client asks how much arrived, and resumes from there.
    assert client.get(state["url"]).json()["received"] == CHUNK
    for first in range(CHUNK, len(VIDEO), CHUNK):
        assert _put(client, state["url"], VIDEO, first, len(VIDEO)).status_code == 200
    assert client.post(state["url"] + "finish/").status_code == 201
    item = draft.active_evidence().get()
    assert item.sha256 == hashlib.sha256(VIDEO).hexdigest()


def test_a_piece_sent_twice_or_mislabelled_is_refused(draft: Submission) -> None:
    client = client_for(draft.learner)
    state = _start(client, draft, len(VIDEO)).json()
    assert _put(client, state["url"], VIDEO, 0, len(VIDEO)).status_code == 200
    again = _put(client, state["url"], VIDEO, 0, len(VIDEO))
    assert again.status_code == 409 and again.json()["received"] == CHUNK
    wrong_total = _put(client, state["url"], VIDEO, CHUNK, len(VIDEO) + 1)
    assert wrong_total.status_code == 400
    short = client.put(
        state["url"],
        data=VIDEO[CHUNK : CHUNK + 10],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {CHUNK}-{2 * CHUNK - 1}/{len(VIDEO)}"},
    )
    assert short.status_code == 400
    too_big = client.put(
        state["url"],
        data=VIDEO[CHUNK : 3 * CHUNK + 1],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {CHUNK}-{3 * CHUNK}/{len(VIDEO)}"},
    )
    assert too_big.status_code == 413
    no_range = client.put(state["url"], data=VIDEO[CHUNK:], content_type="application/octet-stream")
    assert no_range.status_code == 400
    assert client.get(state["url"]).json()["received"] == CHUNK
    # Finishing before everything arrived is refused, and keeps what arrived.
    early = client.post(state["url"] + "finish/")
    assert early.status_code == 400 and "send the rest" in early.json()["errors"]["file"]
    assert EvidenceUpload.objects.get().received == CHUNK


def test_sizes_over_the_limits_are_refused_before_any_byte(draft: Submission, settings: Any) -> None:
    settings.CREDSTACK_MAX_VIDEO_FILE_BYTES = 1000
    settings.CREDSTACK_MAX_EVIDENCE_FILE_BYTES = 100
    client = client_for(draft.learner)
    over = _start(client, draft, 1001)
    assert over.status_code == 400
    message = over.json()["errors"]["file"]
    assert "a video may be at most" in message and "“…or a link”" in message
    # An artifact that takes no video keeps the smaller limit for every file.
    document = _start(client, draft, 101, artifact=DOCUMENT_ARTIFACT)
    assert document.status_code == 400 and "each file may be at most" in document.json()["errors"]["file"]
    assert _start(client, draft, 0).status_code == 400
    settings.CREDSTACK_MAX_SUBMISSION_BYTES = 500
    whole = _start(client, draft, 600)
    assert whole.status_code == 400 and "all files together" in whole.json()["errors"]["file"]
    assert not EvidenceUpload.objects.exists()


def test_a_non_video_sent_as_a_large_file_is_held_to_the_smaller_limit(draft: Submission, settings: Any) -> None:
    """The declared size passes as a possible video; the bytes say it is an image, which the limit for other
    files (and the artifact) refuse at finish."""
    settings.CREDSTACK_MAX_EVIDENCE_FILE_BYTES = 100
    client = client_for(draft.learner)
    state = _start(client, draft, len(VIDEO)).json()
    fake = PNG[:8] + VIDEO[8:]
    _upload_all(client, state["url"], fake)
    finished = client.post(state["url"] + "finish/")
    assert finished.status_code == 400
    assert "does not accept" in finished.json()["errors"]["file"]
    assert not EvidenceUpload.objects.exists() and _pieces(state["id"], draft) == []
    assert not draft.active_evidence().exists()


def test_the_wrong_type_is_refused_at_finish_and_cleaned_up(draft: Submission) -> None:
    client = client_for(draft.learner)
    page = b"<!doctype html><script>alert(1)</script>" + b" " * 200
    state = _start(client, draft, len(page)).json()
    _upload_all(client, state["url"], page)
    finished = client.post(state["url"] + "finish/")
    assert finished.status_code == 400 and "accepts" in finished.json()["errors"]["file"]
    assert not EvidenceUpload.objects.exists() and _pieces(state["id"], draft) == []


def test_another_learner_cannot_touch_the_upload(draft: Submission, make_user: Any) -> None:
    owner = client_for(draft.learner)
    state = _start(owner, draft, len(VIDEO)).json()
    stranger = client_for(make_user("someone.else@example.org"))
    assert _start(stranger, draft, len(VIDEO)).status_code == 404
    assert stranger.get(state["url"]).status_code == 404
    assert _put(stranger, state["url"], VIDEO, 0, len(VIDEO)).status_code == 404
    assert stranger.post(state["url"] + "finish/").status_code == 404
    assert stranger.delete(state["url"]).status_code == 404
    # Signed out: the sign-in page, never the upload.
    assert Client().get(state["url"]).status_code == 302
    assert EvidenceUpload.objects.get().received == 0


def test_a_submitted_submission_takes_no_more_pieces(draft: Submission) -> None:
    client = client_for(draft.learner)
    state = _start(client, draft, len(VIDEO)).json()
    assert _put(client, state["url"], VIDEO, 0, len(VIDEO)).status_code == 200
    Submission.objects.filter(pk=draft.pk).update(status=SubmissionStatus.SUBMITTED)
    refused = _put(client, state["url"], VIDEO, CHUNK, len(VIDEO))
    assert refused.status_code == 409 and "cannot be changed" in refused.json()["errors"][""]
    assert _start(client, draft, len(VIDEO)).status_code == 409
    assert EvidenceUpload.objects.get().received == CHUNK
    # The sweep deletes uploads of submissions that can no longer change, however fresh.
    assert sweep.sweep().abandoned_uploads == 1
    assert not EvidenceUpload.objects.exists() and _pieces(state["id"], draft) == []


def test_an_abandoned_upload_is_swept(draft: Submission, settings: Any) -> None:
    settings.CREDSTACK_UPLOAD_ABANDONED_HOURS = 24
    client = client_for(draft.learner)
    old = _start(client, draft, len(VIDEO)).json()
    assert _put(client, old["url"], VIDEO, 0, len(VIDEO)).status_code == 200
    fresh = _start(client, draft, len(VIDEO)).json()
    EvidenceUpload.objects.filter(pk=old["id"]).update(updated_at=timezone.now() - timedelta(hours=25))
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "deleted 1 abandoned evidence upload" in out.getvalue()
    assert [str(pk) for pk in EvidenceUpload.objects.values_list("pk", flat=True)] == [fresh["id"]]
    assert _pieces(old["id"], draft) == []
    # Cancelling one deletes it at once.
    assert client.delete(fresh["url"]).status_code == 200
    assert not EvidenceUpload.objects.exists()
