"""FIBO-style hygiene of the ontology, our SKOS schemes and every Turtle file of the repository.

- every term used as a predicate or a class is declared (ontology/odl.ttl or data/vocab/*);
- every odl: term and every concept has French and English labels and definitions, unique per language;
- odl_graph/namespace.py is the current output of the generator;
- HermiT finds the ontology (with our vocabularies) consistent, and classifies odl:BlockingDataset.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from odl_graph import iris, namespace_gen
from odl_graph.config import PROJECT_ROOT
from odl_graph.vocab_files import (
    EXTERNAL_DIR,
    EXTERNAL_VOCABULARIES,
    LINT_VOCABULARIES,
    ONTOLOGY_FILE,
    SHAPE_FILES,
    VOCABULARY_FILES,
    load,
    rdf_format,
)

ONTOLOGY_IRI = URIRef(iris.ONTOLOGY)
BUILT_IN = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
)
SOURCES_MD = EXTERNAL_DIR / "SOURCES.md"


def _rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


@cache
def ontology() -> Graph:
    return load(ONTOLOGY_FILE)


@cache
def declared_terms() -> frozenset[URIRef]:
    """Everything typed in the ontology or in a reused vocabulary (data/vocab/*)."""
    graphs = [ontology(), *(load(p) for p in [*EXTERNAL_VOCABULARIES.values(), *LINT_VOCABULARIES.values()])]
    return frozenset(s for g in graphs for s in g.subjects(RDF.type, None) if isinstance(s, URIRef))


def checked_files() -> list[Path]:
    """Our own RDF files: ontology, SKOS schemes, shapes, shape fixtures and any data/**/*.ttl we write."""
    files = [ONTOLOGY_FILE, *VOCABULARY_FILES.values(), *SHAPE_FILES.values()]
    files += sorted((PROJECT_ROOT / "tests" / "shapes").glob("*.ttl"))
    files += sorted(p for p in (PROJECT_ROOT / "data").rglob("*.ttl") if EXTERNAL_DIR not in p.parents)
    return files


def used_terms(graph: Graph) -> set[URIRef]:
    """Predicates and classes (objects of rdf:type) used in a graph."""
    terms = {p for p in graph.predicates() if isinstance(p, URIRef)}
    terms |= {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    return terms


@pytest.mark.parametrize("path", checked_files(), ids=_rel)
def test_every_used_term_is_declared(path: Path) -> None:
    undeclared = sorted(
        str(t) for t in used_terms(load(path)) if not str(t).startswith(BUILT_IN) and t not in declared_terms()
    )
    assert not undeclared, f"{_rel(path)}: terms declared neither in ontology/odl.ttl nor data/vocab/: {undeclared}"


def test_undeclared_term_is_caught() -> None:
    """The check above is not vacuous: a misspelt term is reported."""
    g = Graph()
    g.add((URIRef("https://x.example/a"), URIRef(iris.TERMS + "adresses"), URIRef("https://x.example/b")))
    assert URIRef(iris.TERMS + "adresses") in used_terms(g) - declared_terms()


# --- external vocabulary copies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted({**EXTERNAL_VOCABULARIES, **LINT_VOCABULARIES}))
def test_reused_vocabulary_parses_and_has_provenance(name: str) -> None:
    path = {**EXTERNAL_VOCABULARIES, **LINT_VOCABULARIES}[name]
    assert len(load(path)) > 0
    assert f"`{path.name}`" in SOURCES_MD.read_text(encoding="utf-8"), f"{path.name} missing from SOURCES.md"


def test_rdf_format_by_extension() -> None:
    assert rdf_format(EXTERNAL_VOCABULARIES["access-right"]) == "xml"
    assert rdf_format(ONTOLOGY_FILE) == "turtle"
    with pytest.raises(ValueError, match="unknown RDF file extension"):
        rdf_format("x.csv")


# --- labels and definitions --------------------------------------------------------------------------------


def odl_terms() -> list[URIRef]:
    return sorted(t for t in ontology().subjects(RDFS.isDefinedBy, ONTOLOGY_IRI) if isinstance(t, URIRef))


def _langs(graph: Graph, subject: URIRef, prop: URIRef) -> list[str | None]:
    return [o.language if isinstance(o, Literal) else None for o in graph.objects(subject, prop)]


@pytest.mark.parametrize("term", odl_terms(), ids=lambda t: str(t).rsplit("#", 1)[-1])
def test_odl_term_has_french_and_english_label_and_definition(term: URIRef) -> None:
    g = ontology()
    for prop in (RDFS.label, SKOS.definition):
        assert sorted(_langs(g, term, prop)) == ["en", "fr"], f"{term} {prop}: one @fr and one @en expected"


def test_every_odl_iri_in_the_ontology_is_a_defined_term() -> None:
    """An odl: IRI used anywhere in odl.ttl must be defined there (no dangling term)."""
    g = ontology()
    mentioned = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(iris.TERMS)}
    assert mentioned == set(odl_terms())


def _duplicates(graph: Graph, subjects: list[URIRef], prop: URIRef) -> dict[tuple[str, str], list[str]]:
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s in subjects:
        for o in graph.objects(s, prop):
            if isinstance(o, Literal):
                seen[(str(o).casefold(), o.language or "")].append(str(s))
    return {k: v for k, v in seen.items() if len(v) > 1}


def test_odl_labels_unique_per_language() -> None:
    assert not _duplicates(ontology(), odl_terms(), RDFS.label)


def test_namespace_module_is_up_to_date() -> None:
    current = namespace_gen.TARGET.read_text(encoding="utf-8")
    assert current == namespace_gen.render(), "run: python -m odl_graph.namespace_gen"


def test_namespace_module_has_every_term() -> None:
    from odl_graph.namespace import ODL

    for term in odl_terms():
        assert getattr(ODL, str(term)[len(iris.TERMS) :]) == term
    with pytest.raises(AttributeError):
        ODL.adresses  # noqa: B018 - a typo must fail


# --- SKOS schemes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", sorted(VOCABULARY_FILES))
def test_scheme_is_well_formed(scheme: str) -> None:
    g = load(VOCABULARY_FILES[scheme])
    scheme_iri = iris.scheme(scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in g
    concepts = sorted(s for s in g.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))
    assert concepts
    for node in [scheme_iri, *concepts]:
        for prop in (SKOS.prefLabel, SKOS.definition):
            assert sorted(_langs(g, node, prop)) == ["en", "fr"], f"{node} {prop}: one @fr and one @en expected"
    prefix = str(iris.concept(scheme, ""))
    for c in concepts:
        assert str(c).startswith(prefix) and iris.is_slug(str(c)[len(prefix) :]), c
        assert (c, SKOS.inScheme, scheme_iri) in g, c
        top = (c, SKOS.topConceptOf, scheme_iri) in g
        assert top == ((scheme_iri, SKOS.hasTopConcept, c) in g), f"{c}: topConceptOf/hasTopConcept disagree"
        assert top != bool(list(g.objects(c, SKOS.broader))), f"{c}: a concept is either top or has a broader"
        for broader in g.objects(c, SKOS.broader):
            assert (broader, SKOS.narrower, c) in g, f"{c} broader {broader} without the inverse narrower"
        for narrower in g.objects(c, SKOS.narrower):
            assert (narrower, SKOS.broader, c) in g, f"{c} narrower {narrower} without the inverse broader"
    assert not _duplicates(g, concepts, SKOS.prefLabel), "prefLabels must be unique per language in a scheme"


MAPPED_SCHEMES = {"openness": "access-right", "theme": "data-theme"}


@pytest.mark.parametrize("scheme", sorted(MAPPED_SCHEMES))
def test_every_concept_maps_to_an_existing_eu_concept(scheme: str) -> None:
    g = load(VOCABULARY_FILES[scheme])
    eu = load(EXTERNAL_VOCABULARIES[MAPPED_SCHEMES[scheme]])
    mapping = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
    for c in g.subjects(RDF.type, SKOS.Concept):
        targets = [o for p in mapping for o in g.objects(c, p)]
        assert targets, f"{c} has no mapping to the EU {MAPPED_SCHEMES[scheme]} table"
        for t in targets:
            assert (t, RDF.type, SKOS.Concept) in eu, f"{c} maps to {t}, absent from the EU table"


# --- OWL reasoning (HermiT through owlready2) --------------------------------------------------------------

BLOCKING_FIXTURE = """
@prefix odl: <https://w3id.org/odl-graph/def#> .
@prefix o: <https://w3id.org/odl-graph/id/concept/openness/> .
@prefix level: <https://w3id.org/odl-graph/id/concept/requirement-level/> .
@prefix x: <https://w3id.org/odl-graph/id/test/> .
x:uc a odl:UseCase ; odl:hasRequirement x:r-trees , x:r-weather .
x:r-trees a odl:DataRequirement ; odl:requiredCategory x:trees ; odl:requirementLevel level:indispensable .
x:r-weather a odl:DataRequirement ; odl:requiredCategory x:weather ; odl:requirementLevel level:useful .
x:trees a odl:DataCategory .
x:weather a odl:DataCategory .
x:ds-private a odl:Dataset ; odl:instantiates x:trees ; odl:opennessStatus o:property .
x:ds-paid a odl:Dataset ; odl:instantiates x:trees ; odl:opennessStatus o:paid .
x:ds-open a odl:Dataset ; odl:instantiates x:trees ; odl:opennessStatus o:open .
x:ds-no-status a odl:Dataset ; odl:instantiates x:trees .
x:ds-useful-only a odl:Dataset ; odl:instantiates x:weather ; odl:opennessStatus o:candidate .
"""


def _hermit(graph: Graph):
    """Load a graph in a fresh owlready2 world and run HermiT; returns the world."""
    owlready2 = pytest.importorskip("owlready2")
    java = shutil.which("java")
    if java is None:
        pytest.skip("HermiT needs Java (apt-get install default-jre-headless)")
    owlready2.JAVA_EXE = java
    with tempfile.TemporaryDirectory(prefix="odl-hygiene-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return world


def _schema() -> Graph:
    graph = Graph()
    graph += ontology()
    for path in VOCABULARY_FILES.values():
        graph += load(path)
    return graph


@pytest.mark.slow
def test_ontology_with_vocabularies_is_consistent_under_hermit() -> None:
    world = _hermit(_schema())
    unsatisfiable = [c.iri for c in world.inconsistent_classes() if "owl#Nothing" not in c.iri]
    assert not unsatisfiable


@pytest.mark.slow
def test_hermit_classifies_blocking_datasets() -> None:
    graph = _schema()
    graph.parse(data=BLOCKING_FIXTURE, format="turtle")
    world = _hermit(graph)
    blocking = world[iris.TERMS + "BlockingDataset"]
    found = {i.iri.rsplit("/", 1)[-1] for i in blocking.instances()}
    assert found == {"ds-private", "ds-paid"}
