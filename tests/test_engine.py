"""The query engine without Flask: workers, time limit, row cap, updates, store versions."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import make_store

from odl_graph.engine import (
    Engine,
    GraphNotFound,
    NotAcceptable,
    QueryTimeout,
    RowCapExceeded,
    UpdateRejected,
)
from odl_graph.errors import QueryError, StoreError
from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, format_by_name
from odl_graph.sparql_text import looks_like_update
from odl_graph.stores import EmbeddedStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"
ALL = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def fmt(name: str):  # -> Format
    return format_by_name(name, RESULTS_FORMATS) or format_by_name(name, GRAPH_FORMATS)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INSERT DATA { <a> <b> <c> }", True),
        ("  prefix ex: <http://ex/#x>  # comment SELECT\n delete where { ?s ?p ?o }", True),
        ("BASE <http://x/> PREFIX : <http://y/> DROP ALL", True),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("LOAD <http://example.org/x.ttl>", True),
        ("SELECT * { ?s ?p 'INSERT DATA' }", False),
        ("# INSERT DATA\nSELECT * {}", False),
        ("PREFIX insert: <http://x/> SELECT * { ?s insert:p ?o }", False),
        ("ASK {}", False),
        ("", False),
    ],
)
def test_looks_like_update(text: str, expected: bool) -> None:
    assert looks_like_update(text) is expected


def test_runaway_is_killed_and_its_cpu_freed(store_path: Path) -> None:
    with Engine.from_settings({"store": store_path, "workers": 1, "query_timeout": 1.0, "reserve_workers": 0}) as eng:
        pid = next(iter(eng.executor._all))
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout, match="exceeded the 1 s time limit"):
            eng.execute(RUNAWAY)
        assert time.monotonic() - t0 < 1.5
        assert not Path(f"/proc/{pid}").exists()  # killed and reaped: no CPU used any more
        assert pid not in eng.executor._all and len(eng.executor._all) == 1  # replaced
        assert eng.ask("ASK { ?s ?p ?o }") is True


def test_runaway_does_not_block_other_queries(engine: Engine) -> None:
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        try:
            engine.execute(RUNAWAY)
        except QueryTimeout as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    busy = [w.pid for w in engine.executor._all.values() if w not in engine.executor._idle and not w.reserve]
    assert busy and cpu_seconds(busy[0]) > 0.05  # the runaway really computes
    t0 = time.monotonic()
    assert len(engine.select("SELECT ?s WHERE { ?s a <https://w3id.org/odl-graph/def#Dataset> }")) == 2
    assert time.monotonic() - t0 < 0.5
    t.join()
    assert errors and isinstance(errors[0], QueryTimeout)


def test_busy_pool_answers_503_not_hang(store_path: Path) -> None:
    import threading

    from odl_graph.engine import EngineBusy

    with Engine.from_settings({"store": store_path, "workers": 1, "query_timeout": 1.0}) as eng:
        def runaway() -> None:
            with pytest.raises(QueryTimeout):
                eng.execute(RUNAWAY)

        t = threading.Thread(target=runaway)
        t.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        with contextlib.suppress(EngineBusy):  # gets the replacement once the runaway is killed, or 503
            assert eng.ask("ASK {}") is True
        assert time.monotonic() - t0 < eng.timeout + 0.5
        t.join()
        assert eng.ask("ASK {}") is True


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_row_cap_boundaries(engine: Engine, name: str, fixture_counts: dict[str, int]) -> None:
    total = sum(fixture_counts.values())
    with pytest.raises(RowCapExceeded, match=f"more than {total - 1} rows"):
        engine.execute(ALL, results_format=fmt(name), row_cap=total - 1)
    for cap, truncated, rows in ((total - 1, True, total - 1), (total, False, total), (total + 1, False, total)):
        res = engine.execute(ALL, results_format=fmt(name), row_cap=cap, allow_truncated=True)
        assert (res.truncated, res.rows) == (truncated, rows), cap
        if name == "csv":  # CSV cannot be parsed back to RDF terms; the fixture has no newlines in values
            assert res.body.count(b"\r\n") == rows + 1
        else:
            parsed = list(ox.parse_query_results(res.body, format=getattr(ox.QueryResultsFormat, name.upper())))
            assert len(parsed) == rows


def test_row_cap_zero_means_no_cap(engine: Engine, fixture_counts: dict[str, int]) -> None:
    res = engine.execute(ALL, row_cap=0)
    assert not res.truncated
    assert len(list(ox.parse_query_results(res.body, format=ox.QueryResultsFormat.JSON))) == sum(
        fixture_counts.values()
    )


def test_row_cap_keeps_terms_intact(engine: Engine) -> None:
    q = (
        'SELECT ?x ?l ?b WHERE { VALUES (?x ?l) { (<http://e/1> "a\\tb\\nc"@fr) '
        '(<http://e/2> "2"^^<http://www.w3.org/2001/XMLSchema#integer>) } BIND(BNODE() AS ?b) }'
    )
    capped = engine.execute(q, row_cap=5).body
    uncapped = engine.execute(q, row_cap=0).body
    a = [(r["x"], r["l"]) for r in ox.parse_query_results(capped, format=ox.QueryResultsFormat.JSON)]
    b = [(r["x"], r["l"]) for r in ox.parse_query_results(uncapped, format=ox.QueryResultsFormat.JSON)]
    assert a == b and len(a) == 2


def test_select_and_ask_api(engine: Engine) -> None:
    rows = engine.select("SELECT ?d ?l WHERE { ?d a <https://w3id.org/odl-graph/def#Dataset> ; "
                         "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = 'fr') } ORDER BY ?d")
    assert [r["l"].value for r in rows] == ["Arbres d'alignement de Rennes", "Canopée de Vitré"]
    assert isinstance(rows[0]["d"], ox.NamedNode)
    assert len(engine.select(ALL, limit=3)) == 3
    assert engine.ask("ASK { ?s a <https://w3id.org/odl-graph/def#Commune> }") is True
    with pytest.raises(QueryError):
        engine.select("ASK {}")
    with pytest.raises(UpdateRejected):
        engine.select("DROP ALL")


def test_not_acceptable(engine: Engine) -> None:
    with pytest.raises(NotAcceptable, match="solutions"):
        engine.execute("SELECT * {}", results_format=None)
    with pytest.raises(NotAcceptable, match="graph"):
        engine.execute("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=None)


def test_syntax_error_position(engine: Engine) -> None:
    with pytest.raises(QueryError) as info:
        engine.execute("SELECT * WHERE {\n ?s ?p \n}")
    assert info.value.line == 3


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="odl-graph build"):
        Engine.from_settings({"store": tmp_path / "none"}).start()


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_update_persists_and_is_seen(tmp_path: Path, fixture_nquads: bytes, mode: str) -> None:
    path = make_store(tmp_path / "s", fixture_nquads)
    before = EmbeddedStore(path).version()
    with Engine.from_settings({"store": path, "workers": 2, "query_timeout": 5.0, "store_mode": mode}) as eng:
        version = eng.update('INSERT DATA { GRAPH <http://e/g> { <http://e/s> <http://e/p> "o" } }')
        assert version != before and EmbeddedStore(path).version() == version
        for _ in range(3):
            assert eng.ask("ASK { GRAPH <http://e/g> { <http://e/s> ?p ?o } }")
        assert eng.triple_counts()["http://e/g"] == 1
        with pytest.raises(QueryError):
            eng.update("INSERT DATA { oops")
        assert EmbeddedStore(path).version() == version
    reopened = EmbeddedStore(path)
    assert reopened.query("ASK { GRAPH <http://e/g> { <http://e/s> ?p ?o } }")


def test_runaway_update_is_stopped(tmp_path: Path, fixture_nquads: bytes) -> None:
    path = make_store(tmp_path / "s", fixture_nquads)
    before = EmbeddedStore(path).version()
    with Engine.from_settings({"store": path, "workers": 1, "query_timeout": 1.0, "write_timeout": 1.0}) as eng:
        before = eng.update('INSERT DATA { GRAPH <http://e/w> { <http://e/s> <http://e/p> "warm-up" } }')
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout):
            eng.update("INSERT { GRAPH <http://e/x> { <http://e/s> <http://e/p> ?n } } WHERE { "
                       "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?b ?c } GRAPH ?g2 { ?d ?e ?f } "
                       "GRAPH ?g3 { ?g ?h ?i } GRAPH ?g4 { ?j ?k ?l } GRAPH ?g5 { ?m ?n2 ?o } "
                       "GRAPH ?g6 { ?p ?q ?r } } }")
        assert time.monotonic() - t0 < 1.5
        assert EmbeddedStore(path).version() == before
        assert eng.ask("ASK { GRAPH <http://e/x> { ?s ?p ?o } }") is False


def test_new_build_is_picked_up(tmp_path: Path, fixture_nquads: bytes) -> None:
    path = make_store(tmp_path / "s", fixture_nquads)
    with Engine.from_settings({"store": path, "workers": 1, "query_timeout": 5.0}) as eng:
        assert eng.ask("ASK { <http://e/new> ?p ?o }") is False
        EmbeddedStore(path).replace_all(fixture_nquads + b"<http://e/new> <http://e/p> <http://e/o> <http://e/g> .\n")
        eng._last_check = 0.0  # skip the 2 s throttle
        assert eng.ask("ASK { <http://e/new> ?p ?o }") is True


def test_graph_get(engine: Engine) -> None:
    res = engine.graph_get("https://w3id.org/odl-graph/graph/vocab/openness", fmt("ntriples"))
    assert res.body.count(b"\n") == 9
    with pytest.raises(GraphNotFound):
        engine.graph_get("http://nowhere/g", fmt("turtle"))
