"""Writes through the store's own writes (odl_graph/stores/writes.py, writer.py): the union default graph
counted once and kept so by every write, the same answers whether the server replays a write's delta
(memory mode) or reopens the new version (disk mode), payloads parsed by pyoxigraph with entity bombs
refused, SILENT, and the protocol's statuses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import TOKEN, make_store

from odl_graph.engine import Engine, GraphNotFound
from odl_graph.errors import EvaluationError, QueryError
from odl_graph.stores import EmbeddedStore
from odl_graph.stores.writes import Write, apply, check_templates, insert_data_only, parse_payload

NT = "application/n-triples"
SHARED = b'<http://e/s> <http://e/p> "shared" .\n'
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ALL = "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"


def nquads(*graphs: tuple[str, bytes]) -> bytes:
    return b"".join(line.replace(b" .", f" <{g}> .".encode())
                    for g, data in graphs for line in data.splitlines(keepends=True))


def count(eng: Engine, query: str = COUNT) -> int:
    return int(eng.select(query)[0]["n"].value)


def canonical(rows: list[Any]) -> set[str]:
    """Rows of ALL as a dataset with canonical blank node labels (a copy may label them otherwise)."""
    ds = ox.Dataset()
    for r in rows:
        g = r["g"] if ("g" in r if isinstance(r, dict) else r["g"] is not None) else ox.DefaultGraph()
        ds.add(ox.Quad(r["s"], r["p"], r["o"], g))
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q) for q in ds}


def bomb(levels: int) -> bytes:
    ents = ['<!ENTITY l0 "hahahahahahahaha">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">'
                                                  for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [ {" ".join(ents)} ]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
            f'<rdf:Description rdf:about="http://e/s"><ex:p>&l{levels};</ex:p></rdf:Description></rdf:RDF>').encode()


def test_the_union_counts_a_triple_once_and_writes_keep_it_so(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s", nquads(("http://e/g1", SHARED), ("http://e/g2", SHARED)))
    with Engine.from_settings({"store": path, "workers": 1, "reserve_workers": 0}) as eng:
        assert count(eng) == 1  # held by two graphs, one triple of the default graph
        assert count(eng, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 2
        eng.graph_write("PUT", "http://e/g3", [(SHARED + b'<http://e/s> <http://e/p> "new" .', NT)])
        assert count(eng) == 2
        eng.graph_write("DELETE", "http://e/g1")
        eng.graph_write("PUT", "http://e/g3", [(b"", NT)])
        assert count(eng) == 1  # still held by g2
        eng.update("DELETE DATA { GRAPH <http://e/g2> { <http://e/s> <http://e/p> \"shared\" } }")
        assert count(eng) == 0
        # WHERE without GRAPH reads the union, as queries do; a template must name its graph
        eng.update('INSERT DATA { GRAPH <http://e/g4> { <http://e/a> <http://e/p> "x" } }')
        eng.update("INSERT { GRAPH <http://e/copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }")
        assert count(eng, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://e/copy> { ?s ?p ?o } }") == 1
        assert count(eng) == 1
        with pytest.raises(QueryError, match="outside GRAPH"):
            eng.update("DELETE WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_every_kind_of_write_gives_the_same_answers_in_both_modes(tmp_path: Path, fixture_nquads: bytes,
                                                                  mode: str) -> None:
    """Memory mode replays each write's delta on its copy; disk mode reopens the version the writer
    published: both must answer exactly what the store on disk holds."""
    path = make_store(tmp_path / "s", fixture_nquads)
    with Engine.from_settings({"store": path, "workers": 1, "reserve_workers": 0, "store_mode": mode}) as eng:
        eng.graph_write("PUT", "http://e/g", [(b'@prefix e: <http://e/> . e:a e:p 1, 2 ; e:q [ e:r "b" ] .',
                                              "text/turtle")])
        eng.graph_write("POST", "http://e/g", [(b'<http://e/a> <http://e/p> "3" .', NT)])
        eng.graph_write("POST", None, [(b'<http://e/d> <http://e/p> "default" .', NT)])
        eng.update('INSERT DATA { <http://e/b> <http://e/p> _:x . _:x <http://e/p> "bnode" }')
        eng.update("DELETE { GRAPH ?g { <http://e/a> <http://e/p> 1 } } WHERE { GRAPH ?g { ?s ?p ?o } }")
        eng.graph_write("PUT", "https://w3id.org/odl-graph/graph/vocab/openness", [(b"", NT)])
        disk = ox.Store.read_only(str(EmbeddedStore(path).current.resolve()))
        assert canonical(eng.select(ALL)) == canonical(list(disk.query(ALL)))
        assert count(eng) == int(next(iter(disk.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)


def test_payloads_are_parsed_by_pyoxigraph_and_entity_bombs_refused() -> None:
    quads, triples = parse_payload(((b'@prefix e: <http://e/> . e:a e:b "c" .', "text/turtle"),), "http://e/g")
    assert quads == b'<http://e/a> <http://e/b> "c" <http://e/g> .\n' and triples.count(b"\n") == 1
    t0 = time.monotonic()
    with pytest.raises(QueryError, match="entity declarations"):
        parse_payload(((bomb(7), "application/rdf+xml"),), "http://e/g")  # expanded: a 160 MB literal
    assert time.monotonic() - t0 < 0.5  # refused before any expansion
    with pytest.raises(QueryError, match="malformed RDF"):
        parse_payload(((b"<http://e/a> <http://e/b> .", NT),), None)
    with pytest.raises(QueryError, match="unsupported RDF media type"):
        parse_payload(((b"", "application/n-quads"),), None)


@pytest.mark.parametrize(("text", "expected"), [
    ('INSERT DATA { <http://e/a> <http://e/b> "}" }', True),
    ("PREFIX e: <http://e/> INSERT DATA { GRAPH e:g { e:a e:b e:c } } ; INSERT DATA { e:a e:b 1 }", True),
    ("INSERT DATA { <http://e/a> <http://e/b> 1 } ; DELETE DATA { <http://e/a> <http://e/b> 1 }", False),
    ("INSERT { <http://e/a> <http://e/b> 1 } WHERE { }", False),
    ("# INSERT DATA { }\nDELETE WHERE { ?s ?p ?o }", False),
])
def test_insert_data_only_is_decided_on_the_lexer(text: str, expected: bool) -> None:
    assert insert_data_only(text) is expected


@pytest.mark.parametrize(("text", "refused"), [
    ("INSERT { GRAPH <http://e/g> { ?s ?p 1 } } WHERE { ?s ?p ?o }", False),
    ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", False),
    ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", False),
    ('DELETE DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> "{" } }', False),
    ("INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", True),
    ("DELETE { GRAPH ?g { ?s ?p ?o } ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("DELETE WHERE { ?s ?p ?o }", True),
    ("DELETE DATA { <http://e/a> <http://e/b> 1 }", True),
])
def test_templates_must_name_their_graph(text: str, refused: bool) -> None:
    if refused:
        with pytest.raises(QueryError, match="outside GRAPH"):
            check_templates(text)
    else:
        check_templates(text)


def test_silent_and_evaluation_failures_on_a_plain_store() -> None:
    store = ox.Store()
    apply(store, Write("update", "LOAD SILENT <http://127.0.0.1:9/none.ttl>"))  # no network here either
    apply(store, Write("update", "DROP SILENT GRAPH <http://e/missing>"))
    with pytest.raises(EvaluationError, match="does not exist"):
        apply(store, Write("update", "DROP GRAPH <http://e/missing>"))
    with pytest.raises(QueryError, match="LOAD is not allowed"):
        apply(store, Write("update", "LOAD <http://127.0.0.1:9/none.ttl>"))
    with pytest.raises(GraphNotFound.__mro__[1]):  # odl_graph.errors.NotFound from the stores layer
        apply(store, Write("delete", graph="http://e/missing"))


def test_statuses_of_writes(app_factory: Any) -> None:
    client = app_factory(update_token=TOKEN).test_client()
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def update(text: str) -> Any:
        return client.post("/update", data=text.encode(), content_type="application/sparql-update", headers=auth)

    assert update("DROP SILENT GRAPH <http://e/missing>").status_code == 200
    r = update("DROP GRAPH <http://e/missing>")  # well-formed, cannot run: a failed request, not a syntax error
    assert r.status_code == 500 and "does not exist" in r.get_json()["error"] and r.get_json()["ok"] is False
    r = update("DROP GRAPH <http://e/missing")
    assert r.status_code == 400 and r.get_json()["errors"][0]["line"] == 1
    assert update("LOAD SILENT <http://example.org/x.ttl>").status_code == 200
    assert update("LOAD <http://example.org/x.ttl>").status_code == 400
    r = client.put("/store?graph=http://e/g", data=bomb(7), content_type="application/rdf+xml", headers=auth)
    assert r.status_code == 400 and "entity" in r.get_json()["error"]
    r = client.put("/store?graph=http://e/g", data=b"x", content_type="application/pdf", headers=auth)
    assert r.status_code == 415
    assert client.put("/store?graph=http://e/g", data=SHARED, content_type=NT, headers=auth).status_code == 201
    assert client.put("/store?graph=http://e/g", data=SHARED, content_type=NT, headers=auth).status_code == 204
    assert client.delete("/store?graph=http://e/g", headers=auth).status_code == 204
    assert client.delete("/store?graph=http://e/g", headers=auth).status_code == 404


@pytest.mark.slow
def test_shipped_count_star_is_the_number_of_distinct_triples(shipped_store: EmbeddedStore) -> None:
    n = int(next(iter(shipped_store.query(COUNT)))["n"].value)
    distinct = int(next(iter(shipped_store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"].value)
    quads = int(next(iter(shipped_store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    assert n == distinct and quads > distinct  # some triples are held by two graphs, and count once
