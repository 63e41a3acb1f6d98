"""Compile the hot path of the credential core (``credstack.vc.fastld``, ``credstack.vc.hotpath``) with mypyc.

Why: turning a credential into canonical N-Quads, checking it for JCS and encoding its proof value is pure Python on
the path of every signature and verification; mypyc (the mypy project's compiler, already a development
dependency) compiles the same type-checked source to a C extension that runs it about a third faster. Nothing
else changes: the source of truth stays the ``.py`` files.

How it stays safe:
- Each compiled module is a copy of the source under another name (``credstack.vc._fastld_native``, ...) with
  the sha256 of the source it was built from appended as ``NATIVE_SOURCE_DIGEST``. The module swaps itself for
  the compiled one at import (:mod:`credstack.vc.native`) only when that digest equals its own source's: an
  edited file runs as plain Python until this script is run again (``make`` does it when a file changes).
- No compiler, no headers, no mypyc: the script says so and exits 0; everything works, only slower.
  ``CREDSTACK_VC_PURE=1`` forces the plain module at run time.

Usage: ``python scripts/build_native.py [--clean]`` from the repository (``make native``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "credstack" / "vc"
MODULES = ("fastld", "hotpath")  # keep in step with credstack.vc.native.COMPILED


def built_files() -> list[Path]:
    found: list[Path] = []
    for name in MODULES:
        found += sorted(PACKAGE.glob(f"_{name}_native*.so")) + sorted(PACKAGE.glob(f"_{name}_native*.pyd"))
    return found


def copies() -> list[Path]:
    return [PACKAGE / f"_{name}_native.py" for name in MODULES]


def clean() -> None:
    for path in built_files():
        path.unlink()
    for copy in copies():
        with contextlib.suppress(FileNotFoundError):
            copy.unlink()


def build() -> int:
    clean()
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError as exc:
        print(f"native build skipped: {exc} (the hot path runs as plain Python)")
        return 0
    digests = []
    for name, copy in zip(MODULES, copies(), strict=True):
        source = (PACKAGE / f"{name}.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        digests.append(f"{name}.py {digest[:12]}")
        copy.write_bytes(source + f'\n\nNATIVE_SOURCE_DIGEST = "{digest}"\n'.encode())
    work = Path(tempfile.mkdtemp(prefix="credstack-native-"))
    config = work / "mypy.ini"
    # mypy's checks run on the copy as they run on fastld.py in `make lint`; the project's Django plugin is
    # not needed for the credential core, which never imports Django.
    config.write_text(
        f"[mypy]\npython_version = 3.11\nignore_missing_imports = True\ncache_dir = {work / 'mypy-cache'}\n"
    )
    previous = Path.cwd()
    try:
        os.chdir(SRC)
        extensions = mypycify(
            ["--config-file", str(config), *(str(copy.relative_to(SRC)) for copy in copies())],
            opt_level="3",
            separate=True,  # one library per module, beside it in the package (nothing at the top of src/)
            target_dir=str(work / "c"),
        )
        setup(
            name="credstack-native",
            ext_modules=extensions,
            script_args=[
                "--quiet",
                "build_ext",
                "--inplace",
                "--build-temp",
                str(work / "temp"),
                "--build-lib",
                str(work / "lib"),
            ],
        )
    except (Exception, SystemExit) as exc:  # a missing compiler surfaces as SystemExit or CompileError
        clean()
        print(f"native build failed, the hot path runs as plain Python: {exc}")
        return 0
    finally:
        os.chdir(previous)
        for copy in copies():
            with contextlib.suppress(FileNotFoundError):
                copy.unlink()
        shutil.rmtree(work, ignore_errors=True)
    names = ", ".join(path.name for path in built_files())
    print(f"native build: {names} (from sha256 {', '.join(digests)})")
    return 0


if __name__ == "__main__":
    if "--clean" in sys.argv[1:]:
        clean()
        sys.exit(0)
    sys.exit(build())
