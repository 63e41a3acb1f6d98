"""Mail is sent after the transaction commits, through the task queue.

:class:`SameSubjectMail` is Django's message with its Subject header encoded once per distinct subject: a bulk run
sends hundreds of mails with one subject, and encoding a non-ASCII subject (``email.header.Header`` weighing
quoted-printable against base64 character by character) cost about as much as building and signing the
credential. The bytes of each message are the ones Django builds.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.mail.message import forbid_multi_line_headers
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


@functools.lru_cache(maxsize=256)
def encoded_subject(subject: str, encoding: str) -> str:
    """The Subject header value Django writes for ``subject`` (refusing newlines as it does)."""
    return str(forbid_multi_line_headers("Subject", subject, encoding)[1])


class SameSubjectMail(EmailMultiAlternatives):
    """What :func:`django.core.mail.send_mail` sends, with the subject's encoding kept between messages."""

    def message(self, **options: Any) -> Any:
        subject = str(self.subject)
        self.subject = "-"  # ASCII: Django's own encoding of it is trivial, and it is replaced below
        try:
            msg = super().message(**options)
        finally:
            self.subject = subject
        msg.replace_header("Subject", encoded_subject(subject, self.encoding or settings.DEFAULT_CHARSET))
        return msg
