"""End to end through ``credstack.vc.cli.main``: keygen, sign, verify, bake, unbake."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from credstack.vc import cli
from credstack.vc.errors import FetchError
from credstack.vc.fetch import AllowlistFetcher, FetchResult
from credstack.vc.keys import load_key_file
from credstack.vc.proofs import add_proof
from credstack.vc.statuslist import Bitstring, build_status_list_credential

DATA = Path(__file__).parent / "data"
UNSIGNED = DATA / "credstack" / "ob3-unsigned.json"
ZERO_SEED_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
AT = "2026-06-01T00:00:00Z"
LIST_URL = "https://status.academy.example/lists/7"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "key.json"
    assert run(capsys, "keygen", "--seed", "00" * 32, "-o", str(path))[0] == 0
    return path


def signed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: Path, suite: str, source: Path = UNSIGNED, *extra: str
) -> Path:
    code, out, err = run(
        capsys, "sign", str(source), "--key", str(key), "--suite", suite, "--created", "2026-01-02T00:00:00Z", *extra
    )
    assert code == 0, err
    path = tmp_path / ("signed.jwt" if suite == "vc-jwt" else f"signed-{suite}.json")
    path.write_text(out)
    return path


# -- keygen ---------------------------------------------------------------------------------------------------


def test_keygen_with_seed_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    code, out, _ = run(capsys, "keygen", "--seed", "00" * 32, "-o", str(first))
    assert (code, out.strip()) == (0, ZERO_SEED_DID)
    run(capsys, "keygen", "--seed", "00" * 32, "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert load_key_file(first).did_key == ZERO_SEED_DID


def test_keygen_to_stdout_and_random(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "keygen")
    assert code == 0
    one = json.loads(out)
    two = json.loads(run(capsys, "keygen")[1])
    assert one["type"] == "Multikey" and "secretKeyMultibase" in one
    assert one["publicKeyMultibase"] != two["publicKeyMultibase"]


@pytest.mark.parametrize("seed", ["00", "zz" * 32, "00" * 33])
def test_keygen_bad_seed(capsys: pytest.CaptureFixture[str], seed: str) -> None:
    code, _, err = run(capsys, "keygen", "--seed", seed)
    assert code == 2
    assert "--seed" in err and "Traceback" not in err


def test_keygen_starts_without_django(tmp_path: Path) -> None:
    src = Path(cli.__file__).resolve().parents[2]
    script = (
        "import sys; from credstack.vc.cli import main; code = main(['keygen']); "
        "assert 'django' not in sys.modules, 'django loaded'; "
        "assert not any(m.startswith(('pyld', 'jsonschema', 'PIL')) for m in sys.modules); sys.exit(code)"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


# -- sign / verify ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"])
def test_sign_verify_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path, suite: str) -> None:
    signed = signed_file(tmp_path, capsys, key_file, suite)
    if suite != "vc-jwt":
        document = json.loads(signed.read_text())
        assert document["issuer"]["id"] == ZERO_SEED_DID
        assert document["proof"]["cryptosuite"] == suite
        assert document["proof"]["created"] == "2026-01-02T00:00:00Z"
    code, out, _ = run(capsys, "verify", str(signed), "--at", AT, "--recipient", "ada@example.org")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Verdict: Valid (valid)"
    assert len(lines) == 11 and all(line.startswith("[ok  ] ") or line.startswith("[skip] ") for line in lines[1:])

    code, out, _ = run(capsys, "verify", str(signed), "--at", AT, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["verdict"] == "valid"
    assert report["format"] == ("vc-jwt" if suite == "vc-jwt" else "vc")


def test_verify_reads_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "vc-jwt")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(signed.read_bytes())))
    assert run(capsys, "verify", "-", "--at", AT)[0] == 0


def test_keep_issuer(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "eddsa-rdfc-2022", UNSIGNED, "--keep-issuer")
    assert json.loads(signed.read_text())["issuer"]["id"] == "https://academy.example/issuers/1"
    code, out, _ = run(capsys, "verify", str(signed), "--at", AT)
    assert code == 1  # an https issuer must sign with one of its own keys, not with an unrelated did:key
    assert out.startswith("Verdict: Invalid")
    assert "[FAIL] Issuer controls the key" in out


def test_tampered_credential_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "eddsa-rdfc-2022")
    document = json.loads(signed.read_text())
    document["credentialSubject"]["achievement"]["name"] = "Something grander"
    signed.write_text(json.dumps(document))
    code, out, _ = run(capsys, "verify", str(signed), "--at", AT)
    assert code == 1
    assert out.startswith("Verdict: Invalid (invalid)")
    assert "[FAIL] Proof (eddsa-rdfc-2022)" in out


def test_at_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "vc-jwt")
    code, out, _ = run(capsys, "verify", str(signed), "--at", "2031-01-01T00:00:00Z", "--json")
    assert (code, json.loads(out)["verdict"]) == (1, "expired")
    code, out, _ = run(capsys, "verify", str(signed), "--at", "2025-06-01T00:00:00Z", "--json")
    assert (code, json.loads(out)["verdict"]) == (1, "not_yet_valid")


def test_recipient_mismatch_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "eddsa-jcs-2022")
    code, out, _ = run(capsys, "verify", str(signed), "--at", AT, "--recipient", "eve@example.org")
    assert code == 1
    assert "not awarded to eve@example.org" in out


def test_sign_with_public_key_only(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    public = json.loads(key_file.read_text())
    del public["secretKeyMultibase"]
    public_file = tmp_path / "public.json"
    public_file.write_text(json.dumps(public))
    code, _, err = run(capsys, "sign", str(UNSIGNED), "--key", str(public_file))
    assert code == 2
    assert "secret key" in err


def test_sign_refuses_undefined_terms(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    document = json.loads(UNSIGNED.read_text())
    document["favouriteColour"] = "green"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document))
    code, _, err = run(capsys, "sign", str(source), "--key", str(key_file))
    assert code == 2
    assert "favouriteColour" in err and "Traceback" not in err


# -- wrong calls and unusable input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["sign", str(UNSIGNED)],
        ["verify"],
        ["sign", str(UNSIGNED), "--key", "k", "--suite", "rsa"],
        ["verify", "x.json", "--at", "yesterday"],
        ["bake", "a", "b"],
        ["verify", "x.json", "--resource", "nourl"],
    ],
)
def test_wrong_calls_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], tmp_path: Path) -> None:
    if argv[:2] == ["verify", "x.json"]:
        (tmp_path / "x.json").write_text("{}")
        argv = ["verify", str(tmp_path / "x.json"), *argv[2:]]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "error:" in err and "Traceback" not in err


@pytest.mark.parametrize("content", [b"\x00\x01garbage\xff", b"{broken", b"", b"\x89PNG\r\n\x1a\n"])
def test_garbage_exits_2_with_a_readable_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    path = tmp_path / "garbage.json"
    path.write_bytes(content)
    code, _, err = run(capsys, "verify", str(path))
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "verify", str(tmp_path / "nothing.png"))
    assert code == 2
    assert "no such file" in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--help")[0] == 0
    assert run(capsys, "verify", "--help")[0] == 0


# -- bake / unbake --------------------------------------------------------------------------------------------


def png(path: Path) -> Path:
    Image.new("RGB", (8, 8), (200, 40, 40)).save(path, format="PNG")
    return path


def svg(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>\n'
    )
    return path


@pytest.mark.parametrize(
    ("suite", "image"), [("eddsa-rdfc-2022", "png"), ("eddsa-rdfc-2022", "svg"), ("vc-jwt", "png"), ("vc-jwt", "svg")]
)
def test_bake_unbake_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path, suite: str, image: str
) -> None:
    signed = signed_file(tmp_path, capsys, key_file, suite)
    artwork = png(tmp_path / "art.png") if image == "png" else svg(tmp_path / "art.svg")
    baked = tmp_path / f"baked.{image}"
    code, _, err = run(capsys, "bake", str(signed), str(artwork), "-o", str(baked))
    assert code == 0, err

    code, out, _ = run(capsys, "unbake", str(baked))
    assert code == 0
    if suite == "vc-jwt":
        assert out.strip() == signed.read_text().strip()
    else:
        assert json.loads(out) == json.loads(signed.read_text())

    code, out, _ = run(capsys, "verify", str(baked), "--at", AT, "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["verdict"], report["container"]) == ("valid", image)


def test_unbake_without_credential_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "unbake", str(png(tmp_path / "plain.png")))
    assert code == 2
    assert "error:" in err


def test_bake_into_a_non_image_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    signed = signed_file(tmp_path, capsys, key_file, "vc-jwt")
    code, _, err = run(capsys, "bake", str(signed), str(UNSIGNED), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "error:" in err


# -- fetching: --resource (offline) and --allow-host (guarded) ------------------------------------------------------


def credential_with_status(tmp_path: Path, key_file: Path, *, revoked: bool) -> tuple[Path, Path]:
    key = load_key_file(key_file)
    created = datetime(2026, 1, 2, tzinfo=UTC)
    document: dict[str, Any] = json.loads(UNSIGNED.read_text())
    document["issuer"]["id"] = key.did_key
    document["credentialStatus"] = {
        "id": f"{LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }
    credential = tmp_path / "with-status.json"
    credential.write_text(json.dumps(add_proof(document, key, created=created)))
    bits = Bitstring()
    if revoked:
        bits.set(42)
    status = build_status_list_credential(
        id=LIST_URL,
        issuer=key.did_key,
        purpose="revocation",
        bitstring=bits,
        valid_from=created,
        sign=lambda d: add_proof(d, key, created=created),
    )
    status_file = tmp_path / ("revoked-list.json" if revoked else "list.json")
    status_file.write_text(json.dumps(status))
    return credential, status_file


def test_resource_gives_an_offline_status_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path
) -> None:
    credential, status_file = credential_with_status(tmp_path, key_file, revoked=False)
    code, out, _ = run(capsys, "verify", str(credential), "--at", AT)
    assert code == 1
    assert out.startswith("Verdict: Cannot be checked")

    code, out, _ = run(capsys, "verify", str(credential), "--at", AT, "--resource", f"{LIST_URL}={status_file}")
    assert code == 0, out

    revoked_credential, revoked_list = credential_with_status(tmp_path, key_file, revoked=True)
    code, out, _ = run(
        capsys, "verify", str(revoked_credential), "--at", AT, "--json", "--resource", f"{LIST_URL}={revoked_list}"
    )
    assert (code, json.loads(out)["verdict"]) == (1, "revoked")


def test_resource_file_missing_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path) -> None:
    credential, _ = credential_with_status(tmp_path, key_file, revoked=False)
    code, _, err = run(capsys, "verify", str(credential), "--resource", f"{LIST_URL}={tmp_path / 'none.json'}")
    assert code == 2
    assert "no such file" in err


def test_allow_host_fetches_only_listed_hosts_through_the_guard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential, status_file = credential_with_status(tmp_path, key_file, revoked=False)
    requested: list[str] = []

    def transport(url: str, accept: str, max_bytes: int, timeout: float) -> FetchResult:
        requested.append(url)
        if url == LIST_URL:
            return FetchResult(url, status_file.read_bytes())
        raise FetchError(f"{url} answered HTTP 404.")

    def fake_fetcher(hosts: frozenset[str], *, public: bool = True) -> AllowlistFetcher:
        return AllowlistFetcher(allowed_hosts=hosts, transport=transport, address_check=lambda host: public)

    monkeypatch.setattr(cli, "make_allowlist_fetcher", fake_fetcher)
    code, out, _ = run(capsys, "verify", str(credential), "--at", AT, "--allow-host", "status.academy.example")
    assert code == 0, out
    assert requested == [LIST_URL]

    requested.clear()
    code, out, _ = run(capsys, "verify", str(credential), "--at", AT, "--allow-host", "other.example")
    assert code == 1
    assert "not allowed" in out
    assert requested == []

    monkeypatch.setattr(cli, "make_allowlist_fetcher", lambda hosts: fake_fetcher(hosts, public=False))
    code, out, _ = run(capsys, "verify", str(credential), "--at", AT, "--allow-host", "status.academy.example")
    assert code == 1
    assert "private, loopback or link-local" in out
    assert requested == []
