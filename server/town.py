"""A town's next steps in the site: the programme synthesis as a page and a PDF (`/analyses/report`,
`/analyses/report.pdf`).

The synthesis is computed from the graph alone (odl_graph.analyses.report) once per store version and
kept: it reads every ACV town's roadmap, and its PDF takes WeasyPrint several seconds, so no request
pays for it twice. Register with `app.register_blueprint(server.town.bp)`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, make_response, request, send_file, url_for
from markupsafe import Markup

from odl_graph.analyses import letters as lt
from odl_graph.analyses import peers as pr
from odl_graph.analyses import report as rp
from odl_graph.errors import OdlError
from server.api import base_iri, store, tables
from server.engine import settings
from server.errors import ApiError
from server.pages.i18n import request_lang
from server.pages.i18n import t as tr
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
    """The same synthesis as a printable PDF (A4), as `odl-graph report` writes it. WeasyPrint takes
    minutes on a big graph, so the PDF is made once per store version by that command in a child process,
    never in a request: until it is there, the answer is a 503 with Retry-After."""
    path = _pdf_ready()
    if path is None:
        raise ApiError(503, "the PDF of the synthesis is being prepared for this version of the graph; "
                            "retry in a minute", {"Retry-After": "60"})
    resp = send_file(path, mimetype="application/pdf", download_name="synthese-acv-data.pdf")
    resp.headers["Content-Disposition"] = 'inline; filename="synthese-acv-data.pdf"'
    return resp


_children: dict[Path, subprocess.Popen[bytes]] = {}


def _pdf_ready() -> Path | None:
    """The PDF of the current store version, or None while a child process makes it (started here)."""
    conf = settings()
    final = Path(conf["cache_dir"]) / "report" / re.sub(r"[^A-Za-z0-9_.-]", "_", str(store().version))
    pdf = final / "synthese.pdf"
    if pdf.is_file():
        return pdf
    work = final.with_name(final.name + ".partial")
    with _lock:
        child = _children.get(final)
        if child is not None and child.poll() is not None:
            del _children[final]
            if child.returncode == 0 and (work / "synthese.pdf").is_file():
                os.replace(work, final)
                return pdf
            child = None  # it failed: try again (its output is in the log of the server's stderr)
        if child is None:
            shutil.rmtree(work, ignore_errors=True)
            remote = conf.get("store_backend") == "remote"
            where = conf["remote_store_url"] if remote else Path(conf["store"]).resolve()
            cmd = [sys.executable, "-c", "from odl_graph.cli import main; main()", "--store", str(where),
                   "--base-iri", base_iri(), "report", "--out", str(work)]
            _children[final] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    return None


# -- the action-first lines of a diagnostic and a roadmap -------------------------------------
# How sure the graph is of a line's evidence, in a town officer's words (docs/evidence.md has the method).
SURE_KEYS = {"local-records": "sure_records", "local-dataset": "sure_dataset", "local-publisher": "sure_hint",
             "national-unknown": "sure_national", "national-open": "sure_national", "absent": "sure_absent",
             "nothing": "sure_nothing"}


def holder_view(t: Any, commune: Any, bodies: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The bodies to turn to, as the page shows them: name, SIREN, their page here, their open-data portal
    or data.gouv.fr page when the graph has one, and whether the body is the asking town itself."""
    out = []
    for b in bodies:
        label = (b.get("label_en") if lang == "en" else None) or b.get("label") or ""
        out.append({"label": label, "siren": b.get("siren"), "href": local_href(b["iri"]) if b.get("iri") else None,
                    "pages": list(b.get("pages") or ()), "self": lt.is_self(t, commune, b)})
    return out


def line_view(t: Any, commune: Any, ln: Any, usecase: str | None, lang: str) -> dict[str, Any]:
    """One diagnostic line as the page shows it: what to do, with whom, why, how sure."""
    h = ln.holding or {}
    action = ln.action or "check"
    holders = holder_view(t, commune, ln.holders, lang)
    letter = lt.letter_for(t, commune, ln, [usecase] if usecase else []) if usecase else None
    if holders and all(x["self"] for x in holders) and action in ("ask", "open"):
        action = "produce"  # the body to ask is the town itself: it publishes
    return {
        "action": tr(f"do_{action}", lang), "action_key": action,
        "level": tr(f"level_{ln.level}", lang),
        "category": t.label(ln.category, lang), "category_iri": ln.category,
        "holders": holders,
        "holder_sure": h.get("certainty_fr" if lang == "fr" else "certainty_en") if action != "use" else None,
        "why": ln.text_fr if lang == "fr" else ln.text_en,
        "sure": tr(SURE_KEYS.get(ln.evidence, "sure_nothing"), lang),
        "letter": url_for("town.letter", commune=commune.insee, usecase=usecase.rsplit("/", 1)[-1],
                          category=ln.category.rsplit("/", 1)[-1]) if letter else None,
    }


