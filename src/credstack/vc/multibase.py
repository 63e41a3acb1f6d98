"""Multibase and multicodec, only the parts credentials use.

Multibase: base58btc (prefix ``z``, keys and Data Integrity proof values) and base64url without
padding (prefix ``u``, status lists). Multicodec: the unsigned-varint codec prefixes of Ed25519
public keys (``ed25519-pub``, 0xed, bytes ``ed 01``) and private keys (``ed25519-priv``, 0x1300,
bytes ``80 26``).

Written here rather than taken from the ``multiformats`` package: the whole need is a handful of
lines, and that package is not a dependency. Base58 itself lives in :mod:`credstack.vc.hotpath` (written for
speed, and compiled with the rest of the hot path).
"""

from __future__ import annotations

import base64
import binascii

from credstack.vc.errors import InputError
from credstack.vc.hotpath import B58_ALPHABET as B58_ALPHABET
from credstack.vc.hotpath import b58decode as b58decode
from credstack.vc.hotpath import b58encode as b58encode

ED25519_PUB = 0xED
ED25519_PRIV = 0x1300
P256_PUB = 0x1200
P384_PUB = 0x1201

ED25519 = "Ed25519"
P256 = "P-256"
P384 = "P-384"
#: the multicodec of each public key algorithm, and the length of its key
PUBLIC_KEY_CODECS = {ED25519: ED25519_PUB, P256: P256_PUB, P384: P384_PUB}
_KEY_LENGTHS = {ED25519: 32, P256: 33, P384: 49}
_ALGORITHMS = {codec: algorithm for algorithm, codec in PUBLIC_KEY_CODECS.items()}

_MAX_VARINT_BYTES = 9


def encode_base58btc(data: bytes) -> str:
    """``z`` + base58btc (Bitcoin alphabet)."""
    return "z" + b58encode(data)


def encode_base64url(data: bytes) -> str:
    """``u`` + base64url without padding."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(value: str) -> bytes:
    """Decode a ``z`` (base58btc) or ``u`` (base64url) multibase string; :class:`InputError` otherwise."""
    if not isinstance(value, str) or len(value) < 2:
        raise InputError("A multibase value must be a non-empty string with a base prefix.")
    prefix, body = value[0], value[1:]
    if prefix == "z":
        try:
            body.encode("ascii")
            return b58decode(body)
        except (ValueError, UnicodeEncodeError) as exc:
            raise InputError(f"Invalid base58btc multibase value: {exc}") from exc
    if prefix == "u":
        # base64url without padding; strict alphabet check so that "+" or "/" are refused
        if not body.isascii() or any(c in body for c in "+/="):
            raise InputError("Invalid base64url multibase value.")
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InputError(f"Invalid base64url multibase value: {exc}") from exc
    raise InputError(f"Unsupported multibase prefix {prefix!r} (only 'z' and 'u' are used).")


def encode_varint(number: int) -> bytes:
    """Unsigned LEB128 varint, as multicodec prefixes use."""
    if number < 0:
        raise ValueError("varint must be non-negative")
    out = bytearray()
    while True:
        byte = number & 0x7F
        number >>= 7
        if number:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes) -> tuple[int, int]:
    """Return ``(value, bytes consumed)``."""
    value = 0
    for index, byte in enumerate(data[:_MAX_VARINT_BYTES]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, index + 1
    raise InputError("Truncated or overlong multicodec varint.")


def add_codec(codec: int, payload: bytes) -> bytes:
    return encode_varint(codec) + payload


def split_codec(data: bytes) -> tuple[int, bytes]:
    """Return ``(codec, payload)``."""
    codec, used = decode_varint(data)
    return codec, data[used:]


def encode_key(codec: int, key: bytes) -> str:
    """Multikey encoding: ``z`` + base58btc(multicodec prefix + raw key)."""
    return encode_base58btc(add_codec(codec, key))


def decode_key(value: str, expected_codec: int, length: int = 32) -> bytes:
    """Decode a multibase multicodec key, checking the codec and the key length."""
    codec, key = split_codec(decode(value))
    if codec != expected_codec:
        raise InputError(f"Unexpected multicodec 0x{codec:x} (expected 0x{expected_codec:x}).")
    if len(key) != length:
        raise InputError(f"A key of {len(key)} bytes; expected {length}.")
    return key


def decode_public_key(value: str) -> tuple[str, bytes]:
    """A Multikey ``publicKeyMultibase``: ``(algorithm, key)`` for Ed25519, P-256 or P-384 (compressed point)."""
    codec, key = split_codec(decode(value))
    algorithm = _ALGORITHMS.get(codec)
    if algorithm is None:
        raise InputError(f"Unsupported public key multicodec 0x{codec:x} (Ed25519, P-256 and P-384 are supported).")
    if len(key) != _KEY_LENGTHS[algorithm]:
        raise InputError(f"A {algorithm} public key of {len(key)} bytes; expected {_KEY_LENGTHS[algorithm]}.")
    if algorithm != ED25519 and key[0] not in (2, 3):
        raise InputError(f"A {algorithm} Multikey must hold a compressed point (starting with 02 or 03).")
    return algorithm, key


def compress_ec_point(x: bytes, y: bytes) -> bytes:
    """The compressed SEC1 form of the point (x, y): 02 or 03 (the parity of y), then x."""
    if not x or len(x) != len(y):
        raise InputError("An EC public key needs x and y of the same length.")
    return bytes([2 + (y[-1] & 1)]) + x
