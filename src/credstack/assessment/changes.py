"""What changed between two attempts of a submission: the assessor's view of a resubmission.

Both attempts are frozen (answers and evidence snapshots), so the comparison is exact and needs no file reads:
an evidence item is the same when it keeps its id (or, re-added, its sha256 or link), a text is compared word
by word with :mod:`difflib` (the standard library's sequence matcher; no third-party diff is needed for
word-level text), and the result is rendered as escaped HTML with ``<ins>``/``<del>`` marks plus a plain
sentence that says the same for anyone who cannot see the marks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from credstack.assessment.models import Attempt

# Words, runs of whitespace and single punctuation marks: a diff of these keeps spacing and reads naturally.
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")

UNCHANGED, CHANGED, NEW, REMOVED = "unchanged", "changed", "new", "removed"


@dataclass(frozen=True)
class TextChange:
    label: str
    status: str  # unchanged, changed, new (was empty) or removed (now empty)
    html: SafeString
    words_added: int
    words_removed: int

    @property
    def summary(self) -> str:
        if self.status == UNCHANGED:
            return "unchanged"
        if self.status == NEW:
            return f"answered this time ({_words(self.words_added)})"
        if self.status == REMOVED:
            return f"left empty this time ({_words(self.words_removed)} taken out)"
        return f"{_words(self.words_added)} added, {_words(self.words_removed)} taken out"


@dataclass(frozen=True)
class EvidenceChange:
    status: str  # unchanged, changed (same file or link, new title or note), new or removed
    snap: dict[str, Any]
    what: str  # a short sentence on what changed


@dataclass
class ArtifactChanges:
    title: str
    items: list[EvidenceChange] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)


@dataclass
class AttemptChanges:
    previous: Attempt
    current: Attempt
    answers: list[TextChange]
    reflection: TextChange | None
    artifacts: list[ArtifactChanges]

    @property
    def summary(self) -> str:
        """One plain sentence: how many answers and pieces of evidence changed."""
        texts = [*self.answers, *([self.reflection] if self.reflection else [])]
        changed_texts = sum(1 for t in texts if t.status != UNCHANGED)
        counts = {s: sum(a.count(s) for a in self.artifacts) for s in (NEW, CHANGED, REMOVED)}
        parts = [
            f"{changed_texts} of {len(texts)} written answer{'s' if len(texts) != 1 else ''} changed"
            if changed_texts
            else "no written answer changed"
        ]
        evidence = [
            f"{counts[NEW]} new piece{'s' if counts[NEW] != 1 else ''} of evidence" if counts[NEW] else "",
            f"{counts[CHANGED]} with a new title or note" if counts[CHANGED] else "",
            f"{counts[REMOVED]} taken out" if counts[REMOVED] else "",
        ]
        evidence = [e for e in evidence if e]
        parts.append(", ".join(evidence) if evidence else "the evidence is the same")
        return f"Since attempt {self.previous.number}: {parts[0]}; {parts[1]}."

    @property
    def anything(self) -> bool:
        texts = [*self.answers, *([self.reflection] if self.reflection else [])]
        return any(t.status != UNCHANGED for t in texts) or any(
            item.status != UNCHANGED for a in self.artifacts for item in a.items
        )


def _words(n: int) -> str:
    return f"{n} word{'s' if n != 1 else ''}"


def _word_count(tokens: list[str]) -> int:
    return sum(1 for t in tokens if not t.isspace() and re.match(r"\w", t))


def diff_text(label: str, before: str, after: str) -> TextChange:
    """A word-level diff of two texts as escaped HTML (``<del>`` then ``<ins>``), with counts of words."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    if old == new:
        return TextChange(label, UNCHANGED, format_html("{}", after), 0, 0)
    pieces: list[str] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            removed += _word_count(old[i1:i2])
            pieces.append(
                '<del><span class="visually-hidden">[taken out: </span>'
                f'{escape("".join(old[i1:i2]))}<span class="visually-hidden">]</span></del>'
            )
        if op in ("insert", "replace"):
            added += _word_count(new[j1:j2])
            pieces.append(
                '<ins><span class="visually-hidden">[added: </span>'
                f'{escape("".join(new[j1:j2]))}<span class="visually-hidden">]</span></ins>'
            )
    status = NEW if not (before or "").strip() else REMOVED if not (after or "").strip() else CHANGED
    # Every piece of learner text above went through escape(); only our own tags are markup.
    return TextChange(label, status, mark_safe("".join(pieces)), added, removed)  # noqa: S308


