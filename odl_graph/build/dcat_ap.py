"""DCAT-AP 3.0.1 conformance of the graph's dataset records (and of the graph's own catalogue).

Conformance is judged on the profile's shapes (dcat-ap-SHACL.ttl, dcat-ap-ranges.ttl: mandatory
properties, cardinalities, value classes). mdr-vocabularies.shape.ttl, the layer that requires values of
the EU authority tables, is checked on request only (`vocabularies=True`): a commune is in no EU place
table and a town council in no EU corporate-body table, so a local record cannot satisfy it; the
catalogue of the graph itself (server/catalog) does.

The shapes are verbatim copies in `data/vocab/dcat-ap-3.0.1/` (data/vocab/SOURCES.md). They check value
classes (a publisher is a `foaf:Agent`, a page a `foaf:Document`, an access right a
`dct:RightsStatement`, a licence a `dct:LicenseDocument`...) without inference. A client validating the
served records does not infer either, so those classes are in the served graph: the standard types our
ontology entails (odl_graph/build/standard_types.py, `graph/inferred/standard-types`) and, for every value
a record points at, the classes the reused vocabularies' `rdfs:range` axioms give it (`range_types`,
`graph/inferred/dcat-ap`): true by RDFS semantics (a value of `foaf:page` is a `foaf:Document`, a value of
`dct:accessRights` a `dct:RightsStatement`). The build validates the records with exactly these triples.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pyshacl
from rdflib import RDF, RDFS, SH, Graph, URIRef
from rdflib.namespace import DCAT

from odl_graph.build.standard_types import standard_types
from odl_graph.vocab_files import EXTERNAL_DIR, ONTOLOGY_FILE, load

SHAPES_DIR = EXTERNAL_DIR / "dcat-ap-3.0.1"
PROFILE_FILES = ("dcat-ap-SHACL.ttl", "dcat-ap-ranges.ttl")
VOCABULARY_SHAPES = "mdr-vocabularies.shape.ttl"
# Reused vocabularies whose rdfs:range axioms type the values of a dataset record.
RANGE_VOCABULARIES = ("dcterms.ttl", "dcat3.ttl", "foaf.ttl")
# EU authority tables the mdr-vocabularies shapes look values up in.
EU_TABLES = ("access-right-skos-ap-act.rdf", "licence-sparql-extract.ttl", "data-theme-skos-ap-act.ttl")


@cache
def shapes(vocabularies: bool = False) -> Graph:
    """The DCAT-AP 3.0.1 profile shapes (and the EU-vocabulary layer on request) as one graph pyshacl accepts.

    dcat-ap-ranges.ttl names 206 property shapes it never defines (no sh:path): pyshacl refuses such a
    graph, so those dangling links are dropped; every defined shape is kept.
    """
    g = Graph()
    for name in (*PROFILE_FILES, *((VOCABULARY_SHAPES,) if vocabularies else ())):
        g += load(SHAPES_DIR / name)
    for node, prop in list(g.subject_objects(SH.property)):
        if (prop, SH.path, None) not in g:
            g.remove((node, SH.property, prop))
    return g


@cache
def _ranges() -> dict[URIRef, set[URIRef]]:
    out: dict[URIRef, set[URIRef]] = {}
    for name in RANGE_VOCABULARIES:
        for prop, rng in load(EXTERNAL_DIR / name).subject_objects(RDFS.range):
            if isinstance(prop, URIRef) and isinstance(rng, URIRef) and rng != RDFS.Literal:
                out.setdefault(prop, set()).add(rng)
    return out


@cache
def _context() -> tuple[Graph, Graph]:
    """(our ontology, the EU tables) loaded once."""
    tables = Graph()
    for name in EU_TABLES:
        tables += load(EXTERNAL_DIR / name)
    return load(ONTOLOGY_FILE), tables


NAME = "dcat-ap"  # graph/inferred/dcat-ap: the range types of the records' values


def range_types(graphs: Iterable[Graph]) -> Graph:
    """The classes the reused vocabularies' `rdfs:range` axioms give the values of the dataset records
    of `graphs` (a landing page is a `foaf:Document`...), less the types already asserted there."""
    graphs = list(graphs)  # looked up in place: a union copy of the whole graph costs seconds
    ranges = _ranges()
    records = {d for g in graphs for d in g.subjects(RDF.type, DCAT.Dataset)}
    out = Graph()
    for g in graphs:
        for d in records:
            for p, o in g.predicate_objects(d):
                if isinstance(o, URIRef):
                    for rng in ranges.get(p, ()):  # type: ignore[arg-type]
                        out.add((o, RDF.type, rng))
    for triple in list(out):
        if any(triple in g for g in graphs):
            out.remove(triple)
    return out


def records_graph(graphs: Iterable[Graph], vocabularies: bool = False) -> Graph:
    """Every dcat:Dataset of `graphs` and what DCAT-AP needs to know of the values it points at, as the
    served graph holds it: their triples, their standard types and their range types (added by the build)."""
    graphs = list(graphs)
    ontology, tables = _context()
    out = Graph()
    values: set[URIRef] = set()
    records = {d for g in graphs for d in g.subjects(RDF.type, DCAT.Dataset)}
    for g in graphs:
        for d in records:
            for p, o in g.predicate_objects(d):
                out.add((d, p, o))
                if isinstance(o, URIRef):
                    values.add(o)
    for g in graphs:
        for v in values - records:
            for p, o in g.predicate_objects(v):
                out.add((v, p, o))
    out += range_types(graphs)
    out += standard_types(ontology, [out])
    if vocabularies:
        out += tables
    return out


def validate_records(graphs: Iterable[Graph], vocabularies: bool = False) -> Graph:
    """The SHACL report (a graph) of the dataset records of `graphs` against DCAT-AP 3.0.1."""
    data = records_graph(graphs, vocabularies)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes(vocabularies), inference="none",
                                                allow_warnings=True)
    return report
