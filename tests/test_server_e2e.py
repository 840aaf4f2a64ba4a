"""End to end: the real server (waitress + worker processes) in a subprocess on a free loopback port."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import pytest
import rdflib
import requests
from conftest import ROOT, TOKEN, free_port, make_store, running_server
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

ODL = "https://w3id.org/odl-graph/"
DATASETS_Q = "PREFIX odl: <https://w3id.org/odl-graph/def#> SELECT ?d WHERE { ?d a odl:Dataset } ORDER BY ?d"
DATASETS = [ODL + "id/dataset/arbres-rennes", ODL + "id/dataset/canopee-vitre"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
TIMEOUT = 2.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fixture_nquads: bytes) -> Iterator[str]:
    store = make_store(tmp_path_factory.mktemp("e2e") / "store", fixture_nquads)
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
           "--set", f"store={store}", "--set", f"query_timeout={TIMEOUT}", "--set", f"update_token={TOKEN}"]
    with running_server(cmd, port, env={"PYTHONPATH": str(ROOT)}) as url:
        yield url


# -- SPARQLWrapper and rdflib ----------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server: str, method: str) -> None:
    sw = SPARQLWrapper(server + "/sparql")
    sw.setMethod(method)
    sw.setQuery(DATASETS_Q)
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    assert [b["d"]["value"] for b in res["results"]["bindings"]] == DATASETS


def test_sparqlwrapper_xml(server: str) -> None:
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(DATASETS_Q)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert [u.firstChild.data for u in doc.getElementsByTagName("uri")] == DATASETS


def test_sparqlwrapper_csv(server: str) -> None:
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(DATASETS_Q)
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().split() == ["d", *DATASETS]


def test_sparqlwrapper_turtle(server: str) -> None:
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(f"DESCRIBE <{DATASETS[1]}>")
    sw.setReturnFormat(TURTLE)
    g = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert (rdflib.URIRef(DATASETS[1]), rdflib.RDF.type, rdflib.URIRef(ODL + "def#Dataset")) in g


def test_rdflib_sparqlstore(server: str) -> None:
    g = rdflib.Graph(store="SPARQLStore")
    g.open(server + "/sparql")
    rows = list(g.query(DATASETS_Q))
    assert [str(r.d) for r in rows] == DATASETS
    assert g.query("ASK { ?s a <https://w3id.org/odl-graph/def#Commune> }").askAnswer is True
    constructed = g.query(f"CONSTRUCT {{ <{DATASETS[0]}> ?p ?o }} WHERE {{ <{DATASETS[0]}> ?p ?o }}").graph
    assert len(constructed) == 6  # type, two labels, category, status, commune


# -- W3C SPARQL 1.1 Protocol cases -----------------------------------------------------------------
JSON_ACCEPT = {"Accept": "application/sparql-results+json"}


def test_protocol_query_get(server: str) -> None:
    r = requests.get(server + "/sparql", params={"query": DATASETS_Q}, headers=JSON_ACCEPT, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert [b["d"]["value"] for b in r.json()["results"]["bindings"]] == DATASETS


def test_protocol_query_post_form(server: str) -> None:
    r = requests.post(server + "/sparql", data={"query": DATASETS_Q}, headers=JSON_ACCEPT, timeout=10)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 2


def test_protocol_query_post_direct(server: str) -> None:
    r = requests.post(server + "/sparql", data=DATASETS_Q.encode(),
                      headers={**JSON_ACCEPT, "Content-Type": "application/sparql-query"}, timeout=10)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 2


def test_protocol_dataset_default_graph(server: str) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = requests.get(server + "/sparql", params={"query": q, "default-graph-uri": ODL + "graph/vocab/openness"},
                     headers=JSON_ACCEPT, timeout=10)
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "9"


def test_protocol_dataset_named_graphs(server: str) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    graphs = [ODL + "graph/data/datasets", ODL + "graph/vocab/openness"]
    r = requests.post(server + "/sparql", data=[("query", q)] + [("named-graph-uri", g) for g in graphs],
                      headers=JSON_ACCEPT, timeout=10)
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == graphs


def test_protocol_bad_query_fails(server: str) -> None:
    r = requests.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, timeout=10)
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["errors"][0]["line"] == 1


def test_protocol_update_to_query_endpoint_fails(server: str) -> None:
    u = "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }"
    form = requests.post(server + "/sparql", data={"update": u}, timeout=10)
    assert form.status_code == 400 and form.json()["error"]
    r = requests.post(server + "/sparql", data=u.encode(), headers={"Content-Type": "application/sparql-update"},
                      timeout=10)
    assert r.status_code == 400 and "/update" in r.json()["error"]
    as_query = requests.get(server + "/sparql", params={"query": u}, timeout=10)
    assert as_query.status_code == 400 and as_query.json()["error"]
    ask = "ASK { <http://e/s> <http://e/p> <http://e/o> }"
    assert requests.get(server + "/sparql", params={"query": ask}, headers=JSON_ACCEPT, timeout=10).json()[
        "boolean"] is False, "a refused update changed nothing"


def test_not_acceptable_and_service_description(server: str) -> None:
    refused = requests.get(server + "/sparql", params={"query": DATASETS_Q}, headers={"Accept": "image/png"},
                           timeout=10)
    assert refused.status_code == 406 and "image/png" in refused.text
    sd = requests.get(server + "/sparql", timeout=10)
    assert sd.status_code == 200 and sd.headers["Content-Type"].startswith("text/turtle")
    described = rdflib.Graph().parse(data=sd.text, format="turtle")
    sd_ns = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert any(described.triples((None, rdflib.RDF.type, sd_ns.Service)))
    assert "Accept" in sd.headers["Vary"]


def test_oversized_body_413(server: str) -> None:
    r = requests.post(server + "/sparql", data=b"#" * 1_100_000, headers={"Content-Type": "application/sparql-query"},
                      timeout=30)
    assert r.status_code == 413 and r.json()["error"]


# -- runaway query --------------------------------------------------------------------------------
def test_runaway_stopped_while_other_client_served(server: str) -> None:
    result: dict[str, object] = {}

    def runaway() -> None:
        t0 = time.monotonic()
        r = requests.get(server + "/sparql", params={"query": RUNAWAY}, timeout=30)
        result["elapsed"] = time.monotonic() - t0
        result["status"] = r.status_code
        result["body"] = r.json()

    t = threading.Thread(target=runaway)
    t.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    r = requests.get(server + "/sparql", params={"query": DATASETS_Q}, headers=JSON_ACCEPT, timeout=10)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 2
    assert time.monotonic() - t0 < 1.0  # the second client did not wait for the runaway
    t.join()
    assert result["status"] == 503
    assert "exceeded the 2 s time limit" in result["body"]["error"]  # type: ignore[index]
    assert result["elapsed"] < TIMEOUT + 1.0  # type: ignore[operator]
    # the server is whole again
    assert requests.get(server + "/health", timeout=5).json()["idle"] == 2


# -- updates ----------------------------------------------------------------------------------------
def test_update_needs_token_then_is_seen(server: str) -> None:
    u = "INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> 'e2e' } }"
    ask = "ASK { GRAPH <http://e/g> { <http://e/s> <http://e/p> 'e2e' } }"
    assert requests.post(server + "/update", data={"update": u}, timeout=10).status_code == 401
    assert requests.post(server + "/update", data={"update": u}, headers={"Authorization": "Bearer wrong"},
                         timeout=10).status_code == 403
    assert requests.get(server + "/sparql", params={"query": ask}, headers=JSON_ACCEPT, timeout=10).json()[
        "boolean"] is False
    r = requests.post(server + "/update", data=u.encode(), timeout=30,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
    assert r.status_code == 200, r.text
    for _ in range(4):
        assert requests.get(server + "/sparql", params={"query": ask}, headers=JSON_ACCEPT, timeout=10).json()[
            "boolean"] is True
    g = requests.get(server + "/store", params={"graph": "http://e/g"}, timeout=10,
                     headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/n-triples"})
    assert g.status_code == 200 and b'"e2e"' in g.content
