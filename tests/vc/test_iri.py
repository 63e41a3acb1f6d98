"""credstack.vc.iri: the one rule for IRIs, web URLs and texts (the builders' and every door's)."""

from __future__ import annotations

import pytest

from credstack.vc import builders as b
from credstack.vc.iri import as_iri, iri_problem, is_text, is_web_url, storable_text, text_problem, web_url_problem


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/a",
        "did:web:example.org",
        "urn:uuid:1234",
        "data:image/png;base64,AAAA",
        "https://bücher.example/ä",
    ],
)
def test_iris_that_pass(value: str) -> None:
    assert iri_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "example.org",
        "https:",
        "1http://x",
        *(f"https://e.org/{c}" for c in '"|{}^\\`<> \t\n\x00\x01\x7f\x85\u2028\ud800'),
    ],
)
def test_iris_that_fail(value: str) -> None:
    assert iri_problem(value) is not None
    with pytest.raises(ValueError):
        b.Evidence(id=value, name="x")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://example.org/page?q=1#f", True),
        ("http://127.0.0.1:8000/", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("ftp://example.org/", False),
        ("https:/example.org", False),
        ("https:///path", False),
        ("https://example.org:99999/", False),
        ("https://example.org/" + "a" * 2000, False),
        ('https://example.org/a"b', False),
    ],
)
def test_web_urls(value: str, ok: bool) -> None:
    assert is_web_url(value) is ok, web_url_problem(value)


def test_texts() -> None:
    assert is_text("plain, ünïcödé and 😀")
    assert "NUL" in (text_problem("a\x00b") or "")
    assert "surrogate" in (text_problem("a\udc00") or "")
    assert storable_text("a\x00b\ud800") == "a\ufffdb\ufffd"


def test_as_iri_percent_encodes_what_an_iri_may_not_hold() -> None:
    assert as_iri('https://example.org/a"b c|d') == "https://example.org/a%22b%20c%7Cd"
    assert as_iri("https://example.org/ä") == "https://example.org/ä"  # an IRI may hold it
    assert as_iri("https://example.org/\u2028") == "https://example.org/%E2%80%A8"
    assert as_iri("no scheme") == "no scheme"
    assert iri_problem(as_iri("https://e.org/{}^`\\<>\x00")) is None
