"""SPARQL Update at /update and the Graph Store Protocol at /store.

Writes (updates, PUT, POST, DELETE) are off unless a token is set; reading a graph (GET, HEAD) is
public, as the same graphs are through /sparql.
"""

from __future__ import annotations

import hmac
import uuid
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request

from odl_graph import iris
from odl_graph.negotiation import GRAPH_FORMATS, choose_format
from server.engine import get_engine, settings
from server.errors import ApiError
from server.meta import base_url
from server.sparql import request_base_iri, request_params, result_response

bp = Blueprint("update", __name__)


@bp.before_request
def _require_token() -> None:
    """401 without credentials, 403 with wrong ones or when no token is configured."""
    if request.method == "OPTIONS" or (request.endpoint == "update.graph_store" and request.method in ("GET", "HEAD")):
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
    request.max_content_length = settings()["max_write_bytes"]  # authorised writes may be large


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
    using, using_named = request_params("using-graph-uri"), request_params("using-named-graph-uri")
    for iri in (*using, *using_named):
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise ApiError(400, f"invalid using-graph-uri / using-named-graph-uri: {exc}") from exc
    version = get_engine().update(text, base_iri=request_base_iri(), using=using, using_named=using_named)
    return jsonify({"ok": True, "store_version": version})


def _target_graph() -> str | None:
    """`?graph=IRI` or `?default`: exactly one."""
    graph = request.args.getlist("graph")
    default = "default" in request.args
    if default == bool(graph) or len(graph) > 1:
        raise ApiError(400, "give exactly one of '?default' or '?graph=IRI'")
    return None if default else graph[0]


def _new_graph_iri() -> str:
    """IRI minted for a graph created by POST to the graph store (docs/design.md)."""
    return f"{settings().get('base_iri') or iris.BASE}graph/store/{uuid.uuid4().hex}"


def _checked(media: str) -> str:
    """415 for a media type that is not an RDF graph syntax pyoxigraph parses (a table lookup)."""
    fmt = ox.RdfFormat.from_media_type(media.split(";", 1)[0].strip()) if media else None
    if fmt is None or fmt.supports_datasets:
        raise ApiError(415, f"unsupported RDF media type {media!r}; send Turtle, N-Triples, JSON-LD or RDF/XML")
    return media


def _payload() -> list[tuple[bytes, str]]:
    """The RDF documents of a PUT/POST: the body, or each part of a multipart/form-data body
    (media type from the part's Content-Type, else from its file name)."""
    if request.mimetype != "multipart/form-data":
        return [(request.get_data(cache=False), _checked(request.content_type or ""))]
    parts = []
    for part in request.files.values():
        media = part.mimetype
        if not media or media == "application/octet-stream":
            fmt = ox_format_from_name(part.filename or "")
            media = fmt.media_type if fmt is not None else ""
        if not media:
            raise ApiError(415, f"multipart part {part.name!r} ({part.filename!r}) has no RDF media type; "
                                "give it a Content-Type or a file extension such as .ttl")
        parts.append((part.read(), _checked(media)))
    if not parts:
        raise ApiError(400, "the multipart body has no file part")
    return parts


def ox_format_from_name(filename: str) -> ox.RdfFormat | None:
    _, dot, ext = filename.rpartition(".")
    return ox.RdfFormat.from_extension(ext) if dot and ext else None


@bp.route("/store", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    created = request.method == "POST" and not request.args
    graph = _new_graph_iri() if created else _target_graph()
    engine = get_engine()
    try:
        if request.method in ("GET", "HEAD"):
            fmt = choose_format(request.headers.get("Accept"), GRAPH_FORMATS)
            if fmt is None:
                raise ApiError(406, "no acceptable RDF format; available: "
                               + ", ".join(f.media_type for f in GRAPH_FORMATS))
            resp = result_response(engine.graph_get(graph, fmt, stream=True))
            resp.headers.add("Vary", "Accept")
            return resp
        if graph is not None:
            ox.NamedNode(graph)  # ValueError on a bad IRI
        parts = _payload() if request.method != "DELETE" else []
        if created and not any(body.strip() for body, _media in parts):
            raise ApiError(400, "nothing to create: the body holds no triple")
        _version, existed = engine.graph_write(request.method, graph, parts)
    except ValueError as exc:
        raise ApiError(400, f"invalid graph IRI: {exc}") from exc
    if created:
        location = f"{base_url()}store?graph={quote(graph or '', safe='')}"
        return "", 201, {"Location": location}
    return "", 201 if request.method in ("PUT", "POST") and not existed else 204
