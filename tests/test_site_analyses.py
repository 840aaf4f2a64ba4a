"""The analyses inside the site, on the shipped graph: same layout and language as every page, words
instead of codes, lines that link to pages that exist, a commune picker that ignores accents, JSON and
CSV that hold the rows the HTML shows, and the commune page's readiness, roadmap and map."""

from __future__ import annotations

import codecs
import csv
import io
import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pyoxigraph as ox
import pytest

from odl_graph.stores import EmbeddedStore

pytestmark = pytest.mark.slow  # a build of the shipped sources

CHALON, EPINAL = "71076", "88160"
USECASE = "tableau-bord-rotation-stationnement"
DIAG = f"/analyses/diagnostic?commune={CHALON}&usecase={USECASE}"
PAGES = ["/analyses/", DIAG, f"/analyses/roadmap?commune={CHALON}", f"/analyses/ranking?usecase={USECASE}",
         "/analyses/priorities", "/analyses/map"]
TABLE_PAGES = {DIAG: "diagnostic-lines", f"/analyses/roadmap?commune={CHALON}": "roadmap-steps",
               f"/analyses/ranking?usecase={USECASE}": "ranking-rows",
               "/analyses/priorities": "priority-rows+national-rows",  # SCDL candidates, then national data
               "/analyses/map": "map-rows"}
# Codes of the diagnostic that must never reach a reader as such (in English, some are also the words:
# "open", "verified"; only the hyphenated ones are then codes for sure).
CODES = {"missing", "open", "not-open", "unknown-status", "useful", "indispensable", "verified", "assumed", "unknown",
         "local-records", "local-dataset", "local-publisher", "national-unknown", "absent", "nothing", "produce",
         "request", "check", "ask", "check-exposure"}
CODES_EN = {c for c in CODES if "-" in c}