def _same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("url") or b.get("url"):
        return bool(a.get("url")) and a.get("url") == b.get("url")
    return bool(a.get("sha256")) and a.get("sha256") == b.get("sha256")


def _describe(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = [
        name for key, name in (("title", "title"), ("note", "note")) if (old.get(key) or "") != (new.get(key) or "")
    ]
    if not changed:
        return "the same file" if not new.get("url") else "the same link"
    return f"same {'link' if new.get('url') else 'file'}, new {' and '.join(changed)}"


def _artifact_changes(title: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> ArtifactChanges:
    out = ArtifactChanges(title=title)
    left = {snap["id"]: snap for snap in before}
    unmatched: list[dict[str, Any]] = []
    for snap in after:
        old = left.pop(snap["id"], None)
        if old is None:
            unmatched.append(snap)
            continue
        status = UNCHANGED if _describe(old, snap).startswith("the same") else CHANGED
        out.items.append(EvidenceChange(status, snap, _describe(old, snap)))
    for snap in unmatched:  # re-added: the same bytes or link under a new item count as the same evidence
        old = next((o for o in left.values() if _same_content(o, snap)), None)
        if old is not None:
            left.pop(old["id"])
            status = UNCHANGED if _describe(old, snap).startswith("the same") else CHANGED
            out.items.append(EvidenceChange(status, snap, _describe(old, snap) + " (added again)"))
        else:
            out.items.append(EvidenceChange(NEW, snap, "new in this attempt"))
    out.items.extend(EvidenceChange(REMOVED, snap, "taken out since the last attempt") for snap in left.values())
    return out


def attempt_changes(previous: Attempt, current: Attempt, spec: dict[str, Any]) -> AttemptChanges:
    """What ``current`` changed compared with ``previous`` (both attempts of one submission)."""
    old_answers, new_answers = previous.answers or {}, current.answers or {}
    old_overview, new_overview = old_answers.get("overview") or [], new_answers.get("overview") or []
    answers = []
    for i, question in enumerate(spec.get("overview_questions", [])):
        before = str(old_overview[i]) if i < len(old_overview) and old_overview[i] else ""
        after = str(new_overview[i]) if i < len(new_overview) and new_overview[i] else ""
        answers.append(diff_text(f"{i + 1}. {question['prompt']}", before, after))
    reflection = None
    if spec.get("reflection_prompt") or old_answers.get("reflection") or new_answers.get("reflection"):
        reflection = diff_text(
            "Reflection", str(old_answers.get("reflection") or ""), str(new_answers.get("reflection") or "")
        )
    artifacts = [
        _artifact_changes(
            artifact["title"],
            [e for e in previous.evidence or [] if e.get("artifact_index") == i],
            [e for e in current.evidence or [] if e.get("artifact_index") == i],
        )
        for i, artifact in enumerate(spec.get("artifacts", []))
    ]
    return AttemptChanges(previous, current, answers, reflection, artifacts)


def changes_since_last(submission: Any, current: Attempt | None) -> AttemptChanges | None:
    """The changes of ``current`` over the attempt before it, or None for a first attempt."""
    if current is None or current.number < 2:
        return None
    previous = submission.attempts.filter(number__lt=current.number).order_by("-number").first()
    if previous is None:
        return None
    return attempt_changes(previous, current, submission.micro_credential_version.submission)
