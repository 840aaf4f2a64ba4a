"""The analyses API: the query catalogue (`/api/queries`), its OpenAPI 3 document and interactive
page, and the deployability diagnostic (readiness, roadmap, ranking, priorities).

Catalogue parameters are bound as typed RDF terms (pyoxigraph substitutions), never pasted into the
query text. Register with `app.register_blueprint(server.api.bp)`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, request, url_for

from odl_graph.analyses import catalogue
from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import priorities as pr
from odl_graph.analyses import roadmap as rm
from odl_graph.analyses import tables as tb
from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, Format
from odl_graph.text import sort_key
from server.engine import get_engine, settings
from server.errors import SHAPE, error_response

bp = Blueprint("api", __name__, url_prefix="/api")

# The formats a catalogue query is served in, by the short name of `format=` and of `/api/queries/x.ttl`.
API_FORMATS = {
    "select": {f.extension: f for f in RESULTS_FORMATS if f.name in ("json", "csv", "tsv")},
    "construct": {f.extension: f for f in GRAPH_FORMATS if f.name in ("turtle", "ntriples", "jsonld")},
}


def served_formats(query: catalogue.NamedQuery) -> dict[str, Format]:
    return API_FORMATS["select" if query.form == "select" else "construct"]


# -- app services ----------------------------------------------------------------------------
def base_iri() -> str:
    """Base IRI the API mints and resolves identifiers under."""
    return settings().get("base_iri") or DEFAULT_BASE_IRI


def store() -> Any:
    """What the API queries: the app's query engine, so catalogue queries and the diagnostic run in the
    killable workers under the time limit, with typed parameters passed as pyoxigraph terms."""
    return get_engine()


def tables() -> tb.Tables:
    """The diagnostic's tables for the current store version (cached per version)."""
    return tb.tables(store(), base_iri())


# -- errors: server.errors gives every failure its status and the one shape (ParameterError 400,
# NotFound 404, a time limit 503), as JSON or, for a browser, as a page.


def json_response(value: Any) -> Response:
    """A JSON answer (UTF-8 kept as is, dates and IRIs as strings)."""
    return Response(json.dumps(value, ensure_ascii=False, default=str), mimetype="application/json")


# -- catalogue -------------------------------------------------------------------------------
# -- the answers' language --------------------------------------------------------------------
LANGS = ("fr", "en")
# The analyses compute their labels in French; these keys pair an IRI with the label shown beside it.
LABEL_OF = {"category": "category_label", "usecase": "usecase_label", "status": "status_label",
            "iri": "label", "dataset": "label"}


def answer_lang() -> str:
    """`?lang=fr` (the default) or `?lang=en`: the language of the labels in the answer."""
    lang = request.args.get("lang", "fr")
    if lang not in LANGS:
        raise catalogue.ParameterError("lang", f"{lang!r} is not one of {', '.join(LANGS)}")
    return lang


def in_lang(t: tb.Tables, value: Any, lang: str) -> Any:
    """VALUE with every label that names an IRI of the graph given in LANG, falling back to the other
    language only where LANG has none (as the pages do). Bilingual pairs (`text_fr`/`text_en`) stay."""
    if isinstance(value, list):
        return [in_lang(t, v, lang) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: in_lang(t, v, lang) for k, v in value.items()}
    if lang == "fr":
        return out
    for key, label_key in LABEL_OF.items():
        iri = out.get(key)
        if label_key in out and isinstance(iri, str) and t.labels.get(iri):
            out[label_key] = t.label(iri, lang)
    return out


def _query_or_404(name: str) -> catalogue.NamedQuery | None:
    return catalogue.load_catalogue().get(name)


def _pick_format(query: catalogue.NamedQuery, ext: str | None) -> str | None:
    fmt = ext or request.args.get("format")
    if fmt == "" and ext is None:
        raise catalogue.ParameterError("format", "empty 'format'; give a format name or leave the parameter out")
    if fmt:
        return fmt
    known = [f for family in API_FORMATS.values() for f in family.values()]
    for mime, _q in request.accept_mimetypes:
        media = mime.split(";")[0].strip()
        match = next((f for f in known if media in f.accepted), None)
        if match:
            return match.extension
    return "json" if query.form == "select" else "ttl"


