"""The analyses API: the query catalogue (`/api/queries`), its OpenAPI 3 document and interactive
page, and the deployability diagnostic (readiness, roadmap, ranking, priorities).

Catalogue parameters are bound as typed RDF terms (pyoxigraph substitutions), never pasted into the
query text. Register with `app.register_blueprint(server.api.bp)`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request, url_for

from odl_graph import catalogue
from odl_graph import diagnostic as dg
from odl_graph.config import DEFAULT_BASE_IRI, load_settings
from odl_graph.text import sort_key
from server.errors import SHAPE, error_response

bp = Blueprint("api", __name__, url_prefix="/api")

RESULT_FORMATS = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv; charset=utf-8"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values; charset=utf-8"),
}
GRAPH_FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
}
ACCEPT = {
    "application/sparql-results+json": "json", "application/json": "json", "text/csv": "csv",
    "text/tab-separated-values": "tsv", "text/turtle": "ttl", "application/n-triples": "nt",
    "application/ld+json": "jsonld",
}


# -- app services ----------------------------------------------------------------------------
def settings() -> dict[str, Any]:
    conf = current_app.config.get("ODL") or current_app.config.get("ODL_SETTINGS")
    if conf:
        return dict(conf)
    cached = current_app.extensions.get("odl_api_settings")
    if cached is None:
        cached = current_app.extensions["odl_api_settings"] = load_settings()
    return cached


def base_iri() -> str:
    return settings().get("base_iri") or DEFAULT_BASE_IRI


def store() -> Any:
    """What the API queries: the app's query engine, so catalogue queries and the diagnostic run in the
    killable workers under the time limit, with typed parameters passed as pyoxigraph terms.
    (A test app may hand in a store directly as `odl_store`.)"""
    ext = current_app.extensions
    if "odl_store" in ext:
        return ext["odl_store"]
    from server import get_engine

    return get_engine()


def tables() -> dg.Tables:
    return dg.tables(store(), base_iri())


# -- errors: server.errors gives every failure its status and the one shape (ParameterError 400,
# NotFound 404, a time limit 503), as JSON or, for a browser, as a page.


def json_response(value: Any) -> Response:
    return Response(json.dumps(value, ensure_ascii=False, default=str), mimetype="application/json")


# -- catalogue -------------------------------------------------------------------------------
def _query_or_404(name: str) -> catalogue.NamedQuery | None:
    return catalogue.load_catalogue().get(name)


def _pick_format(query: catalogue.NamedQuery, ext: str | None) -> str | None:
    fmt = ext or request.args.get("format")
    if fmt == "" and ext is None:
        raise catalogue.ParameterError("format", "empty 'format'; give a format name or leave the parameter out")
    if fmt:
        return fmt
    for mime, _q in request.accept_mimetypes:
        short = ACCEPT.get(mime.split(";")[0].strip())
        if short:
            return short
    return "json" if query.form == "select" else "ttl"


@bp.get("/queries")
def queries() -> Response:
    """The catalogue: name, titles, description, typed parameters, preferred view, SPARQL text."""
    out = []
    for q in catalogue.load_catalogue().values():
        entry = q.to_json()
        entry["sparql"] = q.text(base_iri())
        entry["formats"] = list(RESULT_FORMATS) if q.form == "select" else list(GRAPH_FORMATS)
        entry["url"] = url_for("api.run_query", name=q.name)
        out.append(entry)
    return json_response(out)


@bp.get("/queries/<name>")
def run_query(name: str) -> Response:
    ext = None
    if "." in name:
        name, ext = name.rsplit(".", 1)
    query = _query_or_404(name)
    if query is None:
        return error_response(404, f"no query named {name!r} in the catalogue")
    fmt = _pick_format(query, ext)
    formats = RESULT_FORMATS if query.form == "select" else GRAPH_FORMATS
    if fmt not in formats:
        return error_response(
            406, f"query {name!r} ({query.form.upper()}) is served as {', '.join(formats)}, not {fmt!r}")
    values = {k: v for k, v in request.args.items() if k != "format"}
    run = catalogue.run(store(), query, values, base_iri=base_iri())
    ox_format, mime = formats[fmt]
    body = run.results.serialize(format=ox_format)
    resp = Response(body, mimetype=mime.split(";")[0])
    resp.headers["Content-Type"] = mime
    if fmt in ("csv", "tsv", "ttl"):
        resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return resp


# -- diagnostic ------------------------------------------------------------------------------
@bp.get("/diagnostic/<commune>/<usecase>")
def diagnostic(commune: str, usecase: str) -> Response:
    t = tables()
    return json_response(dg.diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase)).to_json())


@bp.get("/roadmap/<commune>")
def roadmap(commune: str) -> Response:
    t = tables()
    limit = request.args.get("limit", "")
    if "limit" in request.args and (not limit.isdigit() or int(limit) < 1):
        raise catalogue.ParameterError("limit", f"{limit!r} is not a positive integer")
    c = t.resolve_commune(commune)
    steps = dg.roadmap(t, c, limit=int(limit) if limit else None)
    return json_response({"commune": c.iri, "label": c.label, "insee": c.insee, "steps": [asdict(s) for s in steps]})


@bp.get("/ranking/<usecase>")
def ranking(usecase: str) -> Response:
    t = tables()
    u = t.resolve_usecase(usecase)
    return json_response({"usecase": u, "label": t.label(u), "required": t.indispensable_of(u),
                          "ranking": dg.ranking(t, u)})


@bp.get("/priorities")
def priorities() -> Response:
    return json_response(dg.priorities(tables()))


@bp.get("/readiness")
def readiness() -> Response:
    """Every ACV commune × every use case in one answer (what the map draws)."""
    t = tables()
    matrix = dg.readiness_matrix(t)
    communes = []
    for c in sorted(t.acv.values(), key=lambda c: sort_key(c.label)):
        scores = matrix[c.iri]
        known = [s for s in scores.values() if s is not None]
        communes.append({
            "commune": c.iri, "label": c.label, "insee": c.insee, "acv_id": c.acv_id,
            "lon": c.centroid[0] if c.centroid else None, "lat": c.centroid[1] if c.centroid else None,
            "mean": sum(known) / len(known) if known else None,
            "ready": sum(1 for s in known if s == 1.0), "scores": scores,
        })
    usecases = [{"usecase": u, "label": t.label(u), "indispensable": len(t.indispensable_of(u))}
                for u in sorted(t.usecases, key=t.sort_key)]
    return json_response({"usecases": usecases, "communes": communes})


# -- OpenAPI ---------------------------------------------------------------------------------
def _param_schema(p: catalogue.Param) -> dict[str, Any]:
    """The JSON Schema of what `catalogue.to_term` accepts for this parameter type (the document
    promises no more than the server takes: schemathesis checks that every valid value is accepted)."""
    schema: dict[str, Any] = {"type": "string", "maxLength": 2000}
    if p.type == "xsd:integer":
        schema = {"type": "integer", "minimum": -(10**18 - 1), "maximum": 10**18 - 1}
    elif p.type == "xsd:boolean":
        schema = {"type": "boolean"}
    elif p.type == "xsd:date":
        schema = {"type": "string", "format": "date"}
    elif p.type == "xsd:decimal":
        schema = {"type": "string", "pattern": catalogue.DECIMAL_PATTERN}
    elif p.type == "standard":
        schema = {"type": "string", "pattern": catalogue.STANDARD_PATTERN}
    elif p.type not in ("xsd:string", "iri"):  # a resource of a kind: its slug or code
        schema = {"type": "string", "pattern": catalogue.CODE_PATTERN}
    if p.default is not None:
        schema["default"] = int(p.default) if schema["type"] == "integer" else (
            p.default == "true" if schema["type"] == "boolean" else
            float(p.default) if schema["type"] == "number" else p.default)
    return schema


def _body_schema(mime: str) -> dict[str, Any]:
    """SPARQL JSON results are an object; JSON-LD from the engine is an array of node objects."""
    if mime.startswith("application/ld+json"):
        return {"type": "array", "items": {"type": "object"}}
    return {"type": "object"} if "json" in mime else {"type": "string"}


def _error_responses(*codes: int) -> dict[str, Any]:
    text = {400: "Bad parameter", 404: "Unknown resource", 406: "Format not available",
            503: "No store, or the query hit the time or memory limit"}
    return {str(c): {"description": text[c], "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Problem"}}}} for c in codes}


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.0 description of this blueprint, generated from the catalogue."""
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries", "summary": "The query catalogue", "tags": ["catalogue"],
            "responses": {"200": {"description": "Named queries with typed parameters",
                                  "content": {"application/json": {"schema": {"type": "array", "items": {
                                      "type": "object"}}}}}}}},
    }
    for q in catalogue.load_catalogue().values():
        formats = RESULT_FORMATS if q.form == "select" else GRAPH_FORMATS
        params = [{"name": p.name, "in": "query", "required": False,
                   "description": f"{p.description} (type {p.type})".strip(), "schema": _param_schema(p)}
                  for p in q.params]
        params.append({"name": "format", "in": "query", "required": False,
                       "description": "Result format (else from the Accept header).",
                       "schema": {"type": "string", "enum": list(formats)}})
        content = {mime.split(";")[0]: {"schema": _body_schema(mime)} for _f, mime in formats.values()}
        paths[f"/api/queries/{q.name}"] = {"get": {
            "operationId": "query_" + q.name.replace("-", "_"), "tags": ["catalogue"],
            "summary": q.title_en, "description": f"{q.title_fr}\n\n{q.description}\n\nPreferred view: {q.view}. "
                                                  f"Also at /api/queries/{q.name}.<{'|'.join(formats)}>.",
            "parameters": params,
            "responses": {"200": {"description": "Query results", "content": content},
                          **_error_responses(400, 406, 503)}}}
    commune = {"name": "commune", "in": "path", "required": True,
               "description": "INSEE code of a commune, or its name (accents and case ignored)",
               "schema": {"type": "string"}, "example": "35360"}
    usecase = {"name": "usecase", "in": "path", "required": True, "description": "Slug of a use case",
               "schema": {"type": "string"}}
    obj = {"application/json": {"schema": {"type": "object"}}}
    arr = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
    paths.update({
        "/api/diagnostic/{commune}/{usecase}": {"get": {
            "operationId": "diagnostic", "tags": ["diagnostic"],
            "summary": "Readiness of a commune for a use case, line by line", "parameters": [commune, usecase],
            "responses": {"200": {"description": "Score and explanation", "content": obj},
                          **_error_responses(400, 404, 503)}}},
        "/api/roadmap/{commune}": {"get": {
            "operationId": "roadmap", "tags": ["diagnostic"],
            "summary": "Data to open or produce first to unlock the most use cases",
            "parameters": [commune, {"name": "limit", "in": "query", "required": False,
                                     "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": {"description": "Ordered steps", "content": obj},
                          **_error_responses(400, 404, 503)}}},
        "/api/ranking/{usecase}": {"get": {
            "operationId": "ranking", "tags": ["diagnostic"], "summary": "ACV towns ranked by readiness",
            "parameters": [usecase],
            "responses": {"200": {"description": "Ranking", "content": obj}, **_error_responses(400, 404, 503)}}},
        "/api/priorities": {"get": {
            "operationId": "priorities", "tags": ["diagnostic"],
            "summary": "Data categories to standardise first",
            "responses": {"200": {"description": "Ranked categories", "content": arr},
                          **_error_responses(503)}}},
        "/api/readiness": {"get": {
            "operationId": "readiness", "tags": ["diagnostic"],
            "summary": "Readiness of every ACV commune for every use case",
            "responses": {"200": {"description": "Matrix", "content": obj}, **_error_responses(503)}}},
    })
    return {
        "openapi": "3.0.3",
        "info": {"title": "odl-graph analyses API", "version": _version(),
                 "description": "Named queries of the odl-graph catalogue and the deployability diagnostic. "
                                "Parameters are bound as typed RDF terms."},
        "servers": [{"url": request.host_url.rstrip("/") if request else "/"}],
        "paths": paths,
        "components": {"schemas": {"Problem": SHAPE}},
    }


def _version() -> str:
    from odl_graph import __version__

    return __version__


@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document())


@bp.get("/docs")
def docs() -> Response:
    """The interactive API page, in the site's layout."""
    from server.pages.i18n import request_lang
    from server.pages.views import render

    lang, explicit = request_lang(request)
    return render("analyses/api_docs.html", lang, explicit, spec_url=url_for("api.openapi"))
