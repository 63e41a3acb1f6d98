"""The fast eddsa-rdfc-2022 path: JSON-LD straight to canonical N-Quads for bundled contexts.

Why hand-written. Signing an Open Badges 3.0 credential with ``eddsa-rdfc-2022`` through the reference path
(:func:`credstack.vc.jsonld.to_nquads`: pyld's general expansion, node map and RDF conversion, then our
RDFC-1.0) costs a few milliseconds, a hundred times the Ed25519 signature. Almost all of it is generality a
credential never needs: re-processing contexts per document, deep copies, a general node map. This module
does the same work for the documents the platform actually meets, in one pass and without pyld's
algorithms on the document:

- **Compiled contexts.** Each ``@context`` list made only of bundled context URLs is processed once (by
  pyld itself, so term definitions, ``@protected``, type-scoped and property-scoped contexts mean exactly
  what they mean on the reference path) and turned into tables (:class:`_Ctx`): term -> expanded IRI,
  coercion (``@id``, ``@vocab``, a datatype), whether it carries a scoped context, whether it needs a
  construct this module does not implement. The contexts a document reaches through type-scoped and
  property-scoped contexts are compiled the same way, lazily, and memoised on the context they were applied
  to. Nothing keyed on a whole document is cached; the N-Quads forms of IRIs and string literals, which repeat
  from credential to credential, are remembered per string in bounded tables, and so are the first-degree
  hashes of blank nodes, per hash input.
- **Document to quads.** :class:`_Converter` walks the document once, mirroring pyld 3.3's
  ``_expand``/``_expand_object``/``_expand_value``/``_create_node_map``/``_object_to_rdf`` step by step
  (same order of context switches: revert of type-scoped contexts, property-scoped contexts applied twice,
  type-scoped contexts applied in sorted order and looked up in the context on entry; same coercions and
  number formatting; same duplicate rules as pyld's node map; same "skip relative IRIs" rules), and emits
  quads of canonical N-Quads terms, the form :func:`credstack.vc.jsonld.canonicalize` takes.
- **Remembered subtrees.** A node object with an ``id`` that comes again, equal type for type (the achievement
  of every credential of one micro-credential version, the issuer), has its quads added from its earlier
  conversion (:class:`_Subtree`), with blank-node labels of its own.
- **RDFC-1.0.** When every blank node has a distinct first-degree hash the canonical labels follow from sorting
  those hashes. When some are equal — the platform's own credentials: every rubric criterion carries the same
  ``allowedValue`` list, an RDF list whose inner blank nodes look alike — :class:`_Labeller` runs the N-degree
  step (Hash N-Degree Quads) as :mod:`credstack.vc.jsonld` does, with the same work budget.

How it stays equal to the reference. Whatever the converter does not implement exactly (an unknown or inline
context, ``@graph``, ``@list`` and other containers, value objects, ``@json``, language defaults, reverse
properties, nested ``@context``, blank-node identifiers written in the document, a term no context defines, a
relative IRI, a duplicate that pyld's node map would resolve differently, ...) raises :class:`_Unsupported`
and the whole document goes to the reference path, which then produces the result or the error — so an
undefined term is reported by the same code, with the same message, as on the reference path. Each fallback
is counted by reason (:func:`stats`). The differential tests (``tests/vc/test_fast_*.py``) and the benchmark
compare the canonical N-Quads byte for byte with the reference on the W3C and 1EdTech vectors, the foreign
credentials of the test suite and thousands of generated credentials.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import itertools
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
from pyld import jsonld as _pyld  # type: ignore[import-untyped,unused-ignore]

from credstack.vc import jsonld, native
from credstack.vc.errors import CanonicalizationBudgetExceeded

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
RDF_TYPE_TERM = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDF_LANGSTRING = jsonld.RDF_LANGSTRING
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_FIRST = f"<{_RDF}first>"
_RDF_REST = f"<{_RDF}rest>"
_RDF_NIL = f"<{_RDF}nil>"

# pyld's own test of an absolute IRI (``_is_absolute_iri``), byte for byte: "+-." is a range (+ , - .)
_absolute = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$").match
_keyword_like = re.compile(r"^@[a-zA-Z]+$").match
_KEYWORDS = frozenset(_pyld.KEYWORDS)
_LITERAL_ESCAPES = jsonld._LITERAL_ESCAPES
_IRI_ESCAPES = jsonld._IRI_ESCAPES

_iri_special = re.compile(r'[\x00-\x20<>"{}|^`\\]').search


def _iri_term(iri: str) -> str:
    """``<iri>`` with the N-Quads escapes of :func:`credstack.vc.jsonld._iri`."""
    if _iri_special(iri) is None:
        return "<" + iri + ">"
    return "<" + iri.translate(_IRI_ESCAPES) + ">"


# an absolute IRI that pyld's _expand_iri leaves as it is (unless its scheme is a prefix term) and that needs no
# N-Quads escapes; a subset of pyld's absolute-IRI pattern (no "," in the scheme)
_plain_absolute = re.compile(r'([A-Za-z][A-Za-z0-9+.-]*):[^\x00-\x20\s<>"{}|^`\\]*').fullmatch

# The same IRIs come back in credential after credential (issuer, achievement, rubric, status list, schema): the
# test above is remembered per string, (scheme, "<iri>") or _NOT_PLAIN, in a table that starts afresh when full.
MAX_PLAIN_IRIS = 8192
_NOT_PLAIN = ("", "")
_plain_iris: dict[str, tuple[str, str]] = {}


def _escape(value: str) -> str:
    """:func:`credstack.vc.jsonld.escape_literal`, skipped when nothing needs escaping."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return value
    return value.translate(_LITERAL_ESCAPES)


# String literals repeat too (names, descriptions, criteria, rubric levels): their N-Quads form, remembered per
# string in a table that starts afresh when full.
MAX_LITERALS = 8192
MAX_REMEMBERED_LENGTH = 256  # longer strings are not remembered: the tables stay a few megabytes at most
_literals: dict[str, str] = {}


def _literal(value: str) -> str:
    """``"value"`` with the N-Quads escapes of :func:`_escape`."""
    literal = _literals.get(value)
    if literal is None:
        literal = '"' + _escape(value) + '"'
        if len(value) <= MAX_REMEMBERED_LENGTH:
            if len(_literals) >= MAX_LITERALS:
                _literals.clear()
            _literals[value] = literal
    return literal


# how many compiled contexts may exist (each bundled list and every context reached from it through scoped
# contexts). A document that would need more goes to the reference path instead of growing the tables, and the
# next new list of contexts starts the tables afresh: memory stays bounded, and documents crafted with ever new
# combinations of bundled contexts cannot leave the platform on the slow path for good.
MAX_COMPILED_CONTEXTS = 4096

_force_reference: contextvars.ContextVar[bool] = contextvars.ContextVar("credstack_vc_force_reference", default=False)
_ENV_REFERENCE = os.environ.get("CREDSTACK_VC_REFERENCE_PATH", "") not in ("", "0")


