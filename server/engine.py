"""The app's query engine and settings, in the manner of the Flask tutorial's db.py.

`init_app(app)` prepares the slot; `get_engine()` creates and starts the engine on first use (it
loads the store and forks the workers, so an app that never queries costs nothing); `close_engine`
stops it. `settings()` is the one way the web layer reads the configuration.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app, request

from odl_graph.engine import Engine
from odl_graph.engine.schedule import CLIENT

_KEY = "odl_engine"


def init_app(app: Flask) -> None:
    """Give the app its (not yet started) engine slot."""
    app.extensions[_KEY] = None
    app.extensions[_KEY + "_lock"] = threading.Lock()
    app.before_request(_bind_client)


def client_address() -> str:
    """Who sent this request, for the fairness of the query workers: the connection's address, or
    behind `proxy_hops` trusted proxies the X-Forwarded-For entry they vouch for (a client can
    prepend anything, so only the entries the proxies appended count)."""
    hops = int(settings().get("proxy_hops", 0) or 0)
    if hops > 0:
        forwarded = [a.strip() for a in ",".join(request.headers.getlist("X-Forwarded-For")).split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or ""


def _bind_client() -> None:
    CLIENT.set(client_address())


def settings() -> dict[str, Any]:
    """The app's settings (odl_graph.config, with the overrides create_app was given)."""
    return current_app.config["ODL"]


def get_engine(app: Flask | None = None) -> Engine:
    """The app's query engine, created and started on first use (loads the store, forks workers)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get(_KEY)
    if engine is None:
        with app.extensions[_KEY + "_lock"]:
            engine = app.extensions.get(_KEY)
            if engine is None:
                engine = Engine.from_settings(app.config["ODL"])
                engine.start()
                app.extensions[_KEY] = engine
    return engine


def started_engine(app: Flask) -> Engine | None:
    """The engine if a request already started it (the WSGI fast paths never start one)."""
    return app.extensions.get(_KEY)


def close_engine(app: Flask) -> None:
    """Stop the engine's workers; the next get_engine() starts a new one."""
    engine = app.extensions.get(_KEY)
    if engine is not None:
        engine.close()
        app.extensions[_KEY] = None
