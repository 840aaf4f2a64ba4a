"""A hostile client against the real server: no outbound request, bounded memory, fair workers, errors
that say what they are, updates with the query's dataset, CORS only where it belongs.

Each test is the reproduction of an attack that once succeeded (docs/security.md lists them).
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import ROOT, TOKEN, free_port, make_store, running_server

from odl_graph.engine import Engine, EngineFailure
from odl_graph.engine.serialize import Request
from odl_graph.errors import QueryError
from odl_graph.stores import EmbeddedStore

pytestmark = pytest.mark.slow

TIMEOUT = 4.0
MEMORY_MB = 256
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
ODL = "PREFIX odl: <https://w3id.org/odl-graph/def#>\n"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def doubling(levels: int) -> str:
    """The 892-byte attack: each BIND doubles the string, so memory grows as 2**levels."""
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(levels))
    return f'SELECT (STRLEN(?a{levels}) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?a0) {binds} }}'


class Listener:
    """A loopback HTTP listener that records every connection: the SSRF target."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.hits: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.hits.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 500 Secret\r\nContent-Length: 6\r\n\r\nsecret")
                except OSError:
                    pass

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fixture_nquads: bytes) -> Iterator[tuple[str, Path]]:
    store = make_store(tmp_path_factory.mktemp("hardening") / "store", fixture_nquads)
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
           "--set", f"store={store}", "--set", f"query_timeout={TIMEOUT}", "--set", f"update_token={TOKEN}",
           "--set", f"worker_memory_mb={MEMORY_MB}", "--set", "result_cache_bytes=0"]
    with running_server(cmd, port, env={"PYTHONPATH": str(ROOT)}) as url:
        yield url, store


