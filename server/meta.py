"""Discovery and operations: service description, VoID, /health, /version."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request, send_file

import odl_graph
from odl_graph import licences
from odl_graph.analyses import dcat
from odl_graph.dumps import read_manifest
from odl_graph.engine import serialize_rdf
from odl_graph.engine.process import process_memory
from odl_graph.errors import OdlError
from odl_graph.negotiation import (
    FORMAT_PARAM_NAMES,
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    Format,
    choose_format,
    formats_from_params,
    negotiate,
)
from server.engine import get_engine, settings
from server.errors import ApiError

bp = Blueprint("meta", __name__)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "formats": "http://www.w3.org/ns/formats/"}


def base_url() -> str:
    """The server's public URL: `base_url` when set, else the address it listens on, never the `Host`
    header (a client chooses it, and a URL built from it would be served back to others from a cache)."""
    configured = settings().get("base_url") or ""
    if configured:
        return configured if configured.endswith("/") else configured + "/"
    env = request.environ
    scheme = env.get("wsgi.url_scheme", "http")
    host = env.get("SERVER_NAME") or "localhost"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    port = str(env.get("SERVER_PORT") or "")
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{host}{'' if port in ('', default) else ':' + port}{request.script_root}/"


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


def _union_count(counts: dict[str, int]) -> int:
    """Triples of the dataset: the default graph, the set union of the named graphs (a triple two graphs
    hold counts once); the remote backend may not report it, then the sum of the graphs."""
    return counts[""] if counts.get("") else sum(counts.values())


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
        ox.Triple(default_graph, _n(VOID + "triples"), _int(_union_count(counts))),
    ]
    t += [ox.Triple(dataset, _n(VOID + "dataDump"), _n(dump_url(e))) for e in _dumps_or_none() if e["graph"] is None]
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
        ox.Triple(ds, _n(VOID + "triples"), _int(_union_count(counts))),
    ]
    lic = licences.graph_licence(settings())
    if lic is not None:
        t.append(ox.Triple(ds, _n(DCTERMS + "license"), _n(lic.iri)))
    dumps = _dumps_or_none()
    t += [ox.Triple(ds, _n(VOID + "dataDump"), _n(dump_url(e))) for e in dumps if e["graph"] is None]
    for i, (name, n) in enumerate(sorted((g, c) for g, c in counts.items() if g)):
        sub = _n(f"{root}.well-known/void#graph-{i}")
        t += [ox.Triple(sub, _n(VOID + "dataDump"), _n(dump_url(e))) for e in dumps if e["graph"] == name]
        t += [
            ox.Triple(ds, _n(VOID + "subset"), sub),
            ox.Triple(sub, RDF_TYPE, _n(VOID + "Dataset")),
            ox.Triple(sub, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(sub, _n(SD + "name"), _n(name)),
            ox.Triple(sub, _n(VOID + "triples"), _int(n)),
            ox.Triple(sub, _n(VOID + "sparqlEndpoint"), _n(root + "sparql")),
        ]
    return rdf_response(t)


# -- dumps and the DCAT-AP description ----------------------------------------------------------------
def manifest() -> tuple[Path, list[dict[str, Any]]]:
    """The newest dump folder and its manifest (maybe of an older version than the data: see `dumps_state`)."""
    engine = get_engine()
    found = engine.dumps()
    if found is None:
        if engine.mode == "remote":
            raise ApiError(404, "no dumps here: the remote store backend writes none (use `odl-graph export DIR`)")
        raise ApiError(503, "the dumps of this store version are being made; retry in a minute",
                       {"Retry-After": "60"})
    entries = read_manifest(found[1])
    if entries is None:
        raise ApiError(503, "the dumps are being made; retry in a minute", {"Retry-After": "60"})
    return found[1], entries


def dumps_state() -> dict[str, Any]:
    """Which store version the dumps hold, and whether the data changed since (said on every answer)."""
    engine = get_engine()
    found = engine.dumps()
    dumped = found[0] if found else None
    stale = dumped is not None and dumped != engine.version
    return {"dumps_version": dumped, "store_version": engine.version, "stale": stale,
            "note": (f"these dumps hold store version {dumped}; the data changed since (version "
                     f"{engine.version}); fresh dumps are being made") if stale else None}


def dump_url(entry: dict[str, Any]) -> str:
    return base_url() + "download/" + quote(entry["file"])


def _dumps_or_none() -> list[dict[str, Any]]:
    try:
        return manifest()[1]
    except ApiError:
        return []


@bp.route("/download/", methods=["GET"])
def downloads() -> Response:
    """The dump files: an HTML table (French by default) or, for `Accept: application/json`, JSON."""
    _folder, entries = manifest()
    files = [{**e, "url": dump_url(e)} for e in entries]
    lic = licences.graph_licence(settings())
    if negotiate(request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json" \
            or request.args.get("format") == "json":
        resp = jsonify({"ok": True, **dumps_state(), "licence": lic.as_json() if lic else None, "files": files})
    else:
        from server.pages.i18n import request_lang
        from server.pages.views import render

        lang, explicit = request_lang(request)
        resp = render("pages/downloads.html", lang, explicit, files=files, catalog_url=base_url() + "catalog",
                      json_url=base_url() + "download/?format=json", dumps=dumps_state())
    resp.vary.add("Accept")
    return resp


@bp.route("/download/<name>", methods=["GET"])
def download(name: str) -> Response:
    folder, entries = manifest()
    entry = next((e for e in entries if e["file"] == name), None)
    if entry is None:
        raise ApiError(404, f"no dump named {name!r}; the list is at /download/")
    resp = send_file(folder / entry["file"], mimetype="application/gzip", as_attachment=True,
                     download_name=entry["file"], etag=entry["sha256"], conditional=True)
    digest = base64.b64encode(bytes.fromhex(entry["sha256"])).decode()
    resp.headers["Repr-Digest"] = f"sha-256=:{digest}:"  # RFC 9530: the checksum of the file as sent
    state = dumps_state()
    resp.headers["X-ODL-Dumps-Version"] = state["dumps_version"] or ""
    resp.headers["X-ODL-Dumps-Stale"] = "true" if state["stale"] else "false"
    return resp


def _catalogue_triples() -> list[ox.Triple]:
    """The catalogue's triples, read from the store once per store version, dumps and public URL (its
    queries take a few hundred milliseconds on the shipped graph; the answer only changes with those)."""
    engine = get_engine()
    dumps, root = _dumps_or_none(), base_url()
    key = (engine.version, root, tuple(e["sha256"] for e in dumps))
    cached = current_app.extensions.get("odl_catalog")
    if cached is not None and cached[0] == key:
        return cached[1]
    graph_facts = dcat.facts(engine, settings().get("base_iri") or "")
    triples = dcat.catalogue(root, dumps, graph_facts, settings(), engine.version)
    current_app.extensions["odl_catalog"] = (key, triples)  # one assignment: readers see a whole entry
    return triples


@bp.route("/catalog", methods=["GET"])
def catalog() -> Response:
    """DCAT-AP 3 description of the graph: catalogue, dataset, dumps as distributions, SPARQL service and
    the dataset records; in the format the pages' table chooses (HTML for a browser, or one of the RDF
    formats by `Accept` or `?format=`)."""
    from server.pages.i18n import request_lang
    from server.pages.views import HTML, PAGE_FORMATS, render

    triples = _catalogue_triples()
    params = [v for name in FORMAT_PARAM_NAMES for v in request.args.getlist(name)]
    if params or choose_format(request.headers.get("Accept"), PAGE_FORMATS) != HTML:
        return rdf_response(triples, dcat.PREFIXES)
    lang, explicit = request_lang(request)
    model = dcat.page_model(triples, base_url(), lang, settings().get("base_iri") or "")
    formats = [{"label": f.label, "href": base_url() + "catalog?format=" + f.extension, "type": f.media_type}
               for f in GRAPH_FORMATS]
    return render("pages/catalog.html", lang, explicit, model=model, formats=formats, alternates=[
        {"type": f["type"], "href": f["href"], "label": f["label"]} for f in formats])


@bp.route("/health", methods=["GET"])
def health() -> Response | tuple[Response, int]:
    """Liveness and readiness: the store is loaded and workers exist."""
    try:
        status: dict[str, Any] = get_engine().status()
    except OdlError as exc:
        raise ApiError(503, f"not ready: {exc}") from exc
    return jsonify({"ok": True, "status": "ok", **status, "server_memory": process_memory()})


@bp.route("/version", methods=["GET"])
def version() -> Response:
    engine = get_engine()
    return jsonify({
        "ok": True,
        "odl_graph": odl_graph.__version__,
        "pyoxigraph": getattr(ox, "__version__", None),
        "store_version": engine.version,
    })
