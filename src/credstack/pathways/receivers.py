"""Signal receivers: every issued credential of a micro-credential that is part of a published stack
queues the evaluation of that learner's stacks."""

from __future__ import annotations

from typing import Any


def on_credentials_issued(sender: Any, credentials: list[Any], **kwargs: Any) -> None:
    from credstack.pathways.models import StackRequirement, StackStatus
    from credstack.pathways.tasks import evaluate_stacks

    in_stacks = set(
        StackRequirement.objects.filter(stack__status=StackStatus.PUBLISHED).values_list(
            "micro_credential_id", flat=True
        )
    )
    relevant = [
        c.pk
        for c in credentials
        if c.version_id is not None and c.recipient_email and c.version.micro_credential_id in in_stacks
    ]
    if relevant:
        evaluate_stacks.delay(relevant)


def connect() -> None:
    from credstack.awards.signals import credentials_issued

    credentials_issued.connect(on_credentials_issued, dispatch_uid="pathways.evaluate_stacks")
