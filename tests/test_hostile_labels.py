"""Hostile data: every text of a copy of the page fixture store carries markup that would run if a
page put it into the DOM as HTML, and every external link is a `javascript:` IRI. Every page kind and
every editor view is opened in Chromium (Debian's chromium driven by Playwright): no payload may run,
none may become an element, the pages' own code may not trip the Content-Security-Policy, and every
HTML answer carries the security headers (server/headers.py).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from pages_fixture import ID, fixture_graphs
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from odl_graph.stores import EmbeddedStore

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs Debian's chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# Each payload calls alert(): a dialog means a payload ran (the CSP would block most; the DOM checks
# below catch the markup even where the CSP would have saved us).
HOSTILE = ('<img src=x onerror="alert(1)"><svg onload="alert(2)"></svg><script>alert(3)</script>'
           '" onmouseover="alert(4)" x=\' <a href="javascript:alert(5)">lien</a>')
JS_LINK = "javascript:alert(6)"
# Codes that name resources in URLs or queries stay as they are (a page must still be reachable).
KEEP = {"codeINSEE", "identifier", "siren", "acvId", "fieldName", "fieldType", "fieldEnum", "notation",
        "versionInfo", "code", "prefix", "preferredNamespacePrefix", "preferredNamespaceUri"}
LINKS = {"source", "page", "homepage", "license", "accessURL", "downloadURL", "landingPage", "seeAlso"}
INJECTED = ("img[src='x'], svg[onload], [onerror], [onload], [onmouseover], a[href^='javascript:' i], "
            "iframe, object, embed")
HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")

def _local(iri: URIRef) -> str:
    return str(iri).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

def hostile(nt: bytes) -> bytes:
    """The graph with HOSTILE appended to every text and JS_LINK as every external link."""
    g, out = Graph(), Graph()
    g.parse(data=nt, format="nt")
    for s, p, o in g:
        name = _local(p)
        if isinstance(o, Literal) and o.datatype in (None, XSD.string, RDF.langString) and name not in KEEP:
            o = Literal(f"{o} {HOSTILE}", lang=o.language)
        elif isinstance(o, URIRef) and name in LINKS and not str(o).startswith(ID):
            o = URIRef(JS_LINK)
        out.add((s, p, o))
    return out.serialize(format="nt", encoding="utf-8")

@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    from server import create_app
    from server.engine import get_engine

    path = tmp_path_factory.mktemp("hostile-store")
    EmbeddedStore(path).replace_all({name: hostile(nt) for name, nt in fixture_graphs().items()})
    app = create_app({"store": str(path), "workers": 1, "query_timeout": 20, "TESTING": True})
    eng = get_engine(app)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    eng.close()

# Records CSP violations from inside the page (the console does not say which directive).
WATCH_CSP = """document.addEventListener('securitypolicyviolation', e => {
  (window.__csp = window.__csp || []).push({directive: e.violatedDirective, blocked: e.blockedURI,
    file: e.sourceFile, line: e.lineNumber, column: e.columnNumber});
});"""
YASGUI = Path(__file__).resolve().parent.parent / "server" / "static" / "vendor" / "yasgui" / "yasgui.min.js"


def _sanitizer_parse(v: dict) -> bool:
    """A report, not a block of ours: DOMPurify (inside YASR) parses a dirty value with DOMParser, an inert
    document in which nothing runs, and Chromium still reports its event handlers against the page's
    policy (github.com/cure53/DOMPurify/issues/107). The value is then sanitized; the DOM checks still
    apply to whatever YASR inserts."""
    if v["directive"] != "script-src-attr" or not v["file"].endswith("/yasgui.min.js"):
        return False
    lines = YASGUI.read_text(encoding="utf-8").splitlines()
    text = lines[v["line"] - 1] if 0 < v["line"] <= len(lines) else ""
    return "parseFromString" in text[max(0, v["column"] - 40):v["column"] + 40]


class Hostile:
    def __init__(self, pg, base: str) -> None:
        self.pg, self.base = pg, base
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.external: list[str] = []
        self.unguarded: list[str] = []

    def open(self, path: str) -> None:
        resp = self.pg.goto(self.base + path)
        # 503: /download/ while the dumps of a new store version are being made (its HTML page is checked too)
        assert resp is not None and (resp.status < 500 or resp.status == 503), f"{path}: {resp and resp.status}"
        self.pg.wait_for_load_state("load")

    def check(self, where: str) -> None:
        """No payload ran, none became an element, the CSP was not tripped, every HTML answer had the headers."""
        injected = self.pg.evaluate(f"Array.from(document.querySelectorAll({INJECTED!r})).map(e => e.outerHTML)")
        scripts = self.pg.evaluate(
            "Array.from(document.scripts).filter(s => !s.src && !/json/.test(s.type) && /alert/.test(s.text)).length")
        csp = [v for v in self.pg.evaluate("window.__csp || []") if not _sanitizer_parse(v)]
        assert not self.dialogs, f"{where}: a payload ran: {self.dialogs}"
        assert not injected and not scripts, f"{where}: data became markup: {injected} ({scripts} scripts)"
        assert not csp, f"{where}: Content-Security-Policy violations: {csp}"
        assert not self.errors, f"{where}: JavaScript errors: {self.errors}"
        assert not self.external, f"{where}: requests left the machine: {self.external}"
        assert not self.unguarded, f"{where}: HTML answers without the security headers: {self.unguarded}"

@pytest.fixture
def hpage(browser, live_server: str) -> Iterator[Hostile]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = context.new_page()
    h = Hostile(pg, live_server)
    pg.add_init_script(WATCH_CSP)

    def route(r) -> None:
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            h.external.append(r.request.url)
            r.abort()

    def response(resp) -> None:
        headers = resp.headers
        if headers.get("content-type", "").startswith("text/html") and not all(k in headers for k in HEADERS):
            h.unguarded.append(resp.url)

    pg.route("**/*", route)
    pg.on("response", response)
    pg.on("dialog", lambda dlg: (h.dialogs.append(dlg.message), dlg.dismiss()))
    pg.on("pageerror", lambda exc: h.errors.append(str(exc)))
    yield h
    context.close()

def _poke(pg) -> None:
    """Open what shows data on demand: map tooltips and popups, folded details, picker suggestions."""
    for d in pg.locator("details:not([open]) > summary").all()[:10]:
        if d.is_visible():
            d.click()
    for marker in pg.locator(".leaflet-interactive").all()[:5]:
        if marker.is_visible():
            marker.hover(force=True)
            marker.click(force=True)
    for field in ("#town", "#commune"):
        if pg.locator(field).count() and pg.locator(field).is_visible():
            pg.fill(field, "commune")
            pg.wait_for_timeout(300)

PAGES = ["/", "/search?q=script", "/search?q=commune&type=Commune", "/browse/UseCase", "/browse/Commune",
         "/browse/Actor", "/browse/Dataset", "/explore?theme=all", "/explore?theme=biodiversity", "/download/",
         "/def", "/api/docs", "/no/such/page", "/analyses/", "/analyses/diagnostic?commune=35360",
         "/analyses/diagnostic?commune=35360&usecase=ilots-de-fraicheur", "/analyses/roadmap?commune=35360",
         "/analyses/ranking?usecase=ilots-de-fraicheur", "/analyses/priorities", "/analyses/map",
         "/id/usecase/ilots-de-fraicheur", "/id/usecase/xss", "/id/challenge/xss", "/id/challenge/ilots-de-chaleur",
         "/id/datacategory/xss", "/id/datacategory/arbres", "/id/actor/xss", "/id/actor/cci-bretagne",
         "/id/commune/35360", "/id/commune/99999", "/id/standard/xss/schema-xss",
         "/id/standard/etalab/schema-arbre", "/id/dataset/xss", "/id/dataset/arbres-vitre",
         "/id/experiment/xss", "/id/scheme/openness", "/id/concept/openness/property",
         "/id/concept/theme/climate-adaptation", "/id/interview/vitre-2023", "/editor", "/shapes",
         "/graph/data/fixture", "/browse/Standard", "/browse/DataCategory", "/catalog"]

@pytest.mark.parametrize("path", PAGES)
def test_no_payload_runs_on_a_page(hpage: Hostile, path: str) -> None:
    hpage.open(path)
    if path.startswith("/explore"):
        hpage.pg.wait_for_selector("#network[data-nodes]", state="attached")
    if path == "/api/docs":
        hpage.pg.wait_for_selector("#swagger-ui .opblock", timeout=20000)
    if path == "/analyses/map":
        hpage.pg.wait_for_selector("#readiness-map[data-markers]")
    _poke(hpage.pg)
    hpage.check(path)

def test_the_fixture_is_hostile(hpage: Hostile) -> None:
    """The payloads reach the pages as text (else the test above would prove nothing)."""
    hpage.open("/id/commune/35360")
    hpage.pg.wait_for_selector("#commune-map[data-ready=true]")
    assert HOSTILE in (hpage.pg.locator("h1").text_content() or "")
    assert HOSTILE in (hpage.pg.locator("#commune-map .leaflet-tooltip").text_content() or "")
    hpage.open("/id/dataset/arbres-vitre")
    assert hpage.pg.locator("main a[rel=external]").count() > 0  # the javascript: links are shown, not linked
    assert hpage.pg.locator("main a[rel=external][href]:not([href=''])").count() == 0
    hpage.check("fixture")

LABELS = "SELECT ?x ?xLabel WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?xLabel } LIMIT 30"
GEO = ('SELECT ?x ?xLabel ?wkt WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?xLabel '
       'BIND("POINT(2 47)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> AS ?wkt) } LIMIT 5')
CHART = ('SELECT ?xLabel (COUNT(*) AS ?n) WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?xLabel } '
         'GROUP BY ?xLabel LIMIT 10')
GRAPH = ('CONSTRUCT { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l . ?x <http://purl.org/dc/terms/source> ?s } '
         'WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l '
         'OPTIONAL { ?x <http://purl.org/dc/terms/source> ?s } } '
         'LIMIT 40')
LINK = 'SELECT ?x ?xLabel WHERE { VALUES (?x ?xLabel) { (<javascript:alert(7)> "lien") } }'
EDITOR_VIEWS = [("table", LABELS, ".yasr tbody tr"), ("map", GEO, "#odl-map[data-features]"),
                ("bar", CHART, "canvas#odl-chart-bar[data-points]"), ("line", CHART, "canvas#odl-chart-line"),
                ("graph", GRAPH, "#odl-graph[data-nodes]"), ("response", LABELS, ".yasr .CodeMirror"),
                ("table", LINK, ".yasr tbody tr"), ("map", LINK.replace("?xLabel", "?xLabel ?wkt").replace(
                    '"lien")', '"lien" "POINT(2 47)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>)'),
                    "#odl-map[data-features]")]

@pytest.mark.parametrize(("view", "query", "ready"), EDITOR_VIEWS, ids=[
    f"{v}-{i}" for i, (v, _, _) in enumerate(EDITOR_VIEWS)])
def test_no_payload_runs_in_an_editor_view(hpage: Hostile, view: str, query: str, ready: str) -> None:
    hpage.open(f"/editor#query={quote(query, safe='')}&view={view}")
    hpage.pg.wait_for_selector(ready, state="attached", timeout=20000)
    _poke(hpage.pg)
    if query is LABELS and view == "table":  # the payloads are in the table, as text
        assert "<script>alert(3)</script>" in (hpage.pg.locator(".yasr tbody").text_content() or "")
    for node in hpage.pg.locator(".odl-graph-view .node-list a, .yasr a").all()[:10]:
        href = node.get_attribute("href") or ""
        assert not href.lower().startswith("javascript:"), f"{view}: a javascript: link {href}"
    hpage.check(f"editor {view}")

def test_json_and_static_answers_carry_the_headers(live_server: str) -> None:
    import requests

    for path in ("/health", "/api/queries", "/static/pages/pages.css", "/sparql?query=ASK%7B%7D"):
        resp = requests.get(live_server + path, timeout=30)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], path
    csp = requests.get(live_server + "/", timeout=30).headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_vendor_style_hashes_match_the_vendored_files() -> None:
    """The CSP allows two inline <style> texts by hash: they must be the vendored libraries' own."""
    import base64
    import hashlib
    import re

    from server.headers import VENDOR_STYLES

    vendor = Path(__file__).resolve().parent.parent / "server" / "static" / "vendor"
    yasgui = (vendor / "yasgui" / "yasgui.min.js").read_text(encoding="utf-8")
    cyto = (vendor / "cytoscape" / "cytoscape.min.js").read_text(encoding="utf-8")
    texts = {"yasr-column-resizer": re.findall(r"createStyle\(a,`([^`]*)`\)", yasgui),
             "cytoscape-container": [".__________cytoscape_container { position: relative; }"]}
    assert '"__________cytoscape_container"' in cyto and '" { position: relative; }"' in cyto
    for name, found in texts.items():
        assert len(found) == 1, name
        digest = base64.b64encode(hashlib.sha256(found[0].encode("utf-8")).digest()).decode()
        assert VENDOR_STYLES[name] == f"sha256-{digest}", name
