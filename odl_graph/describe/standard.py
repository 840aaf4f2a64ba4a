"""A standard's page: its fields, and the data categories and datasets that follow it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCAT, DCT, FOAF, OWL, Node, Page, local_name, pick_literal, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    rows = desc.q(f"SELECT ?f ?p ?o WHERE {{ {i} odl:hasField ?f . ?f ?p ?o }}")
    by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        by[r["f"].value][local_name(r["p"].value)].append(r["o"])

    def text(vals: list[Any]) -> str | None:
        return pick_literal(((t.value, getattr(t, "language", None)) for t in vals), desc.lang)

    fields = []
    for f, p in by.items():
        pos = p.get("fieldPosition")
        fields.append({
            "field": Node("iri", f, label=text(p.get("fieldName", [])) or local_name(f)),
            "position": int(pos[0].value) if pos else 10**6,
            "title": text(p.get("title", [])),
            "description": text(p.get("description", [])),
            "type": text(p.get("fieldType", [])),
            "format": text(p.get("fieldFormat", [])),
            "required": (p["fieldRequired"][0].value == "true") if p.get("fieldRequired") else None,
            "enum": sorted(t.value for t in p.get("fieldEnum", [])),
            "pattern": text(p.get("fieldPattern", [])),
        })
    users = desc.q(f"SELECT DISTINCT ?x ?t WHERE {{ ?x dcterms:conformsTo {i} . ?x a ?t "
                   f"FILTER(?t IN (odl:DataCategory, dcat:Dataset)) }}")
    return {
        "description": page.literal(DCT + "description"),
        "identifier": [n.value for n in page.values(DCT + "identifier")],
        "version": [n.value for n in page.values(OWL + "versionInfo")],
        "homepage": page.iris(FOAF + "homepage"),
        "parts": desc.refs(page.iris(DCT + "hasPart")),
        "part_of": desc.refs(n.value for n in page.incoming_values(DCT + "hasPart")),
        "scdl": [n.value for n in page.values(desc.odl + "isSCDL")],
        "schema_label": [n.value for n in page.values(desc.odl + "schemaLabel")],
        "resources": [n.value for n in page.values(desc.odl + "conformingResources")],
        "fields": sorted(fields, key=lambda f: (f["position"], f["field"].label)),
        "categories": desc.refs(r["x"].value for r in users if r["t"].value == desc.odl + "DataCategory"),
        "datasets": desc.refs(r["x"].value for r in users if r["t"].value == DCAT + "Dataset"),
        "sources": page.sources(),
    }
