"""A mail backend for benchmarks: each message is rendered to bytes, as a mail server would be sent it, and
dropped (the locmem backend would keep every one of 100,000 messages in memory)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            message.message().as_bytes()
        return len(email_messages)


#: ``CREDSTACK_EMAIL_BACKEND`` is read lower-cased (``SMTP`` and ``smtp`` alike), so a dotted path does too.
emailbackend = EmailBackend
