"""End to end: the shipped sources build, validate and reason; bad input fails with
its source location; a failed build leaves the previous store answering with the previous content;
the key figures match the source files."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, odl_graph_cli

from odl_graph import iris
from odl_graph.analyses.stats import key_figures
from odl_graph.build.pipeline import build
from odl_graph.config import load_settings
from odl_graph.errors import CuratedDataError, ValidationFailed
from odl_graph.namespace import ODL
from odl_graph.stores import EmbeddedStore

CURATED = ROOT / "data" / "curated"
SOURCES = ROOT / "data" / "sources"
OLD = "<urn:odl:test:old> <urn:odl:test:p> \"old content\" ."


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def mutate(tmp: Path, file: str, change) -> tuple[Path, int, int]:
    """Copy data/curated to tmp and change one row of FILE; returns (folder, line, column) of the cell."""
    folder = tmp / "curated"
    shutil.copytree(CURATED, folder)
    path = folder / file
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    line, column = change(table)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    return folder, line, column


def set_cell(column_name: str, value: str, where=lambda r, h: True):
    def change(table: list[list[str]]) -> tuple[int, int]:
        header = table[0]
        col = header.index(column_name)
        for i, row in enumerate(table[1:], start=2):
            if where(row, header):
                row[col] = value
                return i, col + 1
        raise AssertionError("no row to change")

    return change


# -- the shipped build --------------------------------------------------------------------------

def test_build_of_the_shipped_sources_conforms(shipped_build: Any) -> None:
    out = shipped_build.stdout
    assert "validation: 0 violations" in out
    for graph in ("graph/ontology/odl", "graph/vocab/openness", "graph/import/cog", "graph/data/use_cases"):
        assert graph in out


def test_build_prints_the_source_rows_it_corrected_or_left_out(shipped_build: Any) -> None:
    """Issue 19: the car-pool place of Aix-Noulette coded 62160 (Boulogne-sur-Mer) and Brétigny-sur-Orge's place
    coded with its postal code are printed as corrected, with the counts of each importer's checks."""
    out = " ".join(shipped_build.stdout.split())  # rich may wrap long lines
    assert "62160-C-001" in out and "Aix-Noulette (62019)" in out
    assert "91220-C-001" in out and "Brétigny-sur-Orge (91103)" in out
    assert "source checks, bnlc:" in out and "row(s) corrected" in out and "row(s) left out" in out
    assert "source checks, bodies:" in out and "row(s) not joined" in out


def test_key_figures_match_the_source_files(shipped_store: EmbeddedStore) -> None:
    figures = key_figures(shipped_store)
    assert figures["communes"] == len(rows(SOURCES / "cog" / "communes.csv")) == 34969
    assert figures["EPCI"] == len(rows(SOURCES / "cog" / "epci.csv")) == 1255
    assert figures["départements"] == len(rows(SOURCES / "cog" / "departements.csv")) == 109
    assert figures["régions"] == len(rows(SOURCES / "cog" / "regions.csv")) == 26
    assert figures["ACV communes"] == len(rows(SOURCES / "acv" / "acv_communes_2025.csv")) == 244
    assert figures["ACV communes flagged 2018"] == len(rows(SOURCES / "acv" / "acv_villes_2018.csv")) == 222
    assert figures["standards"] >= len(rows(SOURCES / "scdl" / "schemas-index.csv")) >= 93
    assert figures["SCDL standards"] == 14
    assert figures["use cases"] == len(rows(CURATED / "use_cases.csv")) >= 30
    assert figures["use cases with ≥2 required data categories"] == figures["use cases"]
    assert figures["experiments"] == len(rows(CURATED / "experiments.csv")) == 17
    assert figures["data categories"] == len(rows(CURATED / "data_categories.csv"))
    assert figures["datasets"] >= len(rows(CURATED / "datasets.csv"))
    searches = rows(CURATED / "dataset_searches.csv")
    assert figures["data categories searched for datasets"] == len({r["category"] for r in searches})
    covered = {c for r in rows(CURATED / "datasets.csv") for c in r["data_category"].split(";")}
    covered |= {r["category"] for r in searches if r["outcome"] == "none-known" and r["sources"]}
    assert figures["data categories with a dataset, or a sourced statement that none is known"] == len(covered) >= 40


def test_stats_command_prints_the_figures(shipped_build: Any) -> None:
    result = odl_graph_cli("--store", str(shipped_build.store_path), "stats")
    assert result.returncode == 0, result.stderr
    for text in ("34,969", "1,255", "ACV communes flagged 2018", "graph/import/scdl", "https://w3id.org/odl-graph/def#UseCase"):
        assert text in result.stdout