@bp.get("/queries")
def queries() -> Response:
    """The catalogue: name, titles, description, typed parameters, preferred view, SPARQL text."""
    out = []
    for q in catalogue.load_catalogue().values():
        entry = q.to_json()
        entry["sparql"] = q.text(base_iri())
        entry["formats"] = list(served_formats(q))
        entry["url"] = url_for("api.run_query", name=q.name)
        out.append(entry)
    return json_response(out)


@bp.get("/queries/<name>")
def run_query(name: str) -> Response:
    """Run the named catalogue query with typed parameters from the query string, in the format asked
    for by extension, `format=` or Accept (406 when the query's form cannot be served in it)."""
    ext = None
    if "." in name:
        name, ext = name.rsplit(".", 1)
    query = _query_or_404(name)
    if query is None:
        return error_response(404, f"no query named {name!r} in the catalogue")
    fmt = _pick_format(query, ext)
    formats = served_formats(query)
    if fmt not in formats:
        return error_response(
            406, f"query {name!r} ({query.form.upper()}) is served as {', '.join(formats)}, not {fmt!r}")
    values = {k: v for k, v in request.args.items() if k != "format"}
    run = catalogue.run(store(), query, values, base_iri=base_iri())
    chosen = formats[fmt]
    resp = Response(run.results.serialize(format=chosen.ox), mimetype=chosen.media_type)
    resp.headers["Content-Type"] = chosen.content_type
    if fmt in ("csv", "tsv", "ttl"):
        resp.headers["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return resp


# -- diagnostic ------------------------------------------------------------------------------
@bp.get("/diagnostic/<commune>/<usecase>")
def diagnostic(commune: str, usecase: str) -> Response:
    """The diagnostic of COMMUNE (INSEE code or IRI) for USECASE (slug or IRI), line by line."""
    t, lang = tables(), answer_lang()
    found = dg.diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase)).to_json()
    return json_response({**in_lang(t, found, lang), "lang": lang})


@bp.get("/roadmap/<commune>")
def roadmap(commune: str) -> Response:
    """What COMMUNE (any commune of the COG) should use, check, ask for, produce or buy first, step by step
    (`limit=N` keeps the first N; `paid_first=true` ranks paid data with the other steps)."""
    t, lang = tables(), answer_lang()
    limit = request.args.get("limit", "")
    if "limit" in request.args and (not limit.isdigit() or int(limit) < 1):
        raise catalogue.ParameterError("limit", f"{limit!r} is not a positive integer")
    paid_first = request.args.get("paid_first", "false")
    if paid_first not in ("true", "false"):
        raise catalogue.ParameterError("paid_first", f"{paid_first!r} is not true or false")
    c = t.resolve_commune(commune)
    steps = rm.roadmap(t, c, limit=int(limit) if limit else None, paid_first=paid_first == "true")
    return json_response({"commune": c.iri, "label": c.label, "insee": c.insee, "lang": lang,
                          "steps": in_lang(t, [asdict(s) for s in steps], lang)})


@bp.get("/ranking/<usecase>")
def ranking(usecase: str) -> Response:
    """The ACV communes ranked by readiness for USECASE, with the categories it requires."""
    t, lang = tables(), answer_lang()
    u = t.resolve_usecase(usecase)
    return json_response({"usecase": u, "label": t.label(u, lang), "lang": lang, "required": t.indispensable_of(u),
                          "ranking": in_lang(t, dg.ranking(t, u), lang)})


@bp.get("/priorities")
def priorities() -> Response:
    """The data categories to standardise first, by the use cases that need them."""
    return json_response(pr.priorities(tables()))


