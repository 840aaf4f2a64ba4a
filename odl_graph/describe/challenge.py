"""A challenge's page: the use cases that address it and the data they need."""

from __future__ import annotations

from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCAT, DCT, Page, fold, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    ucs = desc.q(f"SELECT ?uc ?stage WHERE {{ ?uc odl:addresses {i} . OPTIONAL {{ ?uc odl:stage ?stage }} }}")
    desc.load_row_labels(ucs, "uc", "stage")
    return {
        "description": page.literal(DCT + "description"),
        "themes": desc.refs(n.value for n in page.values(DCAT + "theme")),
        "usecases": sorted(
            ({"usecase": desc.ref(r["uc"].value), "stage": desc.ref(r["stage"].value) if "stage" in r else None}
             for r in ucs), key=lambda d: fold(d["usecase"].label)),
        "data": desc.needed_data(desc.requirements_of(f"?uc odl:addresses {i} .")),
        "interviews": desc.refs(r["s"].value for r in desc.q(f"SELECT ?s WHERE {{ ?s odl:raises {i} }}")),
        "sources": page.sources(),
    }
