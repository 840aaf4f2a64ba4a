"""The holder by competence (data/curated/competences.csv, odl_graph/analyses/competence.py): bad rows stop
the compiler at file:line:column, and on the shipped graph, over the 244 ACV towns × every data category,
the holders named follow the law the table cites."""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest

from odl_graph.analyses import competence as cp
from odl_graph.analyses import tables as tb
from odl_graph.build.curated import Context, compile_folder
from odl_graph.errors import CuratedDataError
from odl_graph.namespace import ODL
from odl_graph.stores import EmbeddedStore

HEADER = ("data_category,levels,holders,legal_basis_fr,legal_basis_en,legal_sources,open_obligation,obligation_fr,"
          "obligation_en,obligation_sources,note_fr,note_en,sources")
SRC = "https://example.org/page"
CURATED = Path(__file__).resolve().parents[1] / "data" / "curated"
BUS = ("horaires-transports-publics", "positions-temps-reel-bus")


def write(folder: Path, body: str) -> Path:
    path = folder / "competences.csv"
    path.write_text(HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def compile_one(folder: Path):
    (compiled,) = [f for f in compile_folder(folder, Context(licences=frozenset())) if f.name == "competences"]
    return compiled


# -- the compiler -----------------------------------------------------------------------------------
def test_a_row_compiles_to_one_competence_with_its_level_basis_and_obligation(tmp_path: Path) -> None:
    write(tmp_path, f"adresses,commune,,Art. L2121-30,Art. L2121-30,{SRC},yes,Texte,Text,{SRC},,,{SRC}\n")
    g = compile_one(tmp_path).graph
    (rule,) = g.subjects(ODL.competenceCategory, None)
    assert str(rule).endswith("/id/competence/adresses")
    assert str(g.value(rule, ODL.competentLevel)).endswith("/competence-level/commune")
    assert g.value(rule, ODL.openingRequired).toPython() is True
    assert {str(o) for o in g.objects(rule, ODL.legalSource)} == {SRC}


def test_unknown_level_basis_and_obligation_compile_to_stated_unknowns(tmp_path: Path) -> None:
    write(tmp_path, f"friches,?,,?,?,,?,,,,Cherché : rien.,Searched: nothing.,{SRC}\n")
    g = compile_one(tmp_path).graph
    (rule,) = g.subjects(ODL.competenceCategory, None)
    assert set(g.objects(rule, ODL.unknownValueOf)) == {ODL.competentLevel, ODL.legalBasis, ODL.openingRequired}


@pytest.mark.parametrize(("row", "column", "message"), [
    (f"Adresses,commune,,?,?,,?,,,,n,n,{SRC}", 1, "not a slug"),
    (f"adresses,Commune Level,,?,?,,?,,,,n,n,{SRC}", 2, "is not an id"),
    (f"adresses,commune,?,?,?,,?,,,,n,n,{SRC}", 3, "'?' (unknown) is not allowed"),
    (f"adresses,commune;;epci,,?,?,,?,,,,n,n,{SRC}", 2, "empty item"),
    ("adresses,commune,,?,?,,?,,,,n,n", 13, "row has 12 cells, header has 13"),
])
def test_a_bad_cell_stops_at_file_line_column(tmp_path: Path, row: str, column: int, message: str) -> None:
    path = write(tmp_path, f"friches,?,,?,?,,?,,,,n,n,{SRC}\n{row}\n")
    with pytest.raises(CuratedDataError) as err:
        compile_one(tmp_path)
    assert str(err.value).startswith(f"{path}:3:{column}:"), str(err.value)
    assert message in str(err.value)


def test_an_unknown_column_is_named_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "competences.csv"
    path.write_text(HEADER.replace("levels", "level") + "\n", encoding="utf-8")
    with pytest.raises(CuratedDataError) as err:
        compile_one(tmp_path)
    assert str(err.value).startswith(f"{path}:1:2:") and "unknown column 'level'" in str(err.value)


def test_an_obligation_that_is_not_yes_or_no_stays_a_string_for_shacl(tmp_path: Path) -> None:
    write(tmp_path, f"adresses,commune,,?,?,,maybe,,,,n,n,{SRC}\n")
    compiled = compile_one(tmp_path)
    (rule,) = compiled.graph.subjects(ODL.competenceCategory, None)
    value = compiled.graph.value(rule, ODL.openingRequired)
    assert value.datatype is None and str(value) == "maybe"  # SHACL's Datatype violation, at this cell:
    assert compiled.cells[(rule, ODL.openingRequired)] == (2, 7)


def test_the_shipped_table_has_one_row_per_data_category() -> None:
    with (CURATED / "data_categories.csv").open(encoding="utf-8") as f:
        categories = [r["id"] for r in csv.DictReader(f)]
    with (CURATED / "competences.csv").open(encoding="utf-8") as f:
        rows = [r["data_category"] for r in csv.DictReader(f)]
    assert sorted(rows) == sorted(categories) and len(rows) == len(set(rows)) == len(categories)


# -- the shipped graph: 244 ACV towns × every category ------------------------------------------------
@pytest.fixture(scope="module")
def t(shipped_store: EmbeddedStore) -> tb.Tables:
    return tb.tables(shipped_store)


@pytest.fixture(scope="module")
def holdings(t: tb.Tables) -> dict[tuple[str, str], cp.Holding]:
    assert len(t.acv) == 244
    return {(c.iri, cat): cp.holding(t, c, cat) for c in t.acv.values() for cat in cp.competences(t)}


def cat(t: tb.Tables, slug: str) -> str:
    return f"{t.base_iri}id/datacategory/{slug}"


def test_every_category_has_a_rule_with_a_sourced_basis_or_a_stated_unknown(t: tb.Tables) -> None:
    categories = {r["c"].value for r in t._q("SELECT ?c WHERE { ?c a odl:DataCategory }")}
    rules = cp.competences(t)
    assert set(rules) == categories and len(categories) == 69
    for c, rule in rules.items():
        assert rule.sources, c
        if rule.legal_basis_fr:
            assert rule.legal_basis_en and rule.legal_sources, c
        else:
            assert rule.note_fr and rule.note_en, f"{c}: unknown basis without saying what was searched"
            assert "not searched" not in rule.note_en and "no search" not in rule.note_en, f"{c}: never searched"
        if rule.obligation:
            assert rule.obligation_fr and rule.obligation_sources, c


def test_municipal_data_never_names_a_departement_or_region_council(t: tb.Tables, holdings) -> None:
    municipal = {c for c, r in cp.competences(t).items() if "commune" in r.levels
                 and not {"departement", "region"} & set(r.levels)}
    assert {cat(t, s) for s in ("adresses", "lieux-stationnement", "transactions-horodateurs",
                                "controles-stationnement", "autorisations-terrasses")} <= municipal
    wrong = [(town, c, b.label_fr) for (town, c), h in holdings.items() if c in municipal
             for b in h.bodies if b.level in ("departement", "region")]
    assert not wrong
    for (town, c), h in holdings.items():  # and the town itself is named, with its SIREN
        if cp.competences(t)[c].levels == ("commune",):
            assert [b.is_commune for b in h.bodies] == [True] and h.bodies[0].siren, (town, c)


def test_a_ca_cu_or_metropole_is_named_for_bus_and_timetable_data(t: tb.Tables, holdings) -> None:
    """Code des transports L1231-1; in Île-de-France the authority is Île-de-France Mobilités (L1241-1)."""
    index = cp._index(t)
    checked = 0
    for town in t.acv.values():
        kind = index.epci_types.get(town.epci or "")
        if kind not in cp.AOM_BY_LAW:
            continue
        for slug in BUS:
            h = holdings[(town.iri, cat(t, slug))]
            if town.region and town.region.endswith("/region/11"):
                assert [b.label_fr for b in h.bodies] == ["Île-de-France Mobilités"], town.label
            else:
                assert [(b.level, b.siren) for b in h.bodies] == [("epci", town.epci.rsplit("/", 1)[-1])], town
                assert h.certainty == "by-law"
            checked += 1
    assert checked > 300  # most ACV towns are in a CA, CU or métropole


def test_a_communaute_de_communes_gives_the_epci_or_the_region(t: tb.Tables, holdings) -> None:
    index = cp._index(t)
    towns = [c for c in t.acv.values() if index.epci_types.get(c.epci or "") == "CC"
             and not (c.region or "").endswith("/region/11")]
    assert towns
    for town in towns:
        h = holdings[(town.iri, cat(t, "horaires-transports-publics"))]
        assert h.certainty == "either" and [b.level for b in h.bodies] == ["epci", "region"], town.label


def test_no_body_with_a_territorial_remit_is_named_outside_it(t: tb.Tables, holdings) -> None:
    remit: dict[str, set[str]] = {}
    for r in t._q("SELECT ?a ?t WHERE { ?a a odl:Actor ; odl:competentFor ?t }"):
        remit.setdefault(r["a"].value, set()).add(r["t"].value)
    named = 0
    for (town_iri, _c), h in holdings.items():
        town = t.acv[town_iri]
        chain = {town.iri, town.epci, town.departement, town.region, t.national}
        for b in h.bodies:
            if b.iri in remit:
                named += 1
                assert remit[b.iri] & chain, (town.label, b.label_fr, sorted(remit[b.iri]))
    assert named
    # the regional bodies the issue found named everywhere are named nowhere without a stated territory
    everyone = {b.iri for h in holdings.values() for b in h.bodies}
    assert not everyone & {f"{t.base_iri}id/actor/{a}" for a in ("craig", "apur", "agence-eau-loire-bretagne")}


def test_departement_and_region_councils_carry_their_siren(t: tb.Tables) -> None:
    """The SIRENs of collectivites-siren: Ille-et-Vilaine 35 and Bretagne 53 for Redon; the Collectivité de
    Corse, not the former Région Corse of the 2021 observatory, for Ajaccio's département and région."""
    index = cp._index(t)
    redon, ajaccio = t.resolve_commune("35236"), t.resolve_commune("2A004")
    rule = cp.Competence("x", ("departement", "region"), (), "b", "b", ("s",), None, None, None, (), None, None,
                         ("s",), True)
    assert [(b.level, b.siren) for b in cp._bodies(t, index, redon, rule)[0]] == [
        ("departement", "223500018"), ("region", "233500016")]
    assert [b.siren for b in cp._bodies(t, index, ajaccio, rule)[0]] == ["200076958"]
