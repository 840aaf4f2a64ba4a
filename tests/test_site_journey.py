"""The site as a town uses it, on the shipped graph in Debian's Chromium: one journey end to end, and
axe-core on every page type (0 critical, 0 serious). Then a town officer's journey for an ACV town the
other tests do not use (Vierzon): home → the town's page → a use case where it must ask another body →
the diagnostic → the roadmap → the file of its requests, at 1366 px and 390 px, measuring that no cell of
the lines overflows its box (every explanation shown in full), axe-core on each page; and the programme
synthesis with its PDF from the commune page.

Screenshots go to test-artifacts/screenshots/journey-*.png, axe results to test-artifacts/axe/.
One page of each resource kind is picked from the built graph by its class (not a hard-coded IRI),
so a new resource kind or a renamed resource cannot silently drop out of the sweep.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from axe_support import assert_accessible, axe_available

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs Debian's chromium)", allow_module_level=True)
if not axe_available():
    pytest.skip("no axe-core in tests/clients/node_modules (scripts/setup.sh runs npm ci)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
BASE = "https://w3id.org/odl-graph/"
ODL = BASE + "def#"
USECASE = "tableau-bord-rotation-stationnement"
TOWN_TYPED, TOWN_CODE, TOWN = "chalon sur saone", "71076", "Chalon-sur-Saône"

# Resource kinds of the Linked Data pages: the class whose first instance (by IRI) is visited.
KINDS = {
    "usecase": f"<{ODL}UseCase>",
    "challenge": f"<{ODL}Challenge>",
    "datacategory": f"<{ODL}DataCategory>",
    "dataset": "<http://www.w3.org/ns/dcat#Dataset>",
    "actor": f"<{ODL}Actor>",
    "commune": f"<{ODL}Commune>",
    "standard": f"<{ODL}Standard>",
    "experiment": f"<{ODL}Experiment>",
    "interview": f"<{ODL}Interview>",
    "publication": f"<{ODL}Publication>",
    "scheme": "<http://www.w3.org/2004/02/skos/core#ConceptScheme>",
    "concept": "<http://www.w3.org/2004/02/skos/core#Concept>",
}
STATIC_PAGES = {
    "home": "/",
    "search": "/search?q=stationnement",
    "browse": "/browse/UseCase",
    "explore": "/explore",
    "editor": "/editor",
    "ontology": "/def",
    "downloads": "/download/",
    "analyses": "/analyses/",
    "diagnostic": f"/analyses/diagnostic?commune={TOWN_CODE}&usecase={USECASE}",
    "roadmap": f"/analyses/roadmap?commune={TOWN_CODE}",
    "ranking": f"/analyses/ranking?usecase={USECASE}",
    "priorities": "/analyses/priorities",
    "map": "/analyses/map",
    "api-docs": "/api/docs",
    "error": "/id/no-such-resource",
    "home-en": "/?lang=en",
    "diagnostic-en": f"/analyses/diagnostic?commune={TOWN_CODE}&usecase={USECASE}&lang=en",
    "report": "/analyses/report",
    "requests": f"/analyses/letters?commune={TOWN_CODE}",
}


@pytest.fixture(scope="module")
def shipped_server(shipped_build) -> Iterator[tuple[str, dict[str, str]]]:
    """The whole app over the shipped build on a loopback port, and one page path per resource kind."""
    from werkzeug.serving import make_server

    from odl_graph.stores import EmbeddedStore
    from server import create_app
    from server.engine import close_engine

    store = EmbeddedStore(shipped_build.store_path)
    paths: dict[str, str] = {}
    for kind, cls in KINDS.items():
        rows = list(store.query(
            f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s a {cls} }} FILTER(STRSTARTS(STR(?s), '{BASE}id/')) }} "
            "ORDER BY ?s LIMIT 1"))
        assert rows, f"the shipped graph has no {kind} ({cls}) under {BASE}id/"
        paths[kind] = "/" + rows[0]["s"].value.removeprefix(BASE)
    del store
    app = create_app({"store": str(shipped_build.store_path), "workers": 1})
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", paths
    srv.shutdown()
    srv.server_close()
    close_engine(app)


@pytest.fixture
def context(browser, shipped_server):
    """A French reader's browser; nothing may leave 127.0.0.1, and no script may fail."""
    base, _paths = shipped_server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    external: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if urlparse(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    ctx.on("page", lambda pg: pg.on("pageerror", lambda exc: errors.append(str(exc))))
    yield ctx
    ctx.close()
    assert not external, f"requests left the machine: {external}"
    assert not errors, f"JavaScript errors: {errors}"


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


def test_a_town_replicates_a_use_case(context, shipped_server) -> None:
    """Home → use-case sheet → commune typed without accents → diagnostic and roadmap → a holder's
    page → English → the query behind the diagnostic in the editor, on a map → the share link
    reopens the same query and view in a new page."""
    base, _paths = shipped_server
    page = context.new_page()
    page.goto(base + "/")
    page.click(f"#usecase-list a[href='/id/usecase/{USECASE}']")
    expect(page.locator("#h-town")).to_have_text("Ma commune peut-elle le faire ?")
    shot(page, "1-usecase")

    page.fill("#town", TOWN_TYPED)
    option = page.locator("#town-list [role=option]").first
    expect(option).to_contain_text(f"{TOWN} ({TOWN_CODE}")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/analyses/diagnostic?commune={TOWN_CODE}&usecase={USECASE}")
    expect(page.locator("#diagnostic-title")).to_contain_text(TOWN)
    lines = page.locator("#diagnostic-lines tbody tr")
    assert lines.count() >= 3
    assert page.locator("#score strong").text_content().strip().endswith("%")
    diagnostic_url = page.url
    shot(page, "2-diagnostic")

    page.click(f"a[href='/analyses/roadmap?commune={TOWN_CODE}']")
    expect(page.locator("h1")).to_contain_text("Feuille de route")
    assert page.locator("main table tbody tr").count() >= 1
    shot(page, "3-roadmap")
    page.go_back()

    holder = page.locator("#diagnostic-lines tbody tr td:nth-child(3) .holder > a:not(.portal)").first
    href = holder.get_attribute("href")
    assert href and href.startswith("/id/")
    holder.click()
    page.wait_for_url(base + href)
    expect(page.locator("h1")).not_to_be_empty()
    assert page.get_attribute("html", "lang") == "fr"
    shot(page, "4-holder")

    page.click("nav.langs a[data-lang='en']")
    assert page.get_attribute("html", "lang") == "en"
    page.goto(diagnostic_url)  # the choice sticks across pages
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("h1")).to_have_text("Deployability diagnostic")
    shot(page, "5-diagnostic-en")

    page.click("#open-query")
    page.wait_for_selector(".yasqe .CodeMirror")
    query = page.evaluate("window.odlEditor.yasqe.getValue()")
    assert f"/id/commune/{TOWN_CODE}>" in query and f"/id/usecase/{USECASE}>" in query
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr tbody tr", timeout=30000)
    page.click(".yasr_btn.select_map")
    page.wait_for_selector("#odl-map[data-features]")
    assert int(page.get_attribute("#odl-map", "data-features")) >= 1
    assert page.locator("#odl-map path.leaflet-interactive").count() >= 1
    shot(page, "6-editor-map")

    page.click("#copy-share")
    expect(page.locator("#share-status")).to_have_text("Link copied.")  # the short link is asked of the server
    link = page.input_value("#share-link")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "view=map" in link and "/editor?z=" in link and len(link) < 1000
    other = context.new_page()
    other.goto(link)
    other.wait_for_selector("#odl-map[data-features]", timeout=30000)
    assert other.evaluate("window.odlEditor.yasqe.getValue()") == query
    assert other.evaluate("window.odlEditor.yasr.getSelectedPluginName()") == "map"
    shot(other, "7-shared-link")


