"""Standardisation priorities: each factor of the score checked by hand on the small fixture
(tests/data/analyses/fixture.ttl), and the shipped graph's ranking against the issue's bar (at least 20
non-zero priorities, no unexplained tie in the top 10, a reason on every row, national data apart)."""

from __future__ import annotations

import math

import pytest
from analyses_support import fixture_store

from odl_graph.analyses import priorities as pr
from odl_graph.analyses import tables as tb
from odl_graph.stores import EmbeddedStore


@pytest.fixture(scope="module")
def t(tmp_path_factory: pytest.TempPathFactory) -> tb.Tables:
    return tb.tables(fixture_store(tmp_path_factory.mktemp("store")))


def test_each_factor_by_hand(t: tb.Tables) -> None:
    rows = {r["label"]: r for r in pr.priorities(t)}
    b = rows["Catégorie B"]
    # indispensable for 2 use cases (2 × 2); 2 of the 3 ACV towns have no open local data; produced by the
    # EPCI (local); no standard; two local bodies publish it without a schema (CA Un, Deuxville).
    assert (b["factors"]["demand"], b["towns_gain"], b["producer"], b["has_standard"]) == (4, 2, "local", False)
    assert len(b["local_publishers"]) == 2
    assert b["score"] == round(4 * (0.5 + 0.5 * 2 / 3) * 1 * 1 * (1 + 0.5 * 2 / 12), 2) == 3.61
    d = rows["Catégorie D"]  # a public-service delegate produces it: company factor 0.5; a themed publisher
    assert (d["producer"], d["theme_publishers"]) == ("company", 1)
    assert d["score"] == round(2 * 1.0 * 0.5 * 1 * (1 + 0.5 * 1 / 11), 2)
    c = rows["Catégorie C"]  # useful only: demand 1
    assert (c["factors"]["demand"], c["indispensable_for"]) == (1, 0)


def test_national_data_is_ranked_apart(t: tb.Tables) -> None:
    rows = pr.priorities(t)
    a = next(r for r in rows if r["label"] == "Catégorie A")
    assert (a["group"], a["producer"], a["rank"]) == ("national", "national", 1)
    assert "national: ask for the national dataset" in a["why_en"]
    assert "demander le jeu de données national" in a["why_fr"]
    groups = [r["group"] for r in rows]
    assert groups == sorted(groups, key=lambda g: g != "candidate")  # candidates first, national after
    assert [r["rank"] for r in rows if r["group"] == "candidate"] == [1, 2, 3, 4, 5]


def test_standard_factor_follows_adoption() -> None:
    assert pr.standard_factor({}, {}) == (1.0, None)
    assert pr.standard_factor({"s": True}, {}) == (0.8, None)
    assert pr.standard_factor({"s": True}, {"s": 0}) == (0.8, 0)
    f, n = pr.standard_factor({"s": True, "u": False}, {"s": 5, "u": 298})
    assert n == 298 and f == pytest.approx(0.6 / (1 + math.log10(299)))
    assert pr.standard_factor({"s": True}, {"s": 1222})[0] < f  # more adoption, lower priority


def test_ties_say_why() -> None:
    rows = [{"group": "candidate", "score": 2.0, "label": "X", "label_en": "X"},
            {"group": "candidate", "score": 2.0, "label": "Y", "label_en": "Y"},
            {"group": "candidate", "score": 1.0, "label": "Z", "label_en": "Z"},
            {"group": "national", "score": 1.0, "label": "N", "label_en": "N"}]
    pr._rank_and_ties(rows)
    assert [r["rank"] for r in rows] == [1, 2, 3, 1]
    assert "« Y »" in rows[0]["tie_fr"] and "“X”" in rows[1]["tie_en"]
    assert rows[2]["tie_fr"] is None and rows[3]["tie_en"] is None  # equal scores in other groups do not tie


# -- the shipped graph ---------------------------------------------------------------------------
def test_shipped_priorities_rank(shipped_store: EmbeddedStore) -> None:
    rows = pr.priorities(tb.tables(shipped_store))
    assert len(rows) == 69
    candidates = [r for r in rows if r["group"] == "candidate"]
    national = [r for r in rows if r["group"] == "national"]
    assert len([r for r in rows if r["score"] > 0]) >= 20
    assert all(r["why_fr"] and r["why_en"] for r in rows)
    top = candidates[:10]
    scores = [r["score"] for r in top]
    for r in top:
        if scores.count(r["score"]) > 1:
            assert r["tie_fr"] and r["tie_en"], r["label"]
    # State statistics and registers are national, never SCDL candidates
    by_slug = {r["category"].rsplit("/", 1)[-1]: r for r in rows}
    for slug in ("population-recensement", "etablissements-sirene", "valeurs-foncieres-dvf", "dpe-logements"):
        assert by_slug[slug]["group"] == "national", slug
    assert national and all(r["producer"] == "national" for r in national)
    # a category with a widely adopted standard ranks below one without any that local bodies produce
    assert by_slug["adresses"]["score"] < by_slug["transactions-horodateurs"]["score"]
