"""Deployability diagnostic: readiness line by line, roadmap, ranking, priorities.

The hand-checked case runs on a store built from the shipped data (data/curated + the COG and ACV
imports); the others on the small fixture tests/data/analyses/fixture.ttl.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from analyses_support import fixture_store

from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import priorities as pr
from odl_graph.analyses import roadmap as rm
from odl_graph.analyses import tables as tb
from odl_graph.stores import EmbeddedStore

ID = "https://w3id.org/odl-graph/id/"


@pytest.fixture(scope="module")
def t(tmp_path_factory: pytest.TempPathFactory) -> tb.Tables:
    return tb.tables(fixture_store(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="module")
def shipped(shipped_store: EmbeddedStore) -> EmbeddedStore:
    """The store `odl-graph build` makes of the shipped data (tests/conftest.py)."""
    return shipped_store


def test_line_by_line_evidence(t: tb.Tables) -> None:
    """An open national dataset covering the town weighs 0.5 and makes the line ready ("use it"), its content
    for the town unverified; the EPCI's candidate dataset is the dataset of an enclosing territory (0.75)
    that is not open (× 0.25): docs/evidence.md."""
    d = dg.diagnose_pair(t, t.resolve_commune("11111"), t.resolve_usecase("uc-a"))
    a, b = d.lines
    assert (a.category_label, a.evidence, a.certainty, a.weight, a.best.label) == (
        "Catégorie A", "national-unknown", "unknown", 0.5, "Jeu A national")
    assert (a.ready, a.action, a.effort) == (True, "use", 0)
    assert "ouvert au niveau national" in a.text_fr and "son contenu pour Unville n'est pas vérifié" in a.text_fr
    assert (b.action, b.effort) == ("open", 2)
    assert (b.evidence, b.certainty, b.state, b.best.label, b.best.level) == (
        "local-dataset", "assumed", "not-open", "Jeu B de CA Un", "epci")
    assert b.weight == pytest.approx(0.1875)
    assert [(h["label"], h["siren"]) for h in b.holders] == [("CA Un", "200000001")]
    assert "CA Un (SIREN 200000001)" in b.text_fr and "n'est pas vérifié" in b.text_fr
    assert (d.score, d.satisfied, d.required, d.ready) == (pytest.approx(0.34375), 1, 2, False)
    assert (d.verified, d.assumed, d.unknown) == (0, 1, 1)
    assert [(u.category_label, u.evidence, u.state) for u in d.useful] == [("Catégorie C", "local-dataset", "not-open")]


def test_commune_dataset_is_verified_local_records(t: tb.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("22222"), t.resolve_usecase("uc-b"))
    (line,) = d.lines
    assert (line.evidence, line.certainty, line.weight, line.best.label) == (
        "local-records", "verified", 1.0, "Jeu B de Deuxville")
    assert d.ready and d.score == 1.0


def test_records_counted_in_the_commune_name_their_producer(t: tb.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("22222"), t.resolve_usecase("uc-d"))
    e = d.lines[0]
    assert (e.category_label, e.evidence, e.certainty) == ("Catégorie E", "local-records", "verified")
    assert [(r["count"], r["capacity"], r["producer"]["label"]) for r in e.records] == [(2, 30, "Ville de Deuxville")]
    assert "2 enregistrement(s), capacité 30, produits par Ville de Deuxville" in e.text_fr


def test_a_base_known_commune_by_commune_proves_absence(t: tb.Tables) -> None:
    """Only a per-territory base that holds nothing here makes the graph say the town lacks the data; the
    generic producer "Commune" is resolved to Unville's own council, with its SIREN."""
    d = dg.diagnose_pair(t, t.resolve_commune("11111"), t.resolve_usecase("uc-d"))
    e, f = d.lines
    assert (e.evidence, e.certainty, e.state, e.weight) == ("absent", "verified", "missing", 0.0)
    assert "absence vérifiée" in e.text_fr
    # The holder is the competent body of the fixture's competence rule (the commune, by a test law).
    assert [(h["siren"], h["level"]) for h in e.holders] == [("211111111", "commune")]
    assert e.action == "produce" and e.holding["certainty"] == "by-law"
    assert (e.holding["legal_basis_fr"], e.holding["obligation"]) == ("Loi test, art. 1", True)
    assert (f.evidence, f.certainty, f.hazard) == ("nothing", "unknown", [ID + "concept/hazard/flood"])
    assert "ne veut pas dire qu'elle manque" in f.text_fr and "does not mean it lacks it" in f.text_en


