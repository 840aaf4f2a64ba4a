"""The harvester against a loopback stand-in of the data.gouv.fr API and of DCAT catalogues: paging,
429 / 500 answers, a malformed record, resumption, raw answers and provenance kept, and the mapping of a
snapshot into graph/import/harvest by a real build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, odl_graph_cli
from harvest_fixture import (
    COMMUNE,
    DEP,
    EPCI,
    FAILING_ZONE,
    REG,
    commune_siren,
    observatory_siren,
    serve,
    standard_stand_in,
)
from rdflib import RDF, Literal
from rdflib.namespace import DCAT, DCTERMS, RDFS

from odl_graph import iris
from odl_graph.build.harvest import mapping
from odl_graph.build.harvest.harvester import Harvester
from odl_graph.build.harvest.importer import HarvestImporter, warning_notes
from odl_graph.build.harvest.snapshot import read_records
from odl_graph.build.harvest.territories import TerritoryError, resolve
from odl_graph.config import load_settings
from odl_graph.errors import SourceError
from odl_graph.namespace import ODL

DATA = ROOT / "data"
ZONES = [f"fr:commune:{COMMUNE}", f"fr:departement:{DEP}", f"fr:region:{REG}"]


def data_dir(tmp_path: Path) -> Path:
    """A data folder with the shipped extracts and curated files the harvest reads, and no snapshot."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=lambda folder, _names: ["harvest"] if Path(folder) == DATA else [])
    (target / "harvest").mkdir()
    shutil.copy(DATA / "harvest" / "category-rules.csv", target / "harvest" / "category-rules.csv")
    return target


def harvester(folder: Path, url: str, waits: list[float] | None = None, **kw: Any) -> Harvester:
    settings = load_settings({"data_dir": str(folder), "harvest_page_size": 2, "harvest_min_interval": 0,
                              "harvest_retries": 2, "harvest_backoff": 0.01})
    return Harvester(settings, base_url=url + "/api/1/", sleep=(waits.append if waits is not None else None), **kw)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return data_dir(tmp_path)


def snapshot(folder: Path) -> dict[str, dict]:
    return {r["id"]: r for r in read_records(folder / "harvest" / "snapshot.jsonl")}


# -- data.gouv.fr API -----------------------------------------------------------------------------------

