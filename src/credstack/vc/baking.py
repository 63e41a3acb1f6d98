"""Baked badges: a credential carried inside its PNG or SVG image (Open Badges 3.0 §5.3, and 2.0 read).

PNG
    The credential is an ``iTXt`` chunk with the keyword ``openbadgecredential``, uncompressed, whose text is
    the JSON credential or a compact JWS (VC-JWT). PNG chunks are handled here by hand, at the byte level:
    baking removes any earlier ``openbadgecredential`` chunk and splices the new chunk in right before
    ``IEND`` with a correct CRC, leaving every other byte of the image as it was. Pillow's ``PngInfo`` could
    add an ``iTXt`` chunk, but only by decoding and re-encoding the whole image (changing its bytes and
    dropping chunks it does not know), so it is not used. Open Badges 2.0 images (keyword ``openbadges``, in
    ``iTXt`` or ``tEXt``) are read too.

SVG
    ``<openbadges:credential>`` with ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"``, placed right
    after the ``<svg>`` start tag: JSON inside ``<![CDATA[...]]>``, or a JWS in ``verify="..."``. Open Badges
    2.0 ``<openbadges:assertion>`` (namespace ``http://openbadges.org``) is read too. Every SVG is first
    parsed with :mod:`defusedxml` (no entity declarations, so no entity expansion and no external entities);
    a billion-laughs file is refused with :class:`BakingError`. Baking then edits the original bytes at the
    offsets expat reports, instead of re-serialising the tree, so that prefixes, comments, the DOCTYPE and
    formatting of the artwork are kept.

Images larger than ``max_image_bytes`` (default 10 MB) and credentials larger than ``max_credential_bytes``
(default 2 MB) are refused.
"""

from __future__ import annotations

import json
import re
import struct
import xml.parsers.expat
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped,unused-ignore]
from defusedxml.common import DefusedXmlException  # type: ignore[import-untyped,unused-ignore]

from credstack.vc.errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD_OB3 = b"openbadgecredential"
PNG_KEYWORD_OB2 = b"openbadges"
SVG_NS = "http://www.w3.org/2000/svg"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "http://openbadges.org"
DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_CREDENTIAL_BYTES = 2 * 1024 * 1024

_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

ImageKind = Literal["png", "svg"]


