"""The one serialiser: capped SELECT answers written once in their final format, cut at a row boundary."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from odl_graph.engine import RowCapExceeded
from odl_graph.engine.serialize import serialize_solutions

# Literals that look like row boundaries of every format: a naive byte count would cut inside them.
TRICKY = '"v {i} \\"q\\" a,b\\r\\n}},{{ [{{ <result> \\t"'
N = 300


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    data = "".join(f"<http://s/{i}> <http://p> {TRICKY.format(i=i)} .\n" for i in range(N))
    s.bulk_load(data.encode(), format=ox.RdfFormat.N_TRIPLES)
    return s


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv"])
@pytest.mark.parametrize("cap", [1, 7, N - 1, N, N + 1])
def test_cut_answers_are_valid_documents_of_cap_rows(store: ox.Store, fmt: str, cap: int) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
    body, truncated, rows = serialize_solutions(store.query(query), fmt, cap)
    assert (truncated, rows) == (cap < N, min(cap, N))
    full = store.query(query).serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
    if fmt == "csv":  # not parseable back to terms: the cut answer is a prefix of the full one
        assert full.startswith(body) and body.endswith(b"\r\n")
        return
    parsed = list(ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt.upper())))
    expected = list(ox.parse_query_results(full, format=getattr(ox.QueryResultsFormat, fmt.upper())))[:cap]
    assert [tuple(r) for r in parsed] == [tuple(r) for r in expected]


def test_a_cut_answer_is_an_error_unless_asked_for(store: ox.Store) -> None:
    with pytest.raises(RowCapExceeded, match="more than 5 rows"):
        serialize_solutions(store.query("SELECT * WHERE { ?s ?p ?o }"), "json", 5, allow_truncated=False)
