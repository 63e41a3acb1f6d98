"""Evidence files: the type is judged by content, sizes are capped per file and per submission, messages say why."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from credstack.assessment import actions, filetypes
from credstack.assessment.models import EvidenceItem, Submission
from credstack.catalog.models import MicroCredentialVersion
from tests.platform.assessment_support import DOCM, DOCX, LEARNER_EMAIL, PDF, PNG, ooxml, upload
from tests.platform.conftest import client_for


@pytest.fixture
def draft(make_user: Any, published: MicroCredentialVersion) -> Submission:
    learner = make_user(LEARNER_EMAIL)
    return actions.do_start_submission(learner=learner, version=published, actor=learner)


def _add(draft: Submission, data: bytes, name: str = "file.bin", index: int = 0) -> EvidenceItem:
    return actions.do_add_evidence(
        submission=draft, artifact_index=index, title="T", upload=upload(data, name), actor=draft.learner
    )


def _error(draft: Submission, data: bytes, name: str = "file.bin", index: int = 0) -> str:
    with pytest.raises(ValidationError) as exc:
        _add(draft, data, name, index)
    return exc.value.message_dict["file"][0]


@pytest.mark.parametrize(
    ("data", "media_type", "kind"),
    [
        (PDF, "application/pdf", "document"),
        (PNG, "image/png", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", "image"),
        (b"GIF89a\x01\x00", "image/gif", "image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", "image"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav", "audio"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", "video/mp4", "video"),
        (b"\x00\x00\x00\x18ftypM4A \x00\x00", "audio/mp4", "audio"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm", "video"),
        (b"ID3\x04\x00\x00\x00\x00", "audio/mpeg", "audio"),
        ("Plain notes, café ✓\n".encode(), "text/plain; charset=utf-8", "document"),
        (DOCX, filetypes.DOCX.media_type, "document"),
        (ooxml("openxmlformats-officedocument.spreadsheetml.sheet.main+xml"), filetypes.XLSX.media_type, "spreadsheet"),
        (
            ooxml("openxmlformats-officedocument.presentationml.presentation.main+xml"),
            filetypes.PPTX.media_type,
            "presentation",
        ),
    ],
)
def test_detection_by_content(data: bytes, media_type: str, kind: str) -> None:
    found = filetypes.detect_bytes(data)
    assert (found.media_type, found.kind) == (media_type, kind)


def test_opendocument() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    assert filetypes.detect_bytes(buffer.getvalue()) is filetypes.ODT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00\x03", "Programs are not accepted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20, "Older Office formats"),
        (DOCM, "macros"),
        (b"<!DOCTYPE html><script>alert(1)</script>", "not accepted"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not accepted"),
        (b"", "empty"),
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_refused_types_say_why(draft: Submission, data: bytes, message: str) -> None:
    error = _error(draft, data, "looks-fine.pdf")
    assert message in error and "accepts" in error
    assert not EvidenceItem.objects.exists()


def test_plain_zip_is_refused(draft: Submission) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert "ZIP archives are not accepted" in _error(draft, buffer.getvalue(), "evidence.docx")


def test_name_does_not_matter_content_does(draft: Submission) -> None:
    item = _add(draft, PDF, "photo.png")
    assert item.media_type == "application/pdf" and item.extension == "pdf"


def test_kind_must_be_accepted_by_the_artifact(draft: Submission) -> None:
    # Artifact 0 accepts documents, presentations and links, not images.
    error = _error(draft, PNG, "class.png", index=0)
    assert error.startswith("This file is a PNG image, which “CER scaffold and lesson materials” does not accept.")
    assert "Document (PDF, Word, text): PDF, Word (.docx)" in error
    # Artifact 1 accepts images.
    assert _add(draft, PNG, "class.png", index=1).kind == "image"


def test_links(draft: Submission) -> None:
    link = actions.do_add_evidence(
        submission=draft, artifact_index=0, title="Slides", url="https://example.org/slides", actor=draft.learner
    )
    assert link.kind == "link" and not link.file
    with pytest.raises(ValidationError) as exc:
        actions.do_add_evidence(
            submission=draft, artifact_index=1, title="x", url="https://example.org", actor=draft.learner
        )
    assert "does not accept links" in exc.value.message_dict["url"][0]
    with pytest.raises(ValidationError) as exc:
        actions.do_add_evidence(
            submission=draft, artifact_index=0, title="x", url="javascript:alert(1)", actor=draft.learner
        )
    assert "https://" in exc.value.message_dict["url"][0]


def test_per_file_limit(draft: Submission, settings: Any) -> None:
    settings.CREDSTACK_MAX_EVIDENCE_FILE_BYTES = 1024
    error = _error(draft, PDF + b"x" * 2000, "big.pdf")
    assert "each file may be at most" in error
    assert _add(draft, PDF).size == len(PDF)


def test_per_submission_limit(draft: Submission, settings: Any) -> None:
    settings.CREDSTACK_MAX_SUBMISSION_BYTES = 3 * len(PDF) - 1
    _add(draft, PDF)
    _add(draft, PDF, index=1)
    error = _error(draft, PDF, index=2)
    assert "all files together may be at most" in error
    # Removed evidence no longer counts.
    actions.do_remove_evidence(item=draft.active_evidence().first(), actor=draft.learner)  # type: ignore[arg-type]
    assert _add(draft, PDF, index=2).size == len(PDF)


def test_page_shows_file_errors_beside_the_artifact(draft: Submission) -> None:
    client = client_for(draft.learner)
    response = client.post(
        f"/learning/submissions/{draft.pk}/",
        {
            "overview.0": "kept answer",
            "action": "save",
            "evidence.0.title": "My scaffold",
            "evidence.0.note": "shows X",
            "evidence.0.file": upload(b"MZ\x90\x00", "scaffold.pdf"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="f-evidence.0.file-err"' in html and "Programs are not accepted" in html
    assert "kept answer" in html and 'value="My scaffold"' in html and "shows X" in html
    draft.refresh_from_db()
    assert draft.overview_answers()[0] == "kept answer"  # the typed answers were saved anyway


def test_submitted_submission_cannot_take_new_evidence(draft: Submission) -> None:
    from tests.platform.assessment_support import complete

    complete(draft, draft.learner)
    actions.do_submit_submission(submission=draft, actor=draft.learner)
    with pytest.raises(ValidationError) as exc:
        _add(draft, PDF)
    assert "cannot be changed" in exc.value.messages[0]
