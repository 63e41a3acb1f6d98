"""Catalog pages: the public catalog and detail pages, and the issuer's definition editor."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from credstack.catalog import actions, badges
from credstack.catalog.achievement import OB3_CONTEXT, achievement
from credstack.catalog.artwork import ICONS, SHAPES, clean_design, contrast_ratio, effective_design, render_svg
from credstack.catalog.definition import (
    ACHIEVEMENT_TYPES,
    ALIGNMENT_TARGET_TYPES,
    ARTIFACT_KINDS,
    EDUCATOR_ROLES,
    GRADE_BANDS,
    SUBJECT_AREAS,
    DefinitionError,
    parse_form,
)
from credstack.catalog.models import MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.organizations.models import Organization
from credstack.organizations.permissions import is_org_admin, require_org_admin


def search_versions(params: Any) -> tuple[Any, dict[str, str]]:
    """Published versions matching the catalog filters; shared by the page and the API."""
    qs = (
        MicroCredentialVersion.objects.published()
        .select_related("micro_credential__organization")
        .order_by("name", "pk")
    )
    filters = {key: (params.get(key) or "").strip() for key in ("q", "subject", "grade", "role", "org")}
    if filters["q"]:
        for word in filters["q"].lower().split()[:8]:
            qs = qs.filter(search_text__contains=word)
    if filters["subject"]:
        qs = qs.filter(facets__contains=f" subject:{filters['subject']} ")
    if filters["grade"]:
        qs = qs.filter(facets__contains=f" grade:{filters['grade']} ")
    if filters["role"]:
        qs = qs.filter(facets__contains=f" role:{filters['role']} ")
    if filters["org"]:
        qs = qs.filter(micro_credential__organization__slug=filters["org"])
    return qs, filters


def catalog_list(request: HttpRequest) -> HttpResponse:
    qs, filters = search_versions(request.GET)
    paginator = Paginator(qs, settings.CATALOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/list.html",
        {
            "page": page,
            "filters": filters,
            "querystring": query.urlencode(),
            "subjects": SUBJECT_AREAS,
            "grades": GRADE_BANDS,
            "roles": EDUCATOR_ROLES,
            "organizations": Organization.objects.filter(micro_credentials__versions__status=VersionStatus.PUBLISHED)
            .distinct()
            .order_by("name"),
            "total": paginator.count,
        },
    )


def _version_for(request: HttpRequest, org_slug: str, slug: str, version: int | None) -> MicroCredentialVersion:
    mc = get_object_or_404(
        MicroCredential.objects.select_related("organization"), organization__slug=org_slug, slug=slug
    )
    versions = mc.versions.all() if is_org_admin(request.user, mc.organization) else mc.versions.public()
    if version is not None:
        found = versions.filter(version=version).first()
    else:
        found = versions.filter(status=VersionStatus.PUBLISHED).first() or versions.order_by("-version").first()
    if found is None:
        raise Http404("No such micro-credential.")
    return found


def detail(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    raw_version = request.GET.get("version")
    if raw_version is not None and not raw_version.isdigit():
        raise Http404("No such version.")
    version = _version_for(request, org_slug, slug, int(raw_version) if raw_version else None)
    mc = version.micro_credential
    visible = mc.versions.all() if is_org_admin(request.user, mc.organization) else mc.versions.public()
    return render(
        request,
        "catalog/detail.html",
        {
            "v": version,
            "org": mc.organization,
            "versions": visible.order_by("-version"),
            "published": mc.published_version(),
            "related": [
                r for r in (m.published_version() for m in version.related.select_related("organization")) if r
            ],
            "can_manage": is_org_admin(request.user, mc.organization),
            "stacks": mc.stacks.filter(status="published").select_related("organization").order_by("name"),
        },
    )


def achievement_json(request: HttpRequest, org_slug: str, slug: str, version: int) -> JsonResponse:
    found = _version_for(request, org_slug, slug, version)
    if found.status == VersionStatus.DRAFT:
        raise Http404("Drafts have no public achievement.")
    return JsonResponse(
        {"@context": OB3_CONTEXT, **achievement(found)}, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )


#: Artwork of versions anyone may read changes only with a new version; a day's caching, then revalidation.
ARTWORK_CACHE_CONTROL = "public, max-age=86400"


@require_GET
def artwork(request: HttpRequest, org_slug: str, slug: str, version: int, ext: str) -> HttpResponse:
    """The version's badge artwork (uploaded or designed), as PNG or SVG, with an ETag."""
    if ext not in {"png", "svg"}:
        raise Http404("No such image.")
    found = _version_for(request, org_slug, slug, version)
    etag = badges.artwork_etag(found)[:-1] + f'-{ext}"'
    is_draft = found.status == VersionStatus.DRAFT
    cache_control = "private, no-cache" if is_draft else ARTWORK_CACHE_CONTROL
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    elif ext == "png":
        response = HttpResponse(badges.artwork_png(found), content_type="image/png")
    else:
        svg = badges.artwork_svg(found, issuer=found.micro_credential.organization.name)
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Content-Security-Policy"] = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


