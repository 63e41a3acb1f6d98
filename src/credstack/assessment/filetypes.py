"""What an uploaded evidence file is, judged by its bytes, never by its name or the browser's claim.

Office files are ZIP archives: only their small ``[Content_Types].xml`` (OOXML) or ``mimetype``
(OpenDocument) entry is read, with a size cap, so a crafted archive cannot make us inflate much.
Macro-enabled Office formats, legacy binary Office files, executables, HTML/SVG and anything
unrecognised are refused with a message saying what is accepted.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

HEAD_BYTES = 4096
_ZIP_ENTRY_CAP = 256 * 1024


@dataclass(frozen=True)
class FileType:
    media_type: str
    extension: str
    kind: str  # one of catalog.definition.ARTIFACT_KINDS
    label: str


PDF = FileType("application/pdf", "pdf", "document", "PDF document")
PNG = FileType("image/png", "png", "image", "PNG image")
JPEG = FileType("image/jpeg", "jpg", "image", "JPEG image")
GIF = FileType("image/gif", "gif", "image", "GIF image")
WEBP = FileType("image/webp", "webp", "image", "WebP image")
TEXT = FileType("text/plain; charset=utf-8", "txt", "document", "plain text")
MP4 = FileType("video/mp4", "mp4", "video", "MP4 video")
MOV = FileType("video/quicktime", "mov", "video", "QuickTime video")
WEBM = FileType("video/webm", "webm", "video", "WebM video")
M4A = FileType("audio/mp4", "m4a", "audio", "M4A audio")
MP3 = FileType("audio/mpeg", "mp3", "audio", "MP3 audio")
WAV = FileType("audio/wav", "wav", "audio", "WAV audio")
OGG = FileType("audio/ogg", "ogg", "audio", "Ogg audio")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "document", "Word document"
)
XLSX = FileType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "spreadsheet", "Excel spreadsheet"
)
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    "presentation",
    "PowerPoint presentation",
)
ODT = FileType("application/vnd.oasis.opendocument.text", "odt", "document", "OpenDocument text")
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "ods", "spreadsheet", "OpenDocument spreadsheet")
ODP = FileType("application/vnd.oasis.opendocument.presentation", "odp", "presentation", "OpenDocument presentation")

ACCEPTED_BY_KIND: dict[str, str] = {
    "document": "PDF, Word (.docx), OpenDocument text (.odt) or plain text",
    "image": "PNG, JPEG, GIF or WebP",
    "video": "MP4, MOV or WebM",
    "audio": "MP3, M4A, WAV or Ogg",
    "spreadsheet": "Excel (.xlsx) or OpenDocument spreadsheet (.ods)",
    "presentation": "PowerPoint (.pptx) or OpenDocument presentation (.odp)",
}


class UnknownFileType(ValueError):
    """The bytes are not one of the accepted formats; the message says why, for the learner."""


def _zip_type(stream: BinaryIO) -> FileType:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > _ZIP_ENTRY_CAP:
                    raise UnknownFileType("This Office file is malformed.")
                types = archive.read(info).decode("utf-8", "replace")
                if "macroEnabled" in types or "vbaProject" in types:
                    raise UnknownFileType(
                        "Office files with macros are not accepted; save it without macros "
                        "(.docx, .xlsx, .pptx) or as PDF."
                    )
                if "wordprocessingml.document.main" in types:
                    return DOCX
                if "spreadsheetml.sheet.main" in types:
                    return XLSX
                if "presentationml.presentation.main" in types:
                    return PPTX
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    raise UnknownFileType("This OpenDocument file is malformed.")
                mimetype = archive.read(info).decode("ascii", "replace").strip()
                found = {ODT.media_type: ODT, ODS.media_type: ODS, ODP.media_type: ODP}.get(mimetype)
                if found:
                    return found
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        raise UnknownFileType("This ZIP-based file is damaged or encrypted.")
    raise UnknownFileType("ZIP archives are not accepted as evidence; upload the documents themselves.")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(1, len(text) // 100):
        return False
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    # Markup is refused rather than served back as a page.
    return not lowered.startswith(("<!doctype html", "<html", "<svg", "<?xml", "<script"))


def detect(stream: BinaryIO) -> FileType:
    """Identify the file from its content; the stream is left at position 0."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise UnknownFileType("The file is empty.")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"M4A ", b"M4B "}:
            return M4A
        if brand == b"qt  ":
            return MOV
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return WEBM
        raise UnknownFileType("Matroska (.mkv) video is not accepted; upload MP4 or WebM.")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] in (0xFB, 0xF3, 0xF2, 0xFA)):
        return MP3
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"PK\x03\x04"):
        found = _zip_type(stream)
        stream.seek(0)
        return found
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise UnknownFileType(
            "Older Office formats (.doc, .xls, .ppt) are not accepted; save the file as .docx, .xlsx, .pptx or PDF."
        )
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        raise UnknownFileType("Programs are not accepted as evidence.")
    if _looks_like_text(head):
        return TEXT
    raise UnknownFileType("This kind of file is not accepted.")


def detect_bytes(data: bytes) -> FileType:
    return detect(io.BytesIO(data))
