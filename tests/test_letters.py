"""The draft requests of a town (odl_graph/analyses/letters.py): over every ACV town of the shipped graph,
every line whose action is "ask" has a letter addressed to the competent holder, citing a legal basis or
saying in words that it is unknown; a letter is plain French a town can sign and send itself."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from odl_graph.analyses import actions
from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import letters as lt
from odl_graph.analyses import tables as tb
from odl_graph.analyses.holder import HolderAnswer


def _letter(**over: Any) -> lt.Letter:
    base = dict(commune="https://w3id.org/odl-graph/id/commune/37072", commune_label="Chinon", insee="37072",
                category="https://w3id.org/odl-graph/id/datacategory/x", category_label="Offre de transport",
                usecases=[("https://w3id.org/odl-graph/id/usecase/u", "Information voyageurs")], action="ask",
                holders=[{"iri": None, "label": "Région Centre-Val de Loire", "siren": "234500023"}],
                holder_certainty_fr="désigné par la loi", legal_basis_fr=lt.UNKNOWN_BASIS_FR, legal_basis_known=False,
                obligation_fr=lt.UNKNOWN_OBLIGATION_FR, sources=[], standards=[])
    return lt.Letter(**{**base, **over})


def test_a_letter_names_holder_data_use_case_basis_standard_and_town() -> None:
    text = _letter(standards=[("https://w3id.org/odl-graph/id/standard/etalab/schema-x", "Schéma X")]).text()
    assert "À : Région Centre-Val de Loire (SIREN 234500023)" in text
    assert "« Offre de transport »" in text and "« Information voyageurs »" in text
    assert "commune de Chinon (code INSEE 37072)" in text and "Pour la commune de Chinon" in text
    assert "livre III du code des relations entre le public et l'administration (CRPA)" in text
    assert f"Base légale de votre compétence sur ces données : {lt.UNKNOWN_BASIS_FR}." in text
    assert "« Schéma X » (etalab/schema-x)" in text
    assert all(src in text for src in lt.RIGHT_OF_ACCESS_SOURCES)


def test_a_known_basis_and_its_sources_are_cited() -> None:
    text = _letter(legal_basis_fr="article L. 1231-1 du code des transports", legal_basis_known=True,
                   sources=["https://www.legifrance.gouv.fr/x"]).text()
    assert "Base légale de votre compétence sur ces données : article L. 1231-1 du code des transports." in text
    assert "https://www.legifrance.gouv.fr/x" in text and lt.UNKNOWN_BASIS_FR not in text
    assert "aucun standard n'est encore publié" in text


def test_a_line_whose_holder_is_unknown_is_find_not_ask() -> None:
    """The town is told to ask only a body the graph names; otherwise to find who holds the data."""
    line = SimpleNamespace(ready=False, evidence="nothing", best=None, hazard=[], paid=False)
    assert actions.action(line, HolderAnswer([], "unknown")) == "find"
    assert actions.action(line, HolderAnswer([{"label": "Région X", "local": False}], "by-law")) == "ask"
    assert actions.action(line, HolderAnswer([{"label": "Commune X", "local": True}], "by-law")) == "produce"
    assert "find" not in lt.REQUEST_ACTIONS


def test_the_town_file_lists_the_data_whose_holder_is_to_be_found() -> None:
    commune = SimpleNamespace(label="Chinon", insee="37072")
    finding = [lt.ToFind("x", "Arbres", "Trees", "détenteur à trouver : aucun organisme", "holder", "find-x")]
    text = lt.town_file_text(commune, [_letter()], finding)  # type: ignore[arg-type]
    assert text.index("À : Région Centre-Val de Loire") < text.index("Sans courrier")
    assert "- Arbres : détenteur à trouver : aucun organisme" in text
    assert "Sans courrier" not in lt.town_file_text(commune, [_letter()])  # type: ignore[arg-type]


@pytest.mark.slow
def test_every_ask_line_of_every_acv_town_has_its_letter(shipped_store: Any) -> None:
    """Over all 244 ACV towns: every "ask" line names a competent holder other than the town and has its
    letter, addressed to that holder, with the legal basis or the words saying it is unknown. A line whose
    holder the graph does not know is a "find" line: no letter, what was searched, leads worded as leads."""
    t = tb.tables(shipped_store)
    assert len(t.acv) == 244
    asked = written = 0
    for commune in t.acv.values():
        lines = dg.commune_lines(t, commune)
        letters = {x.category: x for x in lt.letters_for_town(t, commune)}
        for category, line in lines.items():
            if line.action == "find":
                assert not line.holders and category not in letters  # never a letter to nobody
                assert line.find_fr and line.find_fr in line.text_fr and "détenteur à trouver" in line.find_fr
                assert line.find_en and line.find_en in line.text_en
                continue
            if line.action != "ask":
                continue
            asked += 1
            others = [h for h in line.holders if not lt.is_self(t, commune, h)]
            assert others, f"{commune.label}: 'ask' for {category} names no body other than the town itself"
            letter = letters.get(category)
            assert letter is not None, f"{commune.label}: no letter for the 'ask' line {category}"
            text = letter.text()
            assert f"À : {dg.names(others)}" in text, f"{commune.label} {category}: not addressed to the holder"
            basis = (line.holding or {}).get("legal_basis_fr")
            if basis:
                assert f"Base légale de votre compétence sur ces données : {basis}." in text
            else:
                assert lt.UNKNOWN_BASIS_FR in text
            assert "CRPA" in text and commune.label in text and t.label(category) in text
            assert letter.usecases and all(label in text for _iri, label in letter.usecases)
            written += 1
    assert asked == written > 0


@pytest.mark.slow
def test_every_ask_line_names_a_holder(shipped_store: Any) -> None:
    """No town is told to "ask" a body the graph cannot name: every "ask" line of the 244 towns names a body,
    and every line with no known body is a "find" line, not counted among the requests."""
    t = tb.tables(shipped_store)
    nobody, unnamed = set(), set()
    for commune in t.acv.values():
        for c, line in dg.commune_lines(t, commune).items():
            if line.action == "ask" and not line.holders:
                nobody.add(t.label(c))
            if line.action not in ("find", "use", "check", "open", "access", "check-exposure", "buy") \
                    and not line.holders and not (line.holding or {}).get("bodies"):
                unnamed.add((t.label(c), line.action))
    assert not nobody, f"'ask' lines with no holder for: {sorted(nobody)}"
    assert not unnamed, f"lines sending the town to nobody: {sorted(unnamed)}"
