"""A data category's page: the use cases that need it, its datasets, holders and standards, and why
it is (not) open."""

from __future__ import annotations

from collections import Counter
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCT, Node, Page, fold, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    ucs = desc.q(f"SELECT ?uc ?lvl WHERE {{ ?uc odl:hasRequirement ?r . ?r odl:requiredCategory {i} . "
                 f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} }}")
    desc.load_row_labels(ucs, "uc", "lvl")
    datasets = desc.datasets(f"?d odl:instantiates {i} .")
    holders: dict[str, Node] = {}
    for d in datasets:
        for a in d["publishers"] + d["holders"]:
            holders[a.value] = a
    statuses = Counter(d["status"].value for d in datasets if d["status"])
    return {
        "description": page.literal(DCT + "description"),
        "usecases": sorted(
            ({"usecase": desc.ref(r["uc"].value), "level": desc.ref(r["lvl"].value) if "lvl" in r else None}
             for r in ucs), key=lambda d: fold(d["usecase"].label)),
        "usual_status": desc.refs(n.value for n in page.values(desc.odl + "usualOpennessStatus")),
        "producers": desc.refs(n.value for n in page.values(desc.odl + "typicalProducer")),
        "holders": sorted(holders.values(), key=lambda n: fold(n.label)),
        "standards": desc.refs(n.value for n in page.values(DCT + "conformsTo")),
        "datasets": datasets,
        "status_counts": [(desc.ref(s), n) for s, n in statuses.most_common()],
        "findings": desc.findings(page.iri),
        "sources": page.sources(),
    }
