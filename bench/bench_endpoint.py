"""Benchmark: our /sparql endpoint against Oxigraph server, same data, same client, one run.

Not a test. For each scale (about 100k and 1M triples of bench/synthetic.py):
  1. write the graph into an EmbeddedStore and into an in-memory `oxigraph serve` (loopback);
  2. start our server (`python -m server.serve`) once per store mode (memory, disk);
  3. run each query at concurrency 1 and 4 for a fixed time with the same Python client
     (one client process per concurrent connection, persistent HTTP/1.1 connections);
  4. check that every server returns the same number of results;
  5. write p50 latency and requests/s, and their ratio to Oxigraph server, to docs/benchmarks.md.

    .venv/bin/python bench/bench_endpoint.py --scales 100000,1000000 --seconds 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402

from odl_graph.store import EmbeddedStore  # noqa: E402

P = """PREFIX odl: <https://w3id.org/odl-graph/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
ID = "https://w3id.org/odl-graph/id/"
QUERIES: dict[str, tuple[str, str]] = {  # name -> (kind, query); kind 'heavy' or 'simple'
    "trace challenge→data→status": ("heavy", P + f"""
SELECT ?uc ?cat ?dataset ?status WHERE {{
  ?uc odl:addresses <{ID}challenge/ch3> ; odl:hasRequirement ?r .
  ?r odl:requiredCategory ?cat .
  ?dataset odl:instantiates ?cat ; odl:opennessStatus ?status .
}}"""),
    "non-open data per actor category": ("heavy", P + f"""
SELECT ?top (COUNT(?d) AS ?n) WHERE {{
  ?d odl:opennessStatus ?s ; dct:publisher ?a .
  FILTER(?s != <{ID}concept/openness/open>)
  ?a odl:actorCategory ?c . ?c skos:broader* ?top . FILTER NOT EXISTS {{ ?top skos:broader ?x }}
}} GROUP BY ?top ORDER BY DESC(?n)"""),
    "use cases deployable in a commune": ("heavy", P + f"""
SELECT ?uc WHERE {{
  ?uc a odl:UseCase .
  FILTER NOT EXISTS {{
    ?uc odl:hasRequirement ?r . ?r odl:requirementLevel <{ID}concept/requirement-level/indispensable> ;
        odl:requiredCategory ?cat .
    FILTER NOT EXISTS {{ ?d odl:instantiates ?cat ; dct:spatial <{ID}commune/00007> ;
                           odl:opennessStatus <{ID}concept/openness/open> }}
  }}
}}"""),
    "SKOS hierarchy": ("simple", P + """
SELECT ?c ?top ?label WHERE {
  ?c skos:inScheme <https://w3id.org/odl-graph/id/scheme/actor-category> ; skos:broader* ?top ; skos:prefLabel ?label .
  ?top skos:topConceptOf ?scheme .
}"""),
    "top producers": ("heavy", P + """
SELECT ?publisher (COUNT(?d) AS ?n) WHERE { ?d a odl:Dataset ; dct:publisher ?publisher }
GROUP BY ?publisher ORDER BY DESC(?n) LIMIT 10"""),
    "CONSTRUCT a use case": ("simple", P + f"""
CONSTRUCT {{ <{ID}usecase/uc7> ?p ?o . ?r ?rp ?ro }} WHERE {{
  {{ <{ID}usecase/uc7> ?p ?o }} UNION {{ <{ID}usecase/uc7> odl:hasRequirement ?r . ?r ?rp ?ro }}
}}"""),
    "label search": ("heavy", P + """
SELECT ?s ?label WHERE { ?s rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), "vélo 1234")) }"""),
    "simple lookup": ("simple", P + f"""
SELECT ?label WHERE {{ <{ID}dataset/d42> rdfs:label ?label }}"""),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not come up")


def request(conn: http.client.HTTPConnection, path: str, query: str) -> bytes:
    accept = "text/turtle" if query.lstrip().split("\n")[-1].startswith("CONSTRUCT") or "CONSTRUCT" in query else (
        "application/sparql-results+json")
    conn.request("GET", path + "?query=" + urllib.parse.quote(query), headers={"Accept": accept})
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"HTTP {resp.status}: {body[:300]!r}")
    return body


