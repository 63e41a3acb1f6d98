from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from credstack.catalog.models import MicroCredentialVersion


def home(request: HttpRequest) -> HttpResponse:
    featured = (
        MicroCredentialVersion.objects.published()
        .select_related("micro_credential__organization")
        .order_by("-published_at")[:6]
    )
    return render(
        request, "home.html", {"featured": featured, "count": MicroCredentialVersion.objects.published().count()}
    )


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
