"""The remote store's executor: the store evaluates, over HTTP, under the engine's time limit.

There are no workers: the time limit travels as the HTTP timeout (and the product's own timeout
parameter, odl_graph/stores/quirks.py); the row cap lets the store's own limit pass when it is above
ours. Answers are pyoxigraph objects, so they go through the same serialiser as the workers'.
Updates run in a killable child on an in-memory copy of the live version, and the result is loaded
as a new remote version: the same all-or-nothing switch as a build.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph.engine.errors import GraphNotFound, QueryTimeout
from odl_graph.engine.process import updated_dataset
from odl_graph.engine.serialize import Counts, Reply, Request, reply_for
from odl_graph.errors import StoreError
from odl_graph.stores import RemoteStore
from odl_graph.stores.remote import RemoteTimeout
from odl_graph.stores.wire import DEFAULT_GRAPH
from odl_graph.stores.writes import Write


class RemoteExecutor:
    """The Executor of a remote SPARQL store."""

    caches = False  # the remote store can change without our version marker changing
    sandboxed = False  # the store itself evaluates: a query that may fetch must be checkable

    def __init__(self, store: RemoteStore, *, timeout: float, workers: int = 1) -> None:
        self.store = store
        self.timeout = timeout
        self.size = workers  # the configured query workers: none run here, so all are always idle
        self.mode = "remote"
        self.version: str | None = None
        self._fork_lock = threading.Lock()

    def start(self) -> None:
        if not self.store.exists():
            raise StoreError(f"no odl-graph data in the remote store {self.store.query_url}: "
                             f"run `odl-graph build` first")
        self.version = self.store.version()

    def close(self) -> None:
        pass

    def status(self) -> dict[str, Any]:
        return {"mode": "remote", "idle": self.size, "reserve_workers": 0, "reserve_idle": 0}

    def current_version(self) -> str | None:
        return self.store.version()

    def reload(self) -> None:
        self.store.refresh()
        self.version = self.store.version()

    def dumps(self) -> tuple[str, Path] | None:
        return None  # the remote backend writes no dump files

    def run(self, req: Request, limit: float) -> Reply:
        try:
            return self._evaluate(req, limit)
        except RemoteTimeout as exc:
            raise QueryTimeout(f"query exceeded the {limit:g} s time limit and was stopped: {exc}") from exc

    def _evaluate(self, req: Request, limit: float) -> Reply:
        store = self.store
        if req.op == "counts":
            counts = store.triple_counts()
            counts[""] = store.default_graph_count()
            return Counts(counts)
        if req.op == "gsp_get":
            if req.graph is not None and req.graph not in store.graph_names():
                raise GraphNotFound(f"no graph named <{req.graph}>")
            return reply_for(req, store.graph_triples(DEFAULT_GRAPH if req.graph is None else req.graph))
        res = store.query(req.sparql, default_graph_uris=req.default_graph_uris,
                          named_graph_uris=req.named_graph_uris, substitutions=req.substitutions or None,
                          timeout=limit, row_cap=req.row_cap)
        return reply_for(req, res)

    def apply_write(self, w: Write, timeout: float) -> tuple[str, bool]:
        """The remote store has no writer of ours: the write is applied to a copy in a killable child
        and the whole content replaced (a remote store is read-mostly; docs/endpoint.md)."""
        mem = ox.Store()
        mem.bulk_load(self.store.dump_nquads(), format=ox.RdfFormat.N_QUADS)
        existed, nquads = updated_dataset(w, mem=mem, timeout=timeout, fork_lock=self._fork_lock)
        self.store.replace_all(nquads)
        return self.store.version() or "", existed
