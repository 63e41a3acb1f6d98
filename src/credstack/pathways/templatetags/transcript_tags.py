"""Template filters of the transcript."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value: Decimal | None) -> str:
    """PD hours and credits as people write them: 2.50 -> "2.5", 12.00 -> "12", None -> "—"."""
    from credstack.pathways.transcript import format_hours

    return format_hours(value)
