"""The use-case sheet: its services, the data it needs (level, usual openness, producers, standards,
findings), its experiments and publications."""

from __future__ import annotations

from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCAT, DCT, Page, fold, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    svc = desc.q(f"SELECT ?s ?k WHERE {{ {i} odl:implementedBy ?s . OPTIONAL {{ ?s odl:serviceKind ?k }} }}")
    desc.load_row_labels(svc, "s", "k")
    services = [{"service": desc.ref(r["s"].value), "kind": desc.ref(r["k"].value) if "k" in r else None}
                for r in svc]
    req = desc.q(
        f"SELECT ?dc ?lvl ?st ?prod ?std WHERE {{ {i} odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . "
        f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} "
        f"OPTIONAL {{ ?dc odl:typicalProducer ?prod }} OPTIONAL {{ ?dc dcterms:conformsTo ?std }} }}"
    )
    desc.load_row_labels(req, "dc", "lvl", "st", "prod", "std")
    data: dict[str, dict[str, Any]] = {}
    for r in req:
        d = data.setdefault(r["dc"].value, {
            "category": desc.ref(r["dc"].value),
            "level": desc.ref(r["lvl"].value) if "lvl" in r else None,
            "status": desc.ref(r["st"].value) if "st" in r else None,
            "producers": {}, "standards": {},
        })
        if "prod" in r:
            d["producers"][r["prod"].value] = desc.ref(r["prod"].value)
        if "std" in r:
            d["standards"][r["std"].value] = desc.ref(r["std"].value)
    level_order = {desc.concept("requirement-level", "indispensable"): 0}
    table = sorted(
        ({**d, "producers": sorted(d["producers"].values(), key=lambda n: fold(n.label)),
          "standards": sorted(d["standards"].values(), key=lambda n: fold(n.label))} for d in data.values()),
        key=lambda d: (level_order.get(d["level"].value if d["level"] else "", 1), fold(d["category"].label)),
    )
    for d in table:
        d["findings"] = desc.findings(d["category"].value)
    return {
        "description": page.literal(DCT + "description"),
        "publications": desc.publications(f"?p dcterms:subject {i} ."),
        "challenges": desc.refs(n.value for n in page.values(desc.odl + "addresses")),
        "themes": desc.refs(n.value for n in page.values(DCAT + "theme")),
        "stage": desc.refs(n.value for n in page.values(desc.odl + "stage")),
        "services": services,
        "data": table,
        "experiments": desc.experiments(f"?e odl:testsUseCase {i} ."),
        "sources": page.sources(),
    }
