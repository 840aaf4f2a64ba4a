"""SKOS pages, after Skosmos: a scheme as a browsable hierarchy (its top concepts with their narrower
ones nested) and an alphabetical index; a concept with its scheme, broader, narrower and related ones."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import SKOS, Node, Page, fold, sparql_iri

TREE_LIMIT = 2000  # concepts of one scheme drawn as a tree; larger schemes show the index only


def _initial(label: str) -> str:
    """The index letter of a label: its first letter without accent, '#' for anything else."""
    first = unicodedata.normalize("NFKD", label.strip()[:1]).encode("ascii", "ignore").decode().upper()
    return first if first.isalpha() else "#"


def scheme_sections(desc: Describer, page: Page) -> dict[str, Any]:
    """The hierarchy of a scheme (nested from its top concepts) and its alphabetical index."""
    s = sparql_iri(page.iri)
    members = desc.q(f"SELECT DISTINCT ?c WHERE {{ {{ ?c skos:inScheme {s} }} UNION {{ ?c skos:topConceptOf {s} }} "
                     f"UNION {{ {s} skos:hasTopConcept ?c }} }}", TREE_LIMIT + 1)
    concepts = {r["c"].value for r in members}
    truncated = len(concepts) > TREE_LIMIT
    tops = {r["c"].value for r in desc.q(
        f"SELECT ?c WHERE {{ {{ ?c skos:topConceptOf {s} }} UNION {{ {s} skos:hasTopConcept ?c }} }}")}
    links = desc.q(f"SELECT DISTINCT ?n ?b WHERE {{ ?n skos:inScheme {s} . "
                   f"{{ ?n skos:broader ?b }} UNION {{ ?b skos:narrower ?n }} }}")
    desc.load_labels(concepts)
    children: dict[str, set[str]] = defaultdict(set)
    has_parent: set[str] = set()
    for r in links:
        n, b = r["n"].value, r["b"].value
        if n in concepts and b in concepts and n != b:
            children[b].add(n)
            has_parent.add(n)
    roots = (tops | (concepts - has_parent)) if not truncated else tops

    def tree(iri: str, seen: frozenset[str]) -> dict[str, Any]:
        kids = sorted(children.get(iri, set()) - seen, key=lambda c: fold(desc.label(c)))
        return {"concept": desc.ref(iri), "narrower": [tree(k, seen | {k}) for k in kids]}

    index: dict[str, list[Node]] = defaultdict(list)
    for n in desc.refs(concepts):
        index[_initial(n.label)].append(n)
    return {
        "definition": page.literal(SKOS + "definition") or page.literal(SKOS + "scopeNote"),
        "tree": [tree(r, frozenset({r})) for r in sorted(roots, key=lambda c: fold(desc.label(c)))],
        "top_count": len(roots),
        "index": sorted(index.items(), key=lambda kv: (kv[0] == "#", kv[0])),
        "concept_count": len(concepts),
        "truncated": truncated,
        "sources": page.sources(),
    }


def concept_sections(desc: Describer, page: Page) -> dict[str, Any]:
    """A concept's place in its scheme: the scheme, broader, narrower and related concepts."""
    c = sparql_iri(page.iri)
    rows = desc.q(
        f"SELECT ?rel ?x WHERE {{ "
        f"{{ {c} skos:broader ?x BIND('broader' AS ?rel) }} UNION {{ ?x skos:narrower {c} BIND('broader' AS ?rel) }} "
        f"UNION {{ ?x skos:broader {c} BIND('narrower' AS ?rel) }} UNION {{ {c} skos:narrower ?x "
        f"BIND('narrower' AS ?rel) }} UNION {{ {c} skos:related|^skos:related ?x BIND('related' AS ?rel) }} "
        f"UNION {{ {c} skos:inScheme|skos:topConceptOf ?x BIND('scheme' AS ?rel) }} "
        f"UNION {{ {c} skos:exactMatch|skos:closeMatch ?x BIND('match' AS ?rel) }} FILTER(isIRI(?x)) }}"
    )
    by: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        by[r["rel"].value].append(r["x"].value)
    return {
        "definition": page.literal(SKOS + "definition") or page.literal(SKOS + "scopeNote"),
        "notation": [n.value for n in page.values(SKOS + "notation")],
        "alt_labels": sorted({n.value for n in page.values(SKOS + "altLabel") if n.lang in (None, page.lang)}),
        "schemes": desc.refs(by["scheme"]),
        "broader": desc.refs(by["broader"]),
        "narrower": desc.refs(by["narrower"]),
        "related": desc.refs(by["related"]),
        "matches": desc.refs(by["match"]),
        "sources": page.sources(),
    }
