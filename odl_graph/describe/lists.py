"""The home page: counts per class, the themes, every use case."""

from __future__ import annotations

from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import fold

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
