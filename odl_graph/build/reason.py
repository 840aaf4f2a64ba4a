"""OWL reasoning with owlready2 + HermiT, a stage of the build: consistency of ontology + curated data,
and the inferred class memberships (e.g. odl:BlockingDataset) that the build loads as graph/inferred.

It works on the graphs being built, before the store is swapped: an inconsistent graph never reaches
readers, and nothing is read back from the store."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from odl_graph import vocab_files
from odl_graph.build.sources import SourceGraph, compiler_context, curated_graphs, parse_rdf, schema_graphs
from odl_graph.errors import BuildError, OdlError

INFERRED_ONTOLOGY = "http://odl-graph.invalid/inferred#"


class ReasonerUnavailable(OdlError):
    """HermiT needs Java."""


class Inconsistent(BuildError):
    """The ontology and the curated data are inconsistent, or a class is unsatisfiable; carries the result."""

    def __init__(self, result: ReasonResult) -> None:
        self.result = result
        super().__init__(result.explanation if not result.consistent
                         else "unsatisfiable classes: " + ", ".join(result.unsatisfiable))


@dataclass
class ReasonResult:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    explanation: str = ""
    inferred: Graph = field(default_factory=Graph)

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def _java() -> str:
    java = shutil.which("java")
    if not java:
        raise ReasonerUnavailable("HermiT needs Java: install it (apt-get install -y default-jre-headless)")
    return java


def reason(graph: Graph) -> ReasonResult:
    """Run HermiT over one merged graph (ontology + vocabularies + data)."""
    import owlready2

    owlready2.JAVA_EXE = _java()
    with tempfile.TemporaryDirectory(prefix="odl-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(destination=str(path), format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")
        inferred_onto = world.get_ontology(INFERRED_ONTOLOGY)
        try:
            with inferred_onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasonResult(consistent=False, explanation=explain_inconsistency(graph) or _first_line(str(exc)))
        except owlready2.base.OwlReadyJavaError as exc:
            text = str(exc)
            if "Inconsistent" in text or "inconsistent" in text:
                return ReasonResult(consistent=False, explanation=_first_line(text))
            raise OdlError(f"HermiT failed: {_first_line(text)}") from exc
        unsat = sorted(
            c.iri for c in world.inconsistent_classes() if getattr(c, "iri", None) and "owl#Nothing" not in c.iri
        )
        inferred = Graph()
        for s, p, o in inferred_onto.get_triples():
            if p != owlready2.rdf_type or o < 0 or s < 0:
                continue
            s_iri, o_iri = world._unabbreviate(s), world._unabbreviate(o)
            if o_iri.startswith("http://www.w3.org/2002/07/owl#"):
                continue
            triple = (URIRef(s_iri), RDF.type, URIRef(o_iri))
            if triple not in graph:
                inferred.add(triple)
        return ReasonResult(consistent=True, unsatisfiable=unsat, inferred=inferred)


def _rdf_list(graph: Graph, head: object) -> list:
    from rdflib.collection import Collection

    return list(Collection(graph, head))  # type: ignore[arg-type]


def explain_inconsistency(graph: Graph) -> str:
    """Name the asserted facts behind the two kinds of inconsistency our ontology can have:
    an individual in two disjoint classes, or two distinct values of a functional property."""
    from rdflib import OWL, RDFS

    reasons: list[str] = []
    supers: dict[object, set] = {}

    def ancestors(cls: object) -> set:
        if cls not in supers:
            supers[cls] = {cls}
            for parent in graph.objects(cls, RDFS.subClassOf):  # type: ignore[arg-type]
                supers[cls] |= ancestors(parent)
        return supers[cls]

    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = set(_rdf_list(graph, graph.value(group, OWL.members)))
        for ind in set(graph.subjects(RDF.type, None)):
            hit = {m for t in graph.objects(ind, RDF.type) for m in ancestors(t) & members}
            if len(hit) > 1:
                reasons.append(f"{ind} is an instance of disjoint classes {', '.join(sorted(map(str, hit)))}")
    distinct: set[frozenset] = set()
    for group in graph.subjects(RDF.type, OWL.AllDifferent):
        items = _rdf_list(graph, graph.value(group, OWL.distinctMembers))
        distinct |= {frozenset((a, b)) for a in items for b in items if a != b}
    for prop in graph.subjects(RDF.type, OWL.FunctionalProperty):
        for ind in set(graph.subjects(prop, None)):
            values = sorted(set(graph.objects(ind, prop)), key=str)
            if any(frozenset((a, b)) in distinct for a in values for b in values if a != b):
                reasons.append(f"{ind} has distinct values of functional {prop}: {', '.join(map(str, values))}")
    return "; ".join(sorted(reasons)[:10])


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def reason_files(files: list[Path]) -> ReasonResult:
    """Ontology + our vocabularies + the given RDF files (fixtures, drafts); nothing is written."""
    merged = Graph()
    for sg in schema_graphs():
        merged += sg.graph
    for f in files:
        merged += parse_rdf(f)
    return reason(merged)


# Graphs HermiT reasons over: the TBox and the curated ABox. The 35k COG communes add nothing to
# class memberships of interest and would only slow HermiT down.
REASONED_KINDS = ("ontology", "vocab", "data")


def reason_graphs(graphs: list[SourceGraph]) -> ReasonResult:
    """Reason over the graphs of a build that HermiT needs (REASONED_KINDS); the others are ignored."""
    merged = Graph()
    for sg in graphs:
        if sg.kind in REASONED_KINDS:
            merged += sg.graph
    return reason(merged)


def inferred_graph(graphs: list[SourceGraph]) -> SourceGraph:
    """The build stage: graph/inferred from the graphs being built; raises Inconsistent before any write."""
    result = reason_graphs(graphs)
    if not result.ok:
        raise Inconsistent(result)
    return SourceGraph("inferred", "", result.inferred, [vocab_files.ONTOLOGY_FILE])


def reason_sources(settings: dict, curated_dir: Path | None = None) -> ReasonResult:
    """What `odl-graph reason` checks without files: the ontology, vocabularies and curated data a build
    would load (the importers' graphs are not reasoned over); nothing is written."""
    schema = schema_graphs()
    folder = curated_dir or Path(settings["data_dir"]) / "curated"
    return reason_graphs([*schema, *curated_graphs(folder, compiler_context(schema))])
