"""Shared test helpers: service requirements that skip locally and fail in CI."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from importlib import resources
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI") == "true"


def require_service(available: bool, reason: str) -> None:
    """Skip when a service is missing; in CI (CI=true) a missing service fails the test instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    # Only ever loopback: services of this machine.
    assert host in {"127.0.0.1", "::1", "localhost"}
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


CHROMIUM = os.environ.get("CREDSTACK_CHROMIUM", "/usr/bin/chromium")


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


INTEROP = Path(__file__).resolve().parent / "interop"


def interop_node() -> str:
    """The ``node`` that runs the harnesses of tests/interop, once its npm packages are installed (``npm ci`` from
    its package-lock when one of package.json's dependencies is missing). Without Node and npm: skip, or fail in CI."""
    node, npm = shutil.which("node"), shutil.which("npm")
    require_service(node is not None and npm is not None, "Node.js and npm are not installed (node 20+)")
    assert node is not None and npm is not None
    dependencies = json.loads((INTEROP / "package.json").read_text())["dependencies"]
    if not all((INTEROP / "node_modules" / name).is_dir() for name in dependencies):
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=INTEROP, capture_output=True, text=True, timeout=600
        )
        require_service(installed.returncode == 0, f"npm ci failed in tests/interop: {installed.stderr[-500:]}")
    return node


def bundled_contexts() -> dict[str, str]:
    """credstack's bundled JSON-LD contexts, URL -> file, for the document loader of the harnesses."""
    folder = resources.files("credstack.vc") / "contexts"
    index = json.loads((folder / "index.json").read_text())
    return {url: str(folder / name) for url, name in index.items()}
