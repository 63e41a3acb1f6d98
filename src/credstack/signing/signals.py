"""Signals of the signing app.

``signing_key_changed`` is sent after the transaction that rotates or revokes a key commits, with
``sender=SigningKey``, ``organization=`` and ``revoked=`` (a bool). Documents the platform signs
itself and serves again later (status list credentials) are re-signed by their owners on it, so
that a revoked key signs nothing that is still being served.
"""

from __future__ import annotations

from django.dispatch import Signal

signing_key_changed = Signal()