TRACE_GAPS = """
PREFIX odl: <https://w3id.org/odl-graph/def#>
SELECT ?u ?gap WHERE {
  ?u a odl:UseCase .
  { FILTER NOT EXISTS { ?u odl:addresses ?c . ?c a odl:Challenge } BIND("challenge" AS ?gap) }
  UNION
  { ?u odl:hasRequirement/odl:requiredCategory ?cat .
    FILTER NOT EXISTS { ?cat odl:typicalProducer ?p . ?p a odl:Actor }  BIND("producer" AS ?gap) }
  UNION
  { ?u odl:hasRequirement/odl:requiredCategory ?cat .
    FILTER NOT EXISTS { ?cat odl:usualOpennessStatus ?s . ?s a <http://www.w3.org/2004/02/skos/core#Concept> }
    BIND("status" AS ?gap) }
}"""

TRACE = """
PREFIX odl: <https://w3id.org/odl-graph/def#>
SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {
  ?challenge a odl:Challenge . ?u odl:addresses ?challenge ; odl:hasRequirement ?r .
  ?r odl:requiredCategory ?cat . ?cat odl:typicalProducer ?actor ; odl:usualOpennessStatus ?status .
  ?actor a odl:Actor . ?status a <http://www.w3.org/2004/02/skos/core#Concept> .
}"""


def test_trace_challenge_to_status_has_no_gaps(shipped_store: EmbeddedStore) -> None:
    gaps = [(r["u"].value, r["gap"].value) for r in shipped_store.query(TRACE_GAPS)]
    assert gaps == []
    n = int(next(iter(shipped_store.query(TRACE)))["n"].value)
    assert n == key_figures(shipped_store)["use cases"]


def test_no_iri_is_used_without_being_described(shipped_store: EmbeddedStore) -> None:
    """Link integrity: every object IRI of our namespace in the data graphs has a type somewhere."""
    q = f"""SELECT DISTINCT ?o WHERE {{
      GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{iris.BASE}id/"))
      FILTER(STRSTARTS(STR(?g), "{iris.BASE}graph/data/") || STRSTARTS(STR(?g), "{iris.BASE}graph/import/"))
      FILTER NOT EXISTS {{ ?o a ?type }}
    }} LIMIT 20"""
    assert [r["o"].value for r in shipped_store.query(q)] == []


def test_every_territory_reference_resolves_to_the_cog(shipped_store: EmbeddedStore) -> None:
    q = f"""PREFIX odl: <{iris.TERMS}>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT DISTINCT ?t WHERE {{
      {{ ?x dcterms:spatial ?t }} UNION {{ ?x odl:competentFor ?t }}
      UNION {{ ?x odl:inEPCI|odl:inDepartement|odl:inRegion ?t }}
      FILTER NOT EXISTS {{ ?t a ?c VALUES ?c {{ odl:Commune odl:EPCI odl:Departement odl:Region }} }}
      FILTER(?t != <{iris.BASE}id/territory/france>)
    }}"""
    assert [r["t"].value for r in shipped_store.query(q)] == []


def test_named_graphs_record_their_source_files(shipped_store: EmbeddedStore) -> None:
    q = f"""SELECT ?src WHERE {{ GRAPH <{iris.graph("meta")}> {{
      <{iris.graph("data", "use_cases")}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?src }} }}"""
    assert [r["src"].value for r in shipped_store.query(q)] == [iris.BASE + "source/data/curated/use_cases.csv"]


# -- validate ---------------------------------------------------------------------------------------

@pytest.mark.slow  # validates or builds every shipped source
def test_validate_names_file_line_column_focus_path_and_both_messages(tmp_path: Path) -> None:
    folder, line, col = mutate(tmp_path, "datasets.csv", set_cell("status", "grand-ouvert"))
    # a use case with no challenge, a dataset with no French description and one with a local-content
    # code outside its scheme, in the same run
    uc_line, uc_col = _blank_challenges(folder)
    desc_line, desc_col = _set_dataset_cell(folder, 3, "description_fr", "")
    local_line, local_col = _set_dataset_cell(folder, 4, "local_content", "everywhere")
    result = odl_graph_cli("validate", "--curated", str(folder), "--format", "json")
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    by_path = {(r["path"], r["source"].rsplit("/", 1)[-1]): r for r in violations}
    status = by_path[(iris.TERMS + "opennessStatus", f"datasets.csv:{line}:{col}")]
    assert status["focus"].startswith(iris.BASE + "id/dataset/")
    assert status["message_fr"] and status["message_en"] and status["message_fr"] != status["message_en"]
    description = by_path[("http://purl.org/dc/terms/description", f"datasets.csv:{desc_line}:{desc_col}")]
    assert description["shape"].endswith("description-fr-required")
    local = by_path[(iris.TERMS + "localContent", f"datasets.csv:{local_line}:{local_col}")]
    assert local["shape"].endswith("Dataset-localContent")
    challenge = by_path[(iris.TERMS + "addresses", f"use_cases.csv:{uc_line}:{uc_col}")]
    assert challenge["focus"].startswith(iris.BASE + "id/usecase/")
    assert "défi" in challenge["message_fr"].lower() or "challenge" in challenge["message_fr"].lower()


