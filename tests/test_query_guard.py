"""The checks the server process makes on a client's text: lexer-only, sound for SERVICE and LOAD."""

from __future__ import annotations

import pytest

from odl_graph import query_guard
from odl_graph.engine import Engine
from odl_graph.errors import QueryError

REFUSED = [
    "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * { service silent ?svc { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(1 AS ?x) .SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
    "PREFIX ex: <http://x/> SELECT * { ?s ex:a\\'b ?o . SERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",  # escapes are decoded before parsing
    "SELECT * { SERV\\U00000049CE <http://x/> { ?s ?p ?o } }",
    "PREFIX : <http://x/> SELECT * { SERVICE:y { ?s ?p ?o } }",  # may read as SERVICE :y
    "SELECT * { ?s ?p 'x\\u0027 } SERVICE <http://x/> { ?s ?p ?o } #' }",  # decoded, the string ends early
    "SELECT * { ?s ?p \"unterminated . SERVICE <http://x/> { ?s ?p ?o } }",  # a text no lexer reads whole
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1)SERVICE<http://x/>{?s ?p ?o} }",
]
ACCEPTED = [
    "SELECT ?service { ?service ?p 'SERVICE' }",
    "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o } # SERVICE",
    "PREFIX odl: <http://x/> SELECT * { ?s a odl:Service ; odl:loadFactor ?o }",
    "SELECT * { <http://x/SERVICE> ?p ?o }",
    "SELECT * { ?s ?p '''LOAD\nSERVICE''' }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ", ".join(map(str, range(6000))) + ")) }",
]


@pytest.mark.parametrize("text", REFUSED)
def test_service_is_refused_by_the_lexer_check(text: str) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        query_guard.check(text)


@pytest.mark.parametrize("text", ACCEPTED)
def test_service_in_strings_iris_comments_and_names_is_not_a_keyword(text: str) -> None:
    assert query_guard.check(text) == query_guard.Verdict()


def test_load_is_refused_in_updates() -> None:
    with pytest.raises(QueryError, match="LOAD"):
        query_guard.check("INSERT DATA { <http://x/a> <http://x/b> 1 } ; load <http://x/>", update=True)
    verdict = query_guard.check("INSERT DATA { GRAPH <http://x/g> { <http://x/load> <http://x/b> 'LOAD' } }",
                                update=True)
    assert verdict == query_guard.Verdict()


def test_the_server_process_runs_no_parser(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib's SPARQL parser is never called for a client's query; a syntax error comes from the
    worker's parser, with its position."""
    import rdflib.plugins.sparql.parser as rdflib_parser

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a full parser ran in the server process")

    monkeypatch.setattr(rdflib_parser, "parseQuery", forbidden)
    monkeypatch.setattr(rdflib_parser, "parseUpdate", forbidden)
    assert engine.execute("ASK { ?s ?p ?o }").body
    with pytest.raises(QueryError) as info:
        engine.execute("SELECT * WHERE { ?s ?p }")
    assert info.value.line is not None


def test_a_service_the_check_cannot_see_is_refused_by_name_in_the_worker(engine: Engine) -> None:
    """Past every check (sent straight to a worker), the sandbox stops it and the answer says SERVICE
    is refused, not 'Permission denied'."""
    from odl_graph.engine.serialize import Request

    for url in ("http://127.0.0.1:65000/", "http://localhost:65000/", "http://example.org/"):
        with pytest.raises(QueryError, match=r"SERVICE .*not allowed.*no network access"):
            engine.executor.run(Request("query", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                                        results_format="json"), 5.0)
