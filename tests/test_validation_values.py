"""The build's SHACL messages name the value they refuse (a bad date, IRI or code), not only the
shape: validated with the shipped shapes on a small data graph."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from odl_graph import iris
from odl_graph.build.sources import SourceGraph
from odl_graph.build.validate import validate

ROOT = Path(__file__).resolve().parent.parent
ODL = iris.TERMS
DCT = "http://purl.org/dc/terms/"


def test_messages_name_the_bad_value() -> None:
    shapes = Graph().parse(ROOT / "shapes" / "odl-shapes.ttl")
    data = Graph()
    search, actor, dataset = (URIRef(iris.BASE + f"id/{k}/x") for k in ("search", "actor", "dataset"))
    data.add((search, RDF.type, URIRef(ODL + "DatasetSearch")))
    data.add((search, URIRef(DCT + "date"), Literal("2023-13-45")))
    data.add((actor, RDF.type, URIRef(ODL + "Actor")))
    data.add((actor, URIRef(ODL + "siren"), Literal("12345ABC")))
    data.add((dataset, RDF.type, URIRef(ODL + "Dataset")))
    data.add((dataset, URIRef(DCT + "license"), URIRef("https://example.org/my-licence")))
    report = validate([SourceGraph("shapes", "odl", shapes, [ROOT / "shapes" / "odl-shapes.ttl"]),
                       SourceGraph("data", "test", data, [])])
    by_path = {(r.focus, r.path): r for r in report.violations if r.value}
    cases = {(search, DCT + "date"): '"2023-13-45"', (actor, ODL + "siren"): '"12345ABC"',
             (dataset, DCT + "license"): "<https://example.org/my-licence>"}
    for (focus, path), shown in cases.items():
        r = by_path[(str(focus), path)]
        assert f"Valeur trouvée : {shown}" in r.message_fr, r.message_fr
        assert f"Value found: {shown}" in r.message_en, r.message_en
    # a missing value has nothing to name
    missing = [r for r in report.violations if not r.value]
    assert missing and all("Value found" not in r.message_en for r in missing)