def _set_dataset_cell(folder: Path, row: int, column: str, value: str) -> tuple[int, int]:
    """Set one cell of datasets.csv (row 1 = first data row); returns its (line, column)."""
    path = folder / "datasets.csv"
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    col = table[0].index(column)
    table[row][col] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    return row + 1, col + 1


def _blank_challenges(folder: Path) -> tuple[int, int]:
    path = folder / "use_cases.csv"
    with path.open(encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    col = table[0].index("challenges")
    table[1][col] = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    return 2, col + 1


@pytest.mark.slow  # validates or builds every shipped source
def test_validate_text_table_and_exit_codes(tmp_path: Path) -> None:
    result = odl_graph_cli("validate", "--format", "text")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "conforms: 0 violation(s)" in result.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "services.csv").write_text("id,label_fr\n", encoding="utf-8")
    result = odl_graph_cli("validate", "--curated", str(broken))
    assert result.returncode == 2
    assert "services.csv:1" in result.stderr and "missing column" in result.stderr


# -- atomic builds ------------------------------------------------------------------------------

@pytest.fixture
def old_store(tmp_path: Path) -> tuple[dict, EmbeddedStore]:
    settings = load_settings({"store": str(tmp_path / "store"), "cache_dir": str(tmp_path / "cache")})
    store = EmbeddedStore(settings["store"])
    store.replace_all(OLD.encode() + b"\n")
    return settings, store


def assert_unchanged(store: EmbeddedStore, version: str | None) -> None:
    fresh = EmbeddedStore(store.path)
    assert fresh.version() == version
    assert [r["o"].value for r in fresh.query("SELECT ?o WHERE { <urn:odl:test:old> ?p ?o }")] == ["old content"]
    versions = sorted(p.name for p in (store.path / "versions").iterdir())
    assert versions == [version], "a failed build left a partial version behind"


def test_failed_build_on_bad_syntax_leaves_the_store(tmp_path: Path, old_store) -> None:
    settings, store = old_store
    version = store.version()
    folder, _, _ = mutate(tmp_path, "challenges.csv", set_cell("id", "Not A Slug"))
    with pytest.raises(CuratedDataError, match=r"challenges.csv:2:1"):
        build(settings, curated_dir=folder, importers=[])
    assert_unchanged(store, version)


def test_failed_build_on_violation_leaves_the_store(tmp_path: Path, old_store) -> None:
    settings, store = old_store
    version = store.version()
    folder, line, col = mutate(tmp_path, "datasets.csv", set_cell("status", "grand-ouvert"))
    with pytest.raises(ValidationFailed) as info:
        build(settings, curated_dir=folder, importers=["scdl"])
    assert any(r.source.endswith(f"datasets.csv:{line}:{col}") for r in info.value.report.violations)
    assert_unchanged(store, version)


