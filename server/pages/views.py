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
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request, url_for
from markupsafe import Markup

from odl_graph import describe as d
from odl_graph.config import load_settings
from odl_graph.negotiation import GRAPH_FORMATS, Format, choose_format
from server.pages.i18n import STRINGS, request_lang, t

bp = Blueprint("pages", __name__, template_folder="../templates")

HTML = Format("html", "text/html", "text/html; charset=utf-8", ("application/xhtml+xml",))
PAGE_FORMATS: tuple[Format, ...] = (HTML, *GRAPH_FORMATS)
# Each page format's file extension, so every format a page offers has its own address.
_EXT_NAMES = {"html": "html", "turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf", "trig": "trig",
              "nquads": "nq"}
EXTENSIONS: dict[str, Format] = {_EXT_NAMES[f.name]: f for f in PAGE_FORMATS}
EXT_OF = {f.name: ext for ext, f in EXTENSIONS.items()}
FORMAT_LABELS = {"html": "HTML", "turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD", "rdfxml": "RDF/XML",
                 "trig": "TriG", "nquads": "N-Quads"}
_EXT_RE = re.compile(r"^(?P<path>.+)\.(?P<ext>" + "|".join(EXTENSIONS) + r")$")

_search_lock = threading.Lock()


# -- app services ----------------------------------------------------------------------------
def engine() -> Any:
    """The app's query engine (server.get_engine creates and starts it on first use)."""
    from server import get_engine

    return get_engine()


def base_iri() -> str:
    """The configured base IRI (the store holds IRIs rebased onto it)."""
    settings = current_app.config.get("ODL")
    if not settings:
        settings = current_app.extensions.get("odl_pages_settings")
        if settings is None:
            settings = current_app.extensions["odl_pages_settings"] = load_settings()
    return settings.get("base_iri") or d.iris.BASE


def describer(lang: str) -> d.Describer:
    return d.Describer(engine(), base_iri(), lang)


def search_index() -> d.SearchIndex:
    """The label index of the current store version, built on first use."""
    eng = engine()
    version = getattr(eng, "version", None)
    cache = current_app.extensions.setdefault("odl_pages_search", {})
    with _search_lock:
        if cache.get("version") != version or "index" not in cache or version is None:
            cache["index"] = d.SearchIndex.build(eng, base_iri())
            cache["version"] = version
        return cache["index"]


# -- template helpers ------------------------------------------------------------------------
def local_href(iri: str) -> str:
    """Where an IRI is browsed: our IRIs on this server, others as they are."""
    base = base_iri()
    if iri.startswith(base):
        return url_for("pages.home") + iri[len(base):]
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
    return {"json_script": json_script, "status_group": d.STATUS_GROUP}


def render(template: str, lang: str, explicit: bool, **ctx: Any) -> Response:
    """Render a page in `lang`, remembering an explicit choice in a cookie, and varying on it."""
    here = request.path
    args = {k: v for k, v in request.args.items() if k != "lang"}
    switch = {code: here + "?" + urlencode({**args, "lang": code}) for code in d.LANGS}
    html = render_template(
        template, lang=lang, _=lambda key: t(key, lang), switch=switch, strings=STRINGS, **ctx
    )
    resp = make_response(html)
    resp.headers["Content-Type"] = HTML.content_type
    resp.headers["Content-Language"] = lang
    resp.vary.update(("Accept", "Accept-Language", "Cookie"))
    if explicit and request.args.get("lang") in d.LANGS:
        resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return resp


def editor_link(query: str) -> str:
    """URL of the SPARQL editor pre-loaded with a query (YASGUI reads `query` from the URL)."""
    return url_for("pages.editor") + "?" + urlencode({"query": query}, quote_via=quote)


# -- home, search, browse --------------------------------------------------------------------
@bp.get("/")
def home() -> Response:
    lang, explicit = request_lang(request)
    data = describer(lang).home()
    # entry points served by other blueprints, when the app has them
    others = [(label, path) for bp_name, label, path in (
        ("analyses", "analyses", "/analyses/"),
        ("api", "api", "/api/queries"),
        ("sparql", "sparql_endpoint", "/sparql"),
    ) if bp_name in current_app.blueprints]
    return render("pages/home.html", lang, explicit, data=data, others=others)


