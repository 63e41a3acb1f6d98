from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    memberships = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        memberships = list(user.memberships.select_related("organization").order_by("organization__name"))
    return {"BASE_URL": settings.CREDSTACK_BASE_URL, "my_memberships": memberships}
