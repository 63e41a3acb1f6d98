"""Run a module as its mypyc build when one of the same source is installed (``scripts/build_native.py``).

The modules on the hot path of every signature and verification (:mod:`credstack.vc.fastld`,
:mod:`credstack.vc.hotpath`) end by calling :func:`install`. When ``scripts/build_native.py`` (``make native``,
part of ``make venv``) compiled a copy of that module's source with mypyc, and the digest the build recorded
equals the digest of the source file as it is now, the module puts the compiled one in its place in
``sys.modules``: every later import gets the compiled code. Otherwise (no build, no compiler, the source edited
since) the plain module stays — same results, slower. ``CREDSTACK_VC_PURE=1`` keeps the plain modules.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from types import ModuleType

#: compilable module -> the module name its compiled copy is built under
COMPILED = {
    "credstack.vc.fastld": "credstack.vc._fastld_native",
    "credstack.vc.hotpath": "credstack.vc._hotpath_native",
}
PURE = "pure Python"
NATIVE = "compiled (mypyc)"


def pure_requested() -> bool:
    return os.environ.get("CREDSTACK_VC_PURE", "") not in ("", "0")


def compiled_module(name: str, source_file: str) -> ModuleType | None:
    """The compiled copy of module ``name`` if it is built from ``source_file`` as it is now, else None."""
    target = COMPILED.get(name)
    if target is None or pure_requested():
        return None
    try:
        native = importlib.import_module(target)
    except ImportError:
        return None
    with open(source_file, "rb") as source:
        digest = hashlib.sha256(source.read()).hexdigest()
    if getattr(native, "NATIVE_SOURCE_DIGEST", None) != digest:
        return None  # built from another version of the file: run the file as it is
    return native


def install(name: str, source_file: str) -> None:
    """Put the compiled copy of module ``name`` in its place, when there is a current one (see the module doc)."""
    native = compiled_module(name, source_file)
    if native is not None:
        setattr(native, "IMPLEMENTATION", NATIVE)  # noqa: B010 (a module attribute mypy cannot see)
        sys.modules[name] = native


def implementations() -> dict[str, str]:
    """Each compilable module and what runs: :data:`PURE` or :data:`NATIVE`."""
    return {name: getattr(importlib.import_module(name), "IMPLEMENTATION", PURE) for name in COMPILED}
