"""One JSON error shape for every endpoint: {"ok": false, "status", "error", "errors": [...]}.

Every failure a client can cause maps to a 4xx/503 here; a 500 is a bug: ours (`internal error`), or
the engine's (EngineFailure, with the engine's own message).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

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
from odl_graph.errors import ConfigError, OdlError, QueryError, StoreError
from odl_graph.negotiation import UnknownFormat

STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (QueryTimeout, 503),
    (EngineBusy, 503),
    (WorkerCrashed, 503),
    (MemoryLimit, 503),
    (EngineFailure, 500),  # deterministic: the same query fails again, so no 503 inviting a retry
    (StoreError, 503),
    (NotAcceptable, 406),
    (GraphNotFound, 404),
    (UpdateRejected, 400),
    (RowCapExceeded, 400),  # 400: the status whose message every client (SPARQLWrapper, rdflib, Comunica) shows
    (UnknownFormat, 400),
    (QueryError, 400),
    (ConfigError, 400),
)


class ApiError(OdlError):
    """An error a view raises with its HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}
        super().__init__(message)


def error_response(
    status: int, message: str, errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "ok": False,
        "status": status,
        "error": message,
        "errors": errors if errors is not None else [{"message": message, "line": None, "column": None}],
    }
    resp = jsonify(body)
    resp.status_code = status
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
