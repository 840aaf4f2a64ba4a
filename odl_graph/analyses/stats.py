"""Key figures of the graph, as asked by the content issue (one query each, so they are checkable)."""

from __future__ import annotations

from typing import Any

from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.iris import sparql_prefixes

FIGURES: dict[str, str] = {
    "communes": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Commune }",
    "EPCI": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:EPCI }",
    "départements": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Departement }",
    "régions": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Region }",
    "ACV communes": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x odl:memberOf ?p . ?p a odl:Programme }",
    "ACV communes flagged 2018": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x odl:acv2018 true }",
    "standards": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Standard }",
    "SCDL standards": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Standard ; odl:isSCDL true }",
    "use cases": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:UseCase }",
    "use cases with ≥2 required data categories": """SELECT (COUNT(*) AS ?n) WHERE {
        { SELECT ?u WHERE { ?u a odl:UseCase ; odl:hasRequirement/odl:requiredCategory ?c }
          GROUP BY ?u HAVING (COUNT(DISTINCT ?c) >= 2) } }""",
    "data categories": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:DataCategory }",
    "datasets": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Dataset }",
    "data categories searched for datasets": """SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?s a odl:DatasetSearch ; odl:searchedCategory ?c . ?c a odl:DataCategory }""",
    "actors": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Actor }",
    "experiments": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Experiment }",
    "challenges": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:Challenge }",
    "data categories with a dataset, or a sourced statement that none is known": """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a odl:DataCategory .
          { ?d odl:instantiates ?c } UNION
          { ?s odl:searchedCategory ?c ; odl:searchOutcome ?o ; dcterms:source ?src
            FILTER(STRENDS(STR(?o), "/none-known")) } }""",
    "local records (dataset content counted per territory)":
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:LocalRecords }",
    "publishing records (bodies that publish open data, dated)":
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a odl:PublishingRecord }",
}


def key_figures(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, int]:
    out = {}
    for name, q in FIGURES.items():
        rows = list(store.query(sparql_prefixes(base_iri) + q))
        out[name] = int(rows[0]["n"].value) if rows else 0
    return out


def evidence_figures(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, int]:
    """What the diagnostic knows of the ACV communes: how many have local evidence, lines per level."""
    from odl_graph.analyses import diagnostic as dg
    from odl_graph.analyses import tables as tb

    s = dg.evidence_summary(tb.tables(store, base_iri))
    out = {"ACV communes with local evidence (records, a local dataset or a hint)": s["with_local_evidence"],
           "ACV communes with evidence about an actual dataset (records, a dataset of the town or EPCI)":
               s["with_dataset_evidence"],
           "distinct readiness profiles over all use cases (scores)": s["distinct_profiles"],
           "distinct ready/not-ready profiles over all use cases": s["distinct_ready_profiles"],
           "ACV communes ready for no use case": s["ready_for_none"]}
    for level in dg.ev.LEVELS:
        out[f"diagnostic lines (ACV communes × categories): {level}"] = s["lines_per_level"].get(level, 0)
    return out
