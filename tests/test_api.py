"""The analyses API: catalogue queries agree across API, CLI and editor; OpenAPI is valid; no 500s."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from analyses_support import fixture_store, make_app
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odl_graph.analyses import catalogue
from odl_graph.cli import cli
from odl_graph.describe.editor import editor_text
from odl_graph.stores import EmbeddedStore

PARAMS = {"trace": {"usecase": "uc-a"}, "experiments-by-theme-season": {"season": "1"},
          "most-needed-categories": {"min_use_cases": "2"}, "data-per-challenge": {"challenge": "commerce"},
          "diagnostic-evidence": {"commune": "11111", "usecase": "uc-a"}}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return fixture_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def client(store: EmbeddedStore) -> Iterator[Any]:
    from server.engine import close_engine

    app = make_app(store)
    yield app.test_client()
    close_engine(app)


def solutions(body: bytes | str) -> list[tuple]:
    """SPARQL JSON results as a sorted list of rows (term values), to compare front ends."""
    data = json.loads(body)
    names = data["head"]["vars"]
    return sorted(tuple(row.get(n, {}).get("value") for n in names) for row in data["results"]["bindings"])


def ox_rows(results: Any) -> list[tuple]:
    names = [v.value for v in results.variables]
    return sorted(tuple(None if s[n] is None else s[n].value for n in names) for s in results)


@pytest.mark.parametrize("name", sorted(catalogue.load_catalogue()))
def test_every_query_agrees_across_api_cli_and_editor(name: str, store: EmbeddedStore, client: Any) -> None:
    query = catalogue.get_query(name)
    if query.form != "select":
        api = client.get(f"/api/queries/{name}.ttl")
        assert api.status_code == 200 and api.mimetype == "text/turtle"
        cli_out = CliRunner().invoke(cli, ["--store", str(store.path), "query", "--name", name])
        assert cli_out.exit_code == 0, cli_out.output
        api_triples = set(ox.parse(api.data, format=ox.RdfFormat.TURTLE))
        cli_triples = set(ox.parse(cli_out.output.encode(), format=ox.RdfFormat.TURTLE))
        editor_triples = set(store.query(editor_text(query)))
        assert api_triples == cli_triples == {ox.Quad(t.subject, t.predicate, t.object) for t in editor_triples}
        assert api_triples
        return
    params = PARAMS.get(name, {})
    api = client.get(f"/api/queries/{name}.json", query_string=params)
    assert api.status_code == 200, api.data
    args = ["--store", str(store.path), "query", "--name", name, "--format", "json"]
    for k, v in params.items():
        args += ["--param", f"{k}={v}"]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    # The editor tab holds the query with its defaults written in; give it this test's values the same way.
    if params:
        query = _with_defaults(query, params)
    editor = ox_rows(store.query(editor_text(query)))
    assert solutions(api.data) == solutions(out.output) == editor
    assert editor, f"{name} returns no row on the fixture: the comparison would be empty"


def _with_defaults(query: catalogue.NamedQuery, values: dict[str, str]) -> catalogue.NamedQuery:
    from dataclasses import replace

    params = tuple(replace(p, default=values.get(p.name, p.default)) for p in query.params)
    return replace(query, params=params)


def test_formats(client: Any) -> None:
    csv = client.get("/api/queries/blocking-producers.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.decode().splitlines()[0].startswith("holder,holderLabel")
    tsv = client.get("/api/queries/blocking-producers", headers={"Accept": "text/tab-separated-values"})
    assert tsv.status_code == 200 and tsv.mimetype == "text/tab-separated-values"
    assert client.get("/api/queries/blocking-producers.ttl").status_code == 406
    assert client.get("/api/queries/trace-graph.csv").status_code == 406
    assert client.get("/api/queries/nope.json").status_code == 404
    listing = client.get("/api/queries").get_json()
    assert {q["name"] for q in listing} == set(catalogue.load_catalogue())


@pytest.mark.parametrize("payload", ['uc-a> } UNION { ?s ?p ?o } #', '" } SELECT * {', "uc-a\n} ; DROP ALL"])
def test_injection_through_the_api_is_rejected(client: Any, payload: str) -> None:
    resp = client.get("/api/queries/trace.json", query_string={"usecase": payload})
    assert resp.status_code == 400
    assert [e["parameter"] for e in resp.get_json()["errors"]] == ["usecase"]


def test_openapi_document_is_valid(client: Any) -> None:
    from openapi_spec_validator import validate

    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    for name in catalogue.load_catalogue():
        assert f"/api/queries/{name}" in doc["paths"]
    assert "/api/diagnostic/{commune}/{usecase}" in doc["paths"]


def test_docs_page_uses_vendored_swagger_ui(client: Any) -> None:
    page = client.get("/api/docs").data.decode()
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert scripts and all(s.startswith("/static/") for s in scripts)
    for s in scripts:
        with client.get(s) as resp:  # a static file is streamed: close it
            assert resp.status_code == 200 and resp.data, s


def test_diagnostic_endpoints(client: Any) -> None:
    d = client.get("/api/diagnostic/11111/uc-a").get_json()
    # Issue 19: the open national dataset is ready (0.5, "use"), the EPCI's candidate dataset is to be opened.
    assert d["score"] == 0.34375 and [ln["evidence"] for ln in d["lines"]] == ["national-unknown", "local-dataset"]
    assert [ln["action"] for ln in d["lines"]] == ["use", "open"]
    assert [ln["certainty"] for ln in d["lines"]] == ["unknown", "assumed"]
    assert client.get("/api/diagnostic/99999/uc-a").status_code == 404
    assert client.get("/api/diagnostic/11111/nope").status_code == 404
    road = client.get("/api/roadmap/11111").get_json()
    assert [s["category_label"] for s in road["steps"]] == [
        "Catégorie B", "Catégorie D", "Catégorie F", "Catégorie E", "Catégorie A"]
    assert client.get("/api/roadmap/11111?limit=x").status_code == 400
    assert client.get("/api/roadmap/11111?paid_first=maybe").status_code == 400
    assert client.get("/api/roadmap/11111?paid_first=true").status_code == 200
    rank = client.get("/api/ranking/uc-a").get_json()["ranking"]
    assert [r["insee"] for r in rank] == ["22222", "11111", "33333"]
    prio = client.get("/api/priorities").get_json()
    assert (prio[0]["label"], prio[0]["score"], prio[0]["group"]) == ("Catégorie B", 3.61, "candidate")
    assert prio[-1]["label"] == "Catégorie A" and prio[-1]["group"] == "national"  # national data apart
    matrix = client.get("/api/readiness").get_json()
    assert len(matrix["communes"]) == 3 and len(matrix["usecases"]) == 4


def test_pages_render(client: Any) -> None:
    page = client.get("/analyses/diagnostic?commune=11111&usecase=uc-a").data.decode()
    assert "Jeu B de CA Un" in page and "34\u202f%" in page and "CA Un (SIREN 200000001)" in page
    assert "Probable : un jeu couvre un territoire qui contient la commune" in page  # how sure, in words
    assert client.get("/analyses/diagnostic?commune=00000&usecase=uc-a").status_code == 404
    road = client.get("/analyses/roadmap?commune=11111").data.decode()
    steps = {r["category"]: r["action"] for r in client.get("/analyses/roadmap.json?commune=11111").get_json()["rows"]}
    assert (steps["Catégorie D"], steps["Catégorie E"]) == ("demander au détenteur compétent", "produire et publier")
    assert "Produire et publier" in road and "Catégorie E" in road
    assert "Deuxville" in client.get("/analyses/ranking?usecase=uc-a").data.decode()
    assert "Schéma test" in client.get("/analyses/priorities").data.decode()
    page = client.get("/analyses/map").data.decode()
    assert "vendor/leaflet/leaflet.js" in page and "readiness-map" in page
    with client.get("/static/vendor/leaflet/leaflet.js") as script:  # streamed from the file: close it
        assert script.status_code == 200 and b"Leaflet" in script.data
    assert client.get("/analyses/").status_code == 200


# -- property-based: whatever the parameters, the API never answers 5xx ------------------------
def _operations() -> list[tuple[str, list[dict[str, Any]]]]:
    from flask import Flask

    from server import api

    with Flask("doc").test_request_context("/"):
        doc = api.openapi_document()
    return [(path, op["get"].get("parameters", [])) for path, op in doc["paths"].items()]


OPERATIONS = _operations()
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_server_error_for_any_parameters(client: Any, data: st.DataObject) -> None:
    path, params = data.draw(st.sampled_from(OPERATIONS))
    query: dict[str, str] = {}
    for p in params:
        value = data.draw(st.one_of(text, st.integers(-10**6, 10**6).map(str), st.sampled_from(
            ["uc-a", "11111", "commerce", "1", "true", "json", "csv", "ttl", "mobility"])))
        if p["in"] == "path":
            # percent-encoded, as a client sends it: a raw "?" or "#" would end the path
            path = path.replace("{" + p["name"] + "}", urllib.parse.quote(value, safe="") or "x")
        elif data.draw(st.booleans()):
            query[p["name"]] = value
    resp = client.get(path, query_string=query)
    assert resp.status_code < 500, (path, query, resp.data[:300])


@pytest.mark.parametrize("path", ["/sparql", "/catalog", "/api/openapi.json"])
def test_absolute_urls_never_come_from_the_host_header(client: Any, path: str) -> None:
    """With base_url unset, a client's Host header must not reach an answer (a cache would serve it to others)."""
    resp = client.get(path, headers={"Host": "evil.example", "Accept": "text/turtle, application/json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "evil.example" not in resp.get_data(as_text=True)


def test_absolute_urls_use_the_configured_base_url(app_factory: Any) -> None:
    app = app_factory(base_url="https://data.example.org/odl")
    client = app.test_client()
    body = client.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"}).get_data(as_text=True)
    assert "https://data.example.org/odl/sparql" in body and "evil.example" not in body
    spec = client.get("/api/openapi.json", headers={"Host": "evil.example"}).get_json()
    assert spec["servers"] == [{"url": "https://data.example.org/odl"}]


def _typed_params() -> list[tuple[str, str]]:
    from odl_graph.analyses import catalogue

    return [(q.name, p.name) for q in catalogue.load_catalogue().values() for p in q.params
            if p.type != "xsd:string"]


@pytest.mark.parametrize(("name", "param"), _typed_params())
def test_an_empty_typed_parameter_is_refused(client: Any, name: str, param: str) -> None:
    """`?usecase=` is no use case (the OpenAPI pattern forbids it), not "every use case": 400, named."""
    resp = client.get(f"/api/queries/{name}?{param}=")
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert repr(param) in body["error"] and body["errors"][0]["parameter"] == param, body


@pytest.mark.parametrize("query", ["ext=csv", "_external=1", "_anchor=x", "_method=POST", "_scheme=javascript"])
def test_query_parameters_never_reach_url_for(client: Any, query: str) -> None:
    """A client's parameter named like url_for's keywords (or the path's `ext`) was a 500."""
    for path in ("/analyses/map", "/analyses/priorities", "/analyses/roadmap?commune=11111"):
        resp = client.get(path + ("&" if "?" in path else "?") + query)
        assert resp.status_code < 500, (path, query, resp.get_data(as_text=True)[:300])


def test_analyses_answer_in_the_asked_language(client: Any) -> None:
    """Issue 23: `?lang=en` gives every label that names a resource in English where one exists (French is
    the default); bilingual texts keep both; an unknown language is a 400 naming the parameter."""
    fr = client.get("/api/diagnostic/11111/uc-a").get_json()
    en = client.get("/api/diagnostic/11111/uc-a?lang=en").get_json()
    assert (fr["lang"], en["lang"]) == ("fr", "en")
    assert (fr["usecase_label"], en["usecase_label"]) == ("Cas A", "Use case A")
    assert "Catégorie B" in [ln["category_label"] for ln in fr["lines"]]
    assert "Category B" in [ln["category_label"] for ln in en["lines"]]
    assert not any(ln["category_label"].startswith("Catégorie") for ln in en["lines"])
    assert [ln["text_fr"] for ln in en["lines"]] == [ln["text_fr"] for ln in fr["lines"]]
    road = client.get("/api/roadmap/11111?lang=en").get_json()
    assert road["lang"] == "en" and road["steps"][0]["category_label"] == "Category B"
    ranking = client.get("/api/ranking/uc-a?lang=en").get_json()
    assert ranking["label"] == "Use case A"
    assert "Use case A" in [u["label"] for u in client.get("/api/readiness?lang=en").get_json()["usecases"]]
    bad = client.get("/api/roadmap/11111?lang=de")
    assert bad.status_code == 400 and "lang" in bad.get_json()["error"]
