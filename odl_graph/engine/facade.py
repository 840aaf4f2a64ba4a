"""The Engine: one façade over an Executor, with the checks, the row cap and the result cache.

Every query the project runs goes through here: the endpoint's, the pages', the API's, the CLI's.
The Engine decides what may run (check_query_text) and caches complete answers per store version;
the Executor (odl_graph/engine/pool.py or remote.py) evaluates under the time limit; both executors
answer through the one serialiser (odl_graph/engine/serialize.py).
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import iris, query_guard
from odl_graph.engine.base import Executor
from odl_graph.engine.errors import NotAcceptable, UpdateRejected
from odl_graph.engine.pool import ForkedPool
from odl_graph.engine.remote import RemoteExecutor
from odl_graph.engine.serialize import (
    GRAPH_FORMAT,
    RESULTS_FORMAT,
    Answer,
    Counts,
    Reply,
    Request,
    Terms,
    Unacceptable,
)
from odl_graph.errors import QueryError
from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, Format
from odl_graph.result_cache import ResultCache
from odl_graph.sparql_text import looks_like_update, nesting_depth, skeleton
from odl_graph.stores import EmbeddedStore, RemoteStore, graph_result
from odl_graph.stores.writes import Write, check_fetch

VERSION_CHECK_S = 2.0  # how often a query looks for a new store version


@dataclass
class Result:
    """A serialised answer, ready to send."""

    kind: str  # "solutions" | "boolean" | "graph"
    format: Format
    body: bytes | Iterator[bytes]  # an iterator of chunks for a large answer streamed from its worker
    truncated: bool = False
    row_cap: int = 0
    rows: int | None = None
    cache: str | None = None  # "hit" | "miss" when the result cache is on, else None


def teed(chunks: Iterable[bytes], most: int, keep: Callable[[bytes], None]) -> Iterator[bytes]:
    """The chunks as they come; once all have passed, `keep` gets them joined, unless they passed
    `most` bytes (then they were not held). Closing the iterator early closes `chunks`."""
    held: list[bytes] | None = []
    size = 0
    try:
        for chunk in chunks:
            if held is not None:
                size += len(chunk)
                if size > most:
                    held = None
                else:
                    held.append(chunk)
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    if held is not None:
        keep(b"".join(held))


class Engine:
    """Queries and updates over one store, whatever executes them. Thread-safe; one per server process."""

    def __init__(self, executor: Executor, store: Any, *, timeout: float = 10.0, row_cap: int = 0,
                 cache_bytes: int = 0, base_iri: str | None = None, max_depth: int = 64,
                 size: int = 1, reserve_timeout: float = 1.0, memory_mb: int = 0,
                 write_timeout: float = 600.0) -> None:
        self.executor = executor
        self.store = store  # what the pages and the API may read directly (version, dumps)
        self.timeout = float(timeout)
        self.write_timeout = float(write_timeout)
        self.row_cap = int(row_cap)
        self.prefixes = iris.rdf_prefixes(base_iri or iris.BASE)
        self.max_depth = int(max_depth)
        self.size = size
        self.reserve_timeout = reserve_timeout
        self.memory_mb = memory_mb
        self.cache = ResultCache(cache_bytes if executor.caches else 0)
        self._lock = threading.Lock()
        self._update_lock = threading.Lock()
        self._counts: dict[str, int] | None = None
        self._started = False
        self._last_check = 0.0
        self._pid = os.getpid()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Engine:
        """The engine the settings describe: forked workers over the embedded store, or a remote store."""
        timeout = float(settings.get("query_timeout", 10.0))
        executor: Executor
        if settings.get("store_backend") == "remote":
            store: Any = RemoteStore.from_settings(settings)
            executor = RemoteExecutor(store, timeout=timeout, workers=max(1, int(settings.get("workers", 2))))
        else:
            store = EmbeddedStore(settings["store"], settings.get("base_iri"))
            executor = ForkedPool(
                store, workers=max(1, int(settings.get("workers", 2))), timeout=timeout,
                mode=settings.get("store_mode", "memory"),
                memory_mb=max(0, int(settings.get("worker_memory_mb", 1024))),
                reserve_workers=max(0, int(settings.get("reserve_workers", 1))),
                reserve_timeout=min(float(settings.get("reserve_timeout", 1.0)), timeout),
                licence=settings.get("licence") or "")
        return cls(executor, store, timeout=timeout, row_cap=settings.get("row_cap", 0),
                   cache_bytes=settings.get("result_cache_bytes", 0), base_iri=settings.get("base_iri"),
                   max_depth=settings.get("max_query_depth", 64), size=getattr(executor, "size", 1),
                   reserve_timeout=getattr(executor, "reserve_timeout", 0.0),
                   memory_mb=getattr(executor, "memory_mb", 0),
                   write_timeout=float(settings.get("write_timeout", 600.0)))

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Engine:
        """Load the store and fork the workers (or reach the remote store). Idempotent."""
        with self._lock:
            if not self._started:
                self.executor.start()
                self.cache.clear(self.executor.version)
                self._started = True
        return self

    def close(self) -> None:
        """Kill every worker. Safe to call twice."""
        self.executor.close()

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def mode(self) -> str:
        return self.executor.mode

    @property
    def version(self) -> str | None:
        return self.executor.version

    def status(self) -> dict[str, Any]:
        return {"workers": self.size, **self.executor.status(), "reserve_timeout_s": self.reserve_timeout,
                "worker_memory_mb": self.memory_mb, "store_version": self.version, "timeout_s": self.timeout,
                "row_cap": self.row_cap, "result_cache": self.cache.stats()}

    # -- store versions --------------------------------------------------------------------
    def checked_version(self) -> str | None:
        """The store version queries run against now, after the periodic look for a new build."""
        self.start()
        now = time.monotonic()
        if now - self._last_check >= VERSION_CHECK_S:
            self._last_check = now
            if self.executor.current_version() != self.executor.version:
                self.reload()
        return self.executor.version

    def reload(self) -> None:
        """Run later queries on the store's current version (recycling the workers onto it)."""
        self.executor.reload()
        self._counts = None
        self.cache.clear(self.executor.version)

    # -- queries ---------------------------------------------------------------------------
    def check_query_text(self, sparql: str, *, update: bool = False, parse: bool = True) -> query_guard.Verdict:
        """Refuse what must never reach a worker: an update at the query endpoint, nesting past
        max_query_depth, and SERVICE or LOAD anywhere outside strings, IRIs and comments
        (odl_graph/query_guard.py). Lexer checks only, in microseconds: the full parse happens in
        the sandboxed worker, under its limits.

        `parse=False` for the project's own queries (pages, API, diagnostic: fixed texts with
        validated terms or typed substitutions), which skip the keyword check; they run in the same
        network-less workers."""
        skel = skeleton(sparql)  # once, not once per check
        if not update and looks_like_update(sparql, skel):
            raise UpdateRejected("updates are not accepted at /sparql; send them to /update with a token")
        if self.max_depth and sum(map(skel.count, "{([")) > self.max_depth:  # else no walk needed
            depth = nesting_depth(skel)
            if depth > self.max_depth:
                raise QueryError(f"the query is nested {depth} levels deep; the limit is {self.max_depth} "
                                 f"(max_query_depth)")
        if not parse:
            return query_guard.Verdict()
        return query_guard.check(sparql, update=update)

    def _run(self, req: Request, timeout: float | None = None) -> Reply:
        self.checked_version()
        return self.executor.run(req, self.timeout if timeout is None else timeout)

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
        stream: bool = False,
    ) -> Result:
        """Run a query and serialise its answer; the row cap applies to SELECT only.

        A SELECT answer longer than the cap raises RowCapExceeded unless `allow_truncated`: a cut
        answer that only our own headers reveal would be silent to every standard client.
        `base_iri` resolves relative IRIs when the query sets no BASE (the protocol: the request URL).
        `own=True` for the project's own query texts (pages): see check_query_text.
        `stream=True` (the endpoint): a large answer's body is an iterator of chunks as they come
        from the worker, never whole in this process.

        With the result cache on, an answer already serialised for this store version, query text,
        dataset, formats and row cap is returned as is (`cache="hit"`), without a worker. Only
        complete answers are kept: errors and timed-out queries never reach the cache.
        """
        cap = self.row_cap if row_cap is None else row_cap
        req = Request("query", sparql, tuple(default_graph_uris), tuple(named_graph_uris),
                      results_format.name if results_format else None, graph_format.name if graph_format else None,
                      cap, allow_truncated=allow_truncated, base_iri=base_iri, prefixes=self.prefixes)
        caching = self.cache.enabled
        if caching:
            version = self.checked_version()
            key = (sparql, req.default_graph_uris, req.named_graph_uris, req.results_format, req.graph_format, cap,
                   allow_truncated, base_iri)
            hit = self.cache.get(version, key)
            if hit is not None:  # its text passed check_query_text when it was first run
                return hit
        self.check_query_text(sparql, parse=not own)
        reply = self._run(req)
        if isinstance(reply, Unacceptable):
            raise NotAcceptable(reply.kind, RESULTS_FORMATS if reply.kind != "graph" else GRAPH_FORMATS)
        assert isinstance(reply, Answer)
        fmt = (GRAPH_FORMAT if reply.kind == "graph" else RESULTS_FORMAT)[reply.format]
        body = reply.body
        if not stream and not isinstance(body, bytes):
            body = b"".join(body)  # a caller that did not ask for chunks gets the answer whole
        result = Result(reply.kind, fmt, body, reply.truncated, cap if reply.kind == "solutions" else 0,
                        reply.rows, "miss" if caching else None)
        if caching:
            size = len(sparql) + sum(map(len, (*req.default_graph_uris, *req.named_graph_uris)))

            def keep(whole: bytes) -> None:
                self.cache.put(version, key, dataclasses.replace(result, body=whole, cache="hit"), size + len(whole))

            if isinstance(body, bytes):
                keep(body)
            else:
                result.body = teed(body, self.cache.max_bytes // 4, keep)
        return result

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: Mapping[str, Any] | None = None,
    ) -> Any:
        """The GraphStore interface over the executor: the time limit applies, the answer comes back as
        pyoxigraph results (what the catalogue, the diagnostic and the CLI consume). No row cap: these
        are the project's own queries, and a cut answer would be a wrong one."""
        self.check_query_text(sparql, parse=False)
        req = Request("query", sparql, tuple(default_graph_uris), tuple(named_graph_uris), "json", "ntriples", 0,
                      substitutions=dict(substitutions or {}))
        reply = self._run(req)
        assert isinstance(reply, Answer)
        body = reply.body if isinstance(reply.body, bytes) else b"".join(reply.body)
        if reply.kind in ("solutions", "boolean"):
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        return graph_result(body)

    def _terms(self, sparql: str, default_graph_uris: Iterable[str] = (), named_graph_uris: Iterable[str] = (),
               limit: int = 0) -> Any:
        self.check_query_text(sparql, parse=False)
        reply = self._run(Request("rows", sparql, tuple(default_graph_uris), tuple(named_graph_uris), row_cap=limit))
        assert isinstance(reply, Terms)
        return reply.value

    def select(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        limit: int = 0,
    ) -> list[dict[str, Any]]:
        """SELECT rows as dicts of pyoxigraph terms (for pages and the CLI); limit 0 = all rows."""
        out = self._terms(sparql, default_graph_uris, named_graph_uris, limit)
        if not isinstance(out, list) or (out and not isinstance(out[0], dict)):
            raise QueryError("select() needs a SELECT query")
        return out

    def ask(self, sparql: str) -> bool:
        """An ASK query's answer."""
        out = self._terms(sparql)
        if not isinstance(out, bool):
            raise QueryError("ask() needs an ASK query")
        return out

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph ("" = the default graph), cached per store version."""
        self.checked_version()
        if self._counts is None:
            reply = self._run(Request("counts"), timeout=max(self.timeout, 60.0))
            assert isinstance(reply, Counts)
            self._counts = reply.counts
        return dict(self._counts)

    def dumps(self) -> tuple[str, Path] | None:
        """(store version, folder) of the newest dump files (maybe older than the data: compare with
        `version`); those of the version served are made in the background if missing."""
        self.checked_version()
        return self.executor.dumps()

    def graph_get(self, graph: str | None, fmt: Format, *, stream: bool = False) -> Result:
        """Graph Store Protocol GET: one named graph (or the default graph when graph is None).
        `stream=True`: a large graph's body is an iterator of chunks (never whole in this process)."""
        if graph is not None:
            ox.NamedNode(graph)  # ValueError on a bad IRI
        reply = self._run(Request("gsp_get", graph=graph, graph_format=fmt.name, prefixes=self.prefixes))
        assert isinstance(reply, Answer)
        body = reply.body if stream or isinstance(reply.body, bytes) else b"".join(reply.body)
        return Result(reply.kind, fmt, body)

    # -- writes ----------------------------------------------------------------------------
    def update(self, sparql: str, *, base_iri: str | None = None, using: Iterable[str] = (),
               using_named: Iterable[str] = ()) -> str:
        """Apply a SPARQL Update in place through the store's writer; returns the new store version.

        The server process only runs the lexer's checks; the update is parsed and evaluated by the
        writer, under `write_timeout`. `base_iri` resolves its relative IRIs when it sets no BASE;
        `using` / `using_named` are the protocol's using-graph-uri / using-named-graph-uri."""
        self.start()
        skel = skeleton(sparql)
        depth = nesting_depth(skel)
        if self.max_depth and depth > self.max_depth:
            raise QueryError(f"the update is nested {depth} levels deep; the limit is {self.max_depth} "
                             f"(max_query_depth)")
        check_fetch(sparql)
        return self._write(Write("update", sparql, base_iri, tuple(using), tuple(using_named)))[0]

    def graph_write(self, method: str, graph: str | None, parts: Iterable[tuple[bytes, str]] = ()) -> tuple[str, bool]:
        """Graph Store Protocol PUT, POST or DELETE of one graph (None: the default graph); the payload
        documents are parsed by the writer with pyoxigraph's parsers. Returns (new version, whether the
        graph existed before)."""
        self.start()
        if method not in ("PUT", "POST", "DELETE"):
            raise QueryError(f"method {method} is not part of the Graph Store Protocol")
        return self._write(Write(method.lower(), graph=graph, parts=tuple(parts)))

    def _write(self, w: Write) -> tuple[str, bool]:
        with self._update_lock:
            version, existed = self.executor.apply_write(w, self.write_timeout)
            self._counts = None
            self.cache.clear(self.executor.version)
            return version, existed
