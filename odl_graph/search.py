"""Site search: every label of our resources in an in-memory index, built once per store version.

SPARQL has no accent folding, and a REGEX per query over the ~90k labels (35k communes in two
languages) takes seconds. Here labels are folded once (odl_graph.text.fold: accents, case,
ligatures, hyphens and apostrophes ignored) and cut into words by `tokens`; a query matches a
resource when each of its words begins a word of one of the resource's labels, or is that word's plural
(odl_graph.text.fold_plural: "arbres" finds "charte de l'arbre"). A label of any language can match, but
a hit is always shown by its label in the reader's language (`display`), the other language only where
the resource has none, with its language tag so pages mark it up. Hits are ranked by
type first (use cases, challenges, data categories, communes, actors, then the rest, schema fields
last), then by how well the label matches. Facets count the hits per type and per theme.
No Flask: the pages and the benchmark use the same index.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from odl_graph import iris
from odl_graph.describe.labels import (
    DCAT,
    DEFAULT_LANG,
    LANGS,
    RDF,
    RDFS,
    SKOS,
    Source,
    fold,
    label_order,
    lang_rank,
    local_name,
)
from odl_graph.text import fold_plural

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8

# Search ranks by the first of these a resource is an instance of; a class not listed comes after
# them, an untyped resource after that, and schema fields always last (a standard has hundreds).
KIND_ORDER = (
    "UseCase", "Challenge", "DataCategory", "Commune", "Actor",
    "Service", "Dataset", "Standard", "Experiment", "Publication", "Interview", "Programme",
    "EPCI", "Departement", "Region", "Concept", "ConceptScheme",
)
LAST_KIND = "SchemaField"
OTHER_KIND = "other"
# Territories whose IRI ends with their official code (INSEE, SIREN): the code finds them too.
CODED_KINDS = frozenset({"Commune", "EPCI", "Departement", "Region"})
LABEL_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of a text as search compares them: folded, split on anything not a letter or digit."""
    return _WORD.findall(fold(text))


def singular_phrase(folded: str) -> str:
    """A folded, space-separated text with each word's plural mark folded (phrase comparisons)."""
    return " ".join(fold_plural(w) for w in folded.split())


def select_many(source: Source, sparql: str) -> list[dict[str, Any]]:
    """All rows of a large SELECT. Through the engine, as serialised TSV parsed here: shipping tens of
    thousands of term objects between processes one by one is ~30x slower."""
    execute = getattr(source, "execute", None)
    if execute is None:
        return source.select(sparql)
    import pyoxigraph as ox

    from odl_graph.negotiation import RESULTS_FORMATS

    tsv = next(f for f in RESULTS_FORMATS if f.name == "tsv")
    body = execute(sparql, results_format=tsv, row_cap=0).body
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    names = [v.value for v in parsed.variables]
    return [{n: t for n, t in zip(names, sol, strict=True) if t is not None} for sol in parsed]


@dataclass(frozen=True)
class Resource:
    """What the index knows of one resource besides its labels."""

    iri: str
    kind: str  # the class local name search ranks it by (KIND_ORDER), "other" when untyped
    classes: frozenset[str]  # every class local name it is an instance of (browse filters on these)
    themes: frozenset[str]  # theme concept IRIs (its own dcat:theme, or those of the use cases needing it)

    @property
    def code(self) -> str | None:
        """The official code ending a territory's IRI, shown to tell namesakes apart."""
        return local_name(self.iri) if self.kind in CODED_KINDS else None


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str  # the resource's label in the reader's language (another only where it has none)
    lang: str | None  # that label's language tag
    kind: str
    code: str | None
    themes: tuple[str, ...]
    within: str | None = None  # a schema field's standard: fields of several standards share names
    matched: str | None = None  # the label the query matched, when it is not the one shown
    matched_lang: str | None = None


@dataclass
class Results:
    """One page of hits, the total, and the facet counts (each facet counted under the other's filter)."""

    query: str
    hits: list[Hit]
    total: int
    types: list[tuple[str, int]] = field(default_factory=list)  # (kind, count), in ranking order
    themes: list[tuple[str, int]] = field(default_factory=list)  # (theme IRI, count), most hits first
    selected_types: tuple[str, ...] = ()
    selected_themes: tuple[str, ...] = ()


