"""Data standards of schema.data.gouv.fr and the SCDL (Socle Commun des Données Locales): each schema
with its catalogue metadata and, where the shipped schema file describes them, its fields.

Fields are kept lossless so a Table Schema can be rebuilt from the graph: names, types (verbatim),
required flags and enum values (as strings) come straight from the schema file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers._common import (
    DCTERMS,
    FOAF,
    OWL,
    RDFS,
    Row,
    bind_prefixes,
    boolean,
    copy_extracts,
    integer,
    read_csv,
    read_json,
    sources_dir,
    uri,
)
from odl_graph.errors import SourceError, SourceLocation
from odl_graph.namespace import ODL

INDEX = "schemas-index.csv"
CATALOGUE = "catalogue/schemas.json"
SCDL_CATALOGUE = "catalogue/schemas-scdl.json"
STATS = "catalogue/stats.json"
SITE_REPO = "https://github.com/datagouv/schema.data.gouv.fr/blob/0bd884a05d7c64c4143307b22c5e09f2612e3389/"
CATALOGUE_SOURCE = URIRef(SITE_REPO + "site/.vuepress/public/schemas.json")
# Schemas not taken from the schema.data.gouv.fr repository: their own repository at the commit read.
OTHER_SOURCES = {
    "NaturalSolutions/schema-arbre": "https://github.com/NaturalSolutions/schema-arbre/blob/"
    "3ea0921ab11b533765fb8a905025e91c395ca0fa/schema.json",
    "scdl/marches-publics (historique)": "https://github.com/joelgombin/marche_public_SCDL/blob/"
    "d45daedc9c531aaa6860f3ceaf74b60087742108/schemas/marche_public_SCDL.json",
}
SCHEMA_TYPES = ("tableschema", "datapackage", "jsonschema", "other")
ID_RE = re.compile(r"^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$")
LOOSE_ID_RE = re.compile(r"^([A-Za-z0-9._-]+)/(.+)$")


@dataclass
class StandardInfo:
    """What the catalogues say about one schema (the index row wins over the catalogue JSON)."""

    id: str
    title: str
    description: str
    type: str
    version: str
    labels: list[str]
    homepage: str
    resources: int | None
    files: list[str] = field(default_factory=list)  # paths relative to data/sources/
    row: Row | None = None


def standard_id(schema_id: str) -> str:
    """The owner/name used in IRIs: the schema.data.gouv.fr id, slugged only when it is not IRI-safe
    ('scdl/marches-publics (historique)' -> 'scdl/marches-publics-historique')."""
    if ID_RE.match(schema_id):
        return schema_id
    m = LOOSE_ID_RE.match(schema_id)
    if not m:
        raise ValueError(f"{schema_id!r} is not an owner/name schema id")
    return f"{m.group(1)}/{iris.slugify(m.group(2))}"


def field_iri(standard: URIRef, name: str) -> URIRef:
    """{standard}/field/{name}, percent-encoded so any Table Schema field name gives a valid IRI."""
    return URIRef(f"{standard}/field/{quote(name, safe='')}")


def enum_text(value: Any) -> str:
    """Enum values are kept as strings: strings verbatim, other JSON values as their JSON text (80, true)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json_line(text: str, needle: str) -> int | None:
    """Line of the first occurrence of a JSON-encoded string, to point a reader at a bad field."""
    pos = text.find(json.dumps(needle, ensure_ascii=False))
    if pos < 0:
        pos = text.find(json.dumps(needle))
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


@dataclass
class FieldSpec:
    """One field as read from a schema file, ready to become an odl:SchemaField."""

    name: str
    position: int
    type: str | None = None
    title: str | None = None
    description: str | None = None
    required: bool = False
    enum: list[str] = field(default_factory=list)
    pattern: str | None = None
    format: str | None = None


