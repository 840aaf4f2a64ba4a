"""Pages of the standardisation work: a draft schema per data category (`/analyses/schemas/<category>`,
with its Table Schema as `.json` and its SHACL shape as `.ttl`), the list of drafts, and the check of an
uploaded CSV file against a draft or standard (`/analyses/check`, also `.json`).

The drafts come from odl_graph/analyses/derive.py, the check from odl_graph/analyses/check.py; the
priorities page (server/analyses.py) links here. The check reads the upload only (never a URL), bounded by
the setting `check_max_bytes`, and stores nothing. Register with `app.register_blueprint(server.standards.bp)`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, make_response, request, url_for

from odl_graph.analyses import derive as dv
from odl_graph.analyses.check import CheckError, check_csv, refuse_size
from odl_graph.errors import OdlError
from odl_graph.iris import is_slug
from odl_graph.text import sort_key
from server.api import base_iri, store, tables
from server.engine import settings
from server.errors import error_response
from server.pages.i18n import request_lang
from server.pages.i18n import t as tr
from server.pages.views import render

bp = Blueprint("standards", __name__, url_prefix="/analyses")
DOWNLOADS = {"json": "application/schema+json", "ttl": "text/turtle; charset=utf-8"}


def _source(slug: str) -> dv.Source:
    if not is_slug(slug):
        abort(404)
    t = tables()
    iri = f"{base_iri()}id/datacategory/{slug}"
    if iri not in t.categories and iri not in t.labels:
        abort(404)
    try:
        return dv.resolve(store(), iri, base_iri())
    except OdlError:
        abort(404)


def _field_row(f: dv.FieldDesc, lang: str) -> dict[str, Any]:
    desc = (f.description_en if lang == "en" else None) or f.description
    unit = None if f.unit is None else (tr("unit_unknown", lang) if f.unit == "?" else f.unit)
    constraints = []
    if f.enum:
        constraints.append(" | ".join(str(v) for v in dv.enum_values(f)))
    if f.pattern:
        constraints.append(f.pattern)
    return {"name": f.name, "title": (f.title_en if lang == "en" else None) or f.title, "type": dv._type(f),
            "required": f.required, "unit": unit, "constraints": constraints, "description": desc,
            "sources": f.sources}


# -- the drafts ------------------------------------------------------------------------------
@bp.get("/schemas/")
def schemas() -> Response:
    lang, explicit = request_lang(request)
    t = tables()
    rows = sorted(({"slug": c.rsplit("/", 1)[-1], "label": t.label(c, lang)} for c in t.categories),
                  key=lambda r: sort_key(r["label"]))
    return render("analyses/schemas.html", lang, explicit, rows=rows)


@bp.get("/schemas/<slug>")
def schema(slug: str) -> Response:
    lang, explicit = request_lang(request)
    src = _source(slug)
    t = tables()
    label = t.label(src.subject, lang)
    return render("analyses/schema.html", lang, explicit, src=src, label=label, slug=slug, basis=dv.basis_key(src),
                  fields=[_field_row(f, lang) for f in src.fields],
                  origins=[{"iri": o, "label": t.label(o, lang)} for o in src.origins],
                  standards=[{"iri": s, "label": t.label(s, lang)} for s in src.standards])


@bp.get("/schemas/<slug>.<ext>")
def schema_download(slug: str, ext: str) -> Response:
    if ext not in DOWNLOADS:
        abort(404)
    src = _source(slug)
    if ext == "json":
        body = json.dumps(dv.table_schema(src), ensure_ascii=False, indent=2) + "\n"
        name = f"{src.slug}.schema.json"
    else:
        body = dv.shacl_shape(src).serialize(format="turtle")
        name = f"{src.slug}.shacl.ttl"
    resp = make_response(body)
    resp.headers["Content-Type"] = DOWNLOADS[ext]
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


# -- the check -------------------------------------------------------------------------------
def _categories(lang: str) -> list[tuple[str, str]]:
    t = tables()
    return sorted(((c.rsplit("/", 1)[-1], t.label(c, lang)) for c in t.categories), key=lambda x: sort_key(x[1]))


@bp.route("/check", methods=["GET", "POST"])
@bp.route("/check.<ext>", methods=["POST"])
def check(ext: str | None = None) -> Response:
    lang, explicit = request_lang(request)
    if ext not in (None, "json"):
        abort(404)
    limit = int(settings()["check_max_bytes"])
    slug = request.values.get("category", "")
    ctx: dict[str, Any] = {"categories": _categories(lang), "category": slug, "limit": limit}
    if request.method == "GET":
        return render("analyses/check.html", lang, explicit, **ctx)
    status, report, error = 200, None, None
    upload = request.files.get("file")
    if not slug or not is_slug(slug) or f"{base_iri()}id/datacategory/{slug}" not in tables().categories:
        status, error = 400, tr("unknown_category", lang)
    elif upload is None or not upload.filename:
        status, error = 400, tr("no_file", lang)
    else:
        try:
            # werkzeug has received the part (within max_body_bytes): measure it before reading it
            upload.stream.seek(0, 2)
            refuse_size(upload.stream.tell(), limit)
            upload.stream.seek(0)
            report = check_csv(upload.stream.read(limit + 1), dv.table_schema(_source(slug)), limit)
        except CheckError as exc:
            status, error = exc.status, (str(exc) if ext == "json" else exc.text(lang))
    if ext == "json":
        if error:
            return error_response(status, error)
        resp = make_response(json.dumps({"category": slug, **report.to_json()}, ensure_ascii=False))  # type: ignore[union-attr]
        resp.headers["Content-Type"] = "application/json"
        return resp
    resp = render("analyses/check.html", lang, explicit, report=report, check_error=error,
                  schema_url=url_for("standards.schema", slug=slug) if slug and not error else None, **ctx)
    resp.status_code = status
    return resp


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    def draft_schema_url(category_iri: str) -> str | None:
        """The draft page of a data category (its Linked Data page links it)."""
        prefix = f"{base_iri()}id/datacategory/"
        if not category_iri.startswith(prefix):
            return None
        return url_for("standards.schema", slug=category_iri[len(prefix):])

    return {"draft_schema_url": draft_schema_url}
