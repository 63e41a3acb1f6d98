"""The small functions every signature and verification runs, kept together so they can be compiled.

The tests for JSON that orjson canonicalizes exactly as RFC 8785 (eddsa-jcs-2022), and base58 (every proof value).
They are plain Python, and ``scripts/build_native.py`` compiles this module with mypyc like
:mod:`credstack.vc.fastld` (:mod:`credstack.vc.native` swaps the build in when it is of this very source); the
callers import them from here.

Base58 is written here rather than taken from the ``base58`` package, for speed: that package converts one
character at a time with ``bytes.index``. The results are those of ``base58.b58encode`` / ``b58decode`` —
leading zero bytes as leading ``1``, trailing ASCII whitespace ignored when decoding, the same ``ValueError``
message for a character outside the alphabet — five digits at a time when encoding, ten when decoding.
``tests/vc/test_fast_primitives.py`` checks the equivalence.
"""

from __future__ import annotations

from typing import Any

from mypy_extensions import i64

from credstack.vc import native

_JCS_INT_MAX = 2**53 - 1
_FIRST_SURROGATE = chr(0xD800)  # sorting by code point equals sorting by UTF-16 code unit below it


#: nesting deeper than this is not plain (compiled code has no recursion limit; JSON text parses to < 1,000 levels)
MAX_DEPTH = 500


def plain_json(value: Any, depth: int = 0) -> bool:
    """True when orjson canonicalizes ``value`` as RFC 8785 does, given keys below U+D800 (see ``suites``).

    That is JSON made of strings, integers within ±(2**53 − 1), non-integral floats from 1e-4 to 1e16, booleans,
    null, objects with string keys and arrays. The characters of keys are :func:`keys_below_surrogates`' concern.
    """
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    # typed locals let the compiled build iterate dicts and lists directly (on Any it goes the generic way)
    if kind is dict:
        mapping: dict[Any, Any] = value
        for key, item in mapping.items():
            if type(key) is not str or (type(item) is not str and not plain_json(item, depth + 1)):
                return False
        return True
    if kind is list:
        items: list[Any] = value
        for item in items:
            if type(item) is not str and not plain_json(item, depth + 1):
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_JCS_INT_MAX <= value <= _JCS_INT_MAX)
    if kind is float:
        return bool(1e-4 <= abs(value) < 1e16 and not value.is_integer())
    return False


def keys_below_surrogates(value: Any) -> bool:
    """True when no object key in ``value`` has a character from U+D800 up (code point order = UTF-16 order).

    For JSON :func:`plain_json` accepted (string keys, nesting no deeper than ``MAX_DEPTH``).
    """
    kind = type(value)
    if kind is dict:
        mapping: dict[str, Any] = value
        for key, item in mapping.items():
            if not key.isascii() and key and max(key) >= _FIRST_SURROGATE:
                return False
            if type(item) is not str and not keys_below_surrogates(item):
                return False
    elif kind is list:
        items: list[Any] = value
        for item in items:
            if type(item) is not str and not keys_below_surrogates(item):
                return False
    return True


B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(B58_ALPHABET)}
_B58_CHUNK = 58**5  # five digits: one 30-bit digit of a Python int, so each division takes CPython's fast path
_B58_DECODE_CHUNK = 58**10  # ten digits fit in a machine word
_B58_PAIRS = [a + b for a in B58_ALPHABET for b in B58_ALPHABET]  # two digits at a time


def b58encode(data: bytes) -> str:
    """base58 (Bitcoin alphabet) of ``data``, as ``base58.b58encode(data).decode()``."""
    stripped = data.lstrip(b"\0")
    number = int.from_bytes(stripped, "big")
    parts: list[str] = []
    pairs = _B58_PAIRS
    while number:
        number, remainder = divmod(number, _B58_CHUNK)
        chunk: i64 = remainder  # a machine integer in the compiled build: the two small divisions are native
        rest: i64 = chunk // 3364
        parts.append(pairs[chunk % 3364])
        parts.append(pairs[rest % 3364])
        parts.append(B58_ALPHABET[rest // 3364])
    text = "".join(reversed(parts)).lstrip("1")
    return "1" * (len(data) - len(stripped)) + text


def b58decode(text: str) -> bytes:
    """The bytes of base58 ``text``, as ``base58.b58decode(text)``; ``ValueError`` for a foreign character."""
    text = text.rstrip(" \t\n\r\x0b\x0c")
    stripped = text.lstrip("1")
    index = _B58_INDEX
    number = 0
    try:
        head = len(stripped) % 10
        for char in stripped[:head]:
            number = number * 58 + index[char]
        for start in range(head, len(stripped), 10):
            chunk: i64 = 0  # below 58**10 < 2**63: a machine integer in the compiled build
            for char in stripped[start : start + 10]:
                chunk = chunk * 58 + index[char]
            number = number * _B58_DECODE_CHUNK + int(chunk)
    except KeyError as exc:
        raise ValueError(f"Invalid character {exc.args[0]!r}") from None
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(stripped)) + body


# ---------------------------------------------------------------------------------------------------------
# the compiled build (scripts/build_native.py): the same source compiled with mypyc, used when it is current

#: which implementation runs: "pure Python", or "compiled (mypyc)" once native.install swapped in the build
IMPLEMENTATION = native.PURE
native.install(__name__, __file__)
