"""IRI patterns of the project (see docs/design.md): one place mints every IRI."""

from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

from odl_graph.config import DEFAULT_BASE_IRI

BASE = DEFAULT_BASE_IRI
ONTOLOGY = BASE + "def"
TERMS = BASE + "def#"

_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Lowercase ASCII slug: 'Îlots de chaleur' -> 'ilots-de-chaleur'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text))


def resource(kind: str, slug: str) -> URIRef:
    """IRI of a minted resource: {base}id/{kind}/{slug}."""
    return URIRef(f"{BASE}id/{kind}/{slug}")


def scheme(name: str) -> URIRef:
    return URIRef(f"{BASE}id/scheme/{name}")


def concept(scheme_name: str, code: str) -> URIRef:
    return URIRef(f"{BASE}id/concept/{scheme_name}/{code}")


def graph(kind: str, name: str | None = None) -> URIRef:
    """IRI of a named graph: {base}graph/{kind}/{name}."""
    return URIRef(f"{BASE}graph/{kind}" + (f"/{name}" if name else ""))


def commune(code: str) -> URIRef:
    return resource("commune", code)


def epci(siren: str) -> URIRef:
    return resource("epci", siren)


def departement(code: str) -> URIRef:
    return resource("departement", code)


def region(code: str) -> URIRef:
    return resource("region", code)


def body(siren: str) -> URIRef:
    """The actor of a body identified by its SIREN (the same IRI whichever source names it)."""
    return resource("actor", f"siren-{siren}")


def standard(schema_id: str) -> URIRef:
    """A schema.data.gouv.fr id 'owner/name' -> {base}id/standard/owner/name."""
    return URIRef(f"{BASE}id/standard/{schema_id}")


# Prefixes every SPARQL query of the project may use; `odl:` follows the configured base IRI.
SPARQL_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "igeo": "http://rdf.insee.fr/def/geo#",
}


def rdf_prefixes(base_iri: str = BASE) -> dict[str, str]:
    """The known prefixes, declared in Turtle, TriG and RDF/XML answers and in JSON-LD contexts."""
    return {"odl": f"{base_iri}def#", **SPARQL_PREFIXES}


def sparql_prefixes(base_iri: str = BASE) -> str:
    """The PREFIX block for the project's queries (odl: under the configured base)."""
    lines = [f"PREFIX odl: <{base_iri}def#>"] + [f"PREFIX {p}: <{ns}>" for p, ns in SPARQL_PREFIXES.items()]
    return "\n".join(lines) + "\n"


def rebase(text: str, base_iri: str) -> str:
    """Rewrite the default base in serialised RDF to a configured one (identity when equal)."""
    return text if base_iri == BASE else text.replace(BASE, base_iri)


def relative_path(iri: str, base_iri: str = BASE) -> str | None:
    """Path of a minted IRI under the base ('id/usecase/x'), or None when it is not ours."""
    return iri[len(base_iri):] if iri.startswith(base_iri) else None
