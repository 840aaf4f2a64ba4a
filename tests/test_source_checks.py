"""Source checks at import: car-pool places whose commune code is not the commune their row names are
corrected by name and département or left out with a note naming the row; the observatory's 2022
records take the October 2022 export's counts and ACV flag, never the shifted April `nb_datagouv`.

Expected values were read by hand from the shipped files (data/sources/), independently of the importers.
"""

from __future__ import annotations

import csv
import filecmp
import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

from odl_graph import iris
from odl_graph.build.importers.bnlc import records_iri
from odl_graph.build.importers.commune_match import CommuneIndex
from odl_graph.build.importers.observatory2022 import OCTOBER, record_iri
from odl_graph.build.registry import IMPORTERS
from odl_graph.config import PROJECT_ROOT, load_settings
from odl_graph.namespace import ODL

DATA = PROJECT_ROOT / "data"
SRC = DATA / "sources"
SHARED = Path(load_settings()["shared_dir"])


@pytest.fixture(scope="module")
def index() -> CommuneIndex:
    return CommuneIndex(DATA)


@pytest.fixture(scope="module")
def bnlc() -> Graph:
    return IMPORTERS["bnlc"].to_graph(DATA)


@pytest.fixture(scope="module")
def obs2022() -> Graph:
    return IMPORTERS["observatory2022"].to_graph(DATA)


def places(g: Graph, insee: str) -> int:
    return sum(int(g.value(r, ODL.recordCount)) for r in g.subjects(DCTERMS.spatial, iris.commune(insee)))


# -- the commune check ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "name", "action", "result"), [
    ("62160", "AIX-NOULETTE", "corrected", "62019"),  # a postal code that is Boulogne-sur-Mer's INSEE code
    ("91220", "BRETIGNY-SUR-ORGE", "corrected", "91103"),  # a postal code that is no commune
    ("69152", "Pierre-Bénite", "corrected", "69149"),  # merged into Oullins-Pierre-Bénite
    ("59242", "TEMPLEUVE", "corrected", "59586"),  # postal code of Templeuve-en-Pévèle, INSEE of Fontaine-au-Bois
    ("42218", "ST ETIENNE", "agrees", "42218"),  # abbreviation spelt out, accents folded
    ("17219", "MARENNES", "kept", "17219"),  # merged into Marennes-Hiers-Brouage, which kept the code
    ("68355", "Waldighofen", "kept", "68355"),  # a typo of Waldighoffen
    ("59640", "PETITE-SYNTHE", "left out", None),  # a part of Dunkerque coded with its postal code
    ("17999", "Vergne", "left out", None),  # La Vergne and Vergné: two communes of Charente-Maritime
    ("50503", "ST LO D OURVILLE", "left out", None),  # not Saint-Lô, whose name it contains
])
def test_commune_match(index: CommuneIndex, code: str, name: str, action: str, result: str | None) -> None:
    match = index.match(code, name)
    assert (match.action, match.code) == (action, result), match.reason
    if action != "agrees":
        assert name in match.reason


def test_boulogne_gets_no_place_of_aix_noulette(bnlc: Graph) -> None:
    """The place `62160-C-001` (Aix-Noulette, coded 62160) counts for Aix-Noulette, not Boulogne-sur-Mer."""
    assert places(bnlc, "62160") == 0
    assert places(bnlc, "62019") >= 1
    assert (records_iri("62160", ""), None, None) not in bnlc


def test_bretigny_gets_its_place_coded_91220(bnlc: Graph) -> None:
    node = records_iri("91103", "229102280")
    assert int(bnlc.value(node, ODL.recordCount)) == 1
    assert int(bnlc.value(node, ODL.capacity)) == 6


def test_every_place_is_counted_or_reported(bnlc: Graph) -> None:
    """No place disappears silently: places counted in the graph + places left out = rows of the file."""
    with open(SRC / "bnlc" / "bnlc-.csv", encoding="utf-8-sig", newline="") as f:
        source = list(csv.DictReader(f))
    notes = IMPORTERS["bnlc"].notes(DATA)
    left_out = [n for n in notes if n.action == "left out"]
    counted = sum(int(o) for o in bnlc.objects(None, ODL.recordCount))
    assert counted + len(left_out) == len(source)
    corrected = [n for n in notes if n.action == "corrected"]
    assert len(corrected) >= 80 and 30 <= len(left_out) <= 45
    # each note names the row: file:line:column and the place's id
    by_line = {n.location.line: n for n in notes}
    line = next(i + 2 for i, r in enumerate(source) if r["id_lieu"] == "62160-C-001")
    assert "62160-C-001" in by_line[line].message and by_line[line].action == "corrected"
    assert by_line[line].location.path.endswith("bnlc-.csv")


# -- the observatory, October 2022 ---------------------------------------------------------------------

@pytest.mark.parametrize(("siren", "count"), [("243500741", 8), ("214700015", 68)])
def test_datagouv_counts_come_from_october(obs2022: Graph, siren: str, count: int) -> None:
    """CA Redon Agglomération reads 1 and Agen nothing in the shifted April column; October has 8 and 68."""
    assert int(obs2022.value(record_iri(siren, 2022), ODL.dataGouvCount)) == count