@pytest.mark.java
def test_build_crashing_while_writing_leaves_the_store(old_store, monkeypatch) -> None:
    import pyoxigraph

    settings, store = old_store
    version = store.version()
    calls = {"n": 0}
    real = pyoxigraph.Store.bulk_load

    def crash_halfway(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full (simulated)")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pyoxigraph.Store, "bulk_load", crash_halfway)
    with pytest.raises(RuntimeError, match="simulated"):
        build(settings, importers=["scdl"], fail_on_violation=False)
    assert calls["n"] == 3
    assert_unchanged(store, version)


def test_cli_build_with_bad_status_and_insee_keeps_the_previous_store(shipped_build: Any, tmp_path: Path) -> None:
    store_copy = tmp_path / "store"
    shutil.copytree(shipped_build.store_path, store_copy, symlinks=True)
    before = EmbeddedStore(store_copy)
    version, counts = before.version(), before.triple_counts()
    folder, line, col = mutate(tmp_path, "datasets.csv", set_cell("status", "grand-ouvert"))
    path = folder / "experiments.csv"
    text = path.read_text(encoding="utf-8")
    first = rows(path)[0]["commune"]
    path.write_text(text.replace(f",{first},", ",99999,", 1), encoding="utf-8")
    result = odl_graph_cli("--store", str(store_copy), "build", "--curated", str(folder))
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert f"datasets.csv:{line}:{col}" in out
    assert "experiments.csv:2:" in out
    after = EmbeddedStore(store_copy)
    assert after.version() == version and after.triple_counts() == counts


# -- reasoning -----------------------------------------------------------------------------------

REASON = ROOT / "tests" / "data" / "reason"


@pytest.mark.java
@pytest.mark.parametrize(
    ("fixture", "code", "expected"),
    [
        pytest.param("blocking.ttl", 0, "BlockingDataset: 1", id="classifies"),
        pytest.param("inconsistent.ttl", 1, "two-statuses has distinct values of functional", id="inconsistent"),
        pytest.param("unsatisfiable.ttl", 1, "unsatisfiable classes: https://example.org/UseCaseDataset", id="unsat"),
    ],
)
def test_reason_exit_codes(fixture: str, code: int, expected: str) -> None:
    result = odl_graph_cli("reason", str(REASON / fixture))
    assert result.returncode == code, result.stdout + result.stderr
    assert expected in " ".join(result.stdout.split())


def test_the_build_loads_the_inferred_graph_and_reason_writes_nothing(shipped_build: Any) -> None:
    """Reasoning is a stage of the build: graph/inferred holds HermiT's class memberships (here the
    blocking datasets, the defined class's members among the curated data); `odl-graph reason` checks
    the same sources and leaves the store as it is."""
    store = EmbeddedStore(shipped_build.store_path)
    inferred = str(iris.graph("inferred"))
    blocking = {r["d"].value for r in store.query(
        f"SELECT ?d WHERE {{ GRAPH <{inferred}> {{ ?d a <{ODL.BlockingDataset}> }} }}")}
    asserted = {r["d"].value for r in store.query(f"""SELECT DISTINCT ?d WHERE {{
        ?d a <{ODL.Dataset}> ; <{ODL.opennessStatus}> ?status ; <{ODL.instantiates}> ?cat .
        ?req <{ODL.requiredCategory}> ?cat ; <{ODL.requirementLevel}> ?level .
        FILTER(STRENDS(STR(?level), "/indispensable") && !STRENDS(STR(?status), "/open")) }}""")}
    assert blocking and blocking <= asserted
    before = (store.version(), store.triple_counts())
    result = odl_graph_cli("--store", str(shipped_build.store_path), "reason")
    assert result.returncode == 0, result.stdout + result.stderr
    memberships = store.triple_counts()[inferred]
    assert f"consistent: {memberships} inferred class membership(s)" in result.stdout
    after = EmbeddedStore(shipped_build.store_path)
    assert (after.version(), after.triple_counts()) == before


def test_every_term_used_by_the_data_is_declared(shipped_store: EmbeddedStore) -> None:
    """FIBO-style hygiene on what the build loaded: each predicate and class used in a data graph is
    described in our ontology or in a reused vocabulary (RDF, RDFS and OWL built-ins aside)."""
    b = iris.BASE
    q = f"""SELECT DISTINCT ?term WHERE {{
      GRAPH ?g {{ {{ ?s ?term ?o }} UNION {{ ?s a ?term }} }}
      FILTER(STRSTARTS(STR(?g), "{b}graph/data/") || STRSTARTS(STR(?g), "{b}graph/import/"))
      FILTER(!STRSTARTS(STR(?term), "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))
      FILTER(!STRSTARTS(STR(?term), "http://www.w3.org/2000/01/rdf-schema#"))
      FILTER(!STRSTARTS(STR(?term), "http://www.w3.org/2002/07/owl#"))
      FILTER NOT EXISTS {{
        GRAPH ?d {{ ?term ?p ?v }}
        FILTER(STRSTARTS(STR(?d), "{b}graph/ontology/") || STRSTARTS(STR(?d), "{b}graph/external/"))
      }}
    }}"""
    assert sorted(r["term"].value for r in shipped_store.query(q)) == []


@pytest.mark.java
def test_a_configured_base_iri_rebases_terms_and_resources(tmp_path: Path) -> None:
    base = "http://data.example.org/odl/"
    settings = load_settings({"store": str(tmp_path / "store"), "cache_dir": str(tmp_path / "cache"), "base_iri": base})
    build(settings, importers=[], fail_on_violation=False)
    store = EmbeddedStore(settings["store"])
    assert all(not g.startswith(iris.BASE) for g in store.graph_names())
    assert f"{base}graph/data/use_cases" in store.graph_names()
    ask = f"ASK {{ ?u a <{base}def#UseCase> ; <{base}def#addresses> ?c . FILTER(STRSTARTS(STR(?u), '{base}id/')) }}"
    assert bool(store.query(ask))
    assert not bool(store.query(f"ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{iris.BASE}')) }}"))
    assert key_figures(store, base)["use cases"] == len(rows(CURATED / "use_cases.csv"))