@dataclass(frozen=True)
class BakedCredential:
    """What an image carries: ``version`` ob3/ob2, ``format`` json/jwt/url, and the text as found."""

    version: Literal["ob3", "ob2"]
    format: Literal["json", "jwt", "url"]
    text: str
    container: ImageKind

    def json(self) -> dict[str, Any]:
        """The credential as a JSON object (only for ``format == "json"``)."""
        if self.format != "json":
            raise BakingError(f"The baked credential is a {self.format}, not JSON.")
        try:
            value = json.loads(self.text)
        except ValueError as exc:
            raise BakingError(f"The baked credential is not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise BakingError("The baked credential is not a JSON object.")
        return value


# ---------------------------------------------------------------------------------------------------------
# common


def sniff_image(data: bytes) -> ImageKind:
    """``png`` or ``svg`` by content (not by file name); BakingError for anything else."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and re.search(rb"<(?:[A-Za-z_][\w.-]*:)?svg[\s>/]", head):
        return "svg"
    raise BakingError("The image is neither a PNG (by its signature) nor an SVG.")


def _credential_text(credential: Mapping[str, Any] | str, max_bytes: int) -> tuple[str, bool]:
    """The text to bake and whether it is a JWS."""
    if isinstance(credential, Mapping):
        text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
        is_jws = False
    elif isinstance(credential, str):
        text = credential.strip()
        is_jws = bool(_JWS.match(text))
        if not is_jws:
            try:
                parsed = json.loads(text)
            except ValueError as exc:
                raise BakingError("The credential is neither JSON nor a compact JWS.") from exc
            if not isinstance(parsed, dict):
                raise BakingError("The credential JSON is not an object.")
    else:
        raise BakingError("The credential must be a JSON object or a compact JWS string.")
    if len(text.encode("utf-8")) > max_bytes:
        raise BakingError(f"The credential is larger than {max_bytes} bytes.")
    return text, is_jws


def _classify(text: str, version: Literal["ob3", "ob2"], container: ImageKind) -> BakedCredential:
    text = text.strip()
    if not text:
        raise BakingError("The image carries an empty credential.")
    if text.startswith("{"):
        return BakedCredential(version, "json", text, container)
    if _JWS.match(text):
        return BakedCredential(version, "jwt", text, container)
    if version == "ob2" and re.match(r"^https?://\S+$", text):
        return BakedCredential(version, "url", text, container)
    raise BakingError("The baked text is neither JSON nor a compact JWS.")


def _check_size(image: bytes, max_image_bytes: int) -> None:
    if not isinstance(image, (bytes, bytearray)):
        raise BakingError("The image must be bytes.")
    if len(image) > max_image_bytes:
        raise BakingError(f"The image is larger than {max_image_bytes} bytes.")


def bake(
    image: bytes,
    credential: Mapping[str, Any] | str,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> bytes:
    """Bake ``credential`` (a JSON object or a compact JWS) into a PNG or SVG, chosen by content."""
    _check_size(image, max_image_bytes)
    if sniff_image(image) == "png":
        return bake_png(
            image,
            credential,
            max_image_bytes=max_image_bytes,
            max_credential_bytes=max_credential_bytes,
        )
    return bake_svg(
        image,
        credential,
        max_image_bytes=max_image_bytes,
        max_credential_bytes=max_credential_bytes,
    )


def unbake(
    image: bytes,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> BakedCredential:
    """The credential a PNG or SVG carries (OB 3.0 first, else OB 2.0); BakingError if none."""
    _check_size(image, max_image_bytes)
    if sniff_image(image) == "png":
        return unbake_png(
            image,
            max_image_bytes=max_image_bytes,
            max_credential_bytes=max_credential_bytes,
        )
    return unbake_svg(
        image,
        max_image_bytes=max_image_bytes,
        max_credential_bytes=max_credential_bytes,
    )


# ---------------------------------------------------------------------------------------------------------
# PNG


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    start: int
    end: int


def _png_chunks(image: bytes) -> list[_Chunk]:
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("Not a PNG: the signature is missing.")
    chunks: list[_Chunk] = []
    position = len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(image):
            raise BakingError("The PNG is truncated (no IEND chunk).")
        (length,) = struct.unpack(">I", image[position : position + 4])
        kind = image[position + 4 : position + 8]
        if length > 0x7FFFFFFF or position + 12 + length > len(image):
            raise BakingError("The PNG is truncated or has a chunk longer than the file.")
        if not re.fullmatch(rb"[A-Za-z]{4}", kind):
            raise BakingError(f"The PNG has an invalid chunk type {kind!r}.")
        data = image[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", image[position + 8 + length : position + 12 + length])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"The PNG chunk {kind.decode('ascii')} has a wrong CRC (corrupt file).")
        chunk = _Chunk(kind, data, position, position + 12 + length)
        if not chunks and kind != b"IHDR":
            raise BakingError("The PNG does not start with an IHDR chunk.")
        chunks.append(chunk)
        position = chunk.end
        if kind == b"IEND":
            return chunks


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt(keyword: bytes, text: str) -> bytes:
    # keyword \0 compression-flag(0) compression-method(0) language-tag \0 translated-keyword \0 text
    return keyword + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def _text_chunk(chunk: _Chunk, max_bytes: int) -> tuple[bytes, str] | None:
    """(keyword, text) of a tEXt / iTXt chunk, None for other chunks."""
    if chunk.type == b"tEXt":
        keyword, separator, text = chunk.data.partition(b"\x00")
        if not separator:
            raise BakingError("A PNG tEXt chunk has no keyword separator.")
        return keyword, text.decode("latin-1")
    if chunk.type != b"iTXt":
        return None
    keyword, separator, rest = chunk.data.partition(b"\x00")
    if not separator or len(rest) < 2:
        raise BakingError("A PNG iTXt chunk is malformed.")
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, sep1, rest = rest.partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not sep1 or not sep2:
        raise BakingError("A PNG iTXt chunk is malformed.")
    if compressed:
        if method != 0:
            raise BakingError("A PNG iTXt chunk uses an unknown compression method.")
        decompressor = zlib.decompressobj()
        try:
            text = decompressor.decompress(text, max_bytes + 1)
        except zlib.error as exc:
            raise BakingError(f"A compressed PNG iTXt chunk is corrupt: {exc}") from exc
        if len(text) > max_bytes:
            raise BakingError(f"A PNG text chunk inflates to more than {max_bytes} bytes.")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("A PNG iTXt chunk is not UTF-8 text.") from exc


def bake_png(
    image: bytes,
    credential: Mapping[str, Any] | str,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> bytes:
    """The PNG with one ``openbadgecredential`` iTXt chunk before IEND (any earlier one removed)."""
    _check_size(image, max_image_bytes)
    text, _is_jws = _credential_text(credential, max_credential_bytes)
    chunks = _png_chunks(image)
    output = bytearray(image[: len(PNG_SIGNATURE)])
    for chunk in chunks:
        if chunk.type in (b"iTXt", b"tEXt", b"zTXt") and chunk.data.split(b"\x00", 1)[0] == PNG_KEYWORD_OB3:
            continue
        if chunk.type == b"IEND":
            output += _png_chunk(b"iTXt", _itxt(PNG_KEYWORD_OB3, text))
        output += image[chunk.start : chunk.end]
    output += image[chunks[-1].end :]
    return bytes(output)


def unbake_png(
    image: bytes,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> BakedCredential:
    """The first ``openbadgecredential`` iTXt (OB 3.0), else the ``openbadges`` iTXt/tEXt (OB 2.0)."""
    _check_size(image, max_image_bytes)
    ob2: str | None = None
    for chunk in _png_chunks(image):
        found = _text_chunk(chunk, max_credential_bytes)
        if found is None:
            continue
        keyword, text = found
        if keyword == PNG_KEYWORD_OB3 and chunk.type == b"iTXt":
            _check_text_size(text, max_credential_bytes)
            return _classify(text, "ob3", "png")
        if keyword == PNG_KEYWORD_OB2 and ob2 is None:
            ob2 = text
    if ob2 is not None:
        _check_text_size(ob2, max_credential_bytes)
        return _classify(ob2, "ob2", "png")
    raise BakingError("The PNG carries no Open Badges credential (no openbadgecredential or openbadges chunk).")


def _check_text_size(text: str, max_bytes: int) -> None:
    if len(text.encode("utf-8")) > max_bytes:
        raise BakingError(f"The baked credential is larger than {max_bytes} bytes.")


# ---------------------------------------------------------------------------------------------------------
# SVG


def _parse_svg(image: bytes) -> Any:
    if image.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BakingError("Only UTF-8 SVG files are supported.")
    declared = _ENCODING.match(image.lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (
        b"utf-8",
        b"utf8",
        b"us-ascii",
        b"ascii",
    ):
        raise BakingError(f"Only UTF-8 SVG files are supported (this one is {declared.group(1).decode()}).")
    try:
        root = DefusedET.fromstring(image, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BakingError(f"The SVG declares entities or external references; refused ({exc!r}).") from exc
    except Exception as exc:  # ParseError and expat errors of every kind
        raise BakingError(f"The SVG is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BakingError(f"The root element is {root.tag!r}, not an SVG <svg> element.")
    return root


def _start_tag_end(data: bytes, start: int) -> tuple[int, bool]:
    """Index just past the start tag that begins at ``start``, and whether it is an empty-element tag."""
    quote: int | None = None
    for position in range(start + 1, len(data)):
        byte = data[position]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:  # '>'
            return position + 1, data[position - 1] == 0x2F  # '/'
    raise BakingError("The SVG has an unterminated start tag.")


@dataclass
class _SvgLayout:
    root_start: int = -1
    root_namespaces: dict[str, str] = field(default_factory=dict)
    credential_ranges: list[tuple[int, int]] = field(default_factory=list)


def _svg_layout(image: bytes) -> _SvgLayout:
    """Byte offsets of the root start tag and of every OB 3.0 credential element (second, plain expat pass:
    only run after defusedxml accepted the same bytes, and entity declarations are refused here too)."""
    layout = _SvgLayout()
    pending: dict[str, str] = {}
    starts: list[int] = []
    depth = 0
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args: object) -> None:
        raise BakingError("The SVG declares entities; refused.")

    def on_namespace(prefix: str | None, uri: str) -> None:
        pending[prefix or ""] = uri

    def on_start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal depth
        if depth == 0:
            layout.root_start = parser.CurrentByteIndex
            layout.root_namespaces = dict(pending)
        pending.clear()
        depth += 1
        if name == f"{OB3_SVG_NS} credential":
            starts.append(parser.CurrentByteIndex)
        else:
            starts.append(-1)

    def on_end(name: str) -> None:
        nonlocal depth
        depth -= 1
        start = starts.pop()
        if start < 0:
            return
        index = parser.CurrentByteIndex
        tag_end, empty = _start_tag_end(image, start)
        end = tag_end if empty else image.index(b">", index) + 1
        layout.credential_ranges.append((start, end))

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartNamespaceDeclHandler = on_namespace
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    try:
        parser.Parse(image, True)
    except xml.parsers.expat.ExpatError as exc:
        raise BakingError(f"The SVG is not well-formed XML: {exc}") from exc
    if layout.root_start < 0:
        raise BakingError("The SVG has no root element.")
    return layout


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(
    image: bytes,
    credential: Mapping[str, Any] | str,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> bytes:
    """The SVG with one ``<openbadges:credential>`` right after the ``<svg>`` start tag."""
    _check_size(image, max_image_bytes)
    text, is_jws = _credential_text(credential, max_credential_bytes)
    _parse_svg(image)
    layout = _svg_layout(image)
    declared = layout.root_namespaces.get("openbadges")
    local_declaration = "" if declared in (None, OB3_SVG_NS) else f' xmlns:openbadges="{OB3_SVG_NS}"'
    if is_jws:
        element = f'<openbadges:credential{local_declaration} verify="{text}"></openbadges:credential>'
    else:
        element = f"<openbadges:credential{local_declaration}>{_cdata(text)}</openbadges:credential>"

    tag_end, empty = _start_tag_end(image, layout.root_start)
    edits: list[tuple[int, int, bytes]] = [(start, end, b"") for start, end in layout.credential_ranges]
    if empty:
        name = re.match(rb"<([^\s/>]+)", image[layout.root_start :])
        root_close = b"</" + (name.group(1) if name else b"svg") + b">"
        head = image[layout.root_start : tag_end - 2].rstrip()
    else:
        root_close = b""
        head = image[layout.root_start : tag_end - 1]
    if declared is None:
        head += f' xmlns:openbadges="{OB3_SVG_NS}"'.encode()
    replacement = head + b">\n" + element.encode("utf-8") + (b"\n" + root_close if empty else b"")
    edits.append((layout.root_start, tag_end, replacement))

    output = image
    for start, end, insert in sorted(edits, key=lambda edit: edit[0], reverse=True):
        output = output[:start] + insert + output[end:]
    return output


def unbake_svg(
    image: bytes,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_credential_bytes: int = DEFAULT_MAX_CREDENTIAL_BYTES,
) -> BakedCredential:
    """The first ``<openbadges:credential>`` (OB 3.0), else ``<openbadges:assertion>`` (OB 2.0)."""
    _check_size(image, max_image_bytes)
    root = _parse_svg(image)
    for namespace, version in ((OB3_SVG_NS, "ob3"), (OB2_SVG_NS, "ob2")):
        tag = "credential" if version == "ob3" else "assertion"
        element = root.find(f".//{{{namespace}}}{tag}")
        if element is None:
            continue
        verify = element.get("verify")
        text = verify if verify and verify.strip() else "".join(element.itertext())
        _check_text_size(text, max_credential_bytes)
        return _classify(text, version, "svg")  # type: ignore[arg-type]
    raise BakingError("The SVG carries no Open Badges credential (no openbadges:credential or openbadges:assertion).")
