"""What a write does to a store: SPARQL Update and Graph Store Protocol writes, applied with pyoxigraph's
own parsers and writes, at a cost proportional to what they change. No process handling here (see
odl_graph/stores/writer.py for the process that runs them on the on-disk store).

Every write also says what it changed when that is known without evaluating anything twice (a
`Delta`): a Graph Store write replaces, extends or drops one graph with the triples pyoxigraph
parsed from the payload, and an update made only of INSERT DATA operations adds exactly the quads
its data blocks hold. The server applies such a delta to its in-memory copy of the store instead of
reloading all of it; any other update has no delta, and the copy is reloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from odl_graph.errors import NotFound, QueryError, StoreError, parse_error_position
from odl_graph.sparql_text import noise_spans, skeleton, tokens

SMALL_LOAD = 4 << 20  # payloads up to this size go through a transaction; larger ones through the bulk loader
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_BRACES = re.compile(r"\{[^{}]*\}")
_WHERE_OR_BRACE = re.compile(r"(?<![\w?$:.\-])WHERE(?![\w:\-])|[{}]", re.I)
_DATA_ONLY = re.compile(r"\s*(?:(?:PREFIX\s+\S*:|BASE)\s*)*(?:INSERT\s+DATA\s*(?:;\s*)?)+", re.I)


@dataclass(frozen=True)
class Write:
    """One write, as the server hands it to the writer.

    op: "update" (sparql, base_iri, using, using_named) or "put" | "post" | "delete" (graph, parts:
    the payload documents as (bytes, media type)); graph None = the default graph."""

    op: str
    sparql: str = ""
    base_iri: str | None = None
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()
    graph: str | None = None
    parts: tuple[tuple[bytes, str], ...] = ()


@dataclass
class Delta:
    """Steps that turn the old content into the new one, in order:
    ("clear", graph) empties a graph (None: the default graph) and keeps it,
    ("drop", graph) removes a named graph (None: clears the default graph),
    ("add", nquads) adds quads."""

    steps: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    existed: bool = True  # Graph Store: did the target graph exist before (201 vs 204)
    delta: Delta | None = None  # None: unknown, the reader must reload


def _node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    if graph is None:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graph)
    except ValueError as exc:
        raise QueryError(f"invalid graph IRI <{graph}>: {exc}") from exc


def rdf_format(media: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media.split(";", 1)[0].strip()) if media else None
    if fmt is None or fmt.supports_datasets:
        raise QueryError(f"unsupported RDF media type {media!r}; send Turtle, N-Triples, JSON-LD or RDF/XML")
    return fmt


def parse_payload(parts: tuple[tuple[bytes, str], ...], graph: str | None) -> bytes:
    """The triples of every payload document, in `graph`, as N-Quads written by pyoxigraph.

    RDF/XML with entity declarations is refused before parsing: pyoxigraph expands internal entities,
    so seven nested levels of ten make a 160 MB literal from a 1 kB body (tests/test_writes.py)."""
    target = _node(graph)
    scratch = ox.Store()
    for data, media in parts:
        fmt = rdf_format(media)
        if fmt == ox.RdfFormat.RDF_XML and _ENTITY.search(data):
            raise QueryError("RDF/XML with entity declarations (<!ENTITY ...>) is not accepted: "
                             "expand the entities before sending the document")
        try:
            scratch.load(data, format=fmt, base_iri=graph or None, to_graph=target)
        except SyntaxError as exc:
            line, col = parse_error_position(str(exc))
            raise QueryError(f"malformed RDF body: {exc}", line=line, column=col) from exc
        except ValueError as exc:
            raise QueryError(f"malformed RDF body: {exc}") from exc
    return scratch.dump(format=ox.RdfFormat.N_QUADS) if len(scratch) else b""


def _load(store: ox.Store, nquads: bytes) -> None:
    if not nquads:
        return
    if len(nquads) <= SMALL_LOAD:
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
    else:  # atomicity comes from the version flip (writer.py), not from this call
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)


def insert_data_only(sparql: str) -> bool:
    """Is this update made only of INSERT DATA operations (after its prologue)? Decided on the one
    lexer's skeleton: the text outside braces is the prologue and `INSERT DATA` keywords."""
    top = skeleton(sparql)
    previous = None
    while previous != top:  # strip brace blocks from the inside out
        previous, top = top, _BRACES.sub(" ", top)
    return "{" not in top and "}" not in top and _DATA_ONLY.fullmatch(top) is not None


def check_fetch(sparql: str) -> None:
    """LOAD and SERVICE make the engine fetch a URL: refused, unless SILENT, which then does nothing
    (the writer has no network, so the fetch fails and SILENT turns the failure into success)."""
    significant = [t for t in tokens(sparql) if t.kind not in ("ws", "comment")]
    for i, t in enumerate(significant):
        word = t.text.upper() if t.kind == "word" else t.text.split(":", 1)[0].upper() if t.kind == "pname" else ""
        if word in ("LOAD", "SERVICE"):
            after = significant[i + 1] if i + 1 < len(significant) else None
            if t.kind == "pname" or after is None or after.text.upper() != "SILENT":
                raise QueryError(f"{word} is not allowed on this endpoint: it would make the server fetch a URL "
                                 f"(with {word} SILENT it is accepted and fetches nothing)")