class _Unsupported(Exception):
    """The fast path does not cover this document (exactly); the reference path takes it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------------------
# counters


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fast = 0
        self.n_degree = 0
        self.replays = 0
        self.n_degree_replays = 0
        self.resets = 0
        self.fallbacks: Counter[str] = Counter()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "fast": self.fast,
                "fallback": sum(self.fallbacks.values()),
                "fallback_reasons": dict(self.fallbacks),
                "n_degree": self.n_degree,
                "subtree_replays": self.replays,
                "n_degree_replays": self.n_degree_replays,
                "context_table_resets": self.resets,
            }


_STATS = _Stats()


def stats() -> dict[str, Any]:
    """How often the fast path was taken and how often (and why) the reference path took over.

    ``fast``: documents canonicalized by the fast path; ``fallback``: documents handed to the reference
    path, with ``fallback_reasons`` counting each reason; ``n_degree``: fast-path documents whose blank
    nodes needed RDFC-1.0's N-degree step (first-degree hashes not unique), which the fast path runs itself
    (:class:`_Labeller`); ``subtree_replays``: node objects whose quads came from an equal one converted before
    (:class:`_Subtree`); ``n_degree_replays``: documents whose N-degree step was taken from a remembered
    result (:func:`_replay_look_alikes`); ``context_table_resets``: how often the compiled contexts were dropped because
    :data:`MAX_COMPILED_CONTEXTS` was reached.
    """
    return _STATS.snapshot()


def reset_stats() -> None:
    with _STATS.lock:
        _STATS.fast = 0
        _STATS.n_degree = 0
        _STATS.replays = 0
        _STATS.n_degree_replays = 0
        _STATS.resets = 0
        _STATS.fallbacks.clear()


def _count_fallback(reason: str) -> None:
    with _STATS.lock:
        _STATS.fallbacks[reason] += 1


@contextlib.contextmanager
def reference_path() -> Iterator[None]:
    """Within this block (this thread / task), eddsa-rdfc-2022 uses the reference path only."""
    token = _force_reference.set(True)
    try:
        yield
    finally:
        _force_reference.reset(token)


_forget_subtrees: contextvars.ContextVar[bool] = contextvars.ContextVar("credstack_vc_forget_subtrees", default=False)


@contextlib.contextmanager
def without_remembered_subtrees() -> Iterator[None]:
    """Within this block (this thread / task), the fast path converts every node object afresh, as it did
    before :class:`_Subtree` existed (``make bench`` times the route before issue 19 this way)."""
    token = _forget_subtrees.set(True)
    try:
        yield
    finally:
        _forget_subtrees.reset(token)


def fast_path_enabled() -> bool:
    """False inside :func:`reference_path` or when ``CREDSTACK_VC_REFERENCE_PATH`` is set."""
    return not (_ENV_REFERENCE or _force_reference.get())


# ---------------------------------------------------------------------------------------------------------
# compiled contexts

# kinds of a key, as expanded by a context
_PROP = 0  # a property (absolute IRI)
_ID = 1  # expands to @id
_TYPE = 2  # expands to @type
_OTHER = 3  # another keyword, or a term definition needing something not implemented here
_DROP = 4  # pyld would drop it (undefined term): safe mode fails


class _Term:
    __slots__ = (
        "coerce",
        "container",
        "datatype",
        "iri",
        "kind",
        "language",
        "plain",
        "plain_string",
        "predicate",
        "scoped",
        "suffix",
    )

    def __init__(
        self,
        kind: int,
        iri: str | None,
        coerce: str | None,
        scoped: Any,
        container: int,
        language: bool,
        context_language: bool = False,
    ) -> None:
        self.kind = kind
        self.iri = iri
        self.coerce = coerce
        self.scoped = scoped  # the term's local context (for property- or type-scoping), or None
        self.container = container
        self.language = language
        # precomputed: the predicate's N-Quads term, the datatype a literal gets (None: by the JSON type) and
        # the "^^<datatype>" suffix of a string literal
        self.predicate = _iri_term(iri) if kind == _PROP and iri is not None else ""
        self.datatype = coerce if coerce is not None and coerce not in ("@id", "@vocab") else None
        self.suffix = "" if self.datatype in (None, XSD_STRING) else "^^" + _iri_term(self.datatype or "")
        # a scalar of this term can take the quick path (no scoped context, no container, no language)
        self.plain = kind == _PROP and scoped is None and container == _PLAIN and not language
        self.plain_string = self.plain and coerce is None and not context_language


# containers
_PLAIN = 0  # none or @set
_GRAPH = 1  # @graph (the proof of an embedded credential)
_LIST = 3  # @list: an RDF collection
_BAD = 2  # anything else (maps, @graph with @id or @index): not implemented here

_UNDEFINED = _Term(_DROP, None, None, None, _PLAIN, False)

_lock = threading.RLock()
_compiled_count = 0
_processor = _pyld.JsonLdProcessor()


def _pyld_options() -> dict[str, Any]:
    return jsonld._options(None)


class _Ctx:
    """An active context as tables. ``raw`` is pyld's active context it was compiled from."""

    __slots__ = (
        "_applied",
        "_applied_type",
        "id_keys",
        "language",
        "prefixes",
        "previous",
        "raw",
        "terms",
        "type_keys",
        "type_objects",
        "vocab",
    )

    def __init__(self, raw: dict[str, Any]) -> None:
        global _compiled_count
        _compiled_count += 1
        self.raw = raw
        self.vocab: str | None = raw.get("@vocab")
        self.language = "@language" in raw or "@direction" in raw
        self.terms: dict[str, _Term] = {}
        self.prefixes: dict[str, str] = {}
        id_keys = {"@id"}
        type_keys = {"@type"}
        for term, definition in raw["mappings"].items():
            if definition is None:
                self.terms[term] = _UNDEFINED
                continue
            iri = definition.get("@id")
            if definition.get("_prefix") and isinstance(iri, str):
                self.prefixes[term] = iri
            container = definition.get("@container")
            containers = set(container or ()) - {"@set"}
            container_kind = (
                _PLAIN
                if not containers
                else _GRAPH
                if containers == {"@graph"}
                else _LIST
                if containers == {"@list"}
                else _BAD
            )
            language = "@language" in definition or "@direction" in definition
            coerce = definition.get("@type")
            unsupported = (
                definition.get("reverse")
                or "@index" in definition
                or "@nest" in definition
                or coerce in ("@json", "@none")
                or coerce == RDF_LANGSTRING
            )
            if iri == "@id":
                kind = _ID
            elif iri == "@type":
                kind = _TYPE
            elif not isinstance(iri, str) or iri in _KEYWORDS or unsupported:
                kind = _OTHER
            elif _absolute(iri) and not iri.startswith("_:"):
                kind = _PROP
            else:
                kind = _DROP
            if kind == _ID:
                id_keys.add(term)
            elif kind == _TYPE:
                type_keys.add(term)
            self.terms[term] = _Term(
                kind, iri, coerce, definition.get("@context"), container_kind, language, self.language
            )
        self.id_keys = tuple(sorted(id_keys))
        self.type_keys = tuple(sorted(type_keys))
        # the rdf:type object of each type name that is a term expanding to an absolute IRI
        self.type_objects: dict[str, str] = {}
        for term, definition in self.terms.items():
            iri = definition.iri
            if (
                term not in _KEYWORDS
                and not _keyword_like(term)
                and iri is not None
                and not iri.startswith("@")
                and not iri.startswith("_:")
                and _safe_absolute(iri)
                and _absolute(iri)
            ):
                self.type_objects[term] = _iri_term(iri)
        self._applied_type: dict[int, tuple[Any, _Ctx]] = {}
        previous = raw.get("previousContext")
        self.previous: _Ctx | None = _wrap(previous) if previous is not None else None
        self._applied: dict[tuple[Any, ...], tuple[Any, _Ctx]] = {}

    def apply(self, local: Any, *, propagate: bool, override_protected: bool) -> _Ctx:
        """This context with a scoped ``local`` context processed on top (memoised)."""
        key = (id(local), propagate, override_protected)
        hit = self._applied.get(key)
        if hit is not None and hit[0] is local:
            return hit[1]
        with _lock:
            if _compiled_count >= MAX_COMPILED_CONTEXTS:
                raise _Unsupported("context tables full")
            try:
                raw = _processor._process_context(
                    self.raw, local, _pyld_options(), override_protected=override_protected, propagate=propagate
                )
            except Exception as exc:
                raise _Unsupported(f"context processing: {type(exc).__name__}") from None
            result = _wrap(raw)
            self._applied[key] = (local, result)
        return result

    def apply_type(self, local: Any) -> _Ctx:
        """This context with a type-scoped context (not propagated) processed on top (memoised)."""
        hit = self._applied_type.get(id(local))
        if hit is not None and hit[0] is local:
            return hit[1]
        result = self.apply(local, propagate=False, override_protected=False)
        self._applied_type[id(local)] = (local, result)
        return result

    def apply_urls(self, urls: tuple[str, ...]) -> _Ctx:
        """This context with an embedded ``@context`` of bundled URLs processed on top (memoised)."""
        hit = self._applied.get(urls)
        if hit is not None:
            return hit[1]
        _check_bundled(urls)
        with _lock:
            if _compiled_count >= MAX_COMPILED_CONTEXTS:
                raise _Unsupported("context tables full")
            try:
                raw = _processor._process_context(self.raw, list(urls), _pyld_options())
            except Exception as exc:
                raise _Unsupported(f"context processing: {type(exc).__name__}") from None
            result = _wrap(raw)
            self._applied[urls] = (urls, result)
        return result

    def expand_key(self, key: str) -> _Term:
        """How ``key`` expands as a property (pyld ``_expand_iri(vocab=True)`` + the drop test)."""
        term = self.terms.get(key)
        if term is not None:
            return term
        if key in _KEYWORDS:
            if key == "@id":
                return _ID_TERM
            if key == "@type":
                return _TYPE_TERM
            return _OTHER_TERM
        iri = self.expand_iri(key, vocab=True)
        if iri is None or not _absolute(iri) or iri.startswith("_:"):
            return _UNDEFINED
        return _Term(_PROP, iri, None, None, _PLAIN, False)

    def expand_iri(self, value: str, *, vocab: bool) -> str | None:
        """pyld's ``_expand_iri`` with no base (relative IRIs stay relative), for non-keyword values."""
        if value in _KEYWORDS:
            return value
        if _keyword_like(value):
            return None
        if vocab:
            term = self.terms.get(value)
            if term is not None:
                return term.iri
        colon = value.find(":")
        if colon > 0:
            prefix = value[:colon]
            suffix = value[colon + 1 :]
            if prefix == "_" or suffix.startswith("//"):
                return value
            mapped = self.prefixes.get(prefix)
            if mapped is not None:
                return mapped + suffix
            if _absolute(value):
                return value
        if vocab and self.vocab is not None:
            return self.vocab + value
        return value


