"""OWL reasoning with owlready2 + HermiT: consistency of ontology + data, and inferred class
memberships (e.g. odl:BlockingDataset) materialised into their own named graph."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, URIRef

from odl_graph.errors import OdlError

INFERRED_ONTOLOGY = "http://odl-graph.invalid/inferred#"


class ReasonerUnavailable(OdlError):
    """HermiT needs Java."""


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


def _schema_graph() -> Graph:
    from odl_graph.sources import schema_graphs

    merged = Graph()
    for sg in schema_graphs():
        merged += sg.graph
    return merged


def reason_files(files: list[Path]) -> ReasonResult:
    """Ontology + our vocabularies + the given RDF files (fixtures, drafts); nothing is written."""
    from odl_graph.sources import parse_rdf

    merged = _schema_graph()
    for f in files:
        merged += parse_rdf(f)
    return reason(merged)


# Graphs HermiT reasons over: the TBox and the curated ABox. The 35k COG communes add nothing to
# class memberships of interest and would only slow HermiT down.
REASONED_KINDS = ("ontology", "vocab", "data")


def reason_store(settings: dict, *, write: bool = True) -> ReasonResult:
    """Reason over the built store's ontology, vocabularies and curated data; write graph/inferred."""
    import pyoxigraph as ox

    from odl_graph import iris
    from odl_graph.stores import EmbeddedStore, open_store

    store = open_store(settings)
    base = settings["base_iri"]
    merged = Graph()
    for g in store.graph_names():
        rel = iris.relative_path(g, base) or ""
        if any(rel.startswith(f"graph/{k}/") for k in REASONED_KINDS):
            res = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
            merged.parse(data=res.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    result = reason(merged)
    if write and result.ok:
        # replace_all replaces everything (on every backend): copy each graph, then add graph/inferred.
        inferred_iri = iris.rebase(str(iris.graph("inferred")), base)
        data: dict[str, bytes] = {}
        for g in store.graph_names():
            if g == inferred_iri:
                continue
            if isinstance(store, EmbeddedStore):
                res = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
                data[g] = res.serialize(format=ox.RdfFormat.N_TRIPLES)
            else:  # remote: through the Graph Store Protocol, not capped like a CONSTRUCT answer
                data[g] = store.graph_ntriples(g)  # type: ignore[attr-defined]
        data[inferred_iri] = result.inferred.serialize(format="nt", encoding="utf-8")
        store.replace_all(data)
    return result
