"""The learner's profile page (``/learning/profile/``): what they teach and want to learn."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from credstack.catalog.definition import EDUCATOR_ROLES, GRADE_BANDS, SUBJECT_AREAS
from credstack.discovery import actions


def _page(request: HttpRequest, data: dict[str, Any], errors: dict[str, str]) -> HttpResponse:
    return render(
        request,
        "discovery/profile.html",
        {
            "data": data,
            "errors": errors,
            "subjects": SUBJECT_AREAS,
            "grades": GRADE_BANDS,
            "roles": EDUCATOR_ROLES,
        },
        status=400 if errors else 200,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        current = actions.profile_of(request.user)
        data = {
            "subjects": current.subjects,
            "grade_bands": current.grade_bands,
            "roles": current.roles,
            "goals": current.goals,
        }
        return _page(request, data, {})
    data = {
        "subjects": request.POST.getlist("subjects"),
        "grade_bands": request.POST.getlist("grade_bands"),
        "roles": request.POST.getlist("roles"),
        "goals": request.POST.get("goals", ""),
    }
    try:
        actions.do_update_learner_profile(user=request.user, data=data, actor=request.user)
    except ValidationError as exc:
        return _page(request, data, {k: " ".join(v) for k, v in exc.message_dict.items()})
    messages.success(request, "Saved. My learning now suggests micro-credentials that fit.")
    return redirect("assessment:my_learning")