class _SchemaFile:
    """A parsed schema file and how to report a problem in it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = read_json(path)
        self.text = path.read_text(encoding="utf-8")

    def error(self, pointer: str, message: str, needle: str | None = None) -> SourceError:
        line = _json_line(self.text, needle) if needle else None
        return SourceError(SourceLocation(str(self.path), line), f"{pointer}: {message}")


def table_fields(sf: _SchemaFile, schema: Any, pointer: str) -> list[FieldSpec]:
    """Fields of a Table Schema (frictionless spec): constraints.required/enum/pattern, format."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise sf.error(pointer, "a Table Schema needs a 'fields' list")
    out: list[FieldSpec] = []
    seen: set[str] = set()
    for i, f in enumerate(schema["fields"]):
        where = f"{pointer}/fields/{i}"
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise sf.error(where, "a field needs a non-empty string 'name'")
        name = f["name"]
        if name in seen:
            raise sf.error(where, f"duplicate field name {name!r}", name)
        seen.add(name)
        constraints = f.get("constraints", {})
        if not isinstance(constraints, dict):
            raise sf.error(where, "'constraints' must be an object", name)
        required = constraints.get("required", False)
        if not isinstance(required, bool):
            raise sf.error(where, f"constraints.required must be true or false, not {required!r}", name)
        enum = constraints.get("enum", [])
        if not isinstance(enum, list):
            raise sf.error(where, "constraints.enum must be a list", name)
        ftype = f.get("type")
        if ftype is not None and not isinstance(ftype, str):
            raise sf.error(where, f"'type' must be a string, not {ftype!r}", name)
        out.append(FieldSpec(
            name=name, position=i + 1, type=ftype, title=_text(f.get("title")),
            description=_text(f.get("description")), required=required, enum=[enum_text(v) for v in enum],
            pattern=_text(constraints.get("pattern")), format=_text(f.get("format")),
        ))
    return out


def json_schema_fields(sf: _SchemaFile) -> list[FieldSpec]:
    """Top-level properties of a JSON Schema (nested objects are not flattened)."""
    props = sf.data.get("properties") if isinstance(sf.data, dict) else None
    if not isinstance(props, dict):
        return []
    required = set(sf.data.get("required") or [])
    out = []
    for i, (name, spec) in enumerate(props.items()):
        if not isinstance(spec, dict):
            raise sf.error(f"/properties/{name}", "a property must be an object", name)
        alternatives = spec.get("anyOf") or spec.get("oneOf") or []
        non_null = [a for a in alternatives if isinstance(a, dict) and a.get("type") != "null"]
        inner = non_null[0] if len(non_null) == 1 else spec
        enum = inner.get("enum", spec.get("enum", []))
        out.append(FieldSpec(
            name=name, position=i + 1, type=_json_type(spec, alternatives), title=_text(spec.get("title")),
            description=_text(spec.get("description")), required=name in required,
            enum=[enum_text(v) for v in enum] if isinstance(enum, list) else [],
            pattern=_text(inner.get("pattern", spec.get("pattern"))),
            format=_text(inner.get("format", spec.get("format"))),
        ))
    return out


def _json_type(spec: dict, alternatives: list) -> str | None:
    """JSON Schema type as written; a list or anyOf of types is joined with '|' ('string|null')."""
    t = spec.get("type")
    if isinstance(t, str):
        return t
    if isinstance(t, list) and all(isinstance(x, str) for x in t):
        return "|".join(t)
    types = [a.get("type") for a in alternatives if isinstance(a, dict)]
    if types and all(isinstance(x, str) for x in types):
        return "|".join(types)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


