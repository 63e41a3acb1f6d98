"""Background tasks of the platform core."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    name="credstack.core.send_mail", autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=120, max_retries=8
)
def send_mail_task(subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text mail through the configured backend; retried when SMTP is unreachable."""
    return send_mail(subject, body, None, recipients)


@shared_task(name="credstack.core.ping")
def ping() -> str:
    """Round-trip check for operators: ``credstack shell -c`` or the worker health test."""
    return "pong"
