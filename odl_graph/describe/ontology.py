"""The ontology documentation: classes, properties and the SHACL constraints on each class."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from odl_graph.describe.base import Describer
from odl_graph.describe.labels import (
    DCT,
    OWL,
    RDF,
    RDFS,
    SKOS,
    Node,
    fold,
    local_name,
    pick_literal,
    sparql_iri,
    term_kind,
)


def ontology(desc: Describer) -> dict[str, Any]:
    """Classes, properties and the SHACL constraints on each class, from the ontology and shapes graphs."""
    g = sparql_iri(desc.base + "graph/ontology/odl")
    onto = desc.base + "def"
    head = desc.q(f"SELECT ?p ?o WHERE {{ GRAPH {g} {{ <{onto}> ?p ?o }} }}")
    terms = desc.q(
        f"SELECT ?t ?p ?o WHERE {{ GRAPH {g} {{ ?t ?p ?o "
        f"FILTER(isIRI(?t) && STRSTARTS(STR(?t), \"{desc.odl}\")) }} }}"
    )
    unions = desc.q(
        f"SELECT ?t ?p ?m WHERE {{ GRAPH {g} {{ ?t ?p ?b . FILTER(isBlank(?b) && STRSTARTS(STR(?t), "
        f"\"{desc.odl}\")) ?b owl:unionOf/rdf:rest*/rdf:first ?m }} }}"
    )
    desc.load_row_labels(terms, "p", "o", "t")
    desc.load_row_labels(unions, "m")
    by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in terms:
        by[r["t"].value][r["p"].value].append(r["o"])
    union_of: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for r in unions:
        union_of[(r["t"].value, r["p"].value)].append(desc.ref(r["m"].value))

    def txt(vals: list[Any]) -> str | None:
        return pick_literal(((t.value, getattr(t, "language", None)) for t in vals if term_kind(t) == "literal"),
                            desc.lang)

    def iri_list(t: str, p: str) -> list[Node]:
        named = [desc.ref(o.value) for o in by[t].get(p, []) if term_kind(o) == "iri"]
        return named + union_of.get((t, p), [])

    classes, properties = [], []
    kinds = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype",
             OWL + "AnnotationProperty": "annotation"}
    constraints = shapes(desc)
    for t, p in by.items():
        types = {o.value for o in p.get(RDF + "type", [])}
        entry = {
            "term": desc.ref(t), "name": local_name(t),
            "definition": txt(p.get(SKOS + "definition", [])),
            "sources": [o.value for o in p.get(DCT + "source", [])],
        }
        if OWL + "Class" in types:
            entry.update(
                superclasses=iri_list(t, RDFS + "subClassOf"),
                defined=bool(p.get(OWL + "equivalentClass")),
                shapes=constraints.get(t, []),
            )
            classes.append(entry)
        kind = next((k for c, k in kinds.items() if c in types), None)
        if kind:
            entry.update(
                kind=kind, functional=OWL + "FunctionalProperty" in types,
                domain=iri_list(t, RDFS + "domain"), range=iri_list(t, RDFS + "range"),
                superproperties=iri_list(t, RDFS + "subPropertyOf"),
            )
            properties.append(entry)
    for c in classes:
        c["properties"] = [p["term"] for p in properties if any(d.value == c["term"].value for d in p["domain"])]
    heads: dict[str, list[Any]] = defaultdict(list)
    for r in head:
        heads[r["p"].value].append(r["o"])
    return {
        "iri": onto,
        "title": txt(heads.get(DCT + "title", [])) or "odl",
        "description": txt(heads.get(DCT + "description", [])),
        "version": next((o.value for o in heads.get(OWL + "versionInfo", [])), None),
        "version_iri": next((o.value for o in heads.get(OWL + "versionIRI", [])), None),
        "license": next((o.value for o in heads.get(DCT + "license", [])), None),
        "modified": next((o.value for o in heads.get(DCT + "modified", [])), None),
        "classes": sorted(classes, key=lambda c: c["name"]),
        "properties": sorted(properties, key=lambda p: (p["kind"], p["name"])),
        "schemes": desc.refs(r["s"].value for r in desc.q("SELECT ?s WHERE { ?s a skos:ConceptScheme "
                                                          f"FILTER(STRSTARTS(STR(?s), \"{desc.base}\")) }}")),
    }

SHAPE_KEYS = ("minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "hasValue", "minInclusive",
              "maxInclusive", "minLength", "maxLength", "uniqueLang", "qualifiedMinCount", "qualifiedMaxCount",
              "severity", "node")

def shapes(desc: Describer) -> dict[str, list[dict[str, Any]]]:
    """SHACL property constraints per target class, from the graph/shapes/* named graphs."""
    prefix = desc.base + "graph/shapes/"
    rows = desc.q(
        f"SELECT ?g ?cls ?shape ?ps ?k ?v WHERE {{ GRAPH ?g {{ ?shape sh:targetClass ?cls ; sh:property ?ps . "
        f"?ps ?k ?v }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    )
    ins = desc.q(
        f"SELECT ?ps ?key ?m WHERE {{ GRAPH ?g {{ "
        f"{{ ?ps sh:in/rdf:rest*/rdf:first ?m BIND(\"in\" AS ?key) }} UNION "
        f"{{ ?ps sh:languageIn/rdf:rest*/rdf:first ?m BIND(\"languageIn\" AS ?key) }} UNION "
        f"{{ ?ps sh:qualifiedValueShape/sh:languageIn/rdf:rest*/rdf:first ?m "
        f"BIND(\"qualifiedValueShape languageIn\" AS ?key) }} UNION "
        f"{{ ?ps sh:qualifiedValueShape/sh:class ?m BIND(\"qualifiedValueShape class\" AS ?key) }} }} "
        f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    )
    nodes = desc.q(
        f"SELECT ?cls ?shape ?m ?sev WHERE {{ GRAPH ?g {{ ?shape sh:targetClass ?cls ; sh:message ?m . "
        f"OPTIONAL {{ ?shape sh:severity ?sev }} }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    )
    inv = desc.q(
        f"SELECT ?ps ?p WHERE {{ GRAPH ?g {{ ?ps sh:path/sh:inversePath ?p }} "
        f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    )
    desc.load_row_labels(rows, "v", "cls")
    desc.load_row_labels(ins, "m")
    desc.load_row_labels(inv, "p")
    in_values: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for r in ins:
        m = r["m"]
        in_values[(r["ps"].value, r["key"].value)].append(
            desc.node(m) if term_kind(m) != "iri" else desc.ref(m.value))
    inverse = {r["ps"].value: desc.ref(r["p"].value) for r in inv}
    props: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        props[(r["cls"].value, r["ps"].value)][local_name(r["k"].value)].append(r["v"])
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (cls, ps), k in props.items():
        path_vals = k.get("path", [])
        if ps in inverse:
            path, inverse_path = inverse[ps], True
        elif path_vals and term_kind(path_vals[0]) == "iri":
            path, inverse_path = desc.ref(path_vals[0].value), False
        else:
            path, inverse_path = Node("literal", "(complex path)"), False
        constraints = []
        for key in SHAPE_KEYS:
            for v in k.get(key, []):
                constraints.append((key, desc.ref(v.value) if term_kind(v) == "iri" else desc.node(v)))
        for (owner, key), members in sorted(in_values.items()):
            if owner == ps:
                constraints.append((key, Node("literal", ", ".join(sorted(n.text for n in members)))))
        message = pick_literal(((t.value, getattr(t, "language", None)) for t in k.get("message", [])), desc.lang)
        out[cls].append({"path": path, "inverse": inverse_path, "constraints": constraints, "message": message})
    node_msgs: dict[tuple[str, str], list[Any]] = defaultdict(list)
    severity: dict[tuple[str, str], str] = {}
    for r in nodes:
        node_msgs[(r["cls"].value, r["shape"].value)].append(r["m"])
        if "sev" in r:
            severity[(r["cls"].value, r["shape"].value)] = r["sev"].value
    desc.load_labels(severity.values())
    for (cls, shape), msgs in node_msgs.items():
        message = pick_literal(((t.value, getattr(t, "language", None)) for t in msgs), desc.lang)
        sev = severity.get((cls, shape))
        out[cls].append({"path": Node("literal", "(" + local_name(shape) + ")"), "inverse": False,
                         "constraints": [("severity", desc.ref(sev))] if sev else [], "message": message})
    for v in out.values():
        v.sort(key=lambda c: (c["path"].kind != "iri", fold(c["path"].text)))
    return out



def shapes_query(desc: Describer) -> str:
    """The CONSTRUCT of the SHACL shapes document: every graph/shapes/* graph merged."""
    prefix = desc.base + "graph/shapes/"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