def test_zone_pages_are_followed_and_a_malformed_record_is_skipped(folder: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        report = h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
    assert report.ok, report.errors
    assert api.requests_to("geozone=fr%3Acommune%3A35360") == 3  # 5 items, 2 a page
    records = snapshot(folder)
    assert set(records) == {"ds-irve", "ds-covoit", "ds-nodesc", "ds-national"}
    assert [(m["id"], m["reason"]) for m in report.malformed] == [("ds-bad", "no title")]
    assert report.malformed[0]["url"].endswith("page_size=2&page=2")  # the page it was on
    assert report.incomplete == [{"id": "ds-nodesc", "missing": ["description"], "url": report.incomplete[0]["url"]}]
    # the organisation was looked up once, for its SIREN (the first 9 digits of its SIRET)
    assert records["ds-irve"]["organization"]["siren"] == commune_siren(folder, COMMUNE)
    assert api.requests_to("/api/1/organizations/org-vitre/") == 1
    assert records["ds-irve"]["resources"][0]["schema"] == {"name": "etalab/schema-irve-statique", "version": "2.3.0"}
    assert records["ds-irve"]["zones"] == [f"fr:commune:{COMMUNE}"]


def test_raw_answers_and_provenance_are_kept(folder: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        report = h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
    run_dir = folder / "harvest" / "runs" / report.run_id
    raw = sorted((run_dir / "raw").iterdir())
    assert len(raw) == report.requests == len(api.log)
    first = json.loads(raw[0].read_text(encoding="utf-8"))
    assert first["page"] == 1 and len(first["data"]) == 2
    manifest = json.loads((folder / "harvest" / "MANIFEST.json").read_text(encoding="utf-8"))
    part = manifest["parts"][f"zone:fr:commune:{COMMUNE}"]
    assert part["complete"] and len(part["pages"]) == 3
    assert all(p["fetched_at"] and p["run"] == report.run_id and (folder / "harvest" / p["raw"]).is_file()
               for p in part["pages"])
    assert manifest["runs"][-1]["user_agent"].startswith("odl-graph/")
    assert manifest["runs"][-1]["malformed"][0]["id"] == "ds-bad"
    assert manifest["snapshot"]["datasets"] == 4


def test_429_retry_after_is_honoured_and_500_retried(folder: Path) -> None:
    waits: list[float] = []
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url, waits)
        report = h.run(h.parts_for([f"fr:departement:{DEP}", f"fr:region:{REG}"]))
    assert report.ok, report.errors
    assert api.requests_to(f"geozone=fr%3Adepartement%3A{DEP}") == 2
    assert api.requests_to(f"geozone=fr%3Aregion%3A{REG}") == 2
    assert 1.0 in waits  # Retry-After: 1
    assert {"ds-dep", "ds-reg"} <= set(snapshot(folder))


def test_a_permanent_500_is_reported_and_the_other_parts_still_done(folder: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        report = h.run(h.parts_for([FAILING_ZONE, f"fr:epci:{EPCI}"]))
    assert not report.ok
    assert [(e["part"], e["status"]) for e in report.errors] == [(f"zone:{FAILING_ZONE}", 500)]
    assert "HTTP 500 after 3 attempt(s)" in report.errors[0]["message"]
    assert api.requests_to("geozone=fr%3Acommune%3A35238") == 3  # first try + 2 retries
    assert report.parts_done == [f"zone:fr:epci:{EPCI}"]
    assert "ds-epci" in snapshot(folder)


def test_a_second_run_asks_nothing_for_done_parts_unless_refresh(folder: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        h.run(h.parts_for([f"fr:commune:{COMMUNE}"], ["org-vitre"]))
        before = len(api.log)
        h = harvester(folder, api.url)
        again = h.run(h.parts_for([f"fr:commune:{COMMUNE}"], ["org-vitre"]))
        assert len(api.log) == before and again.requests == 0
        assert sorted(again.parts_skipped) == ["organization:org-vitre", f"zone:fr:commune:{COMMUNE}"]
        h = harvester(folder, api.url, refresh=True)
        h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
        assert api.requests_to("geozone=fr%3Acommune%3A35360") == 6
    assert {f"ds-org-{i}" for i in range(3)} <= set(snapshot(folder))


def test_an_interrupted_part_resumes_at_the_page_it_stopped(folder: Path) -> None:
    stand_in = standard_stand_in(folder)
    with serve(stand_in) as api:
        page_2 = "/api/1/datasets/?geozone=fr%3Acommune%3A35360&page_size=2&page=2"
        api.failures[page_2] = [(503, {})] * 3  # more than the retries: the first run stops there
        h = harvester(folder, api.url)
        first = h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
        assert not first.ok and set(snapshot(folder)) == {"ds-irve", "ds-covoit"}
        h = harvester(folder, api.url)
        second = h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
    assert second.ok
    assert api.requests_to("geozone=fr%3Acommune%3A35360&page_size=2") == 1 + 3 + 2  # page 1 once
    assert set(snapshot(folder)) == {"ds-irve", "ds-covoit", "ds-nodesc", "ds-national"}


# -- DCAT catalogues -----------------------------------------------------------------------------------

def test_dcat_catalogues_in_turtle_and_jsonld_follow_hydra_paging(folder: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        report = h.run(h.parts_for(catalogs=[api.url + "/catalog/cat.ttl", api.url + "/catalog/cat.jsonld"]))
    assert report.ok, report.errors
    assert api.requests_to("/catalog/cat.ttl") == 2 and api.requests_to("/catalog/cat.jsonld") == 2
    records = snapshot(folder)
    assert set(records) == {"arbres-vitre", "https://portal.example.org/ds/velo",
                            "https://portal.example.org/ds/pistes", "fontaines", "trafic", "sirene"}
    assert [m["id"] for m in report.malformed] == ["sans-titre"]
    arbres = records["arbres-vitre"]
    assert arbres["zones"] == [f"fr:commune:{COMMUNE}"]
    assert arbres["organization"]["siren"] == commune_siren(folder, COMMUNE)
    assert records["https://portal.example.org/ds/velo"]["resources"][0]["schema"]["name"] == \
        "etalab/schema-stationnement-cyclable"
    assert records["fontaines"]["zones"] == [f"fr:region:{REG}"]


def test_a_catalogue_file_is_harvested_without_network(folder: Path, tmp_path: Path) -> None:
    stand_in = standard_stand_in(folder)
    path = tmp_path / "catalogue.ttl"
    path.write_text(stand_in.catalogs["cat.ttl"][1][1], encoding="utf-8")
    h = harvester(folder, "http://127.0.0.1:9")  # nothing listens there
    report = h.run(h.parts_for(catalogs=[str(path)]))
    assert report.ok and set(snapshot(folder)) == {"https://portal.example.org/ds/pistes"}


# -- territories ---------------------------------------------------------------------------------------

def test_acv_territories_are_the_communes_and_their_parents() -> None:
    zones = resolve("acv", DATA)
    communes = [z for z in zones if z.startswith("fr:commune:")]
    assert len(communes) == 244 == len(set(communes))
    assert f"fr:epci:{EPCI}" in zones and f"fr:departement:{DEP}" in zones and f"fr:region:{REG}" in zones
    assert len(zones) == len(set(zones))


def test_territory_codes_and_files(tmp_path: Path) -> None:
    assert resolve(f"commune:{COMMUNE},{EPCI},departement:{DEP}", DATA) == \
        [f"fr:commune:{COMMUNE}", f"fr:epci:{EPCI}", f"fr:departement:{DEP}"]
    listing = tmp_path / "codes.txt"
    listing.write_text(f"# ACV\n{COMMUNE}\nregion:{REG}\nregion:99\n", encoding="utf-8")
    with pytest.raises(TerritoryError, match=r"codes\.txt:4: region '99' is not in the COG"):
        resolve(str(listing), DATA)
    with pytest.raises(TerritoryError, match="ambiguous"):
        resolve("35", DATA)


def test_cli_bad_input_exits_2() -> None:
    for args, message in ((["--territories", "35"], "ambiguous"), ([], "name what to harvest"),
                          (["--catalog", "/nonexistent/cat.ttl"], "neither a URL nor an existing file"),
                          (["--territories", "acv", "--base-url", "ftp://x"], "not an http(s) URL")):
        result = odl_graph_cli("harvest", *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr, result.stderr


# -- mapping -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def context() -> mapping.Context:
    return HarvestImporter().context(DATA)


def test_mapping_of_records(folder: Path, context: mapping.Context) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        h.run(h.parts_for([f"fr:commune:{COMMUNE}"]))
    mapped = mapping.to_graph(read_records(folder / "harvest" / "snapshot.jsonl"), context)
    g = mapped.graph
    irve = iris.resource("dataset", "datagouv-ds-irve")
    council = iris.body(commune_siren(DATA, COMMUNE))
    assert (irve, RDF.type, DCAT.Dataset) in g and (irve, RDF.type, ODL.Dataset) not in g
    assert (irve, DCTERMS.title, Literal("Bornes de recharge de Vitré", lang="fr")) in g
    assert (irve, DCTERMS.spatial, iris.commune(COMMUNE)) in g
    # an ACV town council is described by the bodies import: the harvest links to it, no more
    assert (irve, DCTERMS.publisher, council) in g and council == context.actors[commune_siren(DATA, COMMUNE)]
    assert (council, ODL.actorCategory, None) not in g and (council, RDFS.label, None) not in g
    assert (council, RDFS.seeAlso, None) in g
    assert (irve, DCTERMS.conformsTo, iris.standard("etalab/schema-irve-statique")) in g
    assert (irve, ODL.instantiates, iris.resource("datacategory", "bornes-irve")) in g
    assert (irve, ODL.opennessStatus, iris.concept("openness", "open")) in g
    # its licence from the record; a record that names none says the licence is unknown (docs/licence.md)
    assert (irve, DCTERMS.license, None) in g and (irve, ODL.unknownValueOf, DCTERMS.license) not in g
    records = read_records(folder / "harvest" / "snapshot.jsonl")
    bare = [{**r, "license": None} for r in records if r.get("id") == "ds-irve"]
    unlicensed = mapping.to_graph(bare, context).graph
    assert bare and (irve, ODL.unknownValueOf, DCTERMS.license) in unlicensed
    assert (irve, DCTERMS.license, None) not in unlicensed
    # the observatory's actor is reused, not described again
    covoit = iris.resource("dataset", "datagouv-ds-covoit")
    known = iris.body(observatory_siren(DATA))
    assert (covoit, DCTERMS.publisher, known) in g and (known, ODL.actorCategory, None) not in g
    assert (covoit, ODL.instantiates, iris.resource("datacategory", "lieux-covoiturage")) in g  # by rule
    nodesc = iris.resource("dataset", "datagouv-ds-nodesc")  # no description: reported and left out
    assert (nodesc, None, None) not in g
    assert mapped.warnings["dataset without description (left out: DCAT-AP mandatory)"] == 1
    national = iris.resource("dataset", "datagouv-ds-national")
    assert set(g.objects(national, DCTERMS.spatial)) == {iris.resource("territory", "france")}
    assert mapped.warnings["zone not in the COG (fr:iris)"] == 1
    assert (national, RDFS.label, Literal("Jeu national", lang="en")) in g
    # the build prints them as source-check notes (issue 19: no record dropped silently)
    notes = {(n.action, n.message) for n in warning_notes(folder / "harvest" / "snapshot.jsonl", mapped.warnings)}
    assert ("left out", "1 record(s): dataset without description (left out: DCAT-AP mandatory)") in notes
    assert ("not joined", "1 record(s): zone not in the COG (fr:iris)") in notes


def test_no_snapshot_is_an_empty_graph(tmp_path: Path) -> None:
    assert len(HarvestImporter().to_graph(data_dir(tmp_path))) == 0


def test_a_bad_rule_names_its_cell(folder: Path) -> None:
    rules = folder / "harvest" / "category-rules.csv"
    lines = rules.read_text(encoding="utf-8").splitlines()
    lines.append("tag,^x$,no-such-category,because")
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=rf"category-rules\.csv:{len(lines)}:3: .*'no-such-category'"):
        HarvestImporter().context(folder)


@pytest.mark.slow
def test_a_harvested_snapshot_builds_into_its_graph(folder: Path, tmp_path: Path) -> None:
    with serve(standard_stand_in(folder)) as api:
        h = harvester(folder, api.url)
        h.run(h.parts_for([f"fr:commune:{COMMUNE}"], catalogs=[api.url + "/catalog/cat.ttl"]))
    store = tmp_path / "store"
    result = odl_graph_cli("--store", str(store), "build", env={"ODL_DATA_DIR": str(folder)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    from odl_graph.stores import EmbeddedStore

    s = EmbeddedStore(store)
    graph = str(iris.graph("import", "harvest"))
    rows = list(s.query(f"""PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX odl: <{iris.TERMS}>
        SELECT ?d ?pub ?place ?cat ?status WHERE {{ GRAPH <{graph}> {{
          ?d a dcat:Dataset ; dct:publisher ?pub ; dct:spatial ?place ; odl:instantiates ?cat ;
             odl:opennessStatus ?status }} }}"""))
    found = {(r["d"].value, r["pub"].value, r["place"].value, r["cat"].value, r["status"].value) for r in rows}
    council = str(iris.body(commune_siren(DATA, COMMUNE)))
    assert (str(iris.resource("dataset", "datagouv-ds-irve")), council, str(iris.commune(COMMUNE)),
            str(iris.resource("datacategory", "bornes-irve")), str(iris.concept("openness", "open"))) in found
    arbres = mapping.dataset_iri({"source": "dcat", "id": "arbres-vitre"})
    assert (str(arbres), council, str(iris.commune(COMMUNE)), str(iris.resource("datacategory", "inventaire-arbres")),
            str(iris.concept("openness", "open"))) in found
    meta = list(s.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?src WHERE {{ GRAPH ?m {{ <{graph}> prov:wasDerivedFrom ?src }} }}"""))
    assert any(r["src"].value.endswith("harvest/snapshot.jsonl") for r in meta)


def test_the_synthetic_snapshot_is_in_the_snapshot_format(tmp_path: Path, context: mapping.Context) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic_harvest

    out = tmp_path / "snapshot.jsonl"
    assert synthetic_harvest.main(["--count", "400", "--out", str(out)]) == 0
    records = list(read_records(out))
    assert len(records) == 400 and records == list(read_records(out))  # deterministic order
    assert synthetic_harvest.records(400, 10) == synthetic_harvest.records(400, 10)
    g = mapping.to_graph(records, context).graph
    communes = {o for o in g.objects(None, DCTERMS.spatial) if str(o).startswith(str(iris.resource("commune", "")))}
    # the first datasets go one to a territory, communes first; those without a description are left out
    described = [r for r in records if r.get("description")]
    assert 0 < len(described) < 400 and len(communes) == len(described)
    assert set(g.subjects(ODL.instantiates, None))  # some reach a data category, by schema or by rule
    cats = {str(c).rsplit("/", 1)[-1] for c in g.objects(None, ODL.instantiates)}
    assert cats <= context.categories


def test_a_council_no_other_source_describes_is_minted_from_the_cog(context: mapping.Context) -> None:
    siren, insee = next((s, c) for s, c in sorted(context.commune_by_siren.items()) if s not in context.actors)
    record = {"source": "datagouv", "id": "abc", "title": "Jeu", "description": "Un jeu.",
              "zones": [f"fr:commune:{insee}"], "tags": [],
              "resources": [], "page": "https://www.data.gouv.fr/fr/datasets/abc/", "fetched_from": "x",
              "organization": {"id": "o", "name": "Mairie", "siren": siren, "badges": [],
                               "page": "https://www.data.gouv.fr/fr/organizations/o/", "url": None}}
    g = mapping.to_graph([record], context).graph
    council = iris.body(siren)
    assert (mapping.dataset_iri(record), DCTERMS.publisher, council) in g
    assert (council, ODL.actorCategory, iris.concept("actor-category", "commune")) in g
    assert (council, ODL.competentFor, iris.commune(insee)) in g
    assert (council, ODL.siren, Literal(siren)) in g
    assert set(g.objects(council, RDFS.label)) == {Literal("Mairie", lang="fr"), Literal("Mairie", lang="en")}


def test_a_publisher_no_source_qualifies_has_an_unknown_category(context: mapping.Context) -> None:
    record = {"source": "dcat", "id": "x", "title": "Jeu", "description": "Un jeu.", "zones": [], "resources": [],
              "tags": [],
              "organization": {"id": "https://portal.example.org/org/anon", "name": "Un organisme", "siren": None,
                               "badges": [], "page": "https://portal.example.org/org/anon", "url": None},
              "page": "https://portal.example.org/ds/x", "fetched_from": "https://portal.example.org/catalog"}
    mapped = mapping.to_graph([record], context)
    g = mapped.graph
    publisher = g.value(mapping.dataset_iri(record), DCTERMS.publisher)
    assert (publisher, ODL.unknownValueOf, ODL.actorCategory) in g
    assert (publisher, ODL.actorCategory, None) not in g
    assert mapped.warnings["publisher without SIREN"] == 1


def test_cli_harvest_exit_codes(tmp_path: Path) -> None:
    folder = data_dir(tmp_path)
    env = {"ODL_DATA_DIR": str(folder), "ODL_HARVEST_MIN_INTERVAL": "0", "ODL_HARVEST_RETRIES": "1",
           "ODL_HARVEST_BACKOFF": "0.01"}
    with serve(standard_stand_in(folder)) as api:
        ok = odl_graph_cli("harvest", "--territories", f"epci:{EPCI}", "--base-url", api.url + "/api/1/", env=env)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "datasets in the snapshot" in ok.stdout
        bad = odl_graph_cli("harvest", "--territories", "commune:35238", "--base-url", api.url + "/api/1/", env=env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "failed:" in bad.stdout and "HTTP 500" in bad.stdout
    assert "ds-epci" in snapshot(folder)
