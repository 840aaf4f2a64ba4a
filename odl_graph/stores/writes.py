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

from odl_graph.errors import EvaluationError, NotFound, QueryError, StoreError, parse_error_position
from odl_graph.sparql_text import noise_spans, skeleton, tokens
from odl_graph.stores.embedded import MATERIALIZE

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


def parse_payload(parts: tuple[tuple[bytes, str], ...], graph: str | None) -> tuple[bytes, bytes]:
    """The triples of every payload document, in `graph`, as N-Quads written by pyoxigraph, and as
    N-Triples (what the default graph, the union, gains).

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
    if not len(scratch):
        return b"", b""
    return (scratch.dump(format=ox.RdfFormat.N_QUADS),
            scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target))


def _load(store: ox.Store, data: bytes) -> None:
    """N-Quads written by pyoxigraph."""
    if not data:
        return
    if len(data) <= SMALL_LOAD:
        store.load(data, format=ox.RdfFormat.N_QUADS)
    else:  # atomicity comes from the version flip (writer.py), not from this call
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)


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


def apply(store: ox.Store, w: Write, default_name: str | None = None) -> Outcome:
    """Apply one write to `store` (on disk or in memory). Parse errors raise before anything changes.

    `default_name`: the named graph that takes what is written to "the default graph", in a store whose
    default graph is the materialized union of its named graphs (stores/embedded.py), kept so here;
    None for a plain store (the copy made for a remote store)."""
    if w.op == "update":
        return _update(store, w, default_name)
    if w.op not in ("put", "post", "delete"):
        raise QueryError(f"unknown write {w.op!r}")
    graph = default_name if w.graph is None and default_name is not None else w.graph
    target = _node(graph)
    existed = w.graph is None or store.contains_named_graph(target)
    steps: list[tuple[str, Any]] = []
    if w.op == "delete" and not existed:
        raise NotFound(f"no graph named <{w.graph}>")
    if w.op in ("put", "delete") and default_name is not None and graph is not None:
        _run(store, _unlink(graph), steps)  # its triples held by no other graph leave the union
    if w.op == "delete":
        store.remove_graph(target) if graph is not None else store.clear_graph(target)
        steps.append(("drop", graph))
        return Outcome(True, Delta(steps))
    nquads, ntriples = parse_payload(w.parts, graph)
    if w.op == "put" or not existed:
        store.clear_graph(target)
        if graph is not None:
            store.add_graph(target)
        steps.append(("clear", graph))
    # N-Triples lines are N-Quads of the default graph: one load writes the graph and the union
    data = nquads + ntriples if default_name is not None else nquads
    _load(store, data)
    steps.append(("add", data))
    return Outcome(existed, Delta(steps))


def _unlink(graph: str) -> str:
    return (f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other != <{graph}>) }} }}")


# After a general update: the default graph is made the union again. Triples only the default graph
# holds can only be ones whose last named graph the update emptied (templates writing to the default
# graph are refused, check_templates), and triples new in a named graph join it.
RECONCILE = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } ;\n"
             "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } }")
_TEMPLATE = re.compile(r"(?<![\w:?$])(?:INSERT|DELETE)(?:\s+(?:DATA|WHERE))?\s*\{", re.I)
_GRAPH_BLOCKS = re.compile(r"(?:\s*GRAPH\s+[^\s{}]*\s*\{\}\s*\.?)*\s*", re.I)


def check_templates(sparql: str) -> None:
    """Refuse an update whose INSERT/DELETE templates or data hold triples outside GRAPH (unless WITH
    names the graph): the default graph is derived from the named graphs, so such a triple has no
    graph to go to or come from. Decided on the one lexer's skeleton (braces counted outside IRIs,
    strings and comments)."""
    skel = skeleton(sparql)
    if re.search(r"(?<![\w:?$])WITH(?![\w:])", skel, re.I):
        return  # WITH <g> gives the templates their graph
    for m in _TEMPLATE.finditer(skel):
        depth, i = 1, m.end()
        inner: list[str] = []
        while i < len(skel) and depth:
            c = skel[i]
            if c == "{":
                depth += 1
                if depth == 2:
                    inner.append("{")
            elif c == "}":
                depth -= 1
                if depth == 1:
                    inner.append("}")
            elif depth == 1:
                inner.append(c)
            i += 1
        if _GRAPH_BLOCKS.fullmatch("".join(inner)) is None:
            raise QueryError(
                f"the {m.group(0).rstrip('{ ').upper()} block at character {m.start() + 1} has triples outside "
                f"GRAPH: here the default graph is the union of the named graphs, derived from them "
                f"(docs/endpoint.md), so write them inside GRAPH <graph> {{ ... }} (or use WITH <graph>); "
                f"INSERT DATA alone may write to the default graph (its triples go to graph/store/default)")


def _run(store: ox.Store, update: str, steps: list[tuple[str, Any]]) -> None:
    store.update(update)
    steps.append(("update", update))


def _update(store: ox.Store, w: Write, default_name: str | None) -> Outcome:
    check_fetch(w.sparql)
    sparql = w.sparql
    if w.using or w.using_named:
        sparql = with_update_dataset(sparql, w.using, w.using_named)
    try:
        if insert_data_only(sparql):
            scratch = ox.Store()  # the quads the data blocks hold, blank nodes included, added as they are
            scratch.update(sparql, base_iri=w.base_iri)
            if default_name is not None:
                if next(iter(scratch.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
                    scratch.update(f"ADD DEFAULT TO <{default_name}>")
                scratch.update(MATERIALIZE)
            nquads = scratch.dump(format=ox.RdfFormat.N_QUADS) if len(scratch) else b""
            _load(store, nquads)
            return Outcome(True, Delta([("add", nquads)]))
        if default_name is not None:
            ox.Store().update(sparql, base_iri=w.base_iri)  # a syntax error first, with its position
            check_templates(sparql)
        store.update(sparql, base_iri=w.base_iri)
        if default_name is not None:
            store.update(RECONCILE)
    except SyntaxError as exc:
        line, col = parse_error_position(str(exc))
        raise QueryError(str(exc), line=line, column=col) from exc
    except ValueError as exc:
        raise QueryError(str(exc)) from exc
    except RuntimeError as exc:  # parsed, then failed: CREATE of an existing graph, DROP of a missing one
        raise EvaluationError(f"the update is well-formed but could not run: {exc} (SILENT on that operation "
                              f"makes this case succeed without effect)") from exc
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
        elif kind == "update":  # one of this module's own fixed texts (_unlink)
            store.update(arg)
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
