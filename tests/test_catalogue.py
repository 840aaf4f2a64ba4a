"""The query catalogue: strict headers, typed parameters, inert injection attempts."""

from __future__ import annotations

from pathlib import Path

import pytest
from analyses_support import fixture_store

from odl_graph.analyses import catalogue
from odl_graph.errors import SourceError
from odl_graph.stores import EmbeddedStore

GOOD = """#+ title_fr: Titre
#+ title_en: Title
#+ description: A test query.
#+ params:
#+   - name: usecase
#+     type: usecase
#+     default: uc-a
#+ view: table
PREFIX odl: <https://w3id.org/odl-graph/def#>
SELECT ?usecase ?category WHERE { ?usecase odl:hasRequirement/odl:requiredCategory ?category }
"""

REQUIRED = ["data-per-challenge", "openness-gap-by-actor-category", "blocked-use-cases", "most-needed-categories",
            "blocking-producers", "experiments-by-theme-season", "trace"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return fixture_store(tmp_path_factory.mktemp("store"))


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_catalogue_loads_and_holds_the_required_queries() -> None:
    cat = catalogue.load_catalogue()
    assert set(REQUIRED) <= set(cat)
    for q in cat.values():
        assert q.title_fr and q.title_en and q.description
        assert q.view in catalogue.VIEWS


def test_good_file_parses(tmp_path: Path) -> None:
    q = catalogue.load_catalogue(write(tmp_path, GOOD))["q"]
    assert q.params == (catalogue.Param("usecase", "usecase", "uc-a", ""),)
    assert q.titles == {"fr": "Titre", "en": "Title"} and q.form == "select"


@pytest.mark.parametrize(("mutation", "line", "message"), [
    (("#+ view: table", "#+ view: pie"), 8, "view 'pie' is not one of"),
    (("#+ title_en: Title\n", ""), 1, "'title_en' is required"),
    (("#+ description: A test query.", "#+ descrption: typo"), 3, "unknown header key 'descrption'"),
    (("type: usecase", "type: colour"), 4, "type 'colour' is not one of"),
    (("#+     default: uc-a\n", ""), 4, "'default' is required"),
    (("default: uc-a", "default: 'a b'"), 4, "not a valid usecase code"),
    (("#+ title_fr: Titre", "#+ title_fr: [unclosed"), 2, "not valid YAML"),
    (("?usecase ?category WHERE", "?category WHERE"), None, "top-level SELECT"),
    (("SELECT ?usecase", "SELECT ?usecase ?usecase {{"), 10, "SPARQL syntax error"),
])
def test_malformed_files_fail_loudly_naming_file_and_line(tmp_path: Path, mutation: tuple[str, str],
                                                          line: int | None, message: str) -> None:
    old, new = mutation
    assert old in GOOD
    write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SourceError) as info:
        catalogue.load_catalogue(tmp_path)
    err = info.value
    assert err.location.path.endswith("q.rq")
    assert message in err.message
    if line is not None:
        assert err.location.line == line
    assert str(err).startswith(str(tmp_path / "q.rq"))


def test_no_header_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(SourceError, match="no header"):
        catalogue.load_catalogue(tmp_path)


def test_parameters_are_typed_terms() -> None:
    p = catalogue.Param("n", "xsd:integer")
    assert str(catalogue.to_term(p, "12")) == '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert str(catalogue.to_term(catalogue.Param("c", "commune"), "2A004")) == \
        "<https://w3id.org/odl-graph/id/commune/2A004>"
    assert str(catalogue.to_term(catalogue.Param("t", "concept:theme"), "mobility")) == \
        "<https://w3id.org/odl-graph/id/concept/theme/mobility>"
    with pytest.raises(catalogue.ParameterError, match="not an integer"):
        catalogue.to_term(p, "1; DROP ALL")
    with pytest.raises(catalogue.ParameterError, match="not a usecase IRI"):
        catalogue.to_term(catalogue.Param("u", "usecase"), "https://evil.example/x")


