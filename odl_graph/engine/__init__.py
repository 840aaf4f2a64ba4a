"""The query engine: an `Engine` façade over an `Executor` (forked workers, or a remote store). No Flask.

text (odl_graph.sparql_text) → stores (odl_graph.stores) → executors (pool, remote) → this Engine.
"""

from __future__ import annotations

from odl_graph.engine.base import Executor
from odl_graph.engine.errors import (
    EngineBusy,
    EngineFailure,
    GraphNotFound,
    MemoryLimit,
    NotAcceptable,
    QueryTimeout,
    RowCapExceeded,
    UpdateRejected,
    WorkerCrashed,
)
from odl_graph.engine.facade import Engine, Result
from odl_graph.engine.serialize import jsonld_with_context, serialize_rdf

__all__ = [
    "Engine", "EngineBusy", "EngineFailure", "Executor", "GraphNotFound", "MemoryLimit", "NotAcceptable",
    "QueryTimeout", "Result", "RowCapExceeded", "UpdateRejected", "WorkerCrashed",
    "jsonld_with_context", "serialize_rdf",
]
