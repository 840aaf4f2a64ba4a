"""An actor's page: what it publishes or holds (datasets, local records, publications), the data categories
it typically produces, and, when it holds nothing the graph knows of, which graphs were consulted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCT, FOAF, Page, fold, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    datasets = desc.datasets(f"{{ ?d dcterms:publisher {i} }} UNION {{ ?d dcterms:rightsHolder {i} }}")
    for d in datasets:
        d["roles"] = [r for r, key in (("publisher", "publishers"), ("holder", "holders"))
                      if any(a.value == page.iri for a in d[key])]
    statuses = Counter(d["status"].value for d in datasets if d["status"])
    cats = desc.q(f"SELECT ?dc ?st WHERE {{ ?dc odl:typicalProducer {i} . "
                  f"OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} }}")
    desc.load_row_labels(cats, "dc", "st")
    records = desc.q(f"SELECT ?r ?d ?t ?n WHERE {{ ?r a odl:LocalRecords ; dcterms:publisher {i} ; odl:recordsOf ?d . "
                     f"OPTIONAL {{ ?r dcterms:spatial ?t }} OPTIONAL {{ ?r odl:recordCount ?n }} }}")
    desc.load_row_labels(records, "r", "d", "t")
    involved = desc.q(f"SELECT DISTINCT ?x WHERE {{ {{ ?x prov:wasAssociatedWith {i} }} UNION "
                      f"{{ ?x a odl:Publication ; dcterms:publisher|dcterms:creator {i} }} }}")
    holds = {
        "records": [{"dataset": desc.ref(r["d"].value), "territory": desc.ref(r["t"].value) if "t" in r else None,
                     "count": int(r["n"].value) if "n" in r else None} for r in records],
        "involved": desc.refs(r["x"].value for r in involved),
    }
    return {
        "description": page.literal(DCT + "description"),
        "category": desc.refs(n.value for n in page.values(desc.odl + "actorCategory")),
        "territories": desc.refs(n.value for n in page.values(desc.odl + "competentFor")),
        "homepage": [n.value for n in page.values(FOAF + "homepage")],
        "datasets": datasets,
        "status_counts": [(desc.ref(s), n) for s, n in statuses.most_common()],
        "categories": sorted(
            ({"category": desc.ref(r["dc"].value), "status": desc.ref(r["st"].value) if "st" in r else None}
             for r in cats), key=lambda d: fold(d["category"].label)),
        **holds,
        "consulted": consulted(desc) if not datasets and not records else [],
        "sources": page.sources(),
    }


def consulted(desc: Describer) -> list[dict[str, Any]]:
    """The named graphs that hold datasets, with how many and the files they were derived from: what an
    actor's empty holdings were looked up in (its absence there is the statement, not a guess)."""
    rows = desc.q("SELECT ?g (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { { ?d a dcat:Dataset } UNION "
                  "{ ?d a odl:Dataset } } } GROUP BY ?g")
    graphs = [r["g"].value for r in rows]
    files: dict[str, list[str]] = {g: [] for g in graphs}
    if graphs:
        values = " ".join(sparql_iri(g) for g in graphs)
        for r in desc.q(f"SELECT ?g ?f WHERE {{ VALUES ?g {{ {values} }} ?g prov:wasDerivedFrom ?f }}"):
            files[r["g"].value].append(r["f"].value)
    out = [{"graph": desc.ref(r["g"].value), "datasets": int(r["n"].value), "files": sorted(files[r["g"].value])}
           for r in rows]
    return sorted(out, key=lambda g: g["graph"].value)