_ID_TERM = _Term(_ID, "@id", None, None, _PLAIN, False)
_TYPE_TERM = _Term(_TYPE, "@type", None, None, _PLAIN, False)
_OTHER_TERM = _Term(_OTHER, None, None, None, _PLAIN, False)

_wrapped: dict[int, tuple[dict[str, Any], _Ctx]] = {}
_top: dict[tuple[str, ...], _Ctx] = {}


def _wrap(raw: dict[str, Any]) -> _Ctx:
    hit = _wrapped.get(id(raw))
    if hit is not None and hit[0] is raw:
        return hit[1]
    with _lock:
        hit = _wrapped.get(id(raw))
        if hit is not None and hit[0] is raw:
            return hit[1]
        ctx = _Ctx(raw)
        _wrapped[id(raw)] = (raw, ctx)
        return ctx


def _url_key(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _Unsupported("inline or missing @context")


def _check_bundled(urls: tuple[str, ...]) -> None:
    index = jsonld._index()
    if not all(url in index for url in urls):
        raise _Unsupported("context not bundled")


def _reset_tables() -> None:
    """Forget every compiled context (documents being converted keep the ones they hold)."""
    global _compiled_count
    with _lock:
        _top.clear()
        _wrapped.clear()
        _subtrees.clear()
        _sighted.clear()
        _compiled_count = 0
        with _STATS.lock:
            _STATS.resets += 1


def _top_context(value: Any) -> _Ctx:
    """The compiled context of a document's ``@context`` (bundled URLs only)."""
    key = _url_key(value)
    ctx = _top.get(key)
    if ctx is not None:
        return ctx
    _check_bundled(key)
    with _lock:
        if _compiled_count >= MAX_COMPILED_CONTEXTS:
            _reset_tables()
        options = _pyld_options()
        try:
            raw = _processor._process_context(_processor._get_initial_context(options), list(key), options)
        except Exception as exc:
            raise _Unsupported(f"context processing: {type(exc).__name__}") from None
        ctx = _wrap(raw)
        _top[key] = ctx
    return ctx


# ---------------------------------------------------------------------------------------------------------
# document -> quads


def _safe_absolute(value: str) -> bool:
    # the reference's safe-mode test (credstack.vc.jsonld._is_absolute)
    return ":" in value and not value.startswith(":")


def _canonical_double(number: float | int) -> str:
    try:
        value = float(number)
    except OverflowError:
        raise _Unsupported("number out of range") from None
    if not math.isfinite(value):
        raise _Unsupported("non-finite number")
    # pyld: re.sub(r"(\d)0*E\+?(-)?0*(\d)", r"\1E\2\3", f"{value:1.15E}"), without the regular expression
    mantissa, exponent = f"{value:1.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa[-1] == ".":
        mantissa += "0"
    sign = "-" if exponent[0] == "-" else ""
    return mantissa + "E" + sign + (exponent[1:].lstrip("0") or "0")


_MISSING: Any = object()


class _Converter:
    """One document's quads; mirrors pyld's expansion + node map + RDF conversion (see the module doc).

    ``seen`` maps each quad (in order) to pyld's duplicate key of the value that produced it: pyld's node map
    keeps one of two values equal by its ``compare_values`` (equal values always give the same quad here), and
    keeps both of two different values that give the same quad (e.g. ``"x"`` and ``{"@value": "x", "@type":
    xsd:string}``) — that case is not mirrored: it goes to the reference path.
    """

    __slots__ = ("blocks", "bnodes", "graph", "recording", "replayed", "seen")

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str, str], Any] = {}
        self.bnodes = 0
        self.graph = ""  # the graph quads go to: "" (default) or a blank node (inside a @graph container)
        self.recording: list[tuple[Quad, Any]] | None = None  # the quads of the subtree being remembered
        self.replayed: set[int] = set()  # the remembered subtrees replayed in this document
        # each replay as (position in ``seen``, length, subtree, its quads that were already there or None): the
        # quads it added are that run of ``seen``, whose lines without blank nodes :func:`_canonical` takes
        # ready-made
        self.blocks: list[_Block] = []

    def add(self, subject: str | None, predicate: str, obj: str | None, key: Any) -> None:
        if subject is None or obj is None:
            return  # pyld skips a relative subject or object
        quad = (subject, predicate, obj, self.graph)
        known = self.seen.setdefault(quad, key)
        if known is not key and known != key:
            raise _Unsupported("different values giving the same quad")
        if self.recording is not None:
            self.recording.append((quad, key))

    def node(self, ctx: _Ctx | None, key: str | None, element: dict[str, Any], depth: int) -> tuple[str, str | None]:
        """:meth:`convert_node`, or the quads it gave for an equal subtree in an earlier document (see
        :class:`_Subtree`)."""
        if ctx is None or key is None or self.graph or self.recording is not None:
            return self.convert_node(ctx, key, element, depth)
        node_id = element.get("id")
        if type(node_id) is not str or _forget_subtrees.get():
            return self.convert_node(ctx, key, element, depth)
        cache_key = (node_id, key, depth)
        entry = _subtrees.get(cache_key)
        if entry is None:
            if cache_key not in _sighted:
                if len(_sighted) >= MAX_SUBTREES * 16:
                    _sighted.clear()
                _sighted[cache_key] = None
                return self.convert_node(ctx, key, element, depth)
        elif entry.ctx is ctx and _same_json(element, entry.element):
            if entry.serial in self.replayed:  # twice in one document: its blank nodes must differ
                return self.convert_node(ctx, key, element, depth)
            self.replayed.add(entry.serial)
            with _STATS.lock:
                _STATS.replays += 1
            seen = self.seen
            start = len(seen)
            already: set[Quad] | None = None
            for quad, value_key in entry.quads:
                size = len(seen)
                known = seen.setdefault(quad, value_key)
                if len(seen) == size:
                    if known is not value_key and known != value_key:
                        raise _Unsupported("different values giving the same quad")
                    # in the document already (the achievement's creator, described as the issuer): not added
                    if already is None:
                        already = set()
                    already.add(quad)
            self.blocks.append((start, len(seen) - start, entry, already))
            return entry.result
        # seen before (or changed): convert it and remember what it gave
        first_label = self.bnodes
        self.recording = []
        try:
            result = self.convert_node(ctx, key, element, depth)
            recorded = self.recording
        finally:
            self.recording = None
        _remember_subtree(cache_key, ctx, element, recorded, result, first_label, self.bnodes)
        return result

    def iri(self, ctx: _Ctx, value: str, *, vocab: bool) -> tuple[str, str | None]:
        """An IRI value (a node's @id, an @id/@vocab-coerced string) as (IRI, N-Quads term or None)."""
        plain = _plain_iris.get(value)
        if plain is None:
            match = _plain_absolute(value)
            plain = (match.group(1), "<" + value + ">") if match is not None else _NOT_PLAIN
            if len(value) <= MAX_REMEMBERED_LENGTH:
                if len(_plain_iris) >= MAX_PLAIN_IRIS:
                    _plain_iris.clear()
                _plain_iris[value] = plain
        scheme, term = plain
        if term and scheme not in ctx.prefixes and not (vocab and value in ctx.terms):
            # already an absolute IRI needing no escapes: what pyld's _expand_iri returns unchanged
            return value, term
        iri = ctx.expand_iri(value, vocab=vocab)
        if iri is None or iri.startswith(("@", "_:")) or not _safe_absolute(iri):
            raise _Unsupported("IRI: keyword, blank node or relative (safe mode)")
        return iri, _iri_term(iri) if _absolute(iri) else None

    # pyld _expand for an object element (active_property ``key``, active context ``ctx``)
    def convert_node(
        self, ctx: _Ctx | None, key: str | None, element: dict[str, Any], depth: int
    ) -> tuple[str, str | None]:
        """The node's identifier (raw) and its N-Quads term (None when pyld would skip it as relative)."""
        if depth > 200:
            raise _Unsupported("too deep")
        if ctx is not None and key is not None:
            active = ctx
            local = element.get("@context", _MISSING)
            definition = ctx.terms.get(key)
            scoped = definition.scoped if definition is not None else None
            if ctx.previous is not None:
                must_revert = True
                if len(element) <= 2 and local is _MISSING:
                    for name in sorted(element):
                        kind = ctx.expand_key(name).kind
                        if kind == _OTHER:
                            raise _Unsupported("keyword in node")
                        if kind == _ID and len(element) == 1:
                            must_revert = False
                            break
                if must_revert:
                    active = ctx.previous
            if scoped is not None:
                active = active.apply(scoped, propagate=True, override_protected=True)
            if local is not _MISSING:
                active = active.apply_urls(_url_key(local))
        else:
            active = _top_context(element.get("@context"))

        # type-scoped contexts: looked up in the context on entry, applied in sorted order
        type_scoped = active
        type_key = None
        for name in active.type_keys:
            if name in element:
                if type_key is not None:
                    raise _Unsupported("several @type keys")
                type_key = name
        type_values: list[str] = []
        if type_key is not None:
            raw_types = element[type_key]
            if type(raw_types) is str:
                type_values = [raw_types]
            elif type(raw_types) is list and all(type(t) is str for t in raw_types):
                type_values = raw_types
            else:
                raise _Unsupported("@type value")
            for type_name in sorted(type_values) if len(type_values) > 1 else type_values:
                definition = type_scoped.terms.get(type_name)
                if definition is not None and definition.scoped is not None and definition.scoped is not False:
                    active = active.apply_type(definition.scoped)

        # the node's identifier
        id_key = None
        for name in active.id_keys:
            if name in element:
                if id_key is not None:
                    raise _Unsupported("colliding @id")
                id_key = name
        subject: str | None
        if id_key is not None:
            raw_id = element[id_key]
            if type(raw_id) is not str:
                raise _Unsupported("@id value")
            node_id, subject = self.iri(active, raw_id, vocab=False)
        else:
            self.bnodes += 1
            node_id = subject = f"_:b{self.bnodes}"

        if type_key is not None:
            if active.expand_key(type_key).kind != _TYPE:
                raise _Unsupported("@type alias changed")
            type_objects = type_scoped.type_objects
            for type_name in type_values:
                obj = type_objects.get(type_name)
                if obj is None:
                    obj = self.iri(type_scoped, type_name, vocab=True)[1]
                self.add(subject, RDF_TYPE_TERM, obj, "t")

        terms = active.terms
        graph = self.graph
        seen = self.seen
        for name, value in element.items():
            term = terms.get(name)
            if term is None:
                if name == "@context":
                    continue
                term = active.expand_key(name)
            kind = term.kind
            if kind == _PROP:
                if type(value) is str and term.plain_string:
                    # the common case: a string literal of a term without coercion or scoped context
                    if subject is not None:
                        quad = (subject, term.predicate, _literal(value), graph)
                        known = seen.setdefault(quad, value)
                        if known is not value and known != value:
                            raise _Unsupported("different values giving the same quad")
                        if self.recording is not None:
                            self.recording.append((quad, value))
                elif term.plain and type(value) is not list and type(value) is not dict:
                    # a scalar of a plain term (its term context is this context)
                    if value is not None:
                        obj, value_key = self.scalar_object(active, term, value)
                        self.add(subject, term.predicate, obj, value_key)
                else:
                    self.property(active, term, name, value, subject, depth)
            elif kind == _ID:
                continue
            elif kind == _TYPE:
                if name != type_key:
                    raise _Unsupported("@type key changed by a type-scoped context")
            else:
                raise _Unsupported("undefined term" if kind == _DROP else "keyword or construct")
        return node_id, subject

    def property(self, active: _Ctx, term: _Term, name: str, value: Any, subject: str | None, depth: int) -> None:
        container = term.container
        if container == _BAD:
            raise _Unsupported("container")
        term_ctx = active
        if term.scoped is not None:
            term_ctx = active.apply(term.scoped, propagate=True, override_protected=True)
        predicate = term.predicate
        if container == _LIST:
            self.list_values(term_ctx, name, value, subject, predicate, depth)
        elif container == _GRAPH:
            self.graph_values(term_ctx, name, value, subject, predicate, depth)
        else:
            self.values(term_ctx, name, value, subject, predicate, depth)

    def list_values(self, ctx: _Ctx, name: str, value: Any, subject: str | None, predicate: str, depth: int) -> None:
        # pyld: {"@list": [...]} (never deduplicated) -> rdf:first / rdf:rest blank nodes ending in rdf:nil
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        objects: list[str] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise _Unsupported("list of lists")
            if isinstance(item, dict):
                obj = self.node(ctx, name, item, depth + 1)[1]
            else:
                obj = self.scalar_object(ctx, self.term_in(ctx, name), item)[0]
            if obj is None:
                raise _Unsupported("relative IRI in a list")
            objects.append(obj)
        if subject is None:
            return
        if not objects:
            self.bnodes += 1
            self.add(subject, predicate, _RDF_NIL, ("l", self.bnodes))
            return
        self.bnodes += 1
        head = node = f"_:b{self.bnodes}"
        self.add(subject, predicate, head, "l")
        for index, obj in enumerate(objects):
            self.add(node, _RDF_FIRST, obj, "l")
            if index + 1 < len(objects):
                self.bnodes += 1
                following = f"_:b{self.bnodes}"
                self.add(node, _RDF_REST, following, "l")
                node = following
            else:
                self.add(node, _RDF_REST, _RDF_NIL, "l")

    def graph_values(self, ctx: _Ctx, name: str, value: Any, subject: str | None, predicate: str, depth: int) -> None:
        # each node object becomes {"@graph": [node]}: a blank node named graph holding the node's quads
        if value is None:
            return
        if isinstance(value, list):
            if name in ctx.terms and ctx.terms[name].container in (_BAD, _LIST):
                raise _Unsupported("container")
            for item in value:
                self.graph_values(ctx, name, item, subject, predicate, depth)
            return
        if not isinstance(value, dict):
            raise _Unsupported("value in a @graph container")
        self.bnodes += 1
        graph = f"_:b{self.bnodes}"
        self.add(subject, predicate, graph, "g")
        outer = self.graph
        self.graph = graph
        self.node(ctx, name, value, depth + 1)
        self.graph = outer

    def values(self, ctx: _Ctx, name: str, value: Any, subject: str | None, predicate: str, depth: int) -> None:
        if value is None:
            return
        if isinstance(value, list):
            # the container looked up in the term context (pyld _expand on an array)
            if name in ctx.terms and ctx.terms[name].container in (_BAD, _LIST):
                raise _Unsupported("container")
            for item in value:
                self.values(ctx, name, item, subject, predicate, depth)
            return
        if isinstance(value, dict):
            obj = self.node(ctx, name, value, depth + 1)[1]
            # a node reference: pyld compares @id values (the same @id gives the same quad)
            self.add(subject, predicate, obj, "i")
            return
        obj, value_key = self.scalar_object(ctx, self.term_in(ctx, name), value)
        self.add(subject, predicate, obj, value_key)

    @staticmethod
    def term_in(ctx: _Ctx, name: str) -> _Term:
        term = ctx.terms.get(name)
        if term is None:
            term = ctx.expand_key(name)
        if term.kind != _PROP:
            raise _Unsupported("property redefined by its scoped context")
        return term

    # pyld _expand_value + _object_to_rdf
    def scalar_object(self, ctx: _Ctx, term: _Term, value: Any) -> tuple[str | None, Any]:
        """The RDF term of a scalar (None: skipped as relative) and pyld's duplicate key of its value."""
        datatype = term.datatype
        coerce = term.coerce
        if type(value) is str:
            if coerce == "@id" or coerce == "@vocab":
                return self.iri(ctx, value, vocab=coerce == "@vocab")[1], "i"
            if datatype is None:
                if ctx.language or term.language:
                    raise _Unsupported("language")
                return _literal(value), value
        if datatype is not None and (not _safe_absolute(datatype) or datatype.startswith("_:")):
            raise _Unsupported("datatype")
        if isinstance(value, bool):
            lexical = "true" if value else "false"
            rdf_type = datatype or XSD_BOOLEAN
        elif isinstance(value, int):
            if datatype == XSD_DOUBLE or abs(value) >= 1e21:
                lexical = _canonical_double(value)
                rdf_type = datatype or XSD_DOUBLE
            else:
                lexical = str(value)
                rdf_type = datatype or XSD_INTEGER
        elif isinstance(value, float):
            if not value.is_integer() or datatype == XSD_DOUBLE or abs(value) >= 1e21:
                lexical = _canonical_double(value)
                rdf_type = datatype or XSD_DOUBLE
            else:
                lexical = str(int(value))
                rdf_type = datatype or XSD_INTEGER
        elif isinstance(value, str):
            if datatype == XSD_DOUBLE:
                raise _Unsupported("string coerced to xsd:double")
            lexical = value
            rdf_type = datatype or XSD_STRING
        else:
            raise _Unsupported("value type")
        literal = '"' + _escape(lexical) + '"'
        if rdf_type is datatype:
            literal += term.suffix
        elif rdf_type != XSD_STRING:
            literal += "^^" + _iri_term(rdf_type)
        return literal, ("v", value, isinstance(value, bool), datatype)


