"""SPARQL 1.1 Protocol, Update and Graph Store Protocol, driven from one table as the W3C protocol
tests are written: each row is a request (method, path, parameters, headers, body) and what must come
back (status, media type, answer). A scenario is a list of rows run in order against one server;
scenarios that write get a private store.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import rdflib
from conftest import TOKEN

ODL = "https://w3id.org/odl-graph/"
DEF = ODL + "def#"
G_DATASETS = ODL + "graph/data/datasets"
DATASETS = [ODL + "id/dataset/arbres-rennes", ODL + "id/dataset/canopee-vitre"]
SELECT_DATASETS = f"SELECT ?d WHERE {{ ?d a <{DEF}Dataset> }} ORDER BY ?d"
DESCRIBE = f"DESCRIBE <{DATASETS[0]}>"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HOST = "http://localhost/"  # the test client's request URL root: the base IRI of relative IRIs
G = "http://example.org/gsp"
TTL = b'@prefix ex: <http://example.org/> . ex:a ex:b "un"@fr , "two" .'
NT = b"<http://example.org/c> <http://example.org/d> <http://example.org/e> .\n"
GSP_TRIPLES = {("http://example.org/a", "http://example.org/b", "un"), ("http://example.org/a",
               "http://example.org/b", "two")}
RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
          "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads"}


# -- expected answers ------------------------------------------------------------------------------
def bindings(var: str, values: list[str]) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        got = [b[var]["value"] for b in json.loads(resp.data)["results"]["bindings"]]
        assert got == values

    return check


def boolean(value: bool) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        assert json.loads(resp.data)["boolean"] is value

    return check


def _triples(resp: Any) -> set[tuple[str, str, str]]:
    g = rdflib.Dataset()
    g.parse(data=resp.data, format=RDFLIB[resp.mimetype])
    return {(str(s), str(p), str(o)) for s, p, o, _g in g.quads((None, None, None, None))}


def triples(expected: set[tuple[str, str, str]]) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        assert _triples(resp) == expected

    return check


def has_triple(s: str, p: str, o: str) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        assert (s, p, o) in _triples(resp)

    return check


def contains(*texts: str) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        body = resp.data.decode("utf-8")
        for t in texts:
            assert t in body, t

    return check


def error(*texts: str) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        body = resp.get_json()
        assert body["ok"] is False and body["status"] == resp.status_code
        for t in texts:
            assert t in body["error"], (t, body["error"])

    return check


def empty(resp: Any) -> None:
    assert resp.data == b""


def header(name: str, value: str) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        assert value in resp.headers.get(name, ""), (name, resp.headers.get(name))

    return check


def all_of(*checks: Callable[[Any], None]) -> Callable[[Any], None]:
    def check(resp: Any) -> None:
        for c in checks:
            c(resp)

    return check


@dataclass
class Row:
    method: str
    path: str
    status: int
    media_type: str | None = None  # expected Content-Type (without parameters); None: not checked
    answer: Callable[[Any], None] | None = None
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | dict[str, Any] | None = None
    content_type: str | None = None


def sparql(query: str, status: int = 200, media: str | None = None, answer: Any = None, **kw: Any) -> Row:
    return Row("GET", "/sparql", status, media, answer, params=[("query", query), *kw.pop("params", [])], **kw)


JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
ERROR = "application/json"
BIG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # fixture triples squared: over the 1000-row cap
RELATIVE = "CONSTRUCT { <s> <p> 1 } WHERE {}"
ASK_REL = f"ASK {{ GRAPH <{G}> {{ <{HOST}update-rel> <{HOST}p> 1 }} }}"
COPY_USING = f"INSERT {{ GRAPH <{G}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
COPY_NAMED = f"INSERT {{ GRAPH <{G}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
COUNT_G = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}"


def update(text: str, status: int = 200, answer: Any = None, params: list[tuple[str, str]] | None = None) -> Row:
    return Row("POST", "/update", status, ERROR, answer, params=params or [], headers=AUTH,
               body=text.encode(), content_type="application/sparql-update")


def multipart() -> dict[str, Any]:
    import io

    return {"a": (io.BytesIO(TTL), "a.ttl", "text/turtle"), "b": (io.BytesIO(NT), "b.nt")}


# (scenario, writes?, rows)
SCENARIOS: list[tuple[str, bool, list[Row]]] = [
    # §2.1 query operation: three request forms
    ("query-get", False, [sparql(SELECT_DATASETS, 200, JSON, bindings("d", DATASETS))]),
    ("query-post-form", False, [Row("POST", "/sparql", 200, JSON, bindings("d", DATASETS),
                                    body={"query": SELECT_DATASETS})]),
    ("query-post-direct", False, [Row("POST", "/sparql", 200, JSON, bindings("d", DATASETS),
                                      body=SELECT_DATASETS.encode(), content_type="application/sparql-query")]),
    # base IRI: the request URL when the query sets none; the query's own BASE otherwise
    ("relative-iris-get", False, [sparql(RELATIVE, 200, TURTLE, triples({(HOST + "s", HOST + "p", "1")}))]),
    ("relative-iris-post", False, [Row("POST", "/sparql", 200, TURTLE, triples({(HOST + "s", HOST + "p", "1")}),
                                       body={"query": RELATIVE})]),
    ("relative-iris-own-base", False, [sparql("BASE <http://e.org/x/> " + RELATIVE, 200, TURTLE,
                                              triples({("http://e.org/x/s", "http://e.org/x/p", "1")}))]),
    # media types real clients send
    *[(f"accept-{media}", False, [sparql(DESCRIBE, 200, served, has_triple(DATASETS[0], RDF_TYPE, DEF + "Dataset"),
                                         headers={"Accept": media})])
      for media, served, RDF_TYPE in [
          ("text/n3", TURTLE, str(rdflib.RDF.type)),
          ("text/rdf+n3", TURTLE, str(rdflib.RDF.type)),
          ("application/x-turtle", TURTLE, str(rdflib.RDF.type)),
          ("application/trig", "application/trig", str(rdflib.RDF.type)),
          ("application/n-quads", "application/n-quads", str(rdflib.RDF.type)),
          ("application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3", TURTLE,
           str(rdflib.RDF.type)),  # SPARQLWrapper's N3
      ]],
    # format / output / results values of SPARQLWrapper, Fuseki, Virtuoso
    *[(f"param-{name}={value}-{kind}", False, [sparql(
        SELECT_DATASETS if kind == "select" else DESCRIBE, 200, served,
        params=[(name, v) for v in value.split("|")])])
      for name, value, kind, served in [
          ("format", "json", "select", JSON), ("format", "xml", "select", "application/sparql-results+xml"),
          ("format", "csv", "select", "text/csv"), ("format", "tsv|text/tab-separated-values", "select",
                                                    "text/tab-separated-values"),
          ("output", "json", "select", JSON), ("results", "xml", "select", "application/sparql-results+xml"),
          ("format", "application/sparql-results+json", "select", JSON),
          ("format", "n3", "describe", TURTLE), ("format", "turtle", "describe", TURTLE),
          ("format", "json-ld|application/ld+json", "describe", "application/ld+json"),
          ("format", "json", "describe", "application/ld+json"),
          ("format", "rdf", "describe", "application/rdf+xml"),
          ("format", "rdf+xml|application/rdf+xml", "describe", "application/rdf+xml"),
          ("format", "xml", "describe", "application/rdf+xml"), ("format", "nt", "describe", "application/n-triples"),
          ("format", "text/plain", "describe", "application/n-triples"), ("output", "ttl", "describe", TURTLE),
          ("format", "trig", "describe", "application/trig"), ("output", "nq", "describe", "application/n-quads"),
      ]],
    ("param-unknown", False, [sparql(SELECT_DATASETS, 400, ERROR, error("unknown format 'yaml'"),
                                     params=[("format", "yaml")])]),
    # readable answers: known prefixes declared
    ("turtle-prefixes", False, [sparql(DESCRIBE, 200, TURTLE, contains("@prefix odl: <https://w3id.org/odl-graph/def#>",
                                                                      "odl:Dataset"))]),
    ("jsonld-context", False, [sparql(DESCRIBE, 200, "application/ld+json",
                                      all_of(contains('"@context"', '"dcterms":"http://purl.org/dc/terms/"'),
                                             has_triple(DATASETS[0], str(rdflib.RDF.type), DEF + "Dataset")),
                                      headers={"Accept": "application/ld+json"})]),
    # no silent truncation
    ("row-cap-is-an-error", False, [sparql(BIG, 400, ERROR, error("more than 1000 rows", "LIMIT 1000 OFFSET",
                                                                 "truncate=true"))]),
    ("row-cap-opt-in", False, [sparql(BIG, 200, JSON, all_of(header("X-ODL-Truncated", "true"),
                                                           header("X-ODL-Row-Cap", "1000")),
                                      params=[("truncate", "true")])]),
    ("row-cap-paging", False, [sparql(BIG + " LIMIT 1000 OFFSET 1000", 200, JSON, header("X-ODL-Truncated", "false"))]),
    # §2.2 update operation: base IRI, dataset parameters and their conflict with USING / WITH
    ("update-relative-iris", True, [
        update(f"INSERT DATA {{ GRAPH <{G}> {{ <update-rel> <p> 1 }} }}"),
        sparql(ASK_REL, 200, JSON, boolean(True)),
    ]),
    ("update-using-graph-uri", True, [
        sparql(COUNT_G, 200, JSON, bindings("n", ["0"])),
        update(COPY_USING, params=[("using-graph-uri", G_DATASETS)]),
        sparql(f"ASK {{ GRAPH <{G}> {{ <{DATASETS[0]}> a <{DEF}Dataset> }} }}", 200, JSON, boolean(True)),
        sparql(f"ASK {{ GRAPH <{G}> {{ ?s a <{DEF}UseCase> }} }}", 200, JSON, boolean(False)),
    ]),
    # without the parameter, WHERE reads the default graph that queries see: the union of the named graphs
    ("update-where-reads-the-union", True, [
        update(COPY_USING),
        sparql(f"ASK {{ GRAPH <{G}> {{ <{DATASETS[0]}> a <{DEF}Dataset> }} }}", 200, JSON, boolean(True)),
        sparql(f"ASK {{ GRAPH <{G}> {{ ?s a <{DEF}UseCase> }} }}", 200, JSON, boolean(True)),
    ]),
    # the default graph is derived from the named graphs: a template must name its graph (never a no-op)
    ("update-template-outside-graph-400", True, [
        update("INSERT { <http://example.org/a> <http://example.org/b> 1 } WHERE {}", 400, error("outside GRAPH")),
        update("DELETE WHERE { ?s ?p ?o }", 400, error("outside GRAPH")),
        sparql(SELECT_DATASETS, 200, JSON, bindings("d", DATASETS)),
    ]),
    ("update-insert-data-default-graph", True, [
        update('INSERT DATA { <http://example.org/a> <http://example.org/b> "x" }'),
        sparql('ASK { <http://example.org/a> <http://example.org/b> "x" }', 200, JSON, boolean(True)),
        sparql(f'ASK {{ GRAPH <{ODL}graph/store/default> {{ <http://example.org/a> ?p ?o }} }}', 200, JSON,
               boolean(True)),
    ]),
    # SILENT: a LOAD that cannot fetch (the writer has no network) succeeds silently; without it, refused
    ("update-load-silent", True, [
        update("LOAD SILENT <http://example.org/nowhere.ttl>"),
        update("LOAD SILENT <http://example.org/nowhere.ttl> INTO GRAPH <http://example.org/g>"),
        update("LOAD <http://example.org/nowhere.ttl>", 400, error("LOAD")),
        sparql(SELECT_DATASETS, 200, JSON, bindings("d", DATASETS)),
    ]),
    ("update-using-named-graph-uri", True, [
        update(COPY_NAMED, params=[("using-named-graph-uri", G_DATASETS)]),
        sparql(f"ASK {{ GRAPH <{G}> {{ <{DATASETS[0]}> a <{DEF}Dataset> }} }}", 200, JSON, boolean(True)),
        sparql(f"ASK {{ GRAPH <{G}> {{ ?u a <{DEF}UseCase> }} }}", 200, JSON, boolean(False)),
    ]),
    ("update-using-form", True, [
        Row("POST", "/update", 200, ERROR, headers=AUTH,
            body={"update": COPY_USING, "using-graph-uri": G_DATASETS}),
        sparql(f"ASK {{ GRAPH <{G}> {{ <{DATASETS[0]}> a <{DEF}Dataset> }} }}", 200, JSON, boolean(True)),
    ]),
    ("update-using-conflicts-with-USING", True, [
        update(f"INSERT {{ GRAPH <{G}> {{ ?s ?p ?o }} }} USING <{G_DATASETS}> WHERE {{ ?s ?p ?o }}", 400,
               error("USING clause", "using-graph-uri"), params=[("using-graph-uri", G_DATASETS)]),
        sparql(COUNT_G, 200, JSON, bindings("n", ["0"])),
    ]),
    ("update-using-conflicts-with-WITH", True, [
        update(f"WITH <{G}> INSERT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", 400, error("WITH clause"),
               params=[("using-named-graph-uri", G_DATASETS)]),
    ]),
    ("update-using-bad-iri", True, [update(COPY_USING, 400, error("using-graph-uri"),
                                           params=[("using-graph-uri", "not an iri")])]),
    # Graph Store Protocol §5: public reads, token-gated writes, 404, HEAD, multipart, POST creating a graph
    ("gsp-public-get", False, [Row("GET", f"/store?graph={G_DATASETS}", 200, TURTLE,
                                   has_triple(DATASETS[0], str(rdflib.RDF.type), DEF + "Dataset"))]),
    ("gsp-missing-graph-404", False, [Row("GET", f"/store?graph={G}", 404, ERROR, error("no graph named"))]),
    ("gsp-head", False, [Row("HEAD", f"/store?graph={G_DATASETS}", 200, TURTLE, empty)]),
    ("gsp-head-missing-404", False, [Row("HEAD", f"/store?graph={G}", 404, ERROR, empty)]),
    ("gsp-writes-need-the-token", True, [
        Row("PUT", f"/store?graph={G}", 401, ERROR, body=TTL, content_type="text/turtle"),
        Row("POST", f"/store?graph={G}", 401, ERROR, body=TTL, content_type="text/turtle"),
        Row("DELETE", f"/store?graph={G_DATASETS}", 401, ERROR),
        Row("POST", "/store", 401, ERROR, body=TTL, content_type="text/turtle"),
        Row("GET", f"/store?graph={G_DATASETS}", 200, TURTLE),
    ]),
    ("gsp-put-get-delete", True, [
        Row("PUT", f"/store?graph={G}", 201, body=TTL, content_type="text/turtle", headers=AUTH),
        Row("GET", f"/store?graph={G}", 200, "application/n-triples", triples(GSP_TRIPLES),
            headers={"Accept": "application/n-triples"}),
        Row("DELETE", f"/store?graph={G}", 204, headers=AUTH),
        Row("GET", f"/store?graph={G}", 404, ERROR),
    ]),
    # dumps, VoID, service description, DCAT-AP catalogue
    ("download-list-json", False, [Row("GET", "/download/", 200, "application/json",
                                       contains('"file":"odl-graph.nq.gz"', '"sha256":', '"triples":'),
                                       headers={"Accept": "application/json"})]),
    ("download-list-html", False, [Row("GET", "/download/", 200, "text/html", contains("odl-graph.trig.gz"))]),
    ("download-file", False, [Row("GET", "/download/odl-graph.nq.gz", 200, "application/gzip",
                                  header("Repr-Digest", "sha-256=:"))]),
    ("download-missing-404", False, [Row("GET", "/download/none.nq.gz", 404, ERROR, error("no dump named"))]),
    ("void-data-dump", False, [Row("GET", "/.well-known/void", 200, TURTLE,
                                   has_triple("http://localhost/.well-known/void#dataset",
                                              "http://rdfs.org/ns/void#dataDump",
                                              HOST + "download/odl-graph.nq.gz"))]),
    ("service-description-data-dump", False, [Row("GET", "/sparql", 200, TURTLE,
                                                  contains("void:dataDump", HOST + "download/odl-graph.trig.gz"))]),
    ("catalog-turtle", False, [Row("GET", "/catalog", 200, TURTLE,
                                   has_triple(HOST + "catalog#sparql", "http://www.w3.org/ns/dcat#endpointURL",
                                              HOST + "sparql"), headers={"Accept": "text/turtle"})]),
    ("catalog-turtle-by-parameter", False, [Row("GET", "/catalog", 200, TURTLE,
                                                has_triple(HOST + "catalog#catalog", str(rdflib.RDF.type),
                                                           "http://www.w3.org/ns/dcat#Catalog"),
                                                params=[("format", "ttl")])]),
    # like every page: HTML without an Accept header (a browser, a link followed)
    ("catalog-html", False, [Row("GET", "/catalog", 200, "text/html", contains("catalog?format=ttl"))]),
    ("catalog-jsonld", False, [Row("GET", "/catalog", 200, "application/ld+json",
                                   has_triple(HOST + "catalog#catalog", str(rdflib.RDF.type),
                                              "http://www.w3.org/ns/dcat#Catalog"),
                                   headers={"Accept": "application/ld+json"})]),
    ("catalog-rdfxml", False, [Row("GET", "/catalog", 200, "application/rdf+xml",
                                   headers={"Accept": "application/rdf+xml"})]),
    ("gsp-multipart-post", True, [
        Row("POST", f"/store?graph={G}", 201, body=multipart(), content_type="multipart/form-data", headers=AUTH),
        Row("GET", f"/store?graph={G}", 200, TURTLE, triples(
            {*GSP_TRIPLES, ("http://example.org/c", "http://example.org/d", "http://example.org/e")})),
    ]),
]


def _send(client: Any, row: Row) -> Any:
    from urllib.parse import parse_qsl

    path, _, query = row.path.partition("?")
    params = [*parse_qsl(query, keep_blank_values=True), *row.params]
    kwargs: dict[str, Any] = {"query_string": params, "headers": row.headers}
    if row.body is not None:
        kwargs["data"] = row.body() if callable(row.body) else row.body
    if row.content_type:
        kwargs["content_type"] = row.content_type
    return client.open(path, method=row.method, **kwargs)


def _check(resp: Any, row: Row, i: int) -> None:
    where = f"row {i}: {row.method} {row.path} {row.params}"
    assert resp.status_code == row.status, (where, resp.data[:400])
    if row.media_type is not None:
        assert resp.mimetype == row.media_type, (where, resp.mimetype)
    if row.answer is not None:
        row.answer(resp)


@pytest.mark.parametrize(("rows", "writes"), [pytest.param(r, w, id=n) for n, w, r in SCENARIOS])
def test_protocol(rows: list[Row], writes: bool, client: Any, app_factory: Any) -> None:
    c = app_factory(update_token=TOKEN).test_client() if writes else client
    for i, row in enumerate(rows):
        if isinstance(row.body, dict) and row.content_type == "multipart/form-data":
            row = Row(**{**row.__dict__, "body": multipart(), "content_type": None})
        with _send(c, row) as resp:  # a download is streamed from a file: close it
            _check(resp, row, i)


def test_gsp_post_to_the_store_creates_a_graph(app_factory: Any) -> None:
    """§5.5: POST to the graph store itself: 201 Created, Location names a new graph that GET returns."""
    from urllib.parse import parse_qs, urlsplit

    c = app_factory(update_token=TOKEN).test_client()
    resp = c.post("/store", data=TTL, content_type="text/turtle", headers=AUTH)
    assert resp.status_code == 201, resp.data
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert location.startswith(HOST + "store?graph=")
    graph = parse_qs(parts.query)["graph"][0]
    assert graph.startswith(ODL + "graph/store/")
    got = c.get(parts.path + "?" + parts.query)
    assert got.status_code == 200 and _triples(got) == GSP_TRIPLES
    again = c.post("/store", data=TTL, content_type="text/turtle", headers=AUTH)
    assert again.status_code == 201 and again.headers["Location"] != location
    assert c.post("/store", data=b"", content_type="text/turtle", headers=AUTH).status_code == 400
