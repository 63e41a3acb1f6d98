"""Signals other apps listen to.

``assessment_passed`` is sent after the transaction that records a pass commits, with
``sender=Assessment`` and ``assessment=<Assessment>``. The award step connects a receiver that issues
the signed credential and then calls :func:`credstack.assessment.actions.do_mark_credential_issued`.
"""

from __future__ import annotations

from django.dispatch import Signal

assessment_passed = Signal()