@pytest.mark.parametrize("name", [*sorted(STATIC_PAGES), *sorted(KINDS)])
def test_no_serious_or_critical_violation(context, shipped_server, name: str) -> None:
    base, paths = shipped_server
    page = context.new_page()
    # The synthesis reads every ACV town's roadmap on its first request (then kept per graph version).
    page.goto(base + (STATIC_PAGES.get(name) or paths[name]), wait_until="networkidle",
              timeout=300_000 if name == "report" else 30_000)
    assert_accessible(page, f"shipped-{name}")


# -- a town officer's journey ------------------------------------------------------------------
OFFICER_TOWN, OFFICER_CODE = "Vierzon", "18279"

# Cells of the lines that overflow their box (a visually hidden header row is not a box a reader sees),
# and the table's width against its container's.
OVERFLOW = """(id) => {
  const table = document.getElementById(id);
  const bad = [];
  for (const el of table.querySelectorAll('tbody td, tbody th')) {
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
      bad.push(el.textContent.trim().slice(0, 50) + ` (${el.scrollWidth}>${el.clientWidth})`);
  }
  const box = table.parentElement.getBoundingClientRect().width;
  return {bad, table: table.getBoundingClientRect().width, box,
          page: document.documentElement.scrollWidth, viewport: document.documentElement.clientWidth};
}"""