@bp.get("/readiness")
def readiness() -> Response:
    """Every ACV commune × every use case in one answer (what the map draws)."""
    t, lang = tables(), answer_lang()
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
    usecases = [{"usecase": u, "label": t.label(u, lang), "indispensable": len(t.indispensable_of(u))}
                for u in sorted(t.usecases, key=t.sort_key)]
    return json_response({"lang": lang, "usecases": usecases, "communes": communes})


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
    elif p.type == "iri":
        schema = {"type": "string", "minLength": 1, "maxLength": 2000}
    elif p.type != "xsd:string":  # a resource of a kind: its slug or code
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
        formats = served_formats(q)
        params = [{"name": p.name, "in": "query", "required": False,
                   "description": f"{p.description} (type {p.type})".strip(), "schema": _param_schema(p)}
                  for p in q.params]
        params.append({"name": "format", "in": "query", "required": False,
                       "description": "Result format (else from the Accept header).",
                       "schema": {"type": "string", "enum": list(formats)}})
        content = {f.media_type: {"schema": _body_schema(f.content_type)} for f in formats.values()}
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
    lang = {"name": "lang", "in": "query", "required": False,
            "description": "Language of the labels (the other one only where none exists in it)",
            "schema": {"type": "string", "enum": list(LANGS), "default": "fr"}}
    obj = {"application/json": {"schema": {"type": "object"}}}
    arr = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
    paths.update({
        "/api/diagnostic/{commune}/{usecase}": {"get": {
            "operationId": "diagnostic", "tags": ["diagnostic"],
            "summary": "Readiness of a commune for a use case, line by line", "parameters": [commune, usecase, lang],
            "responses": {"200": {"description": "Score and explanation", "content": obj},
                          **_error_responses(400, 404, 503)}}},
        "/api/roadmap/{commune}": {"get": {
            "operationId": "roadmap", "tags": ["diagnostic"],
            "summary": "Data to use, check, ask for, produce or buy first to make the most use cases ready",
            "parameters": [commune, lang, {"name": "limit", "in": "query", "required": False,
                                     "schema": {"type": "integer", "minimum": 1}},
                           {"name": "paid_first", "in": "query", "required": False,
                            "description": "Rank paid data with the other steps (by default it comes last)",
                            "schema": {"type": "boolean", "default": False}}],
            "responses": {"200": {"description": "Ordered steps", "content": obj},
                          **_error_responses(400, 404, 503)}}},
        "/api/ranking/{usecase}": {"get": {
            "operationId": "ranking", "tags": ["diagnostic"], "summary": "ACV towns ranked by readiness",
            "parameters": [usecase, lang],
            "responses": {"200": {"description": "Ranking", "content": obj}, **_error_responses(400, 404, 503)}}},
        "/api/priorities": {"get": {
            "operationId": "priorities", "tags": ["diagnostic"],
            "summary": "Data categories to standardise first",
            "responses": {"200": {"description": "Ranked categories", "content": arr},
                          **_error_responses(503)}}},
        "/api/readiness": {"get": {
            "operationId": "readiness", "tags": ["diagnostic"],
            "summary": "Readiness of every ACV commune for every use case", "parameters": [lang],
            "responses": {"200": {"description": "Matrix", "content": obj}, **_error_responses(503)}}},
    })
    return {
        "openapi": "3.0.3",
        "info": {"title": "odl-graph analyses API", "version": _version(),
                 "description": "Named queries of the odl-graph catalogue and the deployability diagnostic. "
                                "Parameters are bound as typed RDF terms."},
        # relative to where the document is served (OpenAPI 3.0 "Server Object"), never from `Host`
        "servers": [{"url": _server_url()}],
        "paths": paths,
        "components": {"schemas": {"Problem": SHAPE}},
    }


def _server_url() -> str:
    """`base_url` when set, else "/": relative to where the document is served, never from `Host`."""
    from flask import current_app, has_app_context

    configured = current_app.config.get("ODL", {}).get("base_url") if has_app_context() else ""
    return (configured or "/").rstrip("/") or "/"


def _version() -> str:
    from odl_graph import __version__

    return __version__


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3 description of this API."""
    return json_response(openapi_document())


@bp.get("/docs")
def docs() -> Response:
    """The interactive API page, in the site's layout."""
    from server.pages.i18n import request_lang
    from server.pages.views import render

    lang, explicit = request_lang(request)
    return render("analyses/api_docs.html", lang, explicit, spec_url=url_for("api.openapi"))
