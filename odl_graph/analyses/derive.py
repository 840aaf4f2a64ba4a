"""Draft standards for a data category: a Table Schema (frictionless) and a SHACL shape, derived
from the fields the graph describes (odl:hasField / odl:SchemaField).

Standardisers get something to start from rather than a blank page. Every category gets a draft, and
the draft says what it rests on (`basis`, docs/priorities.md):
- `standard`: the fields of the standards it conforms to (a Data Package standard contributes the
  fields of its parts, dcterms:hasPart); deriving from an imported SCDL standard gives back its field
  names, types, required flags and enum values (tests/test_derive.py checks all of them);
- `minimal-fields`: else the category's own minimal fields (data/curated/category_fields.csv), each
  citing the page it was read from;
- `skeleton`: else a generic identification skeleton (an identifier, the commune's INSEE code, a date),
  clearly marked as such: it says nothing about the category's content, which is unknown to the graph.
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
    unit: str | None = None
    sources: list[str] = field(default_factory=list)  # pages the field was read from (minimal fields)
    title_en: str | None = None  # what a page in English shows (the Table Schema keeps the French text)
    description_en: str | None = None


BASES = ("standard", "minimal-fields", "skeleton")


@dataclass
class Source:
    """What the fields were taken from (the category, or its standards)."""

    subject: str
    label: str
    kind: str  # datacategory | standard
    slug: str
    fields: list[FieldDesc]
    origins: list[str]  # IRIs whose fields were used
    basis: str = "standard"  # one of BASES
    pages: list[str] = field(default_factory=list)  # pages the draft rests on (schema files, curated sources)
    standards: list[str] = field(default_factory=list)  # the category's standards, with or without fields
    label_en: str | None = None


Q_FIELDS = """
SELECT ?field ?name ?position ?type ?required ?enum ?pattern ?format ?title ?description ?unit ?source ?title_en
       ?description_en ?owner WHERE {
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
  OPTIONAL { ?field odl:fieldUnit ?unit }
  OPTIONAL { ?field dcterms:title ?title_en FILTER(lang(?title_en) = "en") }
  OPTIONAL { ?field dcterms:description ?description_en FILTER(lang(?description_en) = "en") }
  OPTIONAL { ?field dcterms:source ?source }
}"""
Q_SUBJECT = """
SELECT ?owner ?kind ?label ?labelEn ?standard ?part ?page WHERE {
  ?owner a ?kind . VALUES ?kind { odl:DataCategory odl:Standard }
  OPTIONAL { ?owner rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?owner rdfs:label ?labelEn FILTER(lang(?labelEn) = "en") }
  OPTIONAL { ?owner dcterms:conformsTo ?standard }
  OPTIONAL { ?owner dcterms:hasPart ?part }
  OPTIONAL { ?owner a odl:Standard . { ?owner dcterms:source ?page } UNION { ?owner foaf:homepage ?page } }
}"""
# The generic identification skeleton: what any local record needs to be located and dated. The INSEE
# code pattern accepts every commune code of the COG (two digits, or 2A/2B in Corsica, then three digits;
# tests/test_derive.py checks it on the shipped communes).
INSEE_PATTERN = "^([013-9][0-9]|2[0-9AB])[0-9]{3}$"
SKELETON = (
    ("identifiant", "string", "Identifiant de l'enregistrement", "Record identifier", None),
    ("code_insee_commune", "string", "Code INSEE de la commune", "Commune INSEE code", INSEE_PATTERN),
    ("date", "date", "Date de l'information", "Date of the information", None),
)


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
        for attr in ("pattern", "format", "title", "description", "unit", "title_en", "description_en"):
            if r[attr] is not None:
                setattr(f, attr, r[attr].value)
        if r["source"] is not None and r["source"].value not in f.sources:
            f.sources.append(r["source"].value)
    return sorted(out.values(), key=lambda f: (f.position, f.name))


def _skeleton(subject: str) -> list[FieldDesc]:
    return [FieldDesc(f"{subject}#skeleton-{name}", name, i, ftype, True, pattern=pattern, title=title,
                      description="Champ du squelette générique d'identification.", title_en=title_en,
                      description_en="Field of the generic identification skeleton.")
            for i, (name, ftype, title, title_en, pattern) in enumerate(SKELETON, start=1)]


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
    label_en = next((r["labelEn"].value for r in rows if r["labelEn"] is not None), None)
    standards = sorted({r["standard"].value for r in rows if r["standard"] is not None})
    parts = sorted({r["part"].value for r in rows if r["part"] is not None})
    pages = sorted({r["page"].value for r in rows if r["page"] is not None})
    slug = iri[len(f"{base_iri}id/standard/"):].replace("/", "--") if kind == "standard" else iri.rsplit("/", 1)[-1]
    src = Source(iri, label, kind, slug, [], [], "standard", [], standards, label_en)
    if kind == "standard":
        src.fields = _fields_of(store, iri, base_iri)
        src.origins = [iri] if src.fields else []
        src.pages = list(pages)
        for part in ([] if src.fields else parts):  # a package takes its parts'
            _merge(src, resolve(store, part, base_iri))
        if not src.fields:
            raise DeriveError(f"no fields are described for {label!r} ({iri}): nothing to derive a schema from")
        return src
    # A category: its standards' fields, else its minimal fields, else the generic skeleton.
    for std in standards:
        try:
            _merge(src, resolve(store, std, base_iri))
        except DeriveError:
            continue  # a standard published as a GeoPackage or a document describes no table fields
    if src.fields:
        return src
    own = _fields_of(store, iri, base_iri)
    if own:
        src.fields, src.origins, src.basis = own, [iri], "minimal-fields"
        src.pages = sorted({p for f in own for p in f.sources})
        return src
    src.fields, src.origins, src.basis = _skeleton(iri), [], "skeleton"
    src.pages = [p for std in standards for p in [std, *_standard_pages(store, std, base_iri)]]
    return src


def _standard_pages(store: Any, standard: str, base_iri: str) -> list[str]:
    """The pages of a standard (its schema file, its homepage): a skeleton draft cites them."""
    import pyoxigraph as ox

    rows = store.query(sparql_prefixes(base_iri) + Q_SUBJECT, substitutions={"owner": ox.NamedNode(standard)})
    return sorted({r["page"].value for r in rows if r["page"] is not None})


def _merge(src: Source, sub: Source) -> None:
    names = {x.name for x in src.fields}
    src.fields.extend(f for f in sub.fields if f.name not in names)
    src.origins.extend(o for o in sub.origins if o not in src.origins)
    src.pages.extend(p for p in sub.pages if p not in src.pages)


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


BASIS_TEXT = {  # (French, English): what the draft rests on, said in its title and description
    "standard": ("dérivé des champs de son standard", "derived from the fields of its standard"),
    "minimal-fields": ("dérivé des champs minimaux relevés dans les sources citées",
                       "derived from the minimal fields read in the sources cited"),
    "skeleton": ("squelette générique d'identification : les sources lues ne décrivent pas les champs de cette"
                 " catégorie", "generic identification skeleton: the sources read do not describe this"
                 " category's fields"),
    # a standard exists, but the graph holds no table field of it (a GeoPackage or document standard)
    "skeleton-standard": ("squelette générique d'identification : son standard ne décrit pas de champs de table"
                          " dans le graphe (voir le standard lui-même)", "generic identification skeleton: its"
                          " standard describes no table fields in the graph (see the standard itself)"),
}


def basis_key(src: Source) -> str:
    """The BASIS_TEXT entry of a draft: a skeleton says whether the category has a standard without fields."""
    return "skeleton-standard" if src.basis == "skeleton" and src.standards else src.basis


def field_description(f: FieldDesc) -> str | None:
    """The field's description, with its unit or vocabulary when one is known ('?' says it is not)."""
    unit = None if f.unit is None else ("inconnue" if f.unit == "?" else f.unit)
    parts = [p for p in (f.description, f"Unité ou vocabulaire : {unit}." if unit else None) if p]
    return " ".join(parts) or None


