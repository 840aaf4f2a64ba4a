"""Benchmark: cheap queries and pages while other clients flood or loop runaways. Not a test.

Starts `python -m server.serve` (defaults: 2 query workers + 1 reserve, 10 s time limit; result
cache off, so every probe is evaluated) over a store (default: the configured one, what
`odl-graph build` wrote), then runs two scenarios, each client a process on its own loopback
address (127.0.0.N: per-client fairness goes by address):

- **flood**: 10 clients loop POSTing a 6,000-term `FILTER (?x = <a> || ...)` query while a probe
  client sends a cheap uncached SELECT every 20 ms. Target: probe p99 under 100 ms.
- **runaways**: 4 clients loop a cross-product query that runs into the time limit, while probe
  clients send cheap uncached SELECTs and fetch pages (a use-case page, a search). Target: p99 of
  both under 1 s.

Records p50, p99, max and the status codes of every kind, with the machine's load, in
docs/benchmarks.md (between the bench_fairness markers).

    .venv/bin/python bench/bench_fairness.py --flood-seconds 30 --runaway-seconds 60
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import platform
import random
import sys
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_endpoint import Server, free_port, wait_http, write_section  # noqa: E402
from bench_load import P, pct, sample_iris  # noqa: E402

from odl_graph.config import load_settings  # noqa: E402

START, END = "<!-- bench_fairness.py: start -->", "<!-- bench_fairness.py: end -->"
JSON = {"Accept": "application/sparql-results+json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def or_query(base_iri: str, seed: int) -> str:
    terms = " || ".join(f"?uc = <{base_iri}id/usecase/x{seed}-{i}>" for i in range(6000))
    return P + f"SELECT ?uc WHERE {{ ?uc a odl:UseCase . FILTER ({terms}) }}"


def cheap(r: int) -> str:
    return P + f"SELECT ?s ?l WHERE {{ ?s a odl:Dataset ; rdfs:label ?l }} LIMIT 5 OFFSET {r}"


def client(port: int, addr: str, kind: str, requests: list[tuple[str, str, str | None, dict[str, str]]],
           seconds: float, start: float, pause: float, out: mp.Queue) -> None:
    """Loop the given (method, path, body, headers) until the time is up; report latencies and statuses."""
    rng = random.Random(addr)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(addr, 0))
    while time.time() < start:
        time.sleep(0.005)
    lat: list[float] = []
    statuses: Counter = Counter()
    while time.time() < start + seconds:
        method, path, body, headers = rng.choice(requests)
        path = path.replace("%7Br%7D", str(rng.randrange(1000)))
        t = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            statuses[resp.status] += 1
        except OSError as exc:
            statuses[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(addr, 0))
        lat.append(time.perf_counter() - t)
        if pause:
            time.sleep(pause)
    out.put((kind, lat, dict(statuses)))


def scenario(port: int, groups: list[tuple[str, int, list, float]], seconds: float) -> dict[str, dict]:
    """Run every (kind, clients, requests, pause) group at once; per kind: p50, p99, max (ms), statuses."""
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    start = time.time() + 0.5
    procs, n = [], 10
    for kind, clients, requests, pause in groups:
        for _ in range(clients):
            n += 1
            procs.append(ctx.Process(target=client, args=(port, f"127.0.0.{n}", kind, requests, seconds, start,
                                                          pause, out)))
    for p in procs:
        p.start()
    results: dict[str, dict] = {}
    for _ in procs:
        kind, lat, statuses = out.get()
        r = results.setdefault(kind, {"lat": [], "statuses": Counter()})
        r["lat"] += lat
        r["statuses"].update(statuses)
    for p in procs:
        p.join()
    return {k: {"n": len(v["lat"]), "p50": pct(v["lat"], 50), "p99": pct(v["lat"], 99),
                "max": max(v["lat"]) * 1000, "statuses": dict(v["statuses"])} for k, v in results.items()}


def table(res: dict[str, dict]) -> list[str]:
    lines = ["| kind | requests | p50 ms | p99 ms | max ms | statuses |", "|---|---|---|---|---|---|"]
    for kind, r in res.items():
        statuses = ", ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items(), key=str))
        lines.append(f"| {kind} | {r['n']} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {statuses} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default=None, help="store folder (default: the configured store)")
    ap.add_argument("--flood-seconds", type=float, default=30.0)
    ap.add_argument("--runaway-seconds", type=float, default=60.0)
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    settings = load_settings({"store": args.store} if args.store else None)
    base_iri = settings["base_iri"]
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--set", f"store={settings['store']}",
           "--set", "result_cache_bytes=0"]
    server = Server("odl-graph", cmd, port, "/sparql", {**os.environ, "PYTHONPATH": str(ROOT)})
    load = [os.getloadavg()[0]]
    try:
        wait_http(port, "/health", 300)
        usecases = sample_iris(port, "UseCase", 10)
        probe = [("GET", "/sparql?query=" + urllib.parse.quote(cheap(0)).replace("OFFSET%200", "OFFSET%20%7Br%7D"),
                  None, JSON)]
        flood = [("POST", "/sparql", urllib.parse.urlencode({"query": or_query(base_iri, i)}), FORM) for i in range(5)]
        pages = [("GET", "/" + u[len(base_iri):], None, {"Accept": "text/html"}) for u in usecases] + [
            ("GET", "/search?q=" + urllib.parse.quote(w), None, {}) for w in ("eau", "arbres", "vélo")]
        runaway = [("POST", "/sparql", urllib.parse.urlencode({"query": RUNAWAY}), FORM)]
        flood_res = scenario(port, [("6,000-term OR (10 clients)", 10, flood, 0.0),
                                    ("cheap uncached SELECT (probe)", 1, probe, 0.02)], args.flood_seconds)
        load.append(os.getloadavg()[0])
        print(flood_res, flush=True)
        run_res = scenario(port, [("runaway (4 clients)", 4, runaway, 0.0),
                                  ("cheap uncached SELECT (probe)", 1, probe, 0.05),
                                  ("page (probe)", 1, pages, 0.05)], args.runaway_seconds)
        load.append(os.getloadavg()[0])
        print(run_res, flush=True)
    finally:
        server.stop()
    probe_flood = flood_res["cheap uncached SELECT (probe)"]["p99"]
    worst = max(run_res["cheap uncached SELECT (probe)"]["p99"], run_res["page (probe)"]["p99"])
    lines = [
        "## Fair workers: cheap queries and pages under floods and runaways",
        "",
        "Generated by `bench/bench_fairness.py` (do not edit by hand): `.venv/bin/python bench/bench_fairness.py "
        f"--flood-seconds {args.flood_seconds:g} --runaway-seconds {args.runaway_seconds:g}`. Machine: "
        f"{platform.machine()}, {os.cpu_count()} CPUs shared with other jobs (load average "
        f"{' → '.join(f'{x:.1f}' for x in load)} at the start, between the scenarios and at the end); run "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Store: the configured one (the shipped graph as `odl-graph build` "
        "writes it). Server: `python -m server.serve` with the defaults (2 query workers + 1 reserve, 10 s "
        "time limit) but the result cache off, so every probe is evaluated by a worker. Each client is a "
        "process on its own loopback address (per-client fairness goes by address), on one persistent "
        "connection.",
        "",
        "Flood: 10 clients loop POSTing a 6,000-term `FILTER (?uc = <…> || …)` query (about 400 KB each); "
        "one probe sends a cheap uncached SELECT (`LIMIT 5 OFFSET r`) every 20 ms.",
        "",
        *table(flood_res),
        "",
        f"Probe p99 {probe_flood:.0f} ms (target under 100 ms: **{'met' if probe_flood < 100 else 'not met'}**).",
        "",
        "Runaways: 4 clients loop a cross-product COUNT that runs into the 10 s time limit (503 by design); "
        "one probe sends the cheap uncached SELECT every 50 ms, another fetches pages (use-case pages, "
        "`/search`) every 50 ms.",
        "",
        *table(run_res),
        "",
        f"Worst probe p99 {worst:.0f} ms (target under 1 s: **{'met' if worst < 1000 else 'not met'}**).",
    ]
    write_section(Path(args.out), "\n".join(lines), START, END)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
