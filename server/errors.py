"""One error shape for every endpoint: {"ok": false, "status", "error", "errors": [...]}, each item
{"message", "line", "column"} plus "parameter" when a request parameter is at fault (`SHAPE`).

Every failure a client can cause maps to a 4xx/503 here; a 500 is a bug: ours (`internal error`), or
the engine's (EngineFailure, with the engine's own message). A client that prefers HTML (a browser
following a link) gets the same status and message as a page in the site's layout instead.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from odl_graph.analyses.catalogue import ParameterError
from odl_graph.engine import (
    EngineBusy,
    EngineFailure,
    GraphNotFound,
    MemoryLimit,
    NotAcceptable,
    QueryTimeout,
    RowCapExceeded,
    UpdateRejected,
    WorkerCrashed,
)
from odl_graph.errors import ConfigError, EvaluationError, NotFound, OdlError, QueryError, StoreError
from odl_graph.negotiation import UnknownFormat, negotiate

STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (QueryTimeout, 503),
    (EngineBusy, 503),
    (WorkerCrashed, 503),
    (MemoryLimit, 503),
    (EngineFailure, 500),  # deterministic: the same query fails again, so no 503 inviting a retry
    (StoreError, 503),
    (EvaluationError, 500),  # well-formed but could not run (a failed request; the protocol's 5XX)
    (NotAcceptable, 406),
    (GraphNotFound, 404),
    (NotFound, 404),
    (ParameterError, 400),
    (UpdateRejected, 400),
    (RowCapExceeded, 400),  # 400: the status whose message every client (SPARQLWrapper, rdflib, Comunica) shows
    (UnknownFormat, 400),
    (QueryError, 400),
    (ConfigError, 400),
)


# The shape as JSON Schema (OpenAPI 3.0 dialect: `nullable`), published in /api/openapi.json.
SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "status", "error", "errors"],
    "additionalProperties": False,
    "properties": {
        "ok": {"type": "boolean", "enum": [False]},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "error": {"type": "string", "minLength": 1},
        "errors": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["message", "line", "column"], "additionalProperties": False,
            "properties": {
                "message": {"type": "string", "minLength": 1},
                "line": {"type": "integer", "nullable": True},
                "column": {"type": "integer", "nullable": True},
                "parameter": {"type": "string"},
            }}},
    },
}
# Titles of the HTML error page, by status (the message under it says what was wrong).
TITLES = {400: "error_400", 401: "error_401", 403: "error_403", 404: "error_404", 405: "error_405",
          406: "error_406", 413: "error_413", 503: "error_503"}


class ApiError(OdlError):
    """An error a view raises with its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}
        super().__init__(message)


def wants_html() -> bool:
    """Does the client prefer a page to JSON (a browser), and can this app render one?"""
    if "pages" not in current_app.blueprints:
        return False
    return negotiate(request.headers.get("Accept"), ("application/json", "text/html")) == "text/html"


def error_page(status: int, message: str) -> Response:
    """The error as a page of the site, in the reader's language (the message is the server's, in English)."""
    from server.pages.i18n import request_lang
    from server.pages.views import render

    lang, explicit = request_lang(request)
    title = TITLES.get(status, "error_400" if status < 500 else "error_other")
    resp = render("pages/error.html", lang, explicit, status=status, title_key=title, message=message,
                  path=request.path)
    resp.status_code = status
    return resp


def error_response(
    status: int, message: str, errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The error in the one shape (JSON), or as a page for a browser."""
    resp = None
    if wants_html():
        try:
            resp = error_page(status, message)
        except Exception:  # a page that cannot render must not hide the error: JSON then
            current_app.logger.exception("error page failed")
    if resp is None:
        resp = jsonify({
            "ok": False,
            "status": status,
            "error": message,
            "errors": errors if errors is not None else [{"message": message, "line": None, "column": None}],
        })
        resp.status_code = status
    resp.vary.add("Accept")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def status_of(exc: BaseException, default: int = 400) -> int:
    """The HTTP status of an odl error (one table for every endpoint)."""
    return next((code for cls, code in STATUS if isinstance(exc, cls)), default)


def _from_odl(exc: OdlError) -> Response:
    if isinstance(exc, ApiError):
        return error_response(exc.status, str(exc), headers=exc.headers)
    status = status_of(exc)
    if isinstance(exc, QueryError):
        message = str(exc)
        detail = message.split(": ", 1)[1] if message.startswith("error at ") and ": " in message else message
        errors = [{"message": detail, "line": exc.line, "column": exc.column}]
        prefix = "malformed SPARQL" if exc.line is not None else "query failed"
        return error_response(status, f"{prefix}: {message}", errors)
    if isinstance(exc, ParameterError):
        return error_response(status, str(exc), [{"message": str(exc), "line": None, "column": None,
                                                  "parameter": exc.name}])
    if isinstance(exc, EngineBusy) and exc.retry_after:
        return error_response(status, str(exc), headers={"Retry-After": str(exc.retry_after)})
    return error_response(status, str(exc))


def _from_http(exc: HTTPException) -> Response:
    message = exc.description or exc.name
    if exc.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"request body too large (limit {limit} bytes)"
    resp = error_response(exc.code or 500, message)
    if exc.code == 405 and exc.response is None:
        valid = getattr(exc, "valid_methods", None)
        if valid:
            resp.headers["Allow"] = ", ".join(valid)
    return resp


def _unexpected(exc: Exception) -> Response:
    current_app.logger.exception("unexpected error")
    return error_response(500, f"internal error: {type(exc).__name__}")


def register(app: Flask) -> None:
    app.register_error_handler(OdlError, _from_odl)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _unexpected)
