"""JSON-LD for credentials: bundled contexts only, safe mode, RDFC-1.0 canonical N-Quads.

Contexts. :func:`document_loader` serves the contexts bundled in ``credstack/vc/contexts`` (copied
byte for byte, see ``contexts/index.json``) and refuses every other URL with
:class:`ContextError`: a verifier that fetches contexts named by a credential can be made to fetch
anything, and a context that changes under a signature changes what was signed.

Safe mode. pyld 3.3 has no ``safe`` option. It drops terms no context defines, so a signature
would silently not cover them. :func:`expand_safe` and :func:`to_nquads` raise
:class:`UndefinedTermError` instead: pyld's ``on_property_dropped`` hook catches dropped
properties, and a walk of the expanded form catches types and ids that stayed relative
(an undefined type expands to a relative IRI, which RDF conversion drops too).

Canonicalization. pyld 3.3 implements URDNA2015 but not RDFC-1.0, and serialises literals with the
old N-Quads escaping (only tab, newline, carriage return, quote and backslash; other control
characters raw). RDFC-1.0 requires the canonical N-Quads escaping (\\b \\t \\n \\f \\r \\" \\\\ as
ECHAR, other C0 controls and DEL as uppercase ``\\uXXXX``), and the escaping feeds the blank-node
hashes too. So the algorithm is written here (RDF Dataset Canonicalization, W3C Recommendation
2024, section 4) on top of pyld's JSON-LD to RDF conversion, with a work budget: the N-degree step
is exponential in the number of indistinguishable blank nodes, and a crafted credential must fail
fast with :class:`CanonicalizationBudgetExceeded` instead of hanging a worker.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from cachetools import LRUCache
from pyld import jsonld as _pyld  # type: ignore[import-untyped,unused-ignore]
from pyld.context_resolver import ContextResolver  # type: ignore[import-untyped,unused-ignore]

from credstack.vc.errors import (
    CanonicalizationBudgetExceeded,
    ContextError,
    InvalidDocument,
    UndefinedTermError,
)

# Work units of the blank-node labelling: a quad looked at by Hash N-Degree Quads, a blank node placed
# in a permutation (plus the issuer copy), a related hash. A credential needs at most a few hundred;
# 300,000 take under 0.4 s on the worst shapes measured (cliques, long look-alike chains), so a
# blow-up document is refused well within one second.
DEFAULT_BUDGET = 300_000
BUDGET_EXCEEDED = (
    "RDF canonicalization needs more work than allowed: the document has many blank nodes "
    "that cannot be told apart (a canonicalization blow-up). Refused."
)
# Hash N-Degree Quads recurses once per look-alike blank node along a chain (e.g. a long list of equal values):
# beyond this depth the document is refused like a blow-up, instead of running out of stack (a RecursionError
# here, a crash in a compiled build). No credential comes near it: the budget stops such chains sooner.
MAX_N_DEGREE_DEPTH = 200
DEPTH_EXCEEDED = (
    "RDF canonicalization needs more work than allowed: the document has a long chain of blank nodes "
    "that cannot be told apart (a canonicalization blow-up). Refused."
)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# ---------------------------------------------------------------------------------------------
# bundled contexts


@cache
def _index() -> dict[str, str]:
    text = resources.files("credstack.vc").joinpath("contexts/index.json").read_text(encoding="utf-8")
    index: dict[str, str] = json.loads(text)
    return index


def bundled_context_urls() -> list[str]:
    """The context URLs served offline."""
    return sorted(_index())


def context_bytes(url: str) -> bytes:
    """The bundled bytes of the context at ``url``; :class:`ContextError` if it is not bundled."""
    name = _index().get(url)
    if name is None:
        raise ContextError(f"The @context {url!r} is not bundled; remote contexts are never fetched.")
    return resources.files("credstack.vc").joinpath("contexts").joinpath(name).read_bytes()


@cache
def _parsed_context(url: str) -> Any:
    try:
        return json.loads(context_bytes(url))
    except json.JSONDecodeError as exc:
        raise ContextError(f"The bundled @context {url!r} is not JSON: {exc}") from exc


def load_context(url: str) -> Any:
    """A fresh copy of the parsed bundled context (callers may mutate it)."""
    return copy.deepcopy(_parsed_context(url))


def document_loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader serving bundled contexts only.

    The ``static`` tag lets pyld keep the processed context in its shared cache, which is what
    makes repeated canonicalizations cheap.
    """
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url), "tag": "static"}


