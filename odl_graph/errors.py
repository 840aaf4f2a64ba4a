"""Error types. Each carries enough context to point a curator at the problem."""

from __future__ import annotations

import re
from dataclasses import dataclass


class OdlError(Exception):
    """Base class for every error odl-graph reports to a user."""


class NotFound(OdlError):
    """A resource the request names (a commune, a use case) that the graph does not know."""


@dataclass
class SourceLocation:
    """Where in a source file a problem sits (1-based line and column)."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class SourceError(OdlError):
    """A source file (curated CSV, RDF, query) is malformed: names file:line:column and the problem."""

    def __init__(self, location: SourceLocation, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


def not_utf8(path: str, data: bytes, exc: UnicodeDecodeError, cls: type[SourceError] = SourceError) -> SourceError:
    """The error for a file that is not UTF-8, at the line and column of its first bad byte (an editor
    shows lines, not byte offsets), with the likely cause: a Latin-1 / Windows-1252 export."""
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    byte = data[start:start + 1].hex().upper()
    return cls(SourceLocation(path, line, column),
               f"not UTF-8: byte 0x{byte} cannot start or continue a UTF-8 character (a Latin-1 or "
               "Windows-1252 file? save it as UTF-8)")


class CuratedDataError(SourceError):
    """A curated CSV cell is wrong."""


class BuildError(OdlError):
    """The build could not complete; the previous store is left untouched."""


class ValidationFailed(BuildError):
    """SHACL validation found violations; carries the report."""

    def __init__(self, report: object, message: str) -> None:
        self.report = report
        super().__init__(message)


class StoreError(OdlError):
    """The store cannot be opened or queried."""


class QueryError(OdlError):
    """A SPARQL query is malformed or failed to evaluate."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.line = line
        self.column = column
        super().__init__(message)


class EvaluationError(OdlError):
    """A well-formed query or update that could not run (e.g. DROP GRAPH of a graph that does not exist,
    without SILENT): a failure of the request, not of its syntax."""


def parse_error_position(message: str) -> tuple[int | None, int | None]:
    """Pull 'line:column' out of an Oxigraph parser message such as 'error at 1:7: ...'."""
    m = re.search(r"(\d+):(\d+)", message)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


class ConfigError(OdlError):
    """A setting has a bad value."""
