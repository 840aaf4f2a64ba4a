"""Benchmark of the deployability diagnostic: every ACV commune × every use case in one request.

Usage: .venv/bin/python bench/bench_diagnostic.py [--store PATH] [--repeat N] [--no-http]
Measures, on the shipped graph (run `odl-graph build` first), with the machine's load average:
- cold: fetch the tables with SPARQL, then compute the whole matrix (what the first request costs);
- warm: the matrix with the tables already cached (every later request on the same store version);
- http: GET /api/readiness through the Flask app (JSON of the whole matrix), cold cache each time;
- every commune of the COG (34,969) × every use case: fetching them all, then their whole matrix (the
  diagnostic's fast path; issue 19 aims under 60 s), and the 244 ACV roadmaps with their explanations.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import roadmap as rm
from odl_graph.analyses import tables as tb
from odl_graph.config import load_settings
from odl_graph.stores import EmbeddedStore


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default=load_settings()["store"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-http", action="store_true", help="Skip the Flask measure.")
    args = parser.parse_args()
    store = EmbeddedStore(args.store)
    t = tb.Tables(store)
    pairs = len(t.acv) * len(t.usecases)
    print(f"store {store.path} version {store.version()}: {len(t.acv)} ACV communes × {len(t.usecases)} use cases"
          f" = {pairs} pairs; {len(t.datasets)} datasets, {len(t.categories)} data categories")

    def cold() -> None:
        store.refresh()
        dg.readiness_matrix(tb.Tables(store))

    def warm() -> None:
        dg.readiness_matrix(t)

    def details() -> None:  # the full line-by-line diagnostic of every pair (not only the scores)
        for c in t.acv.values():
            cov = t.covering(c)
            for u in t.usecases:
                dg.diagnose_pair(t, c, u, cov, with_useful=False)

    def roadmaps() -> None:
        for c in t.acv.values():
            rm.roadmap(t, c)

    def fetch_all() -> None:
        t.__dict__.pop("communes", None)
        assert len(t.communes) > 30000

    def all_communes() -> None:
        dg.readiness_matrix(t, t.communes.values())

    rows = [("cold: tables + matrix (244 ACV × all use cases)", timed(cold, args.repeat)),
            ("warm: matrix (244 ACV × all use cases)", timed(warm, args.repeat))]
    if not args.no_http:
        from server import create_app

        app = create_app({"store": str(store.path), "workers": 1})  # the API through the engine, as served
        client = app.test_client()

        def http() -> None:
            tb._cache.clear()
            resp = client.get("/api/readiness")
            assert resp.status_code == 200 and len(resp.get_json()["communes"]) == len(t.acv)

        rows.append(("HTTP GET /api/readiness (cold cache)", timed(http, args.repeat)))
    rows += [("warm: full explanations, every ACV pair", timed(details, max(1, args.repeat // 2))),
             ("warm: 244 ACV roadmaps", timed(roadmaps, 1)),
             ("fetch every commune of the COG (one query)", timed(fetch_all, 1))]
    rows.append((f"warm: matrix ({len(t.communes)} communes × {len(t.usecases)} use cases)",
                 timed(all_communes, max(1, args.repeat // 5))))
    print("\nfigures of the ACV roadmaps (docs/evidence.md):", rm.roadmap_summary(t))
    print("evidence:", dg.evidence_summary(t))
    load = os.getloadavg()
    print(f"\nload average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    print("\n| measure | median (s) | max (s) |\n|---|---|---|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.3f} | {max(times):.3f} |")


if __name__ == "__main__":
    main()
