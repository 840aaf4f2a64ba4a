"""The one CSV writer of the site's tables: analysis pages, search and browse lists, a resource's statements.

Written for the office that opens it, not for a parser: a French spreadsheet (Excel, LibreOffice in a
French locale) opens a file as one column with broken accents unless it starts with a UTF-8 byte-order
mark and uses `;`, the separator of locales whose decimal mark is a comma. So every table's CSV starts
with the mark; in French (the site's default) its separator is `;`, its headers are French and its
decimals have a comma; in English, `,` and a point. `?sep=,` (or `;`, `tab`) chooses the separator
whatever the language (docs/endpoint.md, "CSV of the pages"). SPARQL results keep the W3C CSV of the
results format (negotiation.RESULTS_FORMATS): this writer is for the pages' tables only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, make_response, request

from odl_graph.analyses.catalogue import ParameterError
from odl_graph.negotiation import PAGE_DATA_FORMATS

BOM = "\ufeff"
SEPARATORS = {";": ";", ",": ",", "tab": "\t", "\t": "\t"}
CSV_FORMAT = next(f for f in PAGE_DATA_FORMATS if f.name == "csv")


def separator(lang: str) -> str:
    """The separator asked by `?sep=`, else the one of the page's language (`;` in French)."""
    asked = request.args.get("sep")
    if asked is None or asked == "":
        return ";" if lang == "fr" else ","
    if asked not in SEPARATORS:
        raise ParameterError("sep", f"{asked!r} is not a CSV separator; use ';', ',' or 'tab'")
    return SEPARATORS[asked]


def cell(value: Any, decimal: str) -> str:
    """A value as a spreadsheet reads it: a list joined by ' ; ', a decimal with the locale's mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6g}" if abs(value) < 1e15 else repr(value)
        return text.replace(".", decimal)
    if isinstance(value, list | tuple):
        return " ; ".join(cell(v, decimal) for v in value)
    return str(value)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], sep: str) -> str:
    """The CSV text, byte-order mark first, CRLF line ends (RFC 4180)."""
    decimal = "," if sep == ";" else "."
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([cell(v, decimal) for v in row])
    return out.getvalue()


def csv_response(headers: Sequence[str], rows: Iterable[Sequence[Any]], lang: str, status: int = 200) -> Response:
    """A table as the CSV a spreadsheet in the page's language opens as it is."""
    sep = separator(lang)
    resp = make_response(csv_text(headers, rows, sep), status)
    resp.headers["Content-Type"] = CSV_FORMAT.content_type
    resp.headers["Content-Language"] = lang
    resp.vary.update(("Accept-Language", "Cookie"))
    return resp