# ---------------------------------------------------------------------------------------------------------
# remembered subtrees
#
# The credentials of one micro-credential version share their largest part: the achievement (rubric, levels,
# alignments), and the issuer. A node object with an ``id`` met a second time under the same active context,
# property and depth is remembered with the quads its conversion added (in order, with pyld's duplicate keys);
# when an equal one comes again, type for type and key order included (:func:`_same_json`, against a private copy
# of the one remembered, which :func:`_fingerprint` found exact), those quads are added again instead of converting
# it. Its blank nodes get labels of its own (``_:r<serial>x<n>``), the same in every
# document, so the first-degree hashes remembered per label (:data:`_node_hashes`) apply; the second time a
# subtree comes in one document it is converted again, with fresh labels. Nothing is remembered for a subtree
# converted inside a @graph container, while another is being remembered, or one holding an empty @list (its
# duplicate key counts lists). Bounded: the table starts afresh when full, and with the compiled contexts.

MAX_SUBTREES = 256
MAX_SUBTREE_BYTES = 65_536  # as JSON: an achievement is about 10 KB; the table stays within tens of megabytes


class _Subtree:
    __slots__ = (
        "blank_quads",
        "ctx",
        "element",
        "ground",
        "ground_lines",
        "last_without",
        "n_degree",
        "node_quads",
        "prefix",
        "quads",
        "reached",
        "result",
        "serial",
        "size",
    )

    def __init__(
        self,
        ctx: _Ctx,
        element: _StoredObject,
        size: int,
        quads: list[tuple[Quad, Any]],
        result: tuple[str, str | None],
        serial: int,
    ) -> None:
        self.ctx = ctx
        self.element = element  # a private copy of the node object (:func:`_private_copy`), for :func:`_same_json`
        self.size = size  # of its JSON, in bytes
        self.quads = quads
        self.result = result
        self.serial = serial
        self.prefix = f"_:r{serial}x"  # of its blank nodes' labels
        # remembered N-degree results (:func:`_replay_look_alikes`): the nodes step 5 labels that the look-alike
        # ones reach, per look-alike groups; which nodes step 6 labelled in order, and the units it spent, per key
        self.reached: dict[tuple[tuple[str, ...], ...], tuple[str, ...]] = {}
        self.n_degree: dict[tuple[Any, ...], tuple[tuple[str, ...], int]] = {}
        # for the labelling (:func:`_canonical`): the N-Quads lines of the quads without blank nodes, serialized
        # and sorted once (and with their quads, in the same order), and the quads with blank nodes, in order
        self.blank_quads: list[Quad] = []
        ground: list[tuple[str, Quad]] = []
        for quad, _ in quads:
            if _has_blank(quad):
                self.blank_quads.append(quad)
            else:
                ground.append((_line(quad), quad))
        ground.sort()
        # the quads of each of its blank nodes, in order of first appearance, as :func:`_canonical` indexes them:
        # no other quad names its blank nodes, so these lists are complete in every document it is replayed in
        # (and never added to: they are shared, read-only)
        self.node_quads: dict[str, list[Quad]] = {}
        scratch: list[Quad] = []
        for quad in self.blank_quads:
            _index_blank(quad, scratch, self.node_quads)
        self.ground = ground
        self.ground_lines = [line for line, _ in ground]
        self.last_without: tuple[set[Quad], list[str]] | None = None

    def ground_lines_without(self, already: set[Quad]) -> list[str]:
        """:attr:`ground_lines` but those of ``already``; the last answer is kept (the same quads are there
        already in every credential of one achievement: its creator described as the issuer)."""
        last = self.last_without  # one read: another thread may replace it meanwhile
        if last is not None and last[0] == already:
            return last[1]
        lines = [line for line, quad in self.ground if quad not in already]
        self.last_without = (already, lines)
        return lines


