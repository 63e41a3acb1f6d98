"""The content of a micro-credential definition, and its validation.

One format serves the editor form, the JSON API, the demo program and the stored version: a dict
shaped like ``demo/program.json`` entries. :func:`clean_definition` turns any such dict into a
normalized one or a map of field paths (``rubric.criteria.0.passing_level``) to readable errors,
so that the editor can show each error beside its field and the API can return them in problem
details. Nothing here touches the database.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from credstack.catalog.artwork import clean_design
from credstack.core.inputs import web_url_message
from credstack.vc.iri import text_problem

SUBJECT_AREAS: dict[str, str] = {
    "science": "Science",
    "mathematics": "Mathematics",
    "literacy": "Literacy",
    "classroom-practice": "Classroom practice",
    "digital-learning": "Digital learning",
}
GRADE_BANDS: dict[str, str] = {"prek-2": "PreK–2", "3-5": "Grades 3–5", "6-8": "Grades 6–8", "9-12": "Grades 9–12"}
EDUCATOR_ROLES: dict[str, str] = {
    "teacher": "Teacher",
    "instructional-coach": "Instructional coach",
    "school-leader": "School leader",
    "paraprofessional": "Paraprofessional",
}
ARTIFACT_KINDS: dict[str, str] = {
    "document": "Document (PDF, Word, text)",
    "image": "Image",
    "video": "Video",
    "audio": "Audio",
    "link": "Link",
    "spreadsheet": "Spreadsheet",
    "presentation": "Presentation",
}
ACHIEVEMENT_TYPES = (
    "MicroCredential",
    "Badge",
    "Certificate",
    "Certification",
    "Competency",
    "CourseCredential",
    "Course",
    "Credential",
    "License",
    "LearningProgram",
    "Achievement",
    "Award",
    "Assessment",
)
# Open Badges 3.0 AlignmentTargetType; extensions start with "ext:".
ALIGNMENT_TARGET_TYPES = (
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
)

MAX_WORD_LIMIT = 2000
DEFAULT_MAX_ATTEMPTS = 3
MAX_TEXT = 20_000
MAX_ITEMS = 30
PASSING_RULE_ALL = "all-criteria-at-passing-level"

Errors = dict[str, str]


class DefinitionError(ValidationError):
    """Field-path keyed errors of a definition; ``.errors_by_path`` maps path -> message."""

    def __init__(self, errors: Errors) -> None:
        self.errors_by_path = dict(errors)
        super().__init__({path: [message] for path, message in errors.items()})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):  # from a parsed form: {"0": ..., "1": ...}
        return [value[k] for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 10**9)]
    return [value]


def _bad_text(data: dict[str, Any]) -> Errors:
    """Path -> message for every text (or key) the database could not store (NUL, a lone surrogate)."""
    errors: Errors = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                errors.setdefault(path, f"This text {problem}.")
        elif isinstance(value, dict):
            for key, item in value.items():
                stack.append((f"{path}.{key}" if path else str(key), item))
                if isinstance(key, str) and text_problem(key):
                    errors.setdefault(path, f"A field name {text_problem(key)}.")
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))
    return errors


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_blank(v) for v in value)
    return _text(value) == ""


class _Cleaner:
    def __init__(self) -> None:
        self.errors: Errors = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    def required_text(self, data: dict[str, Any], key: str, path: str, label: str, max_length: int) -> str:
        value = _text(data.get(key))
        if not value:
            self.error(path, f"{label} is required.")
        elif len(value) > max_length:
            self.error(path, f"{label} must be at most {max_length} characters (it has {len(value)}).")
        return value

    def optional_text(self, data: dict[str, Any], key: str, path: str, label: str, max_length: int) -> str:
        value = _text(data.get(key))
        if len(value) > max_length:
            self.error(path, f"{label} must be at most {max_length} characters (it has {len(value)}).")
        return value

    def url(self, value: Any, path: str, label: str, required: bool = False) -> str:
        text = _text(value)
        if not text:
            if required:
                self.error(path, f"{label} is required.")
            return ""
        message = web_url_message(text, label=label)
        if message is not None:
            self.error(path, message)
        return text

    def integer(self, value: Any, path: str, label: str, low: int, high: int, required: bool = True) -> int | None:
        text = _text(value)
        if not text:
            if required:
                self.error(path, f"{label} is required.")
            return None
        try:
            number = int(text)
        except ValueError:
            self.error(path, f"{label} must be a whole number.")
            return None
        if not low <= number <= high:
            self.error(path, f"{label} must be between {low} and {high} (got {number}).")
        return number

    def decimal(self, value: Any, path: str, label: str, high: Decimal) -> str | None:
        text = _text(value)
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.error(path, f"{label} must be a number such as 1.5.")
            return None
        if not number.is_finite() or number < 0 or number > high:
            self.error(path, f"{label} must be between 0 and {high}.")
            return None
        return str(number.quantize(Decimal("0.01")))

    def choices(self, value: Any, path: str, label: str, allowed: dict[str, str] | tuple[str, ...]) -> list[str]:
        items = value if isinstance(value, list) else [v for v in re.split(r"[,\s]+", _text(value)) if v]
        chosen: list[str] = []
        for item in items:
            item = _text(item)
            if item not in allowed:
                self.error(path, f"{label}: {item!r} is not one of {', '.join(allowed)}.")
            elif item not in chosen:
                chosen.append(item)
        return chosen

    def strings(self, value: Any, path: str, label: str, max_length: int) -> list[str]:
        if isinstance(value, str):
            value = [line for line in value.splitlines()]
        out = [_text(v) for v in _list(value) if _text(v)]
        if len(out) > MAX_ITEMS:
            self.error(path, f"{label}: at most {MAX_ITEMS} entries.")
        for item in out:
            if len(item) > max_length:
                self.error(path, f"{label}: each entry must be at most {max_length} characters.")
                break
        return out


def clean_definition(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize a definition; raise :class:`DefinitionError` listing every problem."""
    if not isinstance(data, dict):
        raise DefinitionError({"": "A definition must be a JSON object."})
    bad_text = _bad_text(data)
    if bad_text:
        raise DefinitionError(bad_text)
    c = _Cleaner()
    out: dict[str, Any] = {
        "name": c.required_text(data, "name", "name", "Name", 120),
        "summary": c.required_text(data, "summary", "summary", "Summary", 500),
        "competency_statement": c.required_text(
            data, "competency_statement", "competency_statement", "Competency statement", 1000
        ),
        "key_method": c.required_text(data, "key_method", "key_method", "Key method", 5000),
        "criteria_narrative": c.optional_text(
            data, "criteria_narrative", "criteria_narrative", "Criteria narrative", MAX_TEXT
        ),
        "method_components": c.strings(data.get("method_components"), "method_components", "Method components", 2000),
        "supporting_research": c.strings(
            data.get("supporting_research"), "supporting_research", "Supporting research", 3000
        ),
        "tags": c.strings(
            [t for t in re.split(r"\s*,\s*", data["tags"])] if isinstance(data.get("tags"), str) else data.get("tags"),
            "tags",
            "Tags",
            40,
        ),
        "subject_areas": c.choices(data.get("subject_areas", []), "subject_areas", "Subject areas", SUBJECT_AREAS),
        "grade_bands": c.choices(data.get("grade_bands", []), "grade_bands", "Grade bands", GRADE_BANDS),
        "roles": c.choices(data.get("roles", []), "roles", "Roles", EDUCATOR_ROLES),
        "estimated_hours": c.integer(data.get("estimated_hours"), "estimated_hours", "Estimated hours", 1, 500),
        "pd_hours": c.decimal(data.get("pd_hours"), "pd_hours", "Professional development hours", Decimal(1000)),
        "credits_available": c.decimal(
            data.get("credits_available"), "credits_available", "Credits available", Decimal(1000)
        ),
        "expiry_months": c.integer(
            data.get("expiry_months"), "expiry_months", "Expiry (months)", 1, 240, required=False
        ),
        "max_attempts": c.integer(
            data.get("max_attempts", DEFAULT_MAX_ATTEMPTS), "max_attempts", "Maximum attempts", 1, 10
        ),
    }
    achievement_type = _text(data.get("achievement_type")) or "MicroCredential"
    if achievement_type not in ACHIEVEMENT_TYPES and not achievement_type.startswith("ext:"):
        c.error(
            "achievement_type", f"Achievement type must be one of {', '.join(ACHIEVEMENT_TYPES)} or start with ext:."
        )
    out["achievement_type"] = achievement_type
    if not out["subject_areas"]:
        c.error("subject_areas", "Choose at least one subject area.")
    if not out["grade_bands"]:
        c.error("grade_bands", "Choose at least one grade band.")

    out["resources"] = []
    for i, res in enumerate(_list(data.get("resources"))):
        if _is_blank(res):
            continue
        res = res if isinstance(res, dict) else {"title": res}
        path = f"resources.{i}"
        out["resources"].append(
            {
                "title": c.required_text(res, "title", f"{path}.title", "Resource title", 200),
                "url": c.url(res.get("url"), f"{path}.url", "Resource URL"),
            }
        )

    out["alignments"] = []
    for i, al in enumerate(_list(data.get("alignments"))):
        if _is_blank(al) or not isinstance(al, dict):
            continue
        path = f"alignments.{i}"
        target_type = _text(al.get("target_type"))
        if target_type and target_type not in ALIGNMENT_TARGET_TYPES and not target_type.startswith("ext:"):
            c.error(
                f"{path}.target_type",
                f"Target type must be one of {', '.join(ALIGNMENT_TARGET_TYPES)} or start with ext:.",
            )
        out["alignments"].append(
            {
                "target_name": c.required_text(al, "target_name", f"{path}.target_name", "Alignment name", 300),
                "target_url": c.url(al.get("target_url"), f"{path}.target_url", "Alignment URL", required=True),
                "target_type": target_type,
                "target_code": c.optional_text(al, "target_code", f"{path}.target_code", "Alignment code", 100),
                "target_framework": c.optional_text(
                    al, "target_framework", f"{path}.target_framework", "Framework", 300
                ),
                "target_description": c.optional_text(
                    al, "target_description", f"{path}.target_description", "Alignment description", 2000
                ),
            }
        )

    out["design"], design_errors = clean_design(data.get("design"))
    for path, message in design_errors.items():
        c.error(path, message)
    out["submission"] = _clean_submission(c, data.get("submission") or {})
    out["rubric"] = _clean_rubric(c, data.get("rubric") or {})
    if c.errors:
        raise DefinitionError(c.errors)
    return out