def test_a_local_publisher_on_a_related_theme_is_a_hint(t: tb.Tables) -> None:
    """The observatory's theme is a hint, worded as one: it weighs less than any open dataset and never
    makes its publisher the holder to ask (CA Un publishes on Transport; Enedis is the usual producer)."""
    d = dg.diagnose_pair(t, t.resolve_commune("11111"), t.resolve_usecase("uc-c"))
    (line,) = d.lines
    assert (line.evidence, line.certainty, line.state) == ("local-publisher", "hint", "unknown-status")
    assert line.weight == pytest.approx(0.25 * 0.8)  # the EPCI, one step above the commune
    assert [(p["label"], p["level"], p["themes"]) for p in line.publishers] == [("CA Un", "epci", ["Transport"])]
    assert "CA Un" not in [h["label"] for h in line.holders] and [h["label"] for h in line.holders] == ["Enedis"]
    assert line.hint_fr == ("indice : CA Un (SIREN 200000001) publie des données ouvertes sur le thème Transport ;"
                            " à vérifier")
    assert line.hint_fr in line.text_fr and d.hints == 1
    assert [h.label for h in line.coverage_unknown] == ["Jeu D"]


def test_nothing_known_names_usual_producers_of_the_territory(t: tb.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("33333"), t.resolve_usecase("uc-c"))
    (line,) = d.lines
    assert (line.evidence, line.state, line.best) == ("nothing", "missing", None)
    assert [p["label"] for p in line.producers] == ["Enedis"]
    other = dg.diagnose_pair(t, t.resolve_commune("33333"), t.resolve_usecase("uc-b")).lines[0]
    assert other.producers == []  # CA Un governs another EPCI


def test_commune_outside_acv_is_resolved_through_its_territories(t: tb.Tables) -> None:
    d = dg.diagnose_pair(t, t.resolve_commune("44444"), t.resolve_usecase("uc-a"))
    assert d.lines[1].best.label == "Jeu B de CA Un"  # same EPCI as 11111
    with pytest.raises(tb.NotFound):
        t.resolve_commune("00000")
    with pytest.raises(tb.NotFound):
        t.resolve_usecase("nope")


def test_matrix_ranking_roadmap_priorities(t: tb.Tables) -> None:
    m = dg.readiness_matrix(t)
    assert m[ID + "commune/22222"] == {ID + "usecase/uc-a": 0.75, ID + "usecase/uc-b": 1.0,
                                        ID + "usecase/uc-c": 0.0, ID + "usecase/uc-d": 0.5}
    assert [r["insee"] for r in dg.ranking(t, ID + "usecase/uc-a")] == ["22222", "11111", "33333"]
    steps = rm.roadmap(t, t.resolve_commune("11111"))
    # Opening B (held by the EPCI) makes two use cases ready (A's open national dataset already covers the
    # town); Enedis, the competent holder, not CA Un that publishes on a related theme, is asked for D;
    # the open national dataset comes last, to be used.
    assert [(s.category_label, s.action, [u["label"] for u in s.unlocks]) for s in steps] == [
        ("Catégorie B", "open", ["Cas A", "Cas B"]), ("Catégorie D", "ask", ["Cas C"]),
        ("Catégorie F", "check-exposure", []), ("Catégorie E", "produce", ["Cas D"]), ("Catégorie A", "use", [])]
    assert [h["label"] for h in steps[0].holders] == ["CA Un"]
    assert [h["label"] for h in steps[1].holders] == ["Enedis"] and "Indice : CA Un" in steps[1].text_fr
    assert "(SIREN 211111111) ; désigné par la loi ; base légale : Loi test, art. 1 ; ouverture obligatoire" \
        in steps[3].text_fr
    assert steps[3].legal_basis_fr == "Loi test, art. 1" and steps[3].sources == [
        "https://example.org/law-e", "https://example.org/law-e-2"]
    assert "Jeu A national" in steps[4].text_fr and "n'est pas vérifié" in steps[4].text_fr
    assert not [s for s in steps if s.action == "produce" and s.evidence == "national-unknown"]
    prio = {p["label"]: p for p in pr.priorities(t)}
    e = prio["Catégorie E"]
    assert (e["use_cases"], e["towns_lacking"]) == (1, 2)  # the score: tests/test_priorities.py
    b = prio["Catégorie B"]  # an assumed, not-open dataset and an unknown town: nobody verifiably lacks it
    assert (b["towns_lacking"], b["towns_unknown"]) == (0, 1)
    assert prio["Catégorie A"]["has_scdl"] and prio["Catégorie A"]["towns_lacking"] == 0


