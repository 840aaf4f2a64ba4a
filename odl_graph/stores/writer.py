"""The one writer: a long-lived process that applies the server's writes in place and publishes each one
as a new store version, at a cost proportional to what the write changes.

It keeps a working RocksDB store, `<store>/work`, opened read-write by this process only. A write is
applied to it with pyoxigraph's own writes (odl_graph/stores/writes.py), then published: a RocksDB
checkpoint (`Store.backup`: it flushes the write and hard-links the immutable table files, so it
copies nothing but the change) becomes `versions/<stamp>`, which is sealed (fsynced, completion marker)
and made `current` by the same atomic flip a build uses (odl_graph/stores/embedded.py). Readers only
ever open sealed versions, which no process writes again, so they never read a store being written.

Crash safety: `work/odl-dirty` is written before a write touches the work store and removed once its
version is current; `work/odl-base.json` names the version the work store equals. At the start of
every write, a work store that is dirty or whose base is not `current` (a build flipped it, or a
write was killed) is derived again from `current` by a checkpoint. So a SIGKILL at any moment leaves
`current` on the old version or the new one, never a mix, and the next write starts from it.

The process is started by the server (odl_graph/engine/updates.py) from a fresh interpreter (never
forked: RocksDB must not be opened in a forked child), has no network (odl_graph/sandbox.py: LOAD
and SERVICE fetch nothing), and dies with the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph.errors import EvaluationError, NotFound, OdlError, QueryError, StoreError
from odl_graph.stores.embedded import EmbeddedStore, default_graph_name, fsync_dir, new_stamp, writer_lock
from odl_graph.stores.writes import Outcome, Write, apply

WORK = "work"
BASE = "odl-base.json"
DIRTY = "odl-dirty"


class Writer:
    """Applies writes to `<store>/work` and publishes them as versions (one instance per process)."""

    def __init__(self, path: str | os.PathLike[str], base_iri: str | None = None) -> None:
        self.embedded = EmbeddedStore(path, base_iri)
        self.work = self.embedded.path / WORK
        self._store: ox.Store | None = None

    def _base(self) -> str | None:
        try:
            return json.loads((self.work / BASE).read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _set_base(self, version: str) -> None:
        """Not fsynced: if a crash loses it, the base names an older version than `current` and the next
        write derives the work store again (safe, only slower); only `odl-dirty` must be durable first."""
        tmp = self.work / (BASE + ".tmp")
        tmp.write_text(json.dumps({"version": version}), encoding="utf-8")
        os.replace(tmp, self.work / BASE)

    def _fresh(self) -> ox.Store:
        """The work store, equal to `current` (derived again from it when it is not)."""
        current = self.embedded.version()
        if current is None:
            raise StoreError(f"no store at {self.embedded.path}: run `odl-graph build` first")
        self.embedded.check_format()
        if self._store is not None and self._base() == current and not (self.work / DIRTY).exists():
            return self._store
        self._store = None  # closes RocksDB (no other reference is kept)
        shutil.rmtree(self.work, ignore_errors=True)
        ox.Store.read_only(str(self.embedded.current.resolve())).backup(str(self.work))
        self._set_base(current)
        fsync_dir(self.work)
        self._store = ox.Store(str(self.work))
        return self._store

    def apply(self, w: Write) -> tuple[str, Outcome]:
        """Apply one write and publish it; returns the new version's name and what changed."""
        with writer_lock(self.embedded.path):
            store = self._fresh()
            dirty = self.work / DIRTY
            dirty.write_bytes(b"")
            fsync_dir(self.work)
            try:
                outcome = apply(store, w, default_graph_name(self.embedded.base_iri))
            except BaseException:
                self._store = None  # a failed write may have changed part of it: derive it again
                raise
            stamp = new_stamp()
            target = self.embedded.path / "versions" / stamp
            store.backup(str(target))
            self.embedded.publish(target, prune=False)  # pruned after the answer (writer_main)
            self._set_base(stamp)
            dirty.unlink()  # not fsynced either: a dirty flag that survives a crash only costs a derive
        return stamp, outcome


def _failure(exc: BaseException) -> dict[str, Any]:
    kind = ("notfound" if isinstance(exc, NotFound) else "query" if isinstance(exc, QueryError)
            else "evaluation" if isinstance(exc, EvaluationError) else "store")
    if isinstance(exc, MemoryError):
        kind = "memory"
    message = str(exc) if isinstance(exc, OdlError) else f"{type(exc).__name__}: {exc}"
    return {"error": kind, "message": message, "line": getattr(exc, "line", None),
            "column": getattr(exc, "column", None)}


def writer_main(argv: list[str] | None = None) -> None:
    """`STORE FD PARENT_PID [BASE_IRI]`: serve writes received on the connection at FD until it closes."""
    from odl_graph import sandbox

    path, fd, parent, *rest = argv if argv is not None else sys.argv[1:]
    sandbox.die_with_parent(int(parent))
    sandbox.forbid_network()
    conn = Connection(int(fd))
    writer = Writer(path, (rest[0] if rest else "") or None)
    conn.send("ready")
    while True:
        try:
            if not conn.poll(2.0):
                if os.getppid() != int(parent):
                    return
                continue
            w = conn.recv()
        except (EOFError, OSError):
            return
        try:
            version, outcome = writer.apply(w)
            reply: dict[str, Any] = {"version": version, "existed": outcome.existed, "delta": outcome.delta}
        except BaseException as exc:
            reply = _failure(exc)
        with contextlib.suppress(OSError, ValueError):
            conn.send(reply)
        if "version" in reply:
            with contextlib.suppress(OSError):
                writer.embedded.prune()


def work_path(store: Path) -> Path:
    return store / WORK
