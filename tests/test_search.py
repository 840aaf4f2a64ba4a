"""Site search, browse filters and the network view's data, over the pages fixture plus
tests/data/search/fixture.ttl (parking resources of every kind search ranks)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pages_fixture import _nt, fixture_graphs, make_app
from rdflib import Graph
from rdflib.namespace import SKOS

from odl_graph import iris
from odl_graph.engine import Engine
from odl_graph.search import KIND_ORDER, SearchIndex, kind_rank, tokens
from odl_graph.stores import EmbeddedStore

ID = iris.BASE + "id/"
HERE = Path(__file__).parent / "data" / "search"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("search-store")
    EmbeddedStore(path).replace_all({**fixture_graphs(), str(iris.graph("data", "search")): _nt(HERE / "fixture.ttl")})
    return path


@pytest.fixture(scope="module")
def index(store_path: Path) -> SearchIndex:
    eng = Engine.from_settings({"store": store_path, "workers": 1, "query_timeout": 20})
    try:
        return SearchIndex.build(eng)
    finally:
        eng.close()


@pytest.fixture(scope="module")
def client(store_path: Path):
    app, eng = make_app(store_path)
    yield app.test_client()
    eng.close()


def html(client, url: str) -> str:
    r = client.get(url, headers={"Accept": "text/html"})
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.get_data(as_text=True)


def result_hrefs(page: str) -> list[str]:
    results = page[page.index('id="results"'):page.index("</ol>")]
    return re.findall(r'<li><a href="([^"]+)"', results)


# -- the index ---------------------------------------------------------------------------------
def test_tokens_fold_and_split_on_punctuation() -> None:
    assert tokens("Chalon-sur-Saône (71)") == ["chalon", "sur", "saone", "71"]
    assert tokens("stationnement_pmr, L’Œuvre") == ["stationnement", "pmr", "l", "oeuvre"]
    assert tokens("  ") == []


def test_stationnement_ranks_use_cases_first_and_schema_fields_last(index: SearchIndex) -> None:
    hits = index.search("stationnement", "fr").hits
    kinds = [h.kind for h in hits]
    assert kinds[0] == "UseCase" and kinds[-2:] == ["SchemaField", "SchemaField"]
    assert kinds == sorted(kinds, key=kind_rank)  # by type first, whatever the match quality
    # the field named exactly "stationnement" matches better than any use case, and still comes last
    assert "stationnement" in [h.label for h in hits if h.kind == "SchemaField"]
    expected = ["UseCase", "Challenge", "DataCategory", "Commune", "Actor"]
    assert [k for k in dict.fromkeys(kinds) if k in expected] == expected
    assert KIND_ORDER[:5] == tuple(expected)
    field = next(h for h in hits if h.kind == "SchemaField")
    assert field.within == ID + "standard/test/schema-stationnement"


@pytest.mark.parametrize("q", ["epinal", "ÉPINAL", "Epinal", "épinal", "88160"])
def test_accents_and_case_do_not_matter(index: SearchIndex, q: str) -> None:
    hits = index.search(q, "fr").hits
    assert hits and hits[0].iri == ID + "commune/88160" and hits[0].label == "Épinal"


def test_each_word_must_begin_a_word_of_the_label(index: SearchIndex) -> None:
    assert [h.iri for h in index.search("stat centre", "fr").hits] == [ID + "challenge/stationnement-centre"]
    assert index.search("tionnement", "fr").total == 0  # inside a word: no match
    assert index.search("stationnement zzz", "fr").total == 0


def test_facets_filter_and_count(index: SearchIndex) -> None:
    res = index.search("stationnement", "fr")
    types = dict(res.types)
    assert types["SchemaField"] == 2 and types["UseCase"] == 1 and sum(types.values()) == res.total
    mobility = ID + "concept/theme/mobility"
    # the data category is in the theme through the use case that needs it
    assert dict(res.themes)[mobility] == 3
    fields = index.search("stationnement", "fr", types=["SchemaField"])
    assert fields.total == 2 and {h.kind for h in fields.hits} == {"SchemaField"}
    assert dict(fields.types) == types  # the type facet is counted without its own filter
    assert fields.themes == []  # the theme facet is counted under the type filter: fields have no theme
    themed = index.search("stationnement", "fr", themes=[mobility])
    assert [h.kind for h in themed.hits] == ["UseCase", "Challenge", "DataCategory"]
    assert dict(themed.types) == {"UseCase": 1, "Challenge": 1, "DataCategory": 1}


def test_listing_sorts_by_folded_label(index: SearchIndex) -> None:
    labels = [h.label for h in index.search("", "fr", classes=["Commune"], limit=100).hits]
    assert labels.index("Épernay") < labels.index("Épinal") < labels.index("Stationnement-sur-Test") < labels.index(
        "Vitré")


# -- the pages ---------------------------------------------------------------------------------
def test_hits_show_the_readers_label_and_say_which_label_matched(index: SearchIndex) -> None:
    hits = {h.label: h for h in index.search("parking", "fr").hits}
    hit = hits["Tableau de bord de la rotation du stationnement"]  # found by its English label, shown in French
    assert (hit.lang, hit.matched, hit.matched_lang) == ("fr", "Parking turnover dashboard", "en")
    assert "Parking turnover dashboard" in {h.label for h in index.search("parking", "en").hits}
    english = {h.label: h for h in index.search("stationnement", "en").hits}
    assert english["Town-centre parking"].matched == "Stationnement en centre-ville"
    only_french = index.search("epernay", "en").hits[0]  # no English label: the French one, tagged
    assert (only_french.label, only_french.lang, only_french.matched) == ("Épernay", "fr", None)
    listing = index.search("", "fr", classes=["Challenge"], limit=100).hits
    assert all(h.matched is None for h in listing)  # a listing matched no label
    assert index.search("", "en", classes=["Challenge"], limit=100).hits[0].lang == "en"


def test_a_plural_query_finds_the_singular_label(index: SearchIndex) -> None:
    def labels(q: str) -> set[str]:
        return {h.label for h in index.search(q, "fr", limit=100).hits}

    assert "Tableau de bord de la rotation du stationnement" in labels("tableaux") & labels("tableau")
    assert labels("regie stationnements") == labels("regie stationnement") == {"Régie du stationnement"}
    assert not labels("stationnementss")  # one trailing plural mark is folded, not two


def test_search_page_ranks_and_offers_facets_in_the_url(client) -> None:
    page = html(client, "/search?q=stationnement")
    hrefs = result_hrefs(page)
    assert hrefs[0] == "/id/usecase/rotation-stationnement"
    assert hrefs[-1].startswith("/id/standard/test/schema-stationnement/field/")
    facet = re.search(r'<a href="([^"]+)" data-value="SchemaField">Champ de schéma <span class="count">2</span>', page)
    assert facet and facet.group(1) == "/search?q=stationnement&amp;type=SchemaField"
    narrowed = html(client, "/search?q=stationnement&type=SchemaField")
    assert len(result_hrefs(narrowed)) == 2
    assert 'data-value="SchemaField" aria-current="true"' in narrowed
    by_theme = html(client, "/search?q=stationnement&theme=mobility")
    assert result_hrefs(by_theme) == ["/id/usecase/rotation-stationnement", "/id/challenge/stationnement-centre",
                                      "/id/datacategory/lieux-stationnement"]
    # values the graph does not know are dropped, not searched for
    assert result_hrefs(html(client, "/search?q=stationnement&type=Nope&theme=<x>")) == hrefs


def test_search_results_as_json_and_csv(client) -> None:
    page = html(client, "/search?q=epinal&type=Commune")
    for ext in ("json", "csv"):
        assert f'href="/search.{ext}?q=epinal&amp;type=Commune"' in page
    r = client.get("/search.json?q=epinal&type=Commune")
    assert r.mimetype == "application/json"
    data = r.get_json()
    assert data["total"] == 1 and data["rows"][0]["iri"] == ID + "commune/88160" and data["rows"][0]["code"] == "88160"
    assert {f["value"]: f["selected"] for f in data["facets"]["type"]} == {"Commune": True}
    r = client.get("/search.csv?q=stationnement")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0]["Type"] == "UseCase" and rows[0]["Thèmes"] == "mobility" and rows[-1]["Type"] == "SchemaField"
    assert client.get("/search.xml?q=a").status_code == 404
    first = client.get("/search.json?q=stationnement&_size=2").get_json()
    assert len(first["rows"]) == 2 and first["next"] == "/search.json?q=stationnement&_size=2&offset=2"
    second = client.get(first["next"]).get_json()
    assert second["offset"] == 2 and second["rows"][0]["iri"] == rows[2]["IRI"]


def test_browse_filters_by_text_and_theme(client) -> None:
    page = html(client, "/browse/Commune?q=EPI")
    assert result_hrefs(page) == ["/id/commune/88160"]
    assert 'value="EPI"' in page
    themed = html(client, "/browse/Challenge?theme=mobility")
    assert result_hrefs(themed) == ["/id/challenge/stationnement-centre"]
    everything = result_hrefs(html(client, "/browse/Challenge"))
    assert len(everything) == 5 and set(result_hrefs(themed)) < set(everything)
    data = client.get("/browse/UseCase.json?theme=mobility").get_json()
    assert [r["iri"] for r in data["rows"]] == [ID + "usecase/rotation-stationnement"]
    assert client.get("/browse/NoSuchClass").status_code == 404


# -- the network view ----------------------------------------------------------------------------
def test_network_of_a_theme_has_labelled_nodes(client) -> None:
    data = client.get("/explore/network.json?theme=mobility").get_json()
    nodes = {e["data"]["id"]: e["data"] for e in data["elements"] if e["group"] == "nodes"}
    assert nodes[ID + "usecase/rotation-stationnement"]["label"] == "Tableau de bord de la rotation du stationnement"
    assert nodes[ID + "challenge/stationnement-centre"]["kind"] == "challenge"
    assert all(n["label"] and n["href"].startswith("/id/") for n in nodes.values())
    assert data["theme"]["code"] == "mobility" and data["empty"] is None
    english = client.get("/explore/network.json?theme=mobility&lang=en").get_json()
    assert "Parking turnover dashboard" in {e["data"].get("label") for e in english["elements"]}


def test_network_opens_on_the_fullest_theme(client) -> None:
    page = html(client, "/explore")
    counts = {code: int(n) for code, n in re.findall(r'<option value="([a-z-]+)"[^>]*>[^<]*\((\d+) cas', page)}
    fullest = max(counts, key=counts.get)
    assert re.search(rf'<option value="{fullest}" selected>', page)
    assert client.get("/explore/network.json").get_json()["theme"]["code"] == fullest
    every = client.get("/explore/network.json?theme=all").get_json()
    assert every["theme"] is None and len(every["elements"]) > len(
        client.get(f"/explore/network.json?theme={fullest}").get_json()["elements"])
    assert client.get("/explore/network.json?theme=nope").status_code == 404


def test_empty_theme_is_explained(client) -> None:
    data = client.get("/explore/network.json?theme=natural-risks").get_json()
    assert data["elements"] == []
    empty = data["empty"]
    assert "Risques naturels" in empty["text"] and "cas d'usage" in empty["text"]
    assert empty["figures"] == {"challenges": 1, "experiments": 0, "publications": 0}
    assert empty["href"] == "/id/concept/theme/natural-risks"
    page = html(client, "/explore?theme=natural-risks")
    box = page[page.index('id="network-empty"'):page.index('id="network"')]
    assert "hidden" not in box.split(">")[0] and empty["text"].replace("'", "&#39;") in box
    assert 'id="network" class="network" role="img"' in page and "hidden></div>" in page


def test_charts_series_are_the_openness_scheme(client) -> None:
    g = Graph().parse(ROOT / "ontology" / "vocabularies" / "openness.ttl")
    scheme = {str(c).rsplit("/", 1)[-1] for c in g.subjects(SKOS.inScheme, None)}
    charts = client.get("/explore/charts.json").get_json()
    assert {s["code"] for s in charts["statuses"]} == scheme
    for key in ("by_theme", "by_actor_category", "usual_by_theme"):
        assert [ds["code"] for ds in charts[key]["datasets"]] == [s["code"] for s in charts["statuses"]]
    # narrower statuses are counted as themselves, not folded into their top concept
    theme = charts["by_theme"]
    i = theme["labels"].index("Commerce et développement économique")
    by_code = {ds["code"]: ds["data"][i] for ds in theme["datasets"]}
    assert by_code["open"] == 1 and by_code["property"] == 1 and by_code["not-accessible-justified"] == 0


# -- the shipped graph ---------------------------------------------------------------------------
@pytest.mark.slow
def test_shipped_graph_stationnement_lists_use_cases_first(shipped_build) -> None:
    eng = Engine.from_settings({"store": shipped_build.store_path, "workers": 1, "query_timeout": 60})
    try:
        index = SearchIndex.build(eng)
    finally:
        eng.close()
    kinds = [h.kind for h in index.search("stationnement", "fr", limit=1000).hits]
    assert kinds[0] == "UseCase" and "SchemaField" in kinds
    assert kinds.index("SchemaField") > max(i for i, k in enumerate(kinds) if k == "UseCase")
    assert kinds == sorted(kinds, key=kind_rank)
    assert index.search("chalon sur saone", "fr").hits[0].iri.endswith("/commune/71076")
