"""Forked children of the server process: the shared mechanics of query workers and update children.

pyoxigraph cannot cancel a query, so everything that evaluates user text runs in a child forked
from the server; over its time limit the child is SIGKILLed (its CPU is freed at once). Children
never touch RocksDB after the fork (a RocksDB opened after fork can deadlock): writes to the embedded
store go to the one writer, a fresh interpreter (odl_graph/engine/updates.py).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection

import pyoxigraph as ox

from odl_graph import sandbox
from odl_graph.engine.errors import Failure, QueryTimeout, crash_error
from odl_graph.errors import NotFound
from odl_graph.stores.writes import Write, apply


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


def updated_dataset(w: Write, *, mem: ox.Store, timeout: float,
                    fork_lock: threading.Condition | threading.Lock) -> tuple[bool, bytes]:
    """Apply a write in a forked child (killable) to a copy `mem` of a store that cannot apply it in place
    (the remote store); returns whether its target graph existed and the updated dataset as N-Quads."""
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
            try:
                existed = apply(mem, w).existed
            except NotFound as exc:
                child_conn.send(Failure("notfound", str(exc)))
                return
            except BaseException as exc:
                child_conn.send(Failure.of(exc))
                return
            child_conn.send((existed, mem.dump(format=ox.RdfFormat.N_QUADS)))
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
