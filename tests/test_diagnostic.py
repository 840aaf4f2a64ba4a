"""Deployability diagnostic: readiness line by line, roadmap, ranking, priorities.

The hand-checked case runs on a store built from the shipped data (data/curated + the COG and ACV
imports); the others on the small fixture tests/data/analyses/fixture.ttl.
"""

from __future__ import annotations

import pytest
from analyses_support import fixture_store

from odl_graph import diagnostic as dg
from odl_graph.store import EmbeddedStore

ID = "https://w3id.org/odl-graph/id/"


@pytest.fixture(scope="module")
def t(tmp_path_factory: pytest.TempPathFactory) -> dg.Tables:
    return dg.tables(fixture_store(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="module")
def shipped(shipped_store: EmbeddedStore) -> EmbeddedStore:
    """The store `odl-graph build` makes of the shipped data (tests/conftest.py)."""
    return shipped_store


def test_line_by_line_explanation(t: dg.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("11111"), t.resolve_usecase("uc-a"))
    assert (d.score, d.satisfied, d.required, d.ready) == (0.5, 1, 2, False)
    a, b = d.lines
    assert (a.category_label, a.state, a.best.label, a.best.level) == (
        "Catégorie A", "open", "Jeu A national", "national")
    assert (b.state, b.best.label, b.best.status_label, b.best.level) == (
        "not-open", "Jeu B de CA Un", "Candidate à l'ouverture", "epci")
    assert [h["label"] for h in b.best.holders] == ["CA Un"]
    assert "détenue par CA Un" in b.text_fr and "held by CA Un" in b.text_en
    assert [(u.category_label, u.state) for u in d.useful] == [("Catégorie C", "not-open")]


def test_commune_level_open_data_beats_an_epci_candidate(t: dg.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("22222"), t.resolve_usecase("uc-a"))
    assert d.score == 1.0 and d.ready
    assert d.lines[1].best.label == "Jeu B de Deuxville" and d.lines[1].best.level == "commune"


def test_missing_data_names_usual_producers_and_unknown_coverage(t: dg.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("33333"), t.resolve_usecase("uc-c"))
    (line,) = d.lines
    assert line.state == "missing" and line.best is None
    assert [p["label"] for p in line.producers] == ["Enedis"]
    assert [h.label for h in line.coverage_unknown] == ["Jeu D"]
    assert "couverture inconnue" in line.text_fr


def test_commune_outside_acv_is_resolved_through_its_territories(t: dg.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("44444"), t.resolve_usecase("uc-a"))
    assert d.lines[1].best.label == "Jeu B de CA Un"  # same EPCI as 11111
    with pytest.raises(dg.NotFound):
        t.resolve_commune("00000")
    with pytest.raises(dg.NotFound):
        t.resolve_usecase("nope")


def test_matrix_ranking_roadmap_priorities(t: dg.Tables) -> None:
    m = dg.readiness_matrix(t)
    assert m[ID + "commune/22222"] == {ID + "usecase/uc-a": 1.0, ID + "usecase/uc-b": 1.0, ID + "usecase/uc-c": 0.0}
    assert [r["insee"] for r in dg.ranking(t, ID + "usecase/uc-a")] == ["22222", "33333", "11111"]
    steps = dg.roadmap(t, t.resolve_commune("11111"))
    assert [(s.category_label, s.action, [u["label"] for u in s.unlocks]) for s in steps] == [
        ("Catégorie B", "open", ["Cas A", "Cas B"]), ("Catégorie D", "produce", ["Cas C"])]
    assert [h["label"] for h in steps[0].holders] == ["CA Un"]
    prio = {p["label"]: p for p in dg.priorities(t)}
    b = prio["Catégorie B"]
    assert (b["use_cases"], b["towns_lacking"], b["score"]) == (2, 2, 4)
    assert prio["Catégorie A"]["has_scdl"] and prio["Catégorie A"]["towns_lacking"] == 0


# -- hand-checked on the shipped data --------------------------------------------------------
@pytest.mark.slow
def test_hand_checked_la_roche_sur_yon_parking_availability(shipped: EmbeddedStore) -> None:
    """La Roche-sur-Yon (85191) × informer-disponibilite-stationnement, checked by hand in data/curated:
    requirements.csv gives two indispensable categories; datasets.csv has, for them, the Base nationale
    des lieux de stationnement (national, open) and La Roche-sur-Yon's own real-time parking dataset
    (commune:85191, status '?'); Grand Poitiers' real-time dataset (epci:200069854) must not count."""
    d = dg.diagnose(shipped, "85191", "informer-disponibilite-stationnement")
    got = {ln.category.rsplit("/", 1)[-1]:
           (ln.state, [(h.dataset.rsplit("/", 1)[-1], h.family) for h in ln.datasets]) for ln in d.lines}
    assert got == {
        "disponibilite-parkings-temps-reel":
            ("unknown-status", [("disponibilite-parkings-la-roche-sur-yon", "unknown")]),
        "lieux-stationnement": ("open", [("base-nationale-lieux-stationnement", "open")]),
    }
    assert (d.score, d.satisfied, d.required) == (0.5, 1, 2)
    poitiers = dg.diagnose(shipped, "86194", "informer-disponibilite-stationnement")
    assert poitiers.score == 1.0
    assert poitiers.lines[0].best.dataset.endswith("parkings-temps-reel-grand-poitiers")
    assert poitiers.lines[0].best.level == "epci"


@pytest.mark.slow
def test_all_acv_communes_times_all_use_cases_in_one_call(shipped: EmbeddedStore) -> None:
    """The whole matrix in one call (its speed is measured by bench/bench_diagnostic.py, not here)."""
    t = dg.Tables(shipped)
    matrix = dg.readiness_matrix(t)
    assert len(matrix) == 244
    assert all(len(row) == len(t.usecases) for row in matrix.values())
    assert len(t.usecases) >= 30
