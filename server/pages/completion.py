"""`/editor/complete.json`: the editor's completion by label (odl_graph.completion), one index per store
version, built on first use like the search index, answering from memory in milliseconds."""

from __future__ import annotations

import json
import threading

from flask import Response, current_app, make_response, request

from odl_graph.completion import MAX_SUGGESTIONS, CompletionIndex
from server.pages.i18n import request_lang
from server.pages.views import base_iri, bp, engine, kind_label, search_index

_lock = threading.Lock()


def completion_index() -> CompletionIndex:
    """The classes and properties of the current store version, built once per version."""
    eng = engine()
    version = getattr(eng, "version", None)
    cache = current_app.extensions.setdefault("odl_pages_completion", {})
    with _lock:
        if cache.get("version") != version or "index" not in cache or version is None:
            cache["index"] = CompletionIndex.build(eng, base_iri())
            cache["version"] = version
        return cache["index"]


@bp.get("/editor/complete.json")
def complete() -> Response:
    """Suggestions for `q` in the page's language: `{"q", "suggestions": [{kind, iri, text, label, lang,
    detail, prefix?}]}`, at most MAX_SUGGESTIONS classes, properties and resources each."""
    lang, _explicit = request_lang(request)
    q = request.args.get("q", "")[:200]
    index = search_index()
    found = completion_index().complete(q, index, lang, MAX_SUGGESTIONS,
                                        kind_label=lambda kind: kind_label(index, kind, lang))
    resp = make_response(json.dumps({"q": q, "lang": lang, "suggestions": [s.as_dict() for s in found]},
                                    ensure_ascii=False))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp
