"""Where a simple lookup's time goes, layer by layer (not a test; numbers go to docs/benchmarks.md).

    .venv/bin/python bench/profile_lookup.py --triples 100000 --n 2000

Measures, per request, on one store of bench/synthetic.py's shape (result cache off): evaluation
and serialisation in process, the engine's checks, the engine (checks + pipe to a worker +
evaluation + serialisation), the Flask app called as WSGI, and the whole server (waitress) over
loopback HTTP with one persistent connection. Each layer's cost is the difference to the one below.
"""

from __future__ import annotations

import argparse
import http.client
import io
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_endpoint  # noqa: E402
import synthetic  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from odl_graph.engine import Engine  # noqa: E402
from odl_graph.engine.serialize import Request, reply_for  # noqa: E402
from odl_graph.stores import EmbeddedStore  # noqa: E402
from odl_graph.stores.embedded import run_query  # noqa: E402

ACCEPT = "application/sparql-results+json"


def per_call(fn, n: int) -> float:
    """Microseconds per call, best of three runs of n calls."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t) / n * 1e6)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--query", default="simple lookup", choices=sorted(bench_endpoint.QUERIES))
    args = ap.parse_args()
    query = bench_endpoint.QUERIES[args.query][1]
    work = Path(tempfile.mkdtemp(prefix="odl-profile-"))
    nquads = synthetic.generate(args.triples)
    EmbeddedStore(work / "store").replace_all(nquads)
    mem = EmbeddedStore(work / "store").to_memory()
    req = Request("query", query, results_format="json", graph_format="ntriples", row_cap=10000)
    rows: dict[str, float] = {}
    rows["evaluate + serialise (in process, no worker)"] = per_call(
        lambda: reply_for(req, run_query(mem, query)), args.n)
    settings = {"store": str(work / "store"), "workers": 2, "query_timeout": 10.0, "result_cache_bytes": 0}
    with Engine.from_settings(settings) as eng:
        rows["engine checks (lexer, depth, cached parse)"] = per_call(lambda: eng.check_query_text(query), args.n)
        rows["Engine.execute (checks + pipe + worker)"] = per_call(lambda: eng.execute(query), args.n)
    from server import create_app
    from server.engine import close_engine, get_engine

    app = create_app(settings)
    get_engine(app)
    qs = {"query": query}
    environ = EnvironBuilder(path="/sparql", query_string=qs, headers={"Accept": ACCEPT}).get_environ()

    def through_wsgi() -> None:
        b"".join(app(dict(environ, **{"wsgi.input": io.BytesIO()}), lambda *a: None))

    rows["Flask app (WSGI call, no HTTP)"] = per_call(through_wsgi, args.n)
    close_engine(app)
    server = bench_endpoint.start_ours(work / "store", "profile", {"workers": "2", "result_cache_bytes": "0"})
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        url = "/sparql?" + urllib.parse.urlencode(qs)

        def over_http() -> None:
            conn.request("GET", url, headers={"Accept": ACCEPT})
            conn.getresponse().read()

        rows["waitress + app over loopback HTTP (one connection)"] = per_call(over_http, args.n)
    finally:
        server.stop()
    triples = nquads.count(b"\n")
    print(f"{args.query!r} at {triples} triples, µs per request (best of 3 × {args.n}):")
    for name, us in rows.items():
        print(f"  {us:8.0f}  {name}")


if __name__ == "__main__":
    main()
