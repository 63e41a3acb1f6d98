"""``credstack serve``: the production server (gunicorn worker processes) starts, answers and stops."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

needs_gunicorn = pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is None or os.name != "posix", reason="gunicorn (Unix) is not installed"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_gunicorn
def test_serve_with_workers_answers_and_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CREDSTACK_HOME": str(tmp_path), "CREDSTACK_BASE_URL": f"http://127.0.0.1:{port}"}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    server = subprocess.Popen(
        [sys.executable, "-m", "credstack.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body, deadline = None, time.monotonic() + 60
        while body is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    body = response.read()
            except OSError:
                time.sleep(0.2)
        assert body is not None and b'"status": "ok"' in body, server.poll()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "gunicorn, 2 worker processes" in output
    assert server.returncode == 0, output


@pytest.mark.parametrize(
    ("options", "message"),
    [(["--workers", "0"], "--workers must be between 1 and 64"), (["--threads", "0"], "--threads must be")],
)
def test_serve_refuses_bad_options(options: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("serve", *options)


def test_workers_without_gunicorn_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from credstack.core.management.commands import serve

    monkeypatch.setattr(serve, "gunicorn_available", lambda: False)
    with pytest.raises(CommandError, match="need gunicorn"):
        call_command("serve", "--workers", "2")