def _clean_submission(c: _Cleaner, sub: Any) -> dict[str, Any]:
    if not isinstance(sub, dict):
        c.error("submission", "Submission requirements must be an object.")
        return {}
    questions = []
    for i, q in enumerate(_list(sub.get("overview_questions"))):
        if _is_blank(q) or not isinstance(q, dict):
            continue
        path = f"submission.overview_questions.{i}"
        questions.append(
            {
                "prompt": c.required_text(q, "prompt", f"{path}.prompt", "Question", 2000),
                "word_limit": c.integer(q.get("word_limit"), f"{path}.word_limit", "Word limit", 1, MAX_WORD_LIMIT),
            }
        )
    artifacts = []
    for i, a in enumerate(_list(sub.get("artifacts"))):
        if _is_blank(a) or not isinstance(a, dict):
            continue
        path = f"submission.artifacts.{i}"
        kinds = c.choices(a.get("accepted_kinds", []), f"{path}.accepted_kinds", "Accepted kinds", ARTIFACT_KINDS)
        if not kinds:
            c.error(f"{path}.accepted_kinds", "Choose at least one accepted kind of evidence.")
        artifacts.append(
            {
                "title": c.required_text(a, "title", f"{path}.title", "Artifact title", 200),
                "description": c.required_text(a, "description", f"{path}.description", "Artifact description", 3000),
                "accepted_kinds": kinds,
            }
        )
    if not artifacts:
        c.error("submission.artifacts", "Ask for at least one evidence artifact.")
    reflection_prompt = c.optional_text(
        sub, "reflection_prompt", "submission.reflection_prompt", "Reflection prompt", 3000
    )
    reflection_limit = c.integer(
        sub.get("reflection_word_limit"),
        "submission.reflection_word_limit",
        "Reflection word limit",
        1,
        MAX_WORD_LIMIT,
        required=bool(reflection_prompt),
    )
    return {
        "overview_questions": questions,
        "artifacts": artifacts,
        "reflection_prompt": reflection_prompt,
        "reflection_word_limit": reflection_limit if reflection_prompt else None,
    }