# -- 1. no outbound request -------------------------------------------------------------------------
def ssrf_queries(url: str) -> dict[str, str]:
    return {
        "after a dot": f"SELECT * WHERE {{ BIND(1 AS ?x) .SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "after an escape": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\'b ?o . "
                           f"SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}> {{ ?s ?p ?x }} }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "in FILTER EXISTS": f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "lower case, comment": f"select * where {{ #}}\n service\t<{url}>{{?s ?p ?o}} }}",
        "in a UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    }


def ssrf_updates(url: str) -> dict[str, str]:
    return {
        "LOAD": f"LOAD <{url}>",
        "LOAD SILENT INTO": f"LOAD SILENT <{url}> INTO GRAPH <http://e/g>",
        "SERVICE in WHERE": f"INSERT {{ GRAPH <http://e/g> {{ ?s ?p ?o }} }} "
                            f"WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "LOAD after an insert": f"INSERT DATA {{ GRAPH <http://e/g> {{ <http://e/a> <http://e/b> 1 }} }} ; "
                                f"LOAD <{url}>",
    }


@pytest.mark.parametrize("variant", list(ssrf_queries("x")))
def test_service_never_reaches_the_listener(server: tuple[str, Path], listener: Listener, variant: str) -> None:
    url, _ = server
    before = len(listener.hits)
    r = requests.post(url + "/sparql", data={"query": ssrf_queries(listener.url)[variant]}, timeout=30)
    assert r.status_code == 400, r.text
    assert "SERVICE" in r.json()["error"] and "secret" not in r.text
    assert len(listener.hits) == before


@pytest.mark.parametrize("variant", list(ssrf_updates("x")))
def test_load_and_service_in_updates_never_reach_the_listener(server: tuple[str, Path], listener: Listener,
                                                               variant: str) -> None:
    url, store = server
    before, version = len(listener.hits), EmbeddedStore(store).version()
    r = requests.post(url + "/update", data={"update": ssrf_updates(listener.url)[variant]}, headers=AUTH, timeout=30)
    assert len(listener.hits) == before
    if "SILENT" in variant:
        # LOAD SILENT succeeds without fetching anything (docs/endpoint.md: SILENT is honoured, no outbound request)
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 400, r.text
    assert EmbeddedStore(store).version() == version  # nothing was written


def test_a_missed_check_still_cannot_reach_out(store_path: Path, listener: Listener) -> None:
    """The worker has no network at all: bypass every check and send SERVICE straight to a worker."""
    before = len(listener.hits)
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 0, "query_timeout": 5.0}) as eng:
        for sparql in (f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",):
            with pytest.raises(Exception, match=r"SERVICE .* not allowed") as info:
                eng.executor.run(Request("query", sparql, results_format="json", graph_format="ntriples"), 5.0)
            assert "secret" not in str(info.value)
        assert eng.ask("ASK { ?s ?p ?o }") is True
    assert len(listener.hits) == before


def test_the_listener_does_see_an_unguarded_engine(listener: Listener) -> None:
    """Control: the same SERVICE from an unconfined pyoxigraph does reach the listener."""
    before = len(listener.hits)
    with pytest.raises(OSError, match="secret"):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert len(listener.hits) == before + 1


# -- 2. memory ----------------------------------------------------------------------------------------
def test_doubling_query_is_stopped_at_the_memory_limit(server: tuple[str, Path]) -> None:
    url, _ = server
    t0 = time.monotonic()
    r = requests.post(url + "/sparql", data={"query": doubling(30)}, timeout=60)
    assert r.status_code == 503, r.text[:300]
    assert f"{MEMORY_MB} MB" in r.json()["error"] and "worker_memory_mb" in r.json()["error"]
    assert time.monotonic() - t0 < TIMEOUT  # stopped by the memory limit, not by the time limit
    ok = requests.post(url + "/sparql", data={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert ok.status_code == 200 and ok.json()["boolean"] is True  # the server stayed up
    small = requests.post(url + "/sparql", data={"query": doubling(4)},
                          headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert small.json()["results"]["bindings"][0]["n"]["value"] == str(16 * 2**4)


# -- 3. fairness -----------------------------------------------------------------------------------------
def test_simple_queries_answered_while_two_runaways_run(server: tuple[str, Path]) -> None:
    url, _ = server
    statuses: list[int] = []

    def runaway() -> None:
        statuses.append(requests.post(url + "/sparql", data={"query": RUNAWAY}, timeout=60).status_code)

    heavy = [threading.Thread(target=runaway) for _ in range(2)]
    for t in heavy:
        t.start()
    time.sleep(0.3)
    delays: list[float] = []
    with requests.Session() as s:
        for _ in range(int((TIMEOUT - 1) / 0.5)):
            t0 = time.monotonic()
            r = s.post(url + "/sparql", data={"query": "ASK { ?s a ?t }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=10)
            delays.append(time.monotonic() - t0)
            assert r.status_code == 200 and r.json()["boolean"] is True
            page = s.get(url + "/search", params={"q": "arbres"}, timeout=10)
            assert page.status_code == 200
            time.sleep(0.5)
    for t in heavy:
        t.join()
    assert statuses == [503, 503]  # the runaways did run (and were stopped at the time limit)
    assert max(delays) < 1.0, delays


# -- 4. errors ------------------------------------------------------------------------------------------
def mixed_literals() -> bytes:
    """Integers and strings: the engine's ORDER BY comparison is not a total order on these and panics."""
    rows = []
    for i in range(400):
        lit = f'"{(i * 37) % 1000}"^^<http://www.w3.org/2001/XMLSchema#integer>' if i % 2 else f'"{(i * 53) % 1000}"'
        rows.append(f"<http://e/s{i}> <http://e/p> {lit} <http://e/g> .")
    return "\n".join(rows).encode()


def test_order_by_over_mixed_literals_is_a_clear_400_not_a_500(tmp_path: Path) -> None:
    """pyoxigraph 0.5.13's ORDER BY panics over mixed integers and strings: the client is told what to
    change (400), the worker is replaced, and the next query is answered."""
    from server import create_app
    from server.engine import close_engine

    store = make_store(tmp_path / "mixed", mixed_literals())
    with Engine.from_settings({"store": store, "workers": 1, "reserve_workers": 0, "query_timeout": 10.0}) as eng:
        with pytest.raises(QueryError, match=r"ORDER BY cannot sort these values.*total order"):
            eng.execute("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
        assert eng.ask("ASK { ?s ?p ?o }") is True
    app = create_app({"store": str(store), "workers": 1, "query_timeout": 10.0, "TESTING": True})
    try:
        r = app.test_client().get("/sparql", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"})
        assert r.status_code == 400 and "STR(?x)" in r.get_json()["error"]
        r = app.test_client().get("/sparql", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)"})
        assert r.status_code == 200
    finally:
        close_engine(app)


@pytest.mark.parametrize("shape", ["{", "(", "["])
def test_deep_nesting_is_400(server: tuple[str, Path], shape: str) -> None:
    url, _ = server
    n = 10_000
    query = {
        "{": "SELECT * WHERE " + "{ " * n + "?s ?p ?o" + " }" * n,
        "(": "SELECT * WHERE { BIND(" + "(" * n + "1" + ")" * n + " AS ?x) }",
        "[": "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "1" + " ]" * n + " }",
    }[shape]
    r = requests.post(url + "/sparql", data={"query": query}, timeout=30)
    assert r.status_code == 400 and "nested 10" in r.json()["error"]
    assert requests.get(url + "/health", timeout=5).status_code == 200


def test_deep_nesting_past_the_checker_still_is_not_a_retry(store_path: Path) -> None:
    """With the depth bound off, the engine's parser overflows its stack: a deterministic failure (500)."""
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 0, "query_timeout": 10.0,
                               "max_query_depth": 0}) as eng:
        with pytest.raises(EngineFailure, match="stack overflow"):
            eng.execute("SELECT * WHERE " + "{ " * 20_000 + "?s ?p ?o" + " }" * 20_000)
        assert eng.ask("ASK { ?s ?p ?o }") is True


@pytest.mark.parametrize("prefix", ["id", "graph", "source"])
@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld", "rdf", "html"])
def test_malformed_dereference_path_is_404(server: tuple[str, Path], prefix: str, ext: str) -> None:
    url, _ = server
    r = requests.get(f"{url}/{prefix}/a%3Cb.{ext}", timeout=10)
    assert r.status_code == 404, r.text[:200]


def test_api_time_limit_is_503(tmp_path: Path, fixture_nquads: bytes) -> None:
    from server import create_app
    from server.engine import close_engine

    odl, graph = "https://w3id.org/odl-graph/", "<https://w3id.org/odl-graph/graph/data/datasets>"
    extra = "".join(f"<{odl}id/dataset/d{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{odl}def#Dataset> "
                    f"{graph} .\n<{odl}id/dataset/d{i}> <{odl}def#instantiates> <{odl}id/datacategory/c{i % 50}> "
                    f"{graph} .\n" for i in range(50_000))
    store = make_store(tmp_path / "big", fixture_nquads + extra.encode())
    app = create_app({"store": str(store), "workers": 1, "reserve_workers": 0, "query_timeout": 0.01,
                      "TESTING": True})
    try:
        client = app.test_client()
        r = client.get("/api/priorities")
        assert r.status_code == 503, r.get_data(as_text=True)[:300]
        assert "time limit" in r.get_json()["error"]
    finally:
        close_engine(app)


# -- 5. updates see the dataset queries see -------------------------------------------------------------
def test_update_over_the_default_graph_is_refused_not_a_silent_no_op(server: tuple[str, Path]) -> None:
    url, store = server
    version = EmbeddedStore(store).version()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a odl:UseCase }"
    before = requests.post(url + "/sparql", data={"query": ODL + count},
                           headers={"Accept": "application/sparql-results+json"}, timeout=10).json()
    r = requests.post(url + "/update", data={"update": ODL + "DELETE { ?s ?p ?o } WHERE { ?s a odl:UseCase ; ?p ?o }"},
                      headers=AUTH, timeout=30)
    # the default graph is the union of the named graphs: a template outside GRAPH is refused, saying where to write
    assert r.status_code == 400 and "default graph" in r.json()["error"] and "GRAPH <graph>" in r.json()["error"]
    r = requests.post(url + "/update", data={"update": "DELETE WHERE { ?s ?p ?o }"}, headers=AUTH, timeout=30)
    assert r.status_code == 400
    assert EmbeddedStore(store).version() == version
    after = requests.post(url + "/sparql", data={"query": ODL + count},
                          headers={"Accept": "application/sparql-results+json"}, timeout=10).json()
    assert after == before and int(after["results"]["bindings"][0]["n"]["value"]) > 0


def test_update_with_graph_pattern_applies(server: tuple[str, Path]) -> None:
    url, _ = server
    upd = ODL + ("DELETE { GRAPH ?g { ?s odl:population ?o } } INSERT { GRAPH ?g { ?s odl:population 18001 } } "
                 "WHERE { GRAPH ?g { ?s odl:population ?o } }")
    r = requests.post(url + "/update", data={"update": upd}, headers=AUTH, timeout=60)
    assert r.status_code == 200, r.text
    ask = ODL + "ASK { ?s odl:population 18001 }"
    res = requests.post(url + "/sparql", data={"query": ask}, headers={"Accept": "application/sparql-results+json"},
                        timeout=10)
    assert res.json()["boolean"] is True


# -- 6. CORS ---------------------------------------------------------------------------------------------
def test_cors_only_on_read_endpoints(server: tuple[str, Path]) -> None:
    url, _ = server
    origin = {"Origin": "https://elsewhere.example"}
    assert requests.get(url + "/sparql", headers=origin, timeout=10).headers.get("Access-Control-Allow-Origin") == "*"
    for method, path in (("POST", "/update"), ("OPTIONS", "/update"), ("GET", "/store?default"),
                         ("OPTIONS", "/store?default")):
        r = requests.request(method, url + path, headers={**origin, "Access-Control-Request-Method": "POST"},
                             timeout=10)
        assert "Access-Control-Allow-Origin" not in r.headers, (method, path)