def make_document_loader(extra: Mapping[str, Any]) -> Any:
    """A loader serving ``extra`` (URL -> parsed context) besides the bundled ones.

    For callers that hold other contexts they trust (e.g. tests with a vector's own context);
    nothing is ever fetched.
    """
    frozen = {url: copy.deepcopy(doc) for url, doc in extra.items()}

    def loader(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url in frozen:
            return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(frozen[url]), "tag": "static"}
        return document_loader(url, options)

    loader.extra_urls = frozenset(frozen)  # type: ignore[attr-defined]
    return loader


# processed contexts, per loader (a custom loader must not see contexts cached for another one)
_resolved_caches: dict[int, LRUCache[str, Any]] = {}
_cache_lock = threading.Lock()


def _context_resolver(loader: Any) -> Any:
    with _cache_lock:
        cache_ = _resolved_caches.get(id(loader))
        if cache_ is None:
            cache_ = LRUCache(maxsize=256)
            if loader is document_loader:
                _resolved_caches[id(loader)] = cache_
    return ContextResolver(cache_, loader)


# ---------------------------------------------------------------------------------------------
# safe mode


class _Dropped(Exception):
    def __init__(self, term: str) -> None:
        self.term = term


def _on_dropped(expanded_property: str | None) -> None:
    raise _Dropped(expanded_property if expanded_property is not None else "(a term mapped to null)")


class _SafeProcessor(_pyld.JsonLdProcessor):  # type: ignore[misc]
    """pyld processor that refuses to drop anything during expansion."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_on_dropped)

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        _check_expanded(expanded)
        return expanded


def _is_absolute(value: str) -> bool:
    return ":" in value and not value.startswith(":")


def _check_expanded(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _check_expanded(item)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        # a @type on a value object is a datatype IRI
        datatype = node.get("@type")
        if isinstance(datatype, str) and datatype != "@json" and not _is_absolute(datatype):
            raise UndefinedTermError(
                datatype, f"The datatype {datatype!r} is not defined by any @context of the document."
            )
        return
    for type_ in node.get("@type", []):
        if isinstance(type_, str) and not _is_absolute(type_):
            raise UndefinedTermError(type_, f"The type {type_!r} is not defined by any @context of the document.")
    id_ = node.get("@id")
    if isinstance(id_, str) and not _is_absolute(id_):
        raise UndefinedTermError(id_, f"The id {id_!r} is a relative reference; it must be an absolute IRI.")
    for key, value in node.items():
        if key not in ("@type", "@id"):
            _check_expanded(value)


def _options(loader: Any, **more: Any) -> dict[str, Any]:
    loader = loader or document_loader
    return {
        "documentLoader": loader,
        "contextResolver": _context_resolver(loader),
        # pyld resolves relative IRIs against http://example.org/base/ when the base is "": no base at all
        "base": None,
        "processingMode": "json-ld-1.1",
        **more,
    }


def _run(operation: Any, doc: Any) -> Any:
    """Run a pyld operation, turning its errors into ours."""
    if not isinstance(doc, dict):
        raise InvalidDocument("A JSON-LD document must be a JSON object.")
    try:
        return operation()
    except _Dropped as dropped:
        raise UndefinedTermError(dropped.term) from None
    except _pyld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, _Dropped):
                raise UndefinedTermError(cause.term) from None
            if isinstance(cause, ContextError):
                raise ContextError(str(cause)) from exc
            cause = cause.__cause__
        raise InvalidDocument(f"Invalid JSON-LD: {_describe(exc)}") from exc
    except RecursionError as exc:
        raise InvalidDocument("The JSON-LD document is nested too deeply.") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # pyld assumes shapes it never checks (``{"@vocab": null}`` raises KeyError deep inside expansion): any
        # crash of the processor on a document is the document's fault, never ours to answer with a 500.
        raise InvalidDocument(
            f"The JSON-LD processor cannot handle this document ({type(exc).__name__}: {exc}); check its @context."
        ) from exc


def _describe(exc: Any) -> str:
    parts = []
    cause: BaseException | None = exc
    while cause is not None:
        message = cause.args[0] if cause.args else type(cause).__name__
        parts.append(str(message).split("\n")[0])
        cause = cause.__cause__
    return " <- ".join(parts)


def expand_safe(doc: dict[str, Any], *, loader: Any = None) -> list[Any]:
    """JSON-LD expansion that raises :class:`UndefinedTermError` instead of dropping a term."""
    result: list[Any] = _run(lambda: _SafeProcessor().expand(doc, _options(loader)), doc)
    return result


def to_rdf_dataset(doc: dict[str, Any], *, safe: bool = True, loader: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The RDF dataset of ``doc`` in pyld's form: graph name -> list of triples."""
    processor = _SafeProcessor() if safe else _pyld.JsonLdProcessor()
    dataset: dict[str, list[dict[str, Any]]] = _run(lambda: processor.to_rdf(doc, _options(loader)), doc)
    return dataset


