"""Markdown written by issuers, assessors and learners, shown safely in pages.

Open Badges 3.0 says a criteria narrative is Markdown, and issuers write descriptions, feedback and evidence
notes the same way; printed raw, ``**this**`` shows its asterisks. The text is rendered with markdown-it-py
(CommonMark, raw HTML disabled) and the result is then cleaned by nh3 (the Rust ``ammonia`` sanitizer) with a
short list of tags, so that even a renderer bug cannot let a ``<script>``, an event handler or a
``javascript:`` link through. Links get ``rel="nofollow noopener"``; images are dropped (an image from
another host would tell it who reads the page), shown as their alt text. Headings become emphasised
paragraphs: a narrative sits under the page's own headings and must not break their outline.
Only the page changes: the credential keeps the text exactly as written.
"""

from __future__ import annotations

import functools
from typing import Any

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

#: Tags a narrative may use once rendered; everything else is removed, its text kept.
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr", "del", "s"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Longest text rendered; a narrative is a paragraph or a few, and a huge one is cut (no time spent on it).
MAX_CHARS = 20_000


@functools.cache
def _renderer() -> MarkdownIt:
    # breaks: a single newline typed in a text box is a line break, as people expect from what they typed.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "breaks": True})
    md.enable("strikethrough")
    md.add_render_rule("image", _image_as_text)
    # Headings and setext underlines would put <h1> inside a page section: render them as strong paragraphs.
    md.add_render_rule("heading_open", lambda *_: "<p><strong>")
    md.add_render_rule("heading_close", lambda *_: "</strong></p>\n")
    return md


def _image_as_text(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """An image is shown as its description, never loaded."""
    return escape(tokens[idx].content or "")


def render_markdown(text: Any) -> SafeString:
    """HTML for ``text`` (Markdown): safe to put in a page as is; empty for anything but a non-empty string."""
    if not isinstance(text, str) or not text.strip():
        return mark_safe("")
    html = _renderer().render(text[:MAX_CHARS])
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 removed every tag, attribute and URL scheme not listed above
