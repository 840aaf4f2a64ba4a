"""Benchmark of the site search on the shipped graph (run `odl-graph build` first).

Usage: .venv/bin/python bench/bench_search.py [--store PATH] [--repeat N]
Measures:
- engine start: the query engine loading the store (paid once per server process, not by search);
- cold index build: the three SELECTs and the in-memory index (paid once per store version);
- warm query: `SearchIndex.search` for each query of QUERIES, p50 / p95 over all runs;
- http: GET /search?q=... (HTML page, facets and type labels included) and /search.json through
  the Flask app with the index built, p50 / p95.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from odl_graph import iris
from odl_graph.config import load_settings
from odl_graph.engine import Engine
from odl_graph.search import SearchIndex

# What people type: town names with and without accents, topics, a prefix, an INSEE code, facets.
QUERIES = ("stationnement", "chalon", "epinal", "Épinal", "chalon sur saone", "ilots de fraicheur", "velo",
           "arbres", "vacance commerciale", "bus", "saint", "commerce", "71076", "a", "donnees ouvertes")
FACETED = (("stationnement", {"type": ["SchemaField"]}), ("saint", {"type": ["Commune"]}),
           ("stationnement", {"theme": ["mobility"]}))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{name:<34} n={len(ms):<4} p50 {percentile(ms, 50):8.2f} ms   p95 {percentile(ms, 95):8.2f} ms"
          f"   max {max(ms):8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", default=load_settings()["store"])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--builds", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    eng = Engine.from_settings({"store": args.store, "workers": 1, "query_timeout": 120})
    eng.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    print(f"store {args.store} version {eng.version}: engine start {time.perf_counter() - start:.2f} s")
    builds, fetches = [], []
    index = None
    for _ in range(args.builds):
        t0 = time.perf_counter()
        fetched = SearchIndex.fetch(eng)
        t1 = time.perf_counter()
        index = SearchIndex(*fetched)
        builds.append(time.perf_counter() - t0)
        fetches.append(t1 - t0)
    assert index is not None
    print(f"index: {len(index.entries)} labels of {len(index.resources)} resources, "
          f"{len(index.vocabulary)} distinct words")
    print(f"cold index build                   n={len(builds)}    median {statistics.median(builds):.2f} s   "
          f"runs {', '.join(f'{b:.2f}' for b in builds)} s, of which the queries "
          f"{', '.join(f'{b:.2f}' for b in fetches)} s")

    base = load_settings().get("base_iri") or iris.BASE
    per_query: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for q in QUERIES:
            t0 = time.perf_counter()
            index.search(q, "fr")
            per_query.setdefault(q, []).append(time.perf_counter() - t0)
        for q, facets in FACETED:
            t0 = time.perf_counter()
            index.search(q, "fr", types=facets.get("type", ()),
                         themes=[f"{base}id/concept/theme/{t}" for t in facets.get("theme", ())])
            per_query.setdefault(f"{q} {facets}", []).append(time.perf_counter() - t0)
    report("warm query (all queries)", [s for v in per_query.values() for s in v])
    for q, v in per_query.items():
        report(f"  {q}", v)

    from server import create_app

    app = create_app({"store": args.store, "engine": eng, "TESTING": True})
    client = app.test_client()
    client.get("/search?q=x")  # builds the app's index once
    for path in ("/search", "/search.json"):
        times = []
        for _ in range(max(1, args.repeat // 4)):
            for q in QUERIES:
                t0 = time.perf_counter()
                r = client.get(path, query_string={"q": q}, headers={"Accept": "text/html"})
                r.get_data()
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200, (path, q, r.status_code)
        report(f"http GET {path}?q=...", times)
    eng.close()


if __name__ == "__main__":
    main()
