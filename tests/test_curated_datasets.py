"""Dataset records and searches, read from the compiled curated graph: every data category has a dataset or a
dated search saying what was looked for; known coverage exclusions are in the graph (`odl:spatialExclusion`);
every address a dataset row cites is described in data/curated/SOURCES.md."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from odl_graph import iris
from odl_graph.build.curated import compile_folder
from odl_graph.build.sources import compiler_context, schema_graphs
from odl_graph.namespace import ODL

CURATED = Path(__file__).resolve().parents[1] / "data" / "curated"


@pytest.fixture(scope="module")
def graph() -> Graph:
    g = Graph()
    for f in compile_folder(CURATED, compiler_context(schema_graphs())):
        g += f.graph
    return g


def dataset(id_: str) -> URIRef:
    return iris.resource("dataset", id_)


def test_every_category_has_a_dataset_or_a_search(graph: Graph) -> None:
    categories = set(graph.subjects(RDF.type, ODL.DataCategory))
    assert len(categories) == 69
    with_dataset = set(graph.objects(None, ODL.instantiates))
    searched = set(graph.objects(None, ODL.searchedCategory))
    assert not categories - with_dataset - searched
    # a search without a dataset is a stated "none known", with the pages consulted
    for category in categories - with_dataset:
        search = next(graph.subjects(ODL.searchedCategory, category))
        assert str(graph.value(search, ODL.searchOutcome)).endswith("/none-known"), category
        assert graph.value(search, DCTERMS.source) is not None


@pytest.mark.parametrize("category", ["valeurs-foncieres-dvf", "dpe-logements", "registre-coproprietes",
                                      "prelevements-eau", "mobilites-domicile-travail", "immeubles-proteges-mh"])
def test_the_categories_the_issue_names_have_an_open_national_dataset(graph: Graph, category: str) -> None:
    open_national = [d for d in graph.subjects(ODL.instantiates, iris.resource("datacategory", category))
                     if str(graph.value(d, ODL.opennessStatus)).endswith("/open")
                     and (d, DCTERMS.spatial, None) in graph
                     and str(graph.value(d, DCTERMS.spatial)).endswith("/territory/france")]
    assert open_national, category


def test_dvf_excludes_alsace_moselle_and_mayotte(graph: Graph) -> None:
    for id_ in ("demandes-valeurs-foncieres", "dvf-plus-open-data"):
        excluded = set(graph.objects(dataset(id_), ODL.spatialExclusion))
        assert excluded == {iris.departement(c) for c in ("57", "67", "68", "976")}, id_
    # MOBPRO and the BNPE: "France métropolitaine et DOM", so not the overseas collectivities (COM);
    # no other dataset claims an exclusion no page gave
    com = {iris.departement(c) for c in ("975", "977", "978", "984", "986", "987", "988", "989")}
    for id_ in ("mobpro-insee", "bnpe-prelevements-eau"):
        assert set(graph.objects(dataset(id_), ODL.spatialExclusion)) == com, id_
    with_exclusions = ("demandes-valeurs-foncieres", "dvf-plus-open-data", "mobpro-insee", "bnpe-prelevements-eau")
    assert {s for s, _ in graph.subject_objects(ODL.spatialExclusion)} == {dataset(i) for i in with_exclusions}


def test_licence_and_landing_page_only_where_a_page_gave_them(graph: Graph) -> None:
    ofgl = dataset("comptes-consolides-communes-ofgl")
    assert str(graph.value(ofgl, DCTERMS.license)).endswith("/licence/ETALAB_2_0")
    assert (dataset("demandes-valeurs-foncieres"), ODL.unknownValueOf, DCTERMS.license) in graph
    assert (dataset("demandes-valeurs-foncieres"), ODL.unknownValueOf, DCAT.landingPage) in graph


@pytest.mark.parametrize("name", ["datasets.csv", "dataset_searches.csv"])
def test_every_cited_address_is_described_in_sources_md(name: str) -> None:
    described = set(re.findall(r"^\| <(https?://[^>]+)> \|", (CURATED / "SOURCES.md").read_text(encoding="utf-8"),
                               re.M))
    with open(CURATED / name, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    cited = {u for r in rows for col in ("sources", "landing_page") for u in (r.get(col) or "").split(";")
             if u.startswith("http")}
    assert not cited - described, sorted(cited - described)
