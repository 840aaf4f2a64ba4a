"""What a client's SPARQL may do, decided on the parsed query (rdflib's SPARQL 1.1 parser and algebra),
never on its text. No Flask.

Refused: `SERVICE` anywhere in a query or an update (it makes the engine fetch a URL), and `LOAD`
(same). For an update, `reads_default_graph` tells whether a `DELETE/INSERT ... WHERE` matches
triples of the default graph: at /sparql the default graph is the union of the named graphs, but
pyoxigraph's update has no such option, so the engine refuses those when the store's own default
graph is empty rather than report success for an update that matched nothing.

The worker that evaluates the query has no network at all (odl_graph/sandbox.py): a construct this
check missed fails there instead of reaching out. rdflib's parser stops at modest nesting (Python
recursion) and does not know pyoxigraph's SPARQL 1.2 extensions: such a text is `unparsed`, and the
engine lets the sandboxed worker parse it (embedded store) or refuses it (remote store, where the
query leaves this machine and no sandbox applies).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from odl_graph.errors import QueryError

SERVICE_REFUSED = "SERVICE (federated query) is not allowed on this endpoint: it would make the server fetch a URL"
LOAD_REFUSED = "LOAD is not allowed on this endpoint: it would make the server fetch a URL"
_CACHED_TEXT = 8192  # texts up to this length keep their verdict (bounded: 2048 entries)


@dataclass(frozen=True)
class Verdict:
    parsed: bool  # False: rdflib could not parse it (see module docstring)
    reads_default_graph: bool = False  # update only
    parse_error: str = ""
    line: int | None = None  # of the parse error
    column: int | None = None


def _field(node: CompValue, name: str) -> object:
    """A CompValue field or None (CompValue.get returns the key itself when it is missing)."""
    return dict.get(node, name)


def _walk(node: object, in_graph: bool, found: set[str]) -> None:
    """Collect the algebra operators below `node`; 'default-bgp' marks triples matched outside GRAPH."""
    if isinstance(node, CompValue):
        found.add(node.name)
        if node.name == "Graph":
            in_graph = True
        elif node.name == "BGP" and _field(node, "triples") and not in_graph:
            found.add("default-bgp")
        for value in node.values():
            _walk(value, in_graph, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, in_graph, found)
    elif isinstance(node, dict):
        for value in node.values():
            _walk(value, in_graph, found)


def _parse(text: str, update: bool) -> Verdict:
    quiet = logging.getLogger("rdflib.term")  # odd IRIs are warned about, not errors, in rdflib
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        algebra = translateUpdate(parseUpdate(text)).algebra if update else [translateQuery(parseQuery(text)).algebra]
    except RecursionError:
        return Verdict(False, parse_error="nested too deeply for the query checker")
    except Exception as exc:  # pyparsing ParseException, rdflib's own errors, SPARQL 1.2 syntax
        return Verdict(False, parse_error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                       line=getattr(exc, "lineno", None), column=getattr(exc, "col", None))
    finally:
        quiet.setLevel(level)
    reads_default = False
    for op in algebra:
        found: set[str] = set()
        _walk(op, False, found)
        if "ServiceGraphPattern" in found:
            raise QueryError(SERVICE_REFUSED)
        if op.name == "Load" or "Load" in found:
            raise QueryError(LOAD_REFUSED)
        if op.name == "Modify" and not _field(op, "using") and not _field(op, "withClause") and "default-bgp" in found:
            reads_default = True
        if op.name == "DeleteWhere" and _field(op, "triples"):
            reads_default = True
    return Verdict(True, reads_default_graph=reads_default)


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def may_fetch(text: str) -> bool:
    """Could this text hold a SERVICE or LOAD at all? False only when, even with SPARQL's \\u escapes
    decoded, neither word appears anywhere in it: a sound reason to let a text the parser could
    not read go on (to a store that reports its own syntax error), never a reason to refuse."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text).lower()
    return "service" in decoded or "load" in decoded


@functools.lru_cache(maxsize=2048)
def _cached(text: str, update: bool) -> Verdict:
    return _parse(text, update)


def check(text: str, *, update: bool = False) -> Verdict:
    """Raise QueryError for SERVICE or LOAD; otherwise what the parse tells (see Verdict)."""
    return _cached(text, update) if len(text) <= _CACHED_TEXT else _parse(text, update)