class Doc(HTMLParser):
    """What the tests read in a page: links, <link rel=alternate>, and the rows of tables by id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: dict[str, str] = {}  # id of a link -> its href
        self.alternates: dict[str, str] = {}
        self.tables: dict[str, list[list[tuple[str, list[str]]]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None
        self._hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
            if a.get("id"):
                self.ids[a["id"] or ""] = a["href"] or ""
            if self._cell is not None:
                self._hrefs.append(a["href"] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates[a.get("type") or ""] = a.get("href") or ""
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._table and self._in_body:
            self.tables[self._table].append([])
        if tag in ("td", "th") and self._table and self._in_body:
            self._cell, self._hrefs = [], []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append((" ".join("".join(self._cell).split()), self._hrefs))
            self._cell = None
        if tag == "tbody":
            self._in_body = False
        if tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def app(shipped_store: EmbeddedStore) -> Any:
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(shipped_store.path), "workers": 1, "TESTING": True})
    yield app
    close_engine(app)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()  # a new one per test: the language cookie of `?lang=en` does not leak


def get(client: Any, url: str, lang: str | None = None, status: int = 200) -> str:
    if lang:
        url += ("&" if "?" in url else "?") + f"lang={lang}"
    r = client.get(url, headers={"Accept": "text/html"})
    assert r.status_code == status, f"{url}: {r.status_code}"
    return r.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_analyses_pages_have_the_site_layout(client: Any, url: str) -> None:
    page = get(client, url)
    assert '<header class="site">' in page and 'class="search"' in page and 'nav class="langs"' in page
    assert '<html lang="fr">' in page
    doc = Doc(page)
    assert "/" in doc.links and "/analyses/" in doc.links and "/api/docs" in doc.links  # home, analyses, API


HEADINGS = {  # each page's <h1>, in French and in English
    PAGES[0]: ("Analyses et diagnostic", "Analyses and diagnostic"),
    PAGES[1]: ("Diagnostic de déployabilité", "Deployability diagnostic"),
    PAGES[2]: ("Feuille de route d&#39;une commune", "Roadmap of a commune"),
    PAGES[3]: ("Classement des villes ACV par préparation", "ACV towns ranked by readiness"),
    PAGES[4]: ("Priorités de standardisation", "Standardisation priorities"),
    PAGES[5]: ("Villes Action Cœur de Ville par préparation", "Action Cœur de Ville towns by readiness"),
}


@pytest.mark.parametrize("url", PAGES)
def test_analyses_pages_follow_the_language(client: Any, url: str) -> None:
    fr, en = get(client, url), get(client, url, "en")
    assert '<html lang="en">' in en
    assert "Rechercher" not in en and "Search" in en
    h_fr, h_en = HEADINGS[url]
    assert f"<h1>{h_fr}</h1>" in fr and f"<h1>{h_en}</h1>" in en


def test_diagnostic_in_english_has_english_lines(client: Any) -> None:
    """Action first: what to do (in words), the data, with whom, why, how sure, the draft request."""
    rows = Doc(get(client, DIAG, "en")).tables["diagnostic-lines"]
    actions = ("Use the open data", "Check its status", "Ask the holder", "Ask the competent holder",
               "Produce and publish", "Buy (paid data)", "Check whether")
    assert rows and all(r[0][0].startswith(actions) for r in rows)
    assert all(r[0][0].endswith(("indispensable", "useful")) for r in rows)
    assert all(r[4][0].startswith(("Sure:", "Likely:", "Uncertain:", "A hint only:", "Unknown:")) for r in rows)
    assert "Parking-meter transactions" in [r[1][0] for r in rows]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("url", list(TABLE_PAGES))
def test_no_raw_codes_in_cells(client: Any, url: str, lang: str) -> None:
    rows = [r for tid in TABLE_PAGES[url].split("+") for r in Doc(get(client, url, lang)).tables[tid]]
    assert rows
    for row in rows:
        for text, _ in row:
            assert text not in (CODES if lang == "fr" else CODES_EN), (url, row)


def test_diagnostic_lines_link_to_pages_that_exist(client: Any) -> None:
    rows = Doc(get(client, DIAG)).tables["diagnostic-lines"]
    kinds: dict[str, int] = {}
    for row in rows:
        for (_, hrefs), column in zip(row, ("action", "category", "holders", "why", "sure", "request"), strict=True):
            for href in hrefs:
                kinds[column] = kinds.get(column, 0) + 1
                if column == "holders" and not href.startswith("/"):
                    assert href.startswith("https://"), href  # the body's portal or data.gouv.fr page
                    continue
                assert href.startswith("/analyses/letter?" if column == "request" else "/id/"), href
                get(client, href)
    assert kinds.get("category") == len(rows) and kinds.get("holders")
    assert not kinds.get("why") and not kinds.get("sure")  # words, not links
    seen = set()
    for uc in ("planifier-implantation-irve", "localiser-defibrillateurs"):
        for row in Doc(get(client, f"/analyses/diagnostic?commune={CHALON}&usecase={uc}")).tables["diagnostic-lines"]:
            for i, (_, hrefs) in enumerate(row):
                for href in hrefs:
                    seen.add(i)
                    if href.startswith("/"):
                        get(client, href)
    assert {1, 2} <= seen  # category and holder columns


def test_commune_completion_ignores_accents_case_and_hyphens(client: Any) -> None:
    def complete(q: str) -> list[tuple[str, str]]:
        r = client.get("/analyses/communes.json", query_string={"q": q})
        assert r.status_code == 200 and r.mimetype == "application/json"
        return [(c["label"], c["insee"]) for c in r.get_json()]

    assert complete("chalon sur saone")[0] == ("Chalon-sur-Saône", CHALON)
    assert complete("epinal")[0] == ("Épinal", EPINAL)
    assert complete("ÉPINAL")[0] == ("Épinal", EPINAL) == complete("Epinal")[0]
    assert (("Épinal", EPINAL)) in complete("8816")
    assert complete("") == [] and complete("zzzzqx") == []
    saint_denis = complete("saint denis")
    assert {"93066", "97411"} <= {code for _, code in saint_denis}


def test_diagnostic_by_name_redirects_to_a_shareable_address(client: Any) -> None:
    r = client.get(f"/analyses/diagnostic?commune=chalon+sur+saone&usecase={USECASE}")
    assert r.status_code == 302
    target = urlparse(r.headers["Location"])
    assert parse_qs(target.query) == {"commune": [CHALON], "usecase": [USECASE]}
    page = get(client, target.path + "?" + target.query)
    assert "Chalon-sur-Saône" in page and 'id="score"' in page
    # a name several communes share lists them, each a link to its diagnostic
    page = get(client, f"/analyses/diagnostic?commune=Saint-Denis&usecase={USECASE}", status=404)
    doc = Doc(page)
    assert f"/analyses/diagnostic?commune=93066&usecase={USECASE}" in {unquote(h) for h in doc.links}


@pytest.mark.parametrize("url", list(TABLE_PAGES))
def test_json_and_csv_hold_the_rows_of_the_html(client: Any, url: str) -> None:
    doc = Doc(get(client, url))
    html_rows = [r for tid in TABLE_PAGES[url].split("+") for r in doc.tables[tid]]
    js_href, csv_href = doc.alternates["application/json"], doc.alternates["text/csv"]
    assert urlparse(js_href).query == urlparse(url).query  # the same state in the URL
    js = client.get(js_href)
    assert js.status_code == 200 and js.mimetype == "application/json"
    data = json.loads(js.data)
    assert len(data["rows"]) == len(html_rows) > 0
    label = {"diagnostic-lines": "category", "roadmap-steps": "category", "ranking-rows": "commune",
             "priority-rows": "category", "map-rows": "commune"}[TABLE_PAGES[url].split("+")[0]]
    for row, html_row in zip(data["rows"], html_rows, strict=True):
        assert row[label] in [text for text, _ in html_row]
    resp = client.get(csv_href)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # French by default: byte-order mark, `;`, French headers
    table = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert len(table[0]) == len(data["columns"]) and len(table) - 1 == len(data["rows"])
    assert not set(table[0]) & set(data["columns"]) - {"#"}  # every header is words, none a key
    i = data["columns"].index(label)
    assert [r[i] for r in table[1:]] == [row[label] for row in data["rows"]]
    # Accept on the page's own address gives the same JSON
    assert json.loads(client.get(url, headers={"Accept": "application/json"}).data)["rows"] == data["rows"]


def test_diagnostic_query_opens_in_the_editor_and_runs(client: Any, shipped_store: EmbeddedStore) -> None:
    doc = Doc(get(client, DIAG))
    href = doc.ids["open-query"]
    assert href.startswith("/editor")
    parsed = urlparse(href)
    query = (parse_qs(parsed.query) or parse_qs(parsed.fragment))["query"][0]
    rows = list(shipped_store.query(query))
    assert rows and all(r["commune"].value.endswith(f"/commune/{CHALON}") for r in rows)
    cats = {r["category"].value for r in rows}
    line_cats = {h for row in doc.tables["diagnostic-lines"] for h in row[1][1]}
    assert {c.rsplit("/id/", 1)[1] for c in cats} == {h.rsplit("/id/", 1)[1] for h in line_cats}
    assert isinstance(rows[0], ox.QuerySolution)


def test_usecase_sheet_has_the_commune_picker(client: Any) -> None:
    page = get(client, f"/id/usecase/{USECASE}")
    assert 'action="/analyses/diagnostic"' in page and f'name="usecase" value="{USECASE}"' in page
    assert 'role="combobox"' in page and 'data-complete="/analyses/communes.json"' in page
    assert "Ma commune peut-elle le faire ?" in page
    assert "Can my town do this?" in get(client, f"/id/usecase/{USECASE}", "en")


def test_commune_page_shows_readiness_roadmap_bodies_and_map(client: Any, shipped_store: EmbeddedStore) -> None:
    page = get(client, f"/id/commune/{CHALON}")
    doc = Doc(page)
    readiness = doc.tables["readiness"]
    usecases = shipped_store.query("SELECT (COUNT(?u) AS ?n) WHERE { ?u a <https://w3id.org/odl-graph/def#UseCase> }")
    assert len(readiness) == int(next(iter(usecases))["n"].value)  # every use case of the graph
    for row in readiness[:3]:
        diag = row[3][1][0]
        assert diag.startswith(f"/analyses/diagnostic?commune={CHALON}&usecase=")
        score = Doc(get(client, diag))
        assert "diagnostic-lines" in score.tables
    assert doc.tables["roadmap-steps"] and 'id="h-pub"' in page
    assert 'id="commune-map"' in page and "vendor/leaflet/leaflet.js" in page
    data = page.split('id="commune-map-data">', 1)[1].split("</script>", 1)[0]
    point = json.loads(data)["point"]
    assert (round(point["lon"], 2), round(point["lat"], 2)) == (4.85, 46.79)
    assert "45\u202f102" in page  # French thousands separator
    assert "Commune</a> <a class=\"type\"" not in page and page.count('class="type"') == 1  # one badge
    assert "Dans l'epci" not in page and "Dans l&#39;epci" not in page
    assert "45,102" in get(client, f"/id/commune/{CHALON}", "en")


def test_french_csv_of_a_diagnostic_opens_in_a_spreadsheet(client: Any) -> None:
    """As LibreOffice or Excel in a French locale read it: the byte-order mark says UTF-8, the separator is
    found (`;`), each field is its own column under a French header, accents intact, decimals with a comma."""
    url = f"/analyses/diagnostic.csv?commune={CHALON}&usecase={USECASE}"
    raw = client.get(url).data
    assert raw.startswith(codecs.BOM_UTF8)
    text = raw.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.split("\r\n", 1)[0], delimiters=";,\t")
    assert dialect.delimiter == ";"
    table = list(csv.reader(io.StringIO(text), dialect))
    data = client.get(url.replace(".csv", ".json")).get_json()
    header, rows = table[0], table[1:]
    assert {"Catégorie de données", "Explication", "Jeu de données"} <= set(header)
    assert len(rows) == len(data["rows"]) > 0 and all(len(r) == len(header) for r in rows)
    for row, js in zip(rows, data["rows"], strict=True):
        cells = dict(zip(data["columns"], row, strict=True))
        assert cells["category"] == js["category"] and cells["explanation"] == js["explanation"]
        assert isinstance(js["weight"], float) and cells["weight"] == f"{js['weight']:g}".replace(".", ",")
    assert any(ch in "".join(r[header.index("Explication")] for r in rows) for ch in "éèàç")
    # English, or `?sep=,`: commas; the mark stays
    en = client.get(url + "&lang=en").data.decode("utf-8-sig")
    assert en.split("\r\n", 1)[0].startswith("Requirement,") or "," in en.split("\r\n", 1)[0]
    assert "Data category" in next(csv.reader(io.StringIO(en)))
    commas = client.get(url + "&sep=,").data.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(commas))) == header
    assert client.get(url + "&sep=x").status_code == 400


def test_any_commune_of_the_cog_has_its_diagnostic_roadmap_and_page(client: Any) -> None:
    """L'Abergement-Clémenciat (01001, not an ACV town; SIREN 210100012 in data/sources/cog/communes.csv):
    its diagnostic, roadmap and commune page work from the site and the API, naming its own council."""
    page = get(client, f"/analyses/diagnostic?commune=01001&usecase={USECASE}")
    assert "diagnostic-lines" in Doc(page).tables and "L&#39;Abergement-Clémenciat" in page
    road = client.get("/analyses/roadmap.json?commune=01001").get_json()
    assert road["insee"] == "01001" and road["rows"]
    assert any("210100012" in h for r in road["rows"] for h in r["holders"])
    commune = Doc(get(client, "/id/commune/01001"))
    assert commune.tables["readiness"] and commune.tables["roadmap-steps"]
    api = client.get(f"/api/diagnostic/01001/{USECASE}").get_json()
    assert api["insee"] == "01001" and api["lines"] and all(ln["action"] for ln in api["lines"])
    steps = client.get("/api/roadmap/01001").get_json()["steps"]
    assert steps and all(s["certainty_fr"] for s in steps)


def test_request_page_lists_apart_the_data_whose_holder_is_to_be_found(client: Any, shipped_store: Any) -> None:
    """A line whose competent holder is unknown has no letter (nobody to address it to): the town's request
    page and file list it apart, in the page's language, with what was searched and leads."""
    from odl_graph.analyses import letters as lt
    from odl_graph.analyses import tables as tb

    t = tb.tables(shipped_store)
    town = t.resolve_commune(CHALON)
    finding = lt.to_find(t, town)
    assert finding, "Chalon-sur-Saône has data whose holder is unknown (see data/curated/competences.csv)"
    page = get(client, f"/analyses/letters?commune={CHALON}")
    assert 'id="to-find-list"' in page and "Sans courrier : détenteur à trouver" in page
    written = {x.category for x in lt.letters_for_town(t, town)}
    for x in finding:
        assert f'id="{x.anchor}"' in page and x.category not in written
        assert f'id="letter-{x.category.rsplit("/", 1)[-1]}"' not in page
    english = get(client, f"/analyses/letters?commune={CHALON}", "en")
    assert "No letter: holder to be found" in english and "holder to be found:" in english
    text = client.get(f"/analyses/letters.txt?commune={CHALON}").get_data(as_text=True)
    assert "Sans courrier : le détenteur de ces données reste à trouver" in text
    assert all(x.category_label in text.split("Sans courrier", 1)[1] for x in finding)
