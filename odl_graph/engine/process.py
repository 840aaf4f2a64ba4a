"""Forked children of the server process: the shared mechanics of query workers and update children.

pyoxigraph cannot cancel a query, so everything that evaluates user text runs in a child forked
from the server; over its time limit the child is SIGKILLed (its CPU is freed at once). Children
never touch RocksDB after the fork (a RocksDB opened after fork can deadlock): an update child sends
the updated dataset back as N-Quads and a fresh interpreter writes the new store version.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from odl_graph import sandbox
from odl_graph.engine.errors import Failure, QueryTimeout, crash_error
from odl_graph.errors import StoreError
from odl_graph.stores import EmbeddedStore

UPDATE_PERSIST_TIMEOUT = 600.0  # writing a new on-disk version of ~1M triples takes seconds
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


def detach_fds(keep: int) -> None:
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


def limit_cpu(seconds: float) -> None:
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


@dataclass
class Worker:
    pid: int
    conn: Connection
    generation: int
    alive: bool = True
    reserve: bool = False  # kept for short queries: its queries stop at reserve_timeout
    stderr: int = -1  # memfd holding the worker's stderr (why it died)
    status: int = 0  # wait status once reaped
    busy_since: float = 0.0  # monotonic time its current query was sent (0: idle)
    holds: int = 0  # reserve queries that currently keep it paused (SIGSTOP)

    def stderr_tail(self) -> str:
        if self.stderr < 0:
            return ""
        with contextlib.suppress(OSError):
            size = os.fstat(self.stderr).st_size
            return os.pread(self.stderr, 65536, max(0, size - 65536)).decode("utf-8", "replace")
        return ""


def process_memory() -> dict[str, float]:
    """This process's resident size now and its peak (VmRSS, VmHWM), in MB: the server's own memory,
    which answers streamed in chunks keep flat whatever their size."""
    out = {"rss_mb": 0.0, "peak_rss_mb": 0.0}
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
            elif line.startswith("VmHWM:"):
                out["peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    return out


def reap(w: Worker) -> None:
    """SIGKILL a child and wait for it: its CPU and memory are freed when this returns.
    A child that already died keeps its own wait status in `w.status`."""
    if w.alive:
        w.alive = False
        with contextlib.suppress(ProcessLookupError):
            os.kill(w.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            w.status = os.waitpid(w.pid, 0)[1]
        w.conn.close()


def close_stderr(w: Worker) -> None:
    if w.stderr >= 0:
        with contextlib.suppress(OSError):
            os.close(w.stderr)
        w.stderr = -1


def updated_dataset(sparql: str, *, mem: ox.Store | None, path: str, base_iri: str | None, timeout: float,
                    fork_lock: threading.Condition | threading.Lock) -> bytes:
    """Apply an update in a forked child (killable) to `mem`, or to a copy of the version at `path`;
    returns the updated dataset as N-Quads."""
    parent_conn, child_conn = Pipe(duplex=True)
    parent = os.getpid()
    with fork_lock:
        pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            detach_fds(child_conn.fileno())
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
                child_conn.send(Failure.of(exc))
                return
            child_conn.send(store.dump(format=ox.RdfFormat.N_QUADS))
        except BaseException as exc:
            with contextlib.suppress(BaseException):
                child_conn.send(Failure("store", f"update failed: {exc}"))
            code = 1
        finally:
            os._exit(code)
    child_conn.close()
    worker = Worker(pid, parent_conn, -1)
    try:
        if not parent_conn.poll(timeout):
            raise QueryTimeout(f"update exceeded the {timeout:g} s time limit and was stopped")
        reply = parent_conn.recv()
    except EOFError as exc:
        reap(worker)
        raise crash_error(worker.status, "", 0) from exc
    finally:
        reap(worker)
    if isinstance(reply, Failure):
        raise reply.error(0)
    return reply


def write_version(store: EmbeddedStore, nquads: bytes) -> str:
    """Write a new store version from a fresh interpreter (no forked RocksDB state).

    The writer is told the length and SHA-256 of what it must commit and refuses anything else
    (a pipe cut short by a dying server), and it dies with this process (stores.embedded.write_main).
    """
    code = "from odl_graph.stores.embedded import write_main; write_main()"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PROJECT_ROOT, os.environ.get("PYTHONPATH")]))}
    args = [sys.executable, "-c", code, str(store.path), str(len(nquads)),
            hashlib.sha256(nquads).hexdigest(), str(os.getpid()), store.base_iri or ""]
    try:
        done = subprocess.run(args, input=nquads, capture_output=True, timeout=UPDATE_PERSIST_TIMEOUT,
                              env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise StoreError("writing the updated store took too long; the update was not saved") from exc
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise StoreError(f"writing the updated store failed: {tail[0]}")
    return done.stdout.decode().strip()
