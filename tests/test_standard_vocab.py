"""Partner questions asked only in standard vocabularies get the answers the `odl:` questions get,
on the shipped graph, thanks to graph/inferred/standard-types (odl_graph/build/standard_types.py)."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from odl_graph import iris
from odl_graph.build.standard_types import standard_types

PREFIXES = iris.sparql_prefixes()
INFERRED = iris.BASE + "graph/inferred/standard-types"
DCAT, FOAF, IGEO = Namespace("http://www.w3.org/ns/dcat#"), Namespace("http://xmlns.com/foaf/0.1/"), \
    Namespace("http://rdf.insee.fr/def/geo#")
ODL = Namespace(iris.BASE + "def#")

# The odl: side names the territory classes (instances are typed with the most specific one).
TERRITORIES = "VALUES ?tk { odl:Territory odl:Commune odl:EPCI odl:Departement odl:Region }"

# (question, partner query in DCAT/DCTERMS/FOAF/ORG/SKOS/PROV/igeo terms, the odl: query)
QUESTIONS = [
    ("datasets of a commune",
     "SELECT DISTINCT ?c ?d WHERE { ?d a dcat:Dataset ; dcterms:spatial ?c . ?c a igeo:Commune }",
     "SELECT DISTINCT ?c ?d WHERE { ?d a odl:Dataset ; dcterms:spatial ?c . ?c a odl:Commune }"),
    ("organisations and what they publish",
     "SELECT DISTINCT ?o ?d WHERE { ?o a foaf:Agent . ?d a dcat:Dataset ; dcterms:publisher ?o }",
     "SELECT DISTINCT ?o ?d WHERE { ?o a odl:Actor . ?d a odl:Dataset ; dcterms:publisher ?o }"),
    ("organisations and their identifiers",
     "SELECT DISTINCT ?o ?id WHERE { ?o a org:Organization , foaf:Agent ; dcterms:identifier ?id }",
     "SELECT DISTINCT ?o ?id WHERE { ?o a odl:Actor , org:Organization ; odl:siren ?id }"),
    ("activities in a territory",
     "SELECT DISTINCT ?a ?t WHERE { ?a a prov:Activity ; dcterms:spatial ?t . ?t a dcterms:Location }",
     "SELECT DISTINCT ?a ?t WHERE { VALUES ?k { odl:Experiment odl:Interview } ?a a ?k ; dcterms:spatial ?t . "
     f"?t a ?tk . {TERRITORIES} }}"),
    ("places of France",
     "SELECT DISTINCT ?t WHERE { ?t a dcterms:Location }",
     f"SELECT DISTINCT ?t WHERE {{ ?t a ?tk . {TERRITORIES} }}"),
    ("concepts of the openness scheme",
     "SELECT DISTINCT ?c WHERE { ?c a skos:Concept ; skos:inScheme ?s . ?d a dcat:Dataset ; dcterms:accessRights ?x }",
     "SELECT DISTINCT ?c WHERE { ?c a skos:Concept ; skos:inScheme ?s . ?d a odl:Dataset ; dcterms:accessRights ?x }"),
]


def _rows(store: Any, query: str, **kw: Any) -> set[tuple[str, ...]]:
    return {tuple(t.value for t in r) for r in store.query(PREFIXES + query, **kw)}


@pytest.mark.slow
@pytest.mark.parametrize(("partner", "odl"), [pytest.param(p, o, id=n) for n, p, o in QUESTIONS])
def test_partner_questions_get_the_odl_answers(shipped_store: Any, partner: str, odl: str) -> None:
    expected = _rows(shipped_store, odl)
    assert expected, "the odl: question must have answers for the comparison to mean something"
    assert _rows(shipped_store, partner) == expected
    others = [g for g in shipped_store.graph_names() if g != INFERRED]
    assert INFERRED in shipped_store.graph_names()
    # Concepts are typed skos:Concept by our own schemes, communes igeo:Commune by the COG import and
    # datasets dcat:Dataset by every producer (DCAT-AP): those answers do not depend on the graph.
    if "skos:Concept" not in partner and "igeo:Commune" not in partner:
        assert _rows(shipped_store, partner, default_graph_uris=others) != expected, "answered without the graph"


def test_standard_types_follow_the_ontology_axioms() -> None:
    onto = Graph()
    onto.add((ODL.Commune, RDFS.subClassOf, ODL.Territory))
    onto.add((ODL.Territory, RDFS.subClassOf, URIRef("http://purl.org/dc/terms/Location")))
    onto.add((ODL.Commune, RDFS.subClassOf, IGEO.Commune))
    onto.add((ODL.siren, RDFS.subPropertyOf, URIRef("http://purl.org/dc/terms/identifier")))
    data = Graph()
    c = URIRef(iris.BASE + "id/commune/35238")
    data.add((c, RDF.type, ODL.Commune))
    data.add((c, RDF.type, IGEO.Commune))  # already asserted: not repeated
    data.add((c, ODL.siren, Literal("213502388")))
    got = set(standard_types(onto, [data]))
    assert got == {
        (c, RDF.type, URIRef("http://purl.org/dc/terms/Location")),
        (c, URIRef("http://purl.org/dc/terms/identifier"), Literal("213502388")),
    }
