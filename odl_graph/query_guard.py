"""What a client's SPARQL may do, decided in microseconds on the one lexer (odl_graph/sparql_text.py),
never by a full parser in the server process. No Flask.

Refused: `SERVICE` anywhere in a query or an update (it makes the engine fetch a URL), and `LOAD`
(same). The check is sound rather than exact: a text is refused when either keyword appears as a
word outside strings, IRIs and comments, or as the prefix of a prefixed name (`SERVICE:x { }` may
read as `SERVICE :x { }`), in the text as sent or with SPARQL's `\\u` / `\\U` escapes decoded
(SPARQL decodes them before parsing; reading both ways leaves no room between the two). A text
that holds neither word anywhere, even decoded, passes at the cost of one substring search; that
is the path of nearly every query. Whatever needs a full parse (syntax errors, the algebra) happens
in the sandboxed worker, under its time and memory limits, and the worker has no network at all
(odl_graph/sandbox.py): a construct this check missed fails there with a refusal, not a fetch.

For updates (token-gated), `reads_default_graph` still comes from rdflib's parser: pyoxigraph's
update has no union default graph, and that decision belongs to the update path.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from odl_graph.errors import QueryError
from odl_graph.sparql_text import tokens

SERVICE_REFUSED = "SERVICE (federated query) is not allowed on this endpoint: it would make the server fetch a URL"
LOAD_REFUSED = "LOAD is not allowed on this endpoint: it would make the server fetch a URL"
REFUSED = {"SERVICE": SERVICE_REFUSED, "LOAD": LOAD_REFUSED}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Verdict:
    reads_default_graph: bool = False  # update only


def _decode(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _ESCAPE.sub(one, text)


def may_fetch(text: str) -> bool:
    """Could this text hold a SERVICE or LOAD at all? False only when neither word appears anywhere,
    even with the escapes decoded: the microsecond path of nearly every query."""
    lowered = text.lower()
    if "service" in lowered or "load" in lowered:
        return True
    return "\\u" in lowered and any(w in _decode(text).lower() for w in ("service", "load"))


def fetch_keyword(text: str) -> str | None:
    """"SERVICE" or "LOAD" when the text may use one (see the module docstring), else None."""
    if not may_fetch(text):
        return None
    for variant in {text, _decode(text)}:
        for t in tokens(variant):
            if t.kind == "word":
                word = t.text.upper()
            elif t.kind == "pname":
                word = t.text.split(":", 1)[0].upper()
            else:
                continue
            if word in REFUSED:
                return word
    return None


def check(text: str, *, update: bool = False) -> Verdict:
    """Raise QueryError for SERVICE or LOAD; for an update, also tell whether it reads the default graph."""
    word = fetch_keyword(text)
    if word is not None:
        raise QueryError(REFUSED[word])
    return Verdict(_reads_default_graph(text)) if update else Verdict()


# -- updates (token-gated): the default-graph question needs the parsed algebra ------------------------
def _walk(node: object, in_graph: bool, found: set[str]) -> None:
    """Collect the algebra operators below `node`; 'default-bgp' marks triples matched outside GRAPH."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        found.add(node.name)
        if node.name == "Graph":
            in_graph = True
        elif node.name == "BGP" and dict.get(node, "triples") and not in_graph:
            found.add("default-bgp")
        for value in node.values():
            _walk(value, in_graph, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _walk(value, in_graph, found)
    elif isinstance(node, dict):
        for value in node.values():
            _walk(value, in_graph, found)


@functools.lru_cache(maxsize=256)
def _reads_default_graph(text: str) -> bool:
    """Does a DELETE/INSERT ... WHERE (no USING/WITH) or a DELETE WHERE match the default graph?
    False when rdflib cannot parse the update: pyoxigraph then reports its own syntax error."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    quiet = logging.getLogger("rdflib.term")  # odd IRIs are warned about, not errors, in rdflib
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        algebra = translateUpdate(parseUpdate(text)).algebra
    except Exception:  # pyparsing ParseException, RecursionError, SPARQL 1.2 syntax
        return False
    finally:
        quiet.setLevel(level)
    for op in algebra:
        found: set[str] = set()
        _walk(op, False, found)
        if op.name == "Modify" and not dict.get(op, "using") and not dict.get(op, "withClause") \
                and "default-bgp" in found:
            return True
        if op.name == "DeleteWhere" and dict.get(op, "triples"):
            return True
    return False
