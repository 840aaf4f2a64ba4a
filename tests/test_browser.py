"""Real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) on the live pages.

Screenshots go to test-artifacts/screenshots/. No request may leave 127.0.0.1 (no CDN at run time).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from axe_support import assert_accessible, axe_available
from pages_fixture import XSS, XSS_RESOURCES, build_fixture_store, make_app

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

if not shutil.which(CHROMIUM):
    pytest.skip(f"no Chromium at {CHROMIUM} (scripts/setup.sh installs Debian's chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    store = tmp_path_factory.mktemp("browser-store")
    build_fixture_store(store)
    app, eng = make_app(store)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    eng.close()


class Watch:
    """Records what a page does that it must not: remote requests, dialogs (alert), JS errors."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def page(browser, live_server: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = context.new_page()
    watch = Watch()

    def route(r) -> None:
        host = urlparse(r.request.url).hostname
        if host in ("127.0.0.1", "localhost") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("dialog", lambda dlg: (watch.dialogs.append(dlg.message), dlg.dismiss()))
    pg.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    pg.watch = watch  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not watch.external, f"requests left the machine: {watch.external}"
    assert not watch.dialogs, f"a dialog opened (script ran): {watch.dialogs}"
    assert not watch.errors, f"JavaScript errors: {watch.errors}"


def shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_page(page, live_server: str) -> None:
    page.goto(live_server + "/")
    sync_api.expect(page.locator("h1")).to_have_text("Graphe des données locales")
    sync_api.expect(page.locator("#counts li")).to_have_count(10)
    page.fill("#home-search", "ILOTS fraicheur")
    page.press("#home-search", "Enter")
    sync_api.expect(page.locator("#results a[href='/id/usecase/ilots-de-fraicheur']")).to_be_visible()
    page.goto(live_server + "/")
    shot(page, "home")


def test_usecase_sheet(page, live_server: str) -> None:
    page.goto(live_server + "/id/usecase/ilots-de-fraicheur")
    sync_api.expect(page.locator("h1")).to_have_text("Cartographier les îlots de fraîcheur")
    sync_api.expect(page.locator("#data-needed tbody tr")).to_have_count(2)
    badge = page.locator("#data-needed .badge.status-open").first
    sync_api.expect(badge).to_have_text("Ouverte")
    # the badge is coloured (not the default transparent background)
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, "usecase-sheet")
    # keyboard: the skip link is the first tab stop, and Enter moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_thematic_dossier(page, live_server: str) -> None:
    page.goto(live_server + "/id/concept/theme/climate-adaptation")
    sync_api.expect(page.locator("h1")).to_have_text("Adaptation au changement climatique")
    sync_api.expect(page.locator("#usecases tbody tr")).to_have_count(1)
    sync_api.expect(page.locator("#data-needed tbody tr")).to_have_count(2)
    shot(page, "dossier")


def test_network_view_and_charts(page, live_server: str) -> None:
    page.goto(live_server + "/explore?theme=all")
    page.wait_for_selector("#network[data-nodes]")
    total = int(page.get_attribute("#network", "data-nodes"))
    assert total > 5
    assert page.locator("#network canvas").count() > 0  # cytoscape drew it
    for chart in ("#chart-theme", "#chart-actor", "#chart-usual"):
        page.wait_for_selector(f"{chart}[data-groups]")
        assert int(page.get_attribute(chart, "data-groups")) >= 1
        colours = dict(kv.split("=") for kv in page.get_attribute(chart, "data-series").split())
        assert len(set(colours.values())) == len(colours) >= 10  # every status of the scheme, its own colour
    legend = page.locator("#status-legend li").all_text_contents()
    assert "Ouverte" in legend and "Non accessible : propriété" in legend
    page.select_option("#theme", "commerce")
    # a function, not an expression string: Playwright evaluates a string with eval, which the CSP forbids
    page.wait_for_function("n => Number(document.getElementById('network').dataset.nodes) < n", arg=total)
    assert "theme=commerce" in page.url
    labels = page.locator("#node-list a").all_text_contents()
    assert "Suivre la vacance commerciale" in labels and "Cartographier les îlots de fraîcheur" not in labels
    page.select_option("#theme", "housing")  # no use case in this theme: explained, not a blank canvas
    sync_api.expect(page.locator("#network-empty")).to_be_visible()
    sync_api.expect(page.locator("#network-empty")).to_contain_text("Aucun cas d'usage")
    sync_api.expect(page.locator("#network")).to_be_hidden()
    page.select_option("#theme", "all")
    page.wait_for_function("n => Number(document.getElementById('network').dataset.nodes) === n", arg=total)
    sync_api.expect(page.locator("#network-empty")).to_be_hidden()
    page.goto(live_server + "/explore")  # opens on one theme
    page.wait_for_selector("#network[data-nodes]")
    assert 0 < int(page.get_attribute("#network", "data-nodes")) < total
    shot(page, "explore")


