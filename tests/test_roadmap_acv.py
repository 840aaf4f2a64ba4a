"""The 244 ACV roadmaps on the shipped graph (issue 19): each computed once for the module, then checked
against what a town officer acts on: no step asks for data the graph records as open nationally; the body
named is the competent holder (never a council chosen because it publishes on a related theme, never a body
with a territorial remit outside its territory, the EPCI for the buses of an agglomeration); step 1 follows
the town's evidence; paid data is never step 1 unless asked for."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import odl_graph_cli

from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import figures
from odl_graph.analyses import holder as hd
from odl_graph.analyses import roadmap as rm
from odl_graph.analyses import tables as tb
from odl_graph.stores import EmbeddedStore

pytestmark = pytest.mark.slow  # a build of the shipped sources

ROOT = Path(__file__).resolve().parent.parent
ASKING = ("check-exposure", "open", "ask", "produce", "buy")  # steps that send the town to a body
TRANSIT = ("horaires-transports-publics", "positions-temps-reel-bus")  # the mobility authority's data


@pytest.fixture(scope="module")
def t(shipped_store: EmbeddedStore) -> tb.Tables:
    return tb.tables(shipped_store)


@pytest.fixture(scope="module")
def roadmaps(t: tb.Tables) -> dict[str, tuple[tb.Commune, list[rm.Step]]]:
    return {c.insee: (c, rm.roadmap(t, c)) for c in t.acv.values()}


def _open_national(t: tb.Tables, commune: tb.Commune) -> set[str]:
    """Categories with an open national dataset whose coverage includes the commune (exclusions applied),
    other than a base known commune by commune (the car-pool base: where it holds nothing for the town, a
    verified absence, the town is asked to produce its places, which go into that open national base)."""
    return {cat for cat, found in t.covering(commune).items()
            for d, _terr, level in found if level == "national" and t.status_family(d.status) == "open"
            and d.iri not in t.evidence.per_territory}


def test_every_acv_town_has_a_roadmap(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    assert len(roadmaps) == 244 == len(t.acv)
    assert all(steps for _c, steps in roadmaps.values())


def test_no_step_asks_for_data_open_nationally(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """A category with an open national dataset covering the town is used, never asked for, produced or bought."""
    wrong = [(c.label, s.category_label, s.action) for c, steps in roadmaps.values()
             for s in steps if s.action != "use" and s.evidence != "absent" and s.category in _open_national(t, c)]
    assert wrong == []
    used = [s for _c, steps in roadmaps.values() for s in steps if s.action == "use"]
    # data used from an open dataset says its content for the town is not verified; records of the town are
    # verified (the file counts them in the commune)
    assert used and all("n'est pas vérifié" in s.text_fr for s in used if s.evidence != "local-records")
    assert all("contient des enregistrements de la commune (vérifié)" in s.text_fr
               for s in used if s.evidence == "local-records")


def test_excluded_territories_are_not_covered(t: tb.Tables) -> None:
    """A dataset whose coverage excludes a territory (odl:spatialExclusion, e.g. DVF and Alsace-Moselle)
    never covers a commune there, and the commune's lines say so."""
    excluding = [d for d in t.datasets.values() if d.excluded]
    if not excluding:
        pytest.skip("no dataset of the shipped graph states an excluded territory yet")
    for d in excluding:
        for c in t.acv.values():
            inside = {x for x, _ in c.territories(t.national)}
            if d.excluded & inside:
                assert all(d.iri != x[0].iri for found in t.covering(c).values() for x in found), (c.label, d.iri)
                lines = dg.commune_lines(t, c)
                cat = sorted(d.categories)[0]
                if cat in lines:
                    assert "ne couvre pas" in lines[cat].text_fr


