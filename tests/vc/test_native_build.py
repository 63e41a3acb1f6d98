"""The compiled hot path (scripts/build_native.py) is the same source as the plain one, and is only used then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import IN_CI

from credstack.vc import native

ROOT = Path(__file__).resolve().parents[2]

# canonical N-Quads, a signature's proof value and a JCS form of the reference credential, as the subprocess
# computes them with one implementation or the other
PROBE = """
import json, sys
from benchmarks.reference import load, variant
from credstack.vc import fastld, hotpath, native, proofs, suites
from credstack.vc.keys import Ed25519Key
key = Ed25519Key.generate(bytes(range(32)))
documents = [variant(load(), n) for n in range(25)]
signed = [proofs.add_proof(doc, key, created="2026-03-01T00:00:00Z") for doc in documents]
print(json.dumps({
    "implementations": native.implementations(),
    "nquads": [fastld.to_nquads(doc) for doc in documents],
    "proofs": [doc["proof"]["proofValue"] for doc in signed],
    "jcs": [suites._jcs(doc).decode() for doc in documents],
    "b58": hotpath.b58encode(bytes(range(64))),
    "fallback": fastld.stats()["fallback"],
}))
"""


def _probe(pure: bool) -> dict[str, object]:
    env = {**os.environ, "CREDSTACK_VC_PURE": "1" if pure else "0", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_compiled_and_plain_give_the_same_bytes() -> None:
    plain = _probe(pure=True)
    assert set(plain.pop("implementations").values()) == {native.PURE}  # type: ignore[attr-defined]
    compiled = _probe(pure=False)
    implementations = compiled.pop("implementations")
    if set(implementations.values()) != {native.NATIVE}:  # type: ignore[attr-defined]
        if IN_CI:
            pytest.fail(f"CI builds the hot path with mypyc (make venv); running: {implementations}")
        pytest.skip(f"no current native build (python scripts/build_native.py): {implementations}")
    assert compiled == plain
    assert plain["fallback"] == 0  # all of it on the fast path


def test_a_build_of_other_source_is_not_used(tmp_path: Path) -> None:
    # a compiled module whose digest is not the one of the source file next to it stays unused
    source = tmp_path / "fastld.py"
    source.write_text("# edited since the build\n")
    assert native.compiled_module("credstack.vc.fastld", str(source)) is None
    assert native.compiled_module("credstack.vc.jsonld", str(source)) is None  # not a compilable module
