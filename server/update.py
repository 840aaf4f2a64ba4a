"""SPARQL Update at /update and the Graph Store Protocol at /store: off unless a token is set."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request

from odl_graph.engine import graph_store_update
from odl_graph.negotiation import GRAPH_FORMATS, choose_format
from server import get_engine, settings
from server.errors import ApiError
from server.sparql import result_response

bp = Blueprint("update", __name__)


@bp.before_request
def _require_token() -> None:
    """401 without credentials, 403 with wrong ones or when no token is configured."""
    if request.method == "OPTIONS":
        return
    token = settings().get("update_token") or ""
    if not token:
        raise ApiError(403, "updates are disabled on this server: no update token is configured (ODL_UPDATE_TOKEN)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "this endpoint needs 'Authorization: Bearer <token>'",
                       {"WWW-Authenticate": 'Bearer realm="odl-graph"'})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(403, "invalid update token")


@bp.route("/update", methods=["POST"])
def update() -> Response:
    if request.mimetype == "application/x-www-form-urlencoded":
        values = request.form.getlist("update")
        if len(values) != 1:
            raise ApiError(400, "give exactly one 'update' parameter in the form body")
        text = values[0]
    elif request.mimetype == "application/sparql-update":
        try:
            text = request.get_data(cache=False).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, f"update body is not UTF-8: {exc}") from exc
    else:
        raise ApiError(415, "send the update as application/sparql-update or a form with 'update'")
    if not text.strip():
        raise ApiError(400, "empty update")
    version = get_engine().update(text)
    return jsonify({"ok": True, "store_version": version})


def _target_graph() -> str | None:
    """`?graph=IRI` or `?default`: exactly one."""
    graph = request.args.getlist("graph")
    default = "default" in request.args
    if default == bool(graph) or len(graph) > 1:
        raise ApiError(400, "give exactly one of '?default' or '?graph=IRI'")
    return None if default else graph[0]


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response | tuple[str, int]:
    graph = _target_graph()
    engine = get_engine()
    try:
        if request.method == "GET":
            fmt = choose_format(request.headers.get("Accept"), GRAPH_FORMATS)
            if fmt is None:
                raise ApiError(406, "no acceptable RDF format; available: "
                               + ", ".join(f.media_type for f in GRAPH_FORMATS))
            resp = result_response(engine.graph_get(graph, fmt))
            resp.headers.add("Vary", "Accept")
            return resp
        existed = graph is None or graph in engine.triple_counts()
        if request.method == "DELETE" and not existed:
            raise ApiError(404, f"no graph named <{graph}>")
        body = request.get_data(cache=False) if request.method != "DELETE" else b""
        engine.update(graph_store_update(request.method, graph, body, request.content_type or ""))
    except ValueError as exc:
        raise ApiError(400, f"invalid graph IRI: {exc}") from exc
    return "", 201 if request.method == "PUT" and not existed else 204
