"""Background tasks of pathways: evaluating stacks after awards and when a stack is published.

Both are idempotent: a stack credential's ``source`` is unique per stack and learner, so a task run twice
(a redelivery, two components awarded at once) awards the stack once.
"""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    name="credstack.pathways.evaluate_stacks", autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=8
)
def evaluate_stacks(credential_ids: list[int]) -> list[str]:
    """Award the stacks these credentials complete; the ids of the stack credentials awarded."""
    from credstack.awards.models import Credential
    from credstack.pathways.actions import LIGHT, do_evaluate_stacks

    credentials = (
        Credential.objects.filter(pk__in=credential_ids).select_related("version", "recipient_user").only(*LIGHT)
    )
    return [c.credential_id for c in do_evaluate_stacks(credentials=credentials)]


@shared_task(
    name="credstack.pathways.evaluate_stack_holders",
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=8,
)
def evaluate_stack_holders(stack_id: int) -> list[str]:
    """After publishing: award the stack to everyone who has already completed it."""
    from credstack.pathways.actions import do_evaluate_stacks, holders_of
    from credstack.pathways.models import Stack

    stack = Stack.objects.select_related("organization").get(pk=stack_id)
    return [c.credential_id for c in do_evaluate_stacks(credentials=holders_of(stack))]