def result_size(body: bytes) -> int:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError):
        return body.count(b"\n")  # Turtle: roughly lines; compared by triples below


def _client(port: int, path: str, query: str, seconds: float, start: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.time() < start:
        time.sleep(0.001)
    lat: list[float] = []
    end = start + seconds
    while True:
        t = time.perf_counter()
        request(conn, path, query)
        lat.append(time.perf_counter() - t)
        if time.time() >= end:
            break
    out.put(lat)


def measure(port: int, path: str, query: str, concurrency: int, seconds: float) -> tuple[float, float]:
    """(p50 latency in ms, requests per second)."""
    ctx = mp.get_context("fork")
    out: mp.Queue = ctx.Queue()
    start = time.time() + 0.3
    procs = [ctx.Process(target=_client, args=(port, path, query, seconds, start, out)) for _ in range(concurrency)]
    for p in procs:
        p.start()
    lats = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(seconds, 1e-9)
    allv = [x for lat in lats for x in lat]
    total_time = max(sum(lat) for lat in lats)
    return statistics.median(allv) * 1000, len(allv) / max(wall, total_time)


class Server:
    def __init__(self, name: str, cmd: list[str], port: int, path: str, env: dict | None = None) -> None:
        self.name, self.port, self.path = name, port, path
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)

    def stop(self) -> None:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def start_ours(store: Path, mode: str, workers: int) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", str(workers),
           "--set", f"store={store}", "--set", f"store_mode={mode}", "--set", "query_timeout=60"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    s = Server(f"odl-graph ({mode})", cmd, port, "/sparql", env)
    wait_http(port, "/health", 300)
    return s


def start_oxigraph(nquads: bytes, workdir: Path) -> Server:
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    s = Server("Oxigraph server (memory)", [exe, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
               port, "/query")
    wait_http(port, "/query", 60)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("POST", "/store", body=nquads, headers={"Content-Type": "application/n-quads"})
    r = c.getresponse()
    r.read()
    if r.status >= 300:
        raise RuntimeError(f"oxigraph load failed: HTTP {r.status}")
    return s


def run_scale(target: int, seconds: float, workers: int, modes: list[str]) -> dict:
    t = time.perf_counter()
    nquads = synthetic.generate(target)
    n_triples = nquads.count(b"\n")
    work = Path(tempfile.mkdtemp(prefix="odl-bench-"))
    EmbeddedStore(work / "store").replace_all(nquads)
    print(f"[{target}] {n_triples} triples generated and stored in {time.perf_counter() - t:.1f} s", flush=True)
    servers: list[Server] = []
    try:
        servers.append(start_oxigraph(nquads, work))
        for mode in modes:
            servers.append(start_ours(work / "store", mode, workers))
        results: dict = {"triples": n_triples, "servers": [s.name for s in servers], "queries": {}}
        for qname, (kind, query) in QUERIES.items():
            row: dict = {"kind": kind, "sizes": {}, "c1": {}, "c4": {}}
            for s in servers:
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=600)
                body = request(conn, s.path, query)  # warm-up and size check
                row["sizes"][s.name] = result_size(body)
                for conc in (1, 4):
                    row[f"c{conc}"][s.name] = measure(s.port, s.path, query, conc, seconds)
            print(f"[{target}] {qname}: {json.dumps(row, ensure_ascii=False)}", flush=True)
            results["queries"][qname] = row
        return results
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)


