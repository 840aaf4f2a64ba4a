"""The one serialiser: a query's answer, as either executor holds it, into the reply sent back.

Both executors (the forked workers, the remote store) evaluate a request to pyoxigraph results and
call `reply_for`; replies are small dataclasses that pickle across the worker pipe. An answer larger
than `CHUNK` crosses the pipe in pieces (`ChunkSink`): a header (`Answer` with `streamed=True`), then
chunks of bytes, then None, so the server process never holds a whole answer, whatever its size.

A SELECT answer under a row cap is written once, in its final format, into a sink that counts rows
as the bytes go by and stops the serialiser after cap + 1 rows; the first cap rows are then closed
as a valid document (`ROW_SYNTAX`). No re-parse, no detour through another format.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from odl_graph.engine.errors import RowCapExceeded
from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS

CHUNK = 256 * 1024  # bytes per piece of a streamed answer
RESULTS_FORMAT = {f.name: f for f in RESULTS_FORMATS}
GRAPH_FORMAT = {f.name: f for f in GRAPH_FORMATS}


@dataclass
class Request:
    """One thing to do on the store: `query` (serialised answer), `rows` (terms), `counts`, `gsp_get`."""

    op: str
    sparql: str = ""
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    results_format: str | None = None
    graph_format: str | None = None
    row_cap: int = 0
    graph: str | None = None
    allow_truncated: bool = False  # a cut SELECT answer is an error unless the client opted in
    base_iri: str | None = None  # relative IRIs in the query resolve against it
    prefixes: dict[str, str] | None = None  # declared in Turtle, TriG, RDF/XML and JSON-LD answers
    substitutions: dict[str, Any] = field(default_factory=dict)  # pyoxigraph terms pickle to the worker


@dataclass
class Answer:
    """A serialised answer."""

    kind: str  # "solutions" | "boolean" | "graph"
    format: str
    body: bytes | Iterator[bytes]  # an iterator of chunks once a streamed answer reaches the caller
    truncated: bool = False
    rows: int | None = None
    streamed: bool = False  # on the pipe: the body follows as chunks, then None


@dataclass
class Unacceptable:
    """The answer's kind has no format the client accepts."""

    kind: str


@dataclass
class Terms:
    """A `rows` request's answer: dicts of terms (SELECT), a boolean (ASK) or triples (graphs)."""

    value: Any


@dataclass
class Counts:
    """Triples per named graph, "" for the default graph proper."""

    counts: dict[str, int]


Reply = Answer | Unacceptable | Terms | Counts


class ChunkSink:
    """A binary sink for pyoxigraph's serialisers that ships an answer in `CHUNK`-sized pieces.

    Up to `CHUNK` bytes are kept: an answer that fits is sent whole as one reply (`finish` returns
    it). Past that, `send` gets the header (the answer with `streamed=True` and no body), then each
    chunk; `finish` sends the rest and None, and returns None."""

    def __init__(self, send: Callable[[Any], None], head: Answer, chunk: int = CHUNK) -> None:
        self.send = send
        self.head = head
        self.chunk = chunk
        self.buf = bytearray()
        self.started = False

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= self.chunk:
            if not self.started:
                self.send(dataclasses.replace(self.head, body=b"", streamed=True))
                self.started = True
            self.send(bytes(self.buf))
            self.buf.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self) -> Answer | None:
        if not self.started:
            return dataclasses.replace(self.head, body=bytes(self.buf))
        if self.buf:
            self.send(bytes(self.buf))
        self.send(None)
        return None


