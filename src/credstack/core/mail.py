"""Mail is sent after the transaction commits, through the task queue."""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.db import transaction

from credstack.core.tasks import send_mail_task

logger = logging.getLogger(__name__)


def send_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    transaction.on_commit(lambda: _queue_or_send(subject, body, recipients))


def _queue_or_send(subject: str, body: str, recipients: list[str]) -> None:
    if send_mail_task.app.conf.task_always_eager:
        send_mail_task.delay(subject, body, recipients)  # no broker: runs here (and its failure is the task's)
        return
    try:
        send_mail_task.delay(subject, body, recipients)
        return
    except Exception:
        # The broker is down: the work is committed, so send from this process rather than lose the mail
        # or fail the request that did the work.
        logger.warning("Could not queue a mail to %d recipient(s); sending it directly", len(recipients))
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("A mail to %d recipient(s) could not be sent", len(recipients))
