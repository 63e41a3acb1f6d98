"""The organization's program page: ``/manage/<org>/program/`` (organization admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from credstack.organizations.models import Organization
from credstack.organizations.permissions import require_org_admin
from credstack.program.queries import chart, program


@login_required
@require_GET
def overview(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    found = program(org)
    return render(request, "program/program.html", {"org": org, "p": found, "chart": chart(found.months)})
