"""What crosses the wire to a remote store and back: renamed IRIs, bound values, normalised answers.

Pure functions over text and bytes (no HTTP), used by odl_graph/stores/remote.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pyoxigraph as ox

from odl_graph.errors import QueryError, parse_error_position
from odl_graph.sparql_text import tokens

# The default graph proper (triples outside any named graph, e.g. written by /update or /store?default):
# stored as one more graph of the version, part of the default graph but never a named graph.
DEFAULT_GRAPH = "urn:x-odl-graph:default-graph"


def inject_values(text: str, form: str, bindings: Mapping[str, str]) -> str:
    """Bind variables as pyoxigraph `substitutions` do: an inline VALUES at the start of the WHERE group.

    Values are N-Triples terms. Placed first in the group, the binding is in scope before any
    OPTIONAL, MINUS or FILTER of that group, which is how substitution behaves.
    """
    toks = list(tokens(text))
    depth, seen_where, target = 0, False, None
    for i, t in enumerate(toks):
        if t.kind == "word" and t.text.upper() == "WHERE" and depth == 0:
            seen_where = True
        elif t.kind == "other" and t.text == "{":
            if depth == 0 and (seen_where or form in ("SELECT", "ASK")):
                target = i
                break
            depth += 1
        elif t.kind == "other" and t.text == "}":
            depth -= 1
    if target is None:
        raise QueryError("cannot bind parameters: no WHERE clause found in the query")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(bindings.values())
    clause = f" VALUES ({names}) {{ ({values}) }} "
    return "".join(t.text for t in toks[: target + 1]) + clause + "".join(t.text for t in toks[target + 1 :])


_BNODE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def normalise_json(raw: bytes, back: Mapping[str, str]) -> bytes:
    """Rename physical graph IRIs back to logical ones, and make blank node ids valid for pyoxigraph.

    Virtuoso labels blank nodes `nodeID://b10000`, which pyoxigraph rejects. Only answers that
    need it are decoded (most have neither a physical IRI nor a blank node).
    """
    needs_names = any(p.encode() in raw for p in back) if back else False
    if not needs_names and b'"bnode"' not in raw and _XSD_BOOLEAN.encode() not in raw:
        return raw
    doc = json.loads(raw)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            kind = term.get("type")
            if kind == "bnode":
                term["value"] = "b" + _BNODE_SAFE.sub("_", term["value"])
            elif term.get("value") in back:
                term["value"] = back[term["value"]]
            if term.get("datatype") in back:
                term["datatype"] = back[term["datatype"]]
            elif term.get("datatype") == _XSD_BOOLEAN and term.get("value") in _BOOLEANS:
                term["value"] = _BOOLEANS[term["value"]]  # Virtuoso writes true/false as 1/0
    return json.dumps(doc).encode("utf-8")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}


def canonical_booleans(ntriples: bytes) -> bytes:
    """Virtuoso serialises xsd:boolean as "1"/"0"; the canonical forms are "true"/"false"."""
    for raw, canon in _BOOLEANS.items():
        ntriples = ntriples.replace(f'"{raw}"^^<{_XSD_BOOLEAN}>'.encode(), f'"{canon}"^^<{_XSD_BOOLEAN}>'.encode())
    return ntriples


def rename_bytes(raw: bytes, mapping: Mapping[str, str]) -> bytes:
    """Replace `<A>` by `<B>` for each A -> B in mapping (N-Triples / N-Quads text)."""
    for a, b in mapping.items():
        needle = f"<{a}>".encode()
        if needle in raw:
            raw = raw.replace(needle, f"<{b}>".encode())
    return raw


def count_triples(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def chunks(ntriples: bytes, size: int) -> Iterator[bytes]:
    """Split N-Triples into requests of about `size` bytes without separating blank nodes.

    Blank node labels are scoped to one request, so every line mentioning a blank node goes in the
    first chunk; only lines without blank nodes are spread over the others.
    """
    if len(ntriples) <= size:
        yield ntriples
        return
    lines = ntriples.splitlines(keepends=True)
    with_bnodes = [ln for ln in lines if b"_:" in ln]
    plain = [ln for ln in lines if b"_:" not in ln]
    chunk, n = list(with_bnodes), sum(map(len, with_bnodes))
    for ln in plain:
        if n >= size:
            yield b"".join(chunk)
            chunk, n = [], 0
        chunk.append(ln)
        n += len(ln)
    if chunk:
        yield b"".join(chunk)


def syntax_position(detail: str, sparql: str) -> tuple[int | None, int | None]:
    """(line, column) of a syntax error: Oxigraph says `error at 3:2`; Virtuoso says `line 3: syntax
    error at '}'`, so the column is where that token first appears on that line (1 if not found)."""
    line, col = parse_error_position(detail)
    if line is not None:
        return line, col
    m = re.search(r"line (\d+)", detail)
    if not m:
        return None, None
    line = int(m.group(1))
    lines = sparql.splitlines()
    tok = re.search(r"at '([^']+)'", detail)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    pos = text.find(tok.group(1)) if tok else -1
    return line, pos + 1 if pos >= 0 else 1


def term_text(term: Any, fwd: Mapping[str, str]) -> str:
    """N-Triples text of a substitution value (pyoxigraph term), graph names renamed."""
    if isinstance(term, ox.NamedNode) and term.value in fwd:
        return f"<{fwd[term.value]}>"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameters")


def split_nquads(data: bytes) -> dict[str, bytes]:
    """N-Quads -> {graph IRI: N-Triples}; default-graph triples go under DEFAULT_GRAPH."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(bytes(data), format=ox.RdfFormat.N_QUADS):
        name = DEFAULT_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(name, []).append(q.triple)
    return {g: ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES) for g, ts in by_graph.items()}
