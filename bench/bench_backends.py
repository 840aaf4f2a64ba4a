"""The cross-cutting analyses through odl-graph on each store backend, side by side in one run.

Loads the graph of a built embedded store into an Oxigraph server and a Virtuoso started for the run
(scripts/stores/*.sh, temporary folders, free ports on loopback), then times every query of the
catalogue (queries/*.rq, run through odl_graph.analyses.catalogue as the pages and the API do) and the
diagnostic's table fetch on each backend. Prints a Markdown table of medians and ratios to the
embedded default (the on-disk store the CLI reads; the in-memory copy the endpoint's workers use is
shown too).

    .venv/bin/odl-graph build                     # once: the graph to measure
    .venv/bin/python bench/bench_backends.py [--store var/store] [--repeat 7] [--json bench/out/backends.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from odl_graph.analyses import catalogue  # noqa: E402
from odl_graph.analyses import tables as tb  # noqa: E402
from odl_graph.config import load_settings  # noqa: E402
from odl_graph.stores import EmbeddedStore, RemoteStore  # noqa: E402
from odl_graph.stores.embedded import run_query  # noqa: E402
from odl_graph.stores.http import Credentials  # noqa: E402
from odl_graph.stores.remote import RemoteTimeout  # noqa: E402

SCRIPTS = ROOT / "scripts" / "stores"
REMOTE_LIMIT = 60.0  # RemoteStore's default time limit for library calls


class MemoryStore:
    """The in-memory copy the endpoint's workers query (store_mode=memory)."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.mem = store.to_memory()

    def query(self, sparql: str, **kwargs: Any) -> Any:
        return run_query(self.mem, sparql, **kwargs)

    def version(self) -> str:
        return "memory"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    import os

    done = subprocess.run([str(SCRIPTS / script), "start", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{script} start failed: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def stop(script: str, *args: str, env: dict[str, str] | None = None) -> None:
    import os

    subprocess.run([str(SCRIPTS / script), "stop", *args], capture_output=True, check=False,
                   env={**os.environ, **(env or {})})


def consume(results: Any) -> tuple[str, ...]:
    """Read the whole answer; returns it as sorted text rows, to check every backend answers the same."""
    if isinstance(results, ox.QueryBoolean):
        return (str(bool(results)),)
    if isinstance(results, ox.QueryTriples):
        return tuple(sorted(str(t) for t in results))
    names = [v.value for v in results.variables]
    return tuple(sorted(" ".join("" if s[n] is None or isinstance(s[n], ox.BlankNode) else str(s[n]) for n in names)
                        for s in results))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median of `repeat` runs after a warm-up; a run past the remote time limit counts as infinite."""
    t0 = time.perf_counter()
    try:
        fn()  # warm-up (caches, connections, the live-version lookup)
    except RemoteTimeout:
        return float("inf"), None
    if time.perf_counter() - t0 > 5:
        repeat = 1  # slow enough that one more run is a fair figure
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=load_settings()["store"], help="built embedded store (default: setting store)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None, help="also write the raw figures here")
    args = ap.parse_args()

    embedded = EmbeddedStore(args.store)
    if not embedded.exists():
        raise SystemExit(f"no store at {args.store}: run `odl-graph build` first")
    nquads = embedded.dump_nquads()
    triples = nquads.count(b"\n")
    backends: dict[str, Any] = {"embedded (disk)": embedded, "embedded (memory)": MemoryStore(embedded)}
    load_times: dict[str, float] = {}

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # still stop the servers (finally) when killed
    work = Path(tempfile.mkdtemp(prefix="odl-bench-"))
    ox_args = [str(work / "oxigraph"), str(free_port())]
    v_env = {"ODL_VIRTUOSO_USER": "odl", "ODL_VIRTUOSO_PASSWORD": "bench", "ODL_VIRTUOSO_MAXROWS": "100000"}
    v_args = [str(work / "virtuoso"), str(free_port()), str(free_port())]
    try:
        remote = {
            "Oxigraph server": RemoteStore(start("oxigraph.sh", *ox_args)),
            "Virtuoso": RemoteStore(start("virtuoso.sh", *v_args, env=v_env),
                                    credentials=Credentials("odl", "bench", "digest")),
        }
        for name, store in remote.items():
            t0 = time.perf_counter()
            store.replace_all(nquads)
            load_times[name] = time.perf_counter() - t0
            backends[name] = store

        rows: list[tuple[str, dict[str, float], int]] = []
        differs: dict[str, set[str]] = {}
        for qname, query in sorted(catalogue.load_catalogue().items()):
            figures, answers = {}, {}
            for bname, store in backends.items():
                figures[bname], answers[bname] = timed(
                    lambda s=store, q=query: consume(catalogue.run(s, q).results), args.repeat)
                print(f"{qname} on {bname}: {figures[bname]:.3f} s", file=sys.stderr, flush=True)
            reference = answers[next(iter(backends))] or ()
            differs[qname] = {b for b, a in answers.items() if a is not None and a != reference}
            rows.append((qname, figures, len(reference)))
        figures = {}
        for bname, store in backends.items():
            figures[bname], _ = timed(lambda s=store: tb.Tables(s), max(1, args.repeat // 2))
        rows.append(("diagnostic tables (8 queries)", figures, 0))
    finally:
        stop("oxigraph.sh", *ox_args)
        stop("virtuoso.sh", *v_args, env=v_env)

    names = list(backends)
    base = names[0]
    print(f"odl-graph backends benchmark — {time.strftime('%Y-%m-%d %H:%M')} UTC, {triples:,} triples, "
          f"median of {args.repeat}, {platform.machine()} {platform.python_version()}\n")
    print("| query | rows | " + " | ".join(f"{n}" for n in names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for qname, figs, n in rows:
        cells = [f"{figs[base] * 1000:.1f} ms"] + [
            (f"{figs[b] / figs[base]:.2f}×" + (" ≠" if b in differs.get(qname, ()) else ""))
            if figs[b] != float("inf") else f"> {REMOTE_LIMIT:g} s (timeout)"
            for b in names[1:]]
        print(f"| {qname} | {n:,} | " + " | ".join(cells) + " |")
    print("\n≠: the answer differs from the embedded store's (see docs/deploy.md, known Virtuoso errors).")
    print("\nLoad (replace_all of the whole graph): " + ", ".join(f"{k} {v:.1f} s" for k, v in load_times.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        out = [{"query": q, "rows": n, "seconds": {k: (v if v != float("inf") else None) for k, v in f.items()}}
               for q, f, n in rows]
        args.json.write_text(json.dumps({"triples": triples, "load_s": load_times, "rows": out}, indent=2),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
