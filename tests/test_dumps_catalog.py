"""Dumps (/download/, `odl-graph export`) and the DCAT-AP 3 description at /catalog."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from conftest import TOKEN, odl_graph_cli

from odl_graph import dumps, iris
from odl_graph.build import dcat_ap
from odl_graph.config import load_settings
from odl_graph.dumps import DATASET_FILES, GRAPH_FILES, read_manifest
from odl_graph.negotiation import GRAPH_FORMATS
from odl_graph.stores import EmbeddedStore

FORMATS = {ext: fmt for ext, fmt, _media in (*DATASET_FILES, *GRAPH_FILES)}
LICENCE = load_settings()["licence"]  # the graph's licence as shipped (docs/licence.md)


def _quads(store: Any) -> set[tuple[str, str, str, str]]:
    """The quads in a comparable form: blank nodes get canonical labels (RDF Dataset Canonicalization
    of the quads that mention one; the others cannot touch them), so a reloaded dump compares equal."""
    ground, blank = [], ox.Dataset()
    for q in store:
        if any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object, q.graph_name)):
            blank.add(q)
        else:
            ground.append(q)
    blank.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {(str(q.subject), str(q.predicate), str(q.object), getattr(q.graph_name, "value", ""))
            for q in (*ground, *blank)}


def _load(path: Path, graph: str | None) -> set[tuple[str, str, str, str]]:
    """A dump file loaded into an empty store: its quads (a graph dump goes into its named graph)."""
    ext = path.name.removesuffix(".gz").rsplit(".", 1)[1]
    fmt = FORMATS[ext]
    data = gzip.decompress(path.read_bytes())
    empty = ox.Store()
    if graph is not None:  # a one-graph dump: its triples go to that graph
        empty.load(data, format=fmt, to_graph=ox.NamedNode(graph))
    else:
        empty.load(data, format=fmt)
    return _quads(empty)


def check_dumps(folder: Path, store: ox.Store) -> list[dict[str, Any]]:
    """Every dump loads back to exactly the store's triples; sizes, counts and SHA-256 are right."""
    entries = read_manifest(folder)
    assert entries, folder
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in store:
        if not isinstance(q.graph_name, ox.DefaultGraph):  # the default graph: their union
            by_graph.setdefault(q.graph_name.value, []).append(q)
    everything = _quads(q for qs in by_graph.values() for q in qs)
    assert {e["graph"] for e in entries} == {None, *by_graph}
    expected_of = {None: everything}
    for e in entries:
        path = folder / e["file"]
        raw = path.read_bytes()
        assert e["bytes"] == len(raw) and e["sha256"] == hashlib.sha256(raw).hexdigest(), e["file"]
        if e["graph"] not in expected_of:  # a graph's quads, read once for all its formats
            expected_of[e["graph"]] = _quads(by_graph[e["graph"]])
        expected = expected_of[e["graph"]]
        assert _load(path, e["graph"]) == expected, e["file"]
        assert e["triples"] == len(expected), e["file"]
    return entries


def dumps_dir(store_path: Path) -> Path:
    """The dumps of the current version (made now if the server has not made them yet)."""
    return dumps.make(store_path, EmbeddedStore(store_path).version() or "", licence=LICENCE)


def test_dumps_load_back_exactly(store_path: Path) -> None:
    store = EmbeddedStore(store_path)
    folder = dumps_dir(store_path)
    entries = check_dumps(folder, store.oxigraph)
    assert {e["media_type"] for e in entries} == {"application/n-quads", "application/trig", "application/ld+json",
                                                  "application/n-triples", "text/turtle"}
    trig = gzip.decompress((folder / "odl-graph.trig.gz").read_bytes()).decode()
    assert "@prefix odl: <https://w3id.org/odl-graph/def#>" in trig
    jsonld = gzip.decompress((folder / "odl-graph.jsonld.gz").read_bytes()).decode()
    assert '"@context"' in jsonld and '"dcat":"http://www.w3.org/ns/dcat#"' in jsonld.replace(" ", "")


def test_export_writes_the_same_files(store_path: Path, tmp_path: Path) -> None:
    out = odl_graph_cli("--store", str(store_path), "export", str(tmp_path / "dumps"))
    assert out.returncode == 0, out.stderr
    mine = read_manifest(tmp_path / "dumps")
    assert mine == read_manifest(dumps_dir(store_path))
    assert f"{len(mine)} files in" in out.stdout


