"""The one lexer of SPARQL text: IRIs, strings, comments, variables, prefixed names, keywords.

Everything that reads query text without parsing it goes through here: the endpoint's cheap checks
before dispatch (update verbs, nesting depth), the dataset-clause test, the remote store's graph
renaming and parameter binding, the catalogue's query form, the update rewriting. The grammar
pieces are written once; `NOISE` (IRIs, strings, comments only) is the fast path for callers that
only need keywords, `tokens()` the full scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

# SPARQL 1.1 grammar terminals (§19.8), as far as a lexer needs them.
IRI = r"""<[^<>"{}|^`\\\x00-\x20]*>"""
STRING = (r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
          r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""")
COMMENT = r"\#[^\n]*"
VAR = r"[?$][0-9A-Za-z_\u00b7-\uffff]+"
PNAME = r"(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff]|\\[^\s]|\.(?=[\w\-:%\\]))*"
WORD = r"[A-Za-z_][A-Za-z0-9_]*"

_TOKEN = re.compile(
    rf"(?P<ws>\s+)|(?P<comment>{COMMENT})|(?P<iri>{IRI})|(?P<string>{STRING})|(?P<var>{VAR})"
    rf"|(?P<pname>{PNAME})|(?P<word>{WORD})|(?P<other>.)",
    re.S,
)
NOISE = re.compile(rf"{IRI}|{STRING}|{COMMENT}", re.S)  # what carries no keyword

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_VERBS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*", re.I)
_FROM = re.compile(r"(?:^|[\s})])FROM\s+(?:NAMED\s+)?(?:<|[A-Za-z_][\w.-]*:|:)", re.I)
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


@dataclass
class Token:
    kind: str  # ws | comment | iri | string | var | pname | word | other
    text: str
    start: int = 0


def tokens(sparql: str) -> Iterator[Token]:
    """Every token of the text, whitespace and comments included (joined, they give the text back)."""
    for m in _TOKEN.finditer(sparql):
        yield Token(m.lastgroup or "other", m.group(), m.start())


def skeleton(sparql: str) -> str:
    """The text with IRIs, strings and comments blanked out: keywords only."""
    return NOISE.sub(" ", sparql)


def noise_spans(sparql: str) -> list[tuple[int, int]]:
    """(start, end) of every IRI, string and comment: where a keyword search must not look."""
    return [(m.start(), m.end()) for m in NOISE.finditer(sparql)]


def looks_like_update(sparql: str, skel: str | None = None) -> bool:
    """True when the first keyword after the prologue is a SPARQL Update operation.

    `skel`: the text's skeleton() when the caller already has it (it is the costly part).
    """
    rest = _PROLOGUE.sub("", skeleton(sparql) if skel is None else skel, count=1)
    m = re.match(r"\s*([A-Za-z]+)", rest)
    return bool(m and m.group(1).upper() in UPDATE_VERBS)


def nesting_depth(skel: str) -> int:
    """Deepest nesting of braces, parentheses and brackets in a skeleton (a bound, not a parse: the
    engine's parser recurses per level and overflows its stack on thousands of them)."""
    depth = deepest = 0
    for ch in skel:
        if ch in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    return deepest


def has_dataset_clause(sparql: str) -> bool:
    """Does the query set its own dataset with FROM / FROM NAMED? (comments, strings, IRIs ignored)"""
    return bool(_FROM.search(NOISE.sub(" <> ", sparql)))


@dataclass
class ParsedQuery:
    """A token list with what the remote store needs to know of it."""

    tokens: list[Token]
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE | UPDATE | "" (unknown)
    prefixes: dict[str, str] = field(default_factory=dict)
    has_dataset_clause: bool = False

    def text(self) -> str:
        return "".join(t.text for t in self.tokens)


def scan(sparql: str) -> ParsedQuery:
    """Tokens, query form, PREFIX declarations and whether a FROM clause fixes the dataset."""
    toks = list(tokens(sparql))
    form, prefixes, has_from = "", {}, False
    significant = [t for t in toks if t.kind not in ("ws", "comment")]
    for i, t in enumerate(significant):
        if t.kind != "word":
            continue
        upper = t.text.upper()
        if upper == "PREFIX" and i + 2 < len(significant) and significant[i + 2].kind == "iri":
            prefixes[significant[i + 1].text.rstrip(":")] = significant[i + 2].text[1:-1]
        elif not form and upper in QUERY_FORMS:
            form = upper
        elif not form and upper in UPDATE_VERBS:
            form = "UPDATE"
        elif upper == "FROM":
            has_from = True
    return ParsedQuery(toks, form, prefixes, has_from)


def expand(pname: str, prefixes: Mapping[str, str]) -> str | None:
    """The IRI a prefixed name stands for (None: its prefix is not declared)."""
    prefix, _, local = pname.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


def rewrite(parsed: ParsedQuery, mapping: Mapping[str, str]) -> str:
    """The query text with every IRI (written <...> or prefix:local) found in `mapping` replaced."""
    if not mapping:
        return parsed.text()
    out = []
    for t in parsed.tokens:
        if t.kind == "iri" and t.text[1:-1] in mapping:
            out.append(f"<{mapping[t.text[1:-1]]}>")
        elif t.kind == "pname" and not t.text.endswith(":"):
            full = expand(t.text, parsed.prefixes)
            out.append(f"<{mapping[full]}>" if full in mapping else t.text)
        else:
            out.append(t.text)
    return "".join(out)


def inline_parameters(sparql: str, values: Mapping[str, str]) -> str:
    """Write parameter values into a query's text, as a substitution would bind them.

    `values` maps variable names to SPARQL terms (`"1"^^<...#integer>`, `<iri>`). In a SELECT
    projection a bound variable becomes `(term AS ?var)`, so the answer keeps its column; elsewhere
    the term replaces the variable.
    """
    out, in_projection = [], False
    for t in tokens(sparql):
        text = t.text
        if t.kind == "word" and t.text.upper() == "SELECT":
            in_projection = True
        elif (t.kind == "word" and t.text.upper() == "WHERE") or t.text == "{":
            in_projection = False
        elif t.kind == "var" and text[1:] in values:
            term = values[text[1:]]
            text = f"({term} AS {text})" if in_projection else term
        out.append(text)
    return "".join(out)
