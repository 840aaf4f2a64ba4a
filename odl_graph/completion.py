"""The SPARQL editor's completion by label: the classes and properties the graph uses, and its resources.

A user of the Wikidata Query Service or QLever types a word where an IRI goes and picks from a list of
labels. Classes and properties are few (the classes instantiated and the predicates used, each with its
labels in both languages and its number of uses), held in a `CompletionIndex` built once per store
version by two aggregate queries; resources are found in the site search index (odl_graph.search), which
already holds every label under the base, folded for accents and plurals. Matching is the search's:
each word of the text begins a word of a label (or of the term's local name), or is its plural.

No Flask: the server caches one index per store version and answers `/editor/complete.json` from it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from odl_graph import iris
from odl_graph.describe.labels import DEFAULT_LANG, OWL, RDFS, SKOS, Source, label_order, lang_rank, local_name
from odl_graph.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SearchIndex, select_many, tokens
from odl_graph.text import fold_plural

# Bounds of one answer and of the index (a graph that uses more terms keeps its most used ones).
MAX_SUGGESTIONS = 10  # per kind
MAX_TERMS = 2000  # classes plus properties held
MIN_CHARS = 2  # shorter text completes nothing: every label has a word beginning with one letter
# Schema-level terms: offered as properties or classes, never as resources.
_SCHEMA_CLASSES = frozenset({OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                             RDFS + "Class", OWL + "Ontology", OWL + "AnnotationProperty"})


@dataclass(frozen=True)
class Term:
    iri: str
    kind: str  # "class" | "property"
    uses: int
    labels: tuple[tuple[str, str | None], ...]
    words: frozenset[str]  # folded words of its labels and its local name


@dataclass(frozen=True)
class Suggestion:
    """One completion: `text` is what the editor inserts (a prefixed name when a known prefix fits)."""

    kind: str  # "class" | "property" | "resource"
    iri: str
    text: str
    label: str
    lang: str | None
    detail: str  # the prefixed name of a term, the type of a resource
    prefix: tuple[str, str] | None  # (name, namespace) the text needs declared

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "iri": self.iri, "text": self.text, "label": self.label,
                                  "lang": self.lang, "detail": self.detail}
        if self.prefix:
            out["prefix"] = {"name": self.prefix[0], "iri": self.prefix[1]}
        return out


def split_words(text: str) -> list[str]:
    """A local name's words: 'requiredCategory' -> 'required category', 'code_insee' -> 'code insee'."""
    spaced = "".join(" " + c if c.isupper() else c for c in text)
    return tokens(spaced)


def short_name(iri: str, prefixes: dict[str, str]) -> tuple[str, tuple[str, str] | None]:
    """`odl:UseCase` (with the prefix it needs) when a known namespace fits, else `<iri>`."""
    for name, ns in prefixes.items():
        rest = iri[len(ns):]
        if iri.startswith(ns) and rest and all(c.isalnum() or c in "_-" for c in rest):
            return f"{name}:{rest}", (name, ns)
    return f"<{iri}>", None


class CompletionIndex:
    """The graph's classes and properties with their labels, for completion by label."""

    def __init__(self, terms: list[Term], base: str = iris.BASE) -> None:
        self.terms = terms
        self.prefixes = iris.rdf_prefixes(base)
        words: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            for w in term.words:
                words.setdefault(w, []).append(i)
        self._vocabulary = sorted(words)
        self._postings = [words[w] for w in self._vocabulary]
        self._plurals: dict[str, list[int]] = {}
        for j, w in enumerate(self._vocabulary):
            self._plurals.setdefault(fold_plural(w), []).append(j)

    @classmethod
    def build(cls, source: Source, base: str = iris.BASE) -> CompletionIndex:
        """Two aggregate queries (classes instantiated, predicates used) and one for their labels."""
        classes = select_many(source, "SELECT ?t (COUNT(?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t")
        props = select_many(source, "SELECT ?p (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
        used = [(r["t"].value, "class", int(r["n"].value)) for r in classes if "t" in r
                and r["t"].value not in _SCHEMA_CLASSES]
        used += [(r["p"].value, "property", int(r["n"].value)) for r in props if "p" in r]
        used = sorted(used, key=lambda u: -u[2])[:MAX_TERMS]
        labels: dict[str, list[tuple[str, str | None]]] = {iri: [] for iri, _k, _n in used}
        values = " ".join(f"<{iri}>" for iri in labels if ">" not in iri)
        rows = select_many(source, f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {values} }} "
                                   f"VALUES ?p {{ <{RDFS}label> <{SKOS}prefLabel> }} ?s ?p ?l }}") if values else []
        for r in rows:
            labels[r["s"].value].append((r["l"].value, getattr(r["l"], "language", None) or None))
        terms = []
        for iri, kind, n in used:
            words = set(split_words(local_name(iri)))
            for text, _lang in labels[iri]:
                words.update(tokens(text))
            terms.append(Term(iri, kind, n, tuple(labels[iri]), frozenset(words)))
        return cls(terms, base)

    def _matching(self, words: list[str]) -> set[int]:
        found: set[int] | None = None
        for w in words:
            lo = bisect_left(self._vocabulary, w)
            hi = bisect_left(self._vocabulary, w + "\U0010ffff", lo)
            ids = {i for p in self._postings[lo:hi] for i in p}
            for j in self._plurals.get(fold_plural(w), ()):
                ids.update(self._postings[j])
            found = ids if found is None else found & ids
            if not found:
                return set()
        return found or set()

    def label(self, term: Term, lang: str) -> tuple[str, str | None]:
        if not term.labels:
            return local_name(term.iri), None
        best = min(term.labels, key=lambda lt: label_order(lt[0], lt[1], 0, lang))
        return best[0], best[1]

    def complete(self, text: str, search: SearchIndex | None, lang: str = DEFAULT_LANG,
                 limit: int = MAX_SUGGESTIONS, kind_label: Callable[[str], str] | None = None) -> list[Suggestion]:
        """Classes, then properties (most used first), then resources (search's ranking) whose labels hold
        every word of `text`; at most `limit` of each kind. `kind_label` names a resource's kind (the
        search's class local name) for the reader; by default the class's label."""
        words = tokens(text[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
        limit = max(0, min(limit, MAX_SUGGESTIONS))
        if not words or sum(map(len, words)) < MIN_CHARS or not limit:
            return []
        out: list[Suggestion] = []
        # terms labelled in the reader's language first, then the most used
        hits = sorted((self.terms[i] for i in self._matching(words)),
                      key=lambda t: (lang_rank(self.label(t, lang)[1], lang), -t.uses, t.iri))
        for kind in ("class", "property"):
            for term in [t for t in hits if t.kind == kind][:limit]:
                label, tag = self.label(term, lang)
                short, prefix = short_name(term.iri, self.prefixes)
                out.append(Suggestion(kind, term.iri, short, label, tag, short if prefix else "", prefix))
        if search is not None:
            skip = {t.iri for t in self.terms}
            res = search.search(" ".join(words), lang, limit=limit + len(out))
            found = [h for h in res.hits if h.iri not in skip][:limit]
            for h in found:
                kind = kind_label(h.kind) if kind_label else search.label(self.prefixes["odl"] + h.kind, lang)
                detail = f"{kind} {h.code}" if h.code else kind
                out.append(Suggestion("resource", h.iri, f"<{h.iri}>", h.label, h.lang, detail.strip(), None))
        return out