def _clean_rubric(c: _Cleaner, rubric: Any) -> dict[str, Any]:
    if not isinstance(rubric, dict):
        c.error("rubric", "The rubric must be an object.")
        return {}
    criteria = []
    seen_keys: set[str] = set()
    for i, crit in enumerate(_list(rubric.get("criteria"))):
        if _is_blank(crit) or not isinstance(crit, dict):
            continue
        path = f"rubric.criteria.{i}"
        name = c.required_text(crit, "name", f"{path}.name", "Criterion name", 200)
        key = slugify(_text(crit.get("key")) or name)[:50] or f"criterion-{i + 1}"
        if key in seen_keys:
            c.error(f"{path}.name", "Two criteria have the same name; give each a distinct name.")
        seen_keys.add(key)
        levels: list[dict[str, Any]] = []
        level_keys: list[str] = []
        for j, level in enumerate(_list(crit.get("levels"))):
            if _is_blank(level) or not isinstance(level, dict):
                continue
            lpath = f"{path}.levels.{j}"
            lname = c.required_text(level, "name", f"{lpath}.name", "Level name", 100)
            lkey = slugify(_text(level.get("key")) or lname)[:50] or f"level-{j + 1}"
            if lkey in level_keys:
                c.error(f"{lpath}.name", "Two levels of this criterion have the same name.")
            level_keys.append(lkey)
            points = c.integer(level.get("points", len(levels)), f"{lpath}.points", "Points", 0, 100)
            levels.append(
                {
                    "key": lkey,
                    "name": lname,
                    "description": c.optional_text(
                        level, "description", f"{lpath}.description", "Level description", 3000
                    ),
                    "points": points,
                }
            )
        if len(levels) < 2:
            c.error(f"{path}.levels", "A criterion needs at least two levels (for example Not yet and Proficient).")
        points_seq = [lv["points"] for lv in levels if lv["points"] is not None]
        if points_seq != sorted(points_seq) or len(set(points_seq)) != len(points_seq):
            c.error(f"{path}.levels", "Levels must go from lowest to highest, each with more points than the last.")
        passing = _text(crit.get("passing_level"))
        if passing.isdigit() and passing not in level_keys and int(passing) < len(level_keys):
            passing = level_keys[int(passing)]  # the editor posts the level's position
        if not passing:
            c.error(f"{path}.passing_level", "Choose which level counts as passing for this criterion.")
        elif passing not in level_keys:
            c.error(f"{path}.passing_level", f"The passing level {passing!r} is not one of this criterion's levels.")
        elif level_keys.index(passing) == 0 and len(level_keys) > 1:
            c.error(f"{path}.passing_level", "The lowest level cannot be the passing level.")
        criteria.append(
            {
                "key": key,
                "name": name,
                "description": c.optional_text(
                    crit, "description", f"{path}.description", "Criterion description", 3000
                ),
                "levels": levels,
                "passing_level": passing,
            }
        )
    if not criteria:
        c.error("rubric.criteria", "A rubric needs at least one criterion.")
    rule = _text(rubric.get("passing_rule")) or PASSING_RULE_ALL
    if rule != PASSING_RULE_ALL:
        c.error("rubric.passing_rule", "The only passing rule is: every criterion at its passing level.")
    return {"criteria": criteria, "passing_rule": rule}


