"""How much JSON a document holds, measured before any costly work is done on it.

Verifying a credential costs work in proportion to its size: JSON-schema validation visits every value (a
1.6 MB credential with 20,000 alignments took ~3 s of CPU, most of it in the schema check), and
canonicalization every node. A byte cap alone does not bound that (short values pack many nodes into few
bytes), so a verifier first measures the document in one cheap pass — nesting depth, the longest array, the
number of values — and refuses one beyond its limits with a message naming the limit, before any of that work.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any

#: Default limits: far above any real credential (a CLR gathering dozens of credentials holds a few
#: thousand values), far below what keeps a server busy.
DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_ARRAY_ITEMS = 1_000
DEFAULT_MAX_VALUES = 20_000


@dataclass(frozen=True)
class Shape:
    """What one pass over a JSON value found. Counting stops once a limit is passed (``stopped``)."""

    values: int
    depth: int
    longest_array: int
    stopped: bool = False


def measure(
    value: Any,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
    max_values: int = DEFAULT_MAX_VALUES,
) -> Shape:
    """Walk ``value`` once (no recursion), stopping early when a limit is passed."""
    values = depth = longest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, extend = stack.pop, stack.extend
    while stack:
        node, level = pop()
        values += 1
        if level > depth:
            depth = level
            if depth > max_depth:
                return Shape(values, depth, longest, stopped=True)
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
            if len(node) > longest:
                longest = len(node)
        else:
            continue
        if longest > max_array_items or values + len(children) > max_values:
            return Shape(values + len(children), depth, longest, stopped=True)
        # zip/repeat rather than a generator: this runs twice per verify request, over every value
        extend(zip(children, repeat(level + 1)))
    return Shape(values, depth, longest)


def refusal(
    value: Any,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
    max_values: int = DEFAULT_MAX_VALUES,
) -> str | None:
    """Why ``value`` is too big to verify (a sentence naming the limit), or None when it is within the limits."""
    shape = measure(value, max_depth=max_depth, max_array_items=max_array_items, max_values=max_values)
    if shape.depth > max_depth:
        return f"The JSON is nested more than {max_depth} levels deep."
    if shape.longest_array > max_array_items:
        return (
            f"The credential holds a list of {shape.longest_array} items; lists of at most {max_array_items} "
            "items are verified."
        )
    if shape.values > max_values:
        return f"The credential holds more than {max_values} JSON values; at most {max_values} are verified."
    return None
