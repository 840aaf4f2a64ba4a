"""ontology/odl.ttl against its contract: the header, and every term docs/design.md lists.

The expected terms are read from docs/design.md itself, so adding a term to the design without adding it
to the ontology (or the reverse) fails here.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS

from odl_graph import iris
from odl_graph.config import PROJECT_ROOT
from odl_graph.vocab_files import ONTOLOGY_FILE, load

ODL = Namespace(iris.TERMS)
XSD_NS = "http://www.w3.org/2001/XMLSchema#"  # not rdflib's XSD: pytest probes module globals
VANN = Namespace("http://purl.org/vocab/vann/")
DESIGN = PROJECT_ROOT / "docs" / "design.md"
PREFIXES = {
    "odl": iris.TERMS,
    "skos": str(SKOS),
    "rdf": str(RDF),
    "xsd": XSD_NS,
    "dcterms": str(DCTERMS),
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "duv": "http://www.w3.org/ns/duv#",
    "igeo": "http://rdf.insee.fr/def/geo#",
}

# Design terms the ontology declares as annotation properties, and why (see the header of odl.ttl).
ANNOTATION_PROPERTIES = {
    "unknownValueOf": "its values are property IRIs; rdf:Property as a class is outside OWL 2 DL",
    "conventionSigned": "xsd:date is not in the OWL 2 datatype map: HermiT rejects xsd:date literals",
    "legalSource": "a page cited, as dcterms:source (an annotation property here) of which it is a sub-property",
    "obligationSource": "a page cited, as dcterms:source (an annotation property here) of which it is a sub-property",
}
# Datatype properties whose design range is not written as rdfs:range, and why.
NO_RANGE = {"langString": "rdf:langString is not in the OWL 2 datatype map"}


@cache
def ontology() -> Graph:
    return load(ONTOLOGY_FILE)


@cache
def design() -> str:
    return DESIGN.read_text(encoding="utf-8")


def curie(text: str) -> URIRef:
    text = text.strip().strip("`").strip()
    if ":" not in text:
        return ODL[text]
    prefix, local = text.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def design_section(start: str, end: str) -> str:
    text = design()
    i = text.index(start)
    return text[i : text.index(end, i)]


# --- header ------------------------------------------------------------------------------------------------

ONTOLOGY_IRI = URIRef(iris.ONTOLOGY)


def test_header_is_an_owl_ontology_with_version() -> None:
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(iris.ONTOLOGY + "/0.1.0")
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "odl"
    assert str(g.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == iris.TERMS


@pytest.mark.parametrize("prop", [DCTERMS.title, DCTERMS.description], ids=["title", "description"])
def test_header_text_in_french_and_english(prop: URIRef) -> None:
    langs = {o.language for o in ontology().objects(ONTOLOGY_IRI, prop) if isinstance(o, Literal)}
    assert {"fr", "en"} <= langs


@pytest.mark.parametrize(
    "prop",
    [DCTERMS.creator, DCTERMS.license, DCTERMS.issued, DCTERMS.modified],
    ids=["creator", "license", "issued", "modified"],
)
def test_header_metadata_present(prop: URIRef) -> None:
    assert ontology().value(ONTOLOGY_IRI, prop) is not None


def test_no_owl_imports() -> None:
    """HermiT runs offline: the reused terms are declared, not imported."""
    assert not list(ontology().objects(ONTOLOGY_IRI, OWL.imports))


# --- classes -----------------------------------------------------------------------------------------------


def design_classes() -> list[str]:
    section = design_section("Classes (all `odl:`)", "Object properties:")
    names = re.findall(r"`([A-Z][A-Za-z]*)`", section)
    return list(dict.fromkeys(names))


def design_superclasses() -> list[tuple[str, str]]:
    """(class, superclass) pairs written `Class` (⊑ A, `B`; comment) in docs/design.md."""
    section = design_section("Classes (all `odl:`)", "Object properties:")
    pairs = []
    for name, inside in re.findall(r"`([A-Z][A-Za-z]*)` \(⊑ ([^)]*)\)", section):
        for sup in inside.split(";")[0].split(","):
            pairs.append((name, sup.strip().strip("`")))
    return pairs


def test_design_lists_the_classes() -> None:
    assert {"UseCase", "BlockingDataset", "SchemaField", "Territory"} <= set(design_classes())


@pytest.mark.parametrize("name", design_classes())
def test_design_class_declared(name: str) -> None:
    assert (ODL[name], RDF.type, OWL.Class) in ontology()


@pytest.mark.parametrize(("name", "superclass"), design_superclasses(), ids=lambda v: str(v))
def test_design_subclass_link(name: str, superclass: str) -> None:
    g = ontology()
    sup = curie(superclass)
    assert (ODL[name], RDFS.subClassOf, sup) in g
    assert (sup, RDF.type, OWL.Class) in g, f"{superclass} must be declared for OWL DL"


def test_blocking_dataset_is_a_defined_class() -> None:
    g = ontology()
    definition = g.value(ODL.BlockingDataset, OWL.equivalentClass)
    assert isinstance(definition, BNode)
    members = list(Collection(g, g.value(definition, OWL.intersectionOf)))
    assert ODL.Dataset in members
    restricted = {g.value(m, OWL.onProperty) for m in members if isinstance(m, BNode)}
    assert restricted == {ODL.instantiates, ODL.opennessStatus}


def test_blocking_statuses_are_every_openness_concept_but_open() -> None:
    from odl_graph.vocab_files import concept_codes

    g = ontology()
    definition = g.value(ODL.BlockingDataset, OWL.equivalentClass)
    for member in Collection(g, g.value(definition, OWL.intersectionOf)):
        if isinstance(member, BNode) and g.value(member, OWL.onProperty) == ODL.opennessStatus:
            one_of = g.value(g.value(member, OWL.someValuesFrom), OWL.oneOf)
            statuses = {str(c) for c in Collection(g, one_of)}
            break
    else:
        pytest.fail("no opennessStatus restriction in BlockingDataset")
    assert statuses == {str(iris.concept("openness", c)) for c in concept_codes("openness") - {"open"}}


# --- object properties -------------------------------------------------------------------------------------


def design_object_properties() -> list[tuple[str, list[str], str]]:
    """(property, domain classes ([] = any), range) from the object-property table of docs/design.md."""
    section = design_section("Object properties:", "Reused properties:")
    out = []
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) != 2 or "→" not in cells[1]:
            continue
        props = re.findall(r"`odl:(\w+)`", cells[0])
        if not props:  # the header row
            continue
        domain_text, range_text = (t.strip() for t in cells[1].split("→", 1))
        domains = [] if domain_text == "any" else [d.strip() for d in domain_text.split(" or ")]
        range_head = re.split(r"[ (,:]", range_text.replace("skos:Concept", "skos_Concept", 1), maxsplit=1)[0]
        ranges = [r.strip() for r in range_text.split("/")] if len(props) > 1 else [range_head]
        for prop, rng in zip(props, ranges, strict=True):
            rng_term = "rdf:Property" if rng.startswith("rdf") else rng.replace("skos_Concept", "skos:Concept")
            out.append((prop, domains, rng_term))
    return out


def test_design_lists_the_object_properties() -> None:
    names = {p for p, _, _ in design_object_properties()}
    assert {"addresses", "inEPCI", "inRegion", "unknownValueOf", "hasField"} <= names


@pytest.mark.parametrize(("prop", "domains", "range_"), design_object_properties(), ids=lambda v: str(v))
def test_design_object_property(prop: str, domains: list[str], range_: str) -> None:
    g = ontology()
    term = ODL[prop]
    kind = OWL.AnnotationProperty if prop in ANNOTATION_PROPERTIES else OWL.ObjectProperty
    assert (term, RDF.type, kind) in g
    assert g.value(term, RDFS.range) == curie(range_)
    domain = g.value(term, RDFS.domain)
    if not domains:
        assert domain is None
    elif len(domains) == 1:
        assert domain == curie(domains[0])
    else:
        assert isinstance(domain, BNode)
        assert set(Collection(g, g.value(domain, OWL.unionOf))) == {curie(d) for d in domains}


def test_openness_status_is_functional() -> None:
    assert (ODL.opennessStatus, RDF.type, OWL.FunctionalProperty) in ontology()


# --- datatype properties -----------------------------------------------------------------------------------


def design_datatype_properties() -> list[tuple[str, str | None]]:
    """(property, range note or None) from the datatype-property paragraph of docs/design.md.

    A parenthesised note types only the property right before it: in "`a`, `b` (xsd:boolean)" only b is
    known to be boolean, so a gets None (no range expected beyond a plain string)."""
    section = design_section("Datatype properties:", "## SKOS schemes")
    out: list[tuple[str, str | None]] = []
    for match in re.finditer(r"`odl:(\w+)`(?:\s*\(([^)]*)\))?", section):
        note = (match.group(2) or "").split(",")[0].strip()
        rng = note if note.startswith("xsd:") or note in {"string", "langString"} else None
        out.append((match.group(1), rng))
    return out


def test_design_lists_the_datatype_properties() -> None:
    names = {p for p, _ in design_datatype_properties()}
    assert {"siren", "population", "fieldFormat", "deploymentConstraints", "objectives"} <= names


@pytest.mark.parametrize(("prop", "range_"), design_datatype_properties(), ids=lambda v: str(v))
def test_design_datatype_property(prop: str, range_: str | None) -> None:
    g = ontology()
    term = ODL[prop]
    if prop in ANNOTATION_PROPERTIES:
        assert (term, RDF.type, OWL.AnnotationProperty) in g
        return
    assert (term, RDF.type, OWL.DatatypeProperty) in g
    declared = g.value(term, RDFS.range)
    if range_ is None or range_ in NO_RANGE:
        assert declared in (None, URIRef(XSD_NS + "string"))
    elif range_ == "string":
        assert declared == URIRef(XSD_NS + "string")
    else:
        assert declared == curie(range_)


def test_siren_specialises_dcterms_identifier() -> None:
    assert (ODL.siren, RDFS.subPropertyOf, DCTERMS.identifier) in ontology()


def test_every_odl_term_in_the_ontology_is_in_the_design() -> None:
    """The reverse direction: no undocumented odl: term."""
    g = ontology()
    defined = {str(t)[len(iris.TERMS) :] for t in g.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI)}
    documented = (
        set(design_classes())
        | {p for p, _, _ in design_object_properties()}
        | {p for p, _ in design_datatype_properties()}
    )
    assert defined == documented


# --- OWL 2 DL declarations ---------------------------------------------------------------------------------

OWL_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = (str(RDF), str(RDFS), str(OWL), XSD_NS)


def test_every_term_has_exactly_one_owl_kind() -> None:
    """Punning a property as two kinds is outside OWL 2 DL."""
    g = ontology()
    terms = {s for kind in OWL_KINDS for s in g.subjects(RDF.type, kind) if isinstance(s, URIRef)}
    clashes = {str(t): [str(k) for k in OWL_KINDS if (t, RDF.type, k) in g] for t in terms}
    assert not {t: k for t, k in clashes.items() if len(k) != 1}


def test_every_used_term_is_declared_in_the_ontology_itself() -> None:
    """No owl:imports, so each predicate and class odl.ttl uses must be declared in odl.ttl."""
    g = ontology()
    declared = {s for kind in OWL_KINDS for s in g.subjects(RDF.type, kind)}
    used = {p for p in g.predicates()} | {o for o in g.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    used |= {o for p in (RDFS.domain, RDFS.range) for o in g.objects(None, p) if isinstance(o, URIRef)}
    used |= {o for o in g.objects(None, RDFS.subPropertyOf)}
    missing = sorted(str(t) for t in used if not str(t).startswith(BUILT_IN) and t not in declared)
    assert not missing
