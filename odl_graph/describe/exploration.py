"""The visual exploration's data: the network (Cytoscape elements) and the openness charts (Chart.js)."""

from __future__ import annotations

from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import (
    STATUS_ORDER,
    Node,
    fold,
    local_name,
    sparql_iri,
)


def network(desc: Describer, theme: str | None = None) -> dict[str, Any]:
    """Cytoscape elements: challenge -> use case -> data category -> actor, optionally for one theme."""
    filt = f"?uc dcat:theme {sparql_iri(theme)} ." if theme else ""
    rows = desc.q(
        f"SELECT ?c ?uc ?dc ?lvl ?a WHERE {{ ?uc a odl:UseCase . {filt} "
        f"OPTIONAL {{ ?uc odl:addresses ?c }} "
        f"OPTIONAL {{ ?uc odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . "
        f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} OPTIONAL {{ ?dc odl:typicalProducer ?a }} }} }}"
    )
    desc.load_row_labels(rows, "c", "uc", "dc", "a")
    nodes: dict[str, dict[str, str]] = {}
    edges: dict[tuple[str, str], dict[str, str]] = {}
    indispensable = desc.concept("requirement-level", "indispensable")

    def add(var: str, kind: str, r: dict[str, Any]) -> str | None:
        if var not in r:
            return None
        iri = r[var].value
        nodes.setdefault(iri, {"id": iri, "label": desc.label(iri), "kind": kind})
        return iri

    for r in rows:
        c, uc, dc, a = add("c", "challenge", r), add("uc", "usecase", r), add("dc", "datacategory", r), add(
            "a", "actor", r)
        if c and uc:
            edges[(c, uc)] = {"source": c, "target": uc, "kind": "addresses"}
        if uc and dc:
            lvl = "indispensable" if r.get("lvl") is not None and r["lvl"].value == indispensable else "useful"
            edges[(uc, dc)] = {"source": uc, "target": dc, "kind": lvl}
        if dc and a:
            edges[(dc, a)] = {"source": dc, "target": a, "kind": "producer"}
    elements = [{"data": n, "group": "nodes"} for n in sorted(nodes.values(), key=lambda n: n["id"])]
    elements += [{"data": {"id": f"e{i}", **e}, "group": "edges"} for i, e in enumerate(edges.values())]
    return {"elements": elements}

def themes(desc: Describer) -> list[Node]:
    """The concepts of the theme scheme, sorted by label."""
    rows = desc.q(f"SELECT ?t WHERE {{ ?t skos:inScheme <{desc.base}id/scheme/theme> }}")
    return desc.refs(r["t"].value for r in rows)

def charts(desc: Describer) -> dict[str, Any]:
    """Counts of datasets per openness status (top concepts), per theme and per actor category.

    A dataset counts for a theme when a use case of that theme needs its data category; for an actor
    category when its publisher or holder is in it (so a dataset can count in two categories).
    """
    top = "OPTIONAL { ?st0 skos:broader ?stb } BIND(COALESCE(?stb, ?st0) AS ?st)"
    by_theme = desc.q(
        f"SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?uc a odl:UseCase ; dcat:theme ?g ; "
        f"odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?d odl:instantiates ?dc ; "
        f"odl:opennessStatus ?st0 . {top} }} GROUP BY ?g ?st"
    )
    by_actor = desc.q(
        f"SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a odl:Dataset ; odl:opennessStatus ?st0 ; "
        f"dcterms:publisher|dcterms:rightsHolder ?a . ?a odl:actorCategory ?c0 . "
        f"OPTIONAL {{ ?c0 skos:broader ?cb }} BIND(COALESCE(?cb, ?c0) AS ?g) {top} }} GROUP BY ?g ?st"
    )
    usual = desc.q(
        f"SELECT ?g ?st (COUNT(DISTINCT ?dc) AS ?n) WHERE {{ ?uc a odl:UseCase ; dcat:theme ?g ; "
        f"odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?dc odl:usualOpennessStatus ?st0 . {top} }} "
        f"GROUP BY ?g ?st"
    )
    statuses = [desc.concept("openness", c) for c in STATUS_ORDER]
    desc.load_labels(statuses)

    def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
        desc.load_row_labels(rows, "g")
        groups = sorted({r["g"].value for r in rows}, key=lambda g: fold(desc.label(g)))
        counts = {(r["g"].value, r["st"].value): int(r["n"].value) for r in rows}
        return {
            "labels": [desc.label(g) for g in groups],
            "iris": groups,
            "datasets": [
                {"code": local_name(s), "label": desc.label(s), "data": [counts.get((g, s), 0) for g in groups]}
                for s in statuses
            ],
        }

    return {"by_theme": chart(by_theme), "by_actor_category": chart(by_actor), "usual_by_theme": chart(usual)}
