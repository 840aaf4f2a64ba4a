"""Manifest-driven SHACL tests: each case of tests/shapes/manifest.yaml is a fixture plus its exact report.

Validation mirrors the build (odl_graph/build/validate.py): inference "none", our SKOS vocabularies loaded with
the data, the ontology not mixed in.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pyshacl
import pytest
import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from odl_graph.vocab_files import LINT_VOCABULARIES, SHAPE_FILES, VOCABULARY_FILES, load

HERE = Path(__file__).parent / "shapes"
MANIFEST = HERE / "manifest.yaml"
ODLSH = Namespace("https://w3id.org/odl-graph/shapes#")
_PREFIX_RE = re.compile(r"^@prefix\s+([A-Za-z0-9_-]*):\s*<([^>]*)>\s*\.\s*$", re.MULTILINE)

# Constraint parameters -> the component whose results they produce (SHACL Core).
PARAMETER_COMPONENTS = {
    SH.minCount: "MinCount",
    SH.maxCount: "MaxCount",
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH["in"]: "In",
    SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang",
    SH.qualifiedMinCount: "QualifiedMinCount",
    SH["or"]: "Or",
    SH.hasValue: "HasValue",
    SH.minInclusive: "MinInclusive",
    SH.node: "Node",
    SH.xone: "Xone",
}

Result = tuple[str, str | None, str, str, str]


@cache
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@cache
def prefixes(base: str) -> dict[str, str]:
    found = dict(_PREFIX_RE.findall((HERE / base).read_text(encoding="utf-8")))
    found["odlsh"] = str(ODLSH)
    return found


def expand(term: str, base: str) -> str:
    prefix, _, local = term.partition(":")
    try:
        return prefixes(base)[prefix] + local
    except KeyError:
        raise ValueError(f"{MANIFEST}: unknown prefix in {term!r}") from None


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in SHAPE_FILES.values():
        graph += load(path)
    return graph


@cache
def vocabulary_graph() -> Graph:
    graph = Graph()
    for path in VOCABULARY_FILES.values():
        graph += load(path)
    return graph


def _snippet(text: str, base: str) -> Graph:
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes(base).items())
    return Graph().parse(data=header + text, format="turtle")


def case_data(case: dict) -> Graph:
    base = case.get("data", manifest()["base"])
    graph = Graph().parse(HERE / base, format="turtle")
    if "delete" in case:
        removed = _snippet(case["delete"], base)
        missing = [t for t in removed if t not in graph]
        assert not missing, f"case {case['id']}: delete lists triples absent from {base}: {missing}"
        graph -= removed
    if "add" in case:
        graph += _snippet(case["add"], base)
    return graph


def _path_text(report: Graph, path: object) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = report.value(path, SH.inversePath)
        assert inverse is not None, "only inverse paths are used in our shapes"
        return "^" + str(inverse)
    return str(path)


def report_results(report: Graph) -> Counter[Result]:
    out: Counter[Result] = Counter()
    # top-level results only: pyshacl also types the nested sh:detail results of sh:node as results
    for r in report.objects(None, SH.result):
        component = str(report.value(r, SH.sourceConstraintComponent))
        out[
            (
                str(report.value(r, SH.focusNode)),
                _path_text(report, report.value(r, SH.resultPath)),
                str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                str(report.value(r, SH.sourceShape)),
                component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent"),
            )
        ] += 1
    return out


def expected_results(case: dict) -> Counter[Result]:
    base = case.get("data", manifest()["base"])
    out: Counter[Result] = Counter()
    for focus, path, severity, shape, component in case["results"]:
        if path is None:
            path_iri = None
        elif path.startswith("^"):
            path_iri = "^" + expand(path[1:], base)
        else:
            path_iri = expand(path, base)
        out[(expand(focus, base), path_iri, severity, expand(shape, base), component)] += 1
    return out


def validate(data: Graph) -> tuple[bool, Graph]:
    conforms, report, _text = pyshacl.validate(
        data + vocabulary_graph(), shacl_graph=shapes_graph(), inference="none", allow_warnings=False
    )
    assert isinstance(report, Graph)
    return bool(conforms), report


def _params() -> list:
    params = []
    for case in manifest()["cases"]:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case: dict) -> None:
    conforms, report = validate(case_data(case))
    got, want = report_results(report), expected_results(case)
    assert got == want, f"unexpected: {sorted((got - want).elements())}\nmissing: {sorted((want - got).elements())}"
    assert conforms == (not want)


def _shape_constraints() -> set[tuple[str, str]]:
    """(shape IRI, component) for every targeted node shape and every property shape of the shapes graph."""
    graph = shapes_graph()
    reported_shapes = set(graph.objects(None, SH.property))
    for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf):
        reported_shapes |= set(graph.subjects(predicate, None))
    pairs = set()
    for shape in reported_shapes:
        for parameter, component in PARAMETER_COMPONENTS.items():
            if (shape, parameter, None) in graph:
                pairs.add((str(shape), component))
    return pairs


def test_manifest_has_a_case_for_every_constraint() -> None:
    covered = set()
    for case in manifest()["cases"]:
        if case.get("xfail"):
            continue
        covered |= {(shape, component) for _f, _p, _s, shape, component in expected_results(case)}
    missing = sorted(_shape_constraints() - covered)
    assert not missing, f"constraints without an invalid fixture in {MANIFEST.name}: {missing}"


def test_manifest_ids_are_unique() -> None:
    ids = [case["id"] for case in manifest()["cases"]]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]


def test_shapes_conform_to_shacl_shacl() -> None:
    """Lint the shapes graph itself with the W3C SHACL-for-SHACL shapes."""
    conforms, _report, text = pyshacl.validate(
        shapes_graph(), shacl_graph=load(LINT_VOCABULARIES["shacl-shacl"]), inference="none"
    )
    assert conforms, text


def test_every_shape_has_french_and_english_messages() -> None:
    graph = shapes_graph()
    shapes = {s for s, _ in _shape_constraints()}
    missing = []
    for shape in sorted(shapes):
        langs = {m.language for m in graph.objects(URIRef(shape), SH.message) if isinstance(m, Literal)}
        if not {"fr", "en"} <= langs:
            missing.append(shape)
    assert not missing, f"shapes without sh:message @fr and @en: {missing}"


def test_scheme_valued_properties_list_exactly_the_scheme_concepts() -> None:
    """sh:in lists must match the concepts of our SKOS files, so a new concept cannot be forgotten."""
    from odl_graph import iris
    from odl_graph.vocab_files import concept_codes

    graph = shapes_graph()
    expected_by_path = {
        "https://w3id.org/odl-graph/def#opennessStatus": "openness",
        "https://w3id.org/odl-graph/def#usualOpennessStatus": "openness",
        "https://w3id.org/odl-graph/def#actorCategory": "actor-category",
        "http://www.w3.org/ns/dcat#theme": "theme",
        "https://w3id.org/odl-graph/def#serviceKind": "service-kind",
        "https://w3id.org/odl-graph/def#stage": "use-case-stage",
        "https://w3id.org/odl-graph/def#requirementLevel": "requirement-level",
        "https://w3id.org/odl-graph/def#localContent": "local-content",
        "https://w3id.org/odl-graph/def#searchOutcome": "search-outcome",
    }
    seen = set()
    for shape, listing in graph.subject_objects(SH["in"]):
        path = str(graph.value(shape, SH.path))
        if path not in expected_by_path:
            continue
        scheme = expected_by_path[path]
        seen.add(path)
        values = {str(v) for v in Collection(graph, listing)}
        assert values == {str(iris.concept(scheme, c)) for c in concept_codes(scheme)}, (shape, scheme)
    assert seen == set(expected_by_path)
