"""Baked PNG / SVG badges: foreign files from the 1EdTech validator, round trips, hostile inputs."""

from __future__ import annotations

import json
import struct
import time
import zlib
from pathlib import Path

import pytest

from credstack.vc.baking import (
    OB3_SVG_NS,
    bake,
    bake_png,
    bake_svg,
    sniff_image,
    unbake,
    unbake_png,
    unbake_svg,
)
from credstack.vc.errors import BakingError

FOREIGN = Path(__file__).parent / "data" / "foreign"
CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:7f1d6c5e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Ünïcødé ]]> badge <&>",
}
JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def read(name: str) -> bytes:
    return (FOREIGN / name).read_bytes()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks = []
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append((kind, body))
        position += 12 + length
    return chunks


def tiny_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- foreign files ------------------------------------------------------------------------------------


def test_foreign_png_json() -> None:
    baked = unbake(read("ob30-simple-json.png"))
    assert (baked.version, baked.format, baked.container) == ("ob3", "json", "png")
    credential = baked.json()
    assert "OpenBadgeCredential" in credential["type"]
    assert credential["id"] == "http://example.com/credentials/3527"


@pytest.mark.parametrize("name", ["ob30-simple-jwt.png", "ob30-simple-jwt_v1.png"])
def test_foreign_png_jwt(name: str) -> None:
    baked = unbake_png(read(name))
    assert (baked.version, baked.format) == ("ob3", "jwt")
    assert baked.text.count(".") == 2
    with pytest.raises(BakingError):
        baked.json()


def test_foreign_svg_json() -> None:
    baked = unbake_svg(read("ob30-simple-json.svg"))
    assert (baked.version, baked.format, baked.container) == ("ob3", "json", "svg")
    assert baked.json()["name"] == "Teamwork Badge"


@pytest.mark.parametrize("name", ["ob30-simple-jwt.svg", "ob30-simple-jwt_v1.svg"])
def test_foreign_svg_jwt(name: str) -> None:
    baked = unbake(read(name))
    assert (baked.version, baked.format) == ("ob3", "jwt")


def test_foreign_svg_and_png_jwt_carry_tokens_of_the_same_shape() -> None:
    png = unbake(read("ob30-simple-jwt_v1.png")).text
    svg = unbake(read("ob30-simple-jwt_v1.svg")).text
    assert png.split(".")[0] == svg.split(".")[0]  # same header (same RSA key)


def test_foreign_ob20_png() -> None:
    baked = unbake(read("ob20-simple-badge.png"))
    assert (baked.version, baked.format) == ("ob2", "json")
    assertion = baked.json()
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"


# --- PNG ----------------------------------------------------------------------------------------------


def test_png_bake_replaces_existing_chunk_and_keeps_other_bytes() -> None:
    original = read("ob30-simple-json.png")
    baked = bake_png(original, CREDENTIAL)
    assert unbake(baked).json() == CREDENTIAL
    chunks = png_chunks(baked)
    keywords = [body.split(b"\x00", 1)[0] for kind, body in chunks if kind == b"iTXt"]
    assert keywords.count(b"openbadgecredential") == 1
    assert chunks[-1][0] == b"IEND"
    assert chunks[-2][0] == b"iTXt"
    # every chunk but the credential is unchanged, in the same order
    before = [c for c in png_chunks(original) if c[0] != b"iTXt"]
    after = [c for c in chunks if c[0] != b"iTXt"]
    assert before == after
    itxt = chunks[-2][1]
    assert itxt.startswith(b"openbadgecredential\x00\x00\x00\x00\x00")  # uncompressed, no language


def test_png_bake_twice_and_jws() -> None:
    once = bake(tiny_png(), CREDENTIAL)
    twice = bake(once, JWS)
    baked = unbake(twice)
    assert (baked.format, baked.text) == ("jwt", JWS)
    assert twice.count(b"openbadgecredential") == 1


def test_png_bake_does_not_touch_image_data() -> None:
    original = tiny_png()
    baked = bake_png(original, CREDENTIAL)
    assert baked.startswith(original[:-12])  # everything up to IEND is kept byte for byte
    assert baked.endswith(original[-12:])


def test_png_bake_result_still_decodes_with_pillow() -> None:
    from io import BytesIO

    from PIL import Image

    baked = bake(read("ob30-simple-json.png"), CREDENTIAL)
    with Image.open(BytesIO(baked)) as image:
        image.load()
        assert image.size == (981, 941)


