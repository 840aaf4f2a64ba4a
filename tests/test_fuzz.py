"""Fuzzing the running server: the OpenAPI document through schemathesis, and /sparql, /id and /search
through hypothesis. Bounded example counts (ODL_FUZZ_EXAMPLES, default 100 per operation / property),
no shrinking-time surprises (deadline off, derandomized off so each run explores anew; a failure
prints its example). Allowed: any 4xx, and 503 only with the time-limit message; never another 5xx.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from conftest import ROOT, free_port, make_store, running_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("ODL_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
TIMEOUT = 3.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fixture_nquads: bytes) -> Iterator[str]:
    store = make_store(tmp_path_factory.mktemp("fuzz") / "store", fixture_nquads)
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
           "--set", f"store={store}", "--set", f"query_timeout={TIMEOUT}", "--set", "worker_memory_mb=512"]
    with running_server(cmd, port, env={"PYTHONPATH": str(ROOT)}) as url:
        yield url


def assert_no_server_error(resp: Any, what: str) -> None:
    status = resp.status_code
    if status < 500:
        return
    body = resp.text[:500]
    assert status == 503 and "time limit" in body, f"{what} -> {status}: {body}"


# -- the OpenAPI document ------------------------------------------------------------------------------
def test_api_matches_its_openapi_document(server: str) -> None:
    """Every operation of /api/openapi.json, with schemathesis' generated parameters: status, content
    type and body agree with the document (schemathesis' own checks), and no 5xx but the time limit's."""
    schema = schemathesis.openapi.from_url(server + "/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:
        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            resp = case.call(base_url=server, timeout=30)
            assert_no_server_error(resp, f"{case.method} {case.formatted_path} {case.query}")
            case.validate_response(resp, excluded_checks=[not_a_server_error])

        run()


# -- /sparql ----------------------------------------------------------------------------------------------
KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH",
            "SERVICE", "BIND", "VALUES", "ORDER BY", "GROUP BY", "LIMIT", "OFFSET", "DISTINCT", "*", "{", "}", "(",
            ")", "[", "]", ".", ";", ",", "?s", "?p", "?o", "$x", "<http://e/>", "<>", "\"a\"", "'b'@fr",
            "\"\"\"x\"\"\"", "1", "1.5e3", "true", "a", "rdf:type", "odl:Dataset", "PREFIX odl: <https://w3id.org/odl-graph/def#>",
            "#", "\n", "\\", "\\u0041", "COUNT(*)", "AS", "STR(", "REGEX(", "CONCAT(", "^^", "@en", "||", "&&", "!"]
fragments = st.lists(st.sampled_from(KEYWORDS) | st.text(max_size=6), max_size=30).map(" ".join)
well_formed = st.sampled_from([
    "SELECT * WHERE { ?s ?p ?o } LIMIT {n}", "ASK { ?s ?p {n} }", "SELECT (COUNT(*) AS ?c) WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT {n}", "DESCRIBE <https://w3id.org/odl-graph/id/dataset/arbres-rennes>",
    "SELECT ?o WHERE { ?s ?p ?o FILTER(STRLEN(STR(?o)) > {n}) } ORDER BY ?o",
]).flatmap(lambda t: st.integers(0, 50).map(lambda n: t.replace("{n}", str(n))))


@FUZZ
@given(query=fragments | well_formed, method=st.sampled_from(["GET", "POST", "DIRECT"]),
       accept=st.sampled_from(["*/*", "application/sparql-results+json", "text/csv", "text/turtle", "image/png",
                               "application/ld+json, */*;q=0.1", ""]))
def test_sparql_never_5xx(server: str, query: str, method: str, accept: str) -> None:
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        resp = requests.get(server + "/sparql", params={"query": query}, headers=headers, timeout=30)
    elif method == "POST":
        resp = requests.post(server + "/sparql", data={"query": query}, headers=headers, timeout=30)
    else:
        resp = requests.post(server + "/sparql", data=query.encode("utf-8", "surrogatepass"), timeout=30,
                             headers={**headers, "Content-Type": "application/sparql-query"})
    assert_no_server_error(resp, f"{method} /sparql {query!r}")


# -- /id and /search ------------------------------------------------------------------------------------
path_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
extensions = st.sampled_from(["", ".ttl", ".nt", ".jsonld", ".rdf", ".html", ".xml", "."])


@FUZZ
@given(prefix=st.sampled_from(["id", "graph", "source"]), rest=path_text, ext=extensions,
       accept=st.sampled_from(["text/html", "text/turtle", "*/*", "application/x-unknown", ""]))
def test_dereference_never_5xx(server: str, prefix: str, rest: str, ext: str, accept: str) -> None:
    url = f"{server}/{prefix}/{requests.utils.quote(rest, safe='/')}{ext}"
    resp = requests.get(url, headers={"Accept": accept} if accept else {}, timeout=30)
    assert_no_server_error(resp, f"GET {url}")


@FUZZ
@given(q=path_text, lang=st.sampled_from(["fr", "en", "xx", ""]), offset=st.text(max_size=5))
def test_search_never_5xx(server: str, q: str, lang: str, offset: str) -> None:
    resp = requests.get(server + "/search", params={"q": q, "lang": lang, "offset": offset}, timeout=30)
    assert_no_server_error(resp, f"GET /search q={q!r}")


# -- every route, raw ---------------------------------------------------------------------------------------
def test_raw_fuzz_of_every_route_gives_no_500(server: str) -> None:
    """A share of bench/fuzz_raw.py (40,000 requests there, docs/benchmarks.md): every rule of the URL
    map with hostile path segments, parameters, methods, headers and bodies; no 500, no other 5xx but
    503 (a resource limit or a temporary state, with its message), no dropped connection."""
    sys.path.insert(0, str(ROOT / "bench"))
    import fuzz_raw

    report = fuzz_raw.fuzz(server, int(os.environ.get("ODL_RAW_FUZZ", "1500")), clients=4, seed=EXAMPLES)
    assert report["routes"] >= 40
    assert not report["failures"], "\n".join(report["failures"][:20])
