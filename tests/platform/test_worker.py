"""Background tasks: eager in-process by default, Celery workers on Redis when REDIS_URL is set."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from credstack.core.mail import send_after_commit
from tests.conftest import port_open, require_service

REDIS_URL = os.environ.get("CREDSTACK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_eager_tasks_send_mail_after_commit(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send_after_commit("Subject", "Body", ["someone@example.org"])
        assert mail.outbox == []  # nothing leaves before the commit
    assert [m.subject for m in mail.outbox] == ["Subject"]


def test_rolled_back_transaction_sends_nothing(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_after_commit("Subject", "Body", ["someone@example.org"])
            raise RuntimeError("boom")
    assert callbacks == [] and mail.outbox == []


@pytest.mark.redis
def test_celery_worker_on_redis(tmp_path: Path) -> None:
    require_service(port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    from celery import Celery

    queue = f"test-{uuid.uuid4().hex}"  # a queue of its own: other runs on this Redis never take its tasks
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "CREDSTACK_HOME": str(tmp_path / "home"),
        "CREDSTACK_EMAIL_BACKEND": "file",
        "CREDSTACK_EMAIL_DIR": str(mail_dir),
        "DJANGO_SETTINGS_MODULE": "credstack.settings",
    }
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "credstack.cli",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--queues",
            queue,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # Not the current app: shared tasks resolve through the current app, so a client that became it would
        # send every later task of this test process to Redis instead of running it eagerly.
        client = Celery("credstack-test", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
        assert client.send_task("credstack.core.ping", queue=queue).get(timeout=60) == "pong"
        sent = client.send_task(
            "credstack.core.send_mail", args=["Hello", "From the worker", ["a@example.org"]], queue=queue
        )
        assert sent.get(timeout=60) == 1
        deadline = time.monotonic() + 10
        while not list(mail_dir.glob("*.log")) and time.monotonic() < deadline:
            time.sleep(0.1)
        messages = [p.read_text() for p in mail_dir.glob("*.log")]
        assert any("From the worker" in m for m in messages)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.parametrize(("value", "queue"), [("", "celery"), ("credstack-staging", "credstack-staging")])
def test_the_task_queue_is_chosen_by_the_environment(tmp_path: Path, value: str, queue: str) -> None:
    """Installations sharing one Redis database (or a benchmark beside them) each send to and consume their own."""
    env = {**os.environ, "CREDSTACK_HOME": str(tmp_path), "CREDSTACK_TASK_QUEUE": value}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    shown = subprocess.run(
        [sys.executable, "-c", "import credstack.settings as s; print(s.CELERY_TASK_DEFAULT_QUEUE)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == queue
