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

from odl_graph import dumps
from odl_graph.build import dcat_ap
from odl_graph.dumps import DATASET_FILES, GRAPH_FILES, read_manifest
from odl_graph.stores import EmbeddedStore

FORMATS = {ext: fmt for ext, fmt, _media in (*DATASET_FILES, *GRAPH_FILES)}


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
    stored = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]  # the default graph: their union
    everything = _quads(stored)
    graphs = {q[3] for q in everything}
    assert {e["graph"] for e in entries} == {None, *graphs}
    for e in entries:
        path = folder / e["file"]
        raw = path.read_bytes()
        assert e["bytes"] == len(raw) and e["sha256"] == hashlib.sha256(raw).hexdigest(), e["file"]
        expected = everything if e["graph"] is None else _quads(
            [q for q in stored if getattr(q.graph_name, "value", "") == e["graph"]])
        assert _load(path, e["graph"]) == expected, e["file"]
        assert e["triples"] == len(expected), e["file"]
    return entries


def dumps_dir(store_path: Path) -> Path:
    """The dumps of the current version (made now if the server has not made them yet)."""
    return dumps.make(store_path, EmbeddedStore(store_path).version() or "")


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


@pytest.mark.parametrize("licence", ["", "http://publications.europa.eu/resource/authority/licence/ODC_BL"])
def test_catalog_conforms_to_dcat_ap_3(app_factory: Any, licence: str) -> None:
    import pyshacl

    client = app_factory(catalog_licence=licence, catalog_contact_email="contact@example.org").test_client()
    resp = client.get("/catalog")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    assert "@prefix dcat: <http://www.w3.org/ns/dcat#>" in resp.data.decode()
    data = rdflib.Graph().parse(data=resp.data, format="turtle")
    conforms, _report, text = pyshacl.validate(data, shacl_graph=dcat_ap.shapes(vocabularies=True), inference="none",
                                               allow_warnings=True)
    assert conforms, text[:4000]
    DCAT, DCT = rdflib.Namespace("http://www.w3.org/ns/dcat#"), rdflib.Namespace("http://purl.org/dc/terms/")
    ds = rdflib.URIRef("http://localhost/catalog#dataset")
    files = client.get("/download/?format=json").get_json()["files"]
    downloads = {str(o) for d in data.objects(ds, DCAT.distribution) for o in data.objects(d, DCAT.downloadURL)}
    assert downloads == {f["url"] for f in files}
    service = rdflib.URIRef("http://localhost/catalog#sparql")
    assert (service, DCAT.endpointURL, rdflib.URIRef("http://localhost/sparql")) in data
    assert (service, DCAT.servesDataset, ds) in data
    assert (ds, DCT.spatial, rdflib.URIRef("http://publications.europa.eu/resource/authority/country/FRA")) in data
    assert ((None, DCT.license, rdflib.URIRef(licence)) in data) is bool(licence)
    assert (None, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"),
            rdflib.URIRef("mailto:contact@example.org")) in data
    jsonld = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(rdflib.Graph().parse(data=jsonld.data, format="json-ld")) == len(data)


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
