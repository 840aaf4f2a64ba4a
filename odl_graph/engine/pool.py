"""The embedded store's executor: a pool of killable query workers forked from the server process.

In `memory` mode the parent loads the store into memory once and the workers share it
copy-on-write (3-6x faster on heavy queries than the on-disk store, see docs/benchmarks.md); in
`disk` mode each worker opens the current on-disk version read-only. A query over its time limit
gets its worker SIGKILLed and a fresh worker is forked in its place. Reserve workers take a query
only when every regular worker is busy, and stop it at reserve_timeout: however many long queries
run, a short one finds a worker.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import dumps, sandbox
from odl_graph.engine.errors import (
    EngineBusy,
    Failure,
    GraphNotFound,
    MemoryLimit,
    QueryTimeout,
    crash_error,
    memory_message,
)
from odl_graph.engine.process import (
    Worker,
    close_stderr,
    detach_fds,
    limit_cpu,
    reap,
)
from odl_graph.engine.schedule import CLIENT, Debts, Durations, Waiters, shape_of
from odl_graph.engine.serialize import Answer, Counts, Reply, Request, reply_for
from odl_graph.engine.updates import WriterProcess
from odl_graph.errors import StoreError
from odl_graph.query_guard import SERVICE_REFUSED
from odl_graph.stores import EmbeddedStore
from odl_graph.stores.embedded import run_query
from odl_graph.stores.writes import Delta, Write, apply_delta

# What pyoxigraph's HTTP client reports when the sandbox denies it a socket or a name lookup.
_NO_NETWORK = re.compile(r"Permission denied|os error 13|name resolution|lookup address", re.I)


def evaluate(store: ox.Store, req: Request, send: Callable[[Any], None] | None = None) -> Reply | None:
    """Worker side: one request against the in-memory or read-only store. With `send`, a large
    answer is streamed through it (serialize.ChunkSink) and None is returned."""
    if req.op == "counts":
        rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {r["g"].value: int(r["n"].value) for r in rows}
        default = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())
        counts[""] = int(next(iter(default))["n"].value)
        return Counts(counts)
    if req.op == "gsp_get":
        if req.graph is None:
            res = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graph=ox.DefaultGraph())
        else:
            if not store.contains_named_graph(ox.NamedNode(req.graph)):
                raise GraphNotFound(f"no graph named <{req.graph}>")
            res = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{req.graph}> {{ ?s ?p ?o }} }}")
        return reply_for(req, res, send)
    res = run_query(store, req.sparql, default_graph_uris=req.default_graph_uris,
                    named_graph_uris=req.named_graph_uris, substitutions=req.substitutions or None,
                    base_iri=req.base_iri)
    return reply_for(req, res, send)


def _worker_loop(conn: Connection, store_factory: Callable[[], ox.Store], timeout: float, parent: int,
                 memory_mb: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        sandbox.confine(parent, memory_mb << 20, die_with_parent_thread=False)  # no network, bounded memory
        store = store_factory()
    except BaseException as exc:
        conn.send(Failure("store", f"cannot start a query worker: {exc}"))
        return
    conn.send("ready")
    while True:
        try:
            if not conn.poll(2.0):
                if os.getppid() != parent:
                    return
                continue
            req = conn.recv()
        except (EOFError, OSError):
            return
        limit_cpu(max(timeout, 1.0) * 3 + 5)
        try:
            reply: Any = evaluate(store, req, conn.send)
        except BaseException as exc:
            reply = Failure.of(exc)
            if _NO_NETWORK.search(reply.message):  # the sandbox stopped a fetch the lexer check let by
                reply = Failure("query", f"{SERVICE_REFUSED} (the query worker has no network access)")
        try:
            if reply is not None:
                conn.send(reply)  # after a streamed header, a Failure ends the stream
        except (OSError, ValueError):
            return


class _ReserveOverrun(Exception):
    """A query on the reserve worker outlived reserve_timeout (its worker was replaced)."""


class ForkedPool:
    """The Executor of the embedded store. Thread-safe; one per server process."""

    caches = True  # answers depend only on the version marker
    sandboxed = True  # workers have no network

    def __init__(self, store: EmbeddedStore, *, workers: int, timeout: float, mode: str, memory_mb: int,
                 reserve_workers: int, reserve_timeout: float, queue_wait: float | None = None,
                 licence: str = "") -> None:
        if mode not in ("memory", "disk"):
            raise StoreError(f"unknown store mode {mode!r} (expected 'memory' or 'disk')")
        self.store = store
        self.licence = licence  # stated in the manifest of the dumps it has made
        self.size = workers
        self.timeout = timeout
        self.mode = mode
        self.memory_mb = memory_mb
        self.reserve_size = reserve_workers
        self.reserve_timeout = reserve_timeout
        self.queue_wait = timeout if queue_wait is None else queue_wait  # longest wait for a worker
        self.retry_after = max(1, math.ceil(timeout / 2))
        self.durations = Durations()
        self.debts = Debts()
        self._waiters = Waiters()
        self._trials: set[str] = set()  # shapes running on the reserve for the first time
        self._lock = threading.Condition()
        self._idle: list[Worker] = []
        self._idle_reserve: list[Worker] = []
        self._all: dict[int, Worker] = {}
        self._generation = 0
        self._mem: ox.Store | None = None
        self.version: str | None = None
        self._closed = False
        self._writer: WriterProcess | None = None
        self._mem_lock = threading.Lock()  # held while a write's delta changes the in-memory store
        self._dumps: dumps.Maker | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Load the store (memory mode) and fork the workers; the caller holds the engine's lock."""
        if not self.store.exists():
            raise StoreError(f"no store at {self.store.path}: run `odl-graph build` first")
        self.version = self.store.version()
        self.store.check_format()
        if self.mode == "memory":
            self._mem = self.store.to_memory()
            self.store.refresh()  # close the read-only handle: only the in-memory copy is used
        with self._lock:
            for _ in range(self.size):
                self._idle.append(self._spawn())
            for _ in range(self.reserve_size):
                self._idle_reserve.append(self._spawn(reserve=True))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if self._dumps is not None:
            self._dumps.close()
        with self._lock:
            self._closed = True
            workers = list(self._all.values())
            self._idle.clear()
            self._idle_reserve.clear()
            self._lock.notify_all()
        for w in workers:
            self._reap(w)
            close_stderr(w)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"mode": self.mode, "workers": self.size, "idle": len(self._idle),
                    "reserve_workers": self.reserve_size, "reserve_idle": len(self._idle_reserve),
                    "waiting": len(self._waiters)}

    def current_version(self) -> str | None:
        return self.store.version()

    def reload(self) -> None:
        """Load the current store version and recycle every worker onto it."""
        version = self.store.version()
        mem = self.store.to_memory() if self.mode == "memory" else None
        self.store.refresh()
        self._recycle(version, mem)

    def _recycle(self, version: str | None, mem: ox.Store | None, background: bool = False) -> None:
        """Serve `version` (held in `mem` in memory mode) from now on: idle workers are replaced at once
        (by a thread when `background`: a write answers without waiting for the forks; a query waits for
        a fresh worker), busy ones when they come back."""
        with self._lock:
            self._mem = mem
            self.version = version
            self._generation += 1
            stale, self._idle = self._idle + self._idle_reserve, []
            self._idle_reserve = []

        def replace() -> None:
            for w in stale:
                self._replace(w)

        if background:
            threading.Thread(target=replace, name="odl-recycle", daemon=True).start()
        else:
            replace()

    def dumps(self) -> tuple[str, Path] | None:
        """(version, folder) of the newest dumps; makes those of the version served if they are missing."""
        if self._dumps is None:
            self._dumps = dumps.Maker(self.store.path, self.store.base_iri, self.licence)
        self._dumps.request(self.version)
        return dumps.latest(self.store.path)

    # -- workers ---------------------------------------------------------------------------
    def _store_factory(self) -> Callable[[], ox.Store]:
        if self.mode == "memory":
            mem = self._mem
            return lambda: mem  # type: ignore[return-value]
        path = str(self.store.current.resolve())
        return lambda: ox.Store.read_only(path)

    def _spawn(self, reserve: bool = False) -> Worker:
        """Fork one worker and wait until it is ready (caller holds the lock)."""
        worker = self._fork(reserve)
        self._await_ready(worker)
        return worker

    def _fork(self, reserve: bool = False) -> Worker:
        """Fork one worker (caller holds the lock, so no two forks interleave and none is made from a
        half-changed in-memory store); it counts as one of the pool's from now on."""
        parent_conn, child_conn = Pipe(duplex=True)
        factory = self._store_factory()
        parent = os.getpid()
        err = os.memfd_create("odl-worker-stderr", os.MFD_CLOEXEC)
        with self._mem_lock:  # never a copy of a half-changed in-memory store (_after_write)
            pid = os.fork()
        if pid == 0:  # child
            code = 0
            try:
                os.dup2(err, 2)
                os.environ["RUST_BACKTRACE"] = "0"  # the engine's message, not pages of frames
                detach_fds(child_conn.fileno())
                _worker_loop(child_conn, factory, self.timeout, parent, self.memory_mb)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child_conn.close()
        worker = Worker(pid, parent_conn, self._generation, reserve=reserve, stderr=err)
        self._all[pid] = worker
        return worker

    def _await_ready(self, worker: Worker) -> None:
        """Wait for a new worker's hello (no lock needed: nobody else knows its pipe yet)."""
        parent_conn = worker.conn
        if not parent_conn.poll(max(self.timeout, 30.0)):
            self._reap(worker)
            close_stderr(worker)
            raise StoreError("a query worker did not start in time")
        try:
            hello = parent_conn.recv()
        except (EOFError, OSError) as exc:
            self._reap(worker)
            tail = worker.stderr_tail().strip()[-300:]
            close_stderr(worker)
            raise StoreError(f"a query worker died at start: {tail}") from exc
        if hello != "ready":
            self._reap(worker)
            close_stderr(worker)
            raise StoreError(hello.message)

    def _reap(self, w: Worker) -> None:
        reap(w)
        with self._lock:
            self._all.pop(w.pid, None)

    def _replace(self, w: Worker) -> None:
        """Reap a worker and fork its successor. Only the fork holds the pool's lock: the wait for the
        new worker's hello does not (under load it took long enough to hold up every other request)."""
        self._reap(w)
        close_stderr(w)
        spawned = None
        with self._lock:
            same_kind = sum(1 for x in self._all.values() if x.reserve == w.reserve)
            if not self._closed and same_kind < (self.reserve_size if w.reserve else self.size):
                spawned = self._fork(reserve=w.reserve)
            self._lock.notify_all()
        if spawned is None:
            return
        try:
            self._await_ready(spawned)
        except StoreError:  # reaped; the next borrow forks again
            with self._lock:
                self._lock.notify_all()
            return
        with self._lock:
            fresh = not self._closed and spawned.generation == self._generation
            if fresh:
                (self._idle_reserve if spawned.reserve else self._idle).append(spawned)
                self._lock.notify_all()
        if not fresh:  # the store changed while it started: it holds the old data
            self._replace(spawned)

    def _may_use_reserve(self, shape: str, limit: float) -> bool:
        """A query may run on the reserve unless its shape is known to be long, or is on trial there
        right now (its first run: the others of that shape wait for the verdict). Caller holds the lock."""
        last = self.durations.last(shape)
        return limit <= self.timeout and shape not in self._trials and (
            last is None or last <= self.reserve_timeout / 2)

    def _borrow(self, client: str, shape: str | None, limit: float = 0.0) -> Worker:
        """An idle regular worker, else (for a query that may run there, `shape` not None) a reserve
        one; while none is free, wait in the order of the clients' debts (schedule.py), at most
        `queue_wait` seconds. Debts and reserve eligibility are read again at each wake-up."""
        deadline = time.monotonic() + self.queue_wait
        with self._lock:
            ticket = self._waiters.join(self.debts.of(client), False)
            try:
                while True:
                    reserve_ok = shape is not None and self._may_use_reserve(shape, limit)
                    self._waiters.update(ticket, self.debts.of(client), reserve_ok)
                    if self._closed:
                        raise EngineBusy("the query engine is shut down")
                    if self._waiters.first(ticket, reserve=False):
                        if self._idle:
                            return self._idle.pop()
                        if sum(1 for x in self._all.values() if not x.reserve) < self.size:
                            return self._spawn()
                    if reserve_ok and self._idle_reserve and self._waiters.first(ticket, reserve=True):
                        if self.durations.last(shape) is None:  # type: ignore[arg-type]
                            self._trials.add(shape)  # type: ignore[arg-type]
                        return self._idle_reserve.pop()
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise EngineBusy(
                            f"all {self.size} query workers stayed busy for {self.queue_wait:g} s; "
                            f"retry in {self.retry_after} s", retry_after=self.retry_after)
                    self._lock.wait(left)
            finally:
                self._waiters.leave(ticket)
                self._lock.notify_all()  # the next in line may be able to take what this one did not

    def _release(self, w: Worker) -> None:
        w.busy_since = 0.0
        with self._lock:
            if w.generation == self._generation and not self._closed:
                (self._idle_reserve if w.reserve else self._idle).append(w)
                self._lock.notify_all()
                return
        self._replace(w)

    def run(self, req: Request, limit: float) -> Reply:
        """Evaluate `req` on a worker within `limit` seconds, in the client's turn (schedule.CLIENT).

        A query whose shape is not known to be long may run on the reserve worker; stopped there at
        `reserve_timeout`, it is not an error: its shape is marked long and it waits for a regular
        worker with the time it has left."""
        client = CLIENT.get()
        shape = shape_of(req.sparql) if req.sparql else req.op
        started = time.monotonic()
        w = self._borrow(client, shape, limit)
        if w.reserve:
            paused = self._pause_long_queries()
            try:
                return self._exchange(w, req, min(limit, self.reserve_timeout), client, shape, limit)
            except _ReserveOverrun:
                self.durations.record(shape, self.reserve_timeout)
                limit -= time.monotonic() - started
                if limit <= 0:
                    raise QueryTimeout("query exceeded its time limit and was stopped") from None
            finally:
                self._resume(paused)
                with self._lock:
                    self._trials.discard(shape)
                    self._lock.notify_all()  # the shape's verdict is in: its waiters may decide
            w = self._borrow(client, None)
        return self._exchange(w, req, limit, client, shape)

    def _pause_long_queries(self) -> list[Worker]:
        """Pause (SIGSTOP) the regular workers whose query has run longer than the reserve's limit,
        for as long as a query runs on the reserve: on a machine with fewer free cores than workers,
        a short query would otherwise share the CPU with the long ones (measured: pages at 2 s p99
        next to 4 looping runaways). The paused queries' time limits keep running: a runaway ends
        a little sooner, a long query loses the few milliseconds a short one needs."""
        now = time.monotonic()
        paused = []
        with self._lock:
            for x in self._all.values():
                if not x.reserve and x.alive and x.busy_since and now - x.busy_since > self.reserve_timeout:
                    x.holds += 1
                    if x.holds == 1:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(x.pid, signal.SIGSTOP)
                    paused.append(x)
        return paused

    def _resume(self, paused: list[Worker]) -> None:
        with self._lock:
            for x in paused:
                x.holds -= 1
                if x.holds == 0 and x.alive:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(x.pid, signal.SIGCONT)

    def _exchange(self, w: Worker, req: Request, limit: float, client: str, shape: str,
                  stream_limit: float | None = None) -> Reply:
        """Send `req`, wait `limit` for the reply. A streamed answer, once begun, may take until
        `stream_limit` (the query's own limit, also on the reserve: cutting a begun answer would
        hand the client a broken 200)."""
        t0 = time.monotonic()
        deadline = t0 + limit
        w.busy_since = t0
        try:
            w.conn.send(req)
            reply = self._receive(w, deadline, limit)
        except BaseException:
            self.debts.charge(client, time.monotonic() - t0)
            raise
        if isinstance(reply, Answer) and reply.streamed:
            limit = stream_limit or limit
            body = self._stream(w, t0 + limit, limit, client, shape, t0)
            next(body)
            reply.body = body
            return reply
        elapsed = time.monotonic() - t0
        self.debts.charge(client, elapsed)
        self.durations.record(shape, elapsed)
        if isinstance(reply, Failure) and reply.kind == "memory":
            self._replace(w)  # a worker that hit its limit may hold fragmented memory: start afresh
            raise MemoryLimit(memory_message(self.memory_mb))
        self._release(w)
        if isinstance(reply, Failure):
            raise reply.error(self.memory_mb)
        return reply

    def _receive(self, w: Worker, deadline: float, limit: float) -> Any:
        """The worker's next message before `deadline`; its death or the time limit as errors."""
        try:
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(w)
                if w.reserve:
                    raise _ReserveOverrun
                raise QueryTimeout(f"query exceeded the {limit:g} s time limit and was stopped")
            return w.conn.recv()
        except (EOFError, OSError) as exc:
            self._reap(w)
            error = crash_error(w.status, w.stderr_tail(), self.memory_mb)
            self._replace(w)
            raise error from exc
        except _ReserveOverrun:
            raise
        except BaseException:
            self._replace(w)
            raise

    def _stream(self, w: Worker, deadline: float, limit: float, client: str, shape: str,
                t0: float) -> Iterator[bytes]:
        """The chunks of a streamed answer as they come from the worker, which stays borrowed until
        the last one (or is replaced if the reader stops early, the time limit passes or it fails)."""
        done = False
        try:
            yield b""  # primed by the caller: from here on, closing the iterator runs the cleanup below
            while True:
                chunk = self._receive(w, deadline, limit)
                if chunk is None:
                    done = True
                    break
                if isinstance(chunk, Failure):
                    self._replace(w)
                    done = True  # replaced already
                    raise chunk.error(self.memory_mb)
                yield chunk
        except _ReserveOverrun:
            raise QueryTimeout(f"the answer took more than {limit:g} s and was cut") from None
        finally:
            elapsed = time.monotonic() - t0
            self.debts.charge(client, elapsed)
            self.durations.record(shape, elapsed)
            if done and w.alive:
                self._release(w)
            elif w.alive:
                self._replace(w)  # the reader stopped mid-answer: the pipe holds the rest

    # -- writes ----------------------------------------------------------------------------
    def apply_write(self, w: Write, timeout: float) -> tuple[str, bool]:
        """Apply a write through the one writer (in place, published as a new version), then move the
        queries onto that version: in memory mode by replaying the write's delta on the in-memory copy
        (a cost proportional to the change), or by reloading it when the delta is unknown."""
        if self._writer is None:
            self._writer = WriterProcess(self.store, timeout)
        version, existed, delta = self._writer.write(w, timeout)
        self._after_write(version, delta)
        if self._dumps is not None:
            self._dumps.request(version)  # in the background: the write does not wait for it
        return version, existed

    def _after_write(self, version: str, delta: Delta | None) -> None:
        if self.mode == "memory" and delta is not None and self._mem is not None:
            # Only forks wait (the fork lock): queries keep going on the workers already forked,
            # which hold the previous version; pyoxigraph releases the GIL while it loads.
            with self._mem_lock:
                try:
                    apply_delta(self._mem, delta)
                except BaseException:
                    self._mem = None
            if self._mem is not None:
                self._recycle(version, self._mem, background=True)
                return
        self.reload()