def rubric_passes(rubric: dict[str, Any], chosen_levels: dict[str, str]) -> tuple[bool, list[str]]:
    """Apply the rubric's passing rule; return (passed, reasons for each criterion below passing)."""
    reasons: list[str] = []
    for criterion in rubric.get("criteria", []):
        keys = [level["key"] for level in criterion["levels"]]
        chosen = chosen_levels.get(criterion["key"])
        if chosen not in keys:
            reasons.append(f"{criterion['name']}: no level chosen.")
        elif keys.index(chosen) < keys.index(criterion["passing_level"]):
            passing_name = criterion["levels"][keys.index(criterion["passing_level"])]["name"]
            reasons.append(f"{criterion['name']}: below the passing level ({passing_name}).")
    return (not reasons, reasons)


def parse_form(post: Any) -> dict[str, Any]:
    """Turn dotted form field names (``rubric.criteria.0.levels.1.name``) into the nested definition.

    List-valued fields (checkbox groups) are read with ``getlist``; everything else as a string.
    """
    list_fields = re.compile(r"(^|\.)(subject_areas|grade_bands|roles|accepted_kinds)$")
    root: dict[str, Any] = {}
    for name in post.keys():
        if name == "csrfmiddlewaretoken":
            continue
        value = post.getlist(name) if list_fields.search(name) else post.get(name)
        node = root
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return root
