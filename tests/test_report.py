"""`odl-graph report`: HTML and PDF synthesis from the graph alone; unknowns named as unknown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from analyses_support import fixture_store
from click.testing import CliRunner

from odl_graph.analyses.report import UNKNOWN_FR, synthesis
from odl_graph.cli import cli
from odl_graph.stores import EmbeddedStore


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return fixture_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def written_report(store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(cli, ["--store", str(store.path), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(out / "synthese.html"), str(out / "synthese.pdf")]
    return out


def test_synthesis_groups_by_theme_and_names_unknowns(store: EmbeddedStore) -> None:
    data = synthesis(store)
    assert [(label, [e.label for e in exps]) for _iri, label, exps in data["themes"]] == [
        ("Adaptation au changement climatique", ["Expérience 1"]),
        ("Commerce et développement économique", ["Expérience 2"])]
    exp2 = next(e for e in data["experiments"] if e.label == "Expérience 2")
    aspects = {h: (text, known) for h, text, known in exp2.aspects()}
    assert aspects["Objectifs"] == ("Suivre la vacance.", True)
    assert aspects["Résultats qualitatifs"] == (UNKNOWN_FR, False)
    towns = {t["insee"]: t for t in data["towns"]}
    assert towns["22222"]["ready"] == 1 and towns["22222"]["assessed"] == 4  # uc-b only is fully ready
    # Issue 19: A's open national dataset is ready (a "use" step, last), so D follows B.
    assert [s.category_label for s in towns["11111"]["roadmap"]] == ["Catégorie B", "Catégorie D", "Catégorie F"]


def test_synthesis_lists_publications_and_why_data_is_not_open(store: EmbeddedStore, written_report: Path) -> None:
    data = synthesis(store)
    assert [(p["label"], p["kind"], p["usecases"]) for p in data["publications"]] == [
        ("Fiche 1", "Fiche cas d'usage", ["Cas A"])]
    assert [(a["label"], a["reason"], a["sources"]) for a in data["findings"]["access"]] == [
        ("Catégorie B", "Réservée aux collectivités.", {"https://example.org/why-b"})]
    assert [(s["label"], s["status"]) for s in data["findings"]["standardisation"]] == [
        ("Catégorie B", "Standard nécessaire")]
    html = (written_report / "synthese.html").read_text(encoding="utf-8")
    assert "Réservée aux collectivités." in html and "Pas de format commun." in html and "Fiche 1" in html


def test_html_is_self_contained(written_report: Path) -> None:
    html = (written_report / "synthese.html").read_text(encoding="utf-8")
    for expected in ("Expérience 1", "Cartographier les îlots de chaleur.", UNKNOWN_FR, "<svg", "Unville",
                     "ouverture de « Catégorie B »", "Schéma test (SCDL)"):
        assert expected in html
    assert "<script" not in html and "http://cdn" not in html and "https://cdn" not in html


def test_pdf_pages_are_not_blank(written_report: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(written_report / "synthese.pdf"))
    assert len(pdf) >= 2
    for i in range(len(pdf)):
        image = pdf[i].render(scale=0.5).to_pil().convert("L")
        histogram = image.histogram()
        dark = sum(histogram[:200])  # pixels clearly darker than the white background
        assert dark > 0.005 * image.width * image.height, f"page {i + 1} looks blank"
        image.save(written_report / f"page-{i + 1}.png")
    assert (written_report / "page-1.png").stat().st_size > 1000


def test_towns_grouped_by_readiness_profile_with_an_index(store: EmbeddedStore, written_report: Path) -> None:
    from odl_graph.analyses import diagnostic as dg

    data = synthesis(store)
    t = dg.tables(store)
    matrix = dg.readiness_matrix(t)
    distinct = {frozenset(u for u, s in row.items() if s == 1.0) for row in matrix.values()}
    assert len(data["profiles"]) == len(distinct) >= 2
    grouped = sorted(town["label"] for p in data["profiles"] for town in p["towns"])
    assert grouped == sorted(c.label for c in t.acv.values())
    for p in data["profiles"]:  # the towns of a profile are ready for exactly its use cases
        for town in p["towns"]:
            ready = {t.label(u) for u, s in matrix[town["iri"]].items() if s == 1.0}
            assert ready == set(p["ready"]) and town["profile"] == p["number"]
    html = (written_report / "synthese.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<section class="profile" id="profile-\d+">', html)) == len(distinct)
    index = html[html.index('<ul class="index">'):]
    for c in t.acv.values():  # each ACV town in the index exactly once, linked to its commune page and profile
        lines = re.findall(rf'<li id="town-{c.insee}"><a href="([^"]+)">([^<]+)</a> \({c.insee}\) : '
                           rf'<a href="#profile-(\d+)">', index)
        assert len(lines) == 1 and lines[0][0] == c.iri and lines[0][1] == c.label
        assert f'id="profile-{lines[0][2]}"' in html
    assert html.count('<li id="town-') == len(t.acv)
