"""The organization's program page: ``/manage/<org>/program/`` (organization admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from credstack.organizations.models import Organization
from credstack.organizations.permissions import require_org_admin
from credstack.program.queries import chart, program

#: The figures count over every credential and submission of the organization (hundreds of milliseconds at a
#: million credentials): they are computed at most once a minute per organization and the page says when.
PROGRAM_CACHE_SECONDS = 60


@login_required
@require_GET
def overview(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    kept = cache.get_or_set(
        f"credstack:program:{org.pk}", lambda: (program(org), timezone.now()), PROGRAM_CACHE_SECONDS
    )
    found, as_of = kept if kept is not None else (program(org), timezone.now())
    return render(
        request,
        "program/program.html",
        {"org": org, "p": found, "chart": chart(found.months), "as_of": as_of, "refresh": PROGRAM_CACHE_SECONDS},
    )
