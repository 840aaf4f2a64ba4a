"""A thematic dossier (a concept of the theme scheme): its challenges, use cases, experiments,
publications and the data they need."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import SKOS, Node, Page, fold, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    t = sparql_iri(page.iri)
    chal = desc.q(f"SELECT ?c WHERE {{ ?c a odl:Challenge ; dcat:theme {t} }}")
    ucs = desc.q(f"SELECT ?uc ?stage ?s WHERE {{ ?uc a odl:UseCase ; dcat:theme {t} . "
                 f"OPTIONAL {{ ?uc odl:stage ?stage }} OPTIONAL {{ ?uc odl:implementedBy ?s }} }}")
    desc.load_row_labels(ucs, "uc", "stage", "s")
    data = desc.needed_data(desc.requirements_of(f"?uc a odl:UseCase ; dcat:theme {t} ."))
    status_rows = desc.q(
        f"SELECT ?dc ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?uc dcat:theme {t} ; odl:hasRequirement ?r . "
        f"?r odl:requiredCategory ?dc . ?d odl:instantiates ?dc ; odl:opennessStatus ?st }} GROUP BY ?dc ?st"
    )
    desc.load_row_labels(status_rows, "st")
    per_dc: dict[str, list[tuple[Node, int]]] = defaultdict(list)
    for r in status_rows:
        per_dc[r["dc"].value].append((desc.ref(r["st"].value), int(r["n"].value)))
    for d in data:
        d["datasets"] = sorted(per_dc.get(d["category"].value, []), key=lambda x: -x[1])
    return {
        "definition": page.literal(SKOS + "definition"),
        "challenges": desc.refs(r["c"].value for r in chal),
        "usecases": sorted(
            ({"usecase": desc.ref(r["uc"].value), "stage": desc.ref(r["stage"].value) if "stage" in r else None,
              "service": desc.ref(r["s"].value) if "s" in r else None} for r in ucs),
            key=lambda d: fold(d["usecase"].label)),
        "experiments": desc.experiments(
            f"{{ ?e dcat:theme {t} }} UNION {{ ?e odl:testsUseCase ?tu . ?tu dcat:theme {t} }}"
        ),
        "publications": desc.publications(
            f"{{ ?p dcat:theme {t} }} UNION {{ ?p dcterms:subject ?pu . ?pu dcat:theme {t} }}"
        ),
        "data": data,
    }
