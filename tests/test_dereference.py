"""Dereferencing: every minted IRI answers HTML to browsers and RDF to RDF clients, at the same URL."""

from __future__ import annotations

import json
import re

import pytest
from pages_fixture import HERE, ID, build_fixture_store, make_app
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from odl_graph import iris, vocab_files

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# One sample of every class (and of the SKOS resources) the project mints: path under the base.
SAMPLES = [
    "id/usecase/ilots-de-fraicheur",
    "id/challenge/ilots-de-chaleur",
    "id/service/carte-fraicheur",
    "id/datacategory/arbres",
    "id/requirement/ilots-de-fraicheur--arbres",
    "id/dataset/arbres-vitre",
    "id/actor/ville-de-vitre",
    "id/experiment/vitre-fraicheur",
    "id/interview/vitre-2023",
    "id/programme/action-coeur-de-ville",
    "id/commune/35360",
    "id/epci/200039022",
    "id/departement/35",
    "id/region/53",
    "id/standard/etalab/schema-arbre",
    "id/standard/etalab/schema-arbre/field/espece",
    "id/scheme/openness",
    "id/concept/openness/open",
    "id/concept/theme/climate-adaptation",
]

RDF_TYPES = {
    "text/turtle": ("turtle", "ttl"),
    "application/ld+json": ("json-ld", "jsonld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("xml", "rdf"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("deref-store")
    build_fixture_store(store)
    app, eng = make_app(store)
    yield app.test_client()
    eng.close()


@pytest.fixture(scope="module")
def source() -> Graph:
    """What the store was built from, parsed independently of the server (rdflib, not pyoxigraph)."""
    g = Graph()
    g.parse(HERE / "fixture.ttl", format="turtle")
    g.parse(vocab_files.ONTOLOGY_FILE, format="turtle")
    for path in vocab_files.VOCABULARY_FILES.values():
        g.parse(path, format="turtle")
    return g


def _triples_of(g: Graph, subject: URIRef) -> set:
    return {(p, o) for p, o in g.predicate_objects(subject)}


@pytest.mark.parametrize("path", SAMPLES)
def test_browser_gets_html(client, path: str) -> None:
    r = client.get("/" + path, headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Content-Location"] == f"/{path}.html"
    assert "Accept" in r.headers["Vary"]
    html = r.get_data(as_text=True)
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                       ("rdf", "application/rdf+xml")):
        assert f'<link rel="alternate" type="{media}" href="/{path}.{ext}"' in html
    # embedded JSON-LD describes the resource
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m, "no embedded JSON-LD"
    g = Graph().parse(data=m.group(1), format="json-ld")
    assert (URIRef(iris.BASE + path), None, None) in g
    # "open in the SPARQL editor" with the describing query
    link = re.search(r'id="open-in-editor"|href="(/editor\?query=[^"]+)"', html)
    assert link and "/editor?query=" in html


@pytest.mark.parametrize("path", SAMPLES)
@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_rdf_by_accept_parses_and_holds_the_triples(client, source: Graph, path: str, media: str) -> None:
    r = client.get("/" + path, headers={"Accept": media})
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert r.headers["Content-Type"].split(";")[0] == media
    fmt, ext = RDF_TYPES[media]
    assert r.headers["Content-Location"] == f"/{path}.{ext}"
    g = Graph().parse(data=r.data, format=fmt)
    subject = URIRef(iris.BASE + path)
    expected = _triples_of(source, subject)
    assert expected, f"fixture has no triples for {subject}"
    assert _triples_of(g, subject) == expected


@pytest.mark.parametrize("path", ["id/usecase/ilots-de-fraicheur", "id/standard/etalab/schema-arbre",
                                  "id/concept/openness/open", "id/commune/35360"])
@pytest.mark.parametrize("media", list(RDF_TYPES))
def test_extension_overrides_accept(client, source: Graph, path: str, media: str) -> None:
    fmt, ext = RDF_TYPES[media]
    r = client.get(f"/{path}.{ext}", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    g = Graph().parse(data=r.data, format=fmt)
    subject = URIRef(iris.BASE + path)
    assert _triples_of(g, subject) == _triples_of(source, subject)


def test_html_extension(client) -> None:
    r = client.get("/id/usecase/ilots-de-fraicheur.html", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")


def test_fragment_sub_resources_travel_with_the_resource(client) -> None:
    """An experiment's period (`#period`) is part of the experiment's representation."""
    g = Graph().parse(data=client.get("/id/experiment/vitre-fraicheur.ttl").data, format="turtle")
    period = URIRef(ID + "experiment/vitre-fraicheur#period")
    assert (period, URIRef("http://www.w3.org/ns/dcat#startDate"), None) in g


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("application/rdf+xml, text/turtle;q=0.9, */*;q=0.1", "application/rdf+xml"),  # rapper-style
        ("text/turtle, application/ld+json", "text/turtle"),  # a list of RDF types (trifid#362)
        ("application/ld+json;q=1, text/html;q=0.5", "application/ld+json"),
        ("text/html;q=0, */*", "text/turtle"),
        ("application/json", "application/ld+json"),
    ],
)
def test_negotiation_choices(client, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/id/usecase/ilots-de-fraicheur", headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == expected


def test_not_acceptable(client) -> None:
    r = client.get("/id/usecase/ilots-de-fraicheur", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.get_data(as_text=True)


def test_unknown_iri_is_404(client) -> None:
    assert client.get("/id/usecase/does-not-exist").status_code == 404
    assert client.get("/id/usecase/does-not-exist.ttl").status_code == 404


def test_ontology_serves_itself(client) -> None:
    r = client.get("/def", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.data, format="turtle")
    onto = Graph().parse(vocab_files.ONTOLOGY_FILE, format="turtle")
    assert (URIRef(iris.ONTOLOGY), RDF.type, OWL.Ontology) in g
    assert len(g) == len(onto)
    for ext, fmt in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")):
        assert len(Graph().parse(data=client.get(f"/def.{ext}").data, format=fmt)) == len(onto)


def test_ontology_html_documentation_is_generated_from_it(client) -> None:
    r = client.get("/def", headers={"Accept": BROWSER_ACCEPT})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.get_data(as_text=True)
    onto = Graph().parse(vocab_files.ONTOLOGY_FILE, format="turtle")
    classes = {str(c) for c in onto.subjects(RDF.type, OWL.Class) if str(c).startswith(iris.TERMS)}
    props = {str(p) for t in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in onto.subjects(RDF.type, t)
             if str(p).startswith(iris.TERMS)}
    assert classes and props
    for term in classes | props:
        name = term[len(iris.TERMS):]
        assert f'id="{name}"' in html, f"no section for odl:{name}"
    # labels and definitions come from the ontology, in French by default
    label = next(o for o in onto.objects(URIRef(iris.TERMS + "UseCase"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
                 if isinstance(o, Literal) and o.language == "fr")
    assert str(label).replace("'", "&#39;") in html
    # the SHACL constraints that apply to a class are listed in its section (fixture shapes)
    section = html[html.index('id="UseCase"'):]
    section = section[: section.index("</article>")]
    assert "sh:minCount" in section and "sh:class" in section and "mis en œuvre par" in section
    assert "sh:languageIn" in section and "en, fr" in section
    dataset = html[html.index('id="Dataset"'):]
    dataset = dataset[: dataset.index("</article>")]
    assert "sh:maxCount" in dataset
    assert "Un jeu de données a un statut d&#39;ouverture, ou le déclare inconnu." in dataset  # node-level (sh:or)


def test_ontology_version_iri(client) -> None:
    assert client.get("/def/0.1.0", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/def/0.1.0.ttl").status_code == 200
    assert client.get("/def/9.9.9").status_code == 404


def test_editor_link_query_describes_the_resource(client) -> None:
    """The query behind "open in the SPARQL editor" returns the resource's statements."""
    from urllib.parse import parse_qs, urlparse

    from odl_graph.engine import Engine
    from server.engine import get_engine

    html = client.get("/id/usecase/ilots-de-fraicheur").get_data(as_text=True)
    href = re.search(r'href="(/editor\?query=[^"]+)" id="open-in-editor"', html).group(1)
    query = parse_qs(urlparse(href.replace("&amp;", "&")).query)["query"][0]
    assert ID + "usecase/ilots-de-fraicheur" in query
    eng: Engine = get_engine(client.application)
    rows = eng.select(query)
    props = {r["property"].value for r in rows if r["direction"].value == "out"}
    assert iris.TERMS + "addresses" in props and iris.TERMS + "hasRequirement" in props
    assert any(r["direction"].value == "in" for r in rows)  # the experiment testing it


def test_jsonld_embedded_is_escaped_for_script(client) -> None:
    html = client.get("/id/usecase/xss").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    data = json.loads(block)
    labels = json.dumps(data, ensure_ascii=False)
    assert "<script>alert(1)</script>" in labels  # the JSON still says what the data says


def test_shapes_document(client) -> None:
    """`{base}shapes#...` (the shapes' namespace) resolves: RDF of the graph/shapes/* graphs, HTML docs."""
    shapes = Graph().parse(HERE / "shapes.ttl", format="turtle")
    g = Graph().parse(data=client.get("/shapes", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert len(g) == len(shapes)  # blank nodes prevent comparing the triples themselves
    assert (URIRef(iris.BASE + "shapes#UseCaseShape"), None, None) in g
    html = client.get("/shapes", headers={"Accept": BROWSER_ACCEPT}).get_data(as_text=True)
    assert 'id="UseCase"' in html and "sh:minCount" in html


@pytest.mark.parametrize("path", SAMPLES)
def test_every_advertised_alternate_answers_in_its_media_type(client, path: str) -> None:
    """The Link header lists one alternate per format the page offers; each must answer, in that type."""
    import re

    r = client.get("/" + path, headers={"Accept": BROWSER_ACCEPT})
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', r.headers["Link"])
    assert {t for _href, t in links} >= {"text/turtle", "application/trig", "application/n-quads"}
    for href, media in links:
        alt = client.get(href)
        assert alt.status_code == 200, href
        assert alt.mimetype == media, href
