"""The result cache: byte-identical answers, invalidation on store changes, byte bound, no errors kept."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TOKEN, make_store

from odl_graph.engine import Engine, QueryTimeout, RowCapExceeded, UpdateRejected
from odl_graph.negotiation import RESULTS_FORMATS, format_by_name
from odl_graph.result_cache import ENTRY_OVERHEAD, ResultCache
from odl_graph.stores import EmbeddedStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
EXTRA = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .\n"


def headers_without_cache(resp: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in resp.headers.items() if k != "X-ODL-Cache"]


# -- the LRU itself --------------------------------------------------------------------------------
def test_lru_respects_its_byte_bound_and_evicts_least_recently_used() -> None:
    cache = ResultCache(4 * (100 + ENTRY_OVERHEAD))  # room for exactly four 100-byte entries
    cache.clear("v1")
    for i in range(4):
        assert cache.put("v1", i, f"answer {i}", 100)
    assert cache.get("v1", 0) == "answer 0"  # 0 becomes the most recently used
    assert cache.put("v1", 4, "answer 4", 100)
    assert cache.size_bytes <= cache.max_bytes and len(cache) == 4
    assert cache.get("v1", 1) is None  # the least recently used one went
    assert [cache.get("v1", i) for i in (0, 2, 3, 4)] == ["answer 0", "answer 2", "answer 3", "answer 4"]


def test_lru_refuses_entries_over_a_quarter_of_the_bound_and_other_versions() -> None:
    cache = ResultCache(4000)
    cache.clear("v1")
    assert not cache.put("v1", "big", "x", 1000)  # 1000 + overhead > 4000 / 4
    assert cache.put("v1", "small", "y", 10)
    assert not cache.put("v0", "stale", "z", 10)  # a query that ran while the store changed
    assert cache.get("v0", "small") is None and cache.get("v1", "stale") is None
    cache.clear("v2")
    assert cache.get("v2", "small") is None and len(cache) == 0 and cache.size_bytes == 0


def test_disabled_cache_keeps_nothing() -> None:
    cache = ResultCache(0)
    cache.clear("v1")
    assert not cache.enabled and not cache.put("v1", "k", "v", 1)
    assert cache.get("v1", "k") is None


# -- through the engine ----------------------------------------------------------------------------
@pytest.fixture
def cached_engine(tmp_path: Path, fixture_nquads: bytes) -> Iterator[Engine]:
    store = make_store(tmp_path / "store", fixture_nquads)
    with Engine.from_settings({"store": store, "workers": 1, "query_timeout": 1.0, "row_cap": 5,
                               "result_cache_bytes": 1 << 20}) as eng:
        yield eng


def test_engine_hit_is_the_same_answer(cached_engine: Engine) -> None:
    first = cached_engine.execute(ALL, allow_truncated=True)
    second = cached_engine.execute(ALL, allow_truncated=True)
    assert (first.cache, second.cache) == ("miss", "hit")
    assert second.body == first.body and second.truncated is first.truncated is True
    assert (second.kind, second.format, second.rows, second.row_cap) == (first.kind, first.format, 5, 5)
    # the format, the row cap and the dataset are part of the key
    xml = format_by_name("xml", RESULTS_FORMATS)
    assert cached_engine.execute(ALL, results_format=xml, allow_truncated=True).cache == "miss"
    assert cached_engine.execute(ALL, row_cap=2, allow_truncated=True).rows == 2
    with pytest.raises(RowCapExceeded):  # an error is never served from the cache of a cut answer
        cached_engine.execute(ALL)
    named = cached_engine.execute(ALL, default_graph_uris=["https://w3id.org/odl-graph/graph/vocab/openness"],
                                  allow_truncated=True)
    assert named.cache == "miss" and named.body != first.body


def test_update_text_is_refused_even_with_the_cache(cached_engine: Engine) -> None:
    for _ in range(2):
        with pytest.raises(UpdateRejected):
            cached_engine.execute("INSERT DATA { <http://a> <http://b> <http://c> }")


def test_timed_out_query_is_not_cached(cached_engine: Engine) -> None:
    for _ in range(2):  # the second run is stopped again: nothing was kept
        with pytest.raises(QueryTimeout):
            cached_engine.execute(RUNAWAY)
    assert len(cached_engine.cache) == 0


def test_engine_cache_stays_within_its_bound(tmp_path: Path, fixture_nquads: bytes) -> None:
    store = make_store(tmp_path / "store", fixture_nquads)
    with Engine.from_settings({"store": store, "workers": 1, "query_timeout": 5.0, "result_cache_bytes": 6000}) as eng:
        queries = [f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {n}" for n in range(1, 13)]
        for q in queries:
            assert eng.execute(q).cache == "miss"
            assert eng.cache.size_bytes <= 6000
        assert 0 < len(eng.cache) < len(queries)
        assert eng.execute(queries[-1]).cache == "hit"
        assert eng.execute(queries[0]).cache == "miss"  # evicted long ago


def test_new_build_invalidates(cached_engine: Engine, fixture_nquads: bytes) -> None:
    before = cached_engine.execute(COUNT)
    assert cached_engine.execute(COUNT).cache == "hit"
    EmbeddedStore(cached_engine.store.path).replace_all(fixture_nquads + EXTRA)  # what `odl-graph build` does
    time.sleep(2.1)  # the engine looks for a new version at most every 2 s
    after = cached_engine.execute(COUNT)
    assert after.cache == "miss" and after.body != before.body
    assert b'"' + str(sum(1 for line in fixture_nquads.splitlines() if line.strip()) + 1).encode() in after.body


# -- over HTTP -------------------------------------------------------------------------------------
def test_hit_has_identical_body_and_headers(app_factory: Any) -> None:
    client = app_factory(row_cap=3).test_client()
    for query, accept in ((ALL, "application/sparql-results+json"), (ALL, "text/csv"),
                          ("ASK { ?s ?p ?o }", "application/sparql-results+xml"),
                          ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "text/turtle")):
        qs = {"query": query, "truncate": "true"}  # a cut answer, asked for: cached like any other
        miss = client.get("/sparql", query_string=qs, headers={"Accept": accept})
        hit = client.get("/sparql", query_string=qs, headers={"Accept": accept})
        assert miss.status_code == hit.status_code == 200
        assert (miss.headers["X-ODL-Cache"], hit.headers["X-ODL-Cache"]) == ("miss", "hit")
        assert hit.data == miss.data
        assert headers_without_cache(hit) == headers_without_cache(miss)
    assert miss.headers.get("X-ODL-Truncated") is None  # CONSTRUCT: no row headers, cached or not
    capped = client.get("/sparql", query_string={"query": ALL, "truncate": "true"})
    assert capped.headers["X-ODL-Truncated"] == "true" and capped.headers["X-ODL-Rows"] == "3"
    for _ in range(2):  # not asked for: an error, never a cached cut answer
        assert client.get("/sparql", query_string={"query": ALL}).status_code == 400


def test_cache_off_sends_no_cache_header(app_factory: Any) -> None:
    client = app_factory(result_cache_bytes=0).test_client()
    for _ in range(2):
        resp = client.get("/sparql", query_string={"query": COUNT})
        assert resp.status_code == 200 and "X-ODL-Cache" not in resp.headers


def test_update_with_token_invalidates(app_factory: Any) -> None:
    client = app_factory(update_token=TOKEN).test_client()
    ask = "ASK { GRAPH <http://example.org/g> { <http://example.org/a> ?p ?o } }"
    for expected in ("miss", "hit"):
        resp = client.get("/sparql", query_string={"query": ask})
        assert resp.get_json()["boolean"] is False and resp.headers["X-ODL-Cache"] == expected
    r = client.post("/update", data=b"INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> "
                    b"<http://example.org/b> <http://example.org/c> } }",
                    content_type="application/sparql-update", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200
    resp = client.get("/sparql", query_string={"query": ask})
    assert resp.get_json()["boolean"] is True and resp.headers["X-ODL-Cache"] == "miss"


def test_repeated_get_is_answered_without_flask(app_factory: Any) -> None:
    from server.engine import get_engine

    app = app_factory()
    get_engine(app)  # started before serving, as `odl-graph serve` does
    views: list[str] = []
    app.before_request(lambda: views.append("flask"))
    client = app.test_client()
    query = {"query": COUNT, "format": "xml"}
    miss = client.get("/sparql", query_string=query, headers={"Origin": "https://example.org"})
    hits = [client.get("/sparql", query_string=query) for _ in range(3)]
    assert views == ["flask"]  # only the miss went through Flask
    for hit in hits:
        assert hit.data == miss.data and hit.headers["X-ODL-Cache"] == "hit"
        assert headers_without_cache(hit) == headers_without_cache(miss)
    assert hits[0].headers["Access-Control-Allow-Origin"] == "*" and hits[0].headers["Vary"] == "Accept"
    # another Accept, a POST, or an error still go through Flask
    client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
    client.post("/sparql", data={"query": COUNT})
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "SELECT * {"}).status_code == 400
    assert views == ["flask"] * 5


def test_apps_keep_their_own_headers(cached_engine: Engine) -> None:
    from server import create_app
    from server.engine import close_engine

    apps = {cors: create_app({"store": str(cached_engine.store.path), "cors": cors, "workers": 1,
                              "result_cache_bytes": 1 << 20, "TESTING": True}) for cors in (True, False)}
    try:
        for _ in range(2):
            for cors, app in apps.items():
                resp = app.test_client().get("/sparql", query_string={"query": COUNT})
                assert resp.status_code == 200
                assert ("Access-Control-Allow-Origin" in resp.headers) is cors
    finally:
        for app in apps.values():
            close_engine(app)
