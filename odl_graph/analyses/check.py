"""Exists but unusable? A CSV file checked against what a use case needs: the draft or standard schema of a
data category (odl_graph/analyses/derive.py), with frictionless.

The report says which needed fields are missing from the header, which are present but empty, and which
hold invalid values (wrong type, outside the allowed values, not matching the pattern), with counts and
the first rows, and a short summary in French and English. The file comes from an upload only (nothing
is fetched), is size-limited by the caller's limit (setting `check_max_bytes`), checked in memory and never
stored.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from odl_graph.errors import OdlError

FIRST_ROWS = 5  # rows quoted per problem


class CheckError(OdlError):
    """The file cannot be checked: too large, not text, not a CSV with a header. The message is English
    (str()); `message_fr` is what a French page shows."""

    def __init__(self, message: str, message_fr: str, status: int = 400) -> None:
        super().__init__(message)
        self.message_fr = message_fr
        self.status = status

    def text(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else str(self)


NOTE_TEXT = {  # what was expected, by frictionless error: (French, English)
    "type": ("type attendu : {}", "expected type: {}"),
    "enum": ("valeurs autorisées : {}", "allowed values: {}"),
    "pattern": ("motif attendu : {}", "expected pattern: {}"),
    "other": ("contrainte « {} »", "constraint “{}”"),
}
_CONSTRAINT = re.compile(r'constraint "([^"]+)" is "(.*)"$')


@dataclass
class FieldProblem:
    field: str
    kind: str  # missing | empty | invalid
    count: int = 0
    rows: list[int] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (NOTE_TEXT key, detail)

    def details(self, lang: str) -> list[str]:
        """What was expected, in the page's language."""
        return [NOTE_TEXT[k][0 if lang == "fr" else 1].format(v) for k, v in self.notes]


def _note(err: Any, ftype: str | None) -> tuple[str, str] | None:
    if err.type == "type-error":
        return ("type", ftype or "?")
    m = _CONSTRAINT.search(getattr(err, "note", "") or "")
    if m:
        key = m.group(1)
        return (key, m.group(2)) if key in ("enum", "pattern") else ("other", f"{key} = {m.group(2)}")
    return None


@dataclass
class CheckReport:
    rows: int
    header: list[str]
    needed: list[str]
    missing: list[FieldProblem]
    empty: list[FieldProblem]
    invalid: list[FieldProblem]
    extra: list[str]
    structure: list[str]

    @property
    def valid(self) -> bool:
        return not (self.missing or self.empty or self.invalid or self.structure)

    def summary(self, lang: str = "fr") -> str:
        n_missing, n_empty, n_invalid = len(self.missing), len(self.empty), len(self.invalid)
        names = lambda ps: ", ".join(p.field for p in ps)  # noqa: E731
        if lang == "en":
            if self.valid:
                return (f"The file conforms: {self.rows} row(s), all {len(self.needed)} needed field(s) present and"
                        " filled, every value valid.")
            parts = [f"{n_missing} needed field(s) missing ({names(self.missing)})" if n_missing else "",
                     f"{n_empty} needed field(s) with empty cells ({names(self.empty)})" if n_empty else "",
                     f"{n_invalid} field(s) with invalid values ({names(self.invalid)})" if n_invalid else "",
                     f"{len(self.structure)} structural problem(s)" if self.structure else ""]
            return f"The file does not conform ({self.rows} row(s)): " + "; ".join(p for p in parts if p) + "."
        if self.valid:
            return (f"Le fichier est conforme : {self.rows} ligne(s), les {len(self.needed)} champ(s) nécessaires"
                    " sont présents et remplis, toutes les valeurs sont valides.")
        parts = [f"{n_missing} champ(s) nécessaire(s) absent(s) ({names(self.missing)})" if n_missing else "",
                 f"{n_empty} champ(s) nécessaire(s) avec des cellules vides ({names(self.empty)})" if n_empty else "",
                 f"{n_invalid} champ(s) aux valeurs invalides ({names(self.invalid)})" if n_invalid else "",
                 f"{len(self.structure)} problème(s) de structure" if self.structure else ""]
        return f"Le fichier n'est pas conforme ({self.rows} ligne(s)) : " + " ; ".join(p for p in parts if p) + "."

    def to_json(self) -> dict[str, Any]:
        def probs(ps: list[FieldProblem]) -> list[dict[str, Any]]:
            return [{"field": p.field, "count": p.count, "rows": p.rows, "notes": p.details("en"),
                     "notes_fr": p.details("fr")} for p in ps]

        return {"valid": self.valid, "rows": self.rows, "header": self.header, "needed": self.needed,
                "missing": [p.field for p in self.missing], "empty": probs(self.empty),
                "invalid": probs(self.invalid), "extra": self.extra, "structure": self.structure,
                "summary_fr": self.summary("fr"), "summary_en": self.summary("en")}


