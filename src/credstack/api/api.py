"""The JSON API (Django Ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

Errors are RFC 9457 problem details (``application/problem+json``) with, for invalid input, an
``errors`` map of field path -> message, the same paths the editor shows beside its fields.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth
from ninja.security.base import AuthBase

from credstack.catalog import actions
from credstack.catalog.achievement import OB3_CONTEXT, achievement
from credstack.catalog.definition import DefinitionError
from credstack.catalog.models import MicroCredential, MicroCredentialVersion, VersionStatus
from credstack.catalog.views import search_versions
from credstack.core.inputs import WebUrl, WebUrlOrEmpty
from credstack.organizations import oauth
from credstack.organizations.models import OAUTH_SCOPES, ApiKey, OAuthAccessToken, Organization, Role
from credstack.organizations.permissions import creator_may_act, is_org_admin

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str = "", **extra: Any) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, **({"detail": detail} if detail else {}), **extra}
    return JsonResponse(body, status=status, content_type=PROBLEM)


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer cs_…``: an organization's API key, stored hashed; it acts with the rights of the
    admin who made it, and only while that person is still the organization's admin."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = (
            ApiKey.objects.select_related("organization", "created_by")
            .filter(key_hash=ApiKey.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if key is None or not creator_may_act(key.created_by, key.organization):
            return None
        request.api_key = key  # type: ignore[attr-defined]
        return key


class OAuthTokenAuth(AuthBase):
    """``Authorization: Bearer cst_…``: an access token from ``/oauth/token`` (OAuth 2.0 client credentials)."""

    openapi_type = "oauth2"
    # A relative reference (allowed by OpenAPI 3), so the document is right whatever the host.
    openapi_flows = {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": OAUTH_SCOPES}}

    def __call__(self, request: HttpRequest) -> OAuthAccessToken | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = oauth.access_token(value.strip())
        if token is not None:
            request.oauth_token = token  # type: ignore[attr-defined]
        return token


api = NinjaAPI(
    title="credstack API",
    version="1",
    description="Micro-credential catalog, issuance and verification. Errors are problem details (RFC 9457).",
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(DefinitionError)
def _definition_error(request: HttpRequest, exc: DefinitionError) -> HttpResponse:
    return problem(
        400,
        "The definition is not valid",
        "Fix the fields listed in errors and send it again; nothing was saved.",
        errors=exc.errors_by_path,
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
    return problem(
        409 if not errors else 400,
        "The request cannot be carried out",
        " ".join(exc.messages),
        **({"errors": errors} if errors else {}),
    )


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = {
        ".".join(str(p) for p in e.get("loc", [])[1:] or e.get("loc", [])): e.get("msg", "invalid") for e in exc.errors
    }
    return problem(422, "The request body or parameters are not valid", "See errors.", errors=errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "Not found", str(exc) or "No such object.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(401, "Authentication required", "Sign in or send an organization API key as a Bearer token.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(exc.status_code, str(exc.message))


# --- schemas -------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    slug: str
    name: str
    url: str
    email: str
    description: str
    issuer_id: str


class VersionSummary(Schema):
    organization: str
    slug: str
    version: int
    status: str
    name: str
    summary: str
    subject_areas: list[str]
    grade_bands: list[str]
    roles: list[str]
    estimated_hours: int
    pd_hours: str | None
    url: str
    achievement_id: str
    image: str = Field(description="The badge artwork (PNG): the uploaded image, or the designed badge")


class VersionDetail(VersionSummary):
    definition: dict[str, Any]
    published_at: str | None
    versions: list[dict[str, Any]]


class CatalogPage(Schema):
    count: int
    page: int
    pages: int
    items: list[VersionSummary]


class CatalogFilters(Schema):
    q: str = ""
    subject: str = ""
    grade: str = ""
    role: str = ""
    org: str = ""
    page: int = 1


class LevelIn(Schema):
    key: str | None = None
    name: str
    description: str = ""
    points: int | None = None


class CriterionIn(Schema):
    key: str | None = None
    name: str
    description: str = ""
    levels: list[LevelIn]
    passing_level: str


class RubricIn(Schema):
    criteria: list[CriterionIn]
    passing_rule: str = "all-criteria-at-passing-level"


class QuestionIn(Schema):
    prompt: str
    word_limit: int


class ArtifactIn(Schema):
    title: str
    description: str
    accepted_kinds: list[str]


class SubmissionIn(Schema):
    overview_questions: list[QuestionIn] = []
    artifacts: list[ArtifactIn]
    reflection_prompt: str = ""
    reflection_word_limit: int | None = None


class AlignmentIn(Schema):
    target_name: str
    target_url: WebUrl
    target_type: str = ""
    target_code: str = ""
    target_framework: str = ""
    target_description: str = ""


class ResourceIn(Schema):
    title: str
    url: WebUrlOrEmpty = ""


class BadgeDesignIn(Schema):
    """The badge designer's choices; anything left out is derived from the name (an empty title: the name)."""

    shape: str = Field("", description="circle, shield, hexagon, rounded-square or ribbon")
    background: str = Field("", description="#rrggbb")
    accent: str = Field("", description="#rrggbb")
    text_colour: str = Field("", description="#rrggbb, with at least 4.5:1 contrast on the background")
    icon: str = Field(
        "",
        description="book, chalkboard, lightbulb, star, check, gear, people, chart, code, heart, globe, pencil, flask",
    )
    title: str = Field("", description="Up to 60 characters, fitted into at most three lines")