def _usecase_with_a_request(shipped_build: Any) -> str:
    """A use case for which the town has a line to ask another body about (chosen from the graph)."""
    from odl_graph.analyses import letters as lt
    from odl_graph.analyses import tables as tb
    from odl_graph.stores import EmbeddedStore

    t = tb.tables(EmbeddedStore(shipped_build.store_path))
    commune = t.resolve_commune(t.commune_index.resolve(OFFICER_CODE).iri)
    for u in sorted(t.usecases, key=t.sort_key):
        if lt.letters_for_usecase(t, commune, u):
            return u.rsplit("/", 1)[-1]
    pytest.fail(f"{OFFICER_TOWN} has nothing to ask for any use case")


def _fits(page: Any, table_id: str, where: str) -> None:
    m = page.evaluate(OVERFLOW, table_id)
    assert not m["bad"], f"{where}: cells cut: {m['bad']}"
    assert m["table"] <= m["box"] + 1 and m["page"] <= m["viewport"], f"{where}: too wide: {m}"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"town-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_town_finds_whom_to_ask_and_its_requests(context, shipped_server, shipped_build, width: int) -> None:
    base, _paths = shipped_server
    usecase = _usecase_with_a_request(shipped_build)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + "/", wait_until="networkidle")
    assert_accessible(page, f"town-{width}-home")
    page.fill("#site-search", OFFICER_TOWN)
    page.press("#site-search", "Enter")
    page.click(f"main a[href='/id/commune/{OFFICER_CODE}']")
    page.wait_for_url(f"**/id/commune/{OFFICER_CODE}")
    _fits(page, "roadmap-steps", f"commune page at {width}")
    assert_accessible(page, f"town-{width}-commune")
    _shot(page, f"{width}-1-commune")

    page.click(f"#readiness a[href$='usecase={usecase}']")
    page.wait_for_url(f"**/analyses/diagnostic?commune={OFFICER_CODE}&usecase={usecase}")
    lines = page.locator("#diagnostic-lines tbody tr")
    assert lines.count() >= 1
    _fits(page, "diagnostic-lines", f"diagnostic at {width}")
    for i in range(lines.count()):  # what to do, with whom, why and how sure, in words
        row = lines.nth(i)
        assert row.locator("td").nth(0).inner_text().strip() and row.locator("td.explanation").inner_text().strip()
    assert "docs/evidence.md" not in page.inner_text("main") and "Poids" not in page.inner_text("main")
    assert_accessible(page, f"town-{width}-diagnostic")
    _shot(page, f"{width}-2-diagnostic")

    letter = page.locator("#diagnostic-lines a.letter-link").first
    letter.click()
    page.wait_for_url("**/analyses/letter?**")
    text = page.inner_text("article.letter .letter-text")
    assert f"Pour la commune de {OFFICER_TOWN}" in text and "CRPA" in text and "Base légale" in text
    assert_accessible(page, f"town-{width}-letter")
    page.go_back()

    page.click(f"a[href='/analyses/roadmap?commune={OFFICER_CODE}']")
    page.wait_for_url(f"**/analyses/roadmap?commune={OFFICER_CODE}")
    _fits(page, "roadmap-steps", f"roadmap at {width}")
    assert_accessible(page, f"town-{width}-roadmap")
    _shot(page, f"{width}-3-roadmap")

    page.click("#town-requests")
    page.wait_for_url(f"**/analyses/letters?commune={OFFICER_CODE}")
    assert page.locator("article.letter").count() >= 1
    assert_accessible(page, f"town-{width}-requests")
    _shot(page, f"{width}-4-requests")
    with page.expect_download() as dl:
        page.click("#letters-text")
    body = Path(dl.value.path()).read_text(encoding="utf-8")
    assert body.count("Objet : ") == page.locator("article.letter").count() and OFFICER_TOWN in body


def test_the_synthesis_and_its_pdf_from_the_commune_page(context, shipped_server) -> None:
    base, _paths = shipped_server
    page = context.new_page()
    page.goto(f"{base}/id/commune/{OFFICER_CODE}")
    page.click("#commune-report a[href*='#town-']")
    page.wait_for_url("**/analyses/report#town-" + OFFICER_CODE)
    assert page.locator(f"#town-{OFFICER_CODE}").is_visible()
    assert_accessible(page, "town-report")
    _shot(page, "5-report")
    url = base + page.get_attribute("#report-pdf", "href")
    deadline = time.monotonic() + 900  # made once per graph version by `odl-graph report` in a child process
    while (pdf := page.request.get(url)).status == 503 and time.monotonic() < deadline:
        assert pdf.headers["retry-after"] == "60"
        time.sleep(5)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    page.goto(base + "/analyses/")
    assert page.get_attribute("#report-link", "href") == "/analyses/report"
    assert page.get_attribute("#report-pdf-link", "href") == "/analyses/report.pdf"