def to_nquads(
    doc: dict[str, Any],
    *,
    budget: int = DEFAULT_BUDGET,
    safe: bool = True,
    loader: Any = None,
    hash_name: str = "sha256",
) -> str:
    """Canonical RDFC-1.0 N-Quads of a JSON-LD document (safe mode unless ``safe=False``); ``hash_name`` is
    RDFC-1.0's hash algorithm (SHA-256 by default; ``sha384`` for the P-384 ECDSA suites)."""
    quads = quads_from_dataset(to_rdf_dataset(doc, safe=safe, loader=loader))
    return canonicalize(quads, budget=budget, hash_name=hash_name)


# ---------------------------------------------------------------------------------------------
# RDFC-1.0
#
# A quad is a 4-tuple of terms (subject, predicate, object, graph). A term is a string already in
# canonical N-Quads form ("<iri>", "\"literal\"..."), a blank node "_:label", or "" for the default
# graph. Only blank nodes start with "_:", so labels can be swapped without re-serialising.

Quad = tuple[str, str, str, str]


def _escape_table() -> dict[int, str]:
    table = {n: f"\\u{n:04X}" for n in [*range(0x20), 0x7F]}
    table.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
    return table


_LITERAL_ESCAPES = _escape_table()
_IRI_ESCAPES = {n: f"\\u{n:04X}" for n in [*range(0x21), *map(ord, '<>"{}|^`\\')]}


def escape_literal(value: str) -> str:
    """Canonical N-Quads escaping of a literal's lexical form (RDFC-1.0 / RDF 1.2 N-Triples)."""
    return value.translate(_LITERAL_ESCAPES)


def _iri(value: str) -> str:
    return "<" + value.translate(_IRI_ESCAPES) + ">"


def _term(term: Mapping[str, Any]) -> str:
    kind = term["type"]
    value = term["value"]
    if kind == "IRI":
        return _iri(value)
    if kind == "blank node":
        return str(value)
    literal = '"' + escape_literal(value) + '"'
    datatype = term.get("datatype", XSD_STRING)
    if datatype == RDF_LANGSTRING:
        return literal + "@" + str(term["language"])
    if datatype != XSD_STRING:
        return literal + "^^" + _iri(datatype)
    return literal


