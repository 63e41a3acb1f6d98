"""Mail is sent after the transaction commits, through the task queue."""

from __future__ import annotations

from django.db import transaction

from credstack.core.tasks import send_mail_task


def send_after_commit(subject: str, body: str, recipients: list[str]) -> None:
    transaction.on_commit(lambda: send_mail_task.delay(subject, body, recipients))