def test_search_facets(page, live_server: str) -> None:
    page.goto(live_server + "/search?q=vitre")
    first = page.locator("#results li").first
    sync_api.expect(first.locator(".chip")).to_have_text("Commune")
    page.locator("#facet-type a[data-value='Actor']").click()
    assert "type=Actor" in page.url
    sync_api.expect(page.locator("#facet-type a[aria-current='true']")).to_have_count(1)
    assert set(page.locator("#results .chip").all_text_contents()) == {"Acteur"}
    shot(page, "search")


GEO_QUERY = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?place ?placeLabel ?wkt WHERE {
  VALUES (?place ?placeLabel ?wkt) {
    (<https://example.org/a> "A" "POINT(-1.68 48.11)"^^geo:wktLiteral)
    (<https://example.org/b> "B" "POINT(4.85 46.78)"^^geo:wktLiteral)
    (<https://example.org/z> "Z" "POLYGON((2 47, 3 47, 3 48, 2 48, 2 47))"^^geo:wktLiteral)
  }
}
"""
LATLONG_QUERY = 'SELECT ?label ?lat ?long WHERE { VALUES (?label ?lat ?long) { ("a" 48.1 -1.6) ("b" 46.7 4.8) } }'
BAR_QUERY = '#defaultView:BarChart\nSELECT ?label ?n WHERE { VALUES (?label ?n) { ("a" 3) ("b" 5) ("c" 1) } }'


def share_url(base: str, query: str, view: str | None = None) -> str:
    return f"{base}/editor#query={quote(query, safe='')}" + (f"&view={view}" if view else "")


def editor_value(pg) -> str:
    return pg.evaluate("window.odlEditor.yasqe.getValue()")


def selected_view(pg) -> str:
    return pg.evaluate("window.odlEditor.yasr.getSelectedPluginName()")


@pytest.mark.slow
def test_editor_map_view_and_share_link(page, live_server: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(share_url(live_server, GEO_QUERY, "table"))  # a share link runs its query
    page.wait_for_selector(".yasr tbody tr")
    assert page.locator(".tabsList").count() == 0  # one query, no YASGUI tabs
    assert page.get_attribute(".yasqe_queryButton", "aria-label") == "Exécuter la requête"
    sync_api.expect(page.locator(".yasr .dt-info")).to_have_text("Lignes 1 à 3 sur 3")
    assert_accessible(page, "editor-table-fr")
    page.click(".yasr_btn.select_map")
    page.wait_for_selector("#odl-map[data-features]")
    assert page.get_attribute("#odl-map", "data-features") == "3"
    assert page.locator("#odl-map path.leaflet-interactive").count() == 3  # two points and a polygon
    assert page.locator("#odl-map img").count() == 0  # no tiles: a plain background
    shot(page, "editor-map")
    assert_accessible(page, "editor-map-fr")
    page.click("#copy-share")
    sync_api.expect(page.locator("#share-status")).to_have_text("Lien copié.")
    link = page.input_value("#share-link")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "view=map" in link and page.url == link
    assert "/editor?z=" in link and len(link) < 1000  # compressed (server/pages/share.py)
    other = page.context.new_page()
    other.goto(link)
    other.wait_for_selector("#odl-map[data-features]")
    assert editor_value(other) == GEO_QUERY
    assert selected_view(other) == "map"
    assert other.get_attribute("#odl-map", "data-features") == "3"
    shot(other, "editor-map-reopened")
    other.close()


@pytest.mark.slow
def test_editor_results_fit_a_phone_screen(page, live_server: str) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(share_url(live_server, GEO_QUERY, "table"))
    page.wait_for_selector(".yasr tbody tr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "editor-table-390")


@pytest.mark.slow
def test_markup_in_results_is_shown_as_text(page, live_server: str) -> None:
    markup = "<img src=x onerror=alert(1)>"
    query = ('PREFIX geo: <http://www.opengis.net/ont/geosparql#>\nSELECT ?p ?pLabel ?wkt WHERE { '
             'VALUES (?p ?pLabel ?wkt) { (<https://example.org/x> "' + markup + '" "POINT(2 47)"^^geo:wktLiteral) } }')
    page.goto(share_url(live_server, query, "map"))
    page.wait_for_selector("#odl-map path.leaflet-interactive")
    page.hover("#odl-map path.leaflet-interactive")
    sync_api.expect(page.locator(".leaflet-tooltip")).to_have_text(markup)
    page.click("#odl-map path.leaflet-interactive")
    sync_api.expect(page.locator(".map-popup strong")).to_have_text(markup)


@pytest.mark.slow
def test_editor_map_of_lat_long_columns(page, live_server: str) -> None:
    page.goto(share_url(live_server, LATLONG_QUERY, "map"))
    page.wait_for_selector("#odl-map[data-features]")
    assert page.get_attribute("#odl-map", "data-features") == "2"
    assert page.locator("#odl-map path.leaflet-interactive").count() == 2


@pytest.mark.slow
def test_default_view_comment_opens_the_bar_chart(page, live_server: str) -> None:
    page.goto(f"{live_server}/editor?lang=en&query={quote(BAR_QUERY, safe='')}")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert editor_value(page) == BAR_QUERY
    page.click(".yasqe_queryButton")
    page.wait_for_selector("canvas#odl-chart-bar[data-points]")
    assert selected_view(page) == "bar"
    assert page.evaluate("Chart.getChart('odl-chart-bar').data.datasets[0].data") == [3, 5, 1]
    assert page.evaluate("Chart.getChart('odl-chart-bar').data.labels") == ["a", "b", "c"]
    assert page.get_attribute(".yasqe_queryButton", "aria-label") == "Run query"  # English page
    shot(page, "editor-bar-en")
    assert_accessible(page, "editor-bar-en")
    # the user's choice outranks the comment, and the share link keeps it
    page.click(".yasr_btn.select_table")
    sync_api.expect(page.locator("#share-link")).to_have_value(re.compile(r"[?&]view=table"))  # asked of the server


@pytest.mark.slow
def test_line_chart_takes_the_first_column_as_x(page, live_server: str) -> None:
    query = "#defaultView:LineChart\nSELECT ?year ?n WHERE { VALUES (?year ?n) { (2020 1) (2021 4) (2022 2) } }"
    page.goto(share_url(live_server, query))
    page.wait_for_selector("canvas#odl-chart-line[data-points]")
    assert selected_view(page) == "line"
    assert page.evaluate("Chart.getChart('odl-chart-line').data.labels") == ["2020", "2021", "2022"]
    assert page.evaluate("Chart.getChart('odl-chart-line').data.datasets.map(d => [d.label, d.data])") == [
        ["n", [1, 4, 2]]]


@pytest.mark.slow
def test_graph_example_draws_a_graph(page, live_server: str) -> None:
    page.goto(live_server + "/editor")
    page.click("#examples summary")
    page.click("#example-list button[data-id='trace-graph']")
    assert "CONSTRUCT" in editor_value(page) and selected_view(page) == "graph"
    page.click(".yasqe_queryButton")
    page.wait_for_selector("#odl-graph[data-nodes] canvas", timeout=20000)
    nodes = int(page.get_attribute("#odl-graph", "data-nodes"))
    assert nodes > 5
    assert page.evaluate("window.odlEditor.yasr.plugins.graph.cy.nodes().length") == nodes
    assert page.locator(".yasr tbody tr").count() == 0  # a graph, not a table of triples
    assert page.locator(".odl-graph-view .node-list li").count() == nodes
    shot(page, "editor-graph")
    assert_accessible(page, "editor-graph-fr")


def _type_and_pick(pg, before: str, word: str, kind: str, label: str) -> None:
    """Type `before` then `word` at the end of the editor's last line but one, wait for `label` among the
    suggestions of that kind, pick it."""
    pg.evaluate("() => { const y = window.odlEditor.yasqe, d = y.getDoc(), n = d.lineCount() - 2; y.focus(); "
                "d.setCursor({line: n, ch: d.getLine(n).length}); }")
    pg.keyboard.type(before + word, delay=30)
    hint = pg.locator(f".CodeMirror-hints li.odl-hint-{kind}", has_text=label).first
    hint.wait_for()
    assert hint.locator(".odl-hint-label").get_attribute("lang") == "fr"
    hint.click()


@pytest.mark.slow
def test_editor_completes_a_class_a_property_and_a_commune_by_french_label(page, live_server: str) -> None:
    page.goto(live_server + "/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate("window.odlEditor.yasqe.setValue('SELECT * WHERE {\\n  ?c a\\n}')")
    _type_and_pick(page, " ", "donnees", "class", "Catégorie de données")  # typed without accents
    _type_and_pick(page, " ; ", "requise", "property", "catégorie requise")
    _type_and_pick(page, " ", "vitre", "resource", "Vitré")
    text = editor_value(page)
    assert "PREFIX odl: <https://w3id.org/odl-graph/def#>" in text  # declared when it was missing
    assert "?c a odl:DataCategory ; odl:requiredCategory <https://w3id.org/odl-graph/id/commune/35360>" in text
    shot(page, "editor-completion")
    # a word starting with SPARQL's `a` is taken whole; a label with markup is shown as text
    _type_and_pick(page, " . ?x ?y ", "alert", "resource", f"Commune {XSS}")
    assert "<https://w3id.org/odl-graph/id/commune/99999>" in editor_value(page)


@pytest.mark.slow
def test_graph_of_a_large_result_is_limited_and_says_so(page, live_server: str) -> None:
    pairs = " ".join(f"(<https://example.org/a{i}> <https://example.org/b{i % 190}>)" for i in range(400))
    page.goto(share_url(live_server, "SELECT ?a ?b WHERE { VALUES (?a ?b) { " + pairs + " } }", "graph"))
    page.wait_for_selector("#odl-graph[data-nodes] canvas", timeout=20000)
    assert page.get_attribute("#odl-graph", "data-total") == "590"
    drawn = int(page.get_attribute("#odl-graph", "data-nodes"))
    assert 100 < drawn <= 150 and page.evaluate("window.odlEditor.yasr.plugins.graph.cy.nodes().length") == drawn
    assert page.evaluate("window.odlEditor.yasr.plugins.graph.cy.nodes().filter(n => n.degree() === 0).length") == 0
    sync_api.expect(page.locator("#graph-limited")).to_contain_text(f"aux {drawn} nœuds les plus reliés sur 590")
    assert page.locator(".odl-graph-view .node-list li").count() == 590  # the list keeps every node
    for tab in page.locator(".yasr_btn.disabled").all():  # views this result cannot use: readable, said
        assert tab.get_attribute("aria-disabled") == "true"
        assert tab.evaluate("b => getComputedStyle(b).opacity") == "1"
    assert_accessible(page, "editor-graph-limited-fr")
    shot(page, "editor-graph-limited")
    page.click("#graph-limited button")
    sync_api.expect(page.locator("#odl-graph")).to_have_attribute("data-nodes", "590")


def test_open_in_editor_from_a_page(page, live_server: str) -> None:
    page.goto(live_server + "/id/challenge/ilots-de-chaleur")
    page.click("#open-in-editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "/id/challenge/ilots-de-chaleur" in editor_value(page)
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr tbody tr", timeout=20000)


def test_language_switch(page, live_server: str) -> None:
    page.goto(live_server + "/id/usecase/ilots-de-fraicheur")
    page.click("nav.langs a[data-lang='en']")
    sync_api.expect(page.locator("h1")).to_have_text("Mapping cool islands")
    assert page.get_attribute("html", "lang") == "en"
    page.click("a[href='/id/challenge/ilots-de-chaleur']")
    sync_api.expect(page.locator("h1")).to_have_text("Urban heat islands")  # the choice sticks
    shot(page, "usecase-sheet-en")
    page.click("nav.langs a[data-lang='fr']")
    sync_api.expect(page.locator("h1")).to_have_text("Îlots de chaleur urbains")


@pytest.mark.parametrize("kind", sorted(XSS_RESOURCES))
def test_script_in_labels_is_shown_as_text(page, live_server: str, kind: str) -> None:
    page.goto(f"{live_server}/id/{XSS_RESOURCES[kind]}")
    h1 = page.locator("h1").text_content() or ""
    assert XSS in h1  # displayed literally; the page fixture fails the test if a dialog opened


@pytest.mark.parametrize(
    "url", ["/", "/id/concept/theme/biodiversity", "/search?q=script", "/explore?theme=biodiversity"]
)
def test_script_in_labels_on_lists(page, live_server: str, url: str) -> None:
    page.goto(live_server + url)
    if url.startswith("/explore"):
        page.wait_for_selector("#network[data-nodes]")
        texts = page.locator("#node-list a").all_text_contents()
    else:
        texts = page.locator("main a").all_text_contents()
    assert any(XSS in t for t in texts)


# -- resource pages: one of each kind, with a screenshot and axe-core --------------------------------------
RESOURCE_PAGES = {
    "dataset": "/id/dataset/arbres-vitre",
    "scheme": "/id/scheme/openness",
    "concept": "/id/concept/openness/property",
    "standard": "/id/standard/etalab/schema-arbre",
    "actor": "/id/actor/cci-bretagne",
    "actor-without-holdings": "/id/actor/agence-sans-donnees",
    "dossier": "/id/concept/theme/climate-adaptation",
    "usecase": "/id/usecase/ilots-de-fraicheur",
    "challenge": "/id/challenge/ilots-de-chaleur",
    "datacategory": "/id/datacategory/arbres",
    "territory": "/id/commune/35360",
    "generic": "/id/interview/vitre-2023",
}


@pytest.mark.parametrize("kind", sorted(RESOURCE_PAGES))
def test_resource_pages_are_accessible(page, live_server: str, kind: str) -> None:
    from axe_support import assert_accessible, axe_available

    page.goto(live_server + RESOURCE_PAGES[kind])
    sync_api.expect(page.locator("h1#resource-label")).to_be_visible()
    shot(page, f"resource-{kind}")
    if not axe_available():
        pytest.skip("axe-core is not installed in tests/clients (scripts/setup.sh)")
    assert_accessible(page, f"resource-{kind}")


def test_dataset_coverage_map_draws_its_points(page, live_server: str) -> None:
    page.goto(live_server + "/id/dataset/arbres-vitre")
    sync_api.expect(page.locator("#coverage-map")).to_have_attribute("data-markers", "1")
    assert page.locator("#coverage-map .leaflet-interactive").count() >= 1  # the covered commune's marker
    sync_api.expect(page.locator("#dataset-licence")).to_contain_text("Licence Ouverte v2.0")


def test_scheme_tree_folds(page, live_server: str) -> None:
    page.goto(live_server + "/id/scheme/openness")
    branch = page.locator("#hierarchy details").first
    child = branch.locator("ul a").first
    sync_api.expect(child).to_be_visible()
    branch.locator("summary").click()
    sync_api.expect(child).to_be_hidden()


def test_commune_picker_opens_the_diagnostic(page, live_server: str) -> None:
    """From a use-case sheet, type a commune name without its accent, pick the suggestion, read the diagnostic."""
    page.goto(live_server + "/id/usecase/ilots-de-fraicheur")
    page.fill("#town", "vitre")  # Vitré, typed without the accent
    option = page.locator("#town-list [role=option]").first
    sync_api.expect(option).to_have_text("Vitré (35360, Ille-et-Vilaine)")
    assert page.get_attribute("#town", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#town", "aria-activedescendant") == "town-opt-0"
    page.keyboard.press("Enter")
    page.wait_for_url("**/analyses/diagnostic?commune=35360&usecase=ilots-de-fraicheur")  # short, shareable
    sync_api.expect(page.locator("#diagnostic-title")).to_have_text("Vitré × Cartographier les îlots de fraîcheur")
    assert page.locator("#diagnostic-lines tbody tr").count() >= 1
    assert page.locator("header.site form.search").count() == 1  # the site's layout
    shot(page, "diagnostic")
    page.click("nav.langs a[data-lang='en']")
    sync_api.expect(page.locator("h1")).to_have_text("Deployability diagnostic")
    sync_api.expect(page.locator("#diagnostic-title")).to_have_text("Vitré × Mapping cool islands")


def test_picker_shows_labels_as_text(page, live_server: str) -> None:
    page.goto(live_server + "/analyses/diagnostic")
    page.fill("#commune", "commune")
    sync_api.expect(page.locator("#commune-list [role=option]").first).to_contain_text(XSS)  # text, never markup


def test_commune_page_map_and_readiness(page, live_server: str) -> None:
    page.goto(live_server + "/id/commune/35360")
    page.wait_for_selector("#commune-map[data-ready=true]")
    assert page.locator("#commune-map .leaflet-interactive").count() >= 1  # the commune's point, drawn offline
    assert page.locator("#readiness tbody tr").count() >= 1
    sync_api.expect(page.locator("#population")).to_have_text("18\u202f497")
    shot(page, "commune")


ANALYSES_PAGES = ["/analyses/", "/analyses/diagnostic?commune=35360&usecase=ilots-de-fraicheur",
                  "/analyses/roadmap?commune=35360", "/analyses/ranking?usecase=ilots-de-fraicheur",
                  "/analyses/priorities", "/analyses/map", "/id/commune/35360", "/id/usecase/ilots-de-fraicheur",
                  "/analyses/priorities?lang=en", "/analyses/schemas/", "/analyses/schemas/arbres",
                  "/analyses/schemas/temperatures-surface", "/analyses/schemas/xss?lang=en", "/analyses/check"]


@pytest.mark.parametrize("url", ANALYSES_PAGES)
def test_analyses_pages_have_no_serious_accessibility_fault(page, live_server: str, url: str) -> None:
    from axe_support import assert_accessible, axe_available

    if not axe_available():
        pytest.skip("axe-core is not installed in tests/clients (scripts/setup.sh runs npm ci)")
    page.goto(live_server + url)
    page.wait_for_load_state("load")
    if "/usecase/" in url or "diagnostic" in url:  # with the suggestions open
        field = "#town" if "/usecase/" in url else "#commune"
        page.fill(field, "vitre")
        page.wait_for_selector(f"{field}-list [role=option]")
    assert_accessible(page, "analyses " + url)


@pytest.mark.parametrize("url", ["/search?q=vitre", "/search?q=vitre&type=Actor", "/search?q=zzzz", "/search",
                                 "/browse/UseCase?theme=biodiversity", "/browse/Commune?q=vit",
                                 "/explore", "/explore?theme=housing", "/explore?theme=all", "/explore?lang=en",
                                 "/catalog", "/catalog?lang=en"])
def test_search_browse_explore_have_no_serious_accessibility_fault(page, live_server: str, url: str) -> None:
    if not axe_available():
        pytest.skip("axe-core is not installed in tests/clients (scripts/setup.sh runs npm ci there)")
    page.goto(live_server + url)
    if url.startswith("/explore"):
        page.wait_for_selector("#network[data-nodes]", state="attached")  # hidden for an empty theme
        page.wait_for_selector("#status-legend li")
    assert_accessible(page, "s-" + url)
# -- first run and polish: phone width, error and API docs pages ----------------------------
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server: str):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.parametrize("path", ["/id/usecase/ilots-de-fraicheur", "/id/concept/theme/climate-adaptation",
                                  "/download/", "/catalog", "/editor", "/no/such/page"])
def test_nothing_overflows_a_phone(phone, live_server: str, path: str) -> None:
    phone.goto(live_server + path)
    phone.wait_for_load_state("load")
    if path.startswith("/id/"):
        assert phone.locator("main table").count() > 0  # the page is table-heavy, as the test means
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide at {PHONE['width']}px"
    shot(phone, "phone" + path.replace("/", "-").rstrip("-"))


def test_error_page_for_a_browser(page, live_server: str) -> None:
    from axe_support import assert_accessible, axe_available

    resp = page.goto(live_server + "/no/such/page")
    assert resp is not None and resp.status == 404
    sync_api.expect(page.locator("h1")).to_have_text("Page introuvable")
    sync_api.expect(page.locator("header.site form[role=search]")).to_be_visible()
    shot(page, "error-page")
    if axe_available():
        assert_accessible(page, "error-page")
    elif os.environ.get("ODL_REQUIRE_ALL") == "1":
        pytest.fail("axe-core is not installed in tests/clients (scripts/setup.sh test)")


def test_api_docs_page(page, live_server: str) -> None:
    from axe_support import assert_accessible, axe_available

    page.goto(live_server + "/api/docs")
    sync_api.expect(page.locator("main > h1")).to_have_text("Documentation de l'API")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20000)
    shot(page, "api-docs")
    if axe_available():
        assert_accessible(page, "api-docs")
    elif os.environ.get("ODL_REQUIRE_ALL") == "1":
        pytest.fail("axe-core is not installed in tests/clients (scripts/setup.sh test)")


def test_check_page_reports_a_file_accessibly(page, live_server: str, tmp_path) -> None:
    """The check page as a user uses it: pick a category, upload a file, read the report; axe-core on the
    page with the report (missing and invalid fields) shown, in French then in English."""
    from axe_support import assert_accessible, axe_available

    csv_file = tmp_path / "releve.csv"
    csv_file.write_text("identifiant,date\nA1,2024-13-01\n", encoding="utf-8")
    for lang, words in (("fr", "absent"), ("en", "missing")):
        page.goto(f"{live_server}/analyses/check?category=temperatures-surface&lang={lang}")
        page.set_input_files("#file", str(csv_file))
        page.click("#check-form button[type=submit]")
        page.wait_for_selector("#check-summary")
        assert words in page.inner_text("#check-summary")
        assert page.locator("#missing-fields li").count() >= 1
        shot(page, f"check-{lang}")
        if axe_available():
            assert_accessible(page, f"check report {lang}")
    page.goto(f"{live_server}/analyses/schemas/temperatures-surface")
    shot(page, "draft-schema")
    page.goto(f"{live_server}/analyses/priorities")
    shot(page, "priorities")
