"""Crash-safe writes: a killed write is discarded and the next one starts from the version served; the
writer dies with the server; versions carry a completion marker; partial versions are removed and never
outlive complete ones; and SIGKILL trials of the one writer, of a build's store write and of the server,
at random moments, always leave a complete version served (old or new) and a previous one kept.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import ROOT, TOKEN, free_port, make_store

from odl_graph.stores import EmbeddedStore
from odl_graph.stores.embedded import COMPLETE, is_complete

pytestmark = pytest.mark.slow

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
SEED = int(os.environ.get("ODL_FAULT_SEED", str(int(time.time()))))
TRIALS = int(os.environ.get("ODL_FAULT_TRIALS", "8"))  # per kind; three kinds


def nquads(n: int, tag: str = "v") -> bytes:
    return "".join(f'<http://e/s{i}> <http://e/p> "{tag}{i}" <http://e/g{i % 3}> .\n' for i in range(n)).encode()


def graphs(n: int, tag: str) -> dict[str, bytes]:
    """What `odl-graph build` hands to the store: N-Triples per named graph."""
    return {f"http://e/g{k}": "".join(f'<http://e/s{i}> <http://e/p> "{tag}{i}" .\n'
                                      for i in range(k, n, 3)).encode() for k in range(3)}


def quad_count(path: Path) -> int:
    """Quads of the named graphs (the default graph is their union, stores/embedded.py)."""
    store = ox.Store.read_only(str(EmbeddedStore(path).current.resolve()))
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)


def assert_sound(path: Path, allowed: set[int], note: str) -> int:
    """A complete version is served, old or new (never a mix or a truncation), and a previous one is kept."""
    store = EmbeddedStore(path)
    current = store.current.resolve()
    assert is_complete(current), f"{note}: current version {current.name} has no completion marker"
    n = quad_count(path)
    assert n in allowed, f"{note}: served {n} quads, expected one of {sorted(allowed)}"
    complete = store.complete_versions()
    assert len(complete) >= 2 and current.name in complete, f"{note}: complete versions {complete}"
    return n


# -- the writer ------------------------------------------------------------------------------------
WRITE = ("import sys\nfrom odl_graph.stores.writer import Writer\nfrom odl_graph.stores.writes import Write\n"
         "n, tag = int(sys.argv[2]), sys.argv[3]\n"
         "body = ''.join(f'<http://e/{tag}-{k}> <http://e/p> \"x\" .\\n' for k in range(n)).encode()\n"
         "Writer(sys.argv[1]).apply(Write('put', graph='http://e/' + tag, parts=((body, 'application/n-triples'),)))\n"
         "print('done', flush=True)\n")


def put(path: Path, n: int, tag: str) -> subprocess.Popen:
    """The one writer's code path in its own process: a Graph Store PUT of `n` triples into graph `tag`."""
    return subprocess.Popen([sys.executable, "-c", WRITE, str(path), str(n), tag], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV)


