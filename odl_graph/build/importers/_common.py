"""Helpers shared by the importers: reading checked CSV rows, copying extracts, namespaces.

Every importer reads small, trusted-but-real extracts; a malformed cell must still stop the build
with file:line:column (1-based CSV column index, as for curated files) and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, RDFS, SKOS, XSD

from odl_graph.errors import SourceError, SourceLocation, not_utf8

IGEO = Namespace("http://rdf.insee.fr/def/geo#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
INSEE_ID = "http://id.insee.fr/geo/"

SIREN_RE = re.compile(r"^\d{9}$")
COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
DEPARTEMENT_RE = re.compile(r"^(?:\d{2,3}|2[AB])$")
REGION_RE = re.compile(r"^\d{2,3}$")
INT_RE = re.compile(r"^-?\d+$")
FLOAT_RE = re.compile(r"^-?\d+(?:\.\d+)?$")

class Importer(Protocol):
    """What the build (odl_graph/build/pipeline.py) and `odl-graph import NAME` call."""

    name: str

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]: ...

    def sources(self, data_dir: Path) -> list[Path]: ...

    def to_graph(self, data_dir: Path) -> Graph: ...


@dataclass(frozen=True)
class RowNote:
    """A source row an importer corrected, or left out, or could not join: the build prints every one."""

    importer: str
    action: str  # "corrected", "left out", "not joined", "name differs"
    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.importer}: {self.action}: {self.location}: {self.message}"


def row_notes(importer: object, data_dir: Path) -> list[RowNote]:
    """The rows an importer reports (its optional `notes` method); none for an importer without checks."""
    notes = getattr(importer, "notes", None)
    return list(notes(data_dir)) if notes is not None else []


def sources_dir(data_dir: Path, name: str) -> Path:
    """data/sources/<name>/: where an importer's shipped extracts live."""
    return Path(data_dir) / "sources" / name


def copy_extracts(shared_dir: Path, data_dir: Path, name: str, pairs: Sequence[tuple[str, str]]) -> list[Path]:
    """Replace data/sources/<name>/ by copies of shared files: pairs of (shared path, target path).

    The folder is emptied first so a refresh never leaves a stale extract behind.
    """
    target_root = sources_dir(data_dir, name)
    missing = [src for src, _ in pairs if not (Path(shared_dir) / src).is_file()]
    if missing:
        raise SourceError(SourceLocation(str(shared_dir)), f"missing shared file(s): {', '.join(missing)}")
    if target_root.exists():
        shutil.rmtree(target_root)
    written = []
    for src, dst in pairs:
        out = target_root / dst
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(shared_dir) / src, out)
        written.append(out)
    return written


@dataclass
class Row:
    """One CSV record with its location, and typed accessors that fail with file:line:column."""

    path: Path
    line: int
    values: dict[str, str]
    columns: dict[str, int]  # column name -> 1-based index

    def loc(self, column: str | None = None) -> SourceLocation:
        return SourceLocation(str(self.path), self.line, self.columns.get(column) if column else None)

    def error(self, column: str, message: str) -> SourceError:
        return SourceError(self.loc(column), f"column {column!r}: {message}")

    def get(self, column: str) -> str:
        """The cell, stripped of spaces and invisible format characters (e.g. U+200E marks)."""
        raw = self.values.get(column) or ""
        if not raw.isascii():
            raw = "".join(ch for ch in raw if unicodedata.category(ch) != "Cf")
        return raw.strip()

    def required(self, column: str) -> str:
        value = self.get(column)
        if not value:
            raise self.error(column, "empty cell, a value is required")
        return value

    def code(self, column: str, pattern: re.Pattern[str], what: str, *, optional: bool = False) -> str:
        value = self.get(column)
        if not value and optional:
            return ""
        if not pattern.match(value):
            raise self.error(column, f"{value!r} is not a valid {what}")
        return value

    def integer(self, column: str, *, optional: bool = False) -> int | None:
        value = self.get(column)
        if not value and optional:
            return None
        if not INT_RE.match(value):
            raise self.error(column, f"{value!r} is not an integer")
        return int(value)

    def decimal(self, column: str, low: float, high: float) -> str:
        """A decimal number within [low, high], returned as written (no float rounding)."""
        value = self.get(column)
        if not FLOAT_RE.match(value) or not low <= float(value) <= high:
            raise self.error(column, f"{value!r} is not a number between {low} and {high}")
        return value

    def date_fr(self, column: str, *, optional: bool = False) -> dt.date | None:
        """A dd/mm/yyyy date."""
        value = self.get(column)
        if not value and optional:
            return None
        try:
            return dt.datetime.strptime(value, "%d/%m/%Y").date()
        except ValueError:
            raise self.error(column, f"{value!r} is not a date dd/mm/yyyy") from None

    def choice(self, column: str, allowed: Sequence[str]) -> str:
        value = self.get(column)
        if value not in allowed:
            raise self.error(column, f"{value!r} is not one of {', '.join(allowed)}")
        return value


