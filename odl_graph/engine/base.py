"""The Executor protocol: what the Engine façade needs from whatever evaluates its requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from odl_graph.engine.serialize import Reply, Request
from odl_graph.stores.writes import Write


class Executor(Protocol):
    """Evaluates requests under a time limit: the forked worker pool, or a remote store over HTTP."""

    mode: str
    caches: bool  # may answers be cached per version marker?
    sandboxed: bool  # does evaluation run without network access?
    version: str | None  # the store version requests run against

    def start(self) -> None:
        """Get ready to run requests (load the store, fork workers); called once."""
        ...

    def close(self) -> None:
        """Stop every child process. Safe to call twice."""
        ...

    def status(self) -> dict[str, Any]:
        """Worker counts for /health."""
        ...

    def current_version(self) -> str | None:
        """The version the store holds now (a build may have written a new one)."""
        ...

    def reload(self) -> None:
        """Run later requests on the store's current version."""
        ...

    def dumps(self) -> tuple[str, Path] | None:
        """(store version, folder) of the newest dump files, made in the background after each change
        (None: none yet, or the backend writes none)."""
        ...

    def run(self, req: Request, limit: float) -> Reply:
        """Evaluate one request, stopped at `limit` seconds."""
        ...

    def apply_write(self, w: Write, timeout: float) -> tuple[str, bool]:
        """Apply a write (odl_graph/stores/writes.py) and persist it; returns the new version's name and
        whether the target graph existed before."""
        ...