# --- the issuer's editor -------------------------------------------------------------------------


def _org_for_admin(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    require_org_admin(request.user, org)
    return org


def design_preview(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """The editor's badge designer: the design shown (stored or posted, completed from the default), its
    problems, and the SVG preview as a data: URL (the page's CSP allows data: images; no script needed)."""
    raw = data.get("design")
    posted: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = str(data.get("name") or "").strip() or "New micro-credential"
    cleaned, problems = clean_design(posted)
    shown = effective_design(cleaned, name, org.slug)
    drawn = render_svg(shown, label=f"Badge artwork: {shown['title']}")
    return {
        # What was typed stays in the form, even when refused; an empty title stands for the name.
        "values": {**shown, "title": "", **{k: v for k, v in posted.items() if isinstance(v, str)}},
        "problems": problems,
        "contrast": f"{contrast_ratio(shown['background'], shown['text_colour']):.1f}",
        "src": "data:image/svg+xml;base64," + base64.b64encode(drawn).decode("ascii"),
        "name": name,
    }


def _editor_context(org: Organization, data: dict[str, Any], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "org": org,
        "data": data,
        "errors": errors,
        "design": design_preview(org, data),
        "shapes": SHAPES,
        "colour_fields": (("background", "Background"), ("accent", "Accent"), ("text_colour", "Text colour")),
        "icons": ICONS,
        "subjects": SUBJECT_AREAS,
        "grades": GRADE_BANDS,
        "roles": EDUCATOR_ROLES,
        "kinds": ARTIFACT_KINDS,
        "achievement_types": ACHIEVEMENT_TYPES,
        "target_types": ALIGNMENT_TARGET_TYPES,
        **extra,
    }


def _blank_definition() -> dict[str, Any]:
    return {
        "achievement_type": "MicroCredential",
        "subject_areas": [],
        "grade_bands": [],
        "roles": ["teacher"],
        "alignments": [{}],
        "resources": [{}],
        "submission": {
            "overview_questions": [{"word_limit": 300}],
            "artifacts": [{"accepted_kinds": ["document"]}],
            "reflection_word_limit": 400,
        },
        "rubric": {
            "criteria": [
                {
                    "levels": [
                        {"name": "Not yet", "points": 0},
                        {"name": "Developing", "points": 1},
                        {"name": "Proficient", "points": 2},
                        {"name": "Exemplary", "points": 3},
                    ],
                    "passing_level": "proficient",
                }
            ]
        },
    }


def _form_data(request: HttpRequest) -> dict[str, Any]:
    """The posted definition, in the shared format, for re-display: nothing typed is lost."""
    data = parse_form(request.POST)
    for key in ("method_components", "supporting_research"):
        if isinstance(data.get(key), str):
            data[key] = [
                line.strip()
                for line in data[key].split("\n\n" if key == "supporting_research" else "\n")
                if line.strip()
            ]
    return data


def _as_lists(data: Any) -> Any:
    """Form-parsed {"0": .., "1": ..} maps back into lists for the template loops."""
    if isinstance(data, dict):
        if data and all(str(k).isdigit() for k in data):
            return [_as_lists(data[k]) for k in sorted(data, key=int)]
        return {k: _as_lists(v) for k, v in data.items()}
    return data


@login_required
def editor_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = _org_for_admin(request, org_slug)
    if request.method == "POST" and request.POST.get("then") == "preview":
        return _preview_page(request, org, slug=request.POST.get("slug", ""), is_new=True)
    if request.method == "POST":
        data = _form_data(request)
        try:
            version = actions.do_create_micro_credential(
                organization=org,
                data=data,
                slug=request.POST.get("slug", ""),
                actor=request.user,
                image=request.FILES.get("image"),
            )
        except DefinitionError as exc:
            return render(
                request,
                "catalog/editor.html",
                _editor_context(
                    org, _as_lists(data), exc.errors_by_path, slug=request.POST.get("slug", ""), is_new=True
                ),
                status=400,
            )
        messages.success(request, f"Draft “{version.name}” saved. Publish it when it is ready.")
        return redirect("catalog:edit", org.slug, version.micro_credential.slug)
    return render(request, "catalog/editor.html", _editor_context(org, _blank_definition(), {}, is_new=True))


@login_required
def editor_edit(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    org = _org_for_admin(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    draft = mc.draft_version()
    if draft is None:
        return render(request, "catalog/no_draft.html", {"org": org, "mc": mc, "latest": mc.latest_version()})
    if request.method == "POST" and request.POST.get("then") == "preview":
        return _preview_page(request, org, version=draft, mc=mc)
    if request.method == "POST":
        data = _form_data(request)
        try:
            actions.do_update_draft(
                version=draft,
                data=data,
                actor=request.user,
                image=request.FILES.get("image"),
                remove_image=request.POST.get("remove_image") == "1",
            )
        except DefinitionError as exc:
            return render(
                request,
                "catalog/editor.html",
                _editor_context(org, _as_lists(data), exc.errors_by_path, version=draft, mc=mc),
                status=400,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("catalog:edit", org.slug, mc.slug)
        messages.success(request, f"Draft version {draft.version} saved.")
        if request.POST.get("then") == "publish":
            return _publish(request, org, draft)
        return redirect("catalog:edit", org.slug, mc.slug)
    return render(request, "catalog/editor.html", _editor_context(org, draft.definition(), {}, version=draft, mc=mc))


def _preview_page(request: HttpRequest, org: Organization, **extra: Any) -> HttpResponse:
    """The editor again with what was typed and the badge drawn from it; nothing is saved (the no-JavaScript
    way to preview a design)."""
    data = _form_data(request)
    problems = design_preview(org, data)["problems"]
    if not problems:
        messages.info(request, "Badge preview updated below. Nothing is saved until you save the draft.")
    return render(request, "catalog/editor.html", _editor_context(org, _as_lists(data), problems, **extra))


@login_required
@require_GET
def design_preview_json(request: HttpRequest, org_slug: str) -> JsonResponse:
    """The badge drawn from the designer's fields (query string), for the editor's live preview."""
    org = _org_for_admin(request, org_slug)
    data = parse_form(request.GET)
    preview = design_preview(org, data)
    return JsonResponse(
        {"src": preview["src"], "problems": preview["problems"], "contrast": preview["contrast"]},
        headers={"Cache-Control": "private, no-store"},
    )


def _publish(request: HttpRequest, org: Organization, version: MicroCredentialVersion) -> HttpResponse:
    try:
        actions.do_publish_version(version=version, actor=request.user)
    except DefinitionError as exc:
        messages.error(request, "This draft is not complete yet: " + "; ".join(exc.errors_by_path.values()))
        return redirect("catalog:edit", org.slug, version.micro_credential.slug)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("organizations:dashboard", org.slug)
    messages.success(request, f"“{version.name}” version {version.version} is published.")
    return redirect(version.get_absolute_url())


@login_required
@require_POST
def publish(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    org = _org_for_admin(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    draft = mc.draft_version()
    if draft is None:
        messages.error(request, "There is no draft to publish.")
        return redirect("organizations:dashboard", org.slug)
    return _publish(request, org, draft)


@login_required
@require_POST
def new_version(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    org = _org_for_admin(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    try:
        draft = actions.do_start_new_version(micro_credential=mc, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("organizations:dashboard", org.slug)
    messages.info(request, f"Version {draft.version} is a draft; the published version stays live until you publish.")
    return redirect("catalog:edit", org.slug, mc.slug)


@login_required
@require_POST
def retire(request: HttpRequest, org_slug: str, slug: str) -> HttpResponse:
    org = _org_for_admin(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    try:
        version = actions.do_retire_micro_credential(micro_credential=mc, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{version.name}” is retired: it left the catalog; earned credentials stay valid.")
    return redirect("organizations:dashboard", org.slug)
