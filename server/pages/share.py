"""`POST /editor/share`: the editor's short share link (the format: server/pages/sharelinks.py)."""

from __future__ import annotations

import json

from flask import Response, abort, make_response, request, url_for

from server.pages.sharelinks import MAIL_SAFE_CHARS, VIEW_CHARS, encode
from server.pages.views import bp


@bp.post("/editor/share")
def share() -> Response:
    """`{"query", "view"}` (JSON or form) -> `{"link", "length", "mail_safe"}`: the editor's share link."""
    body = request.get_json(silent=True) if request.is_json else request.form
    query = (body or {}).get("query")
    view = str((body or {}).get("view") or "")[:VIEW_CHARS]
    if not isinstance(query, str):
        abort(400, description='no query to share: send {"query": ..., "view": ...}')
    try:
        token = encode(query)
    except ValueError as exc:
        abort(400, description=str(exc))
    args = f"z={token}" + (f"&view={view}" if view.isalnum() else "")
    link = request.host_url.rstrip("/") + url_for("pages.editor") + "?" + args
    resp = make_response(json.dumps({"link": link, "length": len(link), "mail_safe": len(link) <= MAIL_SAFE_CHARS}))
    resp.headers["Content-Type"] = "application/json"
    return resp
