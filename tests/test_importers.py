"""Importers of the real sources: counts equal the shipped files (read here independently with csv/json),
references resolve, SCDL fields survive the trip to RDF, and a malformed cell is reported at file:line:column."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import rdflib.namespace as rns
from rdflib import RDF, Graph, Literal

from odl_graph import iris
from odl_graph.build.importers.scdl import enum_text, field_iri, standard_id
from odl_graph.build.registry import IMPORTERS
from odl_graph.config import PROJECT_ROOT, load_settings
from odl_graph.errors import SourceError
from odl_graph.namespace import ODL

DATA = PROJECT_ROOT / "data"
SRC = DATA / "sources"


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def cog() -> Graph:
    return IMPORTERS["cog"].to_graph(DATA)


@pytest.fixture(scope="module")
def acv() -> Graph:
    return IMPORTERS["acv"].to_graph(DATA)


@pytest.fixture(scope="module")
def scdl() -> Graph:
    return IMPORTERS["scdl"].to_graph(DATA)


@pytest.fixture(scope="module")
def observatory() -> Graph:
    return IMPORTERS["observatory"].to_graph(DATA)


def test_registry_names_and_sources() -> None:
    assert list(IMPORTERS) == ["cog", "acv", "scdl", "observatory", "observatory2022", "bnlc", "collectivites",
                              "bodies", "mappings", "harvest"]
    for name, imp in IMPORTERS.items():
        assert imp.name == name
        files = imp.sources(DATA)
        assert files, name
        for path in files:
            assert path.is_file(), path
            # the harvest reads its snapshot and rules in data/harvest (tests/test_harvest.py)
            harvested = name == "harvest" and DATA in path.parents
            assert SRC in path.parents or path.parent == DATA / "mappings" or harvested, path


# -- COG --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "cls"), [
    ("communes.csv", ODL.Commune), ("epci.csv", ODL.EPCI),
    ("departements.csv", ODL.Departement), ("regions.csv", ODL.Region),
])
def test_cog_counts_equal_source_rows(cog: Graph, file: str, cls) -> None:
    codes = {r["code"] for r in rows(SRC / "cog" / file)}
    subjects = set(cog.subjects(RDF.type, cls))
    assert len(subjects) == len(rows(SRC / "cog" / file))
    kind = {ODL.Commune: "commune", ODL.EPCI: "epci", ODL.Departement: "departement", ODL.Region: "region"}[cls]
    assert subjects == {iris.resource(kind, c) for c in codes}


def test_cog_known_totals(cog: Graph) -> None:
    """The COG 2026 totals stated in the shared SOURCES.md."""
    assert len(set(cog.subjects(RDF.type, ODL.Commune))) == 34969
    assert len(set(cog.subjects(RDF.type, ODL.EPCI))) == 1255
    communes = set(cog.subjects(RDF.type, ODL.Commune))
    assert len(communes - set(cog.subjects(ODL.inEPCI, None))) == 98


def test_every_commune_reference_resolves(cog: Graph) -> None:
    expected = {ODL.inDepartement: ODL.Departement, ODL.inRegion: ODL.Region, ODL.inEPCI: ODL.EPCI}
    source = {r["code"]: r for r in rows(SRC / "cog" / "communes.csv")}
    for commune in cog.subjects(RDF.type, ODL.Commune):
        code = str(commune).rsplit("/", 1)[1]
        for prop, cls in expected.items():
            targets = list(cog.objects(commune, prop))
            if prop == ODL.inEPCI and not source[code]["epci"]:
                assert targets == []
                continue
            assert len(targets) == 1, (commune, prop)
            assert (targets[0], RDF.type, cls) in cog, (commune, prop, targets[0])


def test_commune_values_follow_the_source(cog: Graph) -> None:
    for r in rows(SRC / "cog" / "communes.csv")[::500]:
        c = iris.commune(r["code"])
        assert (c, ODL.inDepartement, iris.departement(r["departement"])) in cog
        pops = list(cog.objects(c, ODL.population))
        assert pops == ([Literal(int(r["population"]), datatype=rns.XSD.integer)] if r["population"] else [])
        sirens = [str(s) for s in cog.objects(c, ODL.siren)]
        assert sirens == ([r["siren"]] if r["siren"] else [])
        labels = {(str(lit), lit.language) for lit in cog.objects(c, rns.RDFS.label)}
        assert labels == {(r["nom"], "fr"), (r["nom"], "en")}


# -- ACV --------------------------------------------------------------------------------------------

def test_acv_members_and_2018_flags(acv: Graph) -> None:
    members = {iris.commune(r["insee_com"]) for r in rows(SRC / "acv" / "acv_communes_2025.csv")}
    flagged = {iris.commune(r["insee_com"]) for r in rows(SRC / "acv" / "acv_villes_2018.csv")}
    programme = iris.resource("programme", "action-coeur-de-ville")
    assert set(acv.subjects(ODL.memberOf, programme)) == members
    assert len(members) == 244
    assert set(acv.subjects(ODL.acv2018, Literal(True, datatype=rns.XSD.boolean))) == flagged
    assert len(flagged) == 222
    assert (programme, RDF.type, ODL.Programme) in acv
    assert (programme, rns.DCTERMS.source, None) in acv


def test_acv_ids_centroids_and_signatures(acv: Graph) -> None:
    members = {r["insee_com"]: r for r in rows(SRC / "acv" / "acv_communes_2025.csv")}
    for code, r in members.items():
        c = iris.commune(code)
        assert list(acv.objects(c, ODL.acvId)) == [Literal(r["id_acv"])]
        (wkt,) = acv.objects(c, rns.DCAT.centroid)
        assert str(wkt) == f"POINT({r['longitude']} {r['latitude']})"
    signed = 0
    for r in rows(SRC / "acv" / "acv_communes_2024.csv"):
        c = iris.commune(r["insee_com"])
        dates = list(acv.objects(c, ODL.conventionSigned))
        if r["date_signature"] and r["insee_com"] in members:
            signed += 1
            assert dates == [Literal(dt.datetime.strptime(r["date_signature"], "%d/%m/%Y").date(),
                                     datatype=rns.XSD.date)]
        else:
            assert dates == []
    assert signed == len(set(acv.subjects(ODL.conventionSigned, None)))


def test_acv_communes_exist_in_cog(acv: Graph, cog: Graph) -> None:
    communes = set(cog.subjects(RDF.type, ODL.Commune))
    touched = set(acv.subjects(ODL.memberOf, None)) | set(acv.subjects(ODL.acv2018, None))
    assert touched <= communes


# -- SCDL -------------------------------------------------------------------------------------------

def test_scdl_standards_cover_index_and_catalogue(scdl: Graph) -> None:
    index = [r["id"] for r in rows(SRC / "scdl" / "schemas-index.csv")]
    catalogue = [s["name"] for s in json.loads((SRC / "scdl/catalogue/schemas.json").read_text())["schemas"]]
    scdl_ids = [s["name"] for s in json.loads((SRC / "scdl/catalogue/schemas-scdl.json").read_text())["schemas"]]
    standards = set(scdl.subjects(RDF.type, ODL.Standard))
    assert standards == {iris.standard(standard_id(i)) for i in set(index) | set(catalogue)}
    assert len(standards) >= 93
    flagged = set(scdl.subjects(ODL.isSCDL, Literal(True, datatype=rns.XSD.boolean)))
    assert flagged == {iris.standard(i) for i in scdl_ids}
    assert len(flagged) == 14


def _field_specs() -> list[tuple[str, str]]:
    return [(r["id"], f) for r in rows(SRC / "scdl" / "schemas-index.csv") if r["type"] == "tableschema"
            for f in r["fichiers"].split(";") if f.endswith(".json")]


def test_scdl_table_schema_fields_round_trip(scdl: Graph) -> None:
    """Names, verbatim types, required flags and enum values come back exactly from the graph."""
    checked = 0
    for sid, rel in _field_specs():
        std = iris.standard(standard_id(sid))
        schema = json.loads((SRC / rel).read_text(encoding="utf-8"))
        fields = list(scdl.objects(std, ODL.hasField))
        assert len(fields) == len(schema["fields"]), sid
        for pos, f in enumerate(schema["fields"], start=1):
            node = field_iri(std, f["name"])
            assert (std, ODL.hasField, node) in scdl
            assert list(scdl.objects(node, ODL.fieldName)) == [Literal(f["name"])]
            assert [int(x) for x in scdl.objects(node, ODL.fieldPosition)] == [pos]
            types = [str(x) for x in scdl.objects(node, ODL.fieldType)]
            assert types == ([f["type"]] if "type" in f else []), (sid, f["name"])
            constraints = f.get("constraints", {})
            required = [x.toPython() for x in scdl.objects(node, ODL.fieldRequired)]
            assert required == [constraints.get("required", False)], (sid, f["name"])
            enum = {str(x) for x in scdl.objects(node, ODL.fieldEnum)}
            assert enum == {enum_text(v) for v in constraints.get("enum", [])}, (sid, f["name"])
            checked += 1
    assert checked > 1000


def test_scdl_conforming_resources_follow_stats(scdl: Graph) -> None:
    refs = json.loads((SRC / "scdl/catalogue/stats.json").read_text())["references"]
    for sid, ref in refs.items():
        assert [int(x) for x in scdl.objects(iris.standard(sid), ODL.conformingResources)] == [
            ref["dgv_resources"]
        ], sid


def test_scdl_datapackage_parts(scdl: Graph) -> None:
    parts = {str(o) for o in scdl.objects(iris.standard("etalab/schema-irve"), rns.DCTERMS.hasPart)}
    assert parts == {str(iris.standard("etalab/schema-irve-statique")),
                     str(iris.standard("etalab/schema-irve-dynamique"))}


# -- Observatory ------------------------------------------------------------------------------------

def test_observatory_actors(observatory: Graph, cog: Graph) -> None:
    src = rows(SRC / "observatory" / "odater_organisations.csv")
    assert len(src) == 763
    sirens = {r["siren"].replace("\u200e", "").strip() for r in src}
    actors = set(observatory.subjects(RDF.type, ODL.Actor))
    assert actors == {iris.resource("actor", f"siren-{s}") for s in sirens}
    territories = {s for s, _ in cog.subject_objects(RDF.type)}
    for actor, territory in observatory.subject_objects(ODL.competentFor):
        assert territory in territories, (actor, territory)
    commune_sirens = {r["siren"] for r in rows(SRC / "cog" / "communes.csv") if r["siren"]}
    linked_com = {r["siren"] for r in src if r["type"] == "COM" and r["siren"] in commune_sirens}
    competent = {str(s).rsplit("siren-", 1)[1] for s, o in observatory.subject_objects(ODL.competentFor)
                 if "/id/commune/" in str(o)}
    assert competent == linked_com
    for actor in actors:
        assert len(list(observatory.objects(actor, ODL.actorCategory))) == 1


# -- bad input --------------------------------------------------------------------------------------

def _copy_sources(tmp_path: Path, names: list[str]) -> Path:
    for name in names:
        shutil.copytree(SRC / name, tmp_path / "sources" / name)
    return tmp_path


def _corrupt(path: Path, line: int, column: str, value: str) -> int:
    """Rewrite one cell of a CSV; returns its 1-based column index."""
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    col = table[0].index(column)
    table[line - 1][col] = value
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    return col + 1


@pytest.mark.parametrize(("importer", "needs", "file", "line", "column", "value", "message"), [
    ("cog", ["cog"], "cog/communes.csv", 3, "code", "1A002", "not a valid commune INSEE code"),
    ("cog", ["cog"], "cog/communes.csv", 5, "population", "12a", "not an integer"),
    ("cog", ["cog"], "cog/communes.csv", 4, "departement", "99", "not a département"),
    ("acv", ["cog", "acv"], "acv/acv_communes_2024.csv", 7, "date_signature", "31/02/2018", "not a date"),
    ("acv", ["cog", "acv"], "acv/acv_villes_2018.csv", 10, "insee_com", "99999", "not a commune of the COG"),
    ("observatory", ["cog", "observatory"], "observatory/odater_organisations.csv", 12, "siren", "21350001",
     "not a valid SIREN"),
    ("observatory", ["cog", "observatory"], "observatory/odater_organisations.csv", 20, "nb-ptf", "x",
     "not an integer"),
    ("scdl", ["scdl"], "scdl/schemas-index.csv", 6, "type", "csv", "not one of"),
])
def test_malformed_cell_names_file_line_column(tmp_path: Path, importer: str, needs: list[str], file: str,
                                               line: int, column: str, value: str, message: str) -> None:
    data_dir = _copy_sources(tmp_path, needs)
    target = data_dir / "sources" / file
    col = _corrupt(target, line, column, value)
    with pytest.raises(SourceError) as info:
        IMPORTERS[importer].to_graph(data_dir)
    err = info.value
    assert (err.location.path, err.location.line, err.location.column) == (str(target), line, col)
    assert message in err.message
    assert str(err).startswith(f"{target}:{line}:{col}:")


def test_malformed_schema_json_is_located(tmp_path: Path) -> None:
    data_dir = _copy_sources(tmp_path, ["scdl"])
    target = data_dir / "sources/scdl/schemas/scdl/prenoms/1.1.6/schema.json"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('"fields"', '"fields" ::', 1), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        IMPORTERS["scdl"].to_graph(data_dir)
    loc = info.value.location
    assert loc.path == str(target)
    assert loc.line == text[: text.index('"fields"')].count("\n") + 1
    assert loc.column is not None


def test_schema_field_without_name_is_reported(tmp_path: Path) -> None:
    data_dir = _copy_sources(tmp_path, ["scdl"])
    target = data_dir / "sources/scdl/schemas/scdl/prenoms/1.1.6/schema.json"
    schema = json.loads(target.read_text(encoding="utf-8"))
    del schema["fields"][2]["name"]
    target.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(SourceError, match=r"/fields/2: a field needs a non-empty string 'name'"):
        IMPORTERS["scdl"].to_graph(data_dir)


# -- refresh ----------------------------------------------------------------------------------------

SHARED = Path(load_settings()["shared_dir"])


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared raw sources not available")
@pytest.mark.parametrize("name", ["acv", "scdl", "observatory", "cog", "collectivites"])
def test_refresh_reproduces_shipped_extracts(tmp_path: Path, name: str) -> None:
    written = IMPORTERS[name].refresh(SHARED, tmp_path)
    assert set(IMPORTERS[name].sources(tmp_path)) >= {p for p in written if p.suffix != ".md"}
    shipped = sorted(p.relative_to(SRC / name) for p in (SRC / name).rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path / "sources" / name) for p in written)
    assert fresh == shipped
    for rel in shipped:
        assert filecmp.cmp(SRC / name / rel, tmp_path / "sources" / name / rel, shallow=False), rel


def test_observatory_keeps_both_dataset_counts(observatory: Graph) -> None:
    """Own-platform and data.gouv.fr counts are two properties: neither is dropped when a row has both."""
    source = rows(DATA / "sources" / "observatory" / "odater_organisations.csv")

    def first(col: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in source:
            siren = "".join(ch for ch in r["siren"] if ch.isdigit())
            if r[col].strip() and siren not in out:
                out[siren] = int(float(r[col]))
        return out

    for prop, col in ((ODL.datasetCount, "nb-ptf"), (ODL.dataGouvDatasetCount, "nb-datagouv")):
        got = {str(observatory.value(s, ODL.siren)): int(o) for s, o in observatory.subject_objects(prop)}
        assert got == first(col), prop
    both = [s for s in observatory.subjects(ODL.datasetCount, None) if observatory.value(s, ODL.dataGouvDatasetCount)]
    assert len(both) >= 150


# -- collectivites: councils of départements and régions -----------------------------------------------
def _collectivites_copy(tmp_path: Path) -> Path:
    for name in ("collectivites", "cog", "observatory"):
        shutil.copytree(SRC / name, tmp_path / "sources" / name)
    return tmp_path


def test_collectivites_names_every_council_with_its_siren() -> None:
    councils = IMPORTERS["collectivites"].councils(DATA)
    kinds = Counter(c.kind for c in councils)
    assert kinds == {"DEPT": 96, "PARIS": 1, "REG": 14, "CTU": 3}  # the ML row (Lyon, an EPCI) is left out
    by_code = {(c.level, c.code): c for c in councils}
    assert by_code[("departement", "35")].siren == "223500018"
    assert by_code[("region", "94")].labels[0] == "Collectivité territoriale (Corse)"
    assert ("departement", "2A") not in by_code  # its council is the Collectivité de Corse
    g = IMPORTERS["collectivites"].to_graph(DATA)
    assert len(set(g.subject_objects(ODL.competentFor))) == 114


@pytest.mark.parametrize(("old", "new", "column", "message"), [
    ("DEPT,223500018,35,", "DEPT,22350001,35,", 2, "SIREN (9 digits)"),
    ("DEPT,223500018,35,", "DEPT,223500018,99,", 3, "is not a departement code"),
    ("DEPT,223500018,35,", "DEPX,223500018,35,", 1, "is not one of"),
    ("DEPT,223500018,35,", "DEPT,220100010,35,", 2, "already given to Ain"),
])
def test_collectivites_bad_row_stops_at_file_line_column(tmp_path: Path, old: str, new: str, column: int,
                                                         message: str) -> None:
    data = _collectivites_copy(tmp_path)
    path = data / "sources" / "collectivites" / "departements-siren.csv"
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        IMPORTERS["collectivites"].councils(data)
    assert str(err.value).startswith(f"{path}:{line}:{column}:") and message in str(err.value), str(err.value)