def read_csv(path: Path, required_columns: Sequence[str]) -> Iterator[Row]:
    """Rows of a UTF-8 CSV with a header; checks the header has every column we read."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from _rows(path, handle, required_columns)
    except OSError as exc:
        raise SourceError(SourceLocation(str(path)), f"cannot read: {exc}") from exc


def _rows(path: Path, handle: TextIO, required_columns: Sequence[str]) -> Iterator[Row]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(SourceLocation(str(path), 1), "empty file: a header row is required") from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from exc
    columns = {name: i + 1 for i, name in enumerate(header)}
    missing = [c for c in required_columns if c not in columns]
    if missing:
        raise SourceError(SourceLocation(str(path), 1), f"missing column(s): {', '.join(missing)}")
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise SourceError(
                    SourceLocation(str(path), reader.line_num),
                    f"{len(record)} cells where the header has {len(header)}",
                )
            yield Row(path, reader.line_num, dict(zip(header, record, strict=True)), columns)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from exc


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> SourceError:
    """The stream decoder's offset counts from its last chunk: locate the first bad byte in the file
    (after the byte-order mark, which no editor shows)."""
    data = Path(path).read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as first:
        return not_utf8(str(path), data, first)
    return not_utf8(str(path), data, exc)


def read_json(path: Path) -> Any:
    """Parse a JSON file; a syntax error names file:line:column."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(SourceLocation(str(path)), f"cannot read: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(SourceLocation(str(path), exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from exc


def name_literals(name: str) -> tuple[Literal, Literal]:
    """A proper noun (territory, organisation): the same text tagged @fr and @en."""
    return Literal(name, lang="fr"), Literal(name, lang="en")


def uri(value: str) -> URIRef | None:
    """A web address as an IRI, or None when the cell holds something that is not one.

    Characters that are not allowed in an IRI (e.g. '[' in 'facet.field=[...]', a second '#') are
    percent-encoded, which leaves the address unchanged for a browser.
    """
    value = value.strip()
    if not re.match(r"^https?://[^\s/]+", value):
        return None
    head, sep, fragment = value.partition("#")
    text = head + sep + fragment.replace("#", "%23")
    return URIRef("".join(f"%{ord(ch):02X}" if ch in _IRI_FORBIDDEN or ch.isspace() else ch for ch in text))


_IRI_FORBIDDEN = frozenset('<>"{}|\\^`[] ')


def bind_prefixes(g: Graph) -> Graph:
    from odl_graph.namespace import ODL

    g.bind("odl", ODL._NS)
    g.bind("igeo", IGEO)
    g.bind("geo", GEO)
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("org", ORG), ("owl", OWL),
                       ("rdfs", RDFS), ("skos", SKOS), ("xsd", XSD)):
        g.bind(prefix, ns)
    return g


def boolean(value: bool) -> Literal:
    return Literal(value, datatype=XSD.boolean)


def integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)
