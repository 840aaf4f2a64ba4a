"""Discovery and operations: service description, VoID, /health, /version."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request

import odl_graph
from odl_graph.engine import serialize_rdf
from odl_graph.errors import OdlError
from odl_graph.negotiation import (
    FORMAT_PARAM_NAMES,
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    Format,
    choose_format,
    formats_from_params,
)
from server import get_engine, settings
from server.errors import ApiError

bp = Blueprint("meta", __name__)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "formats": "http://www.w3.org/ns/formats/"}


def base_url() -> str:
    configured = settings().get("base_url") or ""
    url = configured or request.url_root
    return url if url.endswith("/") else url + "/"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def rdf_response(triples: list[ox.Triple], prefixes: dict[str, str] | None = None) -> Response:
    """Serialise a small RDF document in the format the client accepts (Turtle by default)."""
    params = [v for name in FORMAT_PARAM_NAMES for v in request.args.getlist(name)]
    fmt: Format | None = formats_from_params(params)[1] if params else choose_format(
        request.headers.get("Accept"), GRAPH_FORMATS
    )
    if fmt is None:
        offered = ", ".join(f.media_type for f in GRAPH_FORMATS)
        raise ApiError(406, f"no acceptable RDF format; available: {offered}")
    body = serialize_rdf(triples, fmt.name, {**PREFIXES, **(prefixes or {})})
    resp = Response(body, content_type=fmt.content_type)
    resp.headers.add("Vary", "Accept")
    return resp


def _graph_counts() -> dict[str, int]:
    return get_engine().triple_counts()


def service_description() -> Response:
    """SPARQL 1.1 Service Description of /sparql (a GET without query)."""
    root = base_url()
    service = _n(root + "sparql#service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("default")
    counts = _graph_counts()
    t = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(root + "sparql")),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(DCTERMS + "title"), ox.Literal("odl-graph SPARQL endpoint", language="en")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default_graph, _n(VOID + "triples"), _int(sum(counts.values()))),
    ]
    for f in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        t.append(ox.Triple(service, _n(SD + "resultFormat"), _n(f.sd_iri)))
    for i, (name, n) in enumerate(sorted((g, c) for g, c in counts.items() if g)):
        node, graph = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        t += [
            ox.Triple(dataset, _n(SD + "namedGraph"), node),
            ox.Triple(node, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(node, _n(SD + "name"), _n(name)),
            ox.Triple(node, _n(SD + "graph"), graph),
            ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")),
            ox.Triple(graph, _n(VOID + "triples"), _int(n)),
        ]
    return rdf_response(t)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))


@bp.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    """VoID: the dataset, its SPARQL endpoint, and one subset per named graph with its triple count."""
    root = base_url()
    ds = _n(root + ".well-known/void#dataset")
    counts = _graph_counts()
    t = [
        ox.Triple(ds, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(ds, _n(DCTERMS + "title"), ox.Literal("odl-graph", language="en")),
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ox.Triple(ds, _n(VOID + "triples"), _int(sum(counts.values()))),
    ]
    for i, (name, n) in enumerate(sorted((g, c) for g, c in counts.items() if g)):
        sub = _n(f"{root}.well-known/void#graph-{i}")
        t += [
            ox.Triple(ds, _n(VOID + "subset"), sub),
            ox.Triple(sub, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(sub, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(sub, _n(SD + "name"), _n(name)),
            ox.Triple(sub, _n(VOID + "triples"), _int(n)),
            ox.Triple(sub, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ]
    return rdf_response(t)


@bp.route("/health", methods=["GET"])
def health() -> Response | tuple[Response, int]:
    """Liveness and readiness: the store is loaded and workers exist."""
    try:
        status: dict[str, Any] = get_engine().status()
    except OdlError as exc:
        raise ApiError(503, f"not ready: {exc}") from exc
    return jsonify({"ok": True, "status": "ok", **status})


@bp.route("/version", methods=["GET"])
def version() -> Response:
    engine = get_engine()
    return jsonify({
        "ok": True,
        "odl_graph": odl_graph.__version__,
        "pyoxigraph": getattr(ox, "__version__", None),
        "store_version": engine.version,
    })