class ScdlImporter:
    name = "scdl"

    # -- files -------------------------------------------------------------------------------------
    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        pairs = [(f"scdl/{f}", f) for f in (INDEX, CATALOGUE, SCDL_CATALOGUE, STATS)]
        for row in read_csv(Path(shared_dir) / "scdl" / INDEX, ("fichiers",)):
            for f in _schema_files(row):
                pairs.append((f, f.removeprefix("scdl/")))
        return copy_extracts(shared_dir, data_dir, self.name, pairs)

    def sources(self, data_dir: Path) -> list[Path]:
        folder = sources_dir(data_dir, self.name)
        out = [folder / f for f in (INDEX, CATALOGUE, SCDL_CATALOGUE, STATS)]
        if (folder / INDEX).is_file():
            for row in read_csv(folder / INDEX, ("fichiers",)):
                out.extend(Path(data_dir) / "sources" / f for f in _schema_files(row))
        return out

    # -- catalogue ---------------------------------------------------------------------------------
    def standards(self, data_dir: Path) -> tuple[list[StandardInfo], set[str]]:
        """Every schema of the index and of the catalogue, and the ids carrying the SCDL label."""
        folder = sources_dir(data_dir, self.name)
        stats = read_json(folder / STATS).get("references", {})
        scdl = {s["name"] for s in _catalogue(folder / SCDL_CATALOGUE)}
        out: list[StandardInfo] = []
        seen: set[str] = set()
        columns = ("id", "titre", "description", "type", "version_latest", "labels", "scdl",
                   "nb_ressources_datagouv", "homepage", "fichiers")
        for row in read_csv(folder / INDEX, columns):
            sid = row.required("id")
            try:
                standard_id(sid)
            except ValueError as exc:
                raise row.error("id", str(exc)) from None
            if sid in seen:
                raise row.error("id", f"duplicate schema id {sid!r}")
            seen.add(sid)
            row.choice("type", SCHEMA_TYPES)
            row.choice("scdl", ("oui", "non", "historique"))
            resources = row.integer("nb_ressources_datagouv", optional=True)
            if sid in stats and "dgv_resources" in stats[sid]:
                resources = int(stats[sid]["dgv_resources"])
            files = _schema_files(row)
            for f in files:
                if not (Path(data_dir) / "sources" / f).is_file():
                    raise row.error("fichiers", f"{f} is not in data/sources/ (run `odl-graph import scdl`)")
            out.append(StandardInfo(
                id=sid, title=row.required("titre"), description=row.get("description"), type=row.get("type"),
                version=row.required("version_latest"),
                labels=[x.strip() for x in row.get("labels").split(";") if x.strip()],
                homepage=row.get("homepage"), resources=resources, files=files, row=row,
            ))
        for entry in _catalogue(folder / CATALOGUE):
            if entry["name"] in seen:
                continue
            seen.add(entry["name"])
            ref = stats.get(entry["name"], {})
            versions = entry.get("versions") or []
            out.append(StandardInfo(
                id=entry["name"], title=entry.get("title") or entry["name"],
                description=entry.get("description") or "", type=entry.get("schema_type") or "other",
                version=versions[-1]["version_name"] if versions else "", labels=list(entry.get("labels") or []),
                homepage=entry.get("homepage") or "",
                resources=int(ref["dgv_resources"]) if "dgv_resources" in ref else None,
            ))
        missing = scdl - seen
        if missing:
            raise SourceError(SourceLocation(str(folder / SCDL_CATALOGUE)),
                              f"SCDL schema(s) absent from the catalogue: {', '.join(sorted(missing))}")
        return out, scdl

    # -- graph -------------------------------------------------------------------------------------
    def to_graph(self, data_dir: Path) -> Graph:
        infos, scdl = self.standards(data_dir)
        by_iri = {iris.standard(standard_id(s.id)): s for s in infos}
        g = bind_prefixes(Graph())
        for subject, s in by_iri.items():
            g.add((subject, RDF.type, ODL.Standard))
            g.add((subject, RDF.type, DCTERMS.Standard))
            g.add((subject, DCTERMS.identifier, Literal(standard_id(s.id))))
            g.add((subject, DCTERMS.title, Literal(s.title, lang="fr")))
            # A schema's title is the published name of the specification: the same text in both languages.
            g.add((subject, RDFS.label, Literal(s.title, lang="fr")))
            g.add((subject, RDFS.label, Literal(s.title, lang="en")))
            if s.description:
                g.add((subject, DCTERMS.description, Literal(s.description, lang="fr")))
            if s.version:
                g.add((subject, OWL.versionInfo, Literal(s.version)))
            home = uri(s.homepage)
            if home is not None:
                g.add((subject, FOAF.homepage, home))
            for label in s.labels:
                g.add((subject, ODL.schemaLabel, Literal(label)))
            g.add((subject, ODL.isSCDL, boolean(s.id in scdl)))
            if s.resources is not None:
                g.add((subject, ODL.conformingResources, integer(s.resources)))
            g.add((subject, DCTERMS.source, URIRef(OTHER_SOURCES.get(s.id, str(CATALOGUE_SOURCE)))))
            for f in s.files:
                self._add_fields(g, subject, s, Path(data_dir) / "sources" / f, f)
        self._link_packages(g, by_iri, data_dir)
        return g

    def _add_fields(self, g: Graph, subject: URIRef, s: StandardInfo, path: Path, rel: str) -> None:
        sf = _SchemaFile(path)
        if s.type == "tableschema":
            fields = table_fields(sf, sf.data, "")
        elif s.type == "jsonschema":
            fields = json_schema_fields(sf)
        elif s.type == "datapackage":
            fields = []
            for i, res in enumerate(sf.data.get("resources") or []):
                if isinstance(res, dict) and isinstance(res.get("schema"), dict):
                    fields.extend(table_fields(sf, res["schema"], f"/resources/{i}/schema"))
            names = [f.name for f in fields]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise sf.error("/resources", f"field name(s) used by two resources: {', '.join(dupes)}", dupes[0])
        else:  # 'other' (e.g. GeoPackage/COVADIS standards): the file only carries metadata
            return
        if fields and s.id not in OTHER_SOURCES:
            g.add((subject, DCTERMS.source, URIRef(SITE_REPO + _site_path(rel))))
        for f in fields:
            node = field_iri(subject, f.name)
            g.add((subject, ODL.hasField, node))
            g.add((node, RDF.type, ODL.SchemaField))
            g.add((node, ODL.fieldName, Literal(f.name)))
            g.add((node, RDFS.label, Literal(f.name, lang="fr")))
            g.add((node, RDFS.label, Literal(f.name, lang="en")))
            g.add((node, ODL.fieldPosition, integer(f.position)))
            g.add((node, ODL.fieldRequired, boolean(f.required)))
            if f.type is not None:
                g.add((node, ODL.fieldType, Literal(f.type)))
            if f.title:
                g.add((node, DCTERMS.title, Literal(f.title, lang="fr")))
            if f.description:
                g.add((node, DCTERMS.description, Literal(f.description, lang="fr")))
            for value in f.enum:
                g.add((node, ODL.fieldEnum, Literal(value)))
            if f.pattern is not None:
                g.add((node, ODL.fieldPattern, Literal(f.pattern)))
            if f.format is not None:
                g.add((node, ODL.fieldFormat, Literal(f.format)))

    @staticmethod
    def _link_packages(g: Graph, by_iri: dict[URIRef, StandardInfo], data_dir: Path) -> None:
        """dcterms:hasPart from a Data Package to the standards its resources' schemas are published as."""
        ids = {s.id for s in by_iri.values()}
        for subject, s in by_iri.items():
            if s.type != "datapackage" or not s.files:
                continue
            data = read_json(Path(data_dir) / "sources" / s.files[0])
            for res in data.get("resources") or []:
                if isinstance(res, dict) and isinstance(res.get("schema"), str):
                    part = _component(s.id, str(res.get("name") or ""), ids)
                    if part is not None:
                        g.add((subject, DCTERMS.hasPart, iris.standard(standard_id(part))))


