"""Standard types and super-properties, materialised so partners can ask in DCAT, FOAF, ORG, PROV,
SKOS, DCTERMS and igeo terms without knowing `odl:`.

Computed at build from the ontology's own `rdfs:subClassOf` / `rdfs:subPropertyOf` axioms (closed
transitively), never from a hand-kept list: a resource typed `odl:Commune` also gets `igeo:Commune`
and `dcterms:Location`; a `odl:siren` value is also a `dcterms:identifier`; an actor's label is its
`foaf:name`. Only terms outside the
`odl:` namespace are added, and only triples not already asserted in a data graph, so the graph
`graph/inferred/standard-types` holds exactly what the axioms add (docs/design.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import FOAF, OWL, RDF, RDFS, Graph, URIRef

from odl_graph.namespace import ODL

NAME = "standard-types"


def _closure(ontology: Graph, relation: URIRef) -> dict[URIRef, set[URIRef]]:
    """Each odl: term -> its non-odl ancestors through `relation`, transitively."""
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in ontology.subject_objects(relation):
        if isinstance(child, URIRef) and isinstance(parent, URIRef):
            parents.setdefault(child, set()).add(parent)
    out: dict[URIRef, set[URIRef]] = {}
    for term in parents:
        if not str(term).startswith(str(ODL)):
            continue
        seen: set[URIRef] = set()
        todo = list(parents[term])
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            todo.extend(parents.get(t, ()))
        standard = {t for t in seen if not str(t).startswith(str(ODL)) and t not in (OWL.Thing, RDFS.Resource)}
        if standard:
            out[term] = standard
    return out


def standard_types(ontology: Graph, graphs: Iterable[Graph]) -> Graph:
    """The standard types and super-property triples the ontology entails for the resources of `graphs`."""
    graphs = list(graphs)
    classes = _closure(ontology, RDFS.subClassOf)
    properties = _closure(ontology, RDFS.subPropertyOf)
    out = Graph()
    for g in graphs:
        for cls, supers in classes.items():
            for s in g.subjects(RDF.type, cls):
                for sup in supers:
                    out.add((s, RDF.type, sup))
        for prop, supers in properties.items():
            for s, o in g.subject_objects(prop):
                for sup in supers:
                    out.add((s, sup, o))
        for s in g.subjects(RDF.type, ODL.Actor):  # an actor's label is its name (foaf:name, as DCAT-AP asks)
            for label in g.objects(s, RDFS.label):
                out.add((s, FOAF.name, label))
    for triple in list(out):
        if any(triple in g for g in graphs):
            out.remove(triple)
    return out
