"""The embedded store: versions flip atomically, the protocol's dataset rules hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from odl_graph.errors import QueryError, StoreError
from odl_graph.sparql_text import has_dataset_clause
from odl_graph.stores import EmbeddedStore

G1, G2 = "http://example.org/g1", "http://example.org/g2"
DATA = {
    G1: b'<http://example.org/a> <http://example.org/p> "in g1" .\n',
    G2: b'<http://example.org/a> <http://example.org/p> "in g2" .\n',
}


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path / "store")
    s.replace_all(DATA)
    return s


def values(store: EmbeddedStore, q: str, **kw) -> list[str]:
    return sorted(r["o"].value for r in store.query(q, **kw))


def test_default_graph_is_the_union_of_named_graphs(store: EmbeddedStore) -> None:
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == ["in g1", "in g2"]


def test_from_clause_is_honoured(store: EmbeddedStore) -> None:
    assert values(store, f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}") == ["in g1"]


def test_default_graph_uri_parameter(store: EmbeddedStore) -> None:
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }", default_graph_uris=[G2]) == ["in g2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM <http://g> WHERE {?s ?p ?o}", True),
        ("select * from named <x> where {}", True),
        ("PREFIX e: <x> SELECT * FROM e:g { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s <http://x/from> ?o }", False),
        ("SELECT ?from WHERE {}", False),
        ('SELECT * WHERE { ?s ?p "FROM <x>" }', False),
        ("# FROM <x>\nSELECT * {}", False),
        ("SELECT * WHERE { ?s ex:from ?o }", False),
    ],
)
def test_dataset_clause_detection(query: str, expected: bool) -> None:
    assert has_dataset_clause(query) is expected


def test_replace_all_flips_versions_and_keeps_the_previous_one(store: EmbeddedStore) -> None:
    first = store.version()
    store.replace_all({G1: b'<http://example.org/a> <http://example.org/p> "new" .\n'})
    assert store.version() != first
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }") == ["new"]
    store.replace_all({G1: b'<http://example.org/a> <http://example.org/p> "newer" .\n'})
    kept = sorted(p.name for p in (store.path / "versions").iterdir())
    assert len(kept) == 2 and first not in kept


def test_a_missing_store_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="odl-graph build"):
        EmbeddedStore(tmp_path / "nothing").query("ASK {}")


def test_syntax_error_carries_its_position(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as info:
        store.query("SELECT * WHERE { ?s ?p }")
    assert info.value.line == 1 and info.value.column in (24, 25)  # at or just after the "}"