_subtrees: dict[tuple[str, str, int], _Subtree] = {}
_sighted: dict[tuple[str, str, int], None] = {}
_subtree_serials = itertools.count(1)  # next() is atomic: no two subtrees share labels, whatever the threads


def _remember_subtree(
    cache_key: tuple[str, str, int],
    ctx: _Ctx,
    element: dict[str, Any],
    recorded: list[tuple[Quad, Any]],
    result: tuple[str, str | None],
    first_label: int,
    last_label: int,
) -> None:
    serial = next(_subtree_serials)
    relabelled: dict[str, str] = {}
    for number in range(first_label + 1, last_label + 1):
        relabelled[f"_:b{number}"] = f"_:r{serial}x{number - first_label}"
    quads: list[tuple[Quad, Any]] = []
    distinct: set[Quad] = set()
    for (s, p, o, g), value_key in recorded:
        if type(value_key) is tuple and value_key and value_key[0] == "l":
            return  # an empty @list: its duplicate key counts lists
        if s[0] == "_":
            if s not in relabelled:
                return
            s = relabelled[s]
        if o[0] == "_":
            if o not in relabelled:
                return
            o = relabelled[o]
        if g:
            if g not in relabelled:
                return
            g = relabelled[g]
        quad = (s, p, o, g)
        # a quad added twice (an equal value twice) is replayed once: the conversion found both values alike
        if quad not in distinct:
            distinct.add(quad)
            quads.append((quad, value_key))
    node_id, subject = result
    if subject is not None and subject[0] == "_":
        if subject not in relabelled:
            return
        subject = relabelled[subject]
    fingerprint = _fingerprint(element)
    if fingerprint is None or len(fingerprint) > MAX_SUBTREE_BYTES:
        return
    if len(_subtrees) >= MAX_SUBTREES:
        _subtrees.clear()
    stored = _private_copy(element)
    if type(stored) is not _StoredObject:
        return
    _subtrees[cache_key] = _Subtree(ctx, stored, len(fingerprint), quads, (node_id, subject), serial)


