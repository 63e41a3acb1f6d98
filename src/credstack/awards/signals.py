"""Signals of the awards app.

``credentials_issued`` is sent after the transaction that records new credentials commits, with
``sender=Credential`` and ``credentials=<list of Credential>`` (only those created, never one that an
idempotent re-run found already issued). The pathways app listens to re-evaluate the learners' stacks.
"""

from __future__ import annotations

from django.dispatch import Signal

credentials_issued = Signal()
