"""Where the ontology, our SKOS schemes, the shapes and the reused vocabularies live on disk.

One registry so that the build, the tests and the curated-CSV compiler agree on which file goes into
which named graph (docs/design.md, "Named graphs").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import RDF, SKOS, Graph, URIRef

from odl_graph import iris
from odl_graph.config import PROJECT_ROOT

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "odl.ttl"
VOCABULARY_DIR = ONTOLOGY_DIR / "vocabularies"
SHAPES_DIR = PROJECT_ROOT / "shapes"
EXTERNAL_DIR = PROJECT_ROOT / "data" / "vocab"

SCHEME_NAMES: tuple[str, ...] = (
    "openness",
    "actor-category",
    "theme",
    "service-kind",
    "use-case-stage",
    "requirement-level",
    "local-content",
    "observatory-theme",
    "hazard",
    "search-outcome",
    "publication-kind",
    "standardisation-status",
    "competence-level",
)

# graph name (graph/vocab/{name}) -> our SKOS scheme file
VOCABULARY_FILES: dict[str, Path] = {name: VOCABULARY_DIR / f"{name}.ttl" for name in SCHEME_NAMES}

# graph name (graph/external/{name}) -> verbatim copy of a reused vocabulary (see data/vocab/SOURCES.md)
EXTERNAL_VOCABULARIES: dict[str, Path] = {
    "dcat": EXTERNAL_DIR / "dcat3.ttl",
    "dcat-external": EXTERNAL_DIR / "dcat3-external.ttl",
    "org": EXTERNAL_DIR / "org.ttl",
    "prov": EXTERNAL_DIR / "prov-o.ttl",
    "duv": EXTERNAL_DIR / "duv.ttl",
    "dcterms": EXTERNAL_DIR / "dcterms.ttl",
    "skos": EXTERNAL_DIR / "skos.ttl",
    "foaf": EXTERNAL_DIR / "foaf.ttl",
    "igeo": EXTERNAL_DIR / "insee-geo.ttl",
    "access-right": EXTERNAL_DIR / "access-right-skos-ap-act.rdf",
    "data-theme": EXTERNAL_DIR / "data-theme-skos-ap-act.ttl",
    "licence": EXTERNAL_DIR / "licence-sparql-extract.ttl",
}
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"

# Only used to lint our own shapes (shapes graph validated against SHACL-for-SHACL); never loaded in the store.
LINT_VOCABULARIES: dict[str, Path] = {
    "shacl": EXTERNAL_DIR / "shacl.ttl",
    "shacl-shacl": EXTERNAL_DIR / "shacl-shacl.ttl",
}


def shape_files() -> dict[str, Path]:
    """graph name (graph/shapes/{name}) -> shapes file, one per `shapes/*.ttl`."""
    return {path.stem: path for path in sorted(SHAPES_DIR.glob("*.ttl"))}


SHAPE_FILES: dict[str, Path] = shape_files()

_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".nt": "nt", ".nq": "nquads"}


def rdf_format(path: Path | str) -> str:
    """rdflib parser name for a vocabulary file (the EU tables are RDF/XML, the rest Turtle)."""
    suffix = Path(path).suffix.lower()
    try:
        return _FORMATS[suffix]
    except KeyError:
        raise ValueError(f"{path}: unknown RDF file extension {suffix!r}; known: {', '.join(_FORMATS)}") from None


def load(path: Path | str) -> Graph:
    """Parse one vocabulary/ontology/shapes file with the right format."""
    graph = Graph()
    graph.parse(str(path), format=rdf_format(path))
    return graph


@cache
def _scheme_codes(scheme: str) -> frozenset[str]:
    if scheme not in VOCABULARY_FILES:
        raise ValueError(f"unknown SKOS scheme {scheme!r}; known: {', '.join(SCHEME_NAMES)}")
    path = VOCABULARY_FILES[scheme]
    graph = load(path)
    scheme_iri = iris.scheme(scheme)
    prefix = str(iris.concept(scheme, ""))
    codes = set()
    for concept in graph.subjects(SKOS.inScheme, scheme_iri):
        if (concept, RDF.type, SKOS.Concept) not in graph:
            continue
        if not isinstance(concept, URIRef) or not str(concept).startswith(prefix):
            raise ValueError(f"{path}: concept {concept} of scheme {scheme!r} is not under {prefix}")
        codes.add(str(concept)[len(prefix) :])
    return frozenset(codes)


def concept_codes(scheme: str) -> set[str]:
    """Codes of the concepts of one of our SKOS schemes ('openness' -> {'open', 'candidate', ...})."""
    return set(_scheme_codes(scheme))


@cache
def licence_codes() -> frozenset[str]:
    """Codes of the EU Licence table extract ('ETALAB_2_0', 'ODC_BL', ...): what a curated `licence` cell may say."""
    graph = load(EXTERNAL_VOCABULARIES["licence"])
    subjects = {str(s) for s in graph.subjects(SKOS.inScheme, None)}
    return frozenset(s[len(EU_LICENCE) :] for s in subjects if s.startswith(EU_LICENCE))
