"""Hostile input over every route, form and API operation: never a 500.

Generated, not listed: the HTML routes come from the URL configuration, the forms from the pages those routes
serve (every ``<form method="post">`` with all its fields), the API operations from the OpenAPI documents. A new
route, form or operation is covered without touching this file. Requests are made as an admin of the organization
(with its API key too), so that they get past the permission checks into the code that handles the input. Each
request runs in a savepoint rolled back afterwards, so that one request's effects (a rotated key, a removed member)
never change what the next one sees.

Runs on SQLite and PostgreSQL (``DATABASE_URL``): NUL and lone surrogates only break PostgreSQL.
"""

from __future__ import annotations

import copy
import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from credstack.accounts.models import User
from credstack.catalog.models import MicroCredentialVersion
from credstack.organizations.models import Organization
from tests.platform.conftest import admin_of

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000
# Form values: a NUL, a huge text, characters that break URLs and markup, numbers out of range.
FORM_VALUES = {
    "nul": "a\x00b",
    "huge": HUGE,
    "special": "\"'<>{}|\\^`\u202e\ufeff' OR 1=1 --",
    "number": "-99999999999999999999",
}
SKIP_ROUTES = ("admin/", "media/", "static/", "accounts/logout/")


@dataclass
class World:
    org: Organization
    admin: User
    version: MicroCredentialVersion
    api_key: str
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, name: str, route: str) -> str:
        if name == "slug" and "stacks" in route:
            return self.values.get("stack_slug", "x")
        return self.values.get(name, "1")


@pytest.fixture
def world(published: MicroCredentialVersion, definition: dict[str, Any], settings: Any) -> World:
    """An organization with one of everything a route can name, all reachable by its admin."""
    from credstack.assessment.actions import do_add_evidence, do_start_submission
    from credstack.awards.actions import do_award_credential
    from credstack.awards.bulk import do_create_bulk_award
    from credstack.catalog import actions as catalog_actions
    from credstack.organizations.actions import do_create_api_key, do_create_oauth_client
    from credstack.pathways.actions import do_create_stack
    from credstack.signing.models import SigningKey

    settings.CREDSTACK_VERIFIER_RATE_LIMIT = "off"
    org = published.micro_credential.organization
    admin = admin_of(org)
    key, raw = do_create_api_key(organization=org, name="hostile", actor=admin)
    client = do_create_oauth_client(organization=org, name="hostile", actor=admin)
    submission = do_start_submission(learner=admin, version=published, actor=admin)
    item_id = "1"
    try:
        item = do_add_evidence(
            submission=submission, artifact_index=0, title="t", url="https://example.org/e", actor=admin
        )
        item_id = str(item.pk)
    except ValidationError:  # the demo's first artifact may take files only; any id does then
        pass
    credential = do_award_credential(
        organization=org, data={"email": "someone@example.org", "achievement": "cer-lab"}, actor=admin
    )
    second = catalog_actions.do_create_micro_credential(organization=org, data=definition, slug="second", actor=admin)
    catalog_actions.do_publish_version(version=second, actor=admin)
    stack = do_create_stack(
        organization=org,
        data={"name": "Stack", "summary": "A stack", "slug": "a-stack", "micro_credentials": ["cer-lab", "second"]},
        actor=admin,
    )
    rows = io.BytesIO(b"email,achievement\nb@example.org,cer-lab\n")
    bulk = do_create_bulk_award(organization=org, stream=rows, filename="x.csv", actor=admin)
    signing_key = SigningKey.objects.filter(organization=org).first()
    membership = admin.memberships.first()
    world = World(org=org, admin=admin, version=published, api_key=raw)
    world.values = {
        "org_slug": org.slug,
        "slug": published.micro_credential.slug,
        "stack_slug": stack.slug,
        "version": "1",
        "pk": str(submission.pk),
        "item_id": item_id,
        "public_id": str(credential.public_id),
        "membership_id": str(membership.pk if membership else 1),
        "key_id": str(signing_key.pk if signing_key else key.pk),
        "client_pk": str(getattr(client[0] if isinstance(client, tuple) else client, "pk", 1)),
        "job_id": str(bulk.pk),
        "number": "1",
        "link_id": "1",
        "purpose": "revocation",
        "token": "not-a-token",
        "uidb64": "MQ",
        "public_key_multibase": signing_key.public_key_multibase if signing_key else "z6Mk",
        "path": "x.png",
    }
    return world


