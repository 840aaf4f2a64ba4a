"""Pages of the analyses: diagnostic, roadmap, ranking, standardisation priorities, and the map of
the ACV communes coloured by readiness (Leaflet, vendored; no tiles, so it works offline).

Register with `app.register_blueprint(server.analyses.bp)`; the data comes from server.api.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from odl_graph import diagnostic as dg
from odl_graph.errors import OdlError
from odl_graph.text import sort_key
from server.api import tables

bp = Blueprint("analyses", __name__, url_prefix="/analyses")
CERTAINTY_FR = {"verified": "vérifié", "assumed": "supposé", "unknown": "inconnu"}


def _choices(t: dg.Tables) -> dict:
    communes = sorted(t.acv.values(), key=lambda c: sort_key(c.label))
    usecases = sorted(t.usecases, key=t.sort_key)
    return {"communes": communes, "usecases": [(u, t.label(u), u.rsplit("/", 1)[-1]) for u in usecases]}


@bp.get("/")
def index() -> str:
    return render_template("analyses/index.html")


@bp.get("/diagnostic")
def diagnostic() -> tuple[str, int] | str:
    t = tables()
    commune, usecase = request.args.get("commune", ""), request.args.get("usecase", "")
    result, error = None, None
    if commune and usecase:
        try:
            result = dg.diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase))
        except OdlError as exc:
            error = str(exc)
    page = render_template("analyses/diagnostic.html", result=result, error=error, commune=commune,
                           usecase=usecase, evidence_labels={k: v[2] for k, v in dg.ev.LEVELS.items()},
                           certainty_labels=CERTAINTY_FR, **_choices(t))
    return (page, 404) if error else page


@bp.get("/roadmap")
def roadmap() -> tuple[str, int] | str:
    t = tables()
    commune = request.args.get("commune", "")
    steps, target, error = None, None, None
    if commune:
        try:
            target = t.resolve_commune(commune)
            steps = dg.roadmap(t, target)
        except OdlError as exc:
            error = str(exc)
    page = render_template("analyses/roadmap.html", steps=steps, target=target, error=error, commune=commune,
                           **_choices(t))
    return (page, 404) if error else page


@bp.get("/ranking")
def ranking() -> tuple[str, int] | str:
    t = tables()
    usecase = request.args.get("usecase", "")
    rows, label, error = None, "", None
    if usecase:
        try:
            u = t.resolve_usecase(usecase)
            rows, label = dg.ranking(t, u), t.label(u)
        except OdlError as exc:
            error = str(exc)
    page = render_template("analyses/ranking.html", rows=rows, label=label, error=error, usecase=usecase,
                           **_choices(t))
    return (page, 404) if error else page


@bp.get("/priorities")
def priorities() -> str:
    return render_template("analyses/priorities.html", rows=dg.priorities(tables()))


@bp.get("/map")
def readiness_map() -> str:
    t = tables()
    return render_template("analyses/map.html", **_choices(t))
