"""Load benchmark: 16 clients for 60 s of mixed traffic against the real server, bounded. Not a test.

Starts `python -m server.serve` on a loopback port over a store (default: the configured one, i.e.
what `odl-graph build` wrote), then runs N client processes, each on one persistent HTTP/1.1
connection, picking requests from a fixed weighted mix (repeated SPARQL lookups, uncached SPARQL
queries, heavier aggregates, Linked Data pages, search, catalogue API, diagnostic API). Every client
stops by itself after the duration. Reports requests/s, p50 and p99 latency, 5xx and connection
errors, overall and per kind, and the server process's memory before and after, into
docs/benchmarks.md (between the bench_load markers).

    .venv/bin/python bench/bench_load.py --clients 16 --seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from odl_graph.config import load_settings  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_load.py: start -->", "<!-- bench_load.py: end -->"
P = "PREFIX odl: <https://w3id.org/odl-graph/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
JSON = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    return r.status, r.read()


def sample_iris(port: int, cls: str, n: int) -> list[str]:
    q = P + f"SELECT ?s WHERE {{ ?s a odl:{cls} }} ORDER BY ?s LIMIT {n}"
    status, body = get(port, "/sparql?query=" + urllib.parse.quote(q), JSON)
    if status != 200:
        raise RuntimeError(f"cannot list {cls}: {status} {body[:200]!r}")
    return [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]


def traffic(port: int, base_iri: str) -> list[tuple[str, int, list[tuple[str, dict[str, str]]]]]:
    """(kind, weight, requests): the mix; `{r}` in a request is replaced by a random integer (uncached)."""
    usecases = sample_iris(port, "UseCase", 20)
    datasets = sample_iris(port, "Dataset", 50)
    communes = sample_iris(port, "Commune", 50)

    def local(iri: str) -> str:
        return "/" + iri[len(base_iri):] if iri.startswith(base_iri) else "/"

    def sparql(q: str) -> tuple[str, dict[str, str]]:
        return "/sparql?query=" + urllib.parse.quote(q), JSON

    slugs = [u.rsplit("/", 1)[1] for u in usecases]
    inseec = [c.rsplit("/", 1)[1] for c in communes]
    return [
        ("sparql lookup (repeated)", 30, [sparql(P + f"SELECT ?l WHERE {{ <{d}> rdfs:label ?l }}") for d in datasets]),
        ("sparql uncached", 15, [sparql(P + "SELECT ?s ?l WHERE { ?s a odl:Dataset ; rdfs:label ?l } "
                                        "LIMIT 20 OFFSET {r}")]),
        ("sparql aggregate", 5, [sparql(P + "SELECT ?c (COUNT(?d) AS ?n) WHERE { ?d odl:instantiates ?c } "
                                        "GROUP BY ?c ORDER BY DESC(?n) LIMIT {r}")]),
        ("page", 20, [(local(i), {"Accept": "text/html"}) for i in usecases + datasets[:10] + communes[:10]]),
        ("page rdf", 5, [(local(i) + ".ttl", {}) for i in datasets[:20]]),
        ("search", 10, [("/search?q=" + urllib.parse.quote(w), {}) for w in
                        ("arbres", "vélo", "stationnement", "eau", "budget", "déchets")]),
        ("api catalogue", 10, [("/api/queries", {}), ("/api/priorities", {})]
         + [(f"/api/ranking/{s}", {}) for s in slugs[:5]]),
        ("api diagnostic", 5, [(f"/api/diagnostic/{c}/{s}", {}) for c in inseec[:10] for s in slugs[:3]]),
    ]


def client(port: int, mix: list, seconds: float, start: float, seed: int, out: mp.Queue) -> None:
    rng = random.Random(seed)
    kinds = [k for k, _w, _r in mix]
    weights = [w for _k, w, _r in mix]
    pool = {k: r for k, _w, r in mix}
    lat: dict[str, list[float]] = {k: [] for k in kinds}
    codes: dict[str, dict[int, int]] = {k: {} for k in kinds}
    conn_errors = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    while time.time() < end:
        kind = rng.choices(kinds, weights)[0]
        path, headers = rng.choice(pool[kind])
        path = path.replace(urllib.parse.quote("{r}"), str(rng.randint(1, 500)))
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException) as exc:
            conn_errors += 1
            if os.environ.get("ODL_BENCH_DEBUG"):
                print(f"client {seed}: {type(exc).__name__}: {exc}", file=sys.stderr)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        lat[kind].append(time.perf_counter() - t0)
        codes[kind][status] = codes[kind].get(status, 0) + 1
    out.put((lat, codes, conn_errors))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--store", default=None, help="store folder (default: the configured store)")
    ap.add_argument("--no-write", action="store_true", help="print only, do not update docs/benchmarks.md")
    args = ap.parse_args()
    settings = load_settings()
    store = args.store or settings["store"]
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", str(args.workers),
           "--set", f"store={store}"]
    server = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if get(port, "/health")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start: " + server.stderr.read().decode()[-1000:])  # type: ignore[union-attr]
            time.sleep(0.2)
        health = json.loads(get(port, "/health")[1])
        mix = traffic(port, settings["base_iri"])
        for _k, _w, reqs in mix:  # warm-up: one of each request (fills the caches a real server has)
            for path, headers in reqs[:3]:
                get(port, path.replace(urllib.parse.quote("{r}"), "1"), headers)
        rss_before = rss_mb(server.pid)
        load_before = os.getloadavg()[0]
        out: mp.Queue = mp.Queue()
        start = time.time() + 1.0
        procs = [mp.Process(target=client, args=(port, mix, args.seconds, start, i, out)) for i in range(args.clients)]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 120) for _ in procs]
        for p in procs:
            p.join(10)
        rss_after = rss_mb(server.pid)
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    rows = []
    all_lat: list[float] = []
    total_5xx = total_4xx = 0
    conn_errors = sum(r[2] for r in results)
    for kind, _w, _r in mix:
        lat = [x for r in results for x in r[0][kind]]
        codes: dict[int, int] = {}
        for r in results:
            for c, n in r[1][kind].items():
                codes[c] = codes.get(c, 0) + n
        e5 = sum(n for c, n in codes.items() if c >= 500)
        e4 = sum(n for c, n in codes.items() if 400 <= c < 500)
        total_5xx += e5
        total_4xx += e4
        all_lat += lat
        rows.append((kind, len(lat), len(lat) / args.seconds, pct(lat, 50), pct(lat, 99), e4, e5,
                     ", ".join(f"{c}×{n}" for c, n in sorted(codes.items()))))
    total = len(all_lat)
    lines = [
        START,
        "## Load: 16 clients, 60 s of mixed traffic",
        "",
        "Generated by `bench/bench_load.py` (do not edit by hand). Reproduce with:",
        "",
        "```sh",
        f".venv/bin/python bench/bench_load.py --clients {args.clients} --seconds {args.seconds:g} "
        f"--workers {args.workers}",
        "```",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (load average "
        f"{load_before:.1f} at the start, {load_after:.1f} at the end), Python {platform.python_version()}; run "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Store: the shipped graph (`odl-graph build`), version "
        f"{health.get('store_version')}; server defaults ({args.workers} query workers + the reserve worker, "
        f"result cache on, memory mode) on waitress. {args.clients} client processes on the same machine, one "
        f"persistent connection each, no think time; each request drawn from the weighted mix below "
        f"(`{{r}}` in the uncached queries is a random number, so those miss the cache). Clients and server "
        f"share the 2 cores: absolute figures are low and vary between runs.",
        "",
        f"**Total: {total:,} requests in {args.seconds:g} s = {total / args.seconds:,.0f} req/s; "
        f"p50 {pct(all_lat, 50):.1f} ms, p99 {pct(all_lat, 99):.1f} ms; "
        f"{total_5xx} × 5xx, {conn_errors} connection errors, {total_4xx} × 4xx.** "
        f"Server process memory (RSS, parent only): {rss_before:.0f} MB after warm-up, {rss_after:.0f} MB after "
        f"the run.",
        "",
        "| traffic | weight | requests | req/s | p50 ms | p99 ms | 4xx | 5xx | statuses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    weights = {k: w for k, w, _r in mix}
    for kind, n, rps, p50, p99, e4, e5, codes_text in rows:
        lines.append(f"| {kind} | {weights[kind]} | {n:,} | {rps:,.1f} | {p50:.1f} | {p99:.1f} | {e4} | {e5} | "
                     f"{codes_text} |")
    lines += ["", END]
    section = "\n".join(lines)
    print(section)
    if args.no_write:
        return
    text = DOC.read_text(encoding="utf-8")
    if START in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
