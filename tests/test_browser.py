"""Real headless Chromium (Debian's /usr/bin/chromium driven by Playwright) on the live pages.

Screenshots go to test-artifacts/screenshots/. No request may leave 127.0.0.1 (no CDN at run time).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
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


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run",
                                                              "--disable-background-networking"])
        yield b
        b.close()


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
    page.goto(live_server + "/explore")
    page.wait_for_selector("#network[data-nodes]")
    total = int(page.get_attribute("#network", "data-nodes"))
    assert total > 5
    assert page.locator("#network canvas").count() > 0  # cytoscape drew it
    for chart in ("#chart-theme", "#chart-actor", "#chart-usual"):
        page.wait_for_selector(f"{chart}[data-groups]")
        assert int(page.get_attribute(chart, "data-groups")) >= 1
    page.select_option("#theme", "commerce")
    page.wait_for_function(f"Number(document.getElementById('network').dataset.nodes) < {total}")
    assert "theme=commerce" in page.url
    labels = page.locator("#node-list a").all_text_contents()
    assert "Suivre la vacance commerciale" in labels and "Cartographier les îlots de fraîcheur" not in labels
    page.select_option("#theme", "")
    page.wait_for_function(f"Number(document.getElementById('network').dataset.nodes) === {total}")
    shot(page, "explore")


def test_yasgui_runs_an_example_query(page, live_server: str) -> None:
    page.goto(live_server + "/editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    tabs = page.locator(".tabsList .tab")
    assert tabs.count() >= 2  # the catalogue queries as tabs
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr tbody tr", timeout=20000)
    assert page.locator(".yasr tbody tr").count() > 0
    assert "query=" in page.url  # shareable: the URL carries the query
    shared = page.url
    shot(page, "editor")
    # the shared URL reopens the same query
    page.goto(shared)
    page.wait_for_selector(".yasqe .CodeMirror")
    value = page.evaluate("window.yasgui.getTab().getYasqe().getValue()")
    assert "SELECT" in value.upper()


def test_open_in_editor_from_a_page(page, live_server: str) -> None:
    page.goto(live_server + "/id/challenge/ilots-de-chaleur")
    page.click("#open-in-editor")
    page.wait_for_selector(".yasqe .CodeMirror")
    value = page.evaluate("window.yasgui.getTab().getYasqe().getValue()")
    assert "/id/challenge/ilots-de-chaleur" in value
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


# -- first run and polish: phone width, error and API docs pages ----------------------------
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server: str):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.parametrize("path", ["/id/usecase/ilots-de-fraicheur", "/id/concept/theme/climate-adaptation",
                                  "/download/", "/editor", "/no/such/page"])
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
