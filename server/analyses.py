"""Pages of the analyses: diagnostic, roadmap, ranking, standardisation priorities, and the map of
the ACV communes coloured by readiness (Leaflet, vendored; no tiles, so it works offline).

They share the site's layout and language (server.pages); every word shown comes from the graph's
labels or the interface strings, never a code. Each page is one table of rows, served as HTML and,
as Datasette does, as `.json` and `.csv` at the same address with the extension (or by `Accept`).
The commune page and the use-case sheet get their readiness and commune picker from here
(template globals). Register with `app.register_blueprint(server.analyses.bp)`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, make_response, redirect, request, url_for

from odl_graph.analyses import catalogue
from odl_graph.analyses import diagnostic as dg
from odl_graph.communes import CommuneLookupError
from odl_graph.describe.editor import editor_text
from odl_graph.errors import OdlError
from odl_graph.negotiation import PAGE_DATA_FORMATS, choose_format
from odl_graph.text import sort_key
from server.api import base_iri, tables
from server.pages.i18n import request_lang
from server.pages.i18n import t as tr
from server.pages.views import HTML, editor_link, json_script, render

bp = Blueprint("analyses", __name__, url_prefix="/analyses")

FORMATS = {f.name: f for f in (HTML, *PAGE_DATA_FORMATS)}
DIAGNOSTIC_QUERY = "diagnostic-evidence"  # the catalogue query behind a diagnostic (queries/*.rq)


@dataclass
class Table:
    """One analysis page's rows: `columns` are (key, header in the page's language); a cell is text,
    a number, None, or a list of those. `meta` goes into the JSON next to the rows."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


# -- formats ---------------------------------------------------------------------------------
def _format(ext: str | None) -> str:
    if ext is not None:
        if ext not in FORMATS or ext == "html":
            abort(404)
        return ext
    fmt = choose_format(request.headers.get("Accept"), tuple(FORMATS.values()))
    return fmt.name if fmt else "html"


def link(endpoint: str, ext: str | None, args: dict[str, str]) -> str:
    """ENDPOINT's address with ARGS as its query string. A client's parameters never become url_for's
    own keywords (`ext=` would clash with the path's, `_external=` would build a URL from `Host`)."""
    base = url_for(endpoint, ext=ext) if ext else url_for(endpoint)
    query = urlencode([(k, v) for k, v in args.items() if v is not None])
    return f"{base}?{query}" if query else base


