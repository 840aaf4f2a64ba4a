"""The SPARQL 1.1 endpoint as a Flask application factory (nothing is created at import time)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response

from odl_graph.config import SETTINGS_BY_NAME, load_settings

EXPOSED_HEADERS = "X-ODL-Truncated, X-ODL-Row-Cap, X-ODL-Rows, X-ODL-Cache, Content-Type, Vary"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. `config` holds setting overrides (see docs/settings.md) and Flask keys."""
    config = dict(config or {})
    overrides = {k.lower(): v for k, v in config.items() if k.lower() in SETTINGS_BY_NAME}
    flask_keys = {k: v for k, v in config.items() if k.lower() not in SETTINGS_BY_NAME}
    settings = load_settings(overrides)

    app = Flask(__name__)
    app.config.update(flask_keys)
    app.config["ODL"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["max_body_bytes"]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    from server import engine, errors, headers, meta, sparql, update

    engine.init_app(app)
    headers.init_app(app)

    errors.register(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(meta.bp)
    app.register_blueprint(update.bp)
    from server import analyses, api  # query catalogue API, OpenAPI, diagnostic pages

    app.register_blueprint(api.bp)
    app.register_blueprint(analyses.bp)
    from server import pages  # Linked Data pages, /def, /editor, /explore

    app.register_blueprint(pages.bp)

    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    if settings["cors"]:
        app.after_request(_cors)
    return app


def _favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: the same icon as the pages' SVG one."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder or "static", "pages/favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


WRITE_BLUEPRINTS = frozenset({"update"})  # /update and /store: token-bearing clients only, no CORS


def _cors(resp: Response) -> Response:
    """CORS on the read endpoints only: a page on another origin must not drive the write endpoints."""
    from flask import request

    if request.blueprint in WRITE_BLUEPRINTS:
        return resp
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    resp.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    resp.headers["Access-Control-Max-Age"] = "86400"
    return resp