def quads_from_dataset(dataset: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[Quad]:
    """pyld's dataset as quads of canonical N-Quads terms."""
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        if graph_name == "@default":
            graph = ""
        elif graph_name.startswith("_:"):
            graph = graph_name
        else:
            graph = _iri(graph_name)
        for triple in triples:
            quads.append((_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"]), graph))
    return quads


def serialize_quad(quad: Quad) -> str:
    s, p, o, g = quad
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = dict(issued) if issued else {}

    def issue(self, identifier: str) -> str:
        label = self.issued.get(identifier)
        if label is None:
            label = f"{self.prefix}{len(self.issued)}"
            self.issued[identifier] = label
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.issued)


class _Canonicalizer:
    def __init__(self, quads: list[Quad], budget: int, hash_name: str = "sha256") -> None:
        self.quads = quads
        self.budget = budget
        self._hash = (
            _sha256 if hash_name == "sha256" else lambda text: hashlib.new(hash_name, text.encode()).hexdigest()
        )
        self.canonical = _Issuer("_:c14n")
        self.bnode_quads: dict[str, list[Quad]] = {}
        self.first_degree: dict[str, str] = {}
        for quad in quads:
            for position in (0, 2, 3):
                term = quad[position]
                if term.startswith("_:"):
                    entry = self.bnode_quads.setdefault(term, [])
                    if not entry or entry[-1] is not quad:
                        entry.append(quad)

    def spend(self, units: int = 1) -> None:
        self.budget -= units
        if self.budget < 0:
            raise CanonicalizationBudgetExceeded(BUDGET_EXCEEDED)

    # 4.6 Hash First Degree Quads
    def hash_first_degree(self, node: str) -> str:
        cached = self.first_degree.get(node)
        if cached is not None:
            return cached
        lines = []
        for s, p, o, g in self.bnode_quads[node]:
            lines.append(
                serialize_quad(
                    (
                        ("_:a" if s == node else "_:z") if s.startswith("_:") else s,
                        p,
                        ("_:a" if o == node else "_:z") if o.startswith("_:") else o,
                        ("_:a" if g == node else "_:z") if g.startswith("_:") else g,
                    )
                )
            )
        lines.sort()
        result = self._hash("".join(lines))
        self.first_degree[node] = result
        return result

    # 4.7 Hash Related Blank Node
    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        self.spend()
        if related in self.canonical.issued:
            identifier = self.canonical.issued[related]
        elif related in issuer.issued:
            identifier = issuer.issued[related]
        else:
            identifier = self.hash_first_degree(related)
        predicate = quad[1] if position != "g" else ""
        return self._hash(position + predicate + identifier)

    # 4.8 Hash N-Degree Quads
    def hash_n_degree(self, node: str, issuer: _Issuer, depth: int = 0) -> tuple[str, _Issuer]:
        if depth > MAX_N_DEGREE_DEPTH:
            raise CanonicalizationBudgetExceeded(DEPTH_EXCEEDED)
        self.spend(len(self.bnode_quads[node]))
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.bnode_quads[node]:
            for position, letter in ((0, "s"), (2, "o"), (3, "g")):
                term = quad[position]
                if term.startswith("_:") and term != node:
                    related_by_hash.setdefault(self.hash_related(term, quad, issuer, letter), []).append(term)
        data = []
        for related_hash in sorted(related_by_hash):
            data.append(related_hash)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in itertools.permutations(related_by_hash[related_hash]):
                # copying the issuer is the dominant cost on long chains of look-alike nodes
                self.spend(len(permutation) + len(issuer.issued) // 16)
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    if related in self.canonical.issued:
                        path += self.canonical.issued[related]
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy, depth + 1)
                    path += issuer_copy.issue(related) + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            data.append(chosen_path)
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer
        return self._hash("".join(data)), issuer

    # 4.4 Canonicalization Algorithm
    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for node in self.bnode_quads:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        for first_hash in sorted(by_hash):
            nodes = by_hash[first_hash]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
        for first_hash in sorted(by_hash):
            nodes = by_hash[first_hash]
            if len(nodes) == 1:
                continue
            results = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(node)
                results.append(self.hash_n_degree(node, temporary))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        labels = self.canonical.issued
        lines = {
            serialize_quad(
                (
                    labels[s] if s.startswith("_:") else s,
                    p,
                    labels[o] if o.startswith("_:") else o,
                    labels[g] if g.startswith("_:") else g,
                )
            )
            for s, p, o, g in self.quads
        }
        return "".join(sorted(lines))


def canonicalize(quads: list[Quad], *, budget: int = DEFAULT_BUDGET, hash_name: str = "sha256") -> str:
    """RDFC-1.0 (SHA-256) canonical N-Quads of ``quads``.

    ``budget`` caps the work of the blank-node labelling; beyond it
    :class:`CanonicalizationBudgetExceeded` is raised.
    """
    return _Canonicalizer(quads, budget, hash_name).run()
