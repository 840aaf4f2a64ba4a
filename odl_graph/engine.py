"""Query execution in killable worker processes: time limit, row cap, serialisation. No Flask.

pyoxigraph cannot cancel a query, so every query runs in a worker
process forked from this one; a query over the time limit gets its worker SIGKILLed (its CPU is
freed at once) and a fresh worker is forked in its place. In `memory` mode the parent loads the
store into memory once and the workers share it copy-on-write (3-6x faster on heavy queries than
the on-disk store, see docs/benchmarks.md); in `disk` mode each worker opens the current on-disk
version read-only.

Updates run in a fresh child too (so a runaway update is killable): it applies the update to a
copy of the dataset and writes it as a new store version (`EmbeddedStore.replace_all`); the
parent then reloads and recycles the workers, so a query sent after the update's answer sees it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import iris, query_guard, sandbox
from odl_graph.dumps import DIR as DUMPS_DIR
from odl_graph.errors import OdlError, QueryError, StoreError
from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, Format
from odl_graph.remote import DEFAULT_GRAPH, RemoteStore, RemoteTimeout
from odl_graph.result_cache import ResultCache
from odl_graph.store import EmbeddedStore, graph_result, parse_error_position, run_query

RESULTS_OX = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_OX = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
UPDATE_PERSIST_TIMEOUT = 600.0  # writing a new on-disk version of ~1M triples takes seconds
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)


# -- errors ----------------------------------------------------------------------------------
class QueryTimeout(OdlError):
    """The query ran past the time limit; its worker was killed."""


class EngineBusy(OdlError):
    """No worker became free within the time limit."""


class WorkerCrashed(OdlError):
    """The worker was killed from outside while evaluating (the host's OOM killer); it was replaced."""


class MemoryLimit(OdlError):
    """The query needed more memory than a worker may allocate (`worker_memory_mb`); it was stopped."""


class EngineFailure(OdlError):
    """The engine itself failed on this query (a panic, a crash): it would fail again, so no retry."""


class NotAcceptable(OdlError):
    """The result kind (solutions, boolean, graph) has no format the client accepts."""

    def __init__(self, kind: str, formats: Iterable[Format]) -> None:
        self.kind = kind
        offered = ", ".join(f.media_type for f in formats)
        super().__init__(f"cannot serialise {kind} results in an acceptable format; available: {offered}")


class RowCapExceeded(OdlError):
    """A SELECT answer has more rows than the row cap, and the client did not opt into a cut answer."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        super().__init__(
            f"the answer has more than {cap} rows, the row cap of this endpoint; nothing was cut silently: "
            f"page through it with LIMIT {cap} OFFSET 0, then OFFSET {cap}, {2 * cap}, ... "
            f"(with an ORDER BY so pages do not overlap), or add the parameter truncate=true to get the "
            f"first {cap} rows marked X-ODL-Truncated: true"
        )


class UpdateRejected(OdlError):
    """An update was sent where only queries are accepted."""


class GraphNotFound(OdlError):
    """Graph Store Protocol: the named graph does not exist."""


# -- lexical checks (no parser needed, run before dispatch) ----------------------------------
_LEXEMES = re.compile(
    r"""<[^<>"{}|^`\\\s]*>"""  # IRI
    r'''|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''  # long strings
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""  # strings
    r"""|\#[^\n]*""",  # comments
    re.S,
)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*)*", re.I)
_UPDATE_VERBS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


def skeleton(sparql: str) -> str:
    """The text with IRIs, strings and comments blanked out: keywords only."""
    return _LEXEMES.sub(" ", sparql)


def looks_like_update(sparql: str, skel: str | None = None) -> bool:
    """True when the first keyword after the prologue is a SPARQL Update operation.

    `skel`: the text's skeleton() when the caller already has it (it is the costly part).
    """
    rest = _PROLOGUE.sub("", skeleton(sparql) if skel is None else skel, count=1)
    m = re.match(r"\s*([A-Za-z]+)", rest)
    return bool(m and m.group(1).upper() in _UPDATE_VERBS)


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
    skipped = [(m.start(), m.end()) for m in _LEXEMES.finditer(sparql)]
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


# -- results ---------------------------------------------------------------------------------
@dataclass
class Result:
    """A serialised answer, ready to send."""

    kind: str  # "solutions" | "boolean" | "graph"
    format: Format
    body: bytes
    truncated: bool = False
    row_cap: int = 0
    rows: int | None = None
    cache: str | None = None  # "hit" | "miss" when the result cache is on, else None


@dataclass
class _Request:
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
    extra: dict[str, Any] = field(default_factory=dict)


class _StopWriting(Exception):
    """Raised by _LineCap to abort a serialisation once enough rows were written."""


class _LineCap:
    """A binary sink that stops the (Rust) TSV serialiser after `limit` lines."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[bytes] = []
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines >= self.limit:
            raise _StopWriting
        return len(data)

    def flush(self) -> None:
        pass


def _serialize_solutions(
    solutions: ox.QuerySolutions, fmt: str, row_cap: int, allow_truncated: bool = True
) -> tuple[bytes, bool, int | None]:
    """Serialise SELECT results, stopping at row_cap rows (0 = no cap). Returns (body, truncated, rows).

    An answer longer than the cap raises RowCapExceeded unless `allow_truncated`.

    With a cap, results go through TSV (one row per line, newlines escaped) into a sink that stops
    after cap + 1 rows; the kept rows are re-read and written in the requested format, in Rust.
    """
    if row_cap <= 0:
        return solutions.serialize(format=RESULTS_OX[fmt]), False, None
    sink = _LineCap(row_cap + 2)  # header + cap rows + 1 to detect more
    truncated = False
    try:
        solutions.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except _StopWriting:
        truncated = True
    except OSError as exc:  # pyoxigraph may wrap the sink's exception
        if "_StopWriting" not in repr(exc) and sink.lines < row_cap + 2:
            raise
        truncated = True
    if truncated and not allow_truncated:
        raise RowCapExceeded(row_cap)
    tsv = b"".join(sink.chunks)
    lines = tsv.split(b"\n")
    if truncated:
        tsv = b"\n".join(lines[: row_cap + 1]) + b"\n"
        rows = row_cap
    else:
        rows = max(0, len(lines) - 2)
    if fmt == "tsv":
        return tsv, truncated, rows
    parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=RESULTS_OX[fmt]), truncated, rows


def serialize_rdf(data: Any, fmt: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """Triples or quads (an iterable, or pyoxigraph results) in one of GRAPH_OX's formats, with the
    known prefixes declared: `@prefix` lines in Turtle/TriG, xmlns in RDF/XML, an `@context` in JSON-LD."""
    target = GRAPH_OX[fmt]
    if fmt == "jsonld":
        body = data.serialize(format=target) if hasattr(data, "serialize") else ox.serialize(data, format=target)
        return jsonld_with_context(body, prefixes or {})
    if not prefixes or fmt in ("ntriples", "nquads"):
        return data.serialize(format=target) if hasattr(data, "serialize") else ox.serialize(data, format=target)
    return ox.serialize(data, format=target, prefixes=dict(prefixes))


def jsonld_with_context(body: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Pyoxigraph's expanded JSON-LD with the prefixes as its `@context` and property names compacted."""
    import json

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


def _dataset_kwargs(defaults: Iterable[str], named: Iterable[str]) -> dict[str, Any]:
    return {"default_graph_uris": tuple(defaults), "named_graph_uris": tuple(named)}


def _execute(store: ox.Store, req: _Request) -> Any:
    """Worker side: evaluate one request against the store."""
    if req.op == "ping":
        return "pong"
    if isinstance(store, RemoteStore):  # remote backend (issue 7): the store evaluates, over HTTP
        return _execute_remote(store, req)
    if req.op == "counts":
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {r["g"].value: int(r["n"].value) for r in rows}
        default = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())
        counts[""] = int(next(iter(default))["n"].value)
        return counts
    if req.op == "gsp_get":
        if req.graph is None:
            res = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())
        else:
            if not store.contains_named_graph(ox.NamedNode(req.graph)):
                raise GraphNotFound(f"no graph named <{req.graph}>")
            res = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{req.graph}> {{ ?s ?p ?o }} }}")
        fmt = req.graph_format or "turtle"
        return ("graph", fmt, serialize_rdf(res, fmt, req.prefixes), False, None)
    if isinstance(store, _Answered):
        res = store.result
    else:
        res = run_query(store, req.sparql, **_dataset_kwargs(req.default_graph_uris, req.named_graph_uris),
                        substitutions=req.extra.get("substitutions"), base_iri=req.base_iri)
    if req.op == "rows":
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            out: list[dict[str, Any]] = []
            for sol in res:
                if req.row_cap and len(out) >= req.row_cap:
                    break
                out.append({n: t for n, t in zip(names, sol, strict=True) if t is not None})
            return out
        if isinstance(res, ox.QueryBoolean):
            return bool(res)
        return list(res)
    if isinstance(res, ox.QuerySolutions):
        if req.results_format is None:
            return ("not-acceptable", "solutions")
        body, truncated, rows = _serialize_solutions(res, req.results_format, req.row_cap, req.allow_truncated)
        return ("solutions", req.results_format, body, truncated, rows)
    if isinstance(res, ox.QueryBoolean):
        if req.results_format is None:
            return ("not-acceptable", "boolean")
        return ("boolean", req.results_format, res.serialize(format=RESULTS_OX[req.results_format]), False, None)
    if req.graph_format is None:
        return ("not-acceptable", "graph")
    return ("graph", req.graph_format, serialize_rdf(res, req.graph_format, req.prefixes), False, None)


def _execute_remote(store: RemoteStore, req: _Request) -> Any:
    """`_execute` for a RemoteStore: same replies; answers are pyoxigraph objects, so the same serialisers.

    The time limit travels as the HTTP timeout (and Virtuoso's own `timeout`); the row cap lets the
    store's own limit pass when it is above ours (odl_graph/remote.py).
    """
    if req.op == "ping":
        return "pong"
    if req.op == "counts":
        counts = store.triple_counts()
        counts[""] = store.default_graph_count()
        return counts
    if req.op == "gsp_get":
        fmt = req.graph_format or "turtle"
        if req.graph is None:
            return ("graph", fmt, serialize_rdf(store.graph_triples(DEFAULT_GRAPH), fmt, req.prefixes), False, None)
        if req.graph not in store.graph_names():
            raise GraphNotFound(f"no graph named <{req.graph}>")
        return ("graph", fmt, serialize_rdf(store.graph_triples(req.graph), fmt, req.prefixes), False, None)
    timeout = req.extra.get("timeout")
    res = store.query(req.sparql, **_dataset_kwargs(req.default_graph_uris, req.named_graph_uris),
                      substitutions=req.extra.get("substitutions"), timeout=timeout, row_cap=req.row_cap)
    return _execute(_Answered(res), req)


class _Answered:
    """A store stand-in holding an answer already computed remotely, so `_execute` serialises it."""

    def __init__(self, result: Any) -> None:
        self.result = result


def _error_reply(exc: BaseException) -> tuple:
    if isinstance(exc, QueryError):
        return ("error", "query", str(exc), exc.line, exc.column)
    if isinstance(exc, GraphNotFound):
        return ("error", "notfound", str(exc), None, None)
    if isinstance(exc, RowCapExceeded):
        return ("error", "rowcap", str(exc), exc.cap, None)
    if isinstance(exc, SyntaxError):
        line, col = parse_error_position(str(exc))
        return ("error", "query", str(exc), line, col)
    if isinstance(exc, MemoryError):
        return ("error", "memory", "", None, None)
    if type(exc).__name__ == "PanicException":  # pyo3: a Rust panic caught on the calling thread
        return ("error", "engine", str(exc), None, None)
    return ("error", "query", f"{type(exc).__name__}: {exc}", None, None)


_PANIC = re.compile(r"panicked at [^\n]*:\n([^\n]+)")


def crash_error(status: int, stderr_tail: str, memory_mb: int) -> OdlError:
    """What a worker's death says about the query, from its exit status and the end of its stderr.

    A Rust allocation past RLIMIT_AS aborts with "memory allocation of N bytes failed"; a panic off
    the calling thread aborts with "thread ... panicked at ...: message"; a stack overflow in the
    parser is a SIGSEGV. All of these fail again on a retry; a plain SIGKILL came from outside
    (the host's OOM killer), which a retry may survive."""
    if "memory allocation of" in stderr_tail or "MemoryError" in stderr_tail:
        return MemoryLimit(memory_message(memory_mb))
    m = _PANIC.search(stderr_tail)
    if m:
        return EngineFailure(f"the query engine failed on this query: {m.group(1).strip()}")
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    if sig == signal.SIGKILL:
        return WorkerCrashed("the query worker was killed during evaluation (out of memory on the host?); "
                             "it was replaced")
    if sig == signal.SIGSEGV or "overflowed its stack" in stderr_tail:
        return EngineFailure("the query engine crashed on this query (stack overflow: is it nested too deeply?)")
    what = f"signal {signal.Signals(sig).name}" if sig else f"exit status {os.WEXITSTATUS(status)}"
    return EngineFailure(f"the query engine crashed on this query ({what})")


def memory_message(memory_mb: int) -> str:
    return (f"the query needed more than the {memory_mb} MB a query worker may allocate "
            f"(worker_memory_mb) and was stopped")


def _detach_fds(keep: int) -> None:
    """Child side: point every inherited descriptor but `keep` (and stdio) at /dev/null.

    Inherited client sockets would otherwise stay open in the worker and hide connection closes
    from clients. dup2 rather than close, so a stale Python object closing "its" descriptor later
    cannot close one the worker has reused.
    """
    devnull = os.open(os.devnull, os.O_RDWR)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in (keep, devnull):
            with contextlib.suppress(OSError):
                os.dup2(devnull, fd)


def _limit_cpu(seconds: float) -> None:
    """Backstop: the kernel kills this worker if a query keeps it busy much longer than the limit,
    even if the parent is gone and cannot kill it."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(spent + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _worker_loop(conn: Connection, store_factory: Any, timeout: float, parent: int, memory_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        sandbox.confine(parent, memory_mb << 20, die_with_parent_thread=False)  # no network, bounded memory
        store = store_factory()
    except BaseException as exc:
        conn.send(("error", "store", f"cannot start a query worker: {exc}", None, None))
        return
    conn.send(("ready",))
    while True:
        try:
            if not conn.poll(2.0):
                if os.getppid() != parent:
                    return
                continue
            req = conn.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(max(timeout, 1.0) * 3 + 5)
        try:
            reply = ("ok", _execute(store, req))
        except BaseException as exc:
            reply = _error_reply(exc)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


@dataclass
class _Worker:
    pid: int
    conn: Connection
    generation: int
    alive: bool = True
    reserve: bool = False  # kept for short queries: its queries stop at reserve_timeout
    stderr: int = -1  # memfd holding the worker's stderr (why it died)
    status: int = 0  # wait status once reaped

    def stderr_tail(self) -> str:
        if self.stderr < 0:
            return ""
        with contextlib.suppress(OSError):
            size = os.fstat(self.stderr).st_size
            return os.pread(self.stderr, 65536, max(0, size - 65536)).decode("utf-8", "replace")
        return ""


class Engine:
    """A pool of killable query workers over one store. Thread-safe; one per server process."""

    def __init__(
        self,
        store_path: str | os.PathLike[str],
        *,
        workers: int = 2,
        timeout: float = 10.0,
        row_cap: int = 10000,
        mode: str = "memory",
        remote: RemoteStore | None = None,
        cache_bytes: int = 0,
        base_iri: str | None = None,
        memory_mb: int = 1024,
        reserve_workers: int = 1,
        reserve_timeout: float = 1.0,
        max_depth: int = 64,
    ) -> None:
        if mode not in ("memory", "disk"):
            raise StoreError(f"unknown store mode {mode!r} (expected 'memory' or 'disk')")
        # With a remote store (issue 7) there are no workers: queries go over HTTP under the same
        # time limit and row cap; `store` is the RemoteStore, which the pages and the API query too.
        self.remote = remote
        self.store: Any = remote if remote is not None else EmbeddedStore(store_path, base_iri)
        self.size = max(1, int(workers))
        self.timeout = float(timeout)
        self.row_cap = int(row_cap)
        self.mode = mode
        self.prefixes = iris.rdf_prefixes(base_iri or iris.BASE)
        self.memory_mb = max(0, int(memory_mb))
        self.reserve_size = max(0, int(reserve_workers))
        self.reserve_timeout = min(float(reserve_timeout), self.timeout)
        self.max_depth = int(max_depth)
        self._lock = threading.Condition()
        self._update_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._idle_reserve: list[_Worker] = []
        self._all: dict[int, _Worker] = {}
        self._generation = 0
        self._mem: ox.Store | None = None
        self._version: str | None = None
        self._counts: dict[str, int] | None = None
        self._started = False
        self._closed = False
        self._last_check = 0.0
        self._pid = os.getpid()
        # Serialised answers per store version (embedded store only: a remote store can change
        # without our version marker changing).
        self.cache = ResultCache(cache_bytes if remote is None else 0)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Engine:
        return cls(
            settings["store"],
            workers=settings.get("workers", 2),
            timeout=settings.get("query_timeout", 10.0),
            row_cap=settings.get("row_cap", 10000),
            mode=settings.get("store_mode", "memory"),
            remote=RemoteStore.from_settings(settings) if settings.get("store_backend") == "remote" else None,
            cache_bytes=settings.get("result_cache_bytes", 0),
            base_iri=settings.get("base_iri"),
            memory_mb=settings.get("worker_memory_mb", 1024),
            reserve_workers=settings.get("reserve_workers", 1),
            reserve_timeout=settings.get("reserve_timeout", 1.0),
            max_depth=settings.get("max_query_depth", 64),
        )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Engine:
        """Load the store (memory mode) and fork the workers. Idempotent."""
        with self._lock:
            if self._started:
                return self
            if self.remote is not None:
                if not self.remote.exists():
                    raise StoreError(f"no odl-graph data in the remote store {self.remote.query_url}: "
                                     f"run `odl-graph build` first")
                self._version = self.remote.version()
                self._started = True
                return self
            if not self.store.exists():
                raise StoreError(f"no store at {self.store.path}: run `odl-graph build` first")
            self._load()
            for _ in range(self.size):
                self._idle.append(self._spawn())
            for _ in range(self.reserve_size):
                self._idle_reserve.append(self._spawn(reserve=True))
            self._started = True
            return self

    def _load(self) -> None:
        version = self.store.version()
        if self.mode == "memory":
            self._mem = self.store.to_memory()
            self.store.refresh()  # close the read-only handle: only the in-memory copy is used
        self._version = version
        self._counts = None
        self.cache.clear(version)

    def close(self) -> None:
        """Kill every worker. Safe to call twice."""
        with self._lock:
            self._closed = True
            workers = list(self._all.values())
            self._idle.clear()
            self._idle_reserve.clear()
            self._lock.notify_all()
        for w in workers:
            self._reap(w)
            self._close_stderr(w)

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> str | None:
        return self._version

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "mode": "remote" if self.remote is not None else self.mode,
                "workers": self.size,
                "idle": self.size if self.remote is not None else len(self._idle),  # remote: no workers
                "reserve_workers": 0 if self.remote is not None else self.reserve_size,
                "reserve_idle": 0 if self.remote is not None else len(self._idle_reserve),
                "reserve_timeout_s": self.reserve_timeout,
                "worker_memory_mb": self.memory_mb,
                "store_version": self._version,
                "timeout_s": self.timeout,
                "row_cap": self.row_cap,
                "result_cache": self.cache.stats(),
            }

    # -- workers ---------------------------------------------------------------------------
    def _store_factory(self) -> Any:
        if self.mode == "memory":
            mem = self._mem
            return lambda: mem
        path = str(self.store.current.resolve())
        return lambda: ox.Store.read_only(path)

    def _spawn(self, reserve: bool = False) -> _Worker:
        """Fork one worker (caller holds the lock, so no two forks interleave)."""
        parent_conn, child_conn = Pipe(duplex=True)
        factory = self._store_factory()
        parent = os.getpid()
        err = os.memfd_create("odl-worker-stderr", os.MFD_CLOEXEC)
        pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                os.dup2(err, 2)
                os.environ["RUST_BACKTRACE"] = "0"  # the engine's message, not pages of frames
                _detach_fds(child_conn.fileno())
                _worker_loop(child_conn, factory, self.timeout, parent, self.memory_mb)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child_conn.close()
        worker = _Worker(pid, parent_conn, self._generation, reserve=reserve, stderr=err)
        self._all[pid] = worker
        if not parent_conn.poll(max(self.timeout, 30.0)):
            self._reap(worker)
            self._close_stderr(worker)
            raise StoreError("a query worker did not start in time")
        try:
            hello = parent_conn.recv()
        except (EOFError, OSError) as exc:
            self._reap(worker)
            tail = worker.stderr_tail().strip()[-300:]
            self._close_stderr(worker)
            raise StoreError(f"a query worker died at start: {tail}") from exc
        if hello[0] != "ready":
            self._reap(worker)
            self._close_stderr(worker)
            raise StoreError(hello[2])
        return worker

    def _reap(self, w: _Worker) -> None:
        """SIGKILL a worker and wait for it: its CPU and memory are freed when this returns.
        A worker that already died keeps its own wait status in `w.status`."""
        if w.alive:
            w.alive = False
            with contextlib.suppress(ProcessLookupError):
                os.kill(w.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                w.status = os.waitpid(w.pid, 0)[1]
            w.conn.close()
        with self._lock:
            self._all.pop(w.pid, None)

    def _close_stderr(self, w: _Worker) -> None:
        if w.stderr >= 0:
            with contextlib.suppress(OSError):
                os.close(w.stderr)
            w.stderr = -1

    def _replace(self, w: _Worker) -> None:
        self._reap(w)
        self._close_stderr(w)
        with self._lock:
            same_kind = sum(1 for x in self._all.values() if x.reserve == w.reserve)
            if not self._closed and same_kind < (self.reserve_size if w.reserve else self.size):
                with contextlib.suppress(StoreError):  # next borrow retries
                    spawned = self._spawn(reserve=w.reserve)
                    (self._idle_reserve if w.reserve else self._idle).append(spawned)
            self._lock.notify_all()

    def _borrow(self, reserve_ok: bool = True) -> _Worker:
        """An idle regular worker, else (for requests that accept its shorter limit) a reserve one.

        The reserve workers only ever take a query when every regular worker is busy, and stop it
        at reserve_timeout: however many long queries run, a short one finds a worker."""
        deadline = time.monotonic() + self.timeout
        with self._lock:
            while True:
                if self._closed:
                    raise EngineBusy("the query engine is shut down")
                if self._idle:
                    return self._idle.pop()
                regular = sum(1 for x in self._all.values() if not x.reserve)
                if regular < self.size:
                    return self._spawn()
                if reserve_ok and self._idle_reserve:
                    return self._idle_reserve.pop()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EngineBusy(
                        f"all {self.size} query workers stayed busy for {self.timeout:g} s; retry later"
                    )
                self._lock.wait(left)

    def _release(self, w: _Worker) -> None:
        with self._lock:
            if w.generation == self._generation and not self._closed:
                (self._idle_reserve if w.reserve else self._idle).append(w)
                self._lock.notify_all()  # a waiter that may not take a reserve worker must not swallow it
                return
        self._replace(w)

    def _call(self, req: _Request, timeout: float | None = None) -> Any:
        self.start()
        self._maybe_refresh()
        limit = self.timeout if timeout is None else timeout
        if self.remote is not None:
            req.extra["timeout"] = limit
            try:
                return _execute_remote(self.remote, req)
            except RemoteTimeout as exc:
                raise QueryTimeout(f"query exceeded the {limit:g} s time limit and was stopped: {exc}") from exc
        w = self._borrow(reserve_ok=limit <= self.timeout)
        if w.reserve:
            limit = min(limit, self.reserve_timeout)
        try:
            w.conn.send(req)
            if not w.conn.poll(limit):
                self._replace(w)
                if w.reserve:
                    raise QueryTimeout(
                        f"every one of the {self.size} query workers is busy with a long query; this one ran "
                        f"on the reserve worker, which stops queries after {limit:g} s, and was stopped")
                raise QueryTimeout(f"query exceeded the {limit:g} s time limit and was stopped")
            reply = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._reap(w)
            error = crash_error(w.status, w.stderr_tail(), self.memory_mb)
            self._replace(w)
            raise error from exc
        except BaseException:
            self._replace(w)
            raise
        self._release(w)
        if reply[0] == "ok":
            return reply[1]
        _, kind, message, line, column = reply
        if kind == "notfound":
            raise GraphNotFound(message)
        if kind == "rowcap":
            raise RowCapExceeded(line)
        if kind == "memory":
            self._replace(w)  # a worker that hit its limit may hold fragmented memory: start afresh
            raise MemoryLimit(memory_message(self.memory_mb))
        if kind == "engine":
            raise EngineFailure(f"the query engine failed on this query: {message}")
        raise QueryError(message, line=line, column=column)

    # -- store versions --------------------------------------------------------------------
    def _maybe_refresh(self) -> None:
        """Pick up a new store version written by `odl-graph build` (checked at most every 2 s)."""
        now = time.monotonic()
        if now - self._last_check < 2.0:
            return
        self._last_check = now
        if self.remote is not None:
            version = self.remote.version()
            if version != self._version:
                self._version, self._counts = version, None
            return
        if self.store.version() != self._version:
            self.reload()

    def reload(self) -> None:
        """Load the current store version and recycle every worker onto it."""
        if self.remote is not None:
            self.remote.refresh()
            self._version, self._counts = self.remote.version(), None
            return
        version = self.store.version()
        mem = self.store.to_memory() if self.mode == "memory" else None
        self.store.refresh()
        with self._lock:
            self._mem = mem
            self._version = version
            self._counts = None
            self._generation += 1
            stale, self._idle = self._idle + self._idle_reserve, []
            self._idle_reserve = []
            self.cache.clear(version)
        for w in stale:
            self._replace(w)

    def checked_version(self) -> str | None:
        """The store version queries run against now, after the periodic look for a new build."""
        self.start()
        self._maybe_refresh()
        return self._version

    # -- queries ---------------------------------------------------------------------------
    def check_query_text(self, sparql: str, *, update: bool = False, parse: bool = True) -> query_guard.Verdict:
        """Refuse what must never reach a worker: an update at the query endpoint, nesting past
        max_query_depth, and SERVICE or LOAD anywhere in the parsed query (odl_graph/query_guard.py).

        `parse=False` for the project's own queries (pages, API, diagnostic: fixed texts with
        validated terms or typed substitutions), which skip the ~4 ms parse; they run in the same
        network-less workers."""
        skel = skeleton(sparql)  # once, not once per check
        if not update and looks_like_update(sparql, skel):
            raise UpdateRejected("updates are not accepted at /sparql; send them to /update with a token")
        depth = nesting_depth(skel)
        if self.max_depth and depth > self.max_depth:
            raise QueryError(f"the query is nested {depth} levels deep; the limit is {self.max_depth} "
                             f"(max_query_depth)")
        if not parse:
            return query_guard.Verdict(True)
        verdict = query_guard.check(sparql, update=update)
        if not verdict.parsed and self.remote is not None and query_guard.may_fetch(sparql):  # no sandbox there
            raise QueryError(f"the query checker could not parse this query ({verdict.parse_error}); "
                             f"with a remote store only SPARQL 1.1 that it can check is accepted",
                             line=verdict.line, column=verdict.column)
        return verdict

    def execute(
        self,
        sparql: str,
        *,
        results_format: Format | None = RESULTS_FORMATS[0],
        graph_format: Format | None = GRAPH_FORMATS[0],
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        row_cap: int | None = None,
        allow_truncated: bool = False,
        base_iri: str | None = None,
        own: bool = False,
    ) -> Result:
        """Run a query and serialise its answer; the row cap applies to SELECT only.

        A SELECT answer longer than the cap raises RowCapExceeded unless `allow_truncated`: a cut
        answer that only our own headers reveal would be silent to every standard client.
        `base_iri` resolves relative IRIs when the query sets no BASE (the protocol: the request URL).
        `own=True` for the project's own query texts (pages): see check_query_text.

        With the result cache on, an answer already serialised for this store version, query text,
        dataset, formats and row cap is returned as is (`cache="hit"`), without a worker. Only
        complete answers are kept: errors and timed-out queries never reach the cache.
        """
        cap = self.row_cap if row_cap is None else row_cap
        req = _Request(
            "query",
            sparql,
            tuple(default_graph_uris),
            tuple(named_graph_uris),
            results_format.name if results_format else None,
            graph_format.name if graph_format else None,
            cap,
            allow_truncated=allow_truncated,
            base_iri=base_iri,
            prefixes=self.prefixes,
        )
        caching = self.cache.enabled
        if caching:
            version = self.checked_version()
            key = (sparql, req.default_graph_uris, req.named_graph_uris, req.results_format, req.graph_format, cap,
                   allow_truncated, base_iri)
            hit = self.cache.get(version, key)
            if hit is not None:  # its text passed check_query_text when it was first run
                return hit
        self.check_query_text(sparql, parse=not own)
        reply = self._call(req)
        if reply[0] == "not-acceptable":
            formats = RESULTS_FORMATS if reply[1] in ("solutions", "boolean") else GRAPH_FORMATS
            raise NotAcceptable(reply[1], formats)
        kind, fmt_name, body, truncated, rows = reply
        fmt = next(f for f in (*RESULTS_FORMATS, *GRAPH_FORMATS) if f.name == fmt_name)
        result = Result(kind, fmt, body, truncated, cap if kind == "solutions" else 0, rows,
                        "miss" if caching else None)
        if caching:
            size = len(body) + len(sparql) + sum(map(len, (*req.default_graph_uris, *req.named_graph_uris)))
            self.cache.put(version, key, dataclasses.replace(result, cache="hit"), size)
        return result

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: Mapping[str, Any] | None = None,
    ) -> Any:
        """The GraphStore interface over the workers: the time limit applies, the answer comes back as
        pyoxigraph results (what the catalogue, the diagnostic and the CLI consume). No row cap: these
        are the project's own queries, and a cut answer would be a wrong one."""
        self.check_query_text(sparql, parse=False)
        req = _Request("query", sparql, tuple(default_graph_uris), tuple(named_graph_uris), "json", "ntriples", 0)
        if substitutions:
            req.extra["substitutions"] = dict(substitutions)  # pyoxigraph terms pickle to the worker
        kind, _fmt, body, _truncated, _rows = self._call(req)
        if kind in ("solutions", "boolean"):
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return graph_result(body)

    def select(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        limit: int = 0,
    ) -> list[dict[str, Any]]:
        """SELECT rows as dicts of pyoxigraph terms (for pages and the CLI); limit 0 = all rows."""
        self.check_query_text(sparql, parse=False)
        req = _Request("rows", sparql, tuple(default_graph_uris), tuple(named_graph_uris), row_cap=limit)
        out = self._call(req)
        if not isinstance(out, list) or (out and not isinstance(out[0], dict)):
            raise QueryError("select() needs a SELECT query")
        return out

    def ask(self, sparql: str) -> bool:
        self.check_query_text(sparql, parse=False)
        out = self._call(_Request("rows", sparql))
        if not isinstance(out, bool):
            raise QueryError("ask() needs an ASK query")
        return out

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph ("" = the default graph), cached per store version."""
        if self._counts is None:
            self._counts = self._call(_Request("counts"), timeout=max(self.timeout, 60.0))
        return dict(self._counts)

    def dumps_dir(self) -> Path | None:
        """The dump files of the store version queries run against (None: the backend writes none)."""
        version = self.checked_version()
        if self.remote is not None or not version:
            return None
        return self.store.path / "versions" / version / DUMPS_DIR

    def graph_get(self, graph: str | None, fmt: Format) -> Result:
        """Graph Store Protocol GET: one named graph (or the default graph when graph is None)."""
        if graph is not None:
            ox.NamedNode(graph)  # ValueError on a bad IRI
        kind, _name, body, _, _ = self._call(_Request("gsp_get", graph=graph, graph_format=fmt.name,
                                                        prefixes=self.prefixes))
        return Result(kind, fmt, body)

    # -- updates ---------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None) -> str:
        """Apply a SPARQL Update, persist it as a new store version, recycle workers. Returns the version.

        The update runs in a child forked for it, under the same time limit as queries; `base_iri`
        resolves its relative IRIs when it sets no BASE.
        """
        self.start()
        verdict = self.check_query_text(sparql, update=True)
        if verdict.reads_default_graph and not self.triple_counts().get("", 0):
            raise QueryError(
                "this update matches triples in the default graph (a WHERE pattern outside GRAPH, or DELETE "
                "WHERE), but the store's default graph is empty: every triple is in a named graph. At /sparql "
                "the default graph is the union of the named graphs; updates do not do that, so this one "
                "would match nothing. Wrap the pattern in GRAPH ?g { ... } (and the template in GRAPH ?g "
                "{ ... }), or name the graphs to match with USING <graph>.")
        with self._update_lock:
            if self.remote is not None:
                version = self._remote_update(sparql, base_iri)
            else:
                version = self._run_update_child(sparql, base_iri=base_iri)
            self.reload()
            return version

    def _remote_update(self, sparql: str, base_iri: str | None = None) -> str:
        """Remote backend: apply the update (killable child) to an in-memory copy of the live version,
        then load the result as a new remote version: the same all-or-nothing switch as a build."""
        assert self.remote is not None
        mem = ox.Store()
        mem.bulk_load(self.remote.dump_nquads(), format=ox.RdfFormat.N_QUADS)

        def persist(nquads: bytes) -> str:
            self.remote.replace_all(nquads)  # type: ignore[union-attr]
            return self.remote.version() or ""  # type: ignore[union-attr]

        return self._run_update_child(sparql, mem=mem, persist=persist, base_iri=base_iri)

    def _run_update_child(self, sparql: str, mem: ox.Store | None = None, persist: Any = None,
                          base_iri: str | None = None) -> str:
        """Apply the update in a forked child (killable), then persist its result as a new version.

        The child never touches RocksDB (a RocksDB opened after fork can deadlock); it sends the
        updated dataset back as N-Quads and a fresh interpreter writes the new store version.
        """
        parent_conn, child_conn = Pipe(duplex=True)
        mem = mem if mem is not None else self._mem
        path = "" if mem is not None else str(self.store.current.resolve())
        parent = os.getpid()
        with self._lock:
            pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                _detach_fds(child_conn.fileno())
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                # No network (LOAD, SERVICE), and gone with the server: an update whose client saw the
                # server die must not go on. No memory cap: updates are token-gated and copy the store.
                sandbox.confine(parent, 0)
                if mem is None:  # disk mode: the parent never opened RocksDB, so the child may
                    store = ox.Store()
                    store.bulk_load(ox.Store.read_only(path).dump(format=ox.RdfFormat.N_QUADS),
                                    format=ox.RdfFormat.N_QUADS)
                else:
                    store = mem
                try:
                    store.update(sparql, base_iri=base_iri)
                except BaseException as exc:
                    child_conn.send(_error_reply(exc))
                    return
                child_conn.send(("applied", store.dump(format=ox.RdfFormat.N_QUADS)))
            except BaseException as exc:
                with contextlib.suppress(BaseException):
                    child_conn.send(("error", "store", f"update failed: {exc}", None, None))
                code = 1
            finally:
                os._exit(code)
        child_conn.close()
        worker = _Worker(pid, parent_conn, -1)
        try:
            if not parent_conn.poll(self.timeout):
                raise QueryTimeout(f"update exceeded the {self.timeout:g} s time limit and was stopped")
            reply = parent_conn.recv()
        except EOFError as exc:
            self._reap(worker)
            raise crash_error(worker.status, "", 0) from exc
        finally:
            self._reap(worker)
        if reply[0] != "applied":
            _, kind, message, line, column = reply
            if kind == "store":
                raise StoreError(message)
            raise QueryError(message, line=line, column=column)
        return (persist or self._write_version)(reply[1])

    def _write_version(self, nquads: bytes) -> str:
        """Write a new store version from a fresh interpreter (no forked RocksDB state).

        The writer is told the length and SHA-256 of what it must commit and refuses anything else
        (a pipe cut short by a dying server), and it dies with this process (odl_graph.store.write_main).
        """
        code = "from odl_graph.store import write_main; write_main()"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PROJECT_ROOT, os.environ.get("PYTHONPATH")]))}
        args = [sys.executable, "-c", code, str(self.store.path), str(len(nquads)),
                hashlib.sha256(nquads).hexdigest(), str(os.getpid()), self.store.base_iri or ""]
        try:
            done = subprocess.run(args, input=nquads, capture_output=True, timeout=UPDATE_PERSIST_TIMEOUT,
                                  env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            raise StoreError("writing the updated store took too long; the update was not saved") from exc
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise StoreError(f"writing the updated store failed: {tail[0]}")
        return done.stdout.decode().strip()


# -- Graph Store Protocol writes, expressed as SPARQL Update --------------------------------
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
