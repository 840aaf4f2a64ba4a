"""The site as a town uses it, on the shipped graph in Debian's Chromium: one journey end to end, and
axe-core on every page type (0 critical, 0 serious).

Screenshots go to test-artifacts/screenshots/journey-*.png, axe results to test-artifacts/axe/.
One page of each resource kind is picked from the built graph by its class (not a hard-coded IRI),
so a new resource kind or a renamed resource cannot silently drop out of the sweep.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run",
                                                              "--disable-background-networking"])
        yield b
        b.close()


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

    holder = page.locator("#diagnostic-lines tbody tr td:nth-child(8) a").first
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
    link = page.input_value("#share-link")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "view=map" in link and "query=" in link
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
    page.goto(base + (STATIC_PAGES.get(name) or paths[name]), wait_until="networkidle")
    assert_accessible(page, f"shipped-{name}")
