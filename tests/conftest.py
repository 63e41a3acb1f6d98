"""Shared test helpers: service requirements that skip locally and fail in CI."""

from __future__ import annotations

import os
import shutil
import socket

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
