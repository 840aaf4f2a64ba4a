"""The API and the diagnostic run through the query engine: typed parameters reach the workers as
pyoxigraph terms, the time limit applies, and answers equal the store's own."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest

from odl_graph.analyses import catalogue
from odl_graph.engine import Engine, QueryTimeout
from odl_graph.stores import EmbeddedStore
from server.engine import started_engine

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def test_engine_query_binds_substitutions_in_the_worker(engine: Engine) -> None:
    # pyoxigraph binds substitutions on projected variables, as the catalogue's typed parameters are
    res = engine.query("SELECT ?v ?x WHERE { BIND(STR(?v) AS ?x) }",
                       substitutions={"v": ox.Literal("typed", language="fr")})
    assert [(r["v"], r["x"].value) for r in res] == [(ox.Literal("typed", language="fr"), "typed")]
    assert bool(engine.query("ASK { FILTER(1 < 2) }"))
    triples = engine.query("CONSTRUCT { <urn:a> <urn:b> 3 } WHERE {}")
    assert isinstance(triples, ox.QueryTriples) and len(list(triples)) == 1


def test_engine_query_has_the_time_limit(engine: Engine) -> None:
    with pytest.raises(QueryTimeout):
        engine.query(RUNAWAY)
    assert int(next(iter(engine.query("SELECT (1 AS ?n) {}")))["n"].value) == 1  # replaced worker answers


@pytest.fixture(scope="module")
def shipped_app(shipped_store: EmbeddedStore) -> Any:
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(shipped_store.path), "workers": 1, "TESTING": True})
    yield app
    close_engine(app)


def test_catalogue_api_answers_as_the_store(shipped_app: Any, shipped_store: EmbeddedStore) -> None:
    client = shipped_app.test_client()
    for name, query in catalogue.load_catalogue().items():
        want = catalogue.run(shipped_store, query).results
        if not isinstance(want, ox.QuerySolutions):
            continue
        resp = client.get(f"/api/queries/{name}.json")
        assert resp.status_code == 200, (name, resp.data[:300])
        body = json.loads(resp.data)
        got = body["results"]["bindings"] if "results" in body else body
        assert len(got) == len(catalogue.rows(want)), name
    assert started_engine(shipped_app) is not None  # the API went through the engine


def test_diagnostic_api_through_the_engine(shipped_app: Any) -> None:
    resp = shipped_app.test_client().get("/api/diagnostic/85191/informer-disponibilite-stationnement")
    assert resp.status_code == 200, resp.data[:300]
    data = json.loads(resp.data)
    assert data["score"] == 0.5 or data.get("diagnostic", {}).get("score") == 0.5
