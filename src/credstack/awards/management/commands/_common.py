"""Shared helpers of the awards commands: the organization argument, readable errors, exit code 2."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from credstack.organizations.models import Organization


def organization(slug: str) -> Organization:
    found = Organization.objects.filter(slug=slug).first()
    if found is None:
        known = ", ".join(Organization.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise CommandError(f"No organization with slug {slug!r} (known: {known}).", returncode=2)
    return found


def unusable(exc: ValidationError) -> CommandError:
    if hasattr(exc, "error_dict"):
        text = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        text = " ".join(exc.messages)
    return CommandError(text, returncode=2)


class ProgressBar:
    """A one-line progress bar on stderr (redrawn in place on a terminal, every 10% otherwise)."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total, self.stream, self.width = max(total, 1), stream or sys.stderr, width
        self.started = time.monotonic()
        self._last_decile = -1

    def update(self, done: int, **extra: Any) -> None:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.width)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {fraction:4.0%} {rate:6.1f}/s"
        if self.stream.isatty():
            self.stream.write("\r" + line)
        elif int(fraction * 10) != self._last_decile:
            self._last_decile = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.stream.isatty():
            self.stream.write("\n")
            self.stream.flush()