def test_download_listing_and_files(client: Any, store_path: Path) -> None:
    listing = client.get("/download/", headers={"Accept": "application/json"})
    assert listing.status_code == 200
    files = listing.get_json()["files"]
    assert files == [{**e, "url": "http://localhost/download/" + e["file"]}
                     for e in read_manifest(dumps_dir(store_path))]
    html = client.get("/download/")
    assert html.mimetype == "text/html" and html.headers["Content-Language"] == "fr"
    assert "Téléchargements" in html.data.decode() and files[0]["sha256"] in html.data.decode()
    assert "Downloads" in client.get("/download/?lang=en").data.decode()
    with client.get("/download/odl-graph.nq.gz") as got:  # streamed from the file: close it
        assert got.status_code == 200 and got.mimetype == "application/gzip"
        assert hashlib.sha256(got.data).hexdigest() == files[0]["sha256"]
        assert got.headers["Repr-Digest"].startswith("sha-256=:")
    assert client.get("/download/nope.nq.gz").status_code == 404
    assert client.get("/download/..%2Fmanifest.json").status_code == 404


def test_void_and_service_description_name_the_dumps(client: Any) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dumps = {str(o) for o in void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump"))}
    files = {f["url"] for f in client.get("/download/?format=json").get_json()["files"]}
    assert dumps == files
    sd = rdflib.Graph().parse(data=client.get("/sparql").data, format="turtle")
    whole = {str(o) for o in sd.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert whole == {u for u in files if "/odl-graph." in u} and len(whole) == 3


def test_dumps_follow_an_update_in_the_background_and_say_when_stale(app_factory: Any) -> None:
    app = app_factory(update_token=TOKEN)
    client = app.test_client()
    before = client.get("/download/?format=json").get_json()
    assert before["stale"] is False and before["dumps_version"] == before["store_version"]
    r = client.post("/update", data={"update": "INSERT DATA { GRAPH <http://example.org/new> { "
                                               "<http://example.org/a> <http://example.org/b> 1 } }"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200
    path = Path(app.config["ODL"]["store"])
    new = r.get_json()["store_version"]
    assert EmbeddedStore(path).version() == new
    stale = client.get("/download/?format=json").get_json()  # the update did not wait for the dumps
    if stale["dumps_version"] != new:
        assert stale["stale"] is True and new in stale["note"]
        with client.get("/download/odl-graph.nq.gz") as got:
            assert got.headers["X-ODL-Dumps-Stale"] == "true"
    deadline = time.monotonic() + 120
    while dumps.latest(path)[0] != new and time.monotonic() < deadline:  # type: ignore[index]
        time.sleep(0.2)
    after = client.get("/download/?format=json").get_json()
    assert after["stale"] is False and after["dumps_version"] == new
    assert after["files"][0]["triples"] == before["files"][0]["triples"] + 1
    assert "http://example.org/new" in {f["graph"] for f in after["files"]}
    check_dumps(dumps.latest(path)[1], EmbeddedStore(path).oxigraph)  # type: ignore[index]
    with client.get("/download/odl-graph.nq.gz") as got:
        assert got.headers["X-ODL-Dumps-Stale"] == "false" and got.headers["X-ODL-Dumps-Version"] == new


DCAT, DCT = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://purl.org/dc/terms/")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends


def profile_violations(data: rdflib.Graph, vocabularies: bool = False) -> list[tuple[str, str, str]]:
    """DCAT-AP 3.0.1 violations of `data` as a client finds them: the profile's shapes, no inference."""
    import pyshacl

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=dcat_ap.shapes(vocabularies), inference="none",
                                                allow_warnings=True)
    return sorted((str(report.value(r, rdflib.SH.focusNode)), str(report.value(r, rdflib.SH.resultPath)),
                   str(report.value(r, rdflib.SH.resultMessage)))
                  for r in report.objects(None, rdflib.SH.result)  # top-level: not the nested sh:detail
                  if report.value(r, rdflib.SH.resultSeverity) == rdflib.SH.Violation)


@pytest.mark.parametrize("licence", ["", LICENCE])
def test_catalog_conforms_to_dcat_ap_3(app_factory: Any, licence: str) -> None:
    client = app_factory(licence=licence, catalog_contact_email="contact@example.org").test_client()
    resp = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#>" in resp.data.decode()
    data = rdflib.Graph().parse(data=resp.data, format="turtle")
    assert profile_violations(data) == []
    # The EU-vocabulary layer too, for the graph's own description (a local record cannot meet it: dcat_ap.py).
    assert [v for v in profile_violations(data, vocabularies=True) if "/catalog#" in v[0]] == []
    ds = rdflib.URIRef("http://localhost/catalog#dataset")
    files = client.get("/download/?format=json").get_json()["files"]
    downloads = {str(o) for d in data.objects(ds, DCAT.distribution) for o in data.objects(d, DCAT.downloadURL)}
    assert downloads == {f["url"] for f in files}
    service = rdflib.URIRef("http://localhost/catalog#sparql")
    assert (service, DCAT.endpointURL, rdflib.URIRef("http://localhost/sparql")) in data
    assert (service, DCAT.servesDataset, ds) in data
    assert (ds, DCT.spatial, rdflib.URIRef("http://publications.europa.eu/resource/authority/country/FRA")) in data
    licensed = {s for s, _p, o in data.triples((None, DCT.license, rdflib.URIRef(licence)))} if licence else set()
    distributions = set(data.objects(ds, DCAT.distribution))
    assert licensed == ({ds, service, *distributions} if licence else set())
    assert (None, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"),
            rdflib.URIRef("mailto:contact@example.org")) in data
    jsonld = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(rdflib.Graph().parse(data=jsonld.data, format="json-ld")) == len(data)


def test_a_browser_gets_the_catalogue_as_a_page_linking_its_rdf_formats(client: Any) -> None:
    page = client.get("/catalog", headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html" and page.headers["Content-Language"] == "fr"
    assert "Accept" in page.headers["Vary"]
    html = page.data.decode()
    assert "Catalogue du graphe des données locales" in html and 'id="catalog-records"' in html
    for f in GRAPH_FORMATS:  # each RDF format of the one format table, linked and served
        href = f"http://localhost/catalog?format={f.extension}"
        assert f'href="{href}"' in html
        assert client.get(href.removeprefix("http://localhost")).mimetype == f.media_type
    english = client.get("/catalog?lang=en", headers={"Accept": BROWSER}).data.decode()
    assert "Catalogue of the local data graph" in english and "Dataset records" in english
    assert client.get("/catalog", headers={"Accept": "application/rdf+xml"}).mimetype == "application/rdf+xml"


def test_the_licence_is_stated_in_downloads_manifest_void_and_every_footer(client: Any, store_path: Path) -> None:
    from odl_graph.licences import graph_licence

    lic = graph_licence(load_settings())
    assert lic is not None and lic.iri == LICENCE
    listing = client.get("/download/?format=json").get_json()
    assert listing["licence"] == {"iri": LICENCE, "label": {"fr": lic.label("fr"), "en": lic.label("en")}}
    entries = read_manifest(dumps_dir(store_path))
    assert entries and all(e["licence"] == LICENCE for e in entries if "/graph/external/" not in (e["graph"] or ""))
    assert all(e["licence"] is None and e["licence_note"] for e in entries if "/graph/external/" in (e["graph"] or ""))
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    assert (rdflib.URIRef("http://localhost/.well-known/void#dataset"), DCT.license, rdflib.URIRef(LICENCE)) in void
    for path in ("/", "/download/", "/catalog", "/editor", "/analyses/", "/nope-404"):
        for lang, words in (("fr", "Le graphe est diffusé sous la licence"),
                            ("en", "The graph is distributed under the")):
            html = client.get(f"{path}?lang={lang}", headers={"Accept": BROWSER}).data.decode()
            assert f'{words} <a href="{LICENCE}" rel="license">{lic.label(lang)}</a>' in html, (path, lang)
    assert "(partage à l" in client.get("/download/?lang=fr").data.decode()


@pytest.mark.slow
def test_shipped_dumps_load_back_exactly(shipped_store: EmbeddedStore) -> None:
    """The acceptance case: every dump of the shipped graph (512k triples) loads back exactly."""
    check_dumps(dumps_dir(shipped_store.path), shipped_store.oxigraph)


@pytest.mark.slow
def test_shipped_catalog_has_themes_and_period(shipped_store: EmbeddedStore) -> None:
    from odl_graph.analyses import dcat

    facts = dcat.facts(shipped_store)
    assert facts["themes"] and all(t.startswith(dcat.EU_THEME + "/") for t in facts["themes"])
    assert facts["from"] is not None and facts["to"] is not None and facts["built"] is not None


@pytest.mark.slow
def test_shipped_catalog_lists_every_record_and_validates_as_served(shipped_store: EmbeddedStore) -> None:
    """The acceptance case: /catalog over the shipped graph, as a client gets it, conforms to the DCAT-AP
    3.0.1 shapes (SHACL and ranges) without inference, lists every dataset record, and its page shows them."""
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(shipped_store.path), "workers": 1, "store_mode": "disk", "TESTING": True})
    try:
        client = app.test_client()
        data = rdflib.Graph().parse(data=client.get("/catalog", headers={"Accept": "text/turtle"}).data,
                                    format="turtle")
        html = client.get("/catalog", headers={"Accept": BROWSER}).data.decode()
    finally:
        close_engine(app)
    assert profile_violations(data) == []
    stored = {r["d"].value for r in shipped_store.query(f"SELECT DISTINCT ?d WHERE {{ ?d a <{DCAT}Dataset> }}")}
    listed = {str(o) for o in data.objects(rdflib.URIRef("http://localhost/catalog#catalog"), DCAT.dataset)}
    assert len(stored) >= 50 and listed == stored | {"http://localhost/catalog#dataset"}
    for record in stored:  # its licence from its source, or said to be unknown (odl:unknownValueOf)
        licence = list(data.objects(rdflib.URIRef(record), DCT.license))
        unknown = (rdflib.URIRef(record), rdflib.URIRef(iris.BASE + "def#unknownValueOf"), DCT.license) in data
        assert bool(licence) != unknown, record
    assert html.count("<tr>") >= len(stored) and "inconnue" in html and "ODbL 1.0" in html