def _component(package_id: str, resource: str, ids: set[str]) -> str | None:
    """The schema id a Data Package resource is published as: same owner, and a name equal (ignoring
    hyphens) to the resource name, optionally prefixed by 'schema-' or the package name, or stripped of
    'classe-'."""
    owner, package = package_id.split("/", 1)
    squash = {i.split("/", 1)[1].replace("-", ""): i for i in ids if i.startswith(owner + "/")}
    stem = package.removeprefix("schema-")
    candidates = (resource, resource.removeprefix("classe-"), f"schema-{resource}", f"{package}-{resource}",
                  f"{stem}-{resource}")
    for candidate in candidates:
        found = squash.get(candidate.replace("-", ""))
        if found and found != package_id:
            return found
    return None


def _schema_files(row: Row) -> list[str]:
    """The JSON schema files of an index row (README and example files are not read)."""
    return [f.strip() for f in row.get("fichiers").split(";") if f.strip().endswith(".json")]


def _site_path(rel: str) -> str:
    """scdl/schemas/{owner}/{name}/{version}/{file} -> its path in the schema.data.gouv.fr repository."""
    parts = rel.split("/")
    owner, name, rest = parts[2], parts[3], "/".join(parts[5:])
    rest = rest.removesuffix(".yml.json") + ".yml" if rest.endswith(".yml.json") else rest
    return f"site/.vuepress/public/schemas/{owner}/{name}/latest/{rest}"


def _catalogue(path: Path) -> list[dict]:
    data = read_json(path)
    schemas = data.get("schemas") if isinstance(data, dict) else None
    if not isinstance(schemas, list) or not all(isinstance(s, dict) and isinstance(s.get("name"), str)
                                                for s in schemas):
        raise SourceError(SourceLocation(str(path)), "expected {'schemas': [{'name': ...}, ...]}")
    return schemas