def table_schema(src: Source) -> dict[str, Any]:
    """A frictionless Table Schema descriptor, marked as a draft with its basis and sources."""
    fields = []
    for f in src.fields:
        desc: dict[str, Any] = {"name": f.name}
        if f.title:
            desc["title"] = f.title
        description = field_description(f)
        if description:
            desc["description"] = description
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
        if f.sources:
            desc["sources"] = list(f.sources)
        fields.append(desc)
    basis_fr, basis_en = BASIS_TEXT[basis_key(src)]
    origins = ", ".join(src.origins) or src.subject
    return {
        "name": src.slug.lower().replace("_", "-"),
        "title": f"{src.label} (brouillon{', squelette générique' if src.basis == 'skeleton' else ''})",
        "description": f"Brouillon de schéma produit par odl-graph pour {src.subject}, {basis_fr}"
                       f" (à partir de : {origins}). À relire avant publication.",
        "description_en": f"Draft schema produced by odl-graph for {src.subject}, {basis_en}"
                          f" (from: {origins}). To be reviewed before publication.",
        "status": "draft",
        "basis": src.basis,
        "sources": [{"title": p, "path": p} for p in src.pages] + [{"title": o, "path": o} for o in src.origins],
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
    basis_fr, basis_en = BASIS_TEXT[basis_key(src)]
    g.add((shape, RDF.type, SH.NodeShape))
    g.add((shape, RDFS.label, Literal(f"{src.label} (brouillon de forme SHACL)", lang="fr")))
    g.add((shape, RDFS.label, Literal(f"{src.label_en or src.label} (draft SHACL shape)", lang="en")))
    g.add((shape, RDFS.comment, Literal(
        f"Brouillon produit par odl-graph, {basis_fr} : une ligne de données est un nœud, chaque champ une"
        " propriété. À relire avant publication.", lang="fr")))
    g.add((shape, RDFS.comment, Literal(
        f"Draft produced by odl-graph, {basis_en}: a data row is a node, each field a property. To be reviewed"
        " before publication.", lang="en")))
    g.add((shape, DCTERMS.subject, URIRef(src.subject)))
    for iri in [*src.origins, *src.pages]:
        g.add((shape, DCTERMS.source, URIRef(iri)))
    for f in src.fields:
        prop = BNode()
        g.add((shape, SH.property, prop))
        g.add((prop, SH.path, URIRef(f.iri)))
        g.add((prop, SH.name, Literal(f.name)))
        g.add((prop, SH.order, Literal(f.position)))
        description = field_description(f)
        if description:
            g.add((prop, SH.description, Literal(description, lang="fr")))
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


def validate_shape(shape: Graph) -> list[str]:
    """What the SHACL shapes for SHACL (data/vocab/shacl-shacl.ttl) find wrong in a shape (empty when valid)."""
    from pyshacl import validate

    # The verdict stops at the first violation (twice as fast); only a failing shape is run again in full
    # for the messages.
    conforms, _report, _text = validate(shape, shacl_graph=shacl_shacl(), inference="none", abort_on_first=True)
    if conforms:
        return []
    _conforms, report, _text = validate(shape, shacl_graph=shacl_shacl(), inference="none")
    return sorted({str(m) for m in report.objects(None, SH.resultMessage)}) or ["does not conform"]


_SHACL_SHACL: list[Graph] = []


def shacl_shacl() -> Graph:
    """The W3C's SHACL shapes for SHACL, shipped in data/vocab (parsed once)."""
    if not _SHACL_SHACL:
        from odl_graph.vocab_files import LINT_VOCABULARIES

        _SHACL_SHACL.append(Graph().parse(LINT_VOCABULARIES["shacl-shacl"], format="turtle"))
    return _SHACL_SHACL[0]


def derive(store: Any, ref: str, out_dir: Path, base_iri: str = DEFAULT_BASE_IRI) -> tuple[Path, Path]:
    """Write `<slug>.schema.json` and `<slug>.shacl.ttl` into out_dir; refuse an invalid Table Schema."""
    src = resolve(store, ref, base_iri)
    descriptor = table_schema(src)
    errors = validate_table_schema(descriptor)
    if errors:
        raise DeriveError(f"derived Table Schema for {ref!r} is not valid: {'; '.join(errors)}")
    shape = shacl_shape(src)
    errors = validate_shape(shape)
    if errors:
        raise DeriveError(f"derived SHACL shape for {ref!r} is not valid SHACL: {'; '.join(errors)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    schema_path = out_dir / f"{src.slug}.schema.json"
    shape_path = out_dir / f"{src.slug}.shacl.ttl"
    schema_path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shape_path.write_text(shape.serialize(format="turtle"), encoding="utf-8")
    return schema_path, shape_path