def _alternates(endpoint: str) -> list[dict[str, str]]:
    """The JSON and CSV addresses of this page with the same query string (the `<link rel=alternate>`s)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return [{"href": link(f"analyses.{endpoint}", f.name, args), "type": f.media_type,
             "label": f.name.upper(), "name": f.name} for f in PAGE_DATA_FORMATS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ; ".join(_cell(v) for v in value)
    return str(value)


def respond(endpoint: str, ext: str | None, template: str, table: Table | None, lang: str, explicit: bool,
            status: int = 200, **ctx: Any) -> Response:
    """The page as HTML, or its table as JSON or CSV."""
    fmt = _format(ext)
    if fmt != "html":
        if table is None:
            abort(404 if status == 200 else status)
        if fmt == "json":
            body = json.dumps({**table.meta, "lang": lang, "columns": [k for k, _ in table.columns],
                               "rows": table.rows}, ensure_ascii=False)
        else:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([k for k, _ in table.columns])
            for row in table.rows:
                writer.writerow([_cell(row.get(k)) for k, _ in table.columns])
            body = out.getvalue()
        resp = make_response(body, status)
        resp.headers["Content-Type"] = FORMATS[fmt].content_type
    else:
        resp = render(template, lang, explicit, table=table, alternates=_alternates(endpoint) if table else [],
                      **ctx)
        resp.status_code = status
    resp.vary.update(("Accept",))
    return resp


# -- words -----------------------------------------------------------------------------------
def pct(score: float | None, lang: str) -> str:
    """A score as the page shows it: '67 %' (French spacing), 'unknown' when there is none."""
    if score is None:
        return tr("score_unknown", lang)
    return f"{score * 100:.0f}\u202f%" if lang == "fr" else f"{score * 100:.0f} %"


def _ref(t: dg.Tables, iri: str | None, lang: str) -> dict[str, Any]:
    return {"iri": iri, "label": t.label(iri, lang) if iri else ""}


def _holder(h: dict[str, Any], lang: str) -> dict[str, Any]:
    label = (h.get("label_en") if lang == "en" else None) or h["label"]
    return {"iri": h.get("iri"), "label": label + (f" (SIREN {h['siren']})" if h.get("siren") else "")}


def _standards(t: dg.Tables, category: str, lang: str) -> list[dict[str, Any]]:
    stds = {**t.categories.get(category, dg.CategoryInfo(category)).standards, **t.dataset_standards.get(category, {})}
    return [_ref(t, s, lang) for s in sorted(stds)]


def _flat(prefix: str, refs: list[dict[str, Any]]) -> dict[str, Any]:
    """A list of linked things as two cells: their labels and their IRIs."""
    return {prefix: [r["label"] for r in refs], f"{prefix}_iri": [r["iri"] or "" for r in refs]}


# -- the pickers -----------------------------------------------------------------------------
def _choices(t: dg.Tables, lang: str) -> dict[str, Any]:
    usecases = sorted(((u, t.label(u, lang), u.rsplit("/", 1)[-1]) for u in t.usecases), key=lambda x: sort_key(x[1]))
    return {"usecases": usecases, "complete_url": url_for("analyses.communes")}


def _commune(t: dg.Tables, text: str) -> tuple[dg.Commune | None, str | None, list[Any]]:
    """(commune, error key, suggestions) for what the picker sent: a code, an IRI or a name."""
    if not text.strip():
        return None, None, []
    try:
        entry = t.commune_index.resolve(text)
    except CommuneLookupError as exc:
        return None, "unknown_commune", exc.candidates
    return t.resolve_commune(entry.iri), None, []


def _canonical(endpoint: str, ext: str | None, commune: dg.Commune, **args: str) -> Response | None:
    """A commune given by name is redirected to its INSEE code, so the address is short and shareable."""
    if request.args.get("commune") == commune.insee:
        return None
    keep = {k: v for k, v in request.args.items() if k not in ("commune", *args)}
    return redirect(link(f"analyses.{endpoint}", ext, {"commune": commune.insee, **args, **keep}), 302)


@bp.get("/communes.json")
def communes() -> Response:
    """Completion of the commune picker: `?q=` a name (accents and case ignored) or the start of a code."""
    q = request.args.get("q", "")[:100]
    hits = tables().commune_index.complete(q, limit=10) if q.strip() else []
    resp = make_response(json.dumps([h.to_json() for h in hits], ensure_ascii=False))
    resp.headers["Content-Type"] = FORMATS["json"].content_type
    return resp


# -- pages -----------------------------------------------------------------------------------
@bp.get("/")
def index() -> Response:
    lang, explicit = request_lang(request)
    return render("analyses/index.html", lang, explicit)


def diagnostic_table(t: dg.Tables, result: dg.Diagnostic, lang: str) -> Table:
    """The lines of a diagnostic, indispensable then useful, in the page's language."""
    cols = ["requirement", "category", "evidence", "certainty", "weight", "state", "dataset", "status", "holders",
            "standards", "explanation"]
    heads = {"category": "data_category", "holders": "holder_to_ask", "standards": "standard", "status": "openness"}
    table = Table([(c, tr(heads.get(c, c), lang)) for c in cols] + [
        (c, c) for c in ("category_iri", "dataset_iri", "status_iri", "holders_iri", "standards_iri")])
    level_iri = f"{t.base_iri}id/concept/requirement-level/"
    for ln in result.lines + result.useful:
        best = ln.best
        row = {
            "requirement": t.label(level_iri + ln.level, lang), "category": t.label(ln.category, lang),
            "category_iri": ln.category,
            "evidence": dg.ev.LEVELS[ln.evidence][2 if lang == "fr" else 3],
            "certainty": tr(f"certainty_{ln.certainty}", lang), "weight": round(ln.weight, 2),
            "state": tr(f"state_{ln.state}", lang),
            "dataset": t.label(best.dataset, lang) if best else None, "dataset_iri": best.dataset if best else None,
            "status": (t.label(best.status, lang) if best.status else tr("status_unknown", lang)) if best else None,
            "status_iri": best.status if best else None,
            **_flat("holders", [_holder(h, lang) for h in ln.holders]),
            **_flat("standards", _standards(t, ln.category, lang)),
            "explanation": ln.text_fr if lang == "fr" else ln.text_en,
        }
        table.rows.append(row)
    table.meta = {"commune": result.commune, "commune_label": result.commune_label, "insee": result.insee,
                  "usecase": result.usecase, "usecase_label": t.label(result.usecase, lang),
                  "score": result.score, "satisfied": result.satisfied, "required": result.required,
                  "ready": result.ready, "summary": result.summary_fr if lang == "fr" else result.summary_en}
    return table