def apply(store: ox.Store, w: Write) -> Outcome:
    """Apply one write to `store` (on disk or in memory). Parse errors raise before anything changes."""
    if w.op == "update":
        return _update(store, w)
    if w.op not in ("put", "post", "delete"):
        raise QueryError(f"unknown write {w.op!r}")
    target = _node(w.graph)
    existed = w.graph is None or store.contains_named_graph(target)
    if w.op == "delete":
        if not existed:
            raise NotFound(f"no graph named <{w.graph}>")
        store.remove_graph(target) if w.graph is not None else store.clear_graph(target)
        return Outcome(True, Delta([("drop", w.graph)]))
    nquads = parse_payload(w.parts, w.graph)
    steps: list[tuple[str, Any]] = []
    if w.op == "put":
        if existed:
            store.clear_graph(target)
        steps.append(("clear", w.graph))
    if not existed:
        store.add_graph(target)
        steps.append(("clear", w.graph))  # clear creates the named graph in the copy too
    _load(store, nquads)
    steps.append(("add", nquads))
    return Outcome(existed, Delta(steps))


def _update(store: ox.Store, w: Write) -> Outcome:
    check_fetch(w.sparql)
    sparql = w.sparql
    if w.using or w.using_named:
        sparql = with_update_dataset(sparql, w.using, w.using_named)
    try:
        if insert_data_only(sparql):
            scratch = ox.Store()  # the quads the data blocks hold, blank nodes included, added as they are
            scratch.update(sparql, base_iri=w.base_iri)
            nquads = scratch.dump(format=ox.RdfFormat.N_QUADS) if len(scratch) else b""
            _load(store, nquads)
            return Outcome(True, Delta([("add", nquads)]))
        store.update(sparql, base_iri=w.base_iri)
    except SyntaxError as exc:
        line, col = parse_error_position(str(exc))
        raise QueryError(str(exc), line=line, column=col) from exc
    except ValueError as exc:
        raise QueryError(str(exc)) from exc
    except OSError as exc:
        raise StoreError(f"the update failed: {exc}") from exc
    return Outcome(True, None)


def apply_delta(store: ox.Store, delta: Delta) -> None:
    """Replay a write's delta on a copy of the store (the server's in-memory copy)."""
    for kind, arg in delta.steps:
        if kind == "add":
            if arg:
                store.load(arg, format=ox.RdfFormat.N_QUADS)
        elif kind == "clear":
            if arg is None:
                store.clear_graph(ox.DefaultGraph())
            else:
                store.clear_graph(ox.NamedNode(arg))
                store.add_graph(ox.NamedNode(arg))
        elif kind == "drop":
            store.remove_graph(_node(arg)) if arg is not None else store.clear_graph(ox.DefaultGraph())
        else:
            raise StoreError(f"unknown delta step {kind!r}")


def with_update_dataset(sparql: str, using: Iterable[str], using_named: Iterable[str]) -> str:
    """The update with the protocol's `using-graph-uri` / `using-named-graph-uri` applied to each
    DELETE/INSERT ... WHERE operation, as USING / USING NAMED clauses (SPARQL 1.1 Protocol §2.2.3).

    Decided on the parsed update (rdflib's parser): an operation that already has USING or WITH
    makes the parameters an error. The clauses go before the WHERE at brace depth 0 of each such
    operation (IRIs, strings and comments skipped with the one lexer), and the result is parsed
    again to check each operation now has exactly the requested dataset.
    """
    using, using_named = list(using), list(using_named)
    if not using and not using_named:
        return sparql
    for iri in (*using, *using_named):
        ox.NamedNode(iri)  # ValueError on a bad IRI
    ops = _parsed_update_ops(sparql)
    for i, op in enumerate(ops, 1):
        if "withClause" in op or "using" in op:
            clause = "WITH" if "withClause" in op else "USING"
            raise QueryError(f"operation {i} of the update has its own {clause} clause: it cannot be combined "
                             f"with the using-graph-uri / using-named-graph-uri parameters")
    owners = [op.name for op in ops if op.name in ("Modify", "DeleteWhere")]
    clauses = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    skipped = noise_spans(sparql)
    out, last, depth, k, seen = [], 0, 0, 0, 0
    for m in _WHERE_OR_BRACE.finditer(sparql):
        while k < len(skipped) and skipped[k][1] <= m.start():
            k += 1
        if k < len(skipped) and skipped[k][0] <= m.start():
            continue  # inside an IRI, a string or a comment
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            if seen < len(owners) and owners[seen] == "Modify":
                out += [sparql[last:m.start()], clauses]
                last = m.start()
            seen += 1
    rewritten = "".join([*out, sparql[last:]])
    expected = ([("default", g) for g in using] + [("named", g) for g in using_named])
    got = [[(("named", str(u["named"])) if "named" in u else ("default", str(u["default"])))
            for u in op.get("using", [])] if "using" in op else [] for op in _parsed_update_ops(rewritten)]
    wanted = [expected if op.name == "Modify" else [] for op in ops]
    if seen != len(owners) or got != wanted:
        raise QueryError("cannot apply using-graph-uri / using-named-graph-uri to this update; "
                         "write USING clauses in the update instead")
    return rewritten


def _parsed_update_ops(sparql: str) -> list[Any]:
    """The operations of an update, parsed by rdflib (which exposes them; pyoxigraph does not)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return list(parseUpdate(sparql).request)
    except ParseException as exc:
        raise QueryError(f"malformed SPARQL update: {exc}", line=exc.lineno, column=exc.col) from exc
