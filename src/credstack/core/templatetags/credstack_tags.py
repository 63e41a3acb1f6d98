"""Template helpers for forms whose fields are named by dotted paths (``rubric.criteria.0.name``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from credstack.core.markdown import render_markdown

register = template.Library()


@register.simple_tag
def dotted(*parts: Any) -> str:
    return ".".join(str(p) for p in parts)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""


@register.filter
def errors_under(errors: dict[str, str], prefix: str) -> bool:
    return any(k == prefix or k.startswith(prefix + ".") for k in errors)


@register.filter
def lines(value: Any, sep: str = "\n") -> str:
    if isinstance(value, list):
        return ("\n\n" if sep == "para" else "\n").join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter(name="markdown")
def markdown_filter(value: Any) -> SafeString:
    """Markdown (a criteria narrative, a note, feedback) as sanitized HTML: see credstack.core.markdown."""
    return render_markdown(value)


@register.filter
def csv(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else ("" if value is None else str(value))


@register.inclusion_tag("_field.html", takes_context=True)
def field(
    context: Any,
    path: str,
    label: str,
    value: Any = "",
    widget: str = "input",
    help: str = "",
    required: bool = False,
    **attrs: Any,
) -> dict[str, Any]:
    errors = context.get("errors") or {}
    return {
        "path": path,
        "label": label,
        "value": "" if value is None else value,
        "widget": widget,
        "help": help,
        "required": required,
        "error": errors.get(path, ""),
        "attrs": attrs,
    }