def reply_for(req: Request, res: Any, send: Callable[[Any], None] | None = None) -> Reply | None:
    """The reply to `req` given its pyoxigraph results.

    With `send` (a worker's pipe), an answer past `CHUNK` bytes is streamed through it as it is
    serialised (unless a row cap or JSON-LD's context needs it whole first; then it is sent in
    chunks once made) and None is returned; a smaller one is returned as usual."""
    if req.op == "rows":
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            out: list[dict[str, Any]] = []
            for sol in res:
                if req.row_cap and len(out) >= req.row_cap:
                    break
                out.append({n: t for n, t in zip(names, sol, strict=True) if t is not None})
            return Terms(out)
        if isinstance(res, ox.QueryBoolean):
            return Terms(bool(res))
        return Terms(list(res))
    if isinstance(res, ox.QuerySolutions):
        if req.results_format is None:
            return Unacceptable("solutions")
        fmt = req.results_format
        if send is not None and req.row_cap <= 0:
            sink = ChunkSink(send, Answer("solutions", fmt, b""))
            res.serialize(sink, format=RESULTS_FORMAT[fmt].ox)
            return sink.finish()
        body, truncated, rows = serialize_solutions(res, fmt, req.row_cap, req.allow_truncated)
        return _send(Answer("solutions", fmt, body, truncated, rows), send)
    if isinstance(res, ox.QueryBoolean):
        if req.results_format is None:
            return Unacceptable("boolean")
        return Answer("boolean", req.results_format, res.serialize(format=RESULTS_FORMAT[req.results_format].ox))
    fmt = req.graph_format or ("turtle" if req.op == "gsp_get" else None)
    if fmt is None:
        return Unacceptable("graph")
    if send is not None and fmt != "jsonld":
        sink = ChunkSink(send, Answer("graph", fmt, b""))
        serialize_rdf(res, fmt, req.prefixes, sink)
        return sink.finish()
    return _send(Answer("graph", fmt, serialize_rdf(res, fmt, req.prefixes)), send)


def _send(answer: Answer, send: Callable[[Any], None] | None) -> Answer | None:
    """A whole answer: returned as is when small or without a pipe, else sent in chunks."""
    body = answer.body
    assert isinstance(body, bytes)
    if send is None or len(body) < CHUNK:
        return answer
    sink = ChunkSink(send, dataclasses.replace(answer, body=b""))
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        sink.write(view[start:start + CHUNK])
    return sink.finish()


@dataclass(frozen=True)
class RowSyntax:
    """Where rows begin in a results format's bytes, skipping its quoted text (a sink sees raw bytes).

    `mark` matches, from a position between tokens, everything up to and including the next row
    marker (group 1); `skip` the longest run of complete tokens without one (the rest waits for more
    bytes). `cut` is the offset from the marker's start where a document of the rows before it ends,
    and `trailer` closes it. `ends_rows`: the marker ends a line (the header line included), rather
    than starting a row.
    """

    mark: re.Pattern[bytes]
    skip: re.Pattern[bytes]
    cut: int
    trailer: bytes
    ends_rows: bool


def _syntax(body: bytes, marker: bytes, cut: int, trailer: bytes, ends_rows: bool) -> RowSyntax:
    return RowSyntax(re.compile(rb"(?:" + body + rb")*+(" + marker + rb")", re.S),
                     re.compile(rb"(?:" + body + rb")*+", re.S), cut, trailer, ends_rows)


ROW_SYNTAX = {
    # {"head":..,"results":{"bindings":[{..},{..}]}}: a row starts at `[{` or `},{` outside strings.
    "json": _syntax(rb'[^"}\[]++|"(?:[^"\\]++|\\.)*+"|\}(?=[^,]|,[^{])|\[(?=[^{])', rb"\},\{|\[\{", 1, b"]}}", False),
    # <result> never occurs in escaped text.
    "xml": _syntax(rb"[^<]++|<(?=[^r]|r[^e]|re[^s]|res[^u]|resu[^l]|resul[^t]|result[^>])", rb"<result>", 0,
                   b"</results></sparql>", False),
    # one line per row, newlines in values escaped
    "tsv": _syntax(rb"[^\n]++", rb"\n", 1, b"", True),
    # CRLF per row; a quoted value may hold CRLF
    "csv": _syntax(rb'[^"\r]++|"(?:[^"]++|"")*+"(?=[^"])|\r(?=[^\n])', rb"\r\n", 2, b"", True),
}


class _StopWriting(Exception):
    """Raised by _RowSink to abort a serialisation once enough rows were written."""


