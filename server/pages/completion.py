"""`/editor/complete.json`: the editor's completion by label (odl_graph.completion), answered from memory
in milliseconds from two indexes per store version (the search index and the classes and properties).

Building them takes seconds on the full graph (about 8 s and 2.5 s on a loaded machine), so no request
waits for it: the first one starts a build in a background thread and is answered `"pending": true`
with no suggestion (the editor asks again shortly); the editor page asks once as it opens.
A store without versions (remote) is indexed at each request, as the search does."""

from __future__ import annotations

import json
import threading

from flask import Response, current_app, make_response, request

from odl_graph.completion import MAX_SUGGESTIONS, CompletionIndex
from server.pages.i18n import request_lang
from server.pages.views import bp, engine, kind_label, per_version, search_index

_warm_lock = threading.Lock()


def completion_index() -> CompletionIndex:
    """The classes and properties of the current store version, built once per version."""
    return per_version("completion", CompletionIndex.build)


def _built(name: str, version: str | None) -> bool:
    cache = current_app.extensions.get(name, {})
    return "index" in cache and cache.get("version") == version


def ready() -> bool:
    """Whether both indexes of the current store version are built; if not, a build is started (one at
    a time) in a background thread."""
    version = getattr(engine(), "version", None)
    if version is None or (_built("odl_pages_search", version) and _built("odl_pages_completion", version)):
        return True
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.setdefault("odl_pages_completion_warm", {})
    with _warm_lock:
        running = state.get("thread")
        if running is not None and running.is_alive():
            return False

        def build() -> None:
            with app.app_context():
                try:
                    search_index()
                    completion_index()
                except Exception:  # the next request tries again; the error is in the log
                    app.logger.exception("building the completion indexes failed")

        state["thread"] = threading.Thread(target=build, name="completion-index", daemon=True)
        state["thread"].start()
    return False


@bp.get("/editor/complete.json")
def complete() -> Response:
    """Suggestions for `q` in the page's language: `{"q", "suggestions": [{kind, iri, text, label, lang,
    detail, prefix?}]}`, at most MAX_SUGGESTIONS classes, properties and resources each; `"pending": true`
    and none while the indexes are being built."""
    lang, _explicit = request_lang(request)
    q = request.args.get("q", "")[:200]
    if not ready():
        resp = make_response(json.dumps({"q": q, "lang": lang, "pending": True, "suggestions": []}))
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        resp.headers["Cache-Control"] = "no-store"
        return resp
    index = search_index()
    found = completion_index().complete(q, index, lang, MAX_SUGGESTIONS,
                                        kind_label=lambda kind: kind_label(index, kind, lang))
    resp = make_response(json.dumps({"q": q, "lang": lang, "suggestions": [s.as_dict() for s in found]},
                                    ensure_ascii=False))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp
