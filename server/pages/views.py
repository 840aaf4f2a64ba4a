"""Routes of the Linked Data pages.

Dereferencing policy (docs/linked-data.md): every IRI under the base answers **200 at the IRI itself**,
with the representation chosen by `Accept` (HTML first for browsers, `*/*` and no header) and a
`Content-Location` naming the format-specific URL (`.html`, `.ttl`, `.jsonld`, `.nt`, `.rdf`), plus
`Vary: Accept, Accept-Language, Cookie`. No 303 round trip.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request, url_for
from markupsafe import Markup

from odl_graph import iris, licences
from odl_graph.describe import editor as editor_model
from odl_graph.describe import exploration, lists, pages
from odl_graph.describe import ontology as ontology_model
from odl_graph.describe.base import Describer
from odl_graph.describe.labels import LANGS, STATUS_GROUP, local_name, sparql_iri
from odl_graph.negotiation import GRAPH_FORMATS, PAGE_DATA_FORMATS, Format, choose_format, format_by_name
from odl_graph.search import Results, SearchIndex
from server.engine import get_engine, settings
from server.pages.i18n import request_lang, t
from server.pages.strings import STRINGS
from server.tabular import csv_response

bp = Blueprint("pages", __name__, template_folder="../templates")

HTML = Format("html", "text/html", "text/html; charset=utf-8", ("application/xhtml+xml",),
              extension="html", label="HTML")
PAGE_FORMATS: tuple[Format, ...] = (HTML, *GRAPH_FORMATS)
# Each page format's file extension, so every format a page offers has its own address; `.json` and
# `.csv` give the page's model as data (by extension only: `application/json` asks for JSON-LD).
EXTENSIONS: dict[str, Format] = {f.extension: f for f in (*PAGE_FORMATS, *PAGE_DATA_FORMATS)}
DOC_EXTENSIONS = {ext: f for ext, f in EXTENSIONS.items() if f in PAGE_FORMATS}  # the ontology and shapes documents
_EXT_RE = re.compile(r"^(?P<path>.+)\.(?P<ext>" + "|".join(EXTENSIONS) + r")$")

T = TypeVar("T")


# -- app services ----------------------------------------------------------------------------
def engine() -> Any:
    """The app's query engine (server.engine.get_engine creates and starts it on first use)."""
    return get_engine()


def base_iri() -> str:
    """The configured base IRI (the store holds IRIs rebased onto it)."""
    return settings().get("base_iri") or iris.BASE


def describer(lang: str) -> Describer:
    """The page model over the app's engine, in one language."""
    return Describer(engine(), base_iri(), lang)


_version_locks: dict[str, threading.Lock] = {}


def per_version(name: str, build: Callable[[Any, str], T]) -> T:
    """What `build(engine, base_iri)` gives for the current store version: built on first use, once per
    version, kept in the app (a store without versions builds it every time)."""
    eng = engine()
    version = getattr(eng, "version", None)
    cache = current_app.extensions.setdefault(f"odl_pages_{name}", {})
    with _version_locks.setdefault(name, threading.Lock()):
        if cache.get("version") != version or "index" not in cache or version is None:
            cache["index"] = build(eng, base_iri())
            cache["version"] = version
        return cache["index"]


def search_index() -> SearchIndex:
    """The label index of the current store version, built on first use."""
    return per_version("search", SearchIndex.build)


# -- template helpers ------------------------------------------------------------------------
LINK_SCHEMES = ("http:", "https:", "mailto:", "ftp:")  # a javascript: or data: IRI from data is no link


def local_href(iri: str) -> str:
    """Where an IRI is browsed: our IRIs on this server, web IRIs as they are, any other scheme nowhere."""
    base = base_iri()
    if iri.startswith(base):
        return url_for("pages.home") + iri[len(base):]
    if not iri.lower().lstrip().startswith(LINK_SCHEMES):
        return ""
    return iri


@bp.app_template_filter("href")
def _href(iri: str) -> str:
    return local_href(iri)


def json_script(value: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' escaped as \\u sequences (still valid JSON)."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _escape_json_bytes(body: bytes) -> Markup:
    text = body.decode("utf-8")
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@bp.app_context_processor
def _inject() -> dict[str, Any]:
    # the graph's licence, in every page's footer (odl_graph/licences.py)
    return {"json_script": json_script, "status_group": STATUS_GROUP,
            "site_licence": licences.graph_licence(settings())}


def render(template: str, lang: str, explicit: bool, **ctx: Any) -> Response:
    """Render a page in `lang`, remembering an explicit choice in a cookie, and varying on it."""
    here = request.path
    args = {k: v for k, v in request.args.items() if k != "lang"}
    switch = {code: here + "?" + urlencode({**args, "lang": code}) for code in LANGS}
    html = render_template(
        template, lang=lang, _=lambda key: t(key, lang), switch=switch, strings=STRINGS, **ctx
    )
    resp = make_response(html)
    resp.headers["Content-Type"] = HTML.content_type
    resp.headers["Content-Language"] = lang
    resp.vary.update(("Accept", "Accept-Language", "Cookie"))
    if explicit and request.args.get("lang") in LANGS:
        resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return resp


def editor_link(query: str) -> str:
    """URL of the SPARQL editor pre-loaded with a query (editor.js reads `query` from the URL)."""
    return url_for("pages.editor") + "?" + urlencode({"query": query}, quote_via=quote)


# -- home, search, browse --------------------------------------------------------------------
@bp.get("/")
def home() -> Response:
    lang, explicit = request_lang(request)
    data = lists.home(describer(lang))
    # entry points served by other blueprints, when the app has them
    others = [(label, path) for bp_name, label, path in (
        ("analyses", "analyses", "/analyses/"),
        ("api", "api", "/api/queries"),
        ("sparql", "sparql_endpoint", "/sparql"),
    ) if bp_name in current_app.blueprints]
    return render("pages/home.html", lang, explicit, data=data, others=others)


SEARCH_PAGE = 50
BROWSE_PAGE = 200
TABLE_LIMIT = 1000  # rows of a .json / .csv table
_THEME_CODE = re.compile(r"[a-z0-9-]{1,80}")


def _int_arg(name: str, default: int, high: int) -> int:
    try:
        return min(max(0, int(request.args.get(name, str(default)))), high)
    except ValueError:
        return default


def _offset() -> int:
    return _int_arg("offset", 0, 10**6)


def _filters(index: SearchIndex) -> tuple[str, list[str], list[str]]:
    """The text, types and themes asked for; values the index does not know are dropped."""
    q = request.args.get("q", "").strip()[:200]
    kinds = index.kinds
    types = [v for v in dict.fromkeys(request.args.getlist("type")) if v in kinds]
    prefix = base_iri() + "id/concept/theme/"
    themes = [prefix + v for v in dict.fromkeys(request.args.getlist("theme"))
              if _THEME_CODE.fullmatch(v) and prefix + v in index.resources]
    return q, types, themes


def kind_label(index: SearchIndex, kind: str, lang: str) -> str:
    """A type's name: the ontology's label of the class, or the interface's word for SKOS and untyped."""
    if kind in ("Concept", "ConceptScheme", "other"):
        return t("kind_" + kind, lang)
    return index.label(base_iri() + "def#" + kind, lang)


def _toggle(name: str, value: str) -> str:
    """This page's URL with one facet value added, or removed when it is there (and paging reset)."""
    args = [(k, v) for k, vs in request.args.lists() for v in vs if k not in ("offset", "lang")]
    if (name, value) in args:
        args.remove((name, value))
    else:
        args.append((name, value))
    return request.path + ("?" + urlencode(args) if args else "")


def _page_url(offset: int) -> str:
    args = [(k, v) for k, vs in request.args.lists() for v in vs if k not in ("offset", "lang")]
    return request.path + "?" + urlencode([*args, ("offset", str(offset))])


def _table_alternates(path: str) -> list[dict[str, str]]:
    """The page's hits as JSON and CSV, at `<path>.json` / `<path>.csv` with the same query string."""
    args = [(k, v) for k, vs in request.args.lists() for v in vs if k not in ("lang",)]
    qs = "?" + urlencode(args) if args else ""
    return [{"href": f"{path}.{f.name}{qs}", "type": f.media_type, "label": f.name.upper(), "name": f.name}
            for f in PAGE_DATA_FORMATS]


def _facets(index: SearchIndex, res: Results, lang: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "type": [{"value": k, "label": kind_label(index, k, lang), "count": n, "selected": k in res.selected_types,
                  "href": _toggle("type", k)} for k, n in res.types],
        "theme": [{"value": local_name(th), "iri": th, "label": index.label(th, lang), "count": n,
                   "selected": th in res.selected_themes, "href": _toggle("theme", local_name(th))}
                  for th, n in res.themes],
    }


def _hit_rows(index: SearchIndex, res: Results, lang: str) -> list[dict[str, Any]]:
    return [{"iri": h.iri, "href": local_href(h.iri), "label": h.label, "lang": h.lang, "type": h.kind,
             "type_label": kind_label(index, h.kind, lang), "code": h.code,
             "themes": [local_name(th) for th in h.themes],
             "within": h.within, "within_label": index.label(h.within, lang) if h.within else None,
             "within_href": local_href(h.within) if h.within else None,
             "matched": h.matched, "matched_lang": h.matched_lang} for h in res.hits]


def _table(fmt: Format, res: Results, rows: list[dict[str, Any]], facets: dict[str, Any], offset: int,
           size: int, lang: str) -> Response:
    """One page of search hits or of a browse list as JSON (with the total, the facets and the next
    page's URL) or CSV (one row per hit); `offset` and `_size` (at most TABLE_LIMIT) page through."""
    if fmt.name == "json":
        following = _page_url(offset + size) if offset + size < res.total else None
        body = json.dumps({"query": res.query, "total": res.total, "offset": offset, "size": size,
                           "next": following, "rows": rows,
                           "facets": {k: [{x: f[x] for x in ("value", "label", "count", "selected")} for f in v]
                                      for k, v in facets.items()}}, ensure_ascii=False)
        resp = make_response(body)
        resp.headers["Content-Type"] = fmt.content_type
    else:
        columns = ("iri", "label", "lang", "type", "type_label", "code", "themes", "within", "within_label")
        resp = csv_response([t(f"col_{c}", lang) for c in columns],
                            ([r[c] for c in columns] for r in rows), lang)
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp


def _table_format(ext: str | None) -> Format | None:
    if ext is None:
        return None
    fmt = format_by_name(ext, PAGE_DATA_FORMATS)
    if fmt is None:
        abort(404)
    return fmt


@bp.get("/search")
@bp.get("/search.<ext>")
def search(ext: str | None = None) -> Response:
    """Search by label, ranked by type, with facets by type and theme kept in the URL."""
    lang, explicit = request_lang(request)
    fmt = _table_format(ext)
    index = search_index()
    q, types, themes = _filters(index)
    offset = _offset()
    size = _int_arg("_size", SEARCH_PAGE, TABLE_LIMIT) if fmt else SEARCH_PAGE  # Datasette's `_size`
    res = index.search(q, lang, types=types, themes=themes, limit=size, offset=offset)
    rows, facets = _hit_rows(index, res, lang), _facets(index, res, lang)
    if fmt:
        return _table(fmt, res, rows, facets, offset, size, lang)
    pages = {"prev": _page_url(max(0, offset - SEARCH_PAGE)) if offset else None,
             "next": _page_url(offset + SEARCH_PAGE) if offset + SEARCH_PAGE < res.total else None}
    return render("pages/search.html", lang, explicit, q=q, res=res, rows=rows, facets=facets, offset=offset,
                  size=SEARCH_PAGE, pages=pages, alternates=_table_alternates(url_for("pages.search")))


@bp.get("/browse/<name>")
@bp.get("/browse/<name>.<ext>")
def browse(name: str, ext: str | None = None) -> Response:
    """Every instance of a class, by label, filtered by a text and by theme (both in the URL)."""
    lang, explicit = request_lang(request)
    index = search_index()
    if name not in index.class_names:
        abort(404)
    fmt = _table_format(ext)
    q, _types, themes = _filters(index)
    offset = _offset()
    size = _int_arg("_size", BROWSE_PAGE, TABLE_LIMIT) if fmt else BROWSE_PAGE
    res = index.search(q, lang, classes=[name], themes=themes, limit=size, offset=offset)
    rows, facets = _hit_rows(index, res, lang), _facets(index, res, lang)
    if fmt:
        return _table(fmt, res, rows, facets, offset, size, lang)
    label = index.label(base_iri() + "def#" + name, lang)
    pages = {"prev": _page_url(max(0, offset - BROWSE_PAGE)) if offset else None,
             "next": _page_url(offset + BROWSE_PAGE) if offset + BROWSE_PAGE < res.total else None}
    return render("pages/browse.html", lang, explicit, label=label, name=name, text=q, res=res, rows=rows,
                  facets=facets, offset=offset, size=BROWSE_PAGE, pages=pages,
                  all_themes=[(local_name(th), index.label(th, lang)) for th in index.themes(base_iri())],
                  selected_themes=[local_name(th) for th in themes],
                  alternates=_table_alternates(url_for("pages.browse", name=name)))


# -- dereferencing ---------------------------------------------------------------------------
def _split_extension(path: str, desc: Describer) -> tuple[str, Format | None]:
    """'usecase/x.ttl' -> ('usecase/x', Turtle), unless 'usecase/x.ttl' is itself a resource."""
    m = _EXT_RE.match(path)
    if not m:
        return path, None
    if _is_iri(base_iri() + path) and desc.exists(base_iri() + path):
        return path, None
    return m.group("path"), EXTENSIONS[m.group("ext")]


def _is_iri(iri: str) -> bool:
    """Can this text be an IRI at all? (a path such as `a%3Cb.ttl` cannot, and is simply not found)"""
    try:
        sparql_iri(iri)
    except ValueError:
        return False
    return True


def _negotiate() -> Format:
    fmt = choose_format(request.headers.get("Accept"), PAGE_FORMATS)
    if fmt is None:
        offered = ", ".join(f.media_type for f in PAGE_FORMATS)
        resp = make_response(f"406 Not Acceptable: available media types: {offered}\n", 406)
        resp.headers["Content-Type"] = "text/plain; charset=utf-8"
        abort(resp)
    return fmt


def _alternates(path: str, data: bool = False) -> list[dict[str, str]]:
    """The other addresses of a page: its RDF, and (for resource pages) its model as JSON and CSV."""
    return [
        {"href": url_for("pages.home") + f"{path}.{f.extension}", "type": f.media_type,
         "label": f.label, "name": f.name}
        for f in (*GRAPH_FORMATS, *(PAGE_DATA_FORMATS if data else ()))
    ]


def _link_header(path: str) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in _alternates(path))


def _rdf_response(body: bytes, fmt: Format, path: str) -> Response:
    resp = make_response(body)
    resp.headers["Content-Type"] = fmt.content_type
    resp.headers["Content-Location"] = url_for("pages.home") + f"{path}.{fmt.extension}"
    resp.headers["Link"] = _link_header(path)
    resp.vary.update(("Accept",))
    return resp


def _data_response(page: Any, fmt: Format, path: str) -> Response:
    """The page's model as JSON, or its statements as CSV (in the page's language)."""
    if fmt.name == "json":
        resp = make_response(json.dumps(pages.as_data(page), ensure_ascii=False, indent=1))
        resp.headers["Content-Type"] = fmt.content_type
    else:
        resp = csv_response([t(f"col_{c}", page.lang) for c in pages.STATEMENT_COLUMNS], pages.statements(page),
                            page.lang)
    resp.headers["Content-Language"] = page.lang
    resp.headers["Link"] = _link_header(path)
    resp.vary.update(("Accept", "Accept-Language", "Cookie"))
    return resp


def _construct(sparql: str, fmt: Format) -> bytes:
    result = engine().execute(sparql, results_format=None, graph_format=fmt, own=True)  # our text, checked IRIs
    return result.body


def dereference(prefix: str, rest: str) -> Response:
    """Serve `{base}{prefix}/{rest}` as HTML or RDF."""
    lang, explicit = request_lang(request)
    desc = describer(lang)
    path, forced = _split_extension(f"{prefix}/{rest}", desc)
    iri = base_iri() + path
    if not _is_iri(iri):
        abort(404)
    if not desc.exists(iri):
        return render("pages/not_found.html", lang, explicit, iri=iri), 404  # type: ignore[return-value]
    fmt = forced or _negotiate()
    if fmt in PAGE_DATA_FORMATS:
        return _data_response(pages.page(desc, iri), fmt, path)
    if fmt.name != "html":
        return _rdf_response(_construct(desc.describe_query(iri), fmt), fmt, path)
    page = pages.page(desc, iri)
    jsonld = _escape_json_bytes(_construct(desc.describe_query(iri), EXTENSIONS["jsonld"]))
    resp = render(
        f"pages/{page.kind}.html", lang, explicit, page=page, s=page.sections, jsonld=jsonld,
        alternates=_alternates(path, data=True), editor_url=editor_link(page.query), iri=iri,
    )
    resp.headers["Content-Location"] = url_for("pages.home") + f"{path}.html"
    resp.headers["Link"] = _link_header(path)
    return resp


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    return dereference("id", rest)


@bp.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    """A named graph's IRI: its provenance record (graph/meta) and incoming links."""
    return dereference("graph", rest)


@bp.get("/source/<path:rest>")
def source_file(rest: str) -> Response:
    """A source file's IRI (object of prov:wasDerivedFrom in graph/meta)."""
    return dereference("source", rest)


# -- ontology --------------------------------------------------------------------------------
@bp.get("/def")
@bp.get("/def.<ext>")
@bp.get("/def/<version>")
def ontology(ext: str | None = None, version: str | None = None) -> Response:
    """The ontology document: its Turtle/JSON-LD/... or HTML documentation generated from it."""
    lang, explicit = request_lang(request)
    if ext is not None and ext not in DOC_EXTENSIONS:
        abort(404)
    if version is not None:
        m = _EXT_RE.match(version)
        version, ext = (m.group("path"), m.group("ext")) if m else (version, None)
        if ext is not None and ext not in DOC_EXTENSIONS:
            abort(404)
    desc = describer(lang)
    doc = ontology_model.ontology(desc)
    if version is not None and version != doc["version"]:
        abort(404)
    fmt = DOC_EXTENSIONS[ext] if ext else _negotiate()
    path = "def" if version is None else f"def/{version}"
    if fmt.name != "html":
        body = engine().graph_get(base_iri() + "graph/ontology/odl", fmt).body
        return _rdf_response(body, fmt, path)
    resp = render("pages/ontology.html", lang, explicit, doc=doc, alternates=_alternates(path))
    resp.headers["Content-Location"] = url_for("pages.home") + f"{path}.html"
    resp.headers["Link"] = _link_header(path)
    return resp


@bp.get("/shapes")
@bp.get("/shapes.<ext>")
def shapes(ext: str | None = None) -> Response:
    """The SHACL shapes document (`{base}shapes#...`): all graph/shapes/* graphs as RDF; for people,
    the ontology documentation, which lists the constraints of every class."""
    lang, explicit = request_lang(request)
    if ext is not None and ext not in DOC_EXTENSIONS:
        abort(404)
    fmt = DOC_EXTENSIONS[ext] if ext else _negotiate()
    if fmt.name != "html":
        return _rdf_response(_construct(ontology_model.shapes_query(describer(lang)), fmt), fmt, "shapes")
    doc = ontology_model.ontology(describer(lang))
    resp = render("pages/ontology.html", lang, explicit, doc=doc, alternates=_alternates("shapes"))
    resp.headers["Content-Location"] = url_for("pages.home") + "shapes.html"
    return resp


# -- editor ----------------------------------------------------------------------------------
def example_tabs(lang: str) -> list[dict[str, str]]:
    """The catalogue queries (queries/*.rq) as the editor's examples, parameters set to their defaults."""
    try:
        from odl_graph.analyses.catalogue import load_catalogue
    except ImportError:  # the catalogue module is optional for the pages
        return []
    tabs = []
    for name, query in load_catalogue().items():
        tabs.append({
            "name": query.titles.get(lang) or name,
            "id": name,
            "description": query.descriptions.get(lang, query.description),
            "view": query.view,
            "query": editor_model.editor_text(query, base_iri(), lang),
        })
    return tabs


def editor_config(lang: str) -> dict[str, Any]:
    """What editor.js needs: endpoint, examples, view names and the interface strings of `lang`."""
    from odl_graph.analyses.catalogue import DEFAULT_VIEW_NAMES
    from server.pages.sharelinks import MAIL_SAFE_CHARS

    strings = {key[len("ed_"):]: t(key, lang) for key in STRINGS if key.startswith("ed_")}
    # YASGUI's own English texts, by the English text, with what the page shows instead
    yasgui = {STRINGS[key]["en"]: t(key, lang) for key in STRINGS if key.startswith("yasgui:")}
    return {
        "endpoint": url_for("sparql.sparql"),
        "complete": url_for("pages.complete"),
        "share": url_for("pages.share"),
        "mail_safe": MAIL_SAFE_CHARS,
        "lang": lang,
        "examples": example_tabs(lang),
        "views": {name: view for view, name in DEFAULT_VIEW_NAMES.items()},
        "base": base_iri(),
        "home": url_for("pages.home"),
        "strings": strings,
        "yasgui": yasgui,
        # the graph view's legend: the kind of each minted IRI ({base}id/{kind}/...) in words
        "kinds": {k: t(f"ed_kind_{k}" if f"ed_kind_{k}" in STRINGS else k, lang) for k in (
            "challenge", "usecase", "service", "datacategory", "dataset", "actor", "commune", "standard",
            "requirement", "concept") if k in STRINGS or f"ed_kind_{k}" in STRINGS},
    }


@bp.get("/editor")
def editor() -> Response:
    from server.pages.sharelinks import shared_query

    lang, explicit = request_lang(request)
    return render("pages/editor.html", lang, explicit, config={**editor_config(lang), "shared": shared_query()})


# -- exploration -----------------------------------------------------------------------------
def _explore_themes(lang: str) -> list[dict[str, Any]]:
    """Every theme with its number of use cases (from the search index: no query), most first."""
    index = search_index()
    counts = dict(index.search("", lang, classes=["UseCase"], limit=0).themes)
    themes = [{"code": local_name(th), "iri": th, "label": index.label(th, lang), "usecases": counts.get(th, 0)}
              for th in index.themes(base_iri())]
    return sorted(themes, key=lambda x: -x["usecases"])  # stable: equal counts keep the label order


def _empty_theme(theme: dict[str, Any], lang: str) -> dict[str, Any]:
    """Why a theme's network is empty, and what the graph does link to it (counted by the index)."""
    res = search_index().search("", lang, themes=[theme["iri"]], limit=0)
    counts = dict(res.types)
    figures = {"challenges": counts.get("Challenge", 0), "experiments": counts.get("Experiment", 0),
               "publications": counts.get("Publication", 0)}
    return {"text": t("network_empty", lang).format(theme=theme["label"]), "more": t("network_empty_more", lang),
            "counts": t("network_empty_counts", lang).format(**figures), "figures": figures,
            "href": local_href(theme["iri"]), "label": theme["label"]}


def _chosen_theme(themes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The theme asked for (`?theme=code`), the one with most use cases when none is, None for `all`."""
    asked = request.args.get("theme")
    if asked == "all":
        return None
    found = next((th for th in themes if th["code"] == asked), None)
    if asked and found is None:
        abort(404)
    return found or (themes[0] if themes else None)


@bp.get("/explore")
def explore() -> Response:
    """The network of one theme (labelled, with a legend) and the openness charts."""
    lang, explicit = request_lang(request)
    themes = _explore_themes(lang)
    theme = _chosen_theme(themes)
    empty = _empty_theme(theme, lang) if theme and not theme["usecases"] else None
    return render("pages/explore.html", lang, explicit, themes=themes, theme=theme, empty=empty)


def _json(value: Any) -> Response:
    resp = make_response(json.dumps(value, ensure_ascii=False))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp


@bp.get("/explore/network.json")
def network_json() -> Response:
    """Cytoscape elements of one theme (`?theme=code`; the fullest theme by default, `all` for every
    theme), with the theme, and for a theme without use cases the explanation the page shows."""
    lang, _ = request_lang(request)
    themes = _explore_themes(lang)
    theme = _chosen_theme(themes)
    data = exploration.network(describer(lang), theme["iri"] if theme else None)
    for el in data["elements"]:
        if el["group"] == "nodes":
            el["data"]["href"] = local_href(el["data"]["id"])
    data["theme"] = {k: theme[k] for k in ("code", "label", "usecases")} if theme else None
    data["empty"] = _empty_theme(theme, lang) if theme and not data["elements"] else None
    return _json(data)


@bp.get("/explore/charts.json")
def charts_json() -> Response:
    lang, _ = request_lang(request)
    return _json(exploration.charts(describer(lang)))

