"""Communes by name or code (library and CLI), the use-case listing, and the accent-aware sort key."""

from __future__ import annotations

import pytest
from analyses_support import FIXTURE, _ntriples
from click.testing import CliRunner

from odl_graph import iris, vocab_files
from odl_graph.analyses import tables as dg
from odl_graph.cli import cli
from odl_graph.communes import AmbiguousCommune, UnknownCommune
from odl_graph.stores import EmbeddedStore
from odl_graph.text import sort_key

# Namesakes and accents beside the analyses fixture's four communes (codes made up for the test).
EXTRA = """
@prefix odl: <https://w3id.org/odl-graph/def#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix c: <https://w3id.org/odl-graph/id/commune/> .
@prefix d: <https://w3id.org/odl-graph/id/departement/> .
c:11201 a odl:Commune ; rdfs:label "Saint-Ambroix"@fr ; igeo:codeINSEE "11201" ; odl:inDepartement d:11 .
c:33202 a odl:Commune ; rdfs:label "Saint-Ambroix"@fr ; igeo:codeINSEE "33202" ; odl:inDepartement d:33 .
c:11203 a odl:Commune ; rdfs:label "Épernay-sur-Aude"@fr ; igeo:codeINSEE "11203" ; odl:inDepartement d:11 .
c:11204 a odl:Commune ; rdfs:label "L'Œuvre-d'Été"@fr ; igeo:codeINSEE "11204" ; odl:inDepartement d:11 .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    extra = tmp_path_factory.mktemp("extra") / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    graphs = {str(iris.graph("data", "fixture")): _ntriples(FIXTURE),
              str(iris.graph("data", "extra")): _ntriples(extra)}
    for name, path in vocab_files.VOCABULARY_FILES.items():
        graphs[str(iris.graph("vocab", name))] = _ntriples(path)
    st = EmbeddedStore(tmp_path_factory.mktemp("store"))
    st.replace_all(graphs)
    return st


@pytest.fixture(scope="module")
def t(store: EmbeddedStore) -> dg.Tables:
    return dg.Tables(store)


@pytest.mark.parametrize("ref", ["11111", "Unville", "unville", "  UNVILLE ", f"{iris.BASE}id/commune/11111"])
def test_a_commune_by_code_iri_or_name(t: dg.Tables, ref: str) -> None:
    c = t.resolve_commune(ref)
    assert (c.insee, c.label, c.acv_id is not None) == ("11111", "Unville", True)


@pytest.mark.parametrize("ref", ["Epernay-sur-Aude", "epernay sur aude", "ÉPERNAY SUR AUDE", "Épernay-sur-Aude"])
def test_accents_case_and_hyphens_do_not_matter(t: dg.Tables, ref: str) -> None:
    assert t.resolve_commune(ref).insee == "11203"


def test_ligatures_and_apostrophes_fold(t: dg.Tables) -> None:
    assert t.resolve_commune("l oeuvre d ete").insee == "11204"
    assert t.resolve_commune("L’Œuvre-d’Été").insee == "11204"


def test_a_shared_name_is_refused_with_every_candidate(t: dg.Tables) -> None:
    with pytest.raises(AmbiguousCommune) as err:
        t.resolve_commune("saint ambroix")
    assert [c.insee for c in err.value.candidates] == ["11201", "33202"]
    assert "Saint-Ambroix (11201)" in str(err.value) and "Saint-Ambroix (33202)" in str(err.value)


@pytest.mark.parametrize(("ref", "insee"), [("Saint-Ambroix (33)", "33202"), ("saint-ambroix (11201)", "11201")])
def test_a_departement_or_code_narrows_a_shared_name(t: dg.Tables, ref: str, insee: str) -> None:
    assert t.resolve_commune(ref).insee == insee


def test_an_unknown_name_suggests_the_nearest(t: dg.Tables) -> None:
    with pytest.raises(UnknownCommune) as err:
        t.resolve_commune("Saint")
    assert not isinstance(err.value, AmbiguousCommune)
    assert {c.insee for c in err.value.candidates} == {"11201", "33202"}
    with pytest.raises(UnknownCommune) as typo:
        t.resolve_commune("Deuxvile")
    assert [c.insee for c in typo.value.candidates] == ["22222"]
    with pytest.raises(UnknownCommune) as nothing:
        t.resolve_commune("99999")
    assert nothing.value.candidates == [] and "99999" in str(nothing.value)


def test_completion_prefix_then_word_then_substring(t: dg.Tables) -> None:
    assert [c.label for c in t.commune_index.complete("sur")] == ["Épernay-sur-Aude"]
    assert {"Deuxville", "Troisville"} <= {c.label for c in t.commune_index.complete("ville")}  # substring
    assert [c.insee for c in t.commune_index.complete("SAINT")] == ["11201", "33202"]
    assert t.commune_index.complete("e")[0].label == "Épernay-sur-Aude"  # a prefix match comes first
    assert t.commune_index.complete("  ") == []


def test_sort_key_is_accent_aware() -> None:
    names = ["Zèbre", "Épernay", "eau", "Ezy", "Abbeville", "Œuvre", "Orange", "élan"]
    assert sorted(names) != sorted(names, key=sort_key)  # code-point order puts É, Œ and é last
    assert sorted(names, key=sort_key) == ["Abbeville", "eau", "élan", "Épernay", "Ezy", "Œuvre", "Orange", "Zèbre"]


def test_ranking_ties_follow_the_sort_key(t: dg.Tables) -> None:
    labels = [t.label(u) for u in sorted(t.usecases, key=t.sort_key)]
    assert labels == sorted(labels, key=sort_key)


def _run(store: EmbeddedStore, *args: str) -> object:
    return CliRunner().invoke(cli, ["--store", str(store.path), *args])


def test_cli_diagnostic_by_name_is_the_diagnostic_by_code(store: EmbeddedStore) -> None:
    by_code = _run(store, "diagnostic", "11111", "uc-a", "--format", "json")
    by_name = _run(store, "diagnostic", "UNVILLE", "uc-a", "--format", "json")
    assert by_code.exit_code == 0 and by_name.exit_code == 0, by_name.output
    assert by_code.output == by_name.output and '"commune_label": "Unville"' in by_code.output


def test_cli_ambiguous_commune_exits_2_with_suggestions(store: EmbeddedStore) -> None:
    for args in (("diagnostic", "Saint-Ambroix", "uc-a"), ("roadmap", "saint ambroix")):
        result = _run(store, *args)
        assert result.exit_code == 2
        assert "Saint-Ambroix (11201)" in result.output and "Saint-Ambroix (33202)" in result.output


def test_cli_unknown_commune_and_use_case_exit_2_with_suggestions(store: EmbeddedStore) -> None:
    result = _run(store, "roadmap", "Troisvile")
    assert result.exit_code == 2 and "Troisville (33333)" in result.output
    result = _run(store, "diagnostic", "11111", "uc-z")
    assert result.exit_code == 2 and "uc-a" in result.output and "odl-graph usecases" in result.output


def test_cli_usecases_lists_every_use_case(store: EmbeddedStore) -> None:
    expected = {(r["u"].value.rsplit("/", 1)[-1], r["fr"].value, r["en"].value) for r in store.query(
        "SELECT ?u ?fr ?en WHERE { ?u a <https://w3id.org/odl-graph/def#UseCase> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?fr, ?en FILTER(lang(?fr) = 'fr' && lang(?en) = 'en') }")}
    assert len(expected) >= 4
    fr = _run(store, "usecases", "--format", "csv")
    en = _run(store, "usecases", "--lang", "en", "--format", "csv")
    assert fr.exit_code == 0 and en.exit_code == 0
    rows_fr = [line.split(",")[:2] for line in fr.output.splitlines()[1:]]
    rows_en = [line.split(",")[:2] for line in en.output.splitlines()[1:]]
    assert {(u, label) for u, label in rows_fr} == {(u, f) for u, f, _e in expected}
    assert {(u, label) for u, label in rows_en} == {(u, e) for u, _f, e in expected}
    assert [label for _u, label in rows_fr] == sorted((label for _u, label in rows_fr), key=sort_key)


def test_the_api_takes_a_name_too(store: EmbeddedStore) -> None:
    from analyses_support import make_app

    client = make_app(store).test_client()
    assert client.get("/api/roadmap/unville").get_json()["insee"] == "11111"
    amb = client.get("/api/roadmap/Saint-Ambroix")
    assert amb.status_code == 404 and "Saint-Ambroix (33202)" in amb.get_json()["error"]

