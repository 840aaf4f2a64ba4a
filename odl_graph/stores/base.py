"""What every store offers the rest of odl_graph, and the helpers both backends share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import pyoxigraph as ox

from odl_graph.errors import StoreError


class GraphStore(Protocol):
    """A store of named graphs: the embedded on-disk Oxigraph store or a remote SPARQL store.

    Answers are pyoxigraph result objects on both backends, so callers never look at which one it is.
    """

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: Mapping[str, Any] | None = None,
    ) -> Any:
        """Evaluate a query; without default-graph-uri the default graph is the union of the named graphs."""
        ...

    def replace_all(self, data: bytes | Mapping[str, bytes]) -> None:
        """Replace the whole content atomically: N-Quads bytes, or graph IRI -> N-Triples bytes."""
        ...

    def graph_names(self) -> list[str]:
        """The named graphs of the version readers see."""
        ...

    def triple_counts(self) -> dict[str, int]:
        """Triples per named graph."""
        ...

    def exists(self) -> bool:
        """Has a build written a version yet?"""
        ...

    def version(self) -> str | None:
        """Name of the version readers see now (None before the first build)."""
        ...

    def refresh(self) -> None:
        """Forget cached handles or pointers: the next read looks at the current version."""
        ...

    def dump_nquads(self) -> bytes:
        """The whole current version as N-Quads (graph names as readers see them)."""
        ...


def graph_result(ntriples: bytes) -> ox.QueryTriples:
    """N-Triples received from elsewhere (a worker, a remote store) as a genuine pyoxigraph QueryTriples,
    what the embedded store itself returns for CONSTRUCT and DESCRIBE."""
    mem = ox.Store()
    if ntriples.strip():
        try:
            mem.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
        except SyntaxError as exc:
            raise StoreError(f"malformed N-Triples in a CONSTRUCT answer: {exc}") from exc
    return mem.query("CONSTRUCT WHERE { ?s ?p ?o }")
