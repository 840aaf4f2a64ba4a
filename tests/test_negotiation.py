"""Content negotiation against real Accept headers (browsers, curl, SPARQL clients, q-values, junk)."""

from __future__ import annotations

import pytest

from odl_graph.negotiation import (
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    UnknownFormat,
    choose_format,
    formats_from_param,
    negotiate,
    parse_accept,
)

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CURL = "*/*"
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
SPARQLWRAPPER_XML = "application/sparql-results+xml"
SPARQLWRAPPER_TURTLE = "application/turtle,text/turtle"
RDFLIB_SPARQLSTORE = "application/sparql-results+xml, application/rdf+xml"
YASGUI = "application/sparql-results+json,*/*;q=0.9"
JENA = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
        "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1")

# (Accept header, SELECT/ASK format chosen, CONSTRUCT/DESCRIBE format chosen); None = 406
TABLE = [
    (None, "json", "turtle"),
    ("", "json", "turtle"),
    (CURL, "json", "turtle"),
    (FIREFOX, "xml", "rdfxml"),  # application/xml;q=0.9 beats */*;q=0.8
    (CHROME, "xml", "rdfxml"),
    (SAFARI, "xml", "rdfxml"),
    (SPARQLWRAPPER_JSON, "json", "jsonld"),  # application/json -> JSON-LD for graphs
    (SPARQLWRAPPER_XML, "xml", None),
    (SPARQLWRAPPER_TURTLE, None, "turtle"),
    (RDFLIB_SPARQLSTORE, "xml", "rdfxml"),
    (YASGUI, "json", "turtle"),
    (JENA, "json", "jsonld"),  # graphs: application/json and /xml tie at 0.2: server order
    ("text/csv", "csv", None),
    ("text/tab-separated-values", "tsv", None),
    ("text/csv;q=0.5, text/tab-separated-values", "tsv", None),
    ("application/sparql-results+json;q=0.1, application/sparql-results+xml;q=0.2", "xml", None),
    ("application/json;q=0, */*", "json", "turtle"),  # q=0 excludes only the alias
    ("application/sparql-results+json;q=0, */*;q=0.5", "xml", "turtle"),
    ("text/*", "csv", "turtle"),
    ("text/*;q=0.5, text/turtle", "csv", "turtle"),
    ("application/*", "json", "ntriples"),
    ("TEXT/CSV", "csv", None),
    ("text/turtle;charset=utf-8", None, "turtle"),
    ("application/ld+json; profile=\"http://www.w3.org/ns/json-ld#expanded\"", None, "jsonld"),
    ("application/n-triples, text/turtle;q=0.9", None, "ntriples"),
    ("image/png", None, None),
    ("text/html", None, None),
    ("*/*;q=0", None, None),
    # malformed: treated as absent (anything goes)
    ("garbage", "json", "turtle"),
    (";;;", "json", "turtle"),
    ("text/html;q=abc", "json", "turtle"),
    ("application/sparql-results+json;q=2", "json", "turtle"),
    ("*/json", "json", "turtle"),
    ("text/csv;q=0.3,,, ,", "csv", None),
]


@pytest.mark.parametrize(("accept", "results", "graph"), TABLE)
def test_accept_table(accept: str | None, results: str | None, graph: str | None) -> None:
    r = choose_format(accept, RESULTS_FORMATS)
    g = choose_format(accept, GRAPH_FORMATS)
    assert (r.name if r else None, g.name if g else None) == (results, graph)


def test_parse_accept_drops_invalid_ranges() -> None:
    assert parse_accept("text/csv;q=0.3, garbage, */*;q=0.1, a/b;q=9") == [("text/csv", 0.3), ("*/*", 0.1)]


def test_negotiate_ties_follow_server_order() -> None:
    assert negotiate("text/csv, text/turtle", ["text/turtle", "text/csv"]) == "text/turtle"
    assert negotiate("text/csv, text/turtle", ["text/csv", "text/turtle"]) == "text/csv"
    assert negotiate("text/turtle;q=0.4, text/csv;q=0.5", ["text/turtle", "text/csv"]) == "text/csv"
    assert negotiate(None, []) is None


@pytest.mark.parametrize(
    ("value", "results", "graph"),
    [
        ("json", "json", "jsonld"), ("XML", "xml", "rdfxml"), ("csv", "csv", None), ("tsv", "tsv", None),
        ("turtle", None, "turtle"), ("ttl", None, "turtle"), ("nt", None, "ntriples"),
        ("json-ld", None, "jsonld"), ("rdfxml", None, "rdfxml"),
        ("application/sparql-results+json", "json", None), ("text/turtle", None, "turtle"),
        ("application/json", "json", "jsonld"), ("text/csv; charset=utf-8", "csv", None),
    ],
)
def test_format_param(value: str, results: str | None, graph: str | None) -> None:
    r, g = formats_from_param(value)
    assert (r.name if r else None, g.name if g else None) == (results, graph)


def test_unknown_format_param() -> None:
    with pytest.raises(UnknownFormat, match="yaml"):
        formats_from_param("yaml")


def test_every_format_has_a_w3c_iri() -> None:
    for f in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        assert f.sd_iri.startswith("http://www.w3.org/ns/formats/")
