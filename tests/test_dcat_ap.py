"""Every dataset record conforms to DCAT-AP 3.0.1 (the profile's shapes, data/vocab/dcat-ap-3.0.1/), and a
record that does not is reported by `validate` at the file it came from."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from odl_graph import iris
from odl_graph.build import dcat_ap
from odl_graph.build.sources import SourceGraph
from odl_graph.build.validate import validate
from odl_graph.stores import EmbeddedStore

DS = URIRef("https://w3id.org/odl-graph/id/dataset/x")
AGENT = URIRef("https://w3id.org/odl-graph/id/actor/siren-123456789")


def record(**drop: bool) -> Graph:
    g = Graph()
    g.add((DS, RDF.type, DCAT.Dataset))
    if not drop.get("title"):
        g.add((DS, DCTERMS.title, Literal("Jeu X", lang="fr")))
    if not drop.get("description"):
        g.add((DS, DCTERMS.description, Literal("Un jeu de test.", lang="fr")))
    g.add((DS, DCTERMS.publisher, AGENT))
    g.add((AGENT, RDF.type, URIRef("https://w3id.org/odl-graph/def#Actor")))
    g.add((AGENT, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Commune de X", lang="fr")))
    g.add((DS, FOAF.page, URIRef("https://example.org/page")))
    return g


def violations(report: Graph) -> list[tuple[str, str]]:
    from rdflib import SH

    return sorted((str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)))
                  for r in report.subjects(SH.resultSeverity, SH.Violation))


def test_a_complete_record_conforms() -> None:
    """The publisher is a foaf:Agent through odl:Actor ⊑ foaf:Agent, and is named (foaf:name)."""
    assert violations(dcat_ap.validate_records([record()])) == []


@pytest.mark.parametrize("missing", ["title", "description"])
def test_mandatory_title_and_description(missing: str) -> None:
    path = {"title": DCTERMS.title, "description": DCTERMS.description}[missing]
    assert (str(DS), str(path)) in violations(dcat_ap.validate_records([record(**{missing: True})]))


def test_a_page_given_as_source_dataset_is_refused() -> None:
    """DCAT-AP reserves dct:source for the dataset a record derives from: a cited page is a foaf:page."""
    g = record()
    g.add((DS, DCTERMS.source, URIRef("https://example.org/article")))
    assert (str(DS), str(DCTERMS.source)) in violations(dcat_ap.validate_records([g]))


def test_validate_reports_a_failing_record_at_its_file(tmp_path: Path) -> None:
    source = tmp_path / "snapshot.jsonl"
    source.write_text("{}\n", encoding="utf-8")
    report = validate([SourceGraph("import", "test", record(description=True), [source])])
    (bad,) = [r for r in report.violations if r.path == str(DCTERMS.description)]
    assert bad.shape.startswith("https://semiceu.github.io/DCAT-AP/releases/3.0.1#")
    assert bad.source.endswith("snapshot.jsonl") and not report.conforms


@pytest.mark.slow
def test_every_shipped_dataset_record_conforms_as_served(shipped_store: EmbeddedStore) -> None:
    """The served records, as a client reads them from the shipped store (each record, its triples and those
    of the values it points at), conform to DCAT-AP 3.0.1 (SHACL and ranges) with no inference: the classes
    the shapes ask of the values are in the graph (graph/inferred/dcat-ap, standard-types), not added here."""
    import pyoxigraph as ox

    from odl_graph.analyses.dcat import RECORDS_QUERY

    served = shipped_store.oxigraph.query(RECORDS_QUERY).serialize(format=ox.RdfFormat.N_TRIPLES)
    data = Graph().parse(data=served, format="nt")
    records = set(data.subjects(RDF.type, DCAT.Dataset))
    assert len(records) >= 50  # curated datasets and the BNLC (harvested ones when a snapshot ships)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=dcat_ap.shapes(), inference="none",
                                                allow_warnings=True)
    assert violations(report) == []
    typed = shipped_store.query(f"ASK {{ GRAPH <{iris.BASE}graph/inferred/dcat-ap> {{ ?s a ?c }} }}")
    assert bool(typed)  # the pages and access rights typed by the build, not by this test
