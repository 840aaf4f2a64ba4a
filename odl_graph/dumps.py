"""Dumps of the store: the whole graph and each named graph, gzip-compressed, with a manifest.

Made off the write path: after a build or a write, the server starts one background process (a fresh,
niced interpreter) that opens the new version read-only and writes `<store>/dumps/<version>/`, renamed
into place when complete, so a folder there is always whole. Each folder is stamped with the version
it holds (its name, and `store_version` in the manifest); the server serves the newest one and says
when it is older than the data (odl_graph/engine/pool.py, server/meta.py). `odl-graph export DIR`
writes the same files from the current version. The manifest gives, per file, its graph, format,
media type, size, triple count, SHA-256 and licence: the graph's (the setting `licence`, docs/licence.md),
except for the verbatim copies of reused vocabularies (`graph/external/*`), which keep their own
(data/vocab/SOURCES.md) and say so in `licence_note`.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import iris
from odl_graph.negotiation import GRAPH_FORMATS
from odl_graph.stores.embedded import named_quads

DIR = "dumps"  # under the store folder: one sub-folder per store version
MANIFEST = "manifest.json"
KEEP = 2  # dump folders kept: the newest, and the one before (a download may be reading it)
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
    """One gzip file; JSON-LD gets the known prefixes as its @context (pyoxigraph writes none).
    The whole-dataset files hold the named graphs (the default graph is their union: stores/embedded.py)."""
    kwargs: dict[str, Any] = {"format": fmt}
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        kwargs["prefixes"] = dict(prefixes)

    def dump(out: Any) -> None:
        if graph is not None:
            store.dump(out, from_graph=graph, **kwargs)
        else:
            ox.serialize(named_quads(store), out, **kwargs)

    # mtime=0: the same content gives the same bytes, so the same SHA-256 (export == /download/)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as out:
        if fmt == ox.RdfFormat.JSON_LD:
            out.write(b'{"@context":' + json.dumps(dict(prefixes)).encode() + b',"@graph":')
            dump(out)
            out.write(b"}")
        else:
            dump(out)


EXTERNAL_NOTE = "a verbatim copy of a reused vocabulary, under its own licence (data/vocab/SOURCES.md)"


def _entry(path: Path, graph: str | None, media_type: str, triples: int, licence: str | None,
           base_iri: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    entry = {"file": path.name, "graph": graph, "media_type": media_type, "encoding": "gzip",
             "bytes": path.stat().st_size, "triples": triples, "sha256": digest.hexdigest(), "licence": licence or None}
    if graph is not None and graph.startswith(iris.rebase(str(iris.graph("external")), base_iri or iris.BASE) + "/"):
        entry.update(licence=None, licence_note=EXTERNAL_NOTE)
    return entry


def write_dumps(store: ox.Store, directory: Path, base_iri: str = iris.BASE,
                licence: str | None = None) -> list[dict[str, Any]]:
    """Write every dump of `store` and the manifest into `directory` (created); returns the manifest.
    `licence`: the IRI of the graph's licence, stated in each entry."""
    directory.mkdir(parents=True, exist_ok=True)
    prefixes = iris.rdf_prefixes(base_iri)
    counts = {r["g"].value: int(r["n"].value) for r in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    entries = []
    for ext, fmt, media in DATASET_FILES:
        path = directory / f"{WHOLE}.{ext}.gz"
        _write(path, store, fmt, None, prefixes)
        entries.append(_entry(path, None, media, sum(counts.values()), licence, base_iri))
    for graph in sorted(counts):
        for ext, fmt, media in GRAPH_FILES:
            path = directory / f"{graph_slug(graph, base_iri)}.{ext}.gz"
            _write(path, store, fmt, ox.NamedNode(graph), prefixes)
            entries.append(_entry(path, graph, media, counts[graph], licence, base_iri))
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return entries


def read_manifest(directory: Path) -> list[dict[str, Any]] | None:
    path = directory / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# -- dumps per store version, made in the background ----------------------------------------------------
def latest(store_path: Path) -> tuple[str, Path] | None:
    """(version, folder) of the newest complete dumps of a store, None before the first ones."""
    root = Path(store_path) / DIR
    with contextlib.suppress(OSError):
        done = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                      and (p / MANIFEST).exists())
        if done:
            return done[-1].name, done[-1]
    return None


def make(store_path: Path, version: str, base_iri: str = iris.BASE, licence: str | None = None) -> Path:
    """Write the dumps of one store version into `<store>/dumps/<version>` (atomically: a temporary
    folder renamed when complete); older folders beyond KEEP are removed."""
    import pyoxigraph as ox

    root = Path(store_path) / DIR
    final = root / version
    if (final / MANIFEST).exists():
        return final
    tmp = root / f".{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        store = ox.Store.read_only(str(Path(store_path) / "versions" / version))
        write_dumps(store, tmp, base_iri, licence)
        (tmp / "store_version").write_text(version, encoding="utf-8")
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return final


class Maker:
    """Keeps the dumps of a store following its current version: at most one background process at a
    time; a version asked for while one runs is made when it ends (intermediate ones are skipped)."""

    def __init__(self, store_path: Path, base_iri: str | None, licence: str | None = None) -> None:
        self.store_path = Path(store_path)
        self.base_iri = base_iri or iris.BASE
        self.licence = licence or ""
        self._lock = threading.Lock()
        self._running: subprocess.Popen[bytes] | None = None
        self._wanted: str | None = None
        self.failed: str | None = None  # the last failure's message, for the download page

    def request(self, version: str | None) -> None:
        """Make the dumps of `version` unless they exist or are being made."""
        if version is None:
            return
        have = latest(self.store_path)
        if have is not None and have[0] >= version:
            return
        with self._lock:
            self._wanted = version
            if self._running is None:
                self._start(version)

    def _start(self, version: str) -> None:
        code = "import sys\nfrom odl_graph.dumps import make\nmake(*sys.argv[1:5])\n"
        self._running = subprocess.Popen(
            ["nice", "-n", "10", sys.executable, "-c", code, str(self.store_path), version, self.base_iri,
             self.licence],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        threading.Thread(target=self._wait, args=(self._running, version), daemon=True).start()

    def _wait(self, proc: subprocess.Popen[bytes], version: str) -> None:
        _out, err = proc.communicate()
        with self._lock:
            lines = err.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            self.failed = lines[-1] if proc.returncode else None
            self._running = None
            if self._wanted is not None and self._wanted > version:
                self._start(self._wanted)

    def busy(self) -> bool:
        with self._lock:
            return self._running is not None

    def close(self) -> None:
        with self._lock:
            proc, self._running, self._wanted = self._running, None, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