class DefinitionIn(Schema):
    """A micro-credential definition; the same shape the editor and the demo program use."""

    name: str
    summary: str
    competency_statement: str
    key_method: str
    method_components: list[str] = []
    supporting_research: list[str] = []
    resources: list[ResourceIn] = []
    criteria_narrative: str = ""
    alignments: list[AlignmentIn] = []
    tags: list[str] = []
    achievement_type: str = "MicroCredential"
    credits_available: str | None = None
    subject_areas: list[str]
    grade_bands: list[str]
    roles: list[str] = []
    estimated_hours: int
    pd_hours: str | None = None
    expiry_months: int | None = None
    max_attempts: int = 3
    submission: SubmissionIn
    rubric: RubricIn
    design: BadgeDesignIn | None = None


class CreateIn(DefinitionIn):
    slug: str


class MeOut(Schema):
    email: str | None
    name: str | None
    organizations: list[dict[str, str]]


def _summary(v: MicroCredentialVersion) -> dict[str, Any]:
    return {
        "organization": v.micro_credential.organization.slug,
        "slug": v.micro_credential.slug,
        "version": v.version,
        "status": v.status,
        "name": v.name,
        "summary": v.summary,
        "subject_areas": v.subject_areas,
        "grade_bands": v.grade_bands,
        "roles": v.roles,
        "estimated_hours": v.estimated_hours,
        "pd_hours": str(v.pd_hours) if v.pd_hours is not None else None,
        "url": settings.CREDSTACK_BASE_URL + v.get_absolute_url(),
        "achievement_id": v.achievement_id,
        "image": settings.CREDSTACK_BASE_URL + v.artwork_url(),
    }


def _detail(v: MicroCredentialVersion, visible: Any) -> dict[str, Any]:
    return {
        **_summary(v),
        "definition": v.definition(),
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "versions": [{"version": o.version, "status": o.status} for o in visible.order_by("-version")],
    }


# --- public catalog ------------------------------------------------------------------------------

catalog = Router(tags=["catalog"])


@catalog.get("/organizations", response=list[OrganizationOut], summary="Issuing organizations")
def list_organizations(request: HttpRequest) -> Any:
    return [
        {
            "slug": o.slug,
            "name": o.name,
            "url": o.url,
            "email": o.email,
            "description": o.description,
            "issuer_id": o.issuer_id,
        }
        for o in Organization.objects.order_by("name")
    ]


@catalog.get("/microcredentials", response=CatalogPage, summary="Search the published catalog")
def list_micro_credentials(request: HttpRequest, filters: Query[CatalogFilters]) -> Any:
    qs, _ = search_versions(filters.dict())
    paginator = Paginator(qs, settings.CATALOG_PAGE_SIZE)
    page = paginator.get_page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "items": [_summary(v) for v in page.object_list],
    }


@catalog.get(
    "/microcredentials/{org_slug}/{slug}",
    response=VersionDetail,
    summary="One micro-credential (the published version, or ?version=N)",
)
def get_micro_credential(request: HttpRequest, org_slug: str, slug: str, version: int | None = None) -> Any:
    mc = get_object_or_404(
        MicroCredential.objects.select_related("organization"), organization__slug=org_slug, slug=slug
    )
    visible = mc.versions.all() if _can_manage(request, mc.organization) else mc.versions.public()
    found = (
        visible.filter(version=version).first()
        if version is not None
        else visible.filter(status=VersionStatus.PUBLISHED).first() or visible.order_by("-version").first()
    )
    if found is None:
        raise Http404("No such micro-credential.")
    return _detail(found, visible)


@catalog.get(
    "/microcredentials/{org_slug}/{slug}/v{version}/achievement", summary="The Open Badges 3.0 Achievement of a version"
)
def get_achievement(request: HttpRequest, org_slug: str, slug: str, version: int) -> Any:
    found = get_object_or_404(
        MicroCredentialVersion.objects.public(),
        micro_credential__organization__slug=org_slug,
        micro_credential__slug=slug,
        version=version,
    )
    return {"@context": OB3_CONTEXT, **achievement(found)}


