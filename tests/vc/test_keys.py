"""Ed25519 keys, Multikey encodings and the key file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from credstack.vc.errors import InputError
from credstack.vc.keys import Ed25519Key, Signer, load_key_file, save_key_file


def test_seed_makes_key_deterministic() -> None:
    seed = bytes(range(32))
    a, b = Ed25519Key.generate(seed), Ed25519Key.generate(seed)
    assert a.public_key_bytes == b.public_key_bytes
    assert a.sign(b"data") == b.sign(b"data")
    assert a.public_key_multibase.startswith("z6Mk")
    assert a.verification_method_id == f"did:key:{a.public_key_multibase}#{a.public_key_multibase}"
    assert isinstance(a, Signer)
    assert a.verify(b"data", a.sign(b"data"))
    assert not a.verify(b"datA", a.sign(b"data"))


def test_controller_gives_ob_convention_id() -> None:
    key = Ed25519Key.generate(bytes(32), controller="https://issuer.example/profile")
    assert key.verification_method == f"https://issuer.example/profile#{key.public_key_multibase}"
    assert key.to_multikey()["controller"] == "https://issuer.example/profile"


def test_jwk() -> None:
    key = Ed25519Key.generate(bytes(32))
    jwk = key.to_jwk(private=True)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and len(jwk["x"]) == 43 and len(jwk["d"]) == 43
    assert "d" not in key.to_jwk()


def test_key_file_round_trip_and_mode(tmp_path: Path) -> None:
    key = Ed25519Key.generate(bytes(range(32)))
    path = tmp_path / "issuer.key.json"
    path.write_text("{}")
    path.chmod(0o644)
    save_key_file(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["type"] == "Multikey" and data["secretKeyMultibase"].startswith("z3u2")
    loaded = load_key_file(path)
    assert loaded.private_key_bytes == key.private_key_bytes
    assert loaded.verification_method_id == key.verification_method_id

    public = tmp_path / "issuer.pub.json"
    save_key_file(key.with_controller("did:web:issuer.example"), public, include_private=False)
    loaded_public = load_key_file(public)
    assert not loaded_public.has_private_key
    assert loaded_public.controller == "did:web:issuer.example"
    with pytest.raises(InputError):
        loaded_public.sign(b"x")


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"type": "JsonWebKey"}',
        '{"publicKeyMultibase": "z6MkXXX"}',
        '{"publicKeyMultibase": "uAAAA"}',
    ],
)
def test_bad_key_files(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError):
        load_key_file(path)


def test_mismatched_private_key_is_refused() -> None:
    a, b = Ed25519Key.generate(bytes(32)), Ed25519Key.generate(bytes([1] * 32))
    with pytest.raises(InputError):
        Ed25519Key(a.public_key_bytes, b.private_key_bytes)
