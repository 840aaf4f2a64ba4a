"""HTTP content negotiation for SPARQL results and RDF graphs, without Flask.

One table of formats serves the endpoint, the API, the pages and the CLI: each `Format` carries
its media types, its pyoxigraph serialiser and its short name for file names and the API.
`Accept` is parsed with werkzeug's parser (a library, not Flask); the choice follows RFC 9110: for
each format we offer, the most specific matching media range gives its quality, `q=0` excludes it,
and ties go to the server's order of preference.
An `Accept` header with no valid media range is treated as absent (`*/*`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from odl_graph.errors import OdlError


@dataclass(frozen=True)
class Format:
    """A serialisation we can produce: short name, media type sent back, media types accepted."""

    name: str
    media_type: str
    content_type: str  # media_type plus charset where it applies
    aliases: tuple[str, ...] = ()
    sd_iri: str = ""  # W3C formats IRI, used in the service description
    ox: Any = field(default=None, compare=False)  # pyoxigraph's QueryResultsFormat or RdfFormat
    extension: str = ""  # file name extension and short name of the API (`/api/queries/x.ttl`)
    label: str = ""  # what a page's list of formats shows

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


W3_FORMATS = "http://www.w3.org/ns/formats/"

# SELECT / ASK, in the server's order of preference.
RESULTS_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "application/sparql-results+json",
           ("application/json",), W3_FORMATS + "SPARQL_Results_JSON", ox.QueryResultsFormat.JSON, "json", "JSON"),
    Format("xml", "application/sparql-results+xml", "application/sparql-results+xml",
           ("application/xml", "text/xml"), W3_FORMATS + "SPARQL_Results_XML", ox.QueryResultsFormat.XML, "xml", "XML"),
    Format("csv", "text/csv", "text/csv; charset=utf-8", (), W3_FORMATS + "SPARQL_Results_CSV",
           ox.QueryResultsFormat.CSV, "csv", "CSV"),
    Format("tsv", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8", (),
           W3_FORMATS + "SPARQL_Results_TSV", ox.QueryResultsFormat.TSV, "tsv", "TSV"),
)

# CONSTRUCT / DESCRIBE and every RDF document we serve (service description, VoID, graph store).
GRAPH_FORMATS: tuple[Format, ...] = (
    # N3 clients (SPARQLWrapper's N3, rdflib) get Turtle, which is valid N3.
    Format("turtle", "text/turtle", "text/turtle; charset=utf-8",
           ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3", "application/n3"),
           W3_FORMATS + "Turtle", ox.RdfFormat.TURTLE, "ttl", "Turtle"),
    Format("ntriples", "application/n-triples", "application/n-triples", (), W3_FORMATS + "N-Triples",
           ox.RdfFormat.N_TRIPLES, "nt", "N-Triples"),
    Format("jsonld", "application/ld+json", "application/ld+json", ("application/json",),
           W3_FORMATS + "JSON-LD", ox.RdfFormat.JSON_LD, "jsonld", "JSON-LD"),
    Format("rdfxml", "application/rdf+xml", "application/rdf+xml", ("application/xml", "text/xml"),
           W3_FORMATS + "RDF_XML", ox.RdfFormat.RDF_XML, "rdf", "RDF/XML"),
    # Dataset syntaxes: a graph answer is a dataset with only a default graph.
    Format("trig", "application/trig", "application/trig", (), W3_FORMATS + "TriG", ox.RdfFormat.TRIG, "trig", "TriG"),
    Format("nquads", "application/n-quads", "application/n-quads", (), W3_FORMATS + "N-Quads",
           ox.RdfFormat.N_QUADS, "nq", "N-Quads"),
)

# A page's data next to its HTML and RDF (Datasette's convention: `.json` and `.csv` beside the page):
# a resource page's model or an analysis page's rows; the CSV is the SPARQL CSV row above.
PAGE_DATA_FORMATS: tuple[Format, ...] = (
    Format("json", "application/json", "application/json; charset=utf-8", extension="json", label="JSON"),
    next(f for f in RESULTS_FORMATS if f.name == "csv"),
)

# What a whole dataset (several named graphs) is served in: the dumps, GET /store without a graph.
DATASET_FORMATS: tuple[Format, ...] = tuple(f for f in GRAPH_FORMATS if f.name in ("trig", "nquads", "jsonld"))

# `format=` / `output=` / `results=` parameter values: one name may mean a results format and a
# graph format. The names SPARQLWrapper sends (json, xml, csv, tsv, turtle, n3, rdf, rdf+xml, json-ld),
# Fuseki's `output=` names (ttl, nt, jsonld, trig, nq) and Virtuoso's `format=` values (media types,
# text/plain for N-Triples); any media type of the tables above is accepted too.
FORMAT_PARAM: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "text/plain": (None, "ntriples"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "trig": (None, "trig"),
    "nq": (None, "nquads"),
    "nquads": (None, "nquads"),
    "n-quads": (None, "nquads"),
}
# Query-string names that carry a format: SPARQLWrapper repeats its choice in all three.
FORMAT_PARAM_NAMES = ("format", "output", "results")


class UnknownFormat(OdlError):
    """A `format=` value names no format we know."""


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Valid media ranges of an Accept header, lower-cased and without parameters other than q."""
    if not header:
        return []
    ranges: list[tuple[str, float]] = []
    for value, quality in parse_accept_header(header, MIMEAccept):
        media = value.split(";", 1)[0].strip().lower()
        main, _, sub = media.partition("/")
        if not main or not sub or (main == "*" and sub != "*"):
            continue  # 'garbage', '', '*/json': not a media range
        ranges.append((media, float(quality)))
    return ranges


