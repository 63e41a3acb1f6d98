"""The Celery application: eager in-process without ``REDIS_URL``, Redis-brokered workers with it.

Each worker also sends the sweep task (``credstack.awards.sweep``) to the first queue it consumes every
``CREDSTACK_SWEEP_SECONDS``, from the timer of its own event loop: bulk runs left by a killed pool child, claim
mail a broker or database outage held back and passes still waiting for their credential are picked up without
restarting anything, and without a separate beat process to run and keep single.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")

logger = logging.getLogger(__name__)

app = Celery("credstack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class SweepTimer(bootsteps.StartStopStep):
    """Queue the sweep on a timer of the worker's consumer (runs in the worker's main process, sends only)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.entry: Any = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        seconds = float(getattr(settings, "CREDSTACK_SWEEP_SECONDS", 60))
        if seconds <= 0:
            return
        queues = [q.name for q in getattr(parent.task_consumer, "queues", [])]
        queue = queues[0] if queues else None
        self.entry = parent.timer.call_repeatedly(seconds, self._send, (parent.app, queue, seconds), priority=10)

    def _send(self, celery_app: Any, queue: str | None, seconds: float) -> None:
        # Expires soon after the next tick: while every pool process is busy, sweeps do not pile up in the queue.
        options: dict[str, Any] = {"expires": max(2 * seconds, 10.0), **({"queue": queue} if queue else {})}
        try:
            celery_app.send_task("credstack.awards.sweep", kwargs={"queue": queue}, **options)
        except Exception:
            logger.warning("Could not queue the sweep; trying again at the next tick", exc_info=True)

    def stop(self, parent: Any) -> None:
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None


app.steps["consumer"].add(SweepTimer)
