"""credstack.vc.shape: the work a verification may cost is bounded before any of it is done."""

from __future__ import annotations

from typing import Any

from credstack.vc import shape
from credstack.vc.verify import VerifyOptions, verify


def test_measure_counts_values_depth_and_the_longest_list() -> None:
    found = shape.measure({"a": [1, 2, {"b": "c"}], "d": None})
    assert (found.values, found.depth, found.longest_array, found.stopped) == (7, 4, 3, False)


def test_measure_stops_as_soon_as_a_limit_is_passed() -> None:
    huge = {"list": list(range(1_000_000))}
    found = shape.measure(huge, max_array_items=10)
    assert found.stopped and found.depth == 2  # the million items (depth 3) were never walked


def test_each_limit_has_its_own_message() -> None:
    assert shape.refusal({"a": list(range(11))}, max_array_items=10) == (
        "The credential holds a list of 11 items; lists of at most 10 items are verified."
    )
    assert "more than 5 JSON values" in str(shape.refusal({"a": [1, 2], "b": [3, 4]}, max_values=5))
    nested: Any = "x"
    for _ in range(10):
        nested = [nested]
    assert shape.refusal(nested, max_depth=5) == "The JSON is nested more than 5 levels deep."
    assert shape.refusal({"a": [1, 2]}) is None


def test_verify_refuses_a_document_beyond_the_limits_before_checking_it() -> None:
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    document["tags"] = [str(n) for n in range(50)]
    report = verify(document, options=VerifyOptions(max_array_items=20))
    assert report.input_error and [c.id for c in report.checks] == ["parse"]
    assert "lists of at most 20 items are verified" in report.checks[0].message
    as_text = verify(__import__("json").dumps(document), options=VerifyOptions(max_values=30))
    assert "more than 30 JSON values" in as_text.checks[0].message
