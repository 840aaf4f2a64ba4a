"""Terms and labels of the page model: namespaces, the displayable `Node`, the `Page` record, and the
language and accent rules every page follows.

Labels follow the reader's language: the requested one first, then the other of French/English, then
an untagged literal, then the IRI's last segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from odl_graph.text import fold  # noqa: F401  (re-exported to the page modules)

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"

LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", FOAF + "name")

# Openness codes (docs/design.md, scheme `openness`) -> the colour family of their badge.
STATUS_GROUP = {
    "open": "open",
    "candidate": "candidate",
    "not-accessible-unjustified": "unjustified",
    "not-accessible-justified": "justified",
    "property": "justified",
    "security": "justified",
    "personal-data": "justified",
    "other": "other",
    "paid": "other",
    "limited": "other",
}
STATUS_ORDER = ("open", "candidate", "not-accessible-unjustified", "not-accessible-justified", "other")


class Source(Protocol):
    """What the pages need from a query engine (odl_graph.engine.Engine satisfies it)."""

    def select(self, sparql: str, *, limit: int = 0) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Node:
    """An RDF term ready to display: IRIs carry a label, literals their language and datatype."""

    kind: str  # "iri" | "literal" | "bnode"
    value: str
    label: str = ""
    lang: str | None = None
    datatype: str | None = None

    @property
    def text(self) -> str:
        """What a reader sees: the label, else the value."""
        return self.label or self.value

    @property
    def code(self) -> str:
        """Last path segment of an IRI: the code of a SKOS concept."""
        return local_name(self.value)


@dataclass
class Page:
    """Everything one resource page shows: its statements, and the sections of its kind."""

    iri: str
    kind: str
    lang: str
    label: str
    types: list[Node]
    properties: list[tuple[Node, list[Node]]]  # predicate -> objects, grouped
    incoming: list[tuple[Node, list[Node]]]  # predicate -> subjects
    incoming_truncated: bool
    sections: dict[str, Any] = field(default_factory=dict)
    query: str = ""  # the SPARQL that describes the resource (for "open in the editor")
    label_lang: str | None = None  # the label's language when it is not the page's (a marked fallback)

    def values(self, predicate: str) -> list[Node]:
        """The objects of one predicate of the resource."""
        for p, objs in self.properties:
            if p.value == predicate:
                return objs
        return []

    def incoming_values(self, predicate: str) -> list[Node]:
        """The subjects that point to the resource with one predicate."""
        for p, subs in self.incoming:
            if p.value == predicate:
                return subs
        return []

    def text(self, predicate: str) -> str | None:
        """The best-language literal of a predicate."""
        return pick_literal(((o.value, o.lang) for o in self.values(predicate) if o.kind == "literal"), self.lang)

    def literal(self, predicate: str) -> Node | None:
        """The best-language literal of a predicate as a Node (its language tag marks up the text)."""
        lits = [o for o in self.values(predicate) if o.kind == "literal"]
        return min(lits, key=lambda o: (lang_rank(o.lang, self.lang), o.value)) if lits else None

    def iris(self, predicate: str) -> list[str]:
        """The IRIs among the objects of a predicate, once each."""
        return list(dict.fromkeys(o.value for o in self.values(predicate) if o.kind == "iri"))

    def sources(self) -> list[str]:
        """The pages the resource's claims cite (dcterms:source), once each, sorted."""
        return sorted({o.value for o in self.values(DCT + "source")})


def term_kind(term: Any) -> str:
    """'iri', 'literal' or 'bnode' for a pyoxigraph term."""
    name = type(term).__name__
    return {"NamedNode": "iri", "Literal": "literal", "BlankNode": "bnode"}.get(name, "literal")


def local_name(iri: str) -> str:
    """'.../def#UseCase' -> 'UseCase', '.../concept/openness/open' -> 'open'."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))
    return tail[-1] if tail else iri


def lang_rank(lang: str | None, wanted: str) -> int:
    """0 for the wanted language, 1 for the other of fr/en, 2 untagged, 3 anything else."""
    if lang and lang.lower().split("-")[0] == wanted:
        return 0
    if lang and lang.lower().split("-")[0] in LANGS:
        return 1
    return 2 if not lang else 3


def label_order(text: str, lang: str | None, preference: int, wanted: str) -> tuple[int, int, str]:
    """The one label-picking rule of every list, search hit, API row and page, as a sort key (lowest
    wins): the reader's language first, then the other of French/English, then untagged
    (`lang_rank`); among those, the predicate's preference (a preferred label before an alternative
    one); then the text, so the choice is stable."""
    return lang_rank(lang, wanted), preference, text


def pick_literal(values: Iterable[tuple[str, str | None]], wanted: str) -> str | None:
    """The text of the best literal for the wanted language (None when there is none)."""
    best = min(values, key=lambda v: label_order(v[0], v[1], 0, wanted), default=None)
    return best[0] if best else None


def pick_term(terms: Iterable[Any], wanted: str) -> str | None:
    """The text of the best-language literal among pyoxigraph terms."""
    return pick_literal(((t.value, getattr(t, "language", None)) for t in terms if term_kind(t) == "literal"),
                        wanted)


def sparql_iri(iri: str) -> str:
    """An IRI as a SPARQL term, refusing characters that would break out of <...>."""
    if re.search(r'[\s<>"{}|\\^`]', iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"