def _exact_json(value: Any, depth: int = 0) -> bool:
    """True when ``value`` is made only of dict (str keys), list, str, int, bool, None and finite floats, those
    very types: then its orjson serialization tells it apart from any other such value (True from 1, 1 from 1.0,
    -0.0 from 0.0, key order included), which a subclass, a NaN (serialized as null), a UUID or a datetime
    would not."""
    if depth > MAX_FINGERPRINT_DEPTH:
        return False
    kind = type(value)
    if kind is dict:
        mapping: dict[Any, Any] = value
        for key, item in mapping.items():
            if type(key) is not str or (type(item) is not str and not _exact_json(item, depth + 1)):
                return False
        return True
    if kind is list:
        items: list[Any] = value
        for item in items:
            if type(item) is not str and not _exact_json(item, depth + 1):
                return False
        return True
    if kind is float:
        return math.isfinite(value)
    return kind is str or kind is int or kind is bool or value is None


MAX_FINGERPRINT_DEPTH = 100


def _fingerprint(element: dict[str, Any]) -> bytes | None:
    """The bytes that identify a subtree exactly (see :func:`_exact_json`), or None: not remembered."""
    if not _exact_json(element):
        return None
    try:
        return orjson.dumps(element)
    except orjson.JSONEncodeError:  # a lone surrogate, an integer beyond 64 bits
        return None


class _StoredObject:
    """A JSON object in a :func:`_private_copy`: its keys and values in order, for :func:`_same_json`."""

    __slots__ = ("keys", "values")

    def __init__(self, keys: list[str], values: list[Any]) -> None:
        self.keys = keys
        self.values = values


def _private_copy(value: Any) -> Any:
    """A copy of JSON :func:`_exact_json` accepted, for :func:`_same_json`: its objects as :class:`_StoredObject`,
    its own lists, the same (immutable) scalars."""
    kind = type(value)
    if kind is dict:
        mapping: dict[str, Any] = value
        return _StoredObject(list(mapping), [_private_copy(item) for item in mapping.values()])
    if kind is list:
        items: list[Any] = value
        return [_private_copy(item) for item in items]
    return value


def _same_json(value: Any, stored: Any) -> bool:
    """Whether ``value`` equals ``stored`` (a :func:`_private_copy`) type for type, key order included: what
    equal :func:`_fingerprint` bytes say, without serialising ``value``.

    ``stored`` holds only the exact types :func:`_exact_json` accepts, finite floats and JSON-deep, and its
    objects and lists are its own: ``value is stored`` can only hold for one same scalar. Anything of another type
    (a subclass, a tuple, a UUID, a NaN, an int where a float was, True where 1 was) is different.
    """
    if value is stored:
        return True
    kind = type(value)
    if kind is dict:
        if type(stored) is not _StoredObject:
            return False
        node: _StoredObject = stored
        mapping: dict[Any, Any] = value
        keys = node.keys
        values = node.values
        if len(mapping) != len(keys):
            return False
        index = 0
        for key, item in mapping.items():
            if type(key) is not str or key != keys[index]:
                return False
            other = values[index]
            if item is not other and not _same_json(item, other):
                return False
            index += 1
        return True
    if kind is not type(stored):
        return False
    if kind is str:
        return bool(value == stored)
    if kind is list:
        items: list[Any] = value
        others: list[Any] = stored
        if len(items) != len(others):
            return False
        index = 0
        for item in items:
            other = others[index]
            if item is not other and not _same_json(item, other):
                return False
            index += 1
        return True
    if kind is int:
        return bool(value == stored)
    if kind is float:
        # -0.0 == 0.0, but they convert differently; NaN never equals (and is never stored)
        return bool(value == stored and math.copysign(1.0, value) == math.copysign(1.0, stored))
    return False  # True/False/None are single objects: different ones are different values