# -- the requests ------------------------------------------------------------------------------
def _town(t: Any) -> Any:
    """The commune of `?commune=` (code, IRI or name), or a 404 page's error."""
    from odl_graph.communes import CommuneLookupError

    text = request.args.get("commune", "")
    try:
        entry = t.commune_index.resolve(text)
    except CommuneLookupError:
        abort(404)
    return t.resolve_commune(entry.iri)


def _text_file(text: str, name: str) -> Response:
    resp = make_response(text)
    resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.get("/letters")
@bp.get("/letters.<ext>")
def letters(ext: str | None = None) -> Response:
    """All of a town's requests: one letter per data category to ask another body for, over every use
    case; a printable page, or one plain-text file (`.txt`). Drafts: the server sends nothing."""
    if ext not in (None, "txt"):
        abort(404)
    lang, explicit = request_lang(request)
    t = tables()
    commune = _town(t)
    found = lt.letters_for_town(t, commune)
    finding = lt.to_find(t, commune)
    if ext == "txt":
        return _text_file(lt.town_file_text(commune, found, finding), f"demandes-{commune.insee}.txt")
    return render("analyses/letters.html", lang, explicit, commune=commune, letters=found, finding=finding,
                  text_url=url_for("town.letters", ext="txt", commune=commune.insee))


@bp.get("/letter")
@bp.get("/letter.<ext>")
def letter(ext: str | None = None) -> Response:
    """The request of one diagnostic line (`?commune=&usecase=&category=`), as a page or `.txt`."""
    if ext not in (None, "txt"):
        abort(404)
    lang, explicit = request_lang(request)
    t = tables()
    commune = _town(t)
    try:
        usecase = t.resolve_usecase(request.args.get("usecase", ""))
    except OdlError:
        abort(404)
    category = request.args.get("category", "")
    found = [x for x in lt.letters_for_usecase(t, commune, usecase) if x.category.rsplit("/", 1)[-1] == category]
    if not found:
        abort(404)
    if ext == "txt":
        return _text_file(found[0].text(), f"demande-{commune.insee}-{category}.txt")
    args = {"commune": commune.insee, "usecase": usecase.rsplit("/", 1)[-1], "category": category}
    return render("analyses/letters.html", lang, explicit, commune=commune, letters=found, single=True,
                  text_url=url_for("town.letter", ext="txt", **args))


def step_views(t: Any, commune: Any, steps: list[Any], lang: str) -> list[dict[str, Any]]:
    """A roadmap's steps as the page shows them: what to do, with whom (the town itself said so), why."""
    out = []
    for s in steps:
        holders = holder_view(t, commune, s.holders, lang)
        action = s.action
        if holders and all(x["self"] for x in holders) and action in ("ask", "open"):
            action = "produce"
        out.append({"rank": s.rank, "category": t.label(s.category, lang), "category_iri": s.category,
                    "action": tr(f"do_{action}", lang), "action_key": action, "holders": holders,
                    "holder_sure": (s.certainty_fr if lang == "fr" else s.certainty_en) if action != "use" else None,
                    "why": s.text_fr if lang == "fr" else s.text_en,
                    "unlocks": [{"label": t.label(u["iri"], lang), "iri": u["iri"]} for u in s.unlocks],
                    "needed_by": s.needed_by})
    return out


def peers_view(t: Any, commune: Any, usecase: str, lang: str) -> dict[str, Any]:
    """Towns like mine for the diagnostic page: those that did the use case, comparable ones ready for it."""
    did = [{"label": e["label"] or t.label(e["iri"], lang), "href": local_href(e["iri"]),
            "commune": t.label(e["commune"], lang), "commune_href": local_href(e["commune"])}
           for e in pr.experiments(t, usecase)]
    slug = usecase.rsplit("/", 1)[-1]
    ready = [{"label": p.commune.label, "insee": p.commune.insee,
              "href": url_for("analyses.diagnostic", commune=p.commune.insee, usecase=slug),
              "shared": ", ".join(tr(f"shared_{k}", lang) for k in p.shared),
              "there": [{"label": t.label(k, lang), "href": local_href(k)} for k in p.ready_there],
              "here": [{"label": t.label(k, lang), "href": local_href(k)} for k in p.ready_here]}
             for p in pr.comparable(t, commune, usecase)]
    return {"did": did, "ready": ready}
