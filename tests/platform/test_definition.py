"""Validation of micro-credential definitions: every problem named at its field path."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.catalog.definition import DefinitionError, clean_definition, rubric_passes


def errors_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(DefinitionError) as info:
        clean_definition(data)
    return info.value.errors_by_path


def test_valid_definition_is_normalized(definition: dict[str, Any]) -> None:
    cleaned = clean_definition(definition)
    assert cleaned["rubric"]["passing_rule"] == "all-criteria-at-passing-level"
    assert all(c["passing_level"] for c in cleaned["rubric"]["criteria"])
    assert cleaned["pd_hours"] is None or "." in cleaned["pd_hours"]


def test_rubric_without_criteria(definition: dict[str, Any]) -> None:
    definition["rubric"] = {"criteria": []}
    assert errors_of(definition) == {"rubric.criteria": "A rubric needs at least one criterion."}


def test_criterion_without_passing_level(definition: dict[str, Any]) -> None:
    definition["rubric"]["criteria"][1]["passing_level"] = ""
    errors = errors_of(definition)
    assert errors == {"rubric.criteria.1.passing_level": "Choose which level counts as passing for this criterion."}


def test_passing_level_must_exist(definition: dict[str, Any]) -> None:
    definition["rubric"]["criteria"][0]["passing_level"] = "stellar"
    assert "rubric.criteria.0.passing_level" in errors_of(definition)


def test_over_long_answer_limit(definition: dict[str, Any]) -> None:
    definition["submission"]["overview_questions"][0]["word_limit"] = 50_000
    errors = errors_of(definition)
    assert errors == {
        "submission.overview_questions.0.word_limit": "Word limit must be between 1 and 2000 (got 50000)."
    }


def test_levels_must_ascend(definition: dict[str, Any]) -> None:
    levels = definition["rubric"]["criteria"][0]["levels"]
    levels[0]["points"], levels[1]["points"] = levels[1]["points"], levels[0]["points"]
    assert "rubric.criteria.0.levels" in errors_of(definition)


def test_single_level_criterion_rejected(definition: dict[str, Any]) -> None:
    crit = definition["rubric"]["criteria"][0]
    crit["levels"] = crit["levels"][:1]
    crit["passing_level"] = crit["levels"][0]["key"]
    assert "rubric.criteria.0.levels" in errors_of(definition)


def test_many_problems_reported_together(definition: dict[str, Any]) -> None:
    definition["name"] = ""
    definition["subject_areas"] = ["astrology"]
    definition["alignments"][0]["target_url"] = "not a url"
    definition["submission"]["artifacts"] = []
    errors = errors_of(definition)
    assert set(errors) >= {"name", "subject_areas", "alignments.0.target_url", "submission.artifacts"}


def test_rubric_passing_rule(definition: dict[str, Any]) -> None:
    rubric = clean_definition(definition)["rubric"]
    at_passing = {c["key"]: c["passing_level"] for c in rubric["criteria"]}
    assert rubric_passes(rubric, at_passing) == (True, [])
    lowest = dict(at_passing)
    first = rubric["criteria"][0]
    lowest[first["key"]] = first["levels"][0]["key"]
    passed, reasons = rubric_passes(rubric, lowest)
    assert not passed and reasons == [f"{first['name']}: below the passing level (Proficient)."]