def document_quads(doc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The quads of ``doc`` (canonical N-Quads terms); :class:`_Unsupported` when the fast path does not
    cover it."""
    converter = _Converter()
    converter.node(None, None, doc, 0)
    return list(converter.seen)


_Block = tuple[int, int, "_Subtree", "set[Quad] | None"]


def _has_blank(quad: Quad) -> bool:
    s, _, o, g = quad
    return s[0] == "_" or o[0] == "_" or (g != "" and g[0] == "_")


def _line(quad: Quad) -> str:
    s, p, o, g = quad
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


# ---------------------------------------------------------------------------------------------------------
# RDFC-1.0


# A blank node's first-degree hash input is the same from credential to credential wherever the node describes
# something they share (an alignment, an issuer's image, a rubric result): its sha256 is remembered per input,
# in a bounded table (a few megabytes at most). The inputs of Hash Related Blank Node repeat the same way (a
# position, a predicate and a label or first-degree hash): remembered likewise, and so are those of Hash N-Degree
# Quads (related hashes and paths of look-alike nodes, e.g. the inner nodes of a rubric's allowedValue list).
MAX_FIRST_DEGREE_HASHES = 2048
MAX_REMEMBERED_HASH_INPUT = 2048
_first_degree_hashes: dict[str, str] = {}
MAX_RELATED_HASHES = 4096
_related_hashes: dict[str, str] = {}
# Credentials of one shape (the same achievement, issuer and rubric) give their blank nodes the same labels with
# the same quads, document after document: the first-degree hash is also remembered per label, with the quads it
# was computed from (compared on use; a few hundred labels at most in practice).
MAX_NODE_HASHES = 4096
_node_hashes: dict[str, tuple[list[Quad], str]] = {}

Quad = tuple[str, str, str, str]


def _related_hash(hash_input: str) -> str:
    digest = _related_hashes.get(hash_input)
    if digest is None:
        digest = hashlib.sha256(hash_input.encode("utf-8")).hexdigest()
        if len(hash_input) <= MAX_REMEMBERED_HASH_INPUT:
            if len(_related_hashes) >= MAX_RELATED_HASHES:
                _related_hashes.clear()
            _related_hashes[hash_input] = digest
    return digest


class _Labeller:
    """RDFC-1.0 4.4 steps 4-6 for blank nodes some of which share a first-degree hash.

    The blank nodes are numbered (their order of first appearance in the quads, as in
    :class:`credstack.vc.jsonld._Canonicalizer`); a node's neighbours are listed once, when first needed, as
    (position letter + predicate, neighbour) per quad and position, so Hash Related Blank Node (4.7) is a string
    and a remembered sha256, and a temporary issuer is a dict from node number to label. The steps, the order in
    which neighbours and permutations are tried, and the work units spent are those of the reference, so both
    label alike and both refuse the same blow-ups with :class:`CanonicalizationBudgetExceeded`.
    """

    __slots__ = ("budget", "canonical", "edges", "first", "issued", "node_quads", "nodes", "number")

    def __init__(self, nodes: list[str], node_quads: list[list[Quad]], first: list[str], budget: int) -> None:
        self.nodes = nodes
        self.node_quads = node_quads
        self.number: dict[str, int] = {}
        self.first = first
        self.budget = budget
        self.canonical: list[str] = [""] * len(nodes)  # the canonical label of each node, "" until issued
        self.issued: list[int] = []  # nodes in the order their canonical labels were issued
        self.edges: list[list[tuple[str, int]] | None] = [None] * len(nodes)

    def neighbours(self, index: int) -> list[tuple[str, int]]:
        edges = self.edges[index]
        if edges is not None:
            return edges
        number = self.number
        if not number:
            for position, node in enumerate(self.nodes):
                number[node] = position
        node = self.nodes[index]
        edges = []
        for s, p, o, g in self.node_quads[index]:
            if s[0] == "_" and s != node:
                edges.append(("s" + p, number[s]))
            if o[0] == "_" and o != node:
                edges.append(("o" + p, number[o]))
            if g and g[0] == "_" and g != node:
                edges.append(("g", number[g]))
        self.edges[index] = edges
        return edges

    def spend(self, units: int) -> None:
        self.budget -= units
        if self.budget < 0:
            raise CanonicalizationBudgetExceeded(jsonld.BUDGET_EXCEEDED)

    def issue(self, node: int) -> None:
        if not self.canonical[node]:
            self.canonical[node] = "_:c14n" + str(len(self.issued))
            self.issued.append(node)

    # 4.4.3 steps 5 and 6
    def run(self, by_hash: dict[str, list[int]]) -> None:
        order = sorted(by_hash)
        self.issue_unique(order, by_hash)
        self.issue_look_alikes(order, by_hash)

    def issue_unique(self, order: list[str], by_hash: dict[str, list[int]]) -> None:
        for first_hash in order:
            nodes = by_hash[first_hash]
            if len(nodes) == 1:
                self.issue(nodes[0])

    def issue_look_alikes(self, order: list[str], by_hash: dict[str, list[int]]) -> None:
        for first_hash in order:
            nodes = by_hash[first_hash]
            if len(nodes) == 1:
                continue
            results: list[tuple[str, dict[int, str]]] = []
            for node in nodes:
                if self.canonical[node]:
                    continue
                results.append(self.hash_n_degree(node, {node: "_:b0"}, 0))
            results.sort(key=_result_hash)
            for _, issuer in results:
                for node in issuer:
                    self.issue(node)

    # 4.8 Hash N-Degree Quads (4.7 Hash Related Blank Node inline)
    def hash_n_degree(self, node: int, issuer: dict[int, str], depth: int) -> tuple[str, dict[int, str]]:
        """The hash and the issuer of ``node``. ``issuer`` is the caller's copy (the reference copies it for
        each permutation and the caller replaces its own with the result): it may be changed in place."""
        if depth > jsonld.MAX_N_DEGREE_DEPTH:
            raise CanonicalizationBudgetExceeded(jsonld.DEPTH_EXCEEDED)
        edges = self.neighbours(node)
        self.spend(len(self.node_quads[node]))
        canonical = self.canonical
        first = self.first
        groups: dict[str, list[int]] = {}
        for prefix, related in edges:
            self.spend(1)
            identifier = canonical[related]
            if not identifier:
                identifier = issuer.get(related, "")
                if not identifier:
                    identifier = first[related]
            related_hash = _related_hash(prefix + identifier)
            group = groups.get(related_hash)
            if group is None:
                groups[related_hash] = [related]
            else:
                group.append(related)
        data: list[str] = []
        for related_hash in sorted(groups) if len(groups) > 1 else list(groups):
            data.append(related_hash)
            group = groups[related_hash]
            if len(group) == 1:
                # one order only: never skipped, and chosen; the copy of the issuer would be the one kept
                related = group[0]
                self.spend(1 + len(issuer) // 16)
                label = canonical[related]
                if not label:
                    label = issuer.get(related, "")
                    if not label:
                        label = "_:b" + str(len(issuer))
                        issuer[related] = label
                        result_hash, issuer = self.hash_n_degree(related, issuer, depth + 1)
                        label = label + issuer[related] + "<" + result_hash + ">"
                data.append(label)
                continue
            chosen_path = ""
            chosen_issuer = issuer
            for permutation in itertools.permutations(group):
                # copying the issuer is the dominant cost on long chains of look-alike nodes
                self.spend(len(permutation) + len(issuer) // 16)
                issuer_copy = dict(issuer)
                path = ""
                recursion: list[int] = []
                skip = False
                for related in permutation:
                    label = canonical[related]
                    if not label:
                        label = issuer_copy.get(related, "")
                        if not label:
                            recursion.append(related)
                            label = "_:b" + str(len(issuer_copy))
                            issuer_copy[related] = label
                    path += label
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy, depth + 1)
                    path += issuer_copy[related] + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.append(chosen_path)
            issuer = chosen_issuer
        return _related_hash("".join(data)), issuer


def _result_hash(result: tuple[str, dict[int, str]]) -> str:
    return result[0]


def canonicalize(quads: list[Quad], *, budget: int = jsonld.DEFAULT_BUDGET) -> str:
    """RDFC-1.0 canonical N-Quads of distinct ``quads`` (as :func:`document_quads` gives them).

    Every blank node's first-degree hash (4.6: its quads with ``_:a`` / ``_:z``); when they are all different
    (the usual case), the canonical labels follow from sorting them (4.4.3 step 5 issues every label and the
    N-degree steps never run). When some are equal (a credential's rubric criteria carrying the same
    ``allowedValue`` list, look-alike alignments or evidence), :class:`_Labeller` runs Hash N-Degree Quads for
    them, with the work budget of :func:`credstack.vc.jsonld.canonicalize`. Then serialise and sort: distinct
    quads are distinct lines under a one-to-one labelling, so the lines are not deduplicated.
    """
    return _canonical(quads, [], budget)


def _index_blank(quad: Quad, blank: list[Quad], by_node: dict[str, list[Quad]]) -> None:
    """Add a quad with a blank node to ``blank`` and to the quads of each of its blank nodes."""
    blank.append(quad)
    s, _, o, g = quad
    if s[0] == "_":
        found = by_node.get(s)
        if found is None:
            by_node[s] = [quad]
        else:
            found.append(quad)
    if o[0] == "_" and o != s:
        found = by_node.get(o)
        if found is None:
            by_node[o] = [quad]
        else:
            found.append(quad)
    if g and g[0] == "_" and g != s and g != o:
        found = by_node.get(g)
        if found is None:
            by_node[g] = [quad]
        else:
            found.append(quad)


def _canonical(quads: list[Quad], blocks: list[_Block], budget: int) -> str:
    """:func:`canonicalize`; ``blocks`` (:attr:`_Converter.blocks`) are runs of ``quads`` added by replaying a
    remembered subtree, whose lines without blank nodes are taken ready-made (and already in order)."""
    lines: list[str] = []
    blank: list[Quad] = []
    by_node: dict[str, list[Quad]] = {}
    count = len(quads)
    index = 0
    block = 0
    block_start = blocks[0][0] if blocks else count
    while index < count:
        if index == block_start:
            _, length, entry, already = blocks[block]
            if already is None:
                lines.extend(entry.ground_lines)
            else:
                lines.extend(entry.ground_lines_without(already))
            # never in the document before the replay: their blank nodes are the subtree's own, named nowhere else
            blank.extend(entry.blank_quads)
            by_node.update(entry.node_quads)
            index += length
            block += 1
            block_start = blocks[block][0] if block < len(blocks) else count
            continue
        quad = quads[index]
        index += 1
        s, p, o, g = quad
        if s[0] == "_" or o[0] == "_" or (g != "" and g[0] == "_"):
            _index_blank(quad, blank, by_node)
        elif g:
            lines.append(f"{s} {p} {o} {g} .\n")
        else:
            lines.append(f"{s} {p} {o} .\n")
    if not by_node:
        lines.sort()
        return "".join(lines)
    sha256 = hashlib.sha256
    hashes: dict[str, str] = {}
    first: list[str] = []
    node_hashes = _node_hashes
    for node, node_quads in by_node.items():
        known = node_hashes.get(node)
        if known is not None and known[0] == node_quads:
            digest = known[1]
            hashes[digest] = node
            first.append(digest)
            continue
        hashed = []
        for s, p, o, g in node_quads:
            if s[0] == "_":
                s = "_:a" if s == node else "_:z"
            if o[0] == "_":
                o = "_:a" if o == node else "_:z"
            if g:
                if g[0] == "_":
                    g = "_:a" if g == node else "_:z"
                hashed.append(f"{s} {p} {o} {g} .\n")
            else:
                hashed.append(f"{s} {p} {o} .\n")
        hashed.sort()
        hash_input = "".join(hashed)
        remembered = _first_degree_hashes.get(hash_input)
        if remembered is not None:
            digest = remembered
        else:
            digest = sha256(hash_input.encode("utf-8")).hexdigest()
            if len(hash_input) <= MAX_REMEMBERED_HASH_INPUT:
                if len(_first_degree_hashes) >= MAX_FIRST_DEGREE_HASHES:
                    _first_degree_hashes.clear()
                _first_degree_hashes[hash_input] = digest
        if len(node_hashes) >= MAX_NODE_HASHES:
            node_hashes.clear()
        node_hashes[node] = (node_quads, digest)
        hashes[digest] = node
        first.append(digest)
    labels: dict[str, str]
    if len(hashes) == len(by_node):
        labels = {node: f"_:c14n{index}" for index, node in enumerate([hashes[h] for h in sorted(hashes)])}
    else:
        labels = _n_degree_labels(by_node, first, budget, blocks)
    for s, p, o, g in blank:
        if s[0] == "_":
            s = labels[s]
        if o[0] == "_":
            o = labels[o]
        if g:
            if g[0] == "_":
                g = labels[g]
            lines.append(f"{s} {p} {o} {g} .\n")
        else:
            lines.append(f"{s} {p} {o} .\n")
    lines.sort()
    return "".join(lines)


def _n_degree_labels(
    by_node: dict[str, list[Quad]], first: list[str], budget: int, blocks: list[_Block] | None = None
) -> dict[str, str]:
    """The canonical labels when first-degree hashes collide (counted in :func:`stats` as ``n_degree``)."""
    with _STATS.lock:
        _STATS.n_degree += 1
    nodes = list(by_node)
    labeller = _Labeller(nodes, list(by_node.values()), first, budget)
    by_hash: dict[str, list[int]] = {}
    for index, digest in enumerate(first):
        found = by_hash.get(digest)
        if found is None:
            by_hash[digest] = [index]
        else:
            found.append(index)
    order = sorted(by_hash)
    labeller.issue_unique(order, by_hash)
    if not blocks or not _replay_look_alikes(labeller, order, by_hash, blocks):
        labeller.issue_look_alikes(order, by_hash)
    canonical = labeller.canonical
    return {node: canonical[index] for index, node in enumerate(nodes)}


# Remembered N-degree results. In the platform's credentials every look-alike blank node (the allowedValue lists)
# is one of a replayed subtree's (:class:`_Subtree`): its labels (``_:r<serial>x<n>``) are the subtree's own, no
# other quad names them, and its quads are those of the subtree every time. When every look-alike node of a
# document belongs to one replayed subtree, 4.4.3 step 6 depends on nothing but:
# - the subtree (its quads fix the first-degree hashes, hence the look-alike groups and their order, and the
#   blank nodes each Hash N-Degree Quads can reach: those connected to the look-alike ones, all the subtree's);
# - the canonical labels step 5 gave to the nodes so reached (Hash Related Blank Node uses them);
# - how many labels step 5 issued (the labels step 6 issues are numbered from there, and later groups hash
#   them);
# so the subtree keeps, per those, which of its nodes step 6 labelled in which order and the work units it spent.
# The key holds them all, plus the groups as labels (which the subtree fixes; a cheap check); a budget smaller than
# the units spent runs the step, to refuse the document as the reference does. Bounded per subtree.
MAX_N_DEGREE_RESULTS = 64


def _replay_look_alikes(
    labeller: _Labeller, order: list[str], by_hash: dict[str, list[int]], blocks: list[_Block]
) -> bool:
    """Step 6 from a remembered result (True), or run and remembered when it can be (False: run it)."""
    nodes = labeller.nodes
    groups: list[tuple[str, ...]] = []
    for first_hash in order:
        members = by_hash[first_hash]
        if len(members) > 1:
            groups.append(tuple([nodes[index] for index in members]))
    some = groups[0][0]
    if not some.startswith("_:r"):
        return False
    entry: _Subtree | None = None
    for _, _, candidate, _ in blocks:
        if some.startswith(candidate.prefix):
            entry = candidate
            break
    if entry is None:
        return False
    prefix = entry.prefix
    for group in groups:
        for label in group:
            if not label.startswith(prefix):
                return False
    group_key = tuple(groups)
    number = labeller.number
    if not number:
        for position, node in enumerate(nodes):
            number[node] = position
    reached = entry.reached.get(group_key)
    if reached is None:
        # the nodes Hash N-Degree Quads can reach from the look-alike ones that step 5 labels: all the subtree's
        found: set[int] = set()
        pending = [number[label] for group in groups for label in group]
        while pending:
            index = pending.pop()
            if index in found:
                continue
            found.add(index)
            pending.extend(related for _, related in labeller.neighbours(index))
        reached = tuple(sorted([nodes[index] for index in found if labeller.canonical[index]]))
        if len(entry.reached) >= MAX_N_DEGREE_RESULTS:
            entry.reached.clear()
        entry.reached[group_key] = reached
    canonical = labeller.canonical
    key = (len(labeller.issued), group_key, tuple([canonical[number[label]] for label in reached]))
    known = entry.n_degree.get(key)
    if known is not None and known[1] <= labeller.budget:
        issued, _ = known
        for label in issued:
            labeller.issue(number[label])
        with _STATS.lock:
            _STATS.n_degree_replays += 1
        return True
    start = len(labeller.issued)
    budget = labeller.budget
    labeller.issue_look_alikes(order, by_hash)
    if len(entry.n_degree) >= MAX_N_DEGREE_RESULTS:
        entry.n_degree.clear()
    entry.n_degree[key] = (tuple([nodes[index] for index in labeller.issued[start:]]), budget - labeller.budget)
    return True


# ---------------------------------------------------------------------------------------------------------
# entry points


def try_to_nquads(doc: Any, *, budget: int = jsonld.DEFAULT_BUDGET) -> str | None:
    """Canonical N-Quads by the fast path, or None (counted) when the reference path must take ``doc``."""
    if not isinstance(doc, dict):
        _count_fallback("not an object")
        return None
    try:
        converter = _Converter()
        converter.node(None, None, doc, 0)
        quads = list(converter.seen)
        blocks = converter.blocks
    except _Unsupported as exc:
        _count_fallback(exc.reason)
        return None
    except RecursionError:
        _count_fallback("too deep")
        return None
    except TypeError:
        # the compiled build checks the annotated types at run time: a value no annotation foresaw goes to the
        # reference path (counted) instead of failing
        _count_fallback("unexpected value type")
        return None
    result = _canonical(quads, blocks, budget)
    with _STATS.lock:
        _STATS.fast += 1
    return result


def to_nquads(doc: dict[str, Any], *, budget: int = jsonld.DEFAULT_BUDGET) -> str:
    """Canonical RDFC-1.0 N-Quads of ``doc`` in safe mode: the fast path when it covers the document (and
    :func:`reference_path` is not in force), the reference :func:`credstack.vc.jsonld.to_nquads` otherwise.
    Same bytes, same errors, either way."""
    if fast_path_enabled():
        result = try_to_nquads(doc, budget=budget)
        if result is not None:
            return result
    else:
        _count_fallback("reference path forced")
    return jsonld.to_nquads(doc, budget=budget)


def check_safe(doc: dict[str, Any]) -> None:
    """Raise what :func:`credstack.vc.jsonld.expand_safe` raises for ``doc`` (nothing when every term is
    defined), quickly when the fast path covers the document."""
    if fast_path_enabled() and isinstance(doc, dict):
        try:
            document_quads(doc)
            return
        except (_Unsupported, RecursionError, TypeError):
            pass
    jsonld.expand_safe(doc)


# ---------------------------------------------------------------------------------------------------------
# the compiled build (scripts/build_native.py): the same source compiled with mypyc, used when it is current

#: which implementation runs: "pure Python", or "compiled (mypyc)" once native.install swapped in the build
IMPLEMENTATION = native.PURE
native.install(__name__, __file__)