class _RowSink:
    """A binary sink for pyoxigraph's serialiser that counts rows and stops after `limit` of them."""

    def __init__(self, syntax: RowSyntax, limit: int) -> None:
        self.syntax = syntax
        self.limit = limit  # markers to see before stopping
        self.buf = bytearray()
        self.pos = 0
        self.marks = 0
        self.cut: int | None = None
        self._last_cut = 0

    def write(self, data: bytes) -> int:
        if self.cut is not None:  # the serialiser may try again after a refused write (XML's closing flush)
            raise _StopWriting
        self.buf += data
        syntax, buf = self.syntax, self.buf
        while True:
            m = syntax.mark.match(buf, self.pos)
            if m is None:
                self.pos = syntax.skip.match(buf, self.pos).end()  # type: ignore[union-attr]
                return len(data)
            self.marks += 1
            self.pos = m.end(1)
            cut = m.start(1) + syntax.cut
            if self.marks >= self.limit:  # line formats end at the previous line, others before this row
                self.cut = self._last_cut if syntax.ends_rows else cut
                raise _StopWriting
            self._last_cut = cut

    def flush(self) -> None:
        pass


def serialize_solutions(solutions: ox.QuerySolutions, fmt: str, row_cap: int, allow_truncated: bool = True
                        ) -> tuple[bytes, bool, int | None]:
    """SELECT results in `fmt`, at most row_cap rows (0 = no cap). Returns (body, truncated, rows).

    An answer longer than the cap raises RowCapExceeded unless `allow_truncated`.
    """
    target = RESULTS_FORMAT[fmt].ox
    if row_cap <= 0:
        return solutions.serialize(format=target), False, None
    syntax = ROW_SYNTAX[fmt]
    # line formats: the header line, cap rows, and one more row's end; else cap + 1 row starts
    sink = _RowSink(syntax, row_cap + 2 if syntax.ends_rows else row_cap + 1)
    try:
        solutions.serialize(sink, format=target)
    except _StopWriting:
        pass
    except OSError as exc:  # pyoxigraph may wrap the sink's exception
        if sink.cut is None:
            raise
        del exc
    if sink.cut is None:
        rows = sink.marks - 1 if syntax.ends_rows else sink.marks
        return bytes(sink.buf), False, max(0, rows)
    if not allow_truncated:
        raise RowCapExceeded(row_cap)
    return bytes(sink.buf[: sink.cut]) + syntax.trailer, True, row_cap


def serialize_rdf(data: Any, fmt: str, prefixes: Mapping[str, str] | None = None, output: Any = None) -> Any:
    """Triples or quads (an iterable, or pyoxigraph results) in one of the graph formats, with the
    known prefixes declared: `@prefix` lines in Turtle/TriG, xmlns in RDF/XML, an `@context` in JSON-LD.
    Returns the bytes, or writes them to `output` (a binary sink; not for JSON-LD) and returns None."""
    target = GRAPH_FORMAT[fmt].ox
    if fmt == "jsonld":
        body = data.serialize(format=target) if hasattr(data, "serialize") else ox.serialize(data, format=target)
        return jsonld_with_context(body, prefixes or {})
    if not prefixes or fmt in ("ntriples", "nquads"):
        if hasattr(data, "serialize"):
            return data.serialize(output, format=target)
        return ox.serialize(data, output, format=target)
    return ox.serialize(data, output, format=target, prefixes=dict(prefixes))


def jsonld_with_context(body: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Pyoxigraph's expanded JSON-LD with the prefixes as its `@context` and property names compacted."""
    nodes = json.loads(body or b"[]")
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def compact(key: str) -> str:
        for name, ns in ordered:
            if key.startswith(ns) and len(key) > len(ns):
                local = key[len(ns):]
                if re.fullmatch(r"[A-Za-z_][\w.-]*", local):
                    return f"{name}:{local}"
        return key

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict):
            return {(k if k.startswith("@") else compact(k)): walk(v) for k, v in node.items()}
        return node

    doc = {"@context": dict(prefixes), "@graph": walk(nodes)}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