def test_evidence_summary_counts_levels(t: tb.Tables) -> None:
    s = dg.evidence_summary(t)
    assert s["acv_communes"] == 3 and s["with_local_evidence"] == 2  # 33333 has no local evidence
    assert s["with_dataset_evidence"] == 2 and s["distinct_ready_profiles"] == 2
    assert s["lines_per_level"]["absent"] == 2 and s["lines_per_level"]["local-publisher"] == 1
    assert s["distinct_profiles"] == 3


# -- hand-checked on the shipped data --------------------------------------------------------
@pytest.mark.slow
def test_hand_checked_la_roche_sur_yon_parking_availability(shipped: EmbeddedStore) -> None:
    """La Roche-sur-Yon (85191) × informer-disponibilite-stationnement, checked by hand in data/curated:
    its own real-time parking dataset covers commune:85191 with status '?' (verified local records of
    unknown openness); the Base nationale des lieux de stationnement is national, its local content
    unknown; Grand Poitiers' real-time dataset (epci:200069854) must not count here."""
    d = dg.diagnose(shipped, "85191", "informer-disponibilite-stationnement")
    lines = {ln.category.rsplit("/", 1)[-1]: ln for ln in d.lines}
    live = lines["disponibilite-parkings-temps-reel"]
    assert (live.evidence, live.state, live.best.dataset.rsplit("/", 1)[-1]) == (
        "local-records", "unknown-status", "disponibilite-parkings-la-roche-sur-yon")
    # the national base of parking facilities covers the town: it outranks the observatory's hint (the town, its
    # EPCI and its région publish on Transport), which stays on the line as a hint (issue 19)
    places = lines["lieux-stationnement"]
    assert places.evidence == "national-unknown"
    assert [p["siren"] for p in places.publishers] == ["218501914", "248500589", "234400034"]
    assert [h.dataset.rsplit("/", 1)[-1] for h in places.datasets] == ["base-nationale-lieux-stationnement"]
    assert "Base nationale des lieux de stationnement" in places.text_fr
    poitiers = dg.diagnose(shipped, "86194", "informer-disponibilite-stationnement")
    line = next(ln for ln in poitiers.lines if ln.category.endswith("disponibilite-parkings-temps-reel"))
    assert (line.evidence, line.best.level) == ("local-dataset", "epci")
    assert line.best.dataset.endswith("parkings-temps-reel-grand-poitiers")


