"""A town's next steps in the site: the programme synthesis as a page and a PDF (`/analyses/report`,
`/analyses/report.pdf`).

The synthesis is computed from the graph alone (odl_graph.analyses.report) once per store version and
kept: it reads every ACV town's roadmap, and its PDF takes WeasyPrint several seconds, so no request
pays for it twice. Register with `app.register_blueprint(server.town.bp)`.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Response, make_response, request, url_for
from markupsafe import Markup

from odl_graph.analyses import report as rp
from server.api import base_iri, store
from server.pages.i18n import request_lang
from server.pages.views import local_href, render

bp = Blueprint("town", __name__, url_prefix="/analyses")

_lock = threading.Lock()
_cache: dict[tuple[Any, str, str], Any] = {}


def _cached(kind: str, make: Any) -> Any:
    """One value per (store version, kind): the synthesis data, the PDF."""
    engine = store()
    key = (engine.version, base_iri(), kind)
    with _lock:
        if key not in _cache:
            for old in [k for k in _cache if k[0] != key[0] or k[1] != key[1]]:
                del _cache[old]
            _cache[key] = make()
        return _cache[key]


def synthesis() -> dict[str, Any]:
    return _cached("data", lambda: rp.synthesis(store(), base_iri()))


@bp.get("/report")
def report() -> Response:
    """The synthesis inside the site's layout; its commune links go to this site's commune pages."""
    lang, explicit = request_lang(request)
    body = rp.render_body(synthesis(), href=local_href, pdf_href=url_for("town.report_pdf"))
    return render("analyses/report.html", lang, explicit, report_body=Markup(body))  # the report's template escapes


@bp.get("/report.pdf")
def report_pdf() -> Response:
    """The same synthesis as a printable PDF (A4), as `odl-graph report` writes it."""
    pdf = _cached("pdf", lambda: rp.pdf_bytes(rp.render_html(synthesis())))
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = 'inline; filename="synthese-acv-data.pdf"'
    return resp
