"""The store behind a narrow interface: the embedded on-disk Oxigraph store is the default.

Every triple lives in a named graph; the store's default graph holds their set union, materialized (a
triple held by two graphs is there once), so a query without a dataset matches each triple once, and
an update's WHERE reads the same default graph as a query (docs/endpoint.md). Builds write it; the
writer keeps it equal to the union at each write (odl_graph/stores/writes.py).

A build writes a complete new store version next to the current one and only then flips the
`current` symlink (an atomic rename), so a failed build never touches what readers see.

Crash safety (docs/security.md): one writer at a time (an flock on `<store>/.writer.lock`, released
by the kernel if the writer dies); every file of a new version is fsynced, then the completion
marker (`odl-complete.json`) is written, fsynced, and only then is `current` switched and the store
folder fsynced. A version folder without a marker is what a killed writer left: the next writer
removes it, and pruning keeps the newest complete versions, never a partial one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from odl_graph import iris
from odl_graph.errors import QueryError, StoreError, parse_error_position

MATERIALIZE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"  # the default graph := the union
UNION = "union"  # the marker's `default_graph`: this version's default graph is the union (module docstring)
KEEP_VERSIONS = 2  # the current one and the previous one (still open in running readers)
COMPLETE = "odl-complete.json"  # completion marker: the last file written into a version folder


def run_query(
    store: ox.Store,
    sparql: str,
    *,
    default_graph_uris: Iterable[str] = (),
    named_graph_uris: Iterable[str] = (),
    substitutions: Mapping[str, Any] | None = None,
    base_iri: str | None = None,
) -> Any:
    """Evaluate SPARQL on a pyoxigraph store with the protocol's dataset rules.

    Without default-graph-uri (or FROM) the default graph is the set union of all named graphs, which
    is what partners expect from a graph split by provenance.
    """
    defaults = [ox.NamedNode(u) for u in default_graph_uris]
    named = [ox.NamedNode(u) for u in named_graph_uris]
    kwargs: dict[str, Any] = {}
    if defaults:
        kwargs["default_graph"] = defaults
    # else: the store's default graph, which holds the set union of the named graphs (module docstring)
    if named:
        kwargs["named_graphs"] = named
    if substitutions:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in substitutions.items()}
    if base_iri:
        kwargs["base_iri"] = base_iri
    try:
        return store.query(sparql, **kwargs)
    except SyntaxError as exc:
        line, col = parse_error_position(str(exc))
        raise QueryError(str(exc), line=line, column=col) from exc
    except (OSError, ValueError) as exc:
        raise QueryError(str(exc)) from exc


def named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    """Every quad of the named graphs, graph by graph (the default graph, their union, left out)."""
    for graph in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, graph)


class EmbeddedStore:
    """A GraphStore: versioned on-disk pyoxigraph store: `<path>/current` -> `<path>/versions/<stamp>`."""

    def __init__(self, path: str | os.PathLike[str], base_iri: str | None = None) -> None:
        self.path = Path(path)
        self.base_iri = base_iri  # of the `odl:` prefix in the dumps (None: the default base)
        self._store: ox.Store | None = None
        self._opened_version: Path | None = None

    # -- reading ---------------------------------------------------------------------------
    @property
    def current(self) -> Path:
        return self.path / "current"

    def exists(self) -> bool:
        return self.current.exists()

    def version(self) -> str | None:
        """Name of the version readers currently see (None before the first build)."""
        return self.current.resolve().name if self.exists() else None

    def check_format(self) -> None:
        """Refuse a version written before the default graph held the union (it would answer nothing)."""
        target = self.current.resolve()
        try:
            marker = json.loads((target / COMPLETE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"store version {target.name} has no completion marker: run `odl-graph build`") from exc
        if marker.get("default_graph") != UNION:
            raise StoreError(f"store version {target.name} was written by an older odl-graph (its default graph "
                             f"is not the union of its named graphs): run `odl-graph build`")

    def _open(self) -> ox.Store:
        if not self.exists():
            raise StoreError(f"no store at {self.path}: run `odl-graph build` first")
        target = self.current.resolve()
        if self._store is None or target != self._opened_version:
            try:
                self._store = ox.Store.read_only(str(target))
            except OSError as exc:
                raise StoreError(f"cannot open store {target}: {exc}") from exc
            self._opened_version = target
        return self._store

    def refresh(self) -> None:
        """Forget the open handle: the next query opens the version `current` points to."""
        self._store = None
        self._opened_version = None

    @property
    def oxigraph(self) -> ox.Store:
        return self._open()

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: Mapping[str, Any] | None = None,
    ) -> Any:
        return run_query(
            self._open(),
            sparql,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            substitutions=substitutions,
        )

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._open().named_graphs())

    def triple_counts(self) -> dict[str, int]:
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {r["g"].value: int(r["n"].value) for r in rows}

    def dump_nquads(self) -> bytes:
        """The named graphs as N-Quads (the data; not the default graph, which is their union)."""
        return ox.serialize(named_quads(self._open()), format=ox.RdfFormat.N_QUADS)

    def to_memory(self) -> ox.Store:
        """An in-memory copy, default graph included (faster for heavy queries, measured in bench/)."""
        mem = ox.Store()
        mem.bulk_load(self._open().dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        return mem

    # -- writing ---------------------------------------------------------------------------
    def replace_all(self, data: bytes | Mapping[str, bytes]) -> None:
        """Write a complete new version, then flip `current` to it atomically (what a build does).

        `data` is N-Quads, or a mapping of named-graph IRI to N-Triples. Dumps are not written here
        (odl_graph/dumps.py makes them after the change, off the write path).
        """
        versions = self.path / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        with writer_lock(self.path):
            self._remove_partial(versions)
            target = versions / new_stamp()
            try:
                store = ox.Store(str(target))
                if isinstance(data, bytes | bytearray):
                    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
                    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
                        store.update(f"ADD DEFAULT TO <{default_graph_name(self.base_iri)}>")  # give them a home
                    store.update(MATERIALIZE)
                else:
                    for graph_iri, ntriples in data.items():
                        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph_iri))
                        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
                store.flush()
                store.optimize()
                quads = len(store)
                del store
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
            self.publish(target, quads)

    def publish(self, target: Path, quads: int | None = None, prune: bool = True) -> None:
        """Seal a finished version folder and make it `current` (atomic flip); the writer lock is held.

        Anything else written into the version folder goes before this call (the marker is last)."""
        try:
            seal_version(target, quads)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        stamp = target.name
        tmp_link = self.path / f".current-{stamp}"
        tmp_link.symlink_to(Path("versions") / stamp)
        os.replace(tmp_link, self.current)  # atomic on POSIX
        fsync_dir(self.path)  # the switch itself survives a power cut
        self.refresh()
        if prune:
            self._prune(self.path / "versions")

    def prune(self) -> None:
        """Remove versions beyond the kept ones (the writer does it after answering)."""
        with writer_lock(self.path):
            self._prune(self.path / "versions")

    def _remove_partial(self, versions: Path) -> None:
        """Folders a killed writer left (no marker), and its temporary links; the lock is held."""
        current = self.current.resolve() if self.exists() else None
        for p in versions.iterdir():
            if p.is_dir() and p.resolve() != current and not is_complete(p):
                shutil.rmtree(p, ignore_errors=True)
        for link in self.path.glob(".current-*"):
            with contextlib.suppress(OSError):
                link.unlink()

    def _prune(self, versions: Path) -> None:
        """Keep `current` and the newest KEEP_VERSIONS complete versions; drop older and partial ones."""
        current = self.current.resolve()
        ordered = sorted((p for p in versions.iterdir() if p.is_dir()), key=lambda p: p.name)
        complete = [p for p in ordered if is_complete(p)]
        keep = {current, *(p.resolve() for p in complete[-KEEP_VERSIONS:])}
        for p in ordered:
            if p.resolve() not in keep:
                shutil.rmtree(p, ignore_errors=True)
        fsync_dir(versions)

    def complete_versions(self) -> list[str]:
        """Names of the complete versions on disk, oldest first."""
        versions = self.path / "versions"
        if not versions.is_dir():
            return []
        return sorted(p.name for p in versions.iterdir() if p.is_dir() and is_complete(p))


def is_complete(version: Path) -> bool:
    """Does this version folder carry its completion marker (written last, after every other file)?"""
    try:
        json.loads((version / COMPLETE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def default_graph_name(base_iri: str | None) -> str:
    """The named graph that holds what clients write to "the default graph" (it is then in the union)."""
    return f"{base_iri or iris.BASE}graph/store/default"


def new_stamp() -> str:
    """A version folder's name: sortable by time, unique within the process."""
    return time.strftime("%Y%m%dT%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"


def seal_version(version: Path, quads: int | None) -> None:
    """fsync every file of a finished version folder, then write the marker (itself fsynced).

    A table file (.sst) that a checkpoint hard-linked from the writer's work store is skipped: RocksDB
    syncs each table file when it writes it, before the store refers to it, so it is on disk already."""
    files = []
    for p in sorted(version.rglob("*")):
        if p.is_file():
            if not (p.suffix == ".sst" and p.stat().st_nlink > 1):
                _fsync_file(p)
            files.append(str(p.relative_to(version)))
    for d in sorted({p.parent for p in version.rglob("*")} | {version}, key=lambda p: -len(p.parts)):
        fsync_dir(d)
    marker = {"quads": quads, "files": files, "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "default_graph": UNION}
    tmp = version / (COMPLETE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(marker, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, version / COMPLETE)
    fsync_dir(version)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def writer_lock(path: Path) -> Any:
    """One writer per store at a time (a build and a server update may race); the kernel drops the
    lock when its holder dies, so a killed writer never blocks the next one."""
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / ".writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