# --- the routes ----------------------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def html_routes(world: World) -> list[str]:
    """Every route of the URL configuration but the API's (the OpenAPI part covers those), filled in."""
    routes = []
    for route in dict.fromkeys(_patterns(get_resolver().url_patterns)):
        if route.startswith(SKIP_ROUTES) or route.startswith("api/") or "^" in route:
            continue
        routes.append("/" + _PARAM.sub(lambda m, r=route: world.fill(m.group("name"), r), route))
        # Text parameters (str, path) also get a NUL; slugs, numbers and UUIDs cannot hold one.
        hostile = _PARAM.sub(
            lambda m, r=route: (
                "a%00b" if m.group("converter") in (None, "str", "path") else world.fill(m.group("name"), r)
            ),
            route,
        )
        if "%00" in hostile:
            routes.append("/" + hostile)
    return routes


class _Forms(HTMLParser):
    """The ``<form method="post">`` of a page: action and field names (file inputs apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = {"action": a.get("action") or "", "fields": set(), "files": set()}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            if (a.get("type") or "").lower() == "file":
                self._current["files"].add(a["name"])
            else:
                self._current["fields"].add(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


# --- the API operations ----------------------------------------------------------------------------------


def api_operations() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """``(method, path template, operation, components)`` of every operation in the OpenAPI documents."""
    from credstack.api.api import api

    document = api.get_openapi_schema(path_prefix="/api")
    components = document.get("components", {}).get("schemas", {})
    return [
        (method.upper(), path, operation, components)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def skeleton(schema: dict[str, Any], components: dict[str, Any], text: Any, depth: int = 0) -> Any:
    """A value of the schema's shape with every string (and every free-form value) set to ``text``."""
    schema = _resolve(schema, components)
    if depth > 6:
        return text
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(o, components).get("type") != "null"]
            return skeleton(options[0], components, text, depth + 1) if options else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: skeleton(sub, components, text, depth + 1) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [skeleton(schema.get("items", {}), components, text, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return text


def _body_schema(operation: dict[str, Any], content_type: str) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    return content.get(content_type, {}).get("schema") if content_type in content else None


def json_bodies(operation: dict[str, Any], components: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Hostile JSON bodies: NUL, lone surrogates, huge texts in every string; wrong types; not objects; deep."""
    schema = _body_schema(operation, "application/json")
    if schema is None:
        return
    marker = "\ue000marker\ue000"
    shape = skeleton(schema, components, marker)
    encoded = json.dumps(shape)
    yield "nul", encoded.replace(json.dumps(marker)[1:-1], "a\\u0000b").encode()
    yield "surrogate", encoded.replace(json.dumps(marker)[1:-1], "a\\ud800b").encode()
    yield "reversed-pair", encoded.replace(json.dumps(marker)[1:-1], "\\udc00\\ud800").encode()
    yield "huge", encoded.replace(json.dumps(marker)[1:-1], HUGE).encode()
    yield "special", json.dumps(skeleton(schema, components, FORM_VALUES["special"])).encode()
    if isinstance(shape, dict):
        for wrong in ([], {}, 12345678901234567890, None, True, -1):
            yield f"wrong-{type(wrong).__name__}", json.dumps(dict.fromkeys(shape, wrong)).encode()
        deep_value = "[" * 5000 + "]" * 5000
        yield "deep-field", ("{" + ",".join(f'"{k}": {deep_value}' for k in shape) + "}").encode()
    for not_object in ("[]", '"text"', "null", "1e999", "{", ""):
        yield f"body {not_object!r}", not_object.encode()
    yield "deep", ("[" * 100_000 + "]" * 100_000).encode()
    yield "deep-object", ('{"a":' * 50_000 + "1" + "}" * 50_000).encode()


def _fill_path(path: str, world: World, hostile: str | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if hostile is not None and name not in ("version", "pk", "item_id", "public_id"):
            return quote(hostile, safe="")
        return quote(world.fill(name, path), safe="")

    return re.sub(r"\{([^}]+)\}", value, path)


# --- the battery ---------------------------------------------------------------------------------------


LEARNER_SIDE = ("/api/submissions",)


class Battery:
    """Sends requests as the admin, each in a rolled-back savepoint, and keeps every 500."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {world.api_key}")
        self.client.force_login(world.admin)
        # a learner's own routes answer a key with 403 (keys act for the organization): the session alone there
        self.learner = Client(raise_request_exception=False)
        self.learner.force_login(world.admin)
        self.failures: list[str] = []
        self.sent = 0

    def send(self, label: str, method: str, path: str, **kwargs: Any) -> Any:
        if method in ("GET", "DELETE", "HEAD") and "data" in kwargs:
            kwargs.pop("data")
            kwargs.pop("content_type", None)
        client = self.learner if path.startswith(LEARNER_SIDE) else self.client
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            response = getattr(client, method.lower())(path, **kwargs)
            transaction.set_rollback(True)
        client.cookies = cookies
        self.sent += 1
        body = response.content[:200_000] if not getattr(response, "streaming", False) else b""
        if response.status_code >= 500 or b"Traceback" in body:
            exc = getattr(response, "exc_info", None)
            reason = f"{exc[0].__name__}: {str(exc[1])[:200]}" if exc else body[:200].decode("utf-8", "replace")
            self.failures.append(f"{method} {path[:120]} [{label}] -> {response.status_code}: {reason}")
        return response


def test_hostile_input_never_gives_a_500(world: World) -> None:
    battery = Battery(world)

    # 1. Every page route, with hostile query parameters; the forms its page shows are collected.
    forms: dict[tuple[str, frozenset[str], frozenset[str]], None] = {}
    for path in html_routes(world):
        response = battery.send("get", "GET", path)
        battery.send("query nul", "GET", path + "?q=%00&org=%00&page=%00&subject=x%00")
        battery.send("query huge", "GET", path + "?q=" + HUGE[:20_000] + "&page=99999999999999999999")
        battery.send("post nul", "POST", path, data={"x": FORM_VALUES["nul"]})
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = _Forms()
            parser.feed(response.content.decode("utf-8", "replace"))
            for form in parser.forms:
                action = urljoin(path, form["action"]) if form["action"] else path
                forms[(urlsplit(action).path, frozenset(form["fields"]), frozenset(form["files"]))] = None
    assert len(forms) > 20, f"only {len(forms)} forms found: the pages did not render as the admin"

    # 2. Every form, every field at once with each hostile value (files: NUL bytes inside, as binary may hold).
    for action, fields, files in forms:
        for label, value in FORM_VALUES.items():
            data: dict[str, Any] = {name: value for name in fields if name != "csrfmiddlewaretoken"}
            for name in files:
                filename = "a\x00b.csv" if label == "nul" else "hostile.csv"
                data[name] = SimpleUploadedFile(filename, b"email,achievement\n\x00\xff," + value.encode()[:1000])
            battery.send(f"form {label}", "POST", action, data=data)

    # 3. Every API operation: hostile path and query parameters, JSON bodies, multipart fields.
    operations = api_operations()
    assert len(operations) > 40
    for method, template, operation, components in operations:
        path = _fill_path(template, world)
        query = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        battery.send("plain", method, path, content_type="application/json", data=b"{}")
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            battery.send("path nul", method, _fill_path(template, world, "a\x00b"))
            battery.send("path huge", method, _fill_path(template, world, HUGE[:5000]))
        for label, value in (("nul", "%00"), ("huge", HUGE[:20_000]), ("wrong", "-1e999"), ("bytes", "%ED%A0%80")):
            if query:
                battery.send(f"query {label}", method, path + "?" + "&".join(f"{q}={value}" for q in query))
        for label, body in json_bodies(operation, components):
            battery.send(label, method, path, data=body, content_type="application/json")
        if _body_schema(operation, "multipart/form-data") is not None:
            schema = _resolve(_body_schema(operation, "multipart/form-data") or {}, components)
            for label, value in FORM_VALUES.items():
                data = {}
                for name, sub in schema.get("properties", {}).items():
                    sub = _resolve(sub, components)
                    if sub.get("format") == "binary":
                        data[name] = SimpleUploadedFile("a\x00b" if label == "nul" else "x.bin", b"\x00\x01" * 100)
                    else:
                        data[name] = value
                battery.send(f"multipart {label}", method, path, data=data)

    assert battery.sent > 500
    assert not battery.failures, f"{len(battery.failures)} of {battery.sent} requests failed:\n" + "\n".join(
        battery.failures[:60]
    )


def test_the_world_reaches_the_code(world: World) -> None:
    """The battery's identities are right: the admin's pages and the API key's routes answer 200."""
    battery = Battery(world)
    assert battery.send("get", "GET", f"/manage/{world.org.slug}/").status_code == 200
    assert battery.send("get", "GET", f"/manage/{world.org.slug}/credentials/award/").status_code == 200
    assert battery.send("get", "GET", f"/api/orgs/{world.org.slug}/credentials").status_code == 200
    assert battery.send("get", "GET", f"/api/submissions/{world.values['pk']}").status_code == 200
    assert uuid.UUID(world.values["public_id"])
