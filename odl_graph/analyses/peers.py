"""Towns like mine, for one use case: the towns that already did it (the ACV Data experiments that tested
it, each with its source), and the ACV towns comparable to the asking one (same population band, same
kind of intercommunality, same région) that are ready for it, with the data where they differ.

"Ready" is the diagnostic's: every indispensable data category has known open data covering the town
(Verdict.ready). A difference is a category ready there and not here, or the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses.tables import Commune, Tables
from odl_graph.iris import sparql_prefixes as prefixes

# Population bands (INSEE usage for towns of this size): lower bounds, inclusive.
BANDS = (0, 10_000, 20_000, 50_000, 100_000)
LIMIT = 6

Q_EXPERIMENTS = """
SELECT ?u ?e ?label ?commune ?source WHERE {
  ?e a odl:Experiment ; odl:testsUseCase ?u ; dcterms:spatial ?commune .
  OPTIONAL { ?e rdfs:label ?label FILTER(LANG(?label) = "fr") }
  OPTIONAL { ?e dcterms:source ?source }
}"""
Q_EPCI_TYPES = "SELECT ?e ?type WHERE { ?e a odl:EPCI ; odl:epciType ?type }"


@dataclass
class Peer:
    """A comparable town ready for the use case, what it shares with the asking town and how they differ."""

    commune: Commune
    shared: list[str]  # "population", "epci_type", "region"
    ready_there: list[str] = field(default_factory=list)  # categories ready there, not here
    ready_here: list[str] = field(default_factory=list)  # categories ready here, not there


def band(population: int | None) -> int | None:
    """The index of the population band, None when unknown."""
    if population is None:
        return None
    return max(i for i, low in enumerate(BANDS) if population >= low)


def experiments(t: Tables, usecase: str) -> list[dict[str, Any]]:
    """The experiments that tested the use case: label, commune (IRI, label), sources."""
    out: dict[str, dict[str, Any]] = {}
    rows = t.store.query(prefixes(t.base_iri) + Q_EXPERIMENTS, substitutions={"u": ox.NamedNode(usecase)})
    for r in rows:
        e = out.setdefault(r["e"].value, {"iri": r["e"].value, "label": r["label"].value if r["label"] else "",
                                          "commune": r["commune"].value, "sources": []})
        if r["source"] is not None and r["source"].value not in e["sources"]:
            e["sources"].append(r["source"].value)
    return sorted(out.values(), key=lambda e: t.sort_key(e["commune"]))


def epci_types(t: Tables) -> dict[str, str]:
    return {r["e"].value: r["type"].value for r in t.store.query(prefixes(t.base_iri) + Q_EPCI_TYPES)}


def comparable(t: Tables, commune: Commune, usecase: str, limit: int = LIMIT) -> list[Peer]:
    """ACV towns ready for the use case sharing at least one trait with the asking town, those sharing
    the most first (then the closest population), each with the indispensable data where they differ."""
    needs = t.indispensable_of(usecase)
    if not needs:
        return []
    types = epci_types(t)
    mine_type = types.get(commune.epci or "")
    candidates = []
    for c in t.acv.values():
        if c.iri == commune.iri:
            continue
        shared = [k for k, same in (("population", band(c.population) is not None
                                     and band(c.population) == band(commune.population)),
                                    ("epci_type", mine_type is not None and types.get(c.epci or "") == mine_type),
                                    ("region", c.region is not None and c.region == commune.region)) if same]
        if shared:
            candidates.append((c, shared))
    candidates.sort(key=lambda x: (-len(x[1]), abs((x[0].population or 0) - (commune.population or 0)),
                                   t.sort_key(x[0].iri)))
    mine = dg.commune_verdicts(t, commune)
    out: list[Peer] = []
    for c, shared in candidates:
        theirs = dg.commune_verdicts(t, c)
        if not all(theirs[k].ready for k in needs):
            continue
        out.append(Peer(c, shared, sorted((k for k in needs if theirs[k].ready and not mine[k].ready), key=t.sort_key),
                        sorted((k for k in needs if mine[k].ready and not theirs[k].ready), key=t.sort_key)))
        if len(out) >= limit:
            break
    return out
