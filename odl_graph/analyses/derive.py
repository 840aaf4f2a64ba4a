"""Draft standards for a data category: a Table Schema (frictionless) and a SHACL shape, derived
from the fields the graph describes (odl:hasField / odl:SchemaField).

Standardisers get something to start from rather than a blank page. Fields come from the category
itself, else from the standards it conforms to (a Data Package standard contributes the fields of
its parts, dcterms:hasPart). Deriving from an imported SCDL standard gives back its field names,
types, required flags and enum values (tests/test_derive.py checks all of them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH

from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.errors import OdlError
from odl_graph.iris import sparql_prefixes

TABLE_SCHEMA_TYPES = ("string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime",
                      "year", "yearmonth", "duration", "geopoint", "geojson", "any")
XSD_OF_TYPE = {
    "string": XSD.string, "number": XSD.decimal, "integer": XSD.integer, "boolean": XSD.boolean,
    "date": XSD.date, "time": XSD.time, "datetime": XSD.dateTime, "year": XSD.gYear,
    "yearmonth": XSD.gYearMonth, "duration": XSD.duration,
}
JSON_VALUED = ("integer", "number", "boolean")  # enum values stored as JSON text in the graph


class DeriveError(OdlError):
    """No fields to derive from, or an unknown category / standard."""


@dataclass
class FieldDesc:
    """One odl:SchemaField as read from the graph."""

    iri: str
    name: str
    position: int
    type: str | None = None
    required: bool = False
    enum: list[str] = field(default_factory=list)
    pattern: str | None = None
    format: str | None = None
    title: str | None = None
    description: str | None = None


@dataclass
class Source:
    """What the fields were taken from (the category, or its standards)."""

    subject: str
    label: str
    kind: str  # datacategory | standard
    slug: str
    fields: list[FieldDesc]
    origins: list[str]  # IRIs whose fields were used


Q_FIELDS = """
SELECT ?field ?name ?position ?type ?required ?enum ?pattern ?format ?title ?description ?owner WHERE {
  ?owner odl:hasField ?field .
  ?field odl:fieldName ?name .
  OPTIONAL { ?field odl:fieldPosition ?position }
  OPTIONAL { ?field odl:fieldType ?type }
  OPTIONAL { ?field odl:fieldRequired ?required }
  OPTIONAL { ?field odl:fieldEnum ?enum }
  OPTIONAL { ?field odl:fieldPattern ?pattern }
  OPTIONAL { ?field odl:fieldFormat ?format }
  OPTIONAL { ?field dcterms:title ?title FILTER(lang(?title) = "fr" || lang(?title) = "") }
  OPTIONAL { ?field dcterms:description ?description FILTER(lang(?description) = "fr" || lang(?description) = "") }
}"""
Q_SUBJECT = """
SELECT ?owner ?kind ?label ?standard ?part WHERE {
  ?owner a ?kind . VALUES ?kind { odl:DataCategory odl:Standard }
  OPTIONAL { ?owner rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?owner dcterms:conformsTo ?standard }
  OPTIONAL { ?owner dcterms:hasPart ?part }
}"""


def _fields_of(store: Any, owner: str, base_iri: str) -> list[FieldDesc]:
    import pyoxigraph as ox

    out: dict[str, FieldDesc] = {}
    rows = store.query(sparql_prefixes(base_iri) + Q_FIELDS, substitutions={"owner": ox.NamedNode(owner)})
    for r in rows:
        iri = r["field"].value
        f = out.get(iri)
        if f is None:
            pos = r["position"].value if r["position"] is not None else "0"
            f = out[iri] = FieldDesc(iri, r["name"].value, int(pos))
        if r["type"] is not None:
            f.type = r["type"].value
        if r["required"] is not None:
            f.required = r["required"].value == "true"
        if r["enum"] is not None and r["enum"].value not in f.enum:
            f.enum.append(r["enum"].value)
        for attr in ("pattern", "format", "title", "description"):
            if r[attr] is not None:
                setattr(f, attr, r[attr].value)
    return sorted(out.values(), key=lambda f: (f.position, f.name))


def resolve(store: Any, ref: str, base_iri: str = DEFAULT_BASE_IRI) -> Source:
    """A data category slug / IRI, or a standard id 'owner/name' / IRI -> its fields."""
    import pyoxigraph as ox

    if ref.startswith(("http://", "https://")):
        iri = ref
    elif "/" in ref:
        iri = f"{base_iri}id/standard/{ref}"
    else:
        iri = f"{base_iri}id/datacategory/{ref}"
    try:
        node = ox.NamedNode(iri)
    except ValueError as exc:
        raise DeriveError(f"{ref!r} is not a data category slug, a standard id or an IRI") from exc
    rows = list(store.query(sparql_prefixes(base_iri) + Q_SUBJECT, substitutions={"owner": node}))
    if not rows:
        raise DeriveError(f"{ref!r} is neither a data category nor a standard of the graph")
    kind = "datacategory" if any(r["kind"].value.endswith("#DataCategory") for r in rows) else "standard"
    label = next((r["label"].value for r in rows if r["label"] is not None), iri.rsplit("/", 1)[-1])
    standards = sorted({r["standard"].value for r in rows if r["standard"] is not None})
    parts = sorted({r["part"].value for r in rows if r["part"] is not None})
    slug = iri[len(f"{base_iri}id/standard/"):].replace("/", "--") if kind == "standard" else iri.rsplit("/", 1)[-1]
    fields = _fields_of(store, iri, base_iri)
    origins = [iri] if fields else []
    # A category without fields of its own takes its standards'; a package takes its parts'.
    for other in ([] if fields else (standards if kind == "datacategory" else parts)):
        sub = resolve(store, other, base_iri)
        if sub.fields:
            fields.extend(f for f in sub.fields if f.name not in {x.name for x in fields})
            origins.extend(sub.origins)
    if not fields:
        raise DeriveError(f"no fields are described for {label!r} ({iri}): nothing to derive a schema from"
                          + (f"; standards checked: {', '.join(standards)}" if standards else ""))
    return Source(iri, label, kind, slug, fields, origins)


# -- Table Schema ----------------------------------------------------------------------------
def _type(f: FieldDesc) -> str | None:
    """The Table Schema type: verbatim, except JSON Schema unions such as 'string|null'."""
    if f.type is None:
        return None
    if f.type in TABLE_SCHEMA_TYPES:
        return f.type
    parts = [p for p in f.type.split("|") if p != "null"]
    return parts[0] if len(parts) == 1 and parts[0] in TABLE_SCHEMA_TYPES else "any"


def enum_values(f: FieldDesc) -> list[Any]:
    """Enum values back to JSON values: numbers and booleans for typed fields (as the importer wrote them)."""
    out: list[Any] = []
    for v in sorted(f.enum):
        if _type(f) in JSON_VALUED:
            try:
                out.append(json.loads(v))
                continue
            except ValueError:
                pass
        out.append(v)
    return out


def table_schema(src: Source) -> dict[str, Any]:
    """A frictionless Table Schema descriptor (a draft: review titles, formats and examples)."""
    fields = []
    for f in src.fields:
        desc: dict[str, Any] = {"name": f.name}
        if f.title:
            desc["title"] = f.title
        if f.description:
            desc["description"] = f.description
        ftype = _type(f)
        if ftype:
            desc["type"] = ftype
        if f.format:
            desc["format"] = f.format
        constraints: dict[str, Any] = {"required": f.required}
        if f.enum:
            constraints["enum"] = enum_values(f)
        if f.pattern:
            constraints["pattern"] = f.pattern
        desc["constraints"] = constraints
        fields.append(desc)
    return {
        "name": src.slug.lower().replace("_", "-"),
        "title": f"{src.label} (brouillon)",
        "description": f"Brouillon de schéma dérivé par odl-graph des champs décrits pour {src.subject}"
                       f" (sources : {', '.join(src.origins)}). À relire avant publication.",
        "fields": fields,
        "missingValues": [""],
    }


def validate_table_schema(descriptor: dict[str, Any]) -> list[str]:
    """Errors frictionless finds in a descriptor (empty when valid)."""
    from frictionless import Schema

    report = Schema.validate_descriptor(descriptor)
    return [e.message for e in report.errors]


# -- SHACL -----------------------------------------------------------------------------------
def shacl_shape(src: Source) -> Graph:
    """A draft SHACL node shape: one property shape per field, its path the field's IRI."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("xsd", XSD)
    g.bind("dcterms", DCTERMS)
    shape = URIRef(src.subject + "#draft-shape")
    g.add((shape, RDF.type, SH.NodeShape))
    g.add((shape, RDFS.label, Literal(f"{src.label} (brouillon de forme SHACL)", lang="fr")))
    g.add((shape, RDFS.comment, Literal(
        "Brouillon dérivé par odl-graph : une ligne de données est un nœud, chaque champ une propriété.", lang="fr")))
    g.add((shape, DCTERMS.source, URIRef(src.subject)))
    for f in src.fields:
        prop = BNode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, URIRef(f.iri)))
        g.add((prop, SH.name, Literal(f.name)))
        g.add((prop, SH.order, Literal(f.position)))
        if f.description:
            g.add((prop, SH.description, Literal(f.description, lang="fr")))
        g.add((prop, SH.maxCount, Literal(1)))
        if f.required:
            g.add((prop, SH.minCount, Literal(1)))
        datatype = XSD_OF_TYPE.get(_type(f) or "")
        if datatype is not None:
            g.add((prop, SH.datatype, datatype))
        if f.pattern:
            g.add((prop, SH.pattern, Literal(f.pattern)))
        if f.enum:
            items = BNode()
            values = enum_values(f)
            Collection(g, items, [Literal(v, datatype=datatype) if isinstance(v, str) and datatype else Literal(v)
                                  for v in values])
            g.add((prop, SH["in"], items))
    return g


def derive(store: Any, ref: str, out_dir: Path, base_iri: str = DEFAULT_BASE_IRI) -> tuple[Path, Path]:
    """Write `<slug>.schema.json` and `<slug>.shacl.ttl` into out_dir; refuse an invalid Table Schema."""
    src = resolve(store, ref, base_iri)
    descriptor = table_schema(src)
    errors = validate_table_schema(descriptor)
    if errors:
        raise DeriveError(f"derived Table Schema for {ref!r} is not valid: {'; '.join(errors)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    schema_path = out_dir / f"{src.slug}.schema.json"
    shape_path = out_dir / f"{src.slug}.shacl.ttl"
    schema_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shape_path.write_text(shacl_shape(src).serialize(format="turtle"), encoding="utf-8")
    return schema_path, shape_path
