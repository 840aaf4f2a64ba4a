"""The stores: one `GraphStore` protocol, the embedded on-disk store and the remote SPARQL store.

Stores know nothing of the query engine (odl_graph.engine): the engine uses them, never the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odl_graph.errors import StoreError
from odl_graph.stores.base import GraphStore, graph_result
from odl_graph.stores.embedded import EmbeddedStore
from odl_graph.stores.remote import RemoteStore

__all__ = ["EmbeddedStore", "GraphStore", "RemoteStore", "graph_result", "open_store"]


def open_store(settings: Mapping[str, Any]) -> GraphStore:
    """The store the configuration names (embedded by default)."""
    backend = settings.get("store_backend", "embedded")
    if backend == "embedded":
        return EmbeddedStore(settings["store"], settings.get("base_iri"))
    if backend == "remote":
        return RemoteStore.from_settings(settings)
    raise StoreError(f"unknown store backend {backend!r} (expected 'embedded' or 'remote')")