def test_every_count_and_flag_follows_the_october_file(obs2022: Graph) -> None:
    with open(SRC / "observatory2022" / OCTOBER, encoding="utf-8-sig", newline="") as f:
        source = {r["siren"].strip(): r for r in csv.DictReader(f)}
    got = {s: int(obs2022.value(s, ODL.dataGouvCount)) for s in obs2022.subjects(ODL.dataGouvCount, None)}
    want = {record_iri(s, 2022): int(r["nb-datagouv"]) for s, r in source.items() if r["nb-datagouv"].strip()}
    assert got == want
    flags = {str(o) for o in obs2022.objects(None, ODL.acvFlag)}
    assert flags == {"OUI", "VILLE"}
    assert sum(1 for _ in obs2022.subject_objects(ODL.acvFlag)) == 43 + 48
    assert str(obs2022.value(record_iri("214700015", 2022), ODL.acvFlag)) == "OUI"
    assert str(obs2022.value(record_iri("243500741", 2022), ODL.acvFlag)) == "VILLE"


def test_observatory_bodies_that_join_no_territory_are_reported() -> None:
    notes = IMPORTERS["bodies"].notes(DATA)
    assert all(n.action == "not joined" for n in notes)
    assert any("245300330" in n.message for n in notes)  # CA de Laval: its SIREN is not the COG 2026 EPCI's


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared raw sources not available")
@pytest.mark.parametrize("name", ["observatory2022", "bnlc"])
def test_refresh_reproduces_shipped_extracts(tmp_path: Path, name: str) -> None:
    """`odl-graph import NAME` copies exactly what is shipped, October export included."""
    written = IMPORTERS[name].refresh(SHARED, tmp_path)
    shipped = sorted(p.relative_to(SRC / name) for p in (SRC / name).rglob("*") if p.is_file())
    assert sorted(p.relative_to(tmp_path / "sources" / name) for p in written) == shipped
    for rel in shipped:
        assert filecmp.cmp(SRC / name / rel, tmp_path / "sources" / name / rel, shallow=False), rel


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared raw sources not available")
def test_import_prints_the_rows_it_corrected_or_left_out(tmp_path: Path) -> None:
    from conftest import odl_graph_cli

    shutil.copytree(SRC / "cog", tmp_path / "sources" / "cog")
    result = odl_graph_cli("import", "bnlc", env={"ODL_DATA_DIR": str(tmp_path), "ODL_SHARED_DIR": str(SHARED)})
    assert result.returncode == 0, result.stderr
    assert "62160-C-001" in result.stdout and "Aix-Noulette (62019)" in result.stdout
    assert "source checks, bnlc:" in result.stdout and "row(s) corrected" in result.stdout
    assert "row(s) left out" in result.stdout


# -- what a town reads (the shipped build) -------------------------------------------------------------

def _car_pool_line(t, insee: str):
    from odl_graph.analyses import diagnostic as dg

    d = dg.diagnose_pair(t, t.resolve_commune(insee), t.resolve_usecase("suggerer-aires-covoiturage"))
    (line,) = [ln for ln in [*d.lines, *d.useful] if ln.category.endswith("/lieux-covoiturage")]
    return line


def test_boulogne_is_not_ready_through_aix_noulette_and_bretigny_is_not_absent(shipped_store) -> None:
    """Boulogne-sur-Mer (62160) had the place of Aix-Noulette coded with its postal code; Brétigny-sur-Orge
    (91103) was "verified absent" because its one place is coded 91220 (data/sources/bnlc/bnlc-.csv)."""
    from odl_graph.analyses import tables as tb

    t = tb.tables(shipped_store)
    boulogne = _car_pool_line(t, "62160")
    assert boulogne.evidence != "local-records" and not boulogne.records
    bretigny = _car_pool_line(t, "91103")
    assert bretigny.evidence == "local-records"
    assert [(r["count"], r["capacity"], r["producer"]["siren"]) for r in bretigny.records] == [(1, 6, "229102280")]


def test_acv_codes_agree_with_their_commune_names(tmp_path: Path) -> None:
    """The three ACV lists are keyed by INSEE code; a code that names another commune would be reported."""
    assert IMPORTERS["acv"].notes(DATA) == []
    shutil.copytree(SRC / "cog", tmp_path / "sources" / "cog")
    shutil.copytree(SRC / "acv", tmp_path / "sources" / "acv")
    path = tmp_path / "sources" / "acv" / "acv_villes_2018.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("01004,Ambérieu-en-Bugey,", "01004,Oyonnax,", 1), encoding="utf-8")
    (note,) = IMPORTERS["acv"].notes(tmp_path)
    assert (note.action, note.location.line) == ("name differs", 2)
    assert "'Oyonnax' is Oyonnax" in note.message and "Ambérieu-en-Bugey (01004)" in note.message


def test_observatory_2021_bodies_that_join_no_territory_are_reported() -> None:
    """docs/importers.md's table: 6 COM, 8 EPCI, 3 DEP and 1 REG of the 2021 observatory link to no COG territory."""
    notes = IMPORTERS["observatory"].notes(DATA)
    kinds = [n.message.split("(type ", 1)[1].split(",", 1)[0] for n in notes]
    assert sorted(kinds) == sorted(["COM"] * 6 + ["CA"] * 4 + ["CC"] * 3 + ["DEP"] * 3 + ["MET", "REG"])
    assert all(n.action == "not joined" and n.location.path.endswith("odater_organisations.csv") for n in notes)
