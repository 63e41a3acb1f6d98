"""Issue 14, point 7: Markdown in criteria narratives, descriptions, feedback and evidence notes is rendered
in pages, safely; the credential keeps the Markdown text exactly as written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from credstack.awards.actions import AwardRequest, issue_awards
from credstack.awards.models import Origin
from credstack.catalog import actions as catalog_actions
from credstack.catalog.models import MicroCredentialVersion
from credstack.core.markdown import render_markdown
from tests.platform.conftest import admin_of

NARRATIVE = "The earner showed **student lab conclusions** from _three_ points in a unit."


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("**bold** and _em_", "<p><strong>bold</strong> and <em>em</em></p>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("line one\nline two", "line one<br>\nline two"),
        (
            "[the rubric](https://example.org/r)",
            '<a href="https://example.org/r" rel="nofollow noopener">the rubric</a>',
        ),
        ("# A heading", "<p><strong>A heading</strong></p>"),  # never an <h1> inside a page section
    ],
)
def test_markdown_renders(text: str, wanted: str) -> None:
    assert wanted in render_markdown(text)


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", r"<script"),
        ("<b onclick='alert(1)'>x</b>", r"<b\b"),
        ('<a href="https://example.org" onmouseover="x()">x</a>', r"<a\b[^>]*onmouseover"),
        ("[click](javascript:alert(1))", r"href=\"javascript"),
        ("[click](JaVaScRiPt:alert(1))", r"href="),
        ("[click](data:text/html;base64,PHNjcmlwdD4=)", r"href="),
        ("![tracker](https://tracker.example/pixel.png)", r"<img"),
        ('<img src="https://tracker.example/p.png">', r"<img"),
        ("<iframe src='https://example.org'></iframe>", r"<iframe"),
        ("<!-- a comment -->", r"<!--"),
        ("<style>body{display:none}</style>", r"<style"),
    ],
)
def test_markdown_is_sanitized(text: str, forbidden: str) -> None:
    """Raw HTML is shown as text, never as markup; links only to http(s) and mailto; no image is loaded."""
    assert not re.search(forbidden, render_markdown(text), re.IGNORECASE)


def test_an_image_is_shown_as_its_description() -> None:
    html = render_markdown("![Students' <b>models</b>](https://tracker.example/pixel.png)")
    assert "Students&#x27; &lt;b&gt;models&lt;/b&gt;" in html or "Students' &lt;b&gt;models&lt;/b&gt;" in html
    assert "tracker.example" not in html


@pytest.mark.parametrize("value", [None, "", "   ", 42, ["**x**"]])
def test_nothing_to_render_is_empty(value: Any) -> None:
    assert render_markdown(value) == ""


def test_the_template_filter() -> None:
    html = Template("{% load credstack_tags %}{{ text|markdown }}").render(Context({"text": "**x** <i>y</i>"}))
    assert html.strip() == "<p><strong>x</strong> &lt;i&gt;y&lt;/i&gt;</p>"


@pytest.fixture
def marked(org_a: Any, definition: dict[str, Any]) -> MicroCredentialVersion:
    admin = admin_of(org_a)
    data = {**definition, "criteria_narrative": NARRATIVE + " <script>alert(1)</script>"}
    version = catalog_actions.do_create_micro_credential(organization=org_a, data=data, slug="marked", actor=admin)
    return catalog_actions.do_publish_version(version=version, actor=admin)


def test_pages_render_the_criteria_and_the_credential_keeps_the_markdown(
    marked: MicroCredentialVersion, make_user: Any
) -> None:
    org = marked.micro_credential.organization
    learner = make_user("md@example.org")
    request = AwardRequest(version=marked, email=learner.email, source="test:md", origin=Origin.MANUAL, user=learner)
    request.evidence = [{"url": "https://example.org/e", "name": "Portfolio", "narrative": "Shows **growth**."}]
    (credential,) = issue_awards(org, [request], actor=admin_of(org), notify=False)
    # the credential carries Markdown, as Open Badges 3.0 says a criteria narrative is
    assert credential.document["credentialSubject"]["achievement"]["criteria"]["narrative"].startswith(NARRATIVE)
    pages = {
        "catalog": Client().get(marked.get_absolute_url()).content.decode(),
        "credential": Client().get(credential.get_absolute_url()).content.decode(),
        "verify": Client().post("/verify", {"url": credential.credential_id}).content.decode(),
    }
    # the verifier's "full report as JSON" shows the credential as it is, Markdown and all
    pages["verify"] = re.sub(r'<pre class="report-json"[^>]*>.*?</pre>', "", pages["verify"], flags=re.S)
    for name, html in pages.items():
        assert "<strong>student lab conclusions</strong>" in html, name
        assert "**student lab conclusions**" not in html, name
        assert "<script>alert(1)" not in html, name
    assert "Shows <strong>growth</strong>." in pages["verify"]  # an evidence narrative too
