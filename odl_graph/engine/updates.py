"""Update texts the protocol implies: dataset parameters applied to an update, Graph Store Protocol
writes expressed as SPARQL Update. Decided on parsed updates; no evaluation here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from odl_graph.errors import QueryError, parse_error_position
from odl_graph.sparql_text import noise_spans

_WHERE_OR_BRACE = re.compile(r"(?<![\w?$:.\-])WHERE(?![\w:\-])|[{}]", re.I)


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


def graph_store_update(method: str, graph: str | None, body: bytes, media_type: str,
                       more: Iterable[tuple[bytes, str]] = ()) -> str:
    """The SPARQL Update equivalent to a Graph Store Protocol PUT, POST or DELETE.

    `more`: further (body, media type) documents of the same request (the parts of a multipart POST).
    """
    target = f"GRAPH <{graph}>" if graph else "DEFAULT"
    if graph is not None:
        ox.NamedNode(graph)  # ValueError on a bad IRI
    if method == "DELETE":
        return f"DROP SILENT {target}"
    if method not in ("PUT", "POST"):
        raise QueryError(f"method {method} is not part of the Graph Store Protocol")
    triples: list[ox.Triple] = []
    for data, media in ((body, media_type), *more):
        fmt = ox.RdfFormat.from_media_type(media.split(";", 1)[0].strip()) if media else None
        if fmt is None or fmt.supports_datasets:
            raise QueryError(f"unsupported RDF media type {media!r}; send Turtle, N-Triples, JSON-LD or RDF/XML")
        try:
            triples += [q.triple for q in ox.parse(data, format=fmt, base_iri=graph or None)]
        except SyntaxError as exc:
            line, col = parse_error_position(str(exc))
            raise QueryError(f"malformed RDF body: {exc}", line=line, column=col) from exc
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}" if graph else f"INSERT DATA {{ {data} }}"
    if method == "PUT":
        return f"DROP SILENT {target} ;\n{insert}" if data else f"DROP SILENT {target}"
    return insert if data else "INSERT DATA { }"  # nothing to add
