"""Labels in the reader's language (issue 23): every browse list and the search, in French, over the
shipped graph, show a resource's French label wherever it has one; another language only where it has
none, marked with its language (JSON `lang`, HTML `lang`). French search folds accents and plurals.

The app runs over the session's shipped build (tests/conftest.py): no build of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from odl_graph.search import SearchIndex
from odl_graph.stores import EmbeddedStore
from odl_graph.text import fold_plural

FR_LABELLED = """SELECT DISTINCT ?s WHERE {
  VALUES ?p { <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#prefLabel> }
  ?s ?p ?l FILTER(LANGMATCHES(LANG(?l), "fr")) }"""
EN_LABELS = """SELECT ?s ?l WHERE {
  VALUES ?t { <https://w3id.org/odl-graph/def#UseCase> <https://w3id.org/odl-graph/def#Challenge>
              <https://w3id.org/odl-graph/def#DataCategory> <https://w3id.org/odl-graph/def#Service> }
  ?s a ?t ; <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANGMATCHES(LANG(?l), "en")) }"""


@pytest.fixture(scope="module")
def shipped_app(shipped_store: EmbeddedStore) -> Iterator[Any]:
    from server import create_app
    from server.engine import close_engine

    # disk mode: the worker reads the store where it is instead of loading a copy (a shorter setup)
    app = create_app({"store": str(shipped_store.path), "workers": 1, "store_mode": "disk", "TESTING": True})
    yield app
    close_engine(app)


@pytest.fixture(scope="module")
def shipped_client(shipped_app: Any) -> Any:
    return shipped_app.test_client()


@pytest.fixture(scope="module")
def index(shipped_app: Any, shipped_client: Any) -> SearchIndex:
    """The index the server searches (built on first use by the pages)."""
    from server.pages.views import search_index

    with shipped_app.app_context():
        return search_index()


@pytest.fixture(scope="module")
def french(shipped_store: EmbeddedStore) -> set[str]:
    """The resources that have a French label, read from the store, not from the search index."""
    return {r["s"].value for r in shipped_store.query(FR_LABELLED)}


def _rows(client: Any, path: str) -> list[dict[str, Any]]:
    """Every row of a paged JSON table (browse list or search), following `next`."""
    rows: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.data[:300])
        body = json.loads(resp.data)
        rows += body["rows"]
        url = body["next"]
    return rows


def _not_french(rows: list[dict[str, Any]], french: set[str]) -> list[str]:
    return [f"{r['label']} ({r['lang']}) {r['iri']}" for r in rows if r["iri"] in french and r["lang"] != "fr"]


def test_every_browse_list_in_french_shows_french_labels(shipped_client: Any, index: SearchIndex,
                                                         french: set[str]) -> None:
    walked = 0
    for name in sorted(index.class_names):
        rows = _rows(shipped_client, f"/browse/{name}.json?lang=fr&_size=1000")
        walked += len(rows)
        assert not _not_french(rows, french), (name, _not_french(rows, french)[:5])
        # a label shown in another language says which (the page marks it up with `lang`)
        assert all(r["lang"] or r["iri"] not in index.labels for r in rows), name
    assert walked > 30_000  # communes included: the walk really covered the lists
    html = shipped_client.get("/browse/UseCase?lang=fr").get_data(as_text=True)
    assert 'lang="en"' not in html.split("<main", 1)[-1]


def test_search_in_french_shows_french_labels(shipped_client: Any, shipped_store: EmbeddedStore, index: SearchIndex,
                                              french: set[str]) -> None:
    for kind in sorted(index.kinds):  # the search lists every kind's resources under its facet
        rows = _rows(shipped_client, f"/search.json?lang=fr&type={kind}&_size=1000")
        assert not _not_french(rows, french), (kind, _not_french(rows, french)[:5])
    # found by their English labels, French resources are still shown by their French ones
    english = list(shipped_store.query(EN_LABELS))
    assert len(english) > 150
    for row in english:
        text = row["l"].value
        rows = _rows(shipped_client, f"/search.json?lang=fr&_size=1000&q={quote(text)}")
        assert row["s"].value in {r["iri"] for r in rows}, text
        assert not _not_french(rows, french), (text, _not_french(rows, french)[:5])
    hit = next(r for r in _rows(shipped_client, "/search.json?lang=fr&q=parking%20turnover")
               if r["iri"].endswith("/usecase/tableau-bord-rotation-stationnement"))
    assert (hit["label"], hit["lang"]) == ("Tableau de bord de la rotation du stationnement", "fr")
    assert (hit["matched"], hit["matched_lang"]) == ("Parking turnover dashboard", "en")
    html = shipped_client.get("/search?lang=fr&q=parking").get_data(as_text=True)
    assert re.search(r'trouvé par « <span lang="en">Parking turnover dashboard</span> »', html)


def test_french_search_folds_plurals_and_accents(shipped_client: Any) -> None:
    def labels(q: str) -> list[str]:
        return [r["label"] for r in _rows(shipped_client, f"/search.json?lang=fr&_size=1000&q={quote(q)}")]

    assert "Élaborer une charte de l'arbre" in labels("arbres")  # plural finds the singular
    assert "Élaborer une charte de l'arbre" in labels("ELABORER CHARTE ARBRES")
    assert set(labels("arbres")) == set(labels("arbre"))
    assert "Suivre les arbres de l'espace public" in labels("arbre")  # and the singular the plural
    assert "Tableau de bord de la rotation du stationnement" in labels("tableaux bord rotation")
    assert any("Épernay" in x for x in labels("epernay"))


def test_fold_plural_is_simple_and_documented() -> None:
    assert [fold_plural(w) for w in ("arbres", "reseaux", "bus", "eau", "donnees", "prix")] == [
        "arbre", "reseau", "bus", "eau", "donnee", "pri"]


class _Store:
    """A Source over an in-memory pyoxigraph store (odl_graph.describe.labels.Source)."""

    def __init__(self, turtle: str) -> None:
        import pyoxigraph as ox

        self.store = ox.Store()
        self.store.load(turtle.encode(), ox.RdfFormat.TURTLE)

    def select(self, sparql: str, *, limit: int = 0) -> list[dict[str, Any]]:
        res = self.store.query(sparql)
        return [{v.value: sol[v] for v in res.variables if sol[v] is not None} for sol in res]


def test_a_fallback_label_carries_its_language_on_refs_and_pages() -> None:
    from odl_graph.describe.base import Describer

    ex = "https://w3id.org/odl-graph/id/usecase/"
    src = _Store(f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{ex}both> rdfs:label "Arbres"@fr , "Trees"@en .
        <{ex}english> rdfs:label "Only English"@en .
        <{ex}plain> rdfs:label "Sans langue" .""")
    fr = Describer(src, lang="fr")
    assert [(n.label, n.lang) for n in map(fr.ref, (ex + "both", ex + "english", ex + "plain"))] == [
        ("Arbres", None), ("Only English", "en"), ("Sans langue", None)]
    assert fr.resource(ex + "english").label_lang == "en" and fr.resource(ex + "both").label_lang is None
    assert Describer(src, lang="en").ref(ex + "both").label == "Trees"