def markdown(all_results: dict[int, dict], args: argparse.Namespace) -> str:
    ref = "Oxigraph server (memory)"
    lines = [
        "## SPARQL endpoint: odl-graph /sparql vs Oxigraph server",
        "",
        "Generated by `bench/bench_endpoint.py` (do not edit by hand). Reproduce with:",
        "",
        "```sh",
        f".venv/bin/python bench/bench_endpoint.py --scales {','.join(map(str, all_results))} "
        f"--seconds {args.seconds:g} --workers {args.workers} --modes {','.join(args.modes)}",
        "```",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python {platform.python_version()}; "
        f"run {time.strftime('%Y-%m-%d %H:%M')}. Data: `bench/synthetic.py` (the model of docs/design.md). "
        "Oxigraph server: PyPI `oxigraph` CLI, `oxigraph serve --union-default-graph`, in memory "
        "(its fastest setting), data POSTed to `/store`. Ours: `python -m server.serve` (waitress, "
        f"{args.workers} query worker processes, default row cap 10,000, 60 s time limit). Same client for "
        "all: Python `http.client`, GET with `Accept` JSON (Turtle for CONSTRUCT), one process per "
        f"concurrent connection, {args.seconds:g} s per cell. Client and servers share the 2 cores, so "
        "absolute numbers are low and drift about ±30 % between runs: read the ratios.",
        "",
        "Ratio = ours / Oxigraph server for requests per second (higher is better) and Oxigraph / ours "
        "for latency (higher is better). `heavy` = cross-cutting joins/aggregates/scans; `simple` = lookups.",
        "",
    ]
    for target, res in all_results.items():
        ours = [s for s in res["servers"] if s != ref]
        lines += [f"### About {target:,} triples ({res['triples']:,} generated)", ""]
        head = "| query | kind | rows | Oxigraph p50 ms | Oxigraph req/s c1 | Oxigraph req/s c4 |"
        sep = "|---|---|---|---|---|---|"
        for s in ours:
            head += f" {s} p50 ms | req/s c1 | req/s c4 | ratio c1 | ratio c4 |"
            sep += "---|---|---|---|---|"
        lines += [head, sep]
        for qname, row in res["queries"].items():
            o1, o4 = row["c1"][ref], row["c4"][ref]
            sizes = set(row["sizes"].values())
            size = str(row["sizes"][ref]) + ("" if len(sizes) == 1 else " (differs!)")
            cells = [qname, row["kind"], size, f"{o1[0]:.2f}", f"{o1[1]:.0f}", f"{o4[1]:.0f}"]
            for s in ours:
                m1, m4 = row["c1"][s], row["c4"][s]
                cells += [f"{m1[0]:.2f}", f"{m1[1]:.0f}", f"{m4[1]:.0f}", f"{m1[1] / o1[1]:.2f}×",
                          f"{m4[1] / o4[1]:.2f}×"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "`(differs!)`: the servers returned different row counts. For SELECT this is our row cap "
        "(10,000 rows, announced by `X-ODL-Truncated: true`), so that cell compares unequal work.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="100000,1000000")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--modes", default="memory,disk", type=lambda s: s.split(","))
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--json", default=str(ROOT / "bench" / "out" / "results.json"))
    ap.add_argument("--from-json", action="store_true", help="only rewrite the Markdown from --json")
    args = ap.parse_args()
    if args.from_json:
        rewrite(args.json, args.out, args)
        return
    all_results = {int(s): run_scale(int(s), args.seconds, args.workers, args.modes) for s in args.scales.split(",")}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(all_results, indent=1, ensure_ascii=False))
    write_section(Path(args.out), markdown(all_results, args))
    print(f"wrote {args.out}")


START, END = "<!-- bench_endpoint.py: start -->", "<!-- bench_endpoint.py: end -->"


def write_section(path: Path, text: str) -> None:
    """Replace this script's section of the file (between markers), keeping other sections."""
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END) + 1:]
    else:
        new = block + ("\n" + old if old else "")
    path.write_text(new, encoding="utf-8")


def rewrite(json_path: str, out: str, args: argparse.Namespace) -> None:
    """Regenerate the Markdown from a saved results.json (no new measurement)."""
    data = {int(k): v for k, v in json.loads(Path(json_path).read_text()).items()}
    write_section(Path(out), markdown(data, args))


if __name__ == "__main__":
    main()