def refuse_size(size: int, max_bytes: int) -> None:
    """A clear refusal of a file over the limit, in both languages."""
    if size > max_bytes:
        fr_size, fr_max = f"{size:,}".replace(",", "\u202f"), f"{max_bytes:,}".replace(",", "\u202f")
        raise CheckError(f"the file is {size:,} bytes; the check accepts at most {max_bytes:,} bytes"
                         " (setting check_max_bytes): send an extract of the file",
                         f"le fichier fait {fr_size} octets ; la vérification en accepte au plus {fr_max}"
                         " (réglage check_max_bytes) : envoyez un extrait du fichier", status=413)


def decode(data: bytes, max_bytes: int) -> str:
    """The upload as text, refused when over the limit or not UTF-8 (a BOM is dropped)."""
    refuse_size(len(data), max_bytes)
    if not data.strip():
        raise CheckError("the file is empty: send a CSV file with a header row",
                         "le fichier est vide : envoyez un fichier CSV avec une ligne d'en-tête")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CheckError(f"the file is not UTF-8 text (byte {exc.start}): save it as CSV UTF-8",
                         f"le fichier n'est pas du texte UTF-8 (octet {exc.start}) : enregistrez-le en CSV UTF-8"
                         ) from None


def check_csv(data: bytes, descriptor: dict[str, Any], max_bytes: int) -> CheckReport:
    """Check a CSV upload against a Table Schema descriptor (a draft or a standard's)."""
    from frictionless import Resource, Schema

    text = decode(data, max_bytes)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise CheckError(f"the file is not a readable CSV: {exc}", f"le fichier n'est pas un CSV lisible : {exc}"
                         ) from None
    if not table or not any(h.strip() for h in table[0]):
        raise CheckError("the first row of the file is empty: a header row naming the columns is needed",
                         "la première ligne du fichier est vide : une ligne d'en-tête nommant les colonnes est"
                         " nécessaire")
    header = [h.strip() for h in table[0]]
    fields = {f["name"]: f for f in descriptor.get("fields", [])}
    needed = [n for n, f in fields.items() if f.get("constraints", {}).get("required")]
    structure = [f"column {i} has no name" for i, h in enumerate(header, start=1) if not h]
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    structure += [f"column {h!r} appears more than once" for h in dupes]
    missing = [FieldProblem(n, "missing") for n in needed if n not in header]
    extra = [h for h in header if h and h not in fields]
    # Check the columns the file has, in its order, against their definitions; unknown columns as text.
    columns = [dict(fields[h]) if h in fields and h not in dupes else {"name": h or f"column{i}", "type": "any"}
               for i, h in enumerate(header, start=1)]
    for c in columns:
        c.pop("sources", None)
    schema = Schema.from_descriptor({"fields": columns, "missingValues": descriptor.get("missingValues", [""])})
    rows = table[1:]
    width = len(header)
    for i, r in enumerate(rows, start=2):
        if len(r) != width:
            structure.append(f"row {i} has {len(r)} cell(s), the header {width}")
            if len(structure) > 20:
                break
    data_rows = [[*r[:width], *([""] * (width - len(r)))] for r in rows]
    resource = Resource(data=[[c["name"] for c in columns], *data_rows], schema=schema)
    report = resource.validate(limit_errors=10_000)
    empty: dict[str, FieldProblem] = {}
    invalid: dict[str, FieldProblem] = {}
    for task in report.tasks:
        for err in task.errors:
            name = getattr(err, "field_name", None)
            if name is None:
                continue
            row = getattr(err, "row_number", None)
            note = getattr(err, "note", "") or ""
            is_empty = err.type == "constraint-error" and "required" in note
            bucket = empty if is_empty else invalid
            p = bucket.setdefault(name, FieldProblem(name, "empty" if is_empty else "invalid"))
            p.count += 1
            if row is not None and len(p.rows) < FIRST_ROWS:
                p.rows.append(row)
            detail = None if is_empty else _note(err, fields.get(name, {}).get("type"))
            if detail and detail not in p.notes and len(p.notes) < 3:
                p.notes.append(detail)
    order = {n: i for i, n in enumerate(header)}
    return CheckReport(len(rows), header, needed, missing,
                       sorted(empty.values(), key=lambda p: order.get(p.field, 0)),
                       sorted(invalid.values(), key=lambda p: order.get(p.field, 0)), extra, structure)
