"""The visual exploration's data: the network (Cytoscape elements) and the openness charts (Chart.js)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import (
    STATUS_GROUP,
    STATUS_ORDER,
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

def openness_statuses(desc: Describer) -> list[str]:
    """The concepts of the openness scheme in reading order: each top concept, then its narrower ones."""
    rows = desc.q(f"SELECT ?c ?top ?broader WHERE {{ ?c skos:inScheme <{desc.base}id/scheme/openness> . "
                  f"OPTIONAL {{ ?c skos:topConceptOf ?top }} OPTIONAL {{ ?c skos:broader ?broader }} }}")
    tops = [r["c"].value for r in rows if "top" in r]
    order = {c: (STATUS_ORDER.index(local_name(c)) if local_name(c) in STATUS_ORDER else len(STATUS_ORDER), c)
             for c in tops}
    tops.sort(key=order.__getitem__)
    below: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if "broader" in r:
            below[r["broader"].value].append(r["c"].value)
    return [s for top in tops for s in [top, *sorted(below.get(top, []))]]


def charts(desc: Describer) -> dict[str, Any]:
    """Counts of datasets per openness status, per theme and per actor category.

    Every status of the graph's openness scheme is a series, counted at the status a dataset has (a
    narrower one is not folded into its top concept). A dataset counts for a theme when a use case of
    that theme needs its data category; for an actor category when its publisher or holder is in it
    (so a dataset can count in two categories).
    """
    by_theme = desc.q(
        "SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE { ?uc a odl:UseCase ; dcat:theme ?g ; "
        "odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?d odl:instantiates ?dc ; "
        "odl:opennessStatus ?st } GROUP BY ?g ?st"
    )
    by_actor = desc.q(
        "SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a odl:Dataset ; odl:opennessStatus ?st ; "
        "dcterms:publisher|dcterms:rightsHolder ?a . ?a odl:actorCategory ?c0 . "
        "OPTIONAL { ?c0 skos:broader ?cb } BIND(COALESCE(?cb, ?c0) AS ?g) } GROUP BY ?g ?st"
    )
    usual = desc.q(
        "SELECT ?g ?st (COUNT(DISTINCT ?dc) AS ?n) WHERE { ?uc a odl:UseCase ; dcat:theme ?g ; "
        "odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?dc odl:usualOpennessStatus ?st } GROUP BY ?g ?st"
    )
    statuses = openness_statuses(desc)
    desc.load_labels(statuses)

    def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
        desc.load_row_labels(rows, "g")
        groups = sorted({r["g"].value for r in rows}, key=lambda g: fold(desc.label(g)))
        counts = {(r["g"].value, r["st"].value): int(r["n"].value) for r in rows}
        return {
            "labels": [desc.label(g) for g in groups],
            "iris": groups,
            "datasets": [
                {"code": local_name(s), "iri": s, "label": desc.label(s),
                 "group": STATUS_GROUP.get(local_name(s), "other"),
                 "data": [counts.get((g, s), 0) for g in groups]}
                for s in statuses
            ],
        }

    return {"by_theme": chart(by_theme), "by_actor_category": chart(by_actor), "usual_by_theme": chart(usual),
            "statuses": [{"code": local_name(s), "iri": s, "label": desc.label(s),
                          "group": STATUS_GROUP.get(local_name(s), "other")} for s in statuses]}