def _quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> float:
    """Quality the client gives media_type: that of the most specific matching range (0 if none)."""
    main = media_type.split("/", 1)[0]
    best_spec, best_q = -1, 0.0
    for rng, q in ranges:
        if rng == media_type:
            spec = 2
        elif rng == f"{main}/*":
            spec = 1
        elif rng == "*/*":
            spec = 0
        else:
            continue
        if spec > best_spec:
            best_spec, best_q = spec, q
    return best_q


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None if none is acceptable.

    A missing, empty or entirely malformed header accepts anything: the first offered type wins.
    """
    ranges = parse_accept(header)
    if not ranges:
        return offered[0] if offered else None
    best, best_q = None, 0.0
    for media in offered:
        q = _quality(media.lower(), ranges)
        if q > best_q:
            best, best_q = media, q
    return best


def choose_format(header: str | None, formats: Sequence[Format]) -> Format | None:
    """The format of `formats` the Accept header prefers (canonical types outrank aliases on ties)."""
    offered: list[str] = [f.media_type for f in formats]
    owner: dict[str, Format] = {f.media_type: f for f in formats}
    for f in formats:
        for alias in f.aliases:
            if alias not in owner:
                offered.append(alias)
                owner[alias] = f
    chosen = negotiate(header, offered)
    return owner[chosen] if chosen else None


def format_by_name(name: str, formats: Sequence[Format]) -> Format | None:
    for f in formats:
        if f.name == name:
            return f
    return None


def formats_from_params(values: Sequence[str]) -> tuple[Format | None, Format | None]:
    """The formats the first known value asks for; several values are what SPARQLWrapper sends
    (`format=tsv&format=text/tab-separated-values`). All unknown: UnknownFormat for the first."""
    first: UnknownFormat | None = None
    for value in values:
        if not value.strip():
            continue
        try:
            return formats_from_param(value)
        except UnknownFormat as exc:
            first = first or exc
    if first is not None:
        raise first
    return None, None


def formats_from_param(value: str) -> tuple[Format | None, Format | None]:
    """(results format, graph format) a `format=` value asks for: a short name or a media type."""
    key = value.strip().lower()
    if key in FORMAT_PARAM:
        rname, gname = FORMAT_PARAM[key]
        return (
            format_by_name(rname, RESULTS_FORMATS) if rname else None,
            format_by_name(gname, GRAPH_FORMATS) if gname else None,
        )
    media = key.split(";", 1)[0].strip()
    results = next((f for f in RESULTS_FORMATS if media in f.accepted), None)
    graph = next((f for f in GRAPH_FORMATS if media in f.accepted), None)
    if results is None and graph is None:
        known = ", ".join(sorted(FORMAT_PARAM))
        raise UnknownFormat(f"unknown format {value!r}; use one of: {known}, or a media type")
    return results, graph
