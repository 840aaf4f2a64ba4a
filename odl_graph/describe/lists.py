"""The home page's counts and themes, and the browse lists of instances of a class."""

from __future__ import annotations

import re
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import Node, fold, sparql_iri

HOME_CLASSES = ("UseCase", "Challenge", "DataCategory", "Dataset", "Actor", "Experiment", "Service",
                "Standard", "Interview")

def home(desc: Describer) -> dict[str, Any]:
    """Counts per main class, ACV communes, themes with their use cases and challenges, every use case."""
    branches = " UNION ".join(f"{{ ?s a odl:{c} BIND(odl:{c} AS ?c) }}" for c in HOME_CLASSES)
    counts = {r["c"].value: int(r["n"].value) for r in desc.q(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {branches} }} GROUP BY ?c")}
    acv = desc.q("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a odl:Commune ; odl:memberOf ?p }")
    themes = desc.q(
        f"SELECT ?t (COUNT(DISTINCT ?uc) AS ?u) (COUNT(DISTINCT ?c) AS ?ch) WHERE {{ "
        f"?t skos:inScheme <{desc.base}id/scheme/theme> . "
        f"OPTIONAL {{ ?uc a odl:UseCase ; dcat:theme ?t }} OPTIONAL {{ ?c a odl:Challenge ; dcat:theme ?t }} }} "
        f"GROUP BY ?t"
    )
    desc.load_row_labels(themes, "t")
    desc.load_labels(desc.odl + c for c in HOME_CLASSES)
    ucs = desc.q("SELECT ?uc WHERE { ?uc a odl:UseCase }")
    return {
        "counts": [(desc.ref(desc.odl + c), counts.get(desc.odl + c, 0)) for c in HOME_CLASSES],
        "acv_communes": int(acv[0]["n"].value) if acv else 0,
        "themes": sorted(
            ({"theme": desc.ref(r["t"].value), "usecases": int(r["u"].value), "challenges": int(r["ch"].value)}
             for r in themes), key=lambda d: (-d["usecases"] - d["challenges"], fold(d["theme"].label))),
        "usecases": desc.refs(r["uc"].value for r in ucs),
    }

def instances(desc: Describer, cls_local: str, offset: int = 0, limit: int = 200) -> tuple[list[Node], int]:
    """Instances of an odl: class, sorted by label, one page at a time, and the total."""
    if not re.fullmatch(r"[A-Za-z]+", cls_local):
        raise ValueError(f"not a class name: {cls_local!r}")
    total = desc.q(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a odl:{cls_local} }}")
    rows = desc.q(
        f"SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ ?s a odl:{cls_local} . OPTIONAL {{ ?s rdfs:label ?l "
        f"FILTER(LANG(?l) = \"{desc.lang}\") }} }} GROUP BY ?s ORDER BY LCASE(STR(SAMPLE(?l))) ?s "
        f"OFFSET {int(offset)} LIMIT {int(limit)}"
    )
    desc.load_labels(r["s"].value for r in rows)
    return [desc.ref(r["s"].value) for r in rows], int(total[0]["n"].value) if total else 0


def types_of(desc: Describer, resources: list[str]) -> dict[str, list[Node]]:
    """The odl: classes of each resource (a search hit's type badges)."""
    if not resources:
        return {}
    values = " ".join(sparql_iri(r) for r in resources)
    rows = desc.q(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t "
                  f"FILTER(STRSTARTS(STR(?t), \"{desc.odl}\")) }}")
    desc.load_row_labels(rows, "t")
    out: dict[str, list[Node]] = {}
    for r in rows:
        out.setdefault(r["s"].value, []).append(desc.ref(r["t"].value))
    return out
