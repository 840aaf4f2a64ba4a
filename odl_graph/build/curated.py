"""Compile the curated CSV files (`data/curated/*.csv`) to RDF.

Curators edit plain CSV; this module is the only place that knows how a column becomes triples.
It maps, SHACL judges: a cell that cannot become an RDF term (a malformed id or territory, a bad header, a
short row) raises CuratedDataError with file:line:column; a term that is not acceptable (an unknown status
code, a commune missing from the COG) compiles, and SHACL reports it at its cell (`CompiledFile.cells`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV, RDF, RDFS

from odl_graph import iris, vocab_files
from odl_graph.errors import CuratedDataError, SourceLocation, not_utf8
from odl_graph.namespace import ODL

UNKNOWN = "?"
_URL_RE = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_WHEN_RE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2]))?(-\d{2})?$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_STANDARD_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_TERRITORY_RE = re.compile(r"^(commune|epci|departement|region):([0-9AB]{2,9})$")
NATIONAL = iris.resource("territory", "france")
FR_EN = ("fr", "en")


@dataclass(frozen=True)
class Column:
    """How one CSV column becomes triples.

    kind: text | ref | concept | territory | standard | url | int | date | year | string | licence | bool
    also: further predicates the same value is stated with (a dataset's label is also its dct:title).
    """

    name: str
    kind: str
    predicate: URIRef | None = None
    lang: str | None = None
    target: str | None = None  # ref: the curated file the slug points into; concept: the scheme
    multi: bool = False
    required: bool = False
    unknown_ok: bool = False
    pattern: str | None = None
    also: tuple[URIRef, ...] = ()
    node: SubNode | None = None


@dataclass(frozen=True)
class SubNode:
    """A sub-resource of a row: `{row IRI}#{fragment}`, reached by `link`, of class `rdf_type`."""

    fragment: str
    link: URIRef
    rdf_type: URIRef


@dataclass(frozen=True)
class FileSpec:
    """One curated file: the class of its rows, how its IRIs are minted, and its columns."""

    name: str
    rdf_type: tuple[URIRef, ...]
    kind: str  # IRI kind (docs/design.md)
    columns: tuple[Column, ...]
    id_columns: tuple[str, ...] = ("id",)


def _labels(also: tuple[URIRef, ...] = ()) -> tuple[Column, ...]:
    return (
        Column("label_fr", "text", RDFS.label, lang="fr", required=True, also=also),
        Column("label_en", "text", RDFS.label, lang="en", required=True, also=also),
    )


SOURCES = Column("sources", "url", DCTERMS.source, multi=True, required=True)
# A dataset record cites its pages with foaf:page (DCAT-AP "documentation"): DCAT-AP gives dcterms:source
# the range dcat:Dataset (the dataset it derives from), which a cited web page is not.
DATASET_PAGES = Column("sources", "url", FOAF.page, multi=True, required=True)
ACCESS = SubNode("access", DCTERMS.accessRights, DCTERMS.RightsStatement)
STANDARDISATION = SubNode("standardisation", ODL.standardisationNeed, ODL.StandardisationNeed)

SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "actors",
        (ODL.Actor, ORG.Organization),
        "actor",
        (
            Column("id", "id"),
            *_labels(),
            Column("category", "concept", ODL.actorCategory, target="actor-category", required=True),
            Column("siren", "string", ODL.siren, pattern=r"^\d{9}$"),
            Column("homepage", "url", FOAF.homepage),
            Column("territory", "territory", ODL.competentFor, multi=True),
            Column("description_fr", "text", DCTERMS.description, lang="fr"),
            SOURCES,
        ),
    ),
    FileSpec(
        "challenges",
        (ODL.Challenge,),
        "challenge",
        (
            Column("id", "id"),
            *_labels(),
            Column("themes", "concept", DCAT.theme, target="theme", multi=True, required=True),
            Column("description_fr", "text", DCTERMS.description, lang="fr"),
            Column("description_en", "text", DCTERMS.description, lang="en"),
            SOURCES,
        ),
    ),
    FileSpec(
        "interviews",
        (ODL.Interview,),
        "interview",
        (
            Column("id", "id"),
            *_labels(),
            Column("actors", "ref", PROV.wasAssociatedWith, target="actors", multi=True, required=True),
            Column("challenges", "ref", ODL.raises, target="challenges", multi=True, unknown_ok=True),
            Column("date", "when", DCTERMS.date, unknown_ok=True),
            SOURCES,
        ),
    ),
    FileSpec(
        "services",
        (ODL.Service,),
        "service",
        (
            Column("id", "id"),
            *_labels(),
            Column("kind", "concept", ODL.serviceKind, target="service-kind", required=True),
            Column("description_fr", "text", DCTERMS.description, lang="fr"),
            SOURCES,
        ),
    ),
    FileSpec(
        "data_categories",
        (ODL.DataCategory,),
        "datacategory",
        (
            Column("id", "id"),
            *_labels(),
            Column("description_fr", "text", DCTERMS.description, lang="fr"),
            Column("producers", "ref", ODL.typicalProducer, target="actors", multi=True, required=True),
            Column("usual_status", "concept", ODL.usualOpennessStatus, target="openness", required=True),
            Column("standard", "standard", DCTERMS.conformsTo, multi=True),
            SOURCES,
            Column("status_reason_fr", "text", DCTERMS.description, lang="fr", node=ACCESS),
            Column("status_reason_en", "text", DCTERMS.description, lang="en", node=ACCESS),
            Column("status_sources", "url", DCTERMS.source, multi=True, node=ACCESS),
            Column("standardisation_status", "concept", ODL.standardisationStatus, target="standardisation-status",
                   unknown_ok=True, node=STANDARDISATION),
            Column("standardisation_note_fr", "text", DCTERMS.description, lang="fr", node=STANDARDISATION),
            Column("standardisation_note_en", "text", DCTERMS.description, lang="en", node=STANDARDISATION),
            Column("standardisation_sources", "url", DCTERMS.source, multi=True, node=STANDARDISATION),
        ),
    ),
    FileSpec(
        "use_cases",
        (ODL.UseCase,),
        "usecase",
        (
            Column("id", "id"),
            *_labels(),
            Column("description_fr", "text", DCTERMS.description, lang="fr"),
            Column("description_en", "text", DCTERMS.description, lang="en"),
            Column("themes", "concept", DCAT.theme, target="theme", multi=True, required=True),
            Column("challenges", "ref", ODL.addresses, target="challenges", multi=True, required=True),
            Column("service", "ref", ODL.implementedBy, target="services", required=True),
            Column("stage", "concept", ODL.stage, target="use-case-stage", required=True),
            SOURCES,
        ),
    ),
    FileSpec(
        "requirements",
        (ODL.DataRequirement,),
        "requirement",
        (
            Column("use_case", "ref", None, target="use_cases", required=True),
            Column("data_category", "ref", ODL.requiredCategory, target="data_categories", required=True),
            Column("level", "concept", ODL.requirementLevel, target="requirement-level", required=True),
            SOURCES,
        ),
        id_columns=("use_case", "data_category"),
    ),
    FileSpec(
        "experiments",
        (ODL.Experiment,),
        "experiment",
        (
            Column("id", "id"),
            *_labels(),
            Column("commune", "territory", DCTERMS.spatial, required=True),
            Column("season", "int", ODL.season, required=True),
            Column("start", "year", DCAT.startDate, unknown_ok=True),
            Column("end", "year", DCAT.endDate, unknown_ok=True),
            Column("themes", "concept", DCAT.theme, target="theme", multi=True, unknown_ok=True),
            Column("use_case", "ref", ODL.testsUseCase, target="use_cases", unknown_ok=True, required=True),
            Column("objectives_fr", "text", ODL.objectives, lang="fr", unknown_ok=True),
            Column("results_fr", "text", ODL.qualitativeResults, lang="fr", unknown_ok=True),
            Column("effort_fr", "text", ODL.implementationEffort, lang="fr", unknown_ok=True),
            Column("sustainability_fr", "text", ODL.dataSustainability, lang="fr", unknown_ok=True),
            Column("scope_fr", "text", ODL.geographicScope, lang="fr", unknown_ok=True),
            Column("constraints_fr", "text", ODL.deploymentConstraints, lang="fr", unknown_ok=True),
            Column("minimal_data", "ref", ODL.minimalData, target="data_categories", multi=True, unknown_ok=True),
            SOURCES,
        ),
    ),
    FileSpec(
        "datasets",
        (ODL.Dataset, DCAT.Dataset),
        "dataset",
        (
            Column("id", "id"),
            *_labels(also=(DCTERMS.title,)),
            Column("description_fr", "text", DCTERMS.description, lang="fr", required=True),
            Column("description_en", "text", DCTERMS.description, lang="en", required=True),
            Column("data_category", "ref", ODL.instantiates, target="data_categories", multi=True, required=True),
            Column("publisher", "ref", DCTERMS.publisher, target="actors", unknown_ok=True),
            Column("holder", "ref", DCTERMS.rightsHolder, target="actors", unknown_ok=True),
            Column("status", "concept", ODL.opennessStatus, target="openness", required=True, unknown_ok=True),
            Column("licence", "licence", DCTERMS.license, unknown_ok=True),
            Column("spatial", "territory", DCTERMS.spatial, multi=True, unknown_ok=True),
            # Territories inside `spatial` that the dataset does not cover (DVF: Alsace-Moselle, Mayotte).
            Column("spatial_excluded", "territory", ODL.spatialExclusion, multi=True),
            Column("local_content", "concept", ODL.localContent, target="local-content", required=True),
            Column("standard", "standard", DCTERMS.conformsTo, multi=True),
            Column("landing_page", "url", DCAT.landingPage, unknown_ok=True),
            DATASET_PAGES,
        ),
    ),
    FileSpec(
        "dataset_searches",
        (ODL.DatasetSearch,),
        "datasetsearch",
        (
            Column("category", "ref", ODL.searchedCategory, target="data_categories", required=True),
            Column("outcome", "concept", ODL.searchOutcome, target="search-outcome", required=True),
            Column("note_fr", "text", DCTERMS.description, lang="fr", required=True),
            Column("note_en", "text", DCTERMS.description, lang="en", required=True),
            Column("date", "when", DCTERMS.date, required=True),
            SOURCES,
        ),
        id_columns=("category",),
    ),
    FileSpec("category_fields", (ODL.SchemaField,), "categoryfield",  # derive-schema drafts from these fields
        (Column("category", "ref", None, target="data_categories", required=True),
         Column("position", "int", ODL.fieldPosition, required=True),
         Column("name", "string", ODL.fieldName, required=True), Column("type", "string", ODL.fieldType, required=True),
         Column("unit", "string", ODL.fieldUnit, unknown_ok=True),
         *(Column(f"title_{g}", "text", DCTERMS.title, lang=g, required=True, also=(RDFS.label,)) for g in FR_EN),
         *(Column(f"why_{g}", "text", DCTERMS.description, lang=g, required=True) for g in FR_EN), SOURCES),
        id_columns=("category", "position"),
    ),
    FileSpec(
        "competences",
        (ODL.Competence,),
        "competence",
        (
            Column("data_category", "ref", ODL.competenceCategory, target="data_categories", required=True),
            Column("levels", "concept", ODL.competentLevel, target="competence-level", multi=True,
                   required=True, unknown_ok=True),
            Column("holders", "ref", ODL.competentBody, target="actors", multi=True),
            Column("legal_basis_fr", "text", ODL.legalBasis, lang="fr", unknown_ok=True),
            Column("legal_basis_en", "text", ODL.legalBasis, lang="en", unknown_ok=True),
            Column("legal_sources", "url", ODL.legalSource, multi=True),
            Column("open_obligation", "bool", ODL.openingRequired, required=True, unknown_ok=True),
            Column("obligation_fr", "text", ODL.openingObligation, lang="fr"),
            Column("obligation_en", "text", ODL.openingObligation, lang="en"),
            Column("obligation_sources", "url", ODL.obligationSource, multi=True),
            Column("note_fr", "text", DCTERMS.description, lang="fr"),
            Column("note_en", "text", DCTERMS.description, lang="en"),
            SOURCES,
        ),
        id_columns=("data_category",),
    ),
    FileSpec(
        "publications",
        (ODL.Publication, FOAF.Document),
        "publication",
        (
            Column("id", "id"),
            *_labels(),
            Column("kind", "concept", ODL.publicationKind, target="publication-kind", required=True),
            Column("url", "url", FOAF.page, required=True),
            Column("date", "when", DCTERMS.issued, unknown_ok=True),
            Column("publisher", "ref", DCTERMS.publisher, target="actors", unknown_ok=True),
            Column("language", "language", DCTERMS.language, required=True),
            Column("use_cases", "ref", DCTERMS.subject, target="use_cases", multi=True),
            Column("themes", "concept", DCAT.theme, target="theme", multi=True),
            Column("interview", "ref", PROV.wasGeneratedBy, target="interviews"),
            SOURCES,
        ),
    ),
)
SPECS_BY_NAME = {s.name: s for s in SPECS}
ORDER = [s.name for s in SPECS]


@dataclass
class Context:
    """What compiling needs from the other sources: openness concept -> EU access-right IRI, and the
    codes of the EU Licence table a `licence` cell may use."""

    access_rights: Mapping[URIRef, URIRef] = field(default_factory=dict)
    licences: frozenset[str] = field(default_factory=vocab_files.licence_codes)


@dataclass
class Row:
    path: Path
    line: int
    cells: dict[str, str]


@dataclass
class CompiledFile:
    name: str
    path: Path
    graph: Graph
    subjects: dict[URIRef, int]  # subject -> line, so validation reports can name the source
    cells: dict[tuple[URIRef, URIRef], tuple[int, int]]  # (subject, predicate) -> (line, column)


def read_rows(path: Path, spec: FileSpec) -> list[Row]:
    """Read a CSV, checking its header against the spec; rows keep their first line number."""
    expected = [c.name for c in spec.columns]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(str(path), data, exc, CuratedDataError) from exc
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines, strict=True)  # a stray quote is an error, not a character of the cell
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CuratedDataError(SourceLocation(str(path), 1), "empty file: a header row is required") from exc
    except csv.Error as exc:
        raise _quote_error(path, lines, 1, exc) from exc
    header = [h.strip() for h in header]
    for i, name in enumerate(header, start=1):
        if name not in expected:
            raise CuratedDataError(
                SourceLocation(str(path), 1, i), f"unknown column {name!r}; expected columns: {', '.join(expected)}"
            )
    missing = [c for c in expected if c not in header]
    if missing:
        raise CuratedDataError(SourceLocation(str(path), 1), f"missing column(s): {', '.join(missing)}")
    rows: list[Row] = []
    last = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _quote_error(path, lines, last + 1, exc) from exc
        start = last + 1
        last = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise CuratedDataError(
                SourceLocation(str(path), start, min(len(record), len(header)) + 1),
                f"row has {len(record)} cells, header has {len(header)}",
            )
        rows.append(Row(path, start, {h: v.strip() for h, v in zip(header, record, strict=True)}))
    return rows


def _quote_error(path: Path, lines: list[str], start: int, exc: csv.Error) -> CuratedDataError:
    """Where the malformed quoting of the record starting at line `start` is, as file:line:column."""
    line, in_quotes, at_field_start = start, False, True
    for text in lines[start - 1:]:
        i = 0
        while i < len(text):
            ch = text[i]
            if in_quotes:
                if ch == '"' and text[i + 1:i + 2] == '"':
                    i += 1  # an escaped quote
                elif ch == '"':
                    after = text[i + 1:i + 2]
                    if after not in (",", "\n", "\r", ""):
                        return CuratedDataError(SourceLocation(str(path), line, i + 1),
                                                f"stray quote in a quoted cell: write it as \"\" ({exc})")
                    in_quotes = False
            elif ch == '"' and at_field_start:
                in_quotes = True
            at_field_start = ch == ","
            i += 1
        if not in_quotes:
            break
        line += 1
    where = SourceLocation(str(path), min(line, len(lines)))
    return CuratedDataError(where, f"malformed CSV quoting: {exc} (a quoted cell is never closed?)")


def _row_id(spec: FileSpec, row: Row, header_index: Mapping[str, int]) -> str:
    parts = []
    for col in spec.id_columns:
        value = row.cells[col]
        if not iris.is_slug(value):
            raise CuratedDataError(
                SourceLocation(str(row.path), row.line, header_index[col]),
                f"column {col!r}: {value!r} is not a slug (lowercase letters, digits and '-')",
            )
        parts.append(value)
    return "--".join(parts)


class Compiler:
    """Compiles every curated file together, so references can be checked across files."""

    def __init__(self, folder: Path, context: Context) -> None:
        self.folder = folder
        self.context = context
        self.rows: dict[str, list[Row]] = {}
        self.ids: dict[str, set[str]] = {}
        self.headers: dict[str, dict[str, int]] = {}
        self._empty: set[tuple[URIRef, URIRef]] = set()  # (subject, predicate) of empty cells

    def _load(self) -> None:
        for spec in SPECS:
            path = self.folder / f"{spec.name}.csv"
            if not path.exists():
                self.rows[spec.name], self.ids[spec.name] = [], set()
                continue
            rows = read_rows(path, spec)
            header = next(csv.reader([path.read_text(encoding="utf-8").splitlines()[0]]))
            index = {h.strip(): i for i, h in enumerate(header, start=1)}
            seen: dict[str, int] = {}
            for row in rows:
                rid = _row_id(spec, row, index)
                if rid in seen:
                    raise CuratedDataError(
                        SourceLocation(str(path), row.line, index[spec.id_columns[0]]),
                        f"duplicate id {rid!r} (first at line {seen[rid]})",
                    )
                seen[rid] = row.line
            self.rows[spec.name], self.ids[spec.name], self.headers[spec.name] = rows, set(seen), index

    def compile(self) -> list[CompiledFile]:
        self._load()
        out = []
        for spec in SPECS:
            if not self.rows[spec.name] and not (self.folder / f"{spec.name}.csv").exists():
                continue
            out.append(self._compile_file(spec))
        return out

    def _compile_file(self, spec: FileSpec) -> CompiledFile:
        path = self.folder / f"{spec.name}.csv"
        g = Graph()
        subjects: dict[URIRef, int] = {}
        cells: dict[tuple[URIRef, URIRef], tuple[int, int]] = {}
        index = self.headers.get(spec.name, {})
        for row in self.rows[spec.name]:
            subject = iris.resource(spec.kind, _row_id(spec, row, index))
            subjects[subject] = row.line
            for t in spec.rdf_type:
                g.add((subject, RDF.type, t))
            if spec.name == "requirements":
                g.add((iris.resource("usecase", row.cells["use_case"]), ODL.hasRequirement, subject))
            if spec.name == "category_fields":  # a minimal field is needed by definition
                g.add((iris.resource("datacategory", row.cells["category"]), ODL.hasField, subject))
                g.add((subject, ODL.fieldRequired, Literal(True)))
            for col in spec.columns:
                self._cell(g, subject, spec, col, row, index[col.name], cells)
        return CompiledFile(spec.name, path, g, subjects, cells)

    def _fail(self, row: Row, column: int, col: Column, message: str) -> CuratedDataError:
        return CuratedDataError(SourceLocation(str(row.path), row.line, column), f"column {col.name!r}: {message}")

    def _cell(self, g: Graph, subject: URIRef, spec: FileSpec, col: Column, row: Row, colno: int,
              cells: dict[tuple[URIRef, URIRef], tuple[int, int]]) -> None:
        raw = row.cells[col.name]
        if col.kind == "id":
            return
        if col.node is not None and raw:
            node = URIRef(f"{subject}#{col.node.fragment}")
            g.add((subject, col.node.link, node))
            g.add((node, RDF.type, col.node.rdf_type))
            cells.setdefault((subject, col.node.link), (row.line, colno))
            subject = node
        for predicate in (col.predicate, *col.also) if col.predicate is not None else ():
            # Two columns may share a predicate (description_fr, description_en): an empty cell keeps
            # the position, so a missing value is reported where it is missing.
            key = (subject, predicate)
            if not raw:
                self._empty.add(key)
            if not raw or key not in self._empty:
                cells[key] = (row.line, colno)
        if raw == UNKNOWN:
            if not col.unknown_ok:
                raise self._fail(row, colno, col, "'?' (unknown) is not allowed in this column")
            if col.predicate is not None:
                g.add((subject, ODL.unknownValueOf, col.predicate))
            return
        if not raw:
            return  # a missing required value is a SHACL violation (minCount), reported at this cell
        values = [v.strip() for v in raw.split(";")] if col.multi else [raw]
        if any(not v for v in values):
            raise self._fail(row, colno, col, f"empty item in list {raw!r}")
        for value in values:
            obj = self._convert(col, value, row, colno)
            if col.predicate is None:
                continue
            if col.kind == "year":
                period = URIRef(str(subject) + "#period")
                g.add((subject, DCTERMS.temporal, period))
                g.add((period, RDF.type, DCTERMS.PeriodOfTime))
                g.add((period, col.predicate, obj))
                cells[(period, col.predicate)] = (row.line, colno)
                continue
            g.add((subject, col.predicate, obj))
            for extra in col.also:
                g.add((subject, extra, obj))
            if col.predicate == ODL.opennessStatus and obj in self.context.access_rights:
                g.add((subject, DCTERMS.accessRights, self.context.access_rights[obj]))
            if obj == NATIONAL:
                g.add((NATIONAL, RDF.type, ODL.Territory))
                g.add((NATIONAL, RDFS.label, Literal("France", lang="fr")))
                g.add((NATIONAL, RDFS.label, Literal("France", lang="en")))

    def _convert(self, col: Column, value: str, row: Row, colno: int) -> URIRef | Literal:
        """Map a cell to an RDF term. Only what cannot become a term is an error here; whether the
        term is acceptable (a known code, an existing commune, an integer...) is SHACL's verdict."""
        fail: Callable[[str], CuratedDataError] = lambda msg: self._fail(row, colno, col, msg)  # noqa: E731
        kind = col.kind
        if kind == "text":
            return Literal(value, lang=col.lang)
        if kind == "string":
            return Literal(value)
        if kind == "bool":  # yes / no; anything else stays a string, which SHACL reports at the cell
            return Literal(value == "yes") if value in ("yes", "no") else Literal(value)
        if kind in {"ref", "concept"}:
            assert col.target is not None
            if not iris.is_slug(value):
                raise fail(f"{value!r} is not an id (lowercase letters, digits and '-')")
            if kind == "ref":
                return iris.resource(SPECS_BY_NAME[col.target].kind, value)
            return iris.concept(col.target, value)
        if kind == "territory":
            return self._territory(value, fail)
        if kind == "standard":
            if not _STANDARD_RE.match(value):
                raise fail(f"{value!r} is not a schema id of the form owner/name")
            return iris.standard(value)
        if kind == "licence":
            if value not in self.context.licences:
                raise fail(
                    f"{value!r} is not a code of the EU Licence table (e.g. ETALAB_2_0, ODC_BL, CC_BY_4_0, CC0; "
                    f"see {vocab_files.EXTERNAL_VOCABULARIES['licence'].name})"
                )
            return URIRef(vocab_files.EU_LICENCE + value)
        if kind == "url":
            return URIRef(value) if _URL_RE.match(value) else Literal(value)
        if kind == "int":
            return Literal(int(value)) if re.fullmatch(r"-?\d+", value) else Literal(value)
        if kind == "when":
            m = _WHEN_RE.match(value)
            if m and m.group(4):
                try:
                    return Literal(date.fromisoformat(value))
                except ValueError:
                    return Literal(value)
            if m and m.group(2):
                return Literal(value, datatype=XSD.gYearMonth)
            return Literal(value, datatype=XSD.gYear) if m else Literal(value)
        if kind == "language":
            return Literal(value, datatype=XSD.language) if _LANGUAGE_RE.match(value) else Literal(value)
        if kind == "year":
            return Literal(value, datatype=XSD.gYear) if re.fullmatch(r"\d{4}", value) else Literal(value)
        raise AssertionError(f"unknown column kind {kind}")

    def _territory(self, value: str, fail: Callable[[str], CuratedDataError]) -> URIRef:
        if value == "national":
            return NATIONAL
        m = _TERRITORY_RE.match(value)
        if value.isdigit() or re.fullmatch(r"2[AB]\d{3}", value):
            m = _TERRITORY_RE.match(f"commune:{value}")
        if not m:
            raise fail(
                f"{value!r} is not a territory (commune:CODE, epci:SIREN, departement:CODE, region:CODE or national)"
            )
        return iris.resource(m.group(1), m.group(2))


def compile_folder(folder: Path, context: Context) -> list[CompiledFile]:
    """Compile every curated file of a folder (missing files are skipped)."""
    return Compiler(folder, context).compile()
