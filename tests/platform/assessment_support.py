"""Helpers for the assessment tests: evidence files, a complete submission, scores that pass or fall short."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.accounts.models import User
from credstack.assessment import actions
from credstack.assessment.models import Submission
from credstack.catalog.models import MicroCredentialVersion

LEARNER_EMAIL = "jane.learner@example.org"
LEARNER_NAME = "Jane Quillfeather"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()  # a real image, so browsers render it (and the page does not shift when it fails to)


def ooxml(main: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/x" ContentType="application/vnd.{main}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


DOCX = ooxml("openxmlformats-officedocument.wordprocessingml.document.main+xml")
DOCM = ooxml("ms-word.document.macroEnabled.main+xml")


def upload(data: bytes, name: str = "evidence.pdf", content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def answers_for(version: MicroCredentialVersion, words: int = 5) -> dict[str, Any]:
    questions = version.submission["overview_questions"]
    return {"overview": [" ".join(["word"] * words) for _ in questions], "reflection": "I learned a lot here."}


def complete(submission: Submission, actor: Any) -> Submission:
    """Fill every question and give evidence for every artifact (a PDF, an image or a link, as accepted)."""
    version = submission.micro_credential_version
    actions.do_save_draft(submission=submission, answers=answers_for(version), actor=actor)
    for i, artifact in enumerate(version.submission["artifacts"]):
        if submission.active_evidence().filter(artifact_index=i).exists():
            continue
        kinds = artifact["accepted_kinds"]
        if "document" in kinds:
            actions.do_add_evidence(
                submission=submission,
                artifact_index=i,
                title=f"Doc {i}",
                note="What it shows",
                upload=upload(PDF, f"{LEARNER_NAME}.pdf"),
                actor=actor,
            )
        elif "image" in kinds:
            actions.do_add_evidence(
                submission=submission,
                artifact_index=i,
                title=f"Image {i}",
                upload=upload(PNG, "photo.png"),
                actor=actor,
            )
        else:
            actions.do_add_evidence(
                submission=submission,
                artifact_index=i,
                title=f"Link {i}",
                url="https://example.org/evidence",
                actor=actor,
            )
    return submission


def submitted(learner: User, version: MicroCredentialVersion) -> Submission:
    submission = actions.do_start_submission(learner=learner, version=version, actor=learner)
    complete(submission, learner)
    return actions.do_submit_submission(submission=submission, actor=learner)


def claim_and_pass(submission: Submission, assessor: User, capture: Any, feedback: str = "Well evidenced.") -> None:
    """The assessor claims a submitted submission and passes it at every criterion's passing level, running what
    the decision schedules on commit (``capture`` is pytest-django's ``django_capture_on_commit_callbacks``)."""
    actions.do_claim_submission(submission=submission, assessor=assessor, actor=assessor)
    with capture(execute=True):
        actions.do_decide_submission(
            submission=submission,
            assessor=assessor,
            decision="pass",
            levels=levels(submission.micro_credential_version),
            criterion_feedback={},
            overall_feedback=feedback,
            actor=assessor,
        )


def levels(version: MicroCredentialVersion, passing: bool = True, short: int = 1) -> dict[str, str]:
    """Every criterion at its passing level, or the first `short` criteria one level below it."""
    out = {}
    for i, criterion in enumerate(version.rubric["criteria"]):
        keys = [lv["key"] for lv in criterion["levels"]]
        index = keys.index(criterion["passing_level"])
        out[criterion["key"]] = keys[index - 1] if (not passing and i < short) else keys[index]
    return out


def feedback_for(version: MicroCredentialVersion) -> dict[str, str]:
    return {c["key"]: f"Feedback on {c['name']}: add more detail." for c in version.rubric["criteria"]}


@contextmanager
def award_step_disconnected() -> Iterator[None]:
    """Run with no receiver on ``assessment_passed`` (the award step issues credentials in other tests)."""
    from credstack.assessment.signals import assessment_passed

    saved = list(assessment_passed.receivers)
    assessment_passed.receivers = []
    assessment_passed.sender_receivers_cache.clear()
    try:
        yield
    finally:
        assessment_passed.receivers = saved
        assessment_passed.sender_receivers_cache.clear()