def test_a_killed_write_is_discarded_and_the_next_one_starts_from_current(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s", nquads(10))
    version = EmbeddedStore(path).version()
    proc = put(path, 200_000, "big")
    deadline = time.monotonic() + 60
    while not (path / "work" / "odl-dirty").exists() and time.monotonic() < deadline:
        time.sleep(0.01)  # killed while the write is applied to the work store
    proc.kill()
    _reap(proc)
    assert (path / "work" / "odl-dirty").exists() and EmbeddedStore(path).version() == version
    assert quad_count(path) == 10
    out, _err = put(path, 5, "small").communicate(timeout=120)
    assert out.strip() == b"done" and quad_count(path) == 15  # the killed write's 200,000 are not there
    assert not (path / "work" / "odl-dirty").exists() and is_complete(EmbeddedStore(path).current.resolve())


def test_the_writer_dies_with_the_server(tmp_path: Path) -> None:
    path = make_store(tmp_path / "s", nquads(10))
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom odl_graph.engine.updates import WriterProcess\n"
         "from odl_graph.stores import EmbeddedStore\n"
         "w = WriterProcess(EmbeddedStore(sys.argv[1]), 60.0)\nw._start()\n"
         "print(w._proc.pid, flush=True)\ntime.sleep(600)\n", str(path)],
        stdout=subprocess.PIPE, env=ENV)
    writer = int(parent.stdout.readline())  # type: ignore[union-attr]
    assert _alive(writer)
    os.kill(parent.pid, signal.SIGKILL)
    _reap(parent)
    deadline = time.monotonic() + 5
    while _alive(writer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(writer), "the writer outlived the server"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- versions ----------------------------------------------------------------------------------------
def test_partial_versions_are_removed_and_complete_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store = EmbeddedStore(path)
    store.replace_all(nquads(10, "a"))
    store.replace_all(nquads(20, "b"))
    good = store.complete_versions()
    # What killed builds left: newer folders without a marker (the old pruning kept these, by name,
    # and deleted both good versions).
    for name in ("29990101T000000-000000001", "29990101T000000-000000002"):
        ox.Store(str(path / "versions" / name)).bulk_load(nquads(5), format=ox.RdfFormat.N_QUADS)
    assert store.complete_versions() == good
    (path / ".current-29990101T000000-000000003").symlink_to("versions/29990101T000000-000000002")
    store.replace_all(nquads(30, "c"))
    names = sorted(p.name for p in (path / "versions").iterdir())
    assert names == store.complete_versions() and len(names) == 2 and names[0] == good[-1]
    assert quad_count(path) == 30 and not list(path.glob(".current-*"))
    assert all(is_complete(path / "versions" / n) for n in names)


def test_marker_is_written_last_and_the_switch_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    path = tmp_path / "s"
    EmbeddedStore(path).replace_all(nquads(10))
    version = EmbeddedStore(path).current.resolve()
    marker = events.index(("replace", str(version / COMPLETE)))
    switch = events.index(("replace", str(path / "current")))
    data_files = {p for kind, p in events[:marker] if kind == "fsync" and p.startswith(str(version) + "/")}
    assert {str(p) for p in version.iterdir() if p.is_file() and p.name != COMPLETE} <= data_files
    assert marker < switch
    assert ("fsync", str(path)) in events[switch:]  # the folder holding `current`, after the switch


# -- SIGKILL trials ------------------------------------------------------------------------------------
def _children(pid: int) -> set[int]:
    out: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                out.update(int(c) for c in (task / "children").read_text().split())
    return out | {d for c in out for d in _children(c)}


def test_sigkill_trials(tmp_path: Path) -> None:
    """At least 24 SIGKILLs at random moments (ODL_FAULT_SEED replays a run): of the one writer during a
    Graph Store PUT, of a build's store write, and of the server during an authorised update."""
    rng = random.Random(SEED)
    note = f"seed {SEED}"
    path = tmp_path / "store"
    store = EmbeddedStore(path)
    store.replace_all(nquads(3000, "old"))
    store.replace_all(graphs(3000, "v0"))
    counts = {3000}
    trials = 0

    # 1. the one writer, applying a Graph Store PUT into a new graph, killed at a random moment
    for i in range(TRIALS):
        n_new = rng.choice([3000, 40_000])
        proc = put(path, n_new, f"w{i}")
        time.sleep(rng.uniform(0.2, 1.5))
        proc.kill()
        _reap(proc)
        current = assert_sound(path, counts | {c + n_new for c in counts}, f"{note}, writer trial {i}")
        counts = {current}
        trials += 1

    # 2. a build's store write (`replace_all` of N-Triples per graph, what `odl-graph build` ends with;
    #    every step before it only reads), in its own process, killed at a random moment
    for i in range(TRIALS):
        n = rng.choice([3000, 40_000])
        code = ("import sys\nfrom odl_graph.stores import EmbeddedStore\nsys.path.insert(0, sys.argv[2])\n"
                "from test_crash_safety import graphs\n"
                f"EmbeddedStore(sys.argv[1]).replace_all(graphs({n}, 'b{i}'))\n")
        proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(Path(__file__).parent)], env=ENV)
        time.sleep(rng.uniform(0.2, 1.5))
        proc.kill()
        proc.wait()
        current = assert_sound(path, counts | {n}, f"{note}, build trial {i}")
        counts = {current}
        trials += 1

    # 3. the server, killed during an authorised update; its children must go with it
    for i in range(TRIALS):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", "1", "--set", f"store={path}",
             "--set", f"update_token={TOKEN}", "--set", "query_timeout=30"],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_up(url, server)
            added = rng.choice([50, 2000])
            body = "INSERT DATA { GRAPH <http://e/g9> { " + " ".join(
                f'<http://e/u{i}-{k}> <http://e/p> "x" .' for k in range(added)) + " } }"
            threading.Thread(target=_post_update, args=(url, body), daemon=True).start()
            time.sleep(rng.uniform(0.0, 1.2))
            family = _children(server.pid)
        finally:
            server.kill()
            server.wait()
        deadline = time.monotonic() + 5  # idle query workers notice within 2 s; writers at once
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in family), f"{note}, server trial {i}: children outlived the server"
        current = assert_sound(path, counts | {c + added for c in counts}, f"{note}, server trial {i}")
        counts = {current}
        trials += 1
    assert trials >= 24


def _reap(proc: subprocess.Popen) -> None:
    """Wait for a killed process and close its pipes (an open pipe is a ResourceWarning, so an error)."""
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError, ValueError):
                pipe.close()


def _post_update(url: str, body: str) -> None:
    with contextlib.suppress(requests.RequestException):
        requests.post(url + "/update", data=body.encode(), timeout=60,
                      headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited at start"
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + "/health", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise AssertionError("server did not start")
