"""Signals of the signing app.

``signing_key_changed`` is sent inside the transaction that rotates or revokes a key, with
``sender=SigningKey``, ``organization=`` and ``revoked=`` (a bool). Documents the platform signs
itself and serves again later (status list credentials) are re-signed by their owners on it, in that
same transaction, so that a revoked key signs nothing that is still being served once it commits.
"""

from __future__ import annotations

from django.dispatch import Signal

signing_key_changed = Signal()