def kind_rank(kind: str) -> int:
    if kind == LAST_KIND:
        return len(KIND_ORDER) + 2
    if kind == OTHER_KIND:
        return len(KIND_ORDER) + 1
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def primary_kind(classes: Iterable[str]) -> str:
    return min(classes, key=lambda c: (kind_rank(c), c), default=OTHER_KIND)


class SearchIndex:
    """Labels folded and cut into words, with a sorted vocabulary for prefix lookups."""

    def __init__(self, labels: Iterable[tuple[str, str, str | None, bool]], resources: Iterable[Resource]) -> None:
        """`labels`: (IRI, text, language tag, is an alternative label); alternative labels are found by
        search but shown only where a resource has no preferred label in the reader's language."""
        self.resources: dict[str, Resource] = {r.iri: r for r in resources}
        # entry = (resource, label, lang, folded label, labelled). A resource without a label is listed by
        # its IRI's last segment on the browse pages, but never offered as a search hit.
        self.entries: list[tuple[Resource, str, str | None, str, bool]] = []
        self.labels: dict[str, list[tuple[str, str | None, bool]]] = defaultdict(list)
        # The same text in French and English (a town's name) is one entry, tagged French: half the work.
        unique: dict[tuple[str, str], str | None] = {}
        for iri, label, lang, alt in labels:
            self.labels[iri].append((label, lang, alt))
            seen = unique.get((iri, label), "")
            if seen == "" or lang_rank(lang, DEFAULT_LANG) < lang_rank(seen, DEFAULT_LANG):
                unique[(iri, label)] = lang
        for (iri, label), lang in unique.items():
            res = self.resources.get(iri) or self.resources.setdefault(
                iri, Resource(iri, OTHER_KIND, frozenset(), frozenset()))
            self.entries.append((res, label, lang, " ".join(tokens(label)), True))
        for iri, res in self.resources.items():
            if iri not in self.labels:
                name = local_name(iri)
                self.entries.append((res, name, None, " ".join(tokens(name)), False))
        postings: dict[str, list[int]] = defaultdict(list)
        for i, (res, _label, _lang, folded, _named) in enumerate(self.entries):
            words = set(folded.split())
            if res.code:
                words.add(res.code.casefold())
            for w in words:
                postings[w].append(i)
        self.kinds = frozenset(r.kind for r in self.resources.values())
        self.class_names = frozenset().union(*(r.classes for r in self.resources.values()))
        self.vocabulary = sorted(postings)
        self.postings = [postings[w] for w in self.vocabulary]
        # each word's singular -> the vocabulary words that fold to it ("arbre" -> arbre, arbres)
        self._plurals: dict[str, list[int]] = defaultdict(list)
        for j, w in enumerate(self.vocabulary):
            self._plurals[fold_plural(w)].append(j)
        # Per entry, as integers, everything the ranking compares except the match itself: the rank of
        # its resource's kind, then its place among all labels for a reader of each language (own
        # language first, then shorter, then alphabetical); and its alphabetical place for listings.
        n = len(self.entries)
        self._rlist = list(dict.fromkeys(e[0] for e in self.entries))  # resources in entry order
        rid = {r.iri: k for k, r in enumerate(self._rlist)}
        self._rid = [rid[e[0].iri] for e in self.entries]
        self._folded = [singular_phrase(e[3]) for e in self.entries]
        self._named = [e[4] for e in self.entries]
        kinds = [kind_rank(e[0].kind) for e in self.entries]
        self._base: dict[str, list[int]] = {}
        for lang in LANGS:
            order = sorted(range(n), key=lambda i, lang=lang: (lang_rank(self.entries[i][2], lang),
                                                               len(self.entries[i][1]), self.entries[i][3]))
            base = [0] * n
            for pos, i in enumerate(order):
                base[i] = kinds[i] * 3 * n + pos
            self._base[lang] = base
        # Listings (no query text) are alphabetical by the label each reader sees.
        self._display: dict[str, list[tuple[str, str | None]]] = {}
        self._listing: dict[str, list[int]] = {}
        folded_of = {(e[0].iri, e[1]): e[3] for e in self.entries}  # every shown label is an entry's
        for lang in LANGS:
            shown = [self.display(r.iri, lang) for r in self._rlist]
            self._display[lang] = shown
            rpos = [0] * len(self._rlist)
            for pos, r in enumerate(sorted(range(len(self._rlist)), key=lambda r: (
                    folded_of[(self._rlist[r].iri, shown[r][0])], shown[r][0], self._rlist[r].iri))):
                rpos[r] = pos
            self._listing[lang] = [kinds[i] * n + rpos[self._rid[i]] for i in range(n)]

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, source: Source, base: str = iris.BASE) -> SearchIndex:
        """The index of every resource under the base IRI."""
        return cls(*cls.fetch(source, base))

    @staticmethod
    def fetch(source: Source, base: str = iris.BASE) -> tuple[list[tuple[str, str, str | None, bool]], list[Resource]]:
        """Labels, classes and themes of every resource under the base IRI (three queries)."""
        odl = base + "def#"
        preds = " ".join(f"<{p}>" for p in LABEL_PREDICATES)
        labels = select_many(source, f"SELECT ?s ?p ?l WHERE {{ VALUES ?p {{ {preds} }} ?s ?p ?l "
                                     f"FILTER(STRSTARTS(STR(?s), \"{base}\")) }}")
        types = select_many(source, f"SELECT ?s ?t WHERE {{ ?s <{RDF}type> ?t FILTER(STRSTARTS(STR(?s), \"{base}\") "
                                    f"&& (STRSTARTS(STR(?t), \"{odl}\") || ?t IN (<{SKOS}Concept>, "
                                    f"<{SKOS}ConceptScheme>))) }}")
        scheme = f"<{base}id/scheme/theme>"
        themes = select_many(
            source,
            f"SELECT ?s ?th WHERE {{ ?th <{SKOS}inScheme> {scheme} . "
            f"{{ ?s <{DCAT}theme> ?th }} UNION {{ ?th <{SKOS}inScheme> {scheme} BIND(?th AS ?s) }} UNION "
            f"{{ ?uc <{DCAT}theme> ?th ; <{odl}hasRequirement>/<{odl}requiredCategory> ?s }} UNION "
            f"{{ ?uc <{DCAT}theme> ?th ; <{odl}implementedBy> ?s }} }}",
        )
        classes: dict[str, set[str]] = defaultdict(set)
        for r in types:
            classes[r["s"].value].add(local_name(r["t"].value))
        theme_of: dict[str, set[str]] = defaultdict(set)
        for r in themes:
            theme_of[r["s"].value].add(r["th"].value)
        resources = [Resource(iri, primary_kind(cs), frozenset(cs), frozenset(theme_of.get(iri, ())))
                     for iri, cs in classes.items()]
        alt = SKOS + "altLabel"
        return [(r["s"].value, r["l"].value, getattr(r["l"], "language", None), r["p"].value == alt)
                for r in labels], resources

    # -- querying ------------------------------------------------------------------------------
    def _matching(self, words: Sequence[str]) -> set[int] | None:
        """Entries having, for each word, a word it begins (None: no words, everything matches)."""
        found: set[int] | None = None
        for w in sorted(set(words), key=len, reverse=True):  # longest first: the smallest sets
            lo = bisect_left(self.vocabulary, w)
            hi = bisect_left(self.vocabulary, w + "\U0010ffff", lo)
            ids: set[int] = set()
            for postings in self.postings[lo:hi]:
                ids.update(postings)
            for j in self._plurals.get(fold_plural(w), ()):  # "arbres" also finds "arbre"
                ids.update(self.postings[j])
            found = ids if found is None else found & ids
            if not found:
                return set()
        return found

    def search(self, query: str, lang: str = DEFAULT_LANG, *, types: Iterable[str] = (),
               themes: Iterable[str] = (), classes: Iterable[str] = (), limit: int = 50,
               offset: int = 0) -> Results:
        """Resources whose label holds every word of `query`, best first, one page of them.

        `types` keeps the resources ranked as one of these kinds and `themes` those in one of these
        themes (facets); `classes` keeps instances of one of these classes (the browse pages). An
        empty query with a filter lists everything the filter keeps, by label.
        """
        query = query[:MAX_QUERY_CHARS]
        words = tokens(query)[:MAX_QUERY_WORDS]
        want_types, want_themes, want_classes = frozenset(types), frozenset(themes), frozenset(classes)
        if not words and not (want_types or want_themes or want_classes):
            return Results(query, [], 0, selected_types=tuple(sorted(want_types)),
                           selected_themes=tuple(sorted(want_themes)))
        ids = self._matching(words)
        candidates = range(len(self.entries)) if ids is None else ids
        lang = lang if lang in self._base else DEFAULT_LANG
        phrase = singular_phrase(" ".join(words))
        n = len(self.entries)
        base = self._base[lang] if phrase else self._listing[lang]
        folded, named, rid = self._folded, self._named, self._rid
        # resource -> its best entry's key * n + entry (one int: the lowest is the best label)
        best: dict[int, int] = {}
        for i in candidates:
            if not named[i] and not want_classes:
                continue
            if not phrase or folded[i] == phrase:
                key = base[i]
            elif folded[i].startswith(phrase):
                key = base[i] + n
            else:
                key = base[i] + 2 * n
            key = key * n + i
            r = rid[i]
            prev = best.get(r)
            if prev is None or key < prev:
                best[r] = key
        type_counts: Counter[str] = Counter()
        theme_counts: Counter[str] = Counter()
        kept: list[int] = []
        for r, key in best.items():
            res = self._rlist[r]
            if want_classes and not (res.classes & want_classes):
                continue
            in_type = not want_types or res.kind in want_types
            in_theme = not want_themes or bool(res.themes & want_themes)
            if in_theme:
                type_counts[res.kind] += 1
            if in_type and res.themes:
                theme_counts.update(res.themes)
            if in_type and in_theme:
                kept.append(key)
        end = max(0, offset) + max(0, limit)
        top = heapq.nsmallest(end, kept) if end < len(kept) else sorted(kept)
        shown = self._display[lang]
        hits = []
        for key in top[max(0, offset):end]:
            i = key % n
            res, label, tag = self.entries[i][:3]
            best, best_lang = shown[rid[i]]
            other = bool(phrase) and label != best and self._named[i]  # a listing matched no label
            hits.append(Hit(res.iri, best, best_lang, res.kind, res.code, tuple(sorted(res.themes)),
                            self.within(res), label if other else None, tag if other else None))
        return Results(
            query=query,
            hits=hits,
            total=len(kept),
            types=sorted(type_counts.items(), key=lambda kv: (kind_rank(kv[0]), kv[0])),
            themes=sorted(theme_counts.items(), key=lambda kv: (-kv[1], kv[0])),
            selected_types=tuple(sorted(want_types)),
            selected_themes=tuple(sorted(want_themes)),
        )

    def within(self, res: Resource) -> str | None:
        """The standard a schema field belongs to (its IRI is `{standard}/field/{name}`, docs/design.md)."""
        if res.kind != LAST_KIND or "/field/" not in res.iri:
            return None
        parent = res.iri.rsplit("/field/", 1)[0]
        return parent if parent in self.resources else None

    def display(self, iri: str, lang: str = DEFAULT_LANG) -> tuple[str, str | None]:
        """The label a reader of `lang` sees for an IRI, with its language tag: the reader's language, else
        the other of French/English, else an untagged label (odl_graph.describe.labels.lang_rank); the
        IRI's last segment, untagged, when it has no label."""
        found = self.labels.get(iri)
        if not found:
            return local_name(iri), None
        best = min(found, key=lambda lt: label_order(lt[0], lt[1], int(lt[2]), lang))
        return best[0], best[1]

    def label(self, iri: str, lang: str = DEFAULT_LANG) -> str:
        """The best label of an indexed IRI in the reader's language (its last segment when it has none)."""
        return self.display(iri, lang)[0]

    def themes(self, base: str = iris.BASE) -> list[str]:
        """The concepts of the theme scheme, by label."""
        prefix = base + "id/concept/theme/"
        return sorted((i for i in self.resources if i.startswith(prefix)), key=lambda i: fold(self.label(i)))
