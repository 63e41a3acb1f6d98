"""The primitives the fast path relies on give what they replaced: base58 as the base58 package, libsodium Ed25519
as OpenSSL's."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.vc.credential_strategies import credential_documents

from credstack.vc import multibase
from credstack.vc.errors import InputError


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=80) | st.builds(lambda n, b: b"\0" * n + b, st.integers(0, 5), st.binary(max_size=70)))
def test_encode_and_decode_as_the_base58_package(data: bytes) -> None:
    text = multibase.b58encode(data)
    assert text == base58.b58encode(data).decode("ascii")
    assert multibase.b58decode(text) == data == base58.b58decode(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=multibase.B58_ALPHABET + " \t\n0OIl+/é", max_size=40))
def test_decoding_any_text_as_the_base58_package(text: str) -> None:
    try:
        expected: bytes | str = base58.b58decode(text.encode("utf-8"))
    except ValueError as exc:
        expected = str(exc)
    try:
        got: bytes | str = multibase.b58decode(text)
    except ValueError as exc:
        got = str(exc)
    if isinstance(expected, str) and "é" in text:
        assert isinstance(got, str)  # the package reports the UTF-8 byte, we report the character
    else:
        assert got == expected


@pytest.mark.parametrize("value", ["z", "z1", "z11", "z2", "z3FXQjecWufY46yg5abdVZ", "zOops", "zé"])
def test_multibase_decode_messages(value: str) -> None:
    try:
        multibase.decode(value)
    except InputError:
        pass  # decode never raises anything else


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=96), st.integers(0, 63))
def test_libsodium_signatures_are_openssl_signatures(seed: bytes, data: bytes, flip: int) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from credstack.vc.keys import Ed25519Key

    key = Ed25519Key.generate(seed)
    signature = key.sign(data)
    assert signature == Ed25519PrivateKey.from_private_bytes(seed).sign(data)
    assert key.verify(data, signature)
    tampered = bytearray(signature)
    tampered[flip] ^= 1
    assert not key.verify(data, bytes(tampered))
    assert not key.verify(data + b"x", signature)
    assert not key.verify(data, signature[:63])
    from credstack.vc.keys import verify_ed25519

    assert verify_ed25519(key.public_key_bytes, data, signature)
    assert not verify_ed25519(key.public_key_bytes, data, bytes(tampered))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats() | st.floats(1e-5, 1e17) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


def assert_jcs_as_rfc8785(value: object) -> None:
    """The bytes eddsa-jcs-2022 hashes for ``value`` are rfc8785's, or both refuse it."""
    import rfc8785

    from credstack.vc import suites
    from credstack.vc.errors import InvalidDocument

    try:
        expected: bytes | str = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError):
        expected = "error"
    try:
        got: bytes | str = suites._jcs(value)
    except InvalidDocument:
        got = "error"
    assert got == expected


@settings(max_examples=2000, deadline=None)
@given(JSON)
def test_jcs_as_rfc8785(value: object) -> None:
    assert_jcs_as_rfc8785(value)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": '\x00\x1f\x7f"\\/é😀\u2028'},
        {"\ue000": 1, "😀": 2, "z": 3},
        {"é": [1, "ü"], "z": 2.5, "a": None, "中": {"ÿ": True, "Ā": False}},
        {"\ud7ff": 1, "\u00ff": 2},
        {"x": 2**53 - 1},
        {"x": 2**53},
        {"x": "\ud800"},
        [1.0, 1e21, -0.0],
        {"k": (1, 2)},
        [2.5, 0.1, 1e-4, 9.999999e15, 1e-05, 123.456, 5e-324, 0.30000000000000004, 1234567.0000001, -2.5, 1e16 - 1.5],
    ],
)
def test_jcs_edges(value: object) -> None:
    assert_jcs_as_rfc8785(value)


@settings(max_examples=3000, deadline=None)
@given(st.floats(min_value=1e-4, max_value=1e16, exclude_max=True) | st.floats(min_value=-1e16, max_value=-1e-4))
def test_jcs_floats_in_the_fast_serialiser_range(number: float) -> None:
    import rfc8785

    from credstack.vc import suites

    assert suites._jcs({"n": number}) == rfc8785.dumps({"n": number})


@settings(max_examples=3000, deadline=None)
@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0.0, -0.0, 1.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 123456789012345680.0])
)
def test_canonical_double_as_pyld(number: float) -> None:
    import re

    from credstack.vc import fastld

    pyld_form = re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{float(number):1.15E}")
    assert fastld._canonical_double(number) == pyld_form


@settings(max_examples=150, deadline=None)
@given(credential_documents)
def test_jcs_of_generated_credentials_as_rfc8785(doc: dict[str, object]) -> None:
    """Credential-shaped JSON (unicode, control characters, numbers, nesting, mutations): the bytes eddsa-jcs-2022
    hashes are rfc8785's, or both refuse the document."""
    assert_jcs_as_rfc8785(doc)