@bp.get("/search")
def search() -> Response:
    lang, explicit = request_lang(request)
    q = request.args.get("q", "").strip()[:200]
    hits = search_index().search(q, lang, limit=100) if q else []
    desc = describer(lang)
    types: dict[str, list[d.Node]] = {}
    if hits:
        values = " ".join(d.sparql_iri(h.iri) for h in hits)
        rows = desc.q(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t FILTER(STRSTARTS(STR(?t), "
                      f"\"{desc.odl}\")) }}")
        desc.load_labels(r["t"].value for r in rows)
        for r in rows:
            types.setdefault(r["s"].value, []).append(desc.ref(r["t"].value))
    return render("pages/search.html", lang, explicit, q=q, hits=hits, types=types)


@bp.get("/browse/<name>")
def browse(name: str) -> Response:
    lang, explicit = request_lang(request)
    if not re.fullmatch(r"[A-Za-z]+", name):
        abort(404)
    try:
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        offset = 0
    desc = describer(lang)
    items, total = desc.instances(name, offset=offset, limit=200)
    if total == 0:
        abort(404)
    cls = desc.ref(desc.odl + name)
    return render("pages/browse.html", lang, explicit, cls=cls, items=items, total=total, offset=offset, size=200,
                  name=name)


# -- dereferencing ---------------------------------------------------------------------------
def _split_extension(path: str, desc: d.Describer) -> tuple[str, Format | None]:
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
        d.sparql_iri(iri)
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


def _alternates(path: str) -> list[dict[str, str]]:
    return [
        {"href": url_for("pages.home") + f"{path}.{EXT_OF[f.name]}", "type": f.media_type,
         "label": FORMAT_LABELS[f.name], "name": f.name}
        for f in GRAPH_FORMATS
    ]


def _link_header(path: str) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in _alternates(path))


def _rdf_response(body: bytes, fmt: Format, path: str) -> Response:
    resp = make_response(body)
    resp.headers["Content-Type"] = fmt.content_type
    resp.headers["Content-Location"] = url_for("pages.home") + f"{path}.{EXT_OF[fmt.name]}"
    resp.headers["Link"] = _link_header(path)
    resp.vary.update(("Accept",))
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
    if fmt.name != "html":
        return _rdf_response(_construct(desc.describe_query(iri), fmt), fmt, path)
    page = desc.page(iri)
    jsonld = _escape_json_bytes(_construct(desc.describe_query(iri), EXTENSIONS["jsonld"]))
    resp = render(
        f"pages/{page.kind}.html", lang, explicit, page=page, s=page.sections, jsonld=jsonld,
        alternates=_alternates(path), editor_url=editor_link(page.query), iri=iri,
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
    if ext is not None and ext not in EXTENSIONS:
        abort(404)
    if version is not None:
        m = _EXT_RE.match(version)
        version, ext = (m.group("path"), m.group("ext")) if m else (version, None)
    desc = describer(lang)
    doc = desc.ontology()
    if version is not None and version != doc["version"]:
        abort(404)
    fmt = EXTENSIONS[ext] if ext else _negotiate()
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
    if ext is not None and ext not in EXTENSIONS:
        abort(404)
    fmt = EXTENSIONS[ext] if ext else _negotiate()
    if fmt.name != "html":
        prefix = base_iri() + "graph/shapes/"
        sparql = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                  f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}")
        return _rdf_response(_construct(sparql, fmt), fmt, "shapes")
    doc = describer(lang).ontology()
    resp = render("pages/ontology.html", lang, explicit, doc=doc, alternates=_alternates("shapes"))
    resp.headers["Content-Location"] = url_for("pages.home") + "shapes.html"
    return resp


# -- editor ----------------------------------------------------------------------------------
def example_tabs(lang: str) -> list[dict[str, str]]:
    """The catalogue queries (queries/*.rq) as editor tabs, parameters set to their defaults."""
    try:
        from odl_graph.catalogue import load_catalogue
    except ImportError:  # the catalogue module is optional for the pages
        return []
    tabs = []
    for name, query in load_catalogue().items():
        tabs.append({
            "name": query.titles.get(lang) or name,
            "id": name,
            "query": d.editor_text(query, base_iri(), lang),
        })
    return tabs


@bp.get("/editor")
def editor() -> Response:
    lang, explicit = request_lang(request)
    endpoint = current_app.config.get("ODL_SPARQL_PATH", "/sparql")
    config = {"endpoint": endpoint, "examples": example_tabs(lang)}
    return render("pages/editor.html", lang, explicit, config=config)


# -- exploration -----------------------------------------------------------------------------
@bp.get("/explore")
def explore() -> Response:
    lang, explicit = request_lang(request)
    desc = describer(lang)
    return render("pages/explore.html", lang, explicit, themes=desc.themes(), theme=request.args.get("theme", ""))


def _json(value: Any) -> Response:
    resp = make_response(json.dumps(value, ensure_ascii=False))
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp


@bp.get("/explore/network.json")
def network_json() -> Response:
    lang, _ = request_lang(request)
    theme = request.args.get("theme") or None
    desc = describer(lang)
    if theme is not None:
        if not theme.startswith(base_iri() + "id/concept/theme/"):
            theme = base_iri() + "id/concept/theme/" + theme
        try:
            d.sparql_iri(theme)
        except ValueError:
            abort(400)
    data = desc.network(theme)
    for el in data["elements"]:
        if el["group"] == "nodes":
            el["data"]["href"] = local_href(el["data"]["id"])
    return _json(data)


@bp.get("/explore/charts.json")
def charts_json() -> Response:
    lang, _ = request_lang(request)
    return _json(describer(lang).charts())

