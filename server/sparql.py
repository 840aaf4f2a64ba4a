"""The SPARQL 1.1 Protocol at /sparql: GET, POST form, POST direct; read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for

from odl_graph.engine import Result
from odl_graph.engine.facade import teed
from odl_graph.negotiation import (
    FORMAT_PARAM_NAMES,
    GRAPH_FORMATS,
    RESULTS_FORMATS,
    Format,
    choose_format,
    formats_from_params,
    negotiate,
)
from server.engine import get_engine, started_engine
from server.errors import ApiError
from server.meta import base_url, service_description

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_MESSAGE = "updates are not accepted at /sparql; send them to /update with a token"


@bp.after_request
def _vary(resp: Response) -> Response:
    resp.headers.add("Vary", "Accept")
    return resp


class CachedResponses:
    """WSGI layer that answers a repeated `GET /sparql` from the engine's result cache, without Flask.

    On a miss the request goes through Flask as usual; a 200 answer that the engine marked
    with `X-ODL-Cache` is kept whole (status, every header Flask and its hooks set, body) under the
    request's query string and `Accept`, which are everything a bodiless GET /sparql answer depends
    on, in the same byte-bounded cache and for the same store version as the engine's results. A hit
    replays it with `X-ODL-Cache: hit`: byte-identical body and headers. Measured on a cached lookup
    (100k triples, concurrency 1, loaded 2-core machine): about 1,500 req/s when the hit went
    through Flask, about 3,800 req/s here; waitress itself is most of what remains. Only GETs
    without a body take this path.
    """

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self._token = object()  # in every key: apps sharing one engine may set different headers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        engine = started_engine(self.app)
        if (
            engine is None
            or not engine.cache.enabled
            or environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != "/sparql"
            or not environ.get("QUERY_STRING")
            or environ.get("CONTENT_TYPE")
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
        ):
            return self.wsgi_app(environ, start_response)
        try:
            version = engine.checked_version()
        except Exception:  # let Flask report it
            return self.wsgi_app(environ, start_response)
        key = (self._token, environ.get("SCRIPT_NAME", ""), environ["QUERY_STRING"], environ.get("HTTP_ACCEPT"),
               environ.get("HTTP_HOST"))  # the host is part of the base IRI of relative IRIs
        hit = engine.cache.get(version, key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [body]
        seen: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        out = self.wsgi_app(environ, capture)
        if not seen or not seen[0].startswith("200 ") or not any(k == "X-ODL-Cache" for k, _ in seen[1]):
            return out  # not an answer from the engine's cache path (an error, a service description...)
        headers = [(k, "hit" if k == "X-ODL-Cache" else v) for k, v in seen[1]]

        def keep(body: bytes) -> None:
            engine.cache.put(version, key, (seen[0], tuple(headers), body), len(body) + len(key[2]) + 40 * len(headers))

        if any(k == "Content-Length" for k, _ in seen[1]):  # a whole answer (not streamed): small enough
            try:
                body = b"".join(out)
            finally:
                close = getattr(out, "close", None)
                if close is not None:
                    close()
            keep(body)
            return [body]
        return teed(out, engine.cache.max_bytes // 4, keep)  # streamed: kept only if it is small


@bp.record_once
def _install_cached_responses(state: Any) -> None:
    state.app.wsgi_app = CachedResponses(state.app.wsgi_app, state.app)


def _one(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise ApiError(400, f"the {name!r} parameter was given {len(values)} times; give it once")
    return values[0] if values else None


def request_base_iri() -> str:
    """The base IRI of relative IRIs in a query or update that sets no BASE: the request URL
    (on the configured public base URL, so it is the same behind a proxy)."""
    return base_url() + request.path.lstrip("/")


def _allow_truncated() -> bool:
    """`truncate=true` (what the editor sends): the client accepts a SELECT answer cut at the row cap."""
    values = request_params("truncate")
    return bool(values) and values[-1].strip().lower() in ("1", "true", "yes", "on")


def _graph_uris(name: str) -> list[str]:
    import pyoxigraph as ox

    uris = request_params(name)
    for uri in uris:
        try:
            ox.NamedNode(uri)
        except ValueError as exc:
            raise ApiError(400, f"{name} {uri!r} is not a valid absolute IRI: {exc}") from exc
    return uris


def _read_query() -> str | None:
    """The query text from whichever of the three protocol forms the request uses."""
    if request.method == "GET":
        if request.args.getlist("update"):
            raise ApiError(400, UPDATE_MESSAGE)
        return _one(request.args.getlist("query"), "query")
    mimetype = request.mimetype
    if mimetype == FORM:
        if request.form.getlist("update"):
            raise ApiError(400, UPDATE_MESSAGE)
        query = _one(request.form.getlist("query"), "query")
        if query is None:
            raise ApiError(400, "missing 'query' parameter in the form body")
        return query
    if mimetype == DIRECT:
        data = request.get_data(cache=False)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, f"query body is not UTF-8: {exc}") from exc
    if mimetype == UPDATE:
        raise ApiError(400, UPDATE_MESSAGE)
    if not mimetype and not request.content_length:
        raise ApiError(400, "missing query: send it as 'query' in a form body or as application/sparql-query")
    raise ApiError(
        415,
        f"unsupported Content-Type {request.content_type or '(none)'!r}; use {FORM} or {DIRECT}",
    )


def request_params(name: str) -> list[str]:
    """Every value of a parameter, from the URL and, for a form POST, from the body."""
    return request.args.getlist(name) + (request.form.getlist(name) if request.mimetype == FORM else [])


def _formats() -> tuple[Format | None, Format | None]:
    params = [v for name in FORMAT_PARAM_NAMES for v in request_params(name)]
    results, graph = formats_from_params(params)
    if results is not None or graph is not None:
        return results, graph
    accept = request.headers.get("Accept")
    results, graph = choose_format(accept, RESULTS_FORMATS), choose_format(accept, GRAPH_FORMATS)
    if results is None and graph is None:
        offered = ", ".join(f.media_type for f in (*RESULTS_FORMATS, *GRAPH_FORMATS))
        raise ApiError(406, f"no acceptable format for Accept {accept!r}; available: {offered}")
    return results, graph


def result_response(result: Result) -> Response:
    resp = Response(result.body, content_type=result.format.content_type)
    if result.kind == "solutions":
        resp.headers["X-ODL-Truncated"] = "true" if result.truncated else "false"
        if result.row_cap:
            resp.headers["X-ODL-Row-Cap"] = str(result.row_cap)
        if result.rows is not None:
            resp.headers["X-ODL-Rows"] = str(result.rows)
    if result.cache is not None:
        resp.headers["X-ODL-Cache"] = result.cache
    return resp


HTML_TYPES = ("text/html", "application/xhtml+xml")


def _wants_page() -> bool:
    """A browser: it prefers HTML to every RDF syntax of the service description. HTML is offered
    last, so `*/*` and no Accept keep getting RDF."""
    if any(request.args.getlist(name) for name in FORMAT_PARAM_NAMES):
        return False  # a format asked for by name
    offered = [m for f in GRAPH_FORMATS for m in f.accepted] + list(HTML_TYPES)
    return negotiate(request.headers.get("Accept"), offered) in HTML_TYPES


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    query = _read_query()
    if query is None:  # GET without query: the editor for a browser, else describe the service
        if _wants_page() and "pages" in current_app.blueprints:
            return redirect(url_for("pages.editor"), code=303)
        return service_description()
    if not query.strip():
        raise ApiError(400, "empty query")
    results_format, graph_format = _formats()
    result = get_engine().execute(
        query,
        results_format=results_format,
        graph_format=graph_format,
        default_graph_uris=_graph_uris("default-graph-uri"),
        named_graph_uris=_graph_uris("named-graph-uri"),
        allow_truncated=_allow_truncated(),
        base_iri=request_base_iri(),
        stream=True,
    )
    return result_response(result)
