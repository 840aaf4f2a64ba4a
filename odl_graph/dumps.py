"""Dumps of the store: the whole graph and each named graph, gzip-compressed, with a manifest.

Written into each store version before `current` is flipped to it (odl_graph/stores/embedded.py), so the
files a reader downloads always belong to the version it queries; `odl-graph export DIR` writes
the same files from the current version. The manifest gives, per file, its graph, format, media
type, size, triple count and SHA-256.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import iris
from odl_graph.negotiation import GRAPH_FORMATS

DIR = "dumps"
MANIFEST = "manifest.json"
WHOLE = "odl-graph"


def _files(*names: str) -> tuple[tuple[str, ox.RdfFormat, str], ...]:
    """(extension, pyoxigraph format, media type) of formats of the one format table, by name."""
    by_name = {f.name: f for f in GRAPH_FORMATS}
    return tuple((by_name[n].extension, by_name[n].ox, by_name[n].media_type) for n in names)


# The files of the whole dataset and of each named graph.
DATASET_FILES = _files("nquads", "trig", "jsonld")
GRAPH_FILES = _files("ntriples", "turtle", "jsonld")
GZIP_LEVEL = 6  # level 1 saved 1.5 s of 17 s on the shipped graph (serialising dominates), for 27% larger files


def graph_slug(graph: str, base_iri: str = iris.BASE) -> str:
    """File stem of a named graph: its path under the base ('graph-import-cog'), else a hash."""
    rel = iris.relative_path(graph, base_iri)
    if rel and all(c.isalnum() or c in "/-_" for c in rel):
        return rel.strip("/").replace("/", "-")
    return "graph-" + hashlib.sha256(graph.encode()).hexdigest()[:16]


def _write(path: Path, store: ox.Store, fmt: ox.RdfFormat, graph: ox.NamedNode | None,
           prefixes: Mapping[str, str]) -> None:
    """One gzip file; JSON-LD gets the known prefixes as its @context (pyoxigraph writes none)."""
    kwargs: dict[str, Any] = {"format": fmt}
    if graph is not None:
        kwargs["from_graph"] = graph
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        kwargs["prefixes"] = dict(prefixes)
    # mtime=0: the same content gives the same bytes, so the same SHA-256 (export == /download/)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as out:
        if fmt == ox.RdfFormat.JSON_LD:
            out.write(b'{"@context":' + json.dumps(dict(prefixes)).encode() + b',"@graph":')
            store.dump(out, **kwargs)
            out.write(b"}")
        else:
            store.dump(out, **kwargs)


def _entry(path: Path, graph: str | None, media_type: str, triples: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return {"file": path.name, "graph": graph, "media_type": media_type, "encoding": "gzip",
            "bytes": path.stat().st_size, "triples": triples, "sha256": digest.hexdigest()}


def write_dumps(store: ox.Store, directory: Path, base_iri: str = iris.BASE) -> list[dict[str, Any]]:
    """Write every dump of `store` and the manifest into `directory` (created); returns the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = iris.rdf_prefixes(base_iri)
    counts = {r["g"].value: int(r["n"].value) for r in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    default = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    entries = []
    for ext, fmt, media in DATASET_FILES:
        path = directory / f"{WHOLE}.{ext}.gz"
        _write(path, store, fmt, None, prefixes)
        entries.append(_entry(path, None, media, sum(counts.values()) + default))
    for graph in sorted(counts):
        for ext, fmt, media in GRAPH_FILES:
            path = directory / f"{graph_slug(graph, base_iri)}.{ext}.gz"
            _write(path, store, fmt, ox.NamedNode(graph), prefixes)
            entries.append(_entry(path, graph, media, counts[graph]))
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return entries


def read_manifest(directory: Path) -> list[dict[str, Any]] | None:
    path = directory / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
