"""The server's side of the one writer (odl_graph/stores/writer.py): start it, hand it a write, wait
for it under the time limit, and kill it past the limit (its half-done write is then discarded: the
next write derives the work store again from the version readers see)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from odl_graph.engine.errors import GraphNotFound, MemoryLimit, QueryTimeout
from odl_graph.errors import EvaluationError, OdlError, QueryError, StoreError
from odl_graph.stores import EmbeddedStore
from odl_graph.stores.writes import Delta, Write

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
START_TIMEOUT = 60.0


class WriterProcess:
    """One writer process per server, started on the first write. Thread-safe (one write at a time)."""

    def __init__(self, store: EmbeddedStore, timeout: float) -> None:
        self.store = store
        self.timeout = timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is not None and self._proc is not None and self._proc.poll() is None:
            return self._conn
        self._stop()
        mine, theirs = socket.socketpair()
        code = "from odl_graph.stores.writer import writer_main; writer_main()"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PROJECT_ROOT, os.environ.get("PYTHONPATH")])),
               "RUST_BACKTRACE": "0"}
        args = [sys.executable, "-c", code, str(self.store.path), str(theirs.fileno()), str(os.getpid()),
                self.store.base_iri or ""]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for its life) why it died, no pipe to fill
        try:
            self._proc = subprocess.Popen(args, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.DEVNULL, stderr=self._stderr)
        finally:
            theirs.close()
        self._conn = Connection(mine.detach())
        if not self._conn.poll(START_TIMEOUT) or self._recv() != "ready":
            self._stop()
            raise StoreError("the store writer did not start")
        return self._conn

    def _recv(self) -> Any:
        assert self._conn is not None
        try:
            return self._conn.recv()
        except (EOFError, OSError) as exc:
            tail = self._stderr_tail()
            self._stop()
            if "memory allocation of" in tail or "MemoryError" in tail:
                raise MemoryLimit("the write needed more memory than the writer could allocate; nothing was "
                                  "written") from exc
            raise StoreError(f"the store writer died; nothing was written ({tail or 'no message'})") from exc

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            return self._stderr.read()[-300:].decode("utf-8", "replace").strip()
        return ""

    def _stop(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            self._proc.wait()
        if self._stderr is not None:
            self._stderr.close()
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn, self._stderr = None, None, None

    def close(self) -> None:
        with self._lock:
            self._stop()

    def write(self, w: Write, timeout: float | None = None) -> tuple[str, bool, Delta | None]:
        """Apply `w`; returns (new version, whether the target graph existed, the delta or None)."""
        limit = self.timeout if timeout is None else timeout
        with self._lock:
            conn = self._start()
            conn.send(w)
            if not conn.poll(limit):
                self._stop()  # SIGKILL: the work store is dirty, the next write derives it again
                raise QueryTimeout(f"the write exceeded the {limit:g} s time limit (write_timeout) and was "
                                   f"stopped; nothing was written")
            reply = self._recv()
        if "error" in reply:
            raise _error(reply)
        return reply["version"], reply["existed"], reply["delta"]


def _error(reply: dict[str, Any]) -> OdlError:
    kind, message = reply["error"], reply["message"]
    if kind == "notfound":
        return GraphNotFound(message)
    if kind == "query":
        return QueryError(message, line=reply.get("line"), column=reply.get("column"))
    if kind == "evaluation":
        return EvaluationError(message)
    if kind == "memory":
        return MemoryLimit("the write needed more memory than the writer could allocate; nothing was written")
    return StoreError(message)
