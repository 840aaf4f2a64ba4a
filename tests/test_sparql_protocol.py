"""The SPARQL 1.1 Protocol at /sparql and its neighbours, through Flask's test client."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import rdflib
from conftest import TOKEN

ODL = "https://w3id.org/odl-graph/"
G_DATASETS = ODL + "graph/data/datasets"
G_USECASES = ODL + "graph/data/use_cases"
SELECT_DATASETS = (
    "PREFIX odl: <https://w3id.org/odl-graph/def#> "
    "SELECT ?d WHERE { ?d a odl:Dataset } ORDER BY ?d"
)
DATASETS = [ODL + "id/dataset/arbres-rennes", ODL + "id/dataset/canopee-vitre"]
CONSTRUCT = (
    "CONSTRUCT { ?d ?p ?o } WHERE { BIND(<https://w3id.org/odl-graph/id/dataset/arbres-rennes> AS ?d) ?d ?p ?o }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


def bindings(resp: Any) -> list[str]:
    return [b["d"]["value"] for b in resp.get_json()["results"]["bindings"]]


def assert_error_shape(resp: Any, status: int) -> dict:
    assert resp.status_code == status, resp.data[:500]
    body = resp.get_json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert isinstance(body["errors"], list) and body["errors"]
    for e in body["errors"]:
        assert set(e) == {"message", "line", "column"}
    return body


# -- the three request forms ---------------------------------------------------------------------
def test_get_query(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS})
    assert resp.status_code == 200
    assert resp.mimetype == "application/sparql-results+json"
    assert "Accept" in resp.headers.get("Vary", "")
    assert bindings(resp) == DATASETS


def test_post_form(client: Any) -> None:
    resp = client.post("/sparql", data={"query": SELECT_DATASETS})
    assert resp.status_code == 200 and bindings(resp) == DATASETS


def test_post_direct(client: Any) -> None:
    resp = client.post("/sparql", data=SELECT_DATASETS.encode(), content_type="application/sparql-query")
    assert resp.status_code == 200 and bindings(resp) == DATASETS


def test_post_direct_with_charset(client: Any) -> None:
    resp = client.post("/sparql", data=SELECT_DATASETS.encode(), content_type="application/sparql-query; charset=utf-8")
    assert resp.status_code == 200 and bindings(resp) == DATASETS


# -- dataset parameters --------------------------------------------------------------------------
def test_default_graph_uri_restricts_the_default_graph(client: Any) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = client.get("/sparql", query_string={"query": q}).get_json()
    only = client.get("/sparql", query_string={"query": q, "default-graph-uri": G_USECASES}).get_json()
    both = client.get("/sparql", query_string=[("query", q), ("default-graph-uri", G_USECASES),
                                               ("default-graph-uri", G_DATASETS)]).get_json()
    n = [int(r["results"]["bindings"][0]["n"]["value"]) for r in (whole, only, both)]
    assert n[0] > n[2] > n[1] > 0


def test_named_graph_uri_in_form_and_direct(client: Any) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    form = client.post("/sparql", data={"query": q, "named-graph-uri": G_DATASETS}).get_json()
    assert [b["g"]["value"] for b in form["results"]["bindings"]] == [G_DATASETS]
    direct = client.post("/sparql?named-graph-uri=" + G_USECASES, data=q.encode(),
                         content_type="application/sparql-query").get_json()
    assert [b["g"]["value"] for b in direct["results"]["bindings"]] == [G_USECASES]


def test_bad_graph_uri_is_400(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS, "default-graph-uri": "not an iri"})
    assert_error_shape(resp, 400)


# -- result formats --------------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["accept", "param"])
def test_select_formats(client: Any, how: str) -> None:
    cases = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "csv": "text/csv",
        "tsv": "text/tab-separated-values",
    }
    for name, media in cases.items():
        kw = {"headers": {"Accept": media}} if how == "accept" else {}
        qs = {"query": SELECT_DATASETS, **({"format": name} if how == "param" else {})}
        resp = client.get("/sparql", query_string=qs, **kw)
        assert resp.status_code == 200 and resp.mimetype == media, (name, resp.data[:200])
        text = resp.data.decode()
        if name == "json":
            assert bindings(resp) == DATASETS
        elif name == "xml":
            ns = {"r": "http://www.w3.org/2005/sparql-results#"}
            uris = [u.text for u in ET.fromstring(text).findall(".//r:uri", ns)]
            assert uris == DATASETS
        elif name == "csv":
            rows = list(csv.reader(io.StringIO(text)))
            assert rows == [["d"], *([d] for d in DATASETS)]
        else:
            assert text.splitlines() == ["?d", *(f"<{d}>" for d in DATASETS)]


def test_ask_formats(client: Any) -> None:
    q = "ASK { ?s a <https://w3id.org/odl-graph/def#Dataset> }"
    assert client.get("/sparql", query_string={"query": q}).get_json()["boolean"] is True
    xml = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    assert xml.mimetype == "application/sparql-results+xml" and b"<boolean>true</boolean>" in xml.data
    for media in ("text/csv", "text/tab-separated-values"):
        r = client.get("/sparql", query_string={"query": q}, headers={"Accept": media})
        assert r.status_code == 200 and r.mimetype == media and b"true" in r.data


@pytest.mark.parametrize(
    ("media", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
     ("application/rdf+xml", "xml")],
)
@pytest.mark.parametrize("form", ["construct", "describe"])
def test_graph_formats(client: Any, media: str, rdflib_format: str, form: str) -> None:
    q = CONSTRUCT if form == "construct" else f"DESCRIBE <{DATASETS[0]}>"
    resp = client.get("/sparql", query_string={"query": q}, headers={"Accept": media})
    assert resp.status_code == 200 and resp.mimetype == media
    g = rdflib.Graph().parse(data=resp.data, format=rdflib_format)
    labels = {str(o) for o in g.objects(rdflib.URIRef(DATASETS[0]), rdflib.RDFS.label)}
    assert labels == {"Arbres d'alignement de Rennes", "Rennes street trees"}


def test_graph_format_param(client: Any) -> None:
    for name, media in (("turtle", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
                        ("xml", "application/rdf+xml"), ("json", "application/ld+json")):
        resp = client.post("/sparql", data={"query": CONSTRUCT, "format": name})
        assert resp.status_code == 200 and resp.mimetype == media, name


def test_format_param_overrides_accept(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS, "format": "csv"},
                      headers={"Accept": "application/sparql-results+json"})
    assert resp.mimetype == "text/csv"


def test_browser_accept_gets_xml_results(client: Any) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS}, headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == "application/sparql-results+xml"


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/pdf;q=1, text/html;q=0.5"])
def test_unsupported_accept_is_406(client: Any, accept: str) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS}, headers={"Accept": accept})
    if "text/html" in accept:  # a client that takes HTML gets the same error as a page of the site
        assert resp.status_code == 406 and resp.mimetype == "text/html"
        assert "application/sparql-results+json" in resp.get_data(as_text=True)
    else:
        assert_error_shape(resp, 406)
    assert "Accept" in resp.headers.get("Vary", "")


def test_select_asking_for_turtle_is_406(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS}, headers={"Accept": "text/turtle"})
    body = assert_error_shape(resp, 406)
    assert "application/sparql-results+json" in body["error"]
    resp = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert_error_shape(resp, 406)


def test_unknown_format_param_is_400(client: Any) -> None:
    assert_error_shape(client.get("/sparql", query_string={"query": SELECT_DATASETS, "format": "yaml"}), 400)


# -- discovery -----------------------------------------------------------------------------------
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_service_description_turtle(client: Any, fixture_counts: dict[str, int]) -> None:
    resp = client.get("/sparql")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=resp.data, format="turtle")
    service = next(g.subjects(rdflib.RDF.type, SD.Service))
    assert g.value(service, SD.endpoint) == rdflib.URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    names = {str(o) for o in g.objects(None, SD.name)}
    assert names == set(fixture_counts)


def test_service_description_negotiated(client: Any) -> None:
    resp = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert resp.mimetype == "application/ld+json"
    g = rdflib.Graph().parse(data=resp.data, format="json-ld")
    assert any(g.subjects(rdflib.RDF.type, SD.Service))


def test_service_description_uses_base_url(app_factory: Any) -> None:
    app = app_factory(base_url="https://data.example.org/odl/")
    g = rdflib.Graph().parse(data=app.test_client().get("/sparql").data, format="turtle")
    assert rdflib.URIRef("https://data.example.org/odl/sparql") in set(g.objects(None, SD.endpoint))


def test_void_counts_per_graph(client: Any, fixture_counts: dict[str, int]) -> None:
    resp = client.get("/.well-known/void")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=resp.data, format="turtle")
    per_graph = {str(g.value(s, SD.name)): int(g.value(s, VOID.triples)) for s in g.subjects(VOID.subset, None)
                 for s in g.objects(s, VOID.subset)}
    assert per_graph == fixture_counts
    top = next(s for s in g.subjects(VOID.subset, None))
    assert int(g.value(top, VOID.triples)) == sum(fixture_counts.values())
    assert g.value(top, VOID.sparqlEndpoint) == rdflib.URIRef("http://localhost/sparql")


def test_cors(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": SELECT_DATASETS}, headers={"Origin": "https://x.org"})
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-ODL-Truncated" in resp.headers["Access-Control-Expose-Headers"]
    pre = client.options("/sparql", headers={"Origin": "https://x.org", "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in pre.headers["Access-Control-Allow-Headers"]


def test_cors_can_be_disabled(app_factory: Any) -> None:
    resp = app_factory(cors=False).test_client().get("/health")
    assert "Access-Control-Allow-Origin" not in resp.headers


def test_health_and_version(client: Any) -> None:
    h = client.get("/health")
    assert h.status_code == 200 and h.get_json()["ok"] is True and h.get_json()["workers"] == 2
    v = client.get("/version").get_json()
    import odl_graph

    assert v["odl_graph"] == odl_graph.__version__ and v["store_version"]


def test_health_without_store_is_503(tmp_path: Any) -> None:
    from server import create_app

    app = create_app({"store": str(tmp_path / "nothing"), "TESTING": True})
    assert_error_shape(app.test_client().get("/health"), 503)
    assert_error_shape(app.test_client().get("/sparql", query_string={"query": "ASK {}"}), 503)


# -- safety ----------------------------------------------------------------------------------------
UPDATE = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> "c" } }'


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", query_string={"query": UPDATE}),
        lambda c: c.get("/sparql", query_string={"update": UPDATE}),
        lambda c: c.post("/sparql", data={"update": UPDATE}),
        lambda c: c.post("/sparql", data={"query": "PREFIX ex: <http://ex/> # comment\nDELETE WHERE { ?s ?p ?o }"}),
        lambda c: c.post("/sparql", data=UPDATE.encode(), content_type="application/sparql-update"),
        lambda c: c.post("/sparql", data=b"DROP ALL", content_type="application/sparql-query"),
    ],
)
def test_update_at_query_endpoint_is_400(client: Any, send: Any) -> None:
    body = assert_error_shape(send(client), 400)
    assert "/update" in body["error"]
    # and nothing changed
    ask = client.get("/sparql", query_string={"query": "ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"})
    assert ask.get_json()["boolean"] is False
    assert client.get("/sparql", query_string={"query": SELECT_DATASETS}).status_code == 200


def test_malformed_query_400_with_position(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": "SELECT ?x WHERE {\n  ?x ?y \n}"})
    body = assert_error_shape(resp, 400)
    err = body["errors"][0]
    assert err["line"] == 3 and isinstance(err["column"], int) and err["message"]
    assert "malformed SPARQL" in body["error"]


def test_service_is_refused(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"})
    assert "SERVICE" in assert_error_shape(resp, 400)["error"]


def test_runaway_query_is_stopped(client: Any, engine: Any) -> None:
    t0 = time.monotonic()
    resp = client.get("/sparql", query_string={"query": RUNAWAY})
    elapsed = time.monotonic() - t0
    body = assert_error_shape(resp, 503)
    assert "exceeded the 2 s time limit" in body["error"]
    assert elapsed < engine.timeout + 1.0
    # the pool is whole again and answers
    assert client.get("/sparql", query_string={"query": SELECT_DATASETS}).status_code == 200
    assert engine.status()["idle"] == engine.size


def test_row_cap_is_an_error_unless_the_client_opts_in(app_factory: Any) -> None:
    client = app_factory(row_cap=3).test_client()
    q = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    for fmt in ("json", "xml", "csv", "tsv"):
        refused = client.get("/sparql", query_string={"query": q, "format": fmt})
        body = assert_error_shape(refused, 400)
        assert "more than 3 rows" in body["error"] and "LIMIT 3 OFFSET" in body["error"]
        assert "truncate=true" in body["error"]
        resp = client.get("/sparql", query_string={"query": q, "format": fmt, "truncate": "true"})
        assert resp.status_code == 200
        assert resp.headers["X-ODL-Truncated"] == "true" and resp.headers["X-ODL-Row-Cap"] == "3"
        assert resp.headers["X-ODL-Rows"] == "3"
    data = client.post("/sparql", data={"query": q, "truncate": "true"}).get_json()
    assert len(data["results"]["bindings"]) == 3
    page = client.get("/sparql", query_string={"query": q + " LIMIT 3 OFFSET 3"})
    assert page.status_code == 200 and page.headers["X-ODL-Truncated"] == "false"
    assert len(page.get_json()["results"]["bindings"]) == 3
    small = client.get("/sparql", query_string={"query": SELECT_DATASETS})
    assert small.headers["X-ODL-Truncated"] == "false" and len(bindings(small)) == 2


def test_oversized_body_is_413(app_factory: Any) -> None:
    client = app_factory(max_body_bytes=1000).test_client()
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000
    assert_error_shape(client.post("/sparql", data={"query": big}), 413)
    assert_error_shape(client.post("/sparql", data=big.encode(), content_type="application/sparql-query"), 413)


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda c: c.get("/sparql", query_string={"query": ""}), 400),
        (lambda c: c.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")]), 400),
        (lambda c: c.post("/sparql", data={}), 400),
        (lambda c: c.post("/sparql", data=b"ASK {}", content_type="text/plain"), 415),
        (lambda c: c.post("/sparql", data=b"\xff\xfe\x00garbage", content_type="application/sparql-query"), 400),
        (lambda c: c.put("/sparql", data=b"ASK {}"), 405),
        (lambda c: c.get("/sparql", query_string={"query": "\x00\x01"}), 400),
        (lambda c: c.get("/sparql", query_string={"query": "SELECT * { <a b> ?p ?o }"}), 400),
        (lambda c: c.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT -1"}), 400),
        (lambda c: c.get("/sparql", query_string={"query": "{" * 5000}), 400),
        (lambda c: c.get("/sparql", query_string={"query": "SELECT * {", "format": "json"}), 400),
        (lambda c: c.get("/nowhere"), 404),
        (lambda c: c.get("/store?default"), 200),
        (lambda c: c.put("/store?default", data=b"", content_type="text/turtle"), 403),
    ],
)
def test_no_input_gives_500(client: Any, send: Any, status: int) -> None:
    resp = send(client)
    assert resp.status_code == status, resp.data[:300]
    if status != 200:
        assert_error_shape(resp, status)


def test_division_by_zero_leaves_the_variable_unbound(client: Any) -> None:
    """SPARQL 1.1 §17.2: an expression error in a SELECT expression leaves the variable unbound."""
    resp = client.get("/sparql", query_string={"query": "SELECT (1/0 AS ?x) {}"},
                      headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.data[:300]
    assert resp.get_json()["results"]["bindings"] == [{}]


# -- updates: off by default, token-gated ----------------------------------------------------------
def test_updates_off_without_token(client: Any) -> None:
    body = assert_error_shape(client.post("/update", data={"update": UPDATE},
                                          headers={"Authorization": "Bearer anything"}), 403)
    assert "disabled" in body["error"]
    assert_error_shape(client.put("/store?graph=http://example.org/g", data=b"", content_type="text/turtle"), 403)
    assert client.get("/store?default").status_code == 200  # reading is public


def test_update_requires_the_token(app_factory: Any) -> None:
    client = app_factory(update_token=TOKEN).test_client()
    r = client.post("/update", data={"update": UPDATE})
    assert_error_shape(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error_shape(client.post("/update", data={"update": UPDATE}, headers={"Authorization": "Bearer nope"}), 403)
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert_error_shape(client.post("/update", data={"update": UPDATE}, headers=basic), 401)
    ask = "ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }"
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is False


def test_update_then_query_sees_it(app_factory: Any) -> None:
    from odl_graph.stores import EmbeddedStore

    app = app_factory(update_token=TOKEN)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ask = "ASK { GRAPH <http://example.org/g> { <http://example.org/a> ?p ?o } }"
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is False
    r = client.post("/update", data=UPDATE.encode(), content_type="application/sparql-update", headers=auth)
    assert r.status_code == 200 and r.get_json()["ok"] is True
    for _ in range(4):  # every worker sees it
        assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is True
    # persisted as a new store version on disk
    store = EmbeddedStore(app.config["ODL"]["store"])
    assert store.version() == r.get_json()["store_version"]
    assert store.query(ask)
    # form-encoded delete works too
    r = client.post("/update", data={"update": "DELETE WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }"},
                    headers=auth)
    assert r.status_code == 200
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is False


def test_bad_update_is_400_and_changes_nothing(app_factory: Any) -> None:
    app = app_factory(update_token=TOKEN)
    client = app.test_client()
    version = client.get("/version").get_json()["store_version"]
    r = client.post("/update", data=b"INSERT DATA { oops", content_type="application/sparql-update",
                    headers={"Authorization": f"Bearer {TOKEN}"})
    body = assert_error_shape(r, 400)
    assert body["errors"][0]["line"] == 1
    assert client.get("/version").get_json()["store_version"] == version


def test_graph_store_protocol(app_factory: Any) -> None:
    client = app_factory(update_token=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    g = "http://example.org/gsp"
    ttl = b'@prefix ex: <http://example.org/> . ex:a ex:b "un"@fr , "two" .'
    r = client.put(f"/store?graph={g}", data=ttl, content_type="text/turtle", headers=auth)
    assert r.status_code == 201
    got = client.get(f"/store?graph={g}", headers={**auth, "Accept": "application/n-triples"})
    assert got.status_code == 200 and got.mimetype == "application/n-triples"
    assert len(rdflib.Graph().parse(data=got.data, format="nt")) == 2
    r = client.post(f"/store?graph={g}", data=b'<http://example.org/c> <http://example.org/d> "3" .',
                    content_type="application/n-triples", headers=auth)
    assert r.status_code == 204
    got = client.get(f"/store?graph={g}", headers=auth)
    assert len(rdflib.Graph().parse(data=got.data, format="turtle")) == 3
    r = client.put(f"/store?graph={g}", data=b'<http://example.org/x> <http://example.org/y> <http://example.org/z> .',
                   content_type="application/n-triples", headers=auth)
    assert r.status_code == 204
    got = client.get(f"/store?graph={g}", headers=auth)
    assert len(rdflib.Graph().parse(data=got.data, format="turtle")) == 1
    # visible through /sparql too
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
    n = client.get("/sparql", query_string={"query": q}).get_json()["results"]["bindings"][0]["n"]["value"]
    assert n == "1"
    assert client.delete(f"/store?graph={g}", headers=auth).status_code == 204
    assert_error_shape(client.get(f"/store?graph={g}", headers=auth), 404)
    assert_error_shape(client.delete(f"/store?graph={g}", headers=auth), 404)


def test_graph_store_default_graph_is_the_union(app_factory: Any) -> None:
    """The embedded store's default graph is the union of its named graphs (docs/endpoint.md); what is
    written to it goes to graph/store/default. A remote store keeps its product's own default graph."""
    client = app_factory(update_token=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/store?default", data=b"<http://e/s> <http://e/p> <http://e/o> .",
                       content_type="application/n-triples", headers=auth).status_code == 204
    got = client.get("/store?default", headers={**auth, "Accept": "application/n-triples"})
    union = rdflib.Graph().parse(data=got.data, format="nt")
    assert (rdflib.URIRef("http://e/s"), rdflib.URIRef("http://e/p"), rdflib.URIRef("http://e/o")) in union
    assert len(union) > 1  # and the named graphs' triples
    home = client.get("/store?graph=https://w3id.org/odl-graph/graph/store/default",
                      headers={**auth, "Accept": "application/n-triples"})
    assert home.data.strip() == b"<http://e/s> <http://e/p> <http://e/o> ."


def test_graph_store_bad_requests(app_factory: Any) -> None:
    client = app_factory(update_token=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert_error_shape(client.get("/store", headers=auth), 400)
    assert_error_shape(client.get("/store?default&graph=http://e/g", headers=auth), 400)
    assert_error_shape(client.put("/store?graph=http://e/g", data=b"not turtle <", content_type="text/turtle",
                                  headers=auth), 400)
    assert_error_shape(client.put("/store?graph=http://e/g", data=b"x", content_type="application/pdf",
                                  headers=auth), 415)
    assert_error_shape(client.put("/store?graph=bad iri", data=b"", content_type="text/turtle", headers=auth), 400)


def test_json_error_is_json(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": "SELEC"})
    assert resp.mimetype == "application/json"
    json.loads(resp.data)
