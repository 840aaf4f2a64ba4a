"""Streaming answers and fair workers: what the server process holds, who gets a worker, what a
client waiting for one is told. Behaviour, not timings."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import make_store

from odl_graph.engine import Engine, QueryTimeout
from odl_graph.engine.schedule import CLIENT, Debts, Waiters, shape_of
from odl_graph.engine.serialize import CHUNK
from odl_graph.negotiation import GRAPH_FORMATS

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
BIG = 4000  # triples of ~500 bytes: a ~2 MB answer, several chunks


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = [f'<http://e/s{i}> <http://e/p> "{"x" * 480}{i}" <http://e/g> .' for i in range(BIG)]
    return make_store(tmp_path_factory.mktemp("big") / "store", "\n".join(lines).encode())


@pytest.fixture(scope="module")
def big_engine(big_store: Path) -> Iterator[Engine]:
    with Engine.from_settings({"store": big_store, "workers": 1, "reserve_workers": 0, "query_timeout": 30.0,
                               "result_cache_bytes": 0}) as eng:
        yield eng


def test_a_large_answer_streams_in_chunks_and_is_complete(big_engine: Engine) -> None:
    nt = next(f for f in GRAPH_FORMATS if f.name == "ntriples")
    result = big_engine.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", graph_format=nt, stream=True)
    assert not isinstance(result.body, bytes)  # never whole in the server process
    chunks = list(result.body)
    assert len(chunks) > 2 and max(map(len, chunks)) <= 2 * CHUNK
    assert len(list(ox.parse(b"".join(chunks), format=ox.RdfFormat.N_TRIPLES))) == BIG
    assert big_engine.ask("ASK { ?s ?p ?o }") is True  # the worker came back to the pool


def test_a_reader_that_stops_early_frees_the_worker(big_engine: Engine) -> None:
    pid = next(iter(big_engine.executor._all))
    result = big_engine.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", stream=True)
    body = iter(result.body)
    next(body)
    body.close()  # type: ignore[attr-defined]  # what the WSGI server does when a client hangs up
    assert pid not in big_engine.executor._all  # its pipe held the rest of the answer: replaced
    assert big_engine.ask("ASK { ?s ?p ?o }") is True


def test_a_small_answer_or_a_caller_not_asking_for_chunks_gets_it_whole(big_engine: Engine) -> None:
    assert isinstance(big_engine.execute("ASK { ?s ?p ?o }", stream=True).body, bytes)
    whole = big_engine.execute("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").body  # e.g. the search index
    assert isinstance(whole, bytes) and len(whole) > 2 * CHUNK


def test_the_endpoint_streams_without_content_length(big_store: Path) -> None:
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(big_store), "workers": 1, "TESTING": True, "result_cache_bytes": 1 << 20})
    try:
        client = app.test_client()
        for _ in range(2):  # the second time through the WSGI cache layer: too big to keep, still streamed
            r = client.get("/sparql", query_string={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                           headers={"Accept": "application/n-triples"})
            assert r.status_code == 200 and "Content-Length" not in r.headers
            assert r.headers["X-ODL-Cache"] == "miss"
            assert len(list(ox.parse(r.data, format=ox.RdfFormat.N_TRIPLES))) == BIG
        health = client.get("/health").get_json()
        assert health["server_memory"]["rss_mb"] > 0 and health["server_memory"]["peak_rss_mb"] > 0
    finally:
        close_engine(app)


def test_a_client_with_debts_waits_behind_a_fresh_one(store_path: Path) -> None:
    """One worker, busy with a runaway; a client that used a lot of worker time queues first, a
    fresh client second: the fresh one gets the worker first."""
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 0,
                               "query_timeout": 2.0}) as eng:
        eng.executor.debts.charge("greedy", 100.0)
        eng.executor.queue_wait = 30.0  # both wait for the runaway's whole time limit
        order: list[str] = []

        def run(client: str, sparql: str) -> None:
            CLIENT.set(client)
            with contextlib.suppress(QueryTimeout):
                eng.execute(sparql)
            order.append(client)

        runaway = threading.Thread(target=run, args=("runaway", RUNAWAY))
        runaway.start()
        while eng.executor.status()["idle"] != 0:
            time.sleep(0.01)
        greedy = threading.Thread(target=run, args=("greedy", "ASK { ?s ?p ?o }"))
        greedy.start()
        while eng.executor.status()["waiting"] < 1:
            time.sleep(0.01)
        fresh = threading.Thread(target=run, args=("fresh", "ASK { ?s ?p ?p }"))
        fresh.start()
        while eng.executor.status()["waiting"] < 2:
            time.sleep(0.01)
        for t in (runaway, greedy, fresh):
            t.join(30)
        assert order == ["runaway", "fresh", "greedy"]
        assert eng.executor.debts.of("runaway") > 1.0  # its runaway is charged to it


def _runaway(eng: Engine) -> None:
    with pytest.raises(QueryTimeout):
        eng.execute(RUNAWAY)


def test_waiters_and_debts() -> None:
    w = Waiters()
    a = w.join(5.0, reserve_ok=True)
    b = w.join(1.0, reserve_ok=False)
    assert w.first(b, reserve=False) and not w.first(a, reserve=False)
    assert w.first(a, reserve=True)  # b may not run on the reserve
    w.leave(b)
    assert w.first(a, reserve=False)
    d = Debts(half_life=0.05)
    d.charge("x", 10.0)
    time.sleep(0.3)
    assert d.of("x") < 10.0 / 2**4 and d.of("unknown") == 0.0


def test_shapes_ignore_constants() -> None:
    assert shape_of("DESCRIBE <http://e/a>") == shape_of("describe  <http://e/b>".replace("describe", "DESCRIBE"))
    assert shape_of("SELECT * { ?s ?p 12 } LIMIT 5") == shape_of("SELECT * { ?s ?p 7.5 } LIMIT 100")
    assert shape_of("SELECT * { ?s ?p 'a' }") != shape_of("SELECT * { ?s ?q 'a' }")


def test_busy_is_503_with_retry_after(store_path: Path) -> None:
    from server import create_app
    from server.engine import close_engine, get_engine

    app = create_app({"store": str(store_path), "workers": 1, "reserve_workers": 0, "query_timeout": 1.5,
                      "TESTING": True, "result_cache_bytes": 0})
    try:
        eng = get_engine(app)
        runaway = threading.Thread(target=_runaway, args=(eng,))
        runaway.start()
        while eng.executor.status()["idle"]:
            time.sleep(0.01)
        eng.executor.queue_wait = 0.2  # the bounded wait, short for the test
        r = app.test_client().get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        runaway.join(10)
        assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1
        assert "busy" in r.get_json()["error"]
    finally:
        close_engine(app)


def test_a_query_stopped_on_the_reserve_waits_for_a_regular_worker(store_path: Path) -> None:
    """No error for a legitimate query: stopped at the reserve's limit, it runs again on a regular
    worker once one is free, and its shape no longer takes the reserve."""
    medium = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 1, "query_timeout": 3.0,
                               "reserve_timeout": 0.001}) as eng:
        eng.executor.queue_wait = 15.0  # it waits for the runaway's whole time limit, and a fresh worker
        runaway = threading.Thread(target=_runaway, args=(eng,))
        runaway.start()
        while eng.executor.status()["idle"]:
            time.sleep(0.01)
        assert eng.execute(medium).body  # answered, after waiting for the regular worker
        runaway.join(10)
        last = eng.executor.durations.last(shape_of(medium))
        assert last is not None and last > eng.executor.reserve_timeout / 2


def test_client_address_behind_proxies(store_path: Path) -> None:
    from server import create_app
    from server.engine import client_address

    for hops, expected in ((0, "10.0.0.1"), (1, "203.0.113.9"), (2, "198.51.100.7"), (5, "10.0.0.1")):
        app = create_app({"store": str(store_path), "proxy_hops": hops, "TESTING": True})
        with app.test_request_context("/sparql", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                                      headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 203.0.113.9"}):
            assert client_address() == expected


def test_a_streamed_answer_small_enough_is_cached_whole(big_store: Path) -> None:
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(big_store), "workers": 1, "TESTING": True, "result_cache_bytes": 64 << 20})
    try:
        client = app.test_client()
        params = {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}
        first = client.get("/sparql", query_string=params, headers={"Accept": "application/n-triples"})
        assert len(first.data) > 2 * CHUNK  # read whole: only then is it kept
        second = client.get("/sparql", query_string=params, headers={"Accept": "application/n-triples"})
        assert first.headers["X-ODL-Cache"] == "miss" and second.headers["X-ODL-Cache"] == "hit"
        assert second.data == first.data and len(first.data) > 2 * CHUNK
    finally:
        close_engine(app)


def _stopped(pid: int, expected: bool) -> bool:
    """Whether the process is stopped, once the signal has been delivered (it is asynchronous)."""
    deadline = time.monotonic() + 5
    while True:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if (state in ("T", "t")) == expected or time.monotonic() > deadline:
            return state in ("T", "t")
        time.sleep(0.01)


def test_a_reserve_query_pauses_long_queries_while_it_runs(store_path: Path) -> None:
    """Regular workers busy past the reserve's limit are stopped (SIGSTOP) while a reserve query
    runs, and continued after; the runaway still ends at its time limit."""
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 1, "query_timeout": 3.0,
                               "reserve_timeout": 0.2}) as eng:
        pool = eng.executor
        runaway = threading.Thread(target=_runaway, args=(eng,))
        runaway.start()
        while pool.status()["idle"]:
            time.sleep(0.01)
        busy = next(w for w in pool._all.values() if not w.reserve)
        time.sleep(0.4)
        paused = pool._pause_long_queries()
        assert paused == [busy] and _stopped(busy.pid, True)
        assert eng.ask("ASK { ?s ?p ?o }") is True  # on the reserve meanwhile
        pool._resume(paused)
        assert not _stopped(busy.pid, False)
        runaway.join(10)
        assert not runaway.is_alive()


def test_reserve_eligibility_by_shape(store_path: Path) -> None:
    """Known long, or on its first trial run there right now: such a shape waits for a regular worker."""
    with Engine.from_settings({"store": store_path, "workers": 1, "reserve_workers": 1, "query_timeout": 5.0,
                               "reserve_timeout": 1.0}) as eng:
        pool = eng.executor
        assert pool._may_use_reserve("s", 5.0)
        pool._trials.add("s")
        assert not pool._may_use_reserve("s", 5.0) and pool._may_use_reserve("t", 5.0)
        pool._trials.clear()
        pool.durations.record("s", 0.9)
        assert not pool._may_use_reserve("s", 5.0)
        pool.durations.record("s", 0.01)
        assert pool._may_use_reserve("s", 5.0) and not pool._may_use_reserve("s", 60.0)  # past the limit