# --- issuer writes -------------------------------------------------------------------------------

manage = Router(tags=["issuer"], auth=[ApiKeyAuth(), django_auth])


def _can_manage(request: HttpRequest, org: Organization) -> bool:
    key = getattr(request, "api_key", None)
    if key is not None:
        return bool(key.organization_id == org.pk and key.role == Role.ADMIN)
    return is_org_admin(request.user, org)


def _managed_org(request: HttpRequest, org_slug: str) -> Organization:
    org = get_object_or_404(Organization, slug=org_slug)
    if not _can_manage(request, org):
        raise Http404("No such organization.")  # 404, not 403: don't reveal other organizations' objects
    return org


def _actor(request: HttpRequest) -> Any:
    key = getattr(request, "api_key", None)
    return key.created_by if key is not None else request.user


@manage.post(
    "/orgs/{org_slug}/microcredentials",
    response={201: VersionDetail},
    summary="Create a micro-credential (its first version, as a draft)",
)
def create_micro_credential(request: HttpRequest, org_slug: str, payload: CreateIn) -> Any:
    org = _managed_org(request, org_slug)
    data = payload.dict()
    slug = data.pop("slug")
    version = actions.do_create_micro_credential(organization=org, data=data, slug=slug, actor=_actor(request))
    return Status(201, _detail(version, version.micro_credential.versions.all()))


@manage.put(
    "/orgs/{org_slug}/microcredentials/{slug}/draft",
    response=VersionDetail,
    summary="Replace the draft version's content",
)
def update_draft(request: HttpRequest, org_slug: str, slug: str, payload: DefinitionIn) -> Any:
    org = _managed_org(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    draft = mc.draft_version()
    if draft is None:
        raise HttpError(409, "There is no draft; POST …/versions to start a new version first.")
    actions.do_update_draft(version=draft, data=payload.dict(), actor=_actor(request))
    return _detail(draft, mc.versions.all())


@manage.post(
    "/orgs/{org_slug}/microcredentials/{slug}/versions",
    response={201: VersionDetail},
    summary="Start a new draft version from the latest one",
)
def start_version(request: HttpRequest, org_slug: str, slug: str) -> Any:
    org = _managed_org(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    draft = actions.do_start_new_version(micro_credential=mc, actor=_actor(request))
    return Status(201, _detail(draft, mc.versions.all()))


@manage.post(
    "/orgs/{org_slug}/microcredentials/{slug}/publish",
    response=VersionDetail,
    summary="Publish the draft; the previous published version becomes superseded",
)
def publish(request: HttpRequest, org_slug: str, slug: str) -> Any:
    org = _managed_org(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    draft = mc.draft_version()
    if draft is None:
        raise HttpError(409, "There is no draft to publish.")
    actions.do_publish_version(version=draft, actor=_actor(request))
    return _detail(draft, mc.versions.all())


@manage.post(
    "/orgs/{org_slug}/microcredentials/{slug}/retire",
    response=VersionDetail,
    summary="Retire a published micro-credential",
)
def retire(request: HttpRequest, org_slug: str, slug: str) -> Any:
    org = _managed_org(request, org_slug)
    mc = get_object_or_404(MicroCredential, organization=org, slug=slug)
    version = actions.do_retire_micro_credential(micro_credential=mc, actor=_actor(request))
    return _detail(version, mc.versions.all())


@manage.get(
    "/orgs/{org_slug}/microcredentials",
    response=list[VersionSummary],
    summary="All of an organization's micro-credentials, drafts included (latest version each)",
)
def list_managed(request: HttpRequest, org_slug: str) -> Any:
    org = _managed_org(request, org_slug)
    return [_summary(mc.latest_version()) for mc in MicroCredential.objects.filter(organization=org).order_by("slug")]


@api.get("/me", response=MeOut, tags=["accounts"], summary="Who the request is authenticated as")
def me(request: HttpRequest) -> Any:
    user = request.user
    if not user.is_authenticated:
        return {"email": None, "name": None, "organizations": []}
    return {
        "email": user.email,
        "name": user.name,
        "organizations": [
            {"slug": m.organization.slug, "role": m.role} for m in user.memberships.select_related("organization")
        ],
    }


@api.get("/health", tags=["operations"], summary="Liveness and database check")
def health(request: HttpRequest) -> Any:
    return {"status": "ok", "time": timezone.now().isoformat()}


api.add_router("/catalog", catalog)
api.add_router("/", manage)
api.add_router("/", "credstack.assessment.api.router")  # submissions, evidence, review queue, decisions
api.add_router("/", "credstack.awards.api.router")  # issuance: award, revoke, suspend, keys
api.add_router("/", "credstack.pathways.api.router")  # stacks