def diagnostic_query(commune: dg.Commune, usecase: str, lang: str) -> str | None:
    """The catalogue query behind a diagnostic, as the editor opens it, with this commune and use case
    written in where its defaults would be."""
    query = catalogue.load_catalogue().get(DIAGNOSTIC_QUERY)
    if query is None:
        return None
    values = {"commune": commune.iri, "usecase": usecase}
    query = replace(query, params=tuple(replace(p, default=values.get(p.name, p.default)) for p in query.params))
    return editor_text(query, base_iri(), lang)


@bp.get("/diagnostic")
@bp.get("/diagnostic.<ext>")
def diagnostic(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    usecase = request.args.get("usecase", "")
    commune, error, suggestions = _commune(t, request.args.get("commune", ""))
    result, table, query_url = None, None, None
    if commune and usecase:
        try:
            u = t.resolve_usecase(usecase)
        except OdlError:
            error = "unknown_usecase"
        else:
            moved = _canonical("diagnostic", ext, commune, usecase=usecase)
            if moved:
                return moved  # type: ignore[return-value]
            result = dg.diagnose_pair(t, commune, u)
            table = diagnostic_table(t, result, lang)
            query = diagnostic_query(commune, u, lang)
            query_url = editor_link(query) if query else None
    return respond("diagnostic", ext, "analyses/diagnostic.html", table, lang, explicit, 404 if error else 200,
                   result=result, error=error, suggestions=suggestions, commune=commune,
                   commune_text=request.args.get("commune", ""), usecase=usecase, query_url=query_url,
                   pct=lambda s: pct(s, lang), **_choices(t, lang))


def roadmap_table(t: dg.Tables, commune: dg.Commune, steps: list[dg.Step], lang: str) -> Table:
    cols = [("rank", tr("step", lang)), ("category", tr("data_category", lang)), ("action", tr("action", lang)),
            ("evidence", tr("evidence", lang)), ("holders", tr("holder_to_ask", lang)),
            ("datasets", tr("dataset", lang)), ("unlocks", tr("unlocks", lang)), ("needed_by", tr("needed_by", lang)),
            ("text", tr("explanation", lang)), ("category_iri", "category_iri"), ("holders_iri", "holders_iri"),
            ("datasets_iri", "datasets_iri"), ("unlocks_iri", "unlocks_iri")]
    table = Table(cols, meta={"commune": commune.iri, "commune_label": commune.label, "insee": commune.insee})
    for s in steps:
        table.rows.append({
            "rank": s.rank, "category": t.label(s.category, lang), "category_iri": s.category,
            "action": tr(f"action_{s.action}", lang), "evidence": dg.ev.LEVELS[s.evidence][2 if lang == "fr" else 3],
            **_flat("holders", [_holder(h, lang) for h in s.holders]),
            **_flat("datasets", [_ref(t, d["iri"], lang) for d in s.datasets]),
            **_flat("unlocks", [_ref(t, u["iri"], lang) for u in s.unlocks]),
            "needed_by": s.needed_by, "text": s.text_fr if lang == "fr" else s.text_en,
        })
    return table


@bp.get("/roadmap")
@bp.get("/roadmap.<ext>")
def roadmap(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    commune, error, suggestions = _commune(t, request.args.get("commune", ""))
    table = None
    if commune:
        moved = _canonical("roadmap", ext, commune)
        if moved:
            return moved  # type: ignore[return-value]
        table = roadmap_table(t, commune, dg.roadmap(t, commune), lang)
    return respond("roadmap", ext, "analyses/roadmap.html", table, lang, explicit, 404 if error else 200,
                   commune=commune, error=error, suggestions=suggestions,
                   commune_text=request.args.get("commune", ""), **_choices(t, lang))


def ranking_table(t: dg.Tables, usecase: str, lang: str) -> Table:
    cols = [("rank", "#"), ("commune", tr("commune", lang)), ("insee", tr("insee", lang)), ("score", tr("score", lang)),
            ("satisfied", tr("satisfied", lang)), ("missing", tr("missing_open", lang)), ("commune_iri", "commune_iri"),
            ("missing_iri", "missing_iri"), ("score_value", "score_value")]
    table = Table(cols, meta={"usecase": usecase, "usecase_label": t.label(usecase, lang)})
    for r in dg.ranking(t, usecase):
        table.rows.append({
            "rank": r["rank"], "commune": r["label"], "commune_iri": r["commune"], "insee": r["insee"],
            "score": pct(r["score"], lang), "score_value": r["score"],
            "satisfied": f"{r['satisfied']} / {r['required']}",
            **_flat("missing", [_ref(t, m["iri"], lang) for m in r["missing"]]),
        })
    return table


@bp.get("/ranking")
@bp.get("/ranking.<ext>")
def ranking(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    usecase = request.args.get("usecase", "")
    table, error = None, None
    if usecase:
        try:
            table = ranking_table(t, t.resolve_usecase(usecase), lang)
        except OdlError:
            error = "unknown_usecase"
    return respond("ranking", ext, "analyses/ranking.html", table, lang, explicit, 404 if error else 200,
                   error=error, usecase=usecase, **_choices(t, lang))


@bp.get("/priorities")
@bp.get("/priorities.<ext>")
def priorities(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    cols = [("rank", "#"), ("category", tr("data_category", lang)), ("use_cases", tr("use_cases_n", lang)),
            ("indispensable_for", tr("indispensable_for", lang)), ("towns_lacking", tr("towns_lacking", lang)),
            ("towns", tr("acv_communes", lang)), ("towns_unknown", tr("towns_unknown", lang)),
            ("score", tr("score", lang)), ("standards", tr("existing_standard", lang)),
            ("category_iri", "category_iri"), ("standards_iri", "standards_iri")]
    table = Table(cols)
    for r in dg.priorities(t):
        table.rows.append({
            "rank": r["rank"], "category": t.label(r["category"], lang), "category_iri": r["category"],
            **{k: r[k] for k in ("use_cases", "indispensable_for", "towns_lacking", "towns", "towns_unknown", "score")},
            **_flat("standards", [_ref(t, s["iri"], lang) for s in r["standards"]]),
        })
    return respond("priorities", ext, "analyses/priorities.html", table, lang, explicit)


@bp.get("/map")
@bp.get("/map.<ext>")
def readiness_map(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    matrix = dg.readiness_matrix(t)
    cols = [("commune", tr("commune", lang)), ("insee", tr("insee", lang)), ("mean", tr("mean_readiness", lang)),
            ("ready", tr("ready_usecases", lang)), ("lat", "lat"), ("lon", "lon"), ("commune_iri", "commune_iri"),
            ("mean_value", "mean_value")]
    table = Table(cols)
    for c in sorted(t.acv.values(), key=lambda c: sort_key(c.label)):
        known = [s for s in matrix[c.iri].values() if s is not None]
        mean = sum(known) / len(known) if known else None
        table.rows.append({"commune": c.label, "commune_iri": c.iri, "insee": c.insee, "mean": pct(mean, lang),
                           "mean_value": mean, "ready": sum(1 for s in known if s == 1.0),
                           "lat": c.centroid[1] if c.centroid else None, "lon": c.centroid[0] if c.centroid else None})
    return respond("readiness_map", ext, "analyses/map.html", table, lang, explicit, **_choices(t, lang))


# -- what the Linked Data pages show from here -----------------------------------------------
def commune_readiness(iri: str, lang: str) -> dict[str, Any] | None:
    """A commune page's analyses: readiness per use case, the first roadmap steps, the map's points."""
    t = tables()
    try:
        commune = t.resolve_commune(iri)
    except OdlError:
        return None
    covering = t.covering(commune)
    rows = []
    for u in sorted(t.usecases, key=lambda u: sort_key(t.label(u, lang))):
        r = dg.diagnose_pair(t, commune, u, covering, with_useful=False)
        rows.append({"usecase": _ref(t, u, lang), "score": pct(r.score, lang), "satisfied": r.satisfied,
                     "required": r.required, "ready": r.ready,
                     "href": url_for("analyses.diagnostic", commune=commune.insee, usecase=u.rsplit("/", 1)[-1],
                                     **({"lang": lang} if request.args.get("lang") else {}))})
    steps = roadmap_table(t, commune, dg.roadmap(t, commune, limit=5), lang)
    point = None
    if commune.centroid:
        point = {"lat": commune.centroid[1], "lon": commune.centroid[0], "label": commune.label}
    others = [[c.centroid[1], c.centroid[0]] for c in t.acv.values() if c.centroid and c.iri != commune.iri]
    return {"commune": commune, "rows": rows, "steps": steps,
            "roadmap_url": url_for("analyses.roadmap", commune=commune.insee),
            "map": json_script({"point": point, "others": others}) if point else None}


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    """For the site's templates: the header entries, the picker of a use-case sheet, a commune's readiness."""
    def same_page(**changed: str) -> str:  # this page's address with some parameters changed
        return link(request.endpoint or "pages.home", (request.view_args or {}).get("ext"),
                    {**request.args.to_dict(), **changed})

    def picker(usecase_iri: str) -> dict[str, str]:
        return {"action": url_for("analyses.diagnostic"), "usecase": usecase_iri.rsplit("/", 1)[-1],
                "complete_url": url_for("analyses.communes")}

    nav: list[tuple[str, str]] = [("analyses_short", url_for("analyses.index")), ("api_docs", url_for("api.docs"))]
    return {"commune_readiness": commune_readiness, "commune_picker": picker, "analyses_nav": nav,
            "same_page": same_page}