@pytest.mark.slow
def test_hand_checked_laval_car_pool_publishers_and_holders(shipped: EmbeddedStore) -> None:
    """Laval (53130), checked by hand in the source files:
    - data/sources/bnlc/bnlc-.csv has 3 places in 53130 (Parking Relais Saint Nicolas 90, La Jaunaie 46,
      Octroi 48 spaces: 184), all with source 200083392, the SIREN of CA Laval Agglomération (cog/epci.csv);
    - observatory2022: neither Laval (SIREN 215301300) nor its EPCI publish; the Mayenne (DEP, 225300011,
      themes Urbanisme-Environnement-Administratif-Citoyenneté) and the Pays de la Loire (REG, 234400034,
      Transport among its themes) do;
    - cog/communes.csv gives Laval's SIREN 215301300."""
    t = tb.tables(shipped)
    laval = t.resolve_commune("53130")
    d = dg.diagnose_pair(t, laval, t.resolve_usecase("suggerer-aires-covoiturage"))
    (car_pool,) = [ln for ln in d.lines if ln.category.endswith("/lieux-covoiturage")]
    assert (car_pool.evidence, car_pool.certainty, car_pool.state) == ("local-records", "verified", "open")
    assert [(r["count"], r["capacity"], r["producer"]["label"], r["producer"]["siren"]) for r in car_pool.records] \
        == [(3, 184, "CA Laval Agglomération", "200083392")]
    (transport,) = [ln for ln in d.useful if ln.category.endswith("/horaires-transports-publics")]
    assert transport.evidence == "local-publisher"
    assert [(p["label"], p["siren"], p["level"], p["themes"]) for p in transport.publishers] == [
        ("PAYS DE LA LOIRE", "234400034", "region", ["Transport"])]
    bodies = {(p.body, p.date) for p, _ in t.evidence.publishing_bodies([laval.iri, laval.epci, laval.departement,
                                                                        laval.region])}
    assert bodies == {(ID + "actor/siren-225300011", "2022-10-19"), (ID + "actor/siren-234400034", "2022-10-19")}
    steps = rm.roadmap(t, laval)
    produce = [s for s in steps if s.action == "produce"]
    assert produce and all(any(h.get("siren") in ("215301300", "200083392") for h in s.holders) or not s.holders
                           or any(not h["local"] for h in s.holders) for s in produce)
    assert any("Commune de Laval (SIREN 215301300)" in s.text_fr for s in produce)
    # it already has records: never asked for nor produced; its own data is the first thing it uses (issue 19)
    car_pool_steps = [s for s in steps if s.category.endswith("/lieux-covoiturage")]
    assert [(s.action, s.evidence) for s in car_pool_steps] == [("use", "local-records")]
    assert "contient des enregistrements de la commune (vérifié)" in car_pool_steps[0].text_fr
    assert steps[0].evidence == "local-records"


@pytest.mark.slow
def test_all_acv_communes_times_all_use_cases_in_one_call(shipped: EmbeddedStore) -> None:
    """The whole matrix in one call (its speed is measured by bench/bench_diagnostic.py, not here)."""
    t = tb.Tables(shipped)
    matrix = dg.readiness_matrix(t)
    assert len(matrix) == 244
    assert all(len(row) == len(t.usecases) for row in matrix.values())
    assert len(t.usecases) >= 30


def test_the_figures_table_is_rewritten_between_its_markers(t: tb.Tables, tmp_path: Path) -> None:
    """`odl-graph stats --evidence-doc` (analyses/figures.py) replaces only the table between the markers, from
    the graph; a document without the markers is refused, naming the file."""
    from odl_graph.analyses import figures
    from odl_graph.errors import OdlError

    doc = tmp_path / "evidence.md"
    doc.write_text(f"# Before\n\n{figures.BEGIN}\n| stale |\n{figures.END}\n\nAfter.\n", encoding="utf-8")
    assert figures.write(doc, t) is True
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Before\n\n") and text.endswith("\n\nAfter.\n") and "| stale |" not in text
    assert figures.block(doc) == figures.table(t) and "| over the 3 ACV towns |" in text
    assert "| towns whose first step is paid data | 244 | 0 |" in text
    assert figures.write(doc, t) is False  # already up to date
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(OdlError, match=r"bare\.md"):
        figures.write(bare, t)
