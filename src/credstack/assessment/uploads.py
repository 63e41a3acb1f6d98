"""Resumable uploads of large evidence files (a 10-15 minute classroom video): start, send pieces, finish.

These are actions like those of :mod:`credstack.assessment.actions` (views and the sweep call them, nothing else
writes uploads), and finishing goes through :func:`~credstack.assessment.actions.do_add_evidence`, so a file that
arrives in pieces is judged exactly like one posted whole: type by content, sha256, the per-file and
per-submission limits, the audit record.

The protocol (JSON answers; the learner's session and CSRF token, as for any form post):

1. ``POST /learning/submissions/<pk>/uploads/`` with ``artifact``, ``title``, ``note``, ``name``, ``size`` →
   201 ``{"id", "url", "received": 0, "chunk_bytes"}``. The declared size is checked against the limits first.
2. ``PUT <url>`` with ``Content-Range: bytes <first>-<last>/<size>`` and the bytes
   (``application/octet-stream``, at most ``chunk_bytes``) → ``{"received"}``. A piece must start exactly where
   the received bytes end; any other start is a 409 carrying ``received``, where the client resumes.
3. ``GET <url>`` → ``{"received", "size"}``: where to resume after a network error or a reload.
4. ``POST <url>finish/`` → the evidence item. Its pieces are then deleted, whether the file was accepted or not
   (a refused file cannot become acceptable by sending it again). ``DELETE <url>`` abandons an upload.

Only the submission's learner can reach an upload (anyone else gets a 404), and every piece is refused once the
submission is no longer editable. Pieces are objects of the configured storage (``evidence-uploads/...``), so
several app servers can take pieces of one upload. An upload untouched for ``CREDSTACK_UPLOAD_ABANDONED_HOURS``,
or whose submission can no longer change, is deleted by the sweep (``credstack sweep``; workers run it on a
timer): nothing half-written stays.

Why written here: the tus server libraries for Django are unmaintained (django-tus, last release 2020) or need
Django REST framework (drf-tus), which credstack does not use, and django-chunked-upload appends to a local file
rather than the configured storage. The protocol needed is the four calls above.

Direct-to-storage uploads (the browser sending pieces straight to an S3-compatible bucket with presigned URLs,
S3 multipart upload) are the extension point: credstack has no S3 client dependency today. With django-storages
and boto3 installed, :func:`do_start_upload` would create the multipart upload and hand out presigned part URLs,
:func:`do_receive_chunk` would not be called, and :func:`do_finish_upload` would complete the multipart upload and
read the object back through the storage, as it reads the pieces now.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from credstack.assessment import actions
from credstack.assessment.models import EDITABLE_STATUSES, EvidenceItem, EvidenceUpload, Submission
from credstack.vc.iri import text_problem

#: Unfinished uploads one submission may have at once (each holds storage until finished or swept).
MAX_OPEN_UPLOADS = 5


class WrongOffset(Exception):
    """A piece that does not start where the received bytes end; ``received`` is where to resume."""

    def __init__(self, received: int) -> None:
        super().__init__(f"The upload has {received} bytes; send the piece that starts there.")
        self.received = received


def chunk_bytes() -> int:
    return int(settings.CREDSTACK_UPLOAD_CHUNK_BYTES)


def do_start_upload(
    *, submission: Submission, artifact_index: Any, title: str, note: str, name: str, size: Any, actor: Any
) -> EvidenceUpload:
    """Open an upload of ``size`` bytes for one artifact, once its declared size fits every limit."""
    actions._require_editable(submission)
    artifacts = submission.micro_credential_version.submission.get("artifacts", [])
    try:
        index = int(artifact_index)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < len(artifacts):
        raise ValidationError({"artifact": ["Choose which artifact this evidence is for."]})
    accepted = artifacts[index].get("accepted_kinds", [])
    errors: dict[str, list[str]] = {}
    title, note, name = (title or "").strip(), (note or "").strip(), (name or "").strip()
    for field, text in (("title", title), ("note", note), ("file", name)):
        if (problem := text_problem(text)) is not None:
            errors[field] = [f"This text {problem}."]
    if len(title) > 200:
        errors["title"] = ["The title must be at most 200 characters."]
    if len(note) > actions.MAX_NOTE_CHARS:
        errors["note"] = [f"The note must be at most {actions.MAX_NOTE_CHARS} characters."]
    try:
        total = int(size)
    except (TypeError, ValueError):
        total = -1
    # Videos may be larger than other files; which one this is, only its bytes say (at finish).
    limit = actions.max_file_bytes() if "video" in accepted else settings.CREDSTACK_MAX_EVIDENCE_FILE_BYTES
    if not any(kind != "link" for kind in accepted):
        errors["file"] = [f"“{artifacts[index]['title']}” takes links, not files."]
    elif total <= 0:
        errors["file"] = ["The file is empty."]
    elif total > limit:
        errors["file"] = [
            f"The file is {actions._mb(total)}; {'a video' if 'video' in accepted else 'each file'} may be at most "
            f"{actions._mb(limit)}.{actions._instead(accepted)}"
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        actions._require_editable(locked)
        used = actions._submission_bytes(locked)
        cap = settings.CREDSTACK_MAX_SUBMISSION_BYTES
        if used + total > cap:
            raise ValidationError(
                {
                    "file": [
                        f"This file ({actions._mb(total)}) would bring the submission to {actions._mb(used + total)}; "
                        f"all files together may be at most {actions._mb(cap)}. Remove a file you no longer need, "
                        "or link to large videos."
                    ]
                }
            )
        if locked.uploads.count() >= MAX_OPEN_UPLOADS:
            raise ValidationError(
                {"file": ["Several uploads are still unfinished; finish or cancel one before starting another."]}
            )
        return EvidenceUpload.objects.create(
            submission=locked,
            learner=locked.learner,
            artifact_index=index,
            title=title,
            note=note,
            original_name=name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255],
            size=total,
        )


def do_receive_chunk(*, upload: EvidenceUpload, first: int, last: int, total: int, data: bytes, actor: Any) -> int:
    """Store the piece ``first``–``last`` (inclusive) of the file; return how many bytes the upload now has."""
    actions._require_editable(upload.submission)
    if total != upload.size:
        raise ValidationError({"range": [f"This upload is {upload.size} bytes, not {total}."]})
    if first < 0 or last < first or last >= upload.size or len(data) != last - first + 1:
        raise ValidationError({"range": ["The Content-Range does not match the bytes sent."]})
    if len(data) > chunk_bytes():
        raise ValidationError({"range": [f"Send at most {chunk_bytes()} bytes at a time."]})
    if first != upload.received:
        raise WrongOffset(upload.received)
    # Stored before the row is locked (a slow storage must not hold the lock); a piece whose row changed
    # meanwhile is deleted again, and a crash in between leaves an object under the upload's prefix that
    # discarding the upload removes.
    stored = default_storage.save(f"{upload.storage_prefix}/{first:015d}", ContentFile(data))
    try:
        with transaction.atomic():
            submission = Submission.objects.select_for_update().get(pk=upload.submission_id)
            actions._require_editable(submission)
            locked = EvidenceUpload.objects.select_for_update().get(pk=upload.pk)
            if locked.received != first:
                raise WrongOffset(locked.received)
            locked.parts = [*locked.parts, [stored, len(data)]]
            locked.received = first + len(data)
            locked.save(update_fields=["parts", "received", "updated_at"])
    except BaseException:
        default_storage.delete(stored)
        raise
    upload.parts, upload.received = locked.parts, locked.received
    return upload.received


def do_finish_upload(*, upload: EvidenceUpload, actor: Any) -> EvidenceItem:
    """Turn the received pieces into one evidence item (checked like any upload); the pieces go either way."""
    if upload.received != upload.size:
        raise ValidationError(
            {"file": [f"Only {upload.received} of {upload.size} bytes have arrived; send the rest first."]}
        )
    try:
        with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as whole:
            for name, _size in upload.parts:
                with default_storage.open(name, "rb") as piece:
                    shutil.copyfileobj(piece, whole, 1024 * 1024)
            whole.seek(0)
            file = File(whole, name=upload.original_name or "evidence")
            file.size = upload.size
            return actions.do_add_evidence(
                submission=upload.submission,
                artifact_index=upload.artifact_index,
                title=upload.title,
                note=upload.note,
                upload=file,
                actor=actor,
            )
    finally:
        discard(upload)


def do_abandon_upload(*, upload: EvidenceUpload, actor: Any) -> None:
    discard(upload)


def discard(upload: EvidenceUpload) -> None:
    """Delete the upload's pieces (and anything else under its prefix) and its row."""
    names = {name for name, _size in upload.parts}
    try:
        _dirs, files = default_storage.listdir(upload.storage_prefix)
        names.update(f"{upload.storage_prefix}/{f}" for f in files)
    except (FileNotFoundError, NotImplementedError, OSError):
        # Django's Storage.listdir raises NotImplementedError for backends that cannot list (its documented
        # contract); the pieces recorded in `parts` are then all there is to delete.
        pass
    for name in names:
        default_storage.delete(name)
    EvidenceUpload.objects.filter(pk=upload.pk).delete()


def sweep_abandoned_uploads(*, older_than: timedelta | None = None) -> int:
    """Delete uploads untouched for ``older_than`` (default: ``CREDSTACK_UPLOAD_ABANDONED_HOURS``) or whose
    submission can no longer change; return how many."""
    if older_than is None:
        older_than = timedelta(hours=settings.CREDSTACK_UPLOAD_ABANDONED_HOURS)
    stale = EvidenceUpload.objects.filter(
        Q(updated_at__lt=timezone.now() - older_than) | ~Q(submission__status__in=EDITABLE_STATUSES)
    ).select_related("submission")
    count = 0
    for upload in stale:
        discard(upload)
        count += 1
    return count