def test_png_reads_compressed_itxt_and_ob2_text() -> None:
    text = json.dumps({"type": "Assertion"}).encode()
    compressed = b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(text)
    body = tiny_png()
    chunk = struct.pack(">I", len(compressed)) + b"iTXt" + compressed
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + compressed))
    image = body[:-12] + chunk + body[-12:]
    assert unbake(image).json() == {"type": "Assertion"}
    t_body = b"openbadges\x00https://example.org/assertion/1"
    t_chunk = struct.pack(">I", len(t_body)) + b"tEXt" + t_body
    t_chunk += struct.pack(">I", zlib.crc32(b"tEXt" + t_body))
    baked = unbake(body[:-12] + t_chunk + body[-12:])
    assert (baked.version, baked.format) == ("ob2", "url")


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"\x89PNX" + b[4:],  # signature
        lambda b: b[:40],  # truncated
        lambda b: b[:20] + bytes([b[20] ^ 0xFF]) + b[21:],  # CRC no longer matches
    ],
)
def test_png_refuses_broken_files(damage: object) -> None:
    broken = damage(tiny_png())  # type: ignore[operator]
    with pytest.raises(BakingError):
        bake_png(broken, CREDENTIAL)
    with pytest.raises(BakingError):
        unbake_png(broken)


def test_png_without_credential() -> None:
    with pytest.raises(BakingError, match="no Open Badges credential"):
        unbake(tiny_png())


def test_image_and_credential_size_caps() -> None:
    with pytest.raises(BakingError, match="larger than"):
        unbake(read("ob30-simple-json.png"), max_image_bytes=1000)
    with pytest.raises(BakingError, match="larger than"):
        bake(tiny_png(), {"x": "y" * 200}, max_credential_bytes=100)
    with pytest.raises(BakingError, match="larger than"):
        unbake(read("ob30-simple-json.png"), max_credential_bytes=100)


def test_refuses_non_credentials() -> None:
    with pytest.raises(BakingError):
        bake(tiny_png(), "not json and not a jws")
    with pytest.raises(BakingError):
        bake(tiny_png(), "[1, 2]")
    with pytest.raises(BakingError):
        sniff_image(b"GIF89a....")


# --- SVG ----------------------------------------------------------------------------------------------


def test_svg_bake_json_round_trip_keeps_artwork() -> None:
    original = read("ob30-simple-json.svg")
    baked = bake_svg(original, CREDENTIAL)
    assert unbake(baked).json() == CREDENTIAL
    assert baked.count(b"<openbadges:credential") == 1
    assert b"<!DOCTYPE svg PUBLIC" in baked  # the rest of the file is kept as written
    tail = original[original.index(b"<g>") :]
    assert baked.endswith(tail)


def test_svg_bake_jws_in_verify_attribute() -> None:
    baked = bake(read("ob30-simple-json.svg"), JWS)
    assert f'<openbadges:credential verify="{JWS}">'.encode() in baked
    assert unbake(baked).text == JWS


def test_svg_bake_adds_namespace_and_places_element_first() -> None:
    import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped,unused-ignore]

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect width="10" height="10"/></svg>'
    baked = bake(svg, CREDENTIAL)
    assert f'xmlns:openbadges="{OB3_SVG_NS}"'.encode() in baked
    root = DefusedET.fromstring(baked)
    assert root[0].tag == f"{{{OB3_SVG_NS}}}credential"
    assert root[1].tag == "{http://www.w3.org/2000/svg}rect"


def test_svg_empty_root_and_conflicting_prefix() -> None:
    baked = bake(b'<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert unbake(baked).text == JWS
    ob2 = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/a/1"/></svg>'
    )
    assert unbake(ob2).format == "url"
    baked = bake(ob2, CREDENTIAL)
    result = unbake(baked)
    assert (result.version, result.json()) == ("ob3", CREDENTIAL)


def test_svg_billion_laughs_is_refused_fast() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">{entities}]>'
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>'
    ).encode()
    started = time.monotonic()
    with pytest.raises(BakingError, match="entities"):
        unbake(bomb)
    with pytest.raises(BakingError, match="entities"):
        bake(bomb, CREDENTIAL)
    assert time.monotonic() - started < 1.0


def test_svg_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>'
    )
    with pytest.raises(BakingError):
        unbake(xxe)


def test_svg_not_svg_or_not_utf8() -> None:
    with pytest.raises(BakingError, match="not an SVG"):
        bake_svg(b'<svg xmlns="http://example.org/not-svg"/>', CREDENTIAL)
    with pytest.raises(BakingError, match="UTF-8"):
        bake_svg(
            b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            JWS,
        )
    with pytest.raises(BakingError, match="well-formed"):
        unbake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')
    with pytest.raises(BakingError, match="no Open Badges credential"):
        unbake(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