INJECTIONS = [
    'uc-a> } UNION { ?usecase ?p ?category } #',
    '" } SELECT * WHERE { ?s ?p ?o } #',
    "uc-a\n} ; DROP ALL",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_in_a_resource_parameter_is_rejected(store: EmbeddedStore, payload: str) -> None:
    with pytest.raises(catalogue.ParameterError):
        catalogue.run(store, "trace", {"usecase": payload})


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injection_in_a_string_parameter_is_inert(store: EmbeddedStore, tmp_path: Path, payload: str) -> None:
    """A string parameter is one literal: it matches nothing and changes no part of the query."""
    text = """#+ title_fr: Par libellé
#+ title_en: By label
#+ description: Use cases with this French label.
#+ params:
#+   - name: label
#+     type: xsd:string
#+     default: Cas A
#+ view: table
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX odl: <https://w3id.org/odl-graph/def#>
SELECT ?usecase ?label WHERE { ?usecase a odl:UseCase ; rdfs:label ?l FILTER(STR(?l) = ?label) }
"""
    folder = write(tmp_path, text, "by-label.rq")
    ok = catalogue.rows(catalogue.run(store, "by-label", {}, folder=folder).results)
    assert [r["usecase"].rsplit("/", 1)[-1] for r in ok] == ["uc-a"]
    got = catalogue.rows(catalogue.run(store, "by-label", {"label": payload}, folder=folder).results)
    assert got == []


def test_unknown_parameter_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(catalogue.ParameterError, match="unknown parameter"):
        catalogue.run(store, "trace", {"nope": "x"})


def test_parameters_filter_results(store: EmbeddedStore) -> None:
    every = catalogue.rows(catalogue.run(store, "trace").results)
    one = catalogue.rows(catalogue.run(store, "trace", {"usecase": "uc-b"}).results)
    assert {r["usecase"] for r in every} == {f"https://w3id.org/odl-graph/id/usecase/uc-{x}" for x in "abcd"}
    assert {r["usecase"] for r in one} == {"https://w3id.org/odl-graph/id/usecase/uc-b"}
    assert [(r["datasetLabel"], r["statusLabel"]) for r in one] == [
        ("Jeu B de CA Un", "Candidate à l'ouverture"), ("Jeu B de Deuxville", "Ouverte")]
    season2 = catalogue.rows(catalogue.run(store, "experiments-by-theme-season", {"season": "2"}).results)
    assert [r["experimentLabel"] for r in season2] == ["Expérience 2"]


def test_analytic_queries_on_the_fixture(store: EmbeddedStore) -> None:
    blocked = catalogue.rows(catalogue.run(store, "blocked-use-cases").results)
    assert {(r["usecaseLabel"], r["datasetLabel"]) for r in blocked} == {
        ("Cas A", "Jeu B de CA Un"), ("Cas B", "Jeu B de CA Un"), ("Cas C", "Jeu D")}
    producers = catalogue.rows(catalogue.run(store, "blocking-producers").results)
    assert [(r["holderLabel"], r["blockingDatasets"], r["blockedUseCases"]) for r in producers] == [
        ("CA Un", "1", "2"), ("Enedis", "1", "1")]
    needed = catalogue.rows(catalogue.run(store, "most-needed-categories", {"min_use_cases": "2"}).results)
    assert [(r["categoryLabel"], r["useCases"], r["openDatasets"]) for r in needed] == [
        ("Catégorie B", "2", "1")]
    gap_rows = catalogue.rows(catalogue.run(store, "openness-gap-by-actor-category").results)
    gap = {r["actorCategoryLabel"]: r for r in gap_rows}
    assert gap["Intercommunalité"]["notOpenDatasets"] == "1"
    assert gap["Agence ou opérateur de l'État"]["openDatasets"] == "2"  # IGN: Jeu A national, Base E
