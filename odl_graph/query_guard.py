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

Updates (token-gated) are checked by the update path (odl_graph/stores/writes.check_fetch, on the same
lexer: LOAD SILENT is accepted there and fetches nothing) and parsed only by the writer process.
"""

from __future__ import annotations

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
    """The check passed (kept as a value so callers can grow it)."""


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
    """Raise QueryError for SERVICE or LOAD."""
    word = fetch_keyword(text)
    if word is not None:
        raise QueryError(REFUSED[word])
    return Verdict()