def test_holders_come_from_competence_never_from_a_theme(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """The body a step sends the town to is the competent holder of holder.holder_of(), or the holder of an
    existing dataset: never an observatory publisher the competence does not name; a step says how sure."""
    for c, steps in roadmaps.values():
        for s in steps:
            if s.action in ("ask", "produce", "buy", "check-exposure"):
                competent = {b["iri"] or b["label"] for b in hd.holder_of(t, c, s.category).bodies}
                assert {h["iri"] or h["label"] for h in s.holders} <= competent, (c.label, s.category_label)
                assert s.certainty in hd.CERTAINTY_WORDS and s.certainty_fr in s.text_fr
            if s.hint_fr:
                assert s.hint_fr.startswith("indice : ") and s.hint_fr.endswith("à vérifier")


def _council_level(t: tb.Tables, body: dict[str, Any]) -> str | None:
    if body.get("level"):
        return body["level"]
    info = t.evidence.actors.get(body.get("iri") or "")
    return info.category if info else None


def test_municipal_data_never_sent_to_a_departement_or_region(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """Where the commune is a competent body, no département or région council is named with it."""
    wrong = []
    for c, steps in roadmaps.values():
        for s in steps:
            holding = hd.holder_of(t, c, s.category)
            if any(b.get("iri") == c.iri or b.get("siren") == c.siren or b.get("level") == "commune"
                   for b in holding.bodies) or any(_council_level(t, b) == "commune" for b in holding.bodies):
                levels = {_council_level(t, h) for h in s.holders}
                if levels & {"departement", "region"}:
                    wrong.append((c.label, s.category_label, [h["label"] for h in s.holders]))
    assert wrong == []


def test_no_body_named_outside_its_territory(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """A body with a territorial remit (a council, a regional GIS centre, a water agency) is named only for
    towns inside its territory."""
    wrong = []
    for c, steps in roadmaps.values():
        inside = {x for x, _ in c.territories(t.national)}
        for s in steps:
            for h in s.holders:
                info = t.evidence.actors.get(h.get("iri") or "")
                if info and info.territories and not info.territories & inside:
                    wrong.append((c.label, s.category_label, h["label"]))
    assert wrong == []


def test_a_records_producer_outside_its_territory_is_not_named(t: tb.Tables) -> None:
    """Saintes (17415, Charente-Maritime), checked by hand: the three car-pool places of data/sources/bnlc/bnlc-.csv
    coded 17415 (17415-C-001 to -003) carry the producer SIREN 221600018, the Charente council's (16), not
    Charente-Maritime's: the records count, their producer is not named, and the line says what was declared."""
    saintes = t.resolve_commune("17415")
    line = dg.commune_lines(t, saintes)[f"{t.base_iri}id/datacategory/lieux-covoiturage"]
    assert line.evidence == "local-records"
    assert [(r["count"], r["producer"], r["declared_outside"]["siren"]) for r in line.records] == [
        (3, None, "221600018")]
    assert "CHARENTE (SIREN 221600018), est un organisme d'un autre territoire : à vérifier" in line.text_fr
    assert "221600018" not in {h.get("siren") for h in line.holders}


def test_agglomerations_are_asked_for_their_buses(t: tb.Tables) -> None:
    """Where the town's EPCI is a communauté d'agglomération, urbaine or a métropole (its type in
    data/sources/cog/epci.csv), it is the mobility authority: bus data names that EPCI (its SIREN); in
    Île-de-France the law makes Île-de-France Mobilités the authority of the whole région."""
    if hd._competence is None:
        pytest.skip("needs the competence rules of odl_graph/analyses/competence.py (issue 19, i19-holders)")
    with (ROOT / "data/sources/cog/epci.csv").open(encoding="utf-8") as f:
        kinds = {r["code"]: r["type"] for r in csv.DictReader(f)}
    checked = 0
    for c in t.acv.values():
        siren = (c.epci or "").rsplit("/", 1)[-1]
        if kinds.get(siren) not in ("CA", "CU", "METRO", "MET69"):
            continue
        for cat in TRANSIT:
            bodies = hd.holder_of(t, c, f"{t.base_iri}id/datacategory/{cat}").bodies
            if c.region and c.region.endswith("/11"):
                assert [b["iri"].rsplit("/", 1)[-1] for b in bodies] == ["ile-de-france-mobilites"], c.label
                continue
            assert siren in {b["siren"] for b in bodies}, (c.label, cat, bodies)
            checked += 1
    assert checked > 100


def test_step_one_follows_the_evidence(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """Towns with the same evidence get the same first step; the first step is never data the town already
    has open; and the first steps differ across the ACV towns (they are not one roadmap for all)."""
    by_profile: dict[tuple[Any, ...], set[tuple[str, str]]] = defaultdict(set)
    firsts = set()
    for c, steps in roadmaps.values():
        verdicts = dg.commune_verdicts(t, c)
        profile = tuple(sorted((k, v.evidence, v.family) for k, v in verdicts.items()))
        first = (steps[0].category, steps[0].action)
        by_profile[profile].add(first)
        firsts.add(first)
        assert not verdicts[steps[0].category].ready or steps[0].action == "use"
    assert all(len(f) == 1 for f in by_profile.values())
    assert len(firsts) >= 2


def test_step_one_starts_from_the_towns_own_evidence(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    """Step 1 differs between towns whose evidence differs (issue 19), in a form that can fail: the rule of
    odl_graph/analyses/roadmap.py (docs/evidence.md) says a town with its own evidence (records of the town, a
    dataset of the town or of its EPCI) on a category some use case requires starts with a step over that
    evidence, the category serving the most use cases; a town without starts elsewhere. So
    - a town never shares step 1 with a town whose evidence on that step's category differs (level, state,
      level of the dataset): shared step 1 means the same evidence on what it acts on;
    - a town with its own evidence never gets the step 1 of towns without it, and the reverse;
    - the first steps differ as the towns' own evidence does: one first step per distinct best own category,
      plus the one(s) of towns without own evidence."""
    needed = t.indispensable_count
    evidence_of_first: dict[tuple[str, str], set[tuple[Any, ...]]] = defaultdict(set)
    own_of_first: dict[tuple[str, str], set[bool]] = defaultdict(set)
    best_own = set()
    for c, steps in roadmaps.values():
        lines = dg.commune_lines(t, c)
        own = {k for k, ln in lines.items() if needed.get(k) and rm.own_evidence(ln) and not ln.paid}
        first = steps[0]
        v = lines[first.category]
        if own:
            assert first.category in own, (c.label, first.category_label, first.action)
            assert needed[first.category] == max(needed[k] for k in own), c.label
            best_own.add(first.category)
        else:
            assert not rm.own_evidence(v), c.label
        key = (first.category, first.action)
        evidence_of_first[key].add((v.evidence, v.state, v.best.level if v.best else None))
        own_of_first[key].add(bool(own))
    shared_differently = {k: e for k, e in evidence_of_first.items() if len(e) > 1}
    assert not shared_differently, shared_differently
    assert all(len(x) == 1 for x in own_of_first.values())
    assert best_own and len(evidence_of_first) > len(best_own)


def test_the_figures_of_docs_evidence_are_those_of_the_shipped_graph(t: tb.Tables) -> None:
    """docs/evidence.md reports distinct roadmaps, first steps, profiles and towns with actual-dataset evidence
    as generated from the graph (odl_graph/analyses/figures.py), never typed by hand."""
    table = figures.table(t)
    assert figures.block(ROOT / "docs/evidence.md") == table, \
        "docs/evidence.md is stale: after a build, run `odl-graph stats --evidence-doc docs/evidence.md`"
    assert "| towns whose first step is paid data | 244 | 0 |" in table


def test_paid_data_is_never_step_one_unless_asked(t: tb.Tables, roadmaps: dict[str, Any]) -> None:
    firsts = [(c.label, steps[0].category_label) for c, steps in roadmaps.values() if steps[0].paid
              or steps[0].action == "buy"]
    assert firsts == []
    paid = [(c, s) for c, steps in roadmaps.values() for s in steps if s.action == "buy"]
    assert paid and all("payant" in s.text_fr for _c, s in paid)  # said as such
    c, _ = paid[0]
    rank = min(s.rank for s in roadmaps[c.insee][1] if s.action == "buy")
    asked = rm.roadmap(t, c, paid_first=True)
    assert min(s.rank for s in asked if s.action == "buy") <= rank


def test_cli_diagnoses_and_plans_any_commune(shipped_build: Any) -> None:
    """`odl-graph diagnostic` and `roadmap` for a commune outside the ACV list (01001)."""
    store = str(shipped_build.store_path)
    diag = odl_graph_cli("--store", store, "diagnostic", "01001", "suggerer-aires-covoiturage", "--format", "json")
    assert diag.returncode == 0, diag.stderr
    d = json.loads(diag.stdout)
    assert d["insee"] == "01001" and d["lines"]
    road = odl_graph_cli("--store", store, "roadmap", "L'Abergement-Clémenciat", "--format", "json")
    assert road.returncode == 0, road.stderr
    assert json.loads(road.stdout) and "210100012" in road.stdout  # its council, SIREN from the COG
