"""Benchmark: the server process's memory while it sends 1 MB, 100 MB and 300 MB answers. Not a test.

Starts `python -m server.serve` over a tiny store and asks `/sparql` for CONSTRUCT answers of about
the given sizes (N-Triples, a ~1 KB literal per triple, rows made by VALUES in the query itself, so
the store stays small and only the answer grows). The client reads each answer in 64 KB pieces and
throws them away. After each answer the server's resident size and its peak (VmRSS, VmHWM of
/proc/PID/status, the figures /health reports under `server_memory`) are recorded; answers stream
from the query worker in chunks, so the peak should stay flat whatever the answer size.

    .venv/bin/python bench/bench_memory.py --sizes 1,100,300
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_endpoint import Server, free_port, wait_http, write_section  # noqa: E402

from odl_graph.stores import EmbeddedStore  # noqa: E402

START, END = "<!-- bench_memory.py: start -->", "<!-- bench_memory.py: end -->"
LITERAL = "x" * 1000


def query(megabytes: float) -> str:
    """A CONSTRUCT of about `megabytes` MB of N-Triples: 1,000 x N rows of ~1.05 KB each."""
    n = max(1, round(megabytes * 1_000_000 / 1_050_000))
    values_i = " ".join(map(str, range(1000)))
    values_j = " ".join(map(str, range(n)))
    return (f'CONSTRUCT {{ ?x <http://e/p> "{LITERAL}" }} WHERE {{ VALUES ?i {{ {values_i} }} '
            f'VALUES ?j {{ {values_j} }} BIND(IRI(CONCAT("http://e/", STR(?i), "/", STR(?j))) AS ?x) }}')


def memory(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def fetch(port: int, sparql: str) -> tuple[int, int, float]:
    """(status, bytes read, seconds) of one POSTed query, read in 64 KB pieces and discarded."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t = time.perf_counter()
    c.request("POST", "/sparql", body=urllib.parse.urlencode({"query": sparql}),
              headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/n-triples"})
    r = c.getresponse()
    size = 0
    while True:
        piece = r.read(65536)
        if not piece:
            break
        size += len(piece)
    return r.status, size, time.perf_counter() - t


TOKEN = "bench-memory-token"


def entity_bomb(levels: int) -> bytes:
    """RDF/XML whose one literal expands to 16 × 10^LEVELS bytes (7: 160 MB) if a parser expands entities."""
    ents = ['<!ENTITY l0 "hahahahahahahaha">']
    ents += [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels + 1)]
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [ {" ".join(ents)} ]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
            f'<rdf:Description rdf:about="http://e/s"><ex:p>&l{levels};</ex:p></rdf:Description></rdf:RDF>').encode()


def put_bomb(port: int) -> dict:
    """A Graph Store PUT of a 7-level entity bomb: its status, the error, the time."""
    t0 = time.monotonic()
    r = requests.put(f"http://127.0.0.1:{port}/store", params={"graph": "http://e/bomb"}, data=entity_bomb(7),
                     headers={"Content-Type": "application/rdf+xml", "Authorization": f"Bearer {TOKEN}"}, timeout=120)
    return {"status": r.status_code, "error": (r.json().get("error") if r.headers.get("content-type", "").startswith(
        "application/json") else r.text[:200]), "seconds": time.monotonic() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,100,300", help="answer sizes in MB")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="odl-bench-mem-"))
    EmbeddedStore(work / "store").replace_all(b'<http://e/a> <http://e/b> "c" <http://e/g> .\n')
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--set", f"store={work / 'store'}",
           "--set", "query_timeout=300", "--set", "result_cache_bytes=0", "--set", f"update_token={TOKEN}"]
    server = Server("odl-graph", cmd, port, "/sparql", {**os.environ, "PYTHONPATH": str(ROOT)})
    rows = []
    try:
        wait_http(port, "/health", 300)
        fetch(port, query(0.1))  # warm-up: the first request's imports and buffers
        base = memory(server.proc.pid)
        print(f"after warm-up: {base}", flush=True)
        for mb in sizes:
            status, size, seconds = fetch(port, query(mb))
            mem = memory(server.proc.pid)
            rows.append({"mb": mb, "status": status, "bytes": size, "seconds": seconds, **mem})
            print(rows[-1], flush=True)
        bomb = put_bomb(port)
        bomb.update(memory(server.proc.pid))
        print(bomb, flush=True)
    finally:
        server.stop()
    peak_growth = max(r["VmHWM"] for r in rows) - base["VmHWM"]
    lines = [
        "## The server process's memory under large answers",
        "",
        "Generated by `bench/bench_memory.py` (do not edit by hand): "
        f"`.venv/bin/python bench/bench_memory.py --sizes {args.sizes}`. Machine: {platform.machine()}, "
        f"{os.cpu_count()} CPUs shared with other jobs (load average {load_start[0]:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end); run {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "One server (`python -m server.serve`, defaults but the result cache off and a 300 s time "
        "limit) over a one-triple store; CONSTRUCT answers in N-Triples made of 1 KB literals, rows "
        "from VALUES in the query, read by the client in 64 KB pieces and discarded. Resident size "
        "(VmRSS) and peak (VmHWM) of the server process, the figures `/health` reports in "
        "`server_memory`. Answers over 256 KB cross the worker's pipe in 256 KB chunks and go out "
        "to the client as they come (`odl_graph/engine/serialize.py`, `ChunkSink`), so no answer is "
        "ever whole in the server process.",
        "",
        f"After a warm-up: RSS {base['VmRSS']:.0f} MB, peak {base['VmHWM']:.0f} MB.",
        "",
        "| answer | status | bytes sent | seconds | RSS after (MB) | peak so far (MB) |",
        "|---|---|---|---|---|---|",
        *[f"| {r['mb']:g} MB | {r['status']} | {r['bytes']:,} | {r['seconds']:.1f} | {r['VmRSS']:.0f} | "
          f"{r['VmHWM']:.0f} |" for r in rows],
        "",
        f"Peak growth over the warm-up across all answers: **{peak_growth:.0f} MB** "
        f"(target: flat within 50 MB: **{'met' if peak_growth <= 50 else 'not met'}**). Before this change "
        "(issue 24) answers were pickled whole to the server: two concurrent 341 MB CONSTRUCT answers took "
        "it from 1,485 to 2,785 MB.",
        "",
        f"Then a Graph Store PUT of an RDF/XML entity bomb ({len(entity_bomb(7)):,} bytes; expanded, one 160 MB "
        f"literal): **{bomb['status']}** in {bomb['seconds']:.2f} s, \"{bomb['error']}\"; the server's RSS after it "
        f"{bomb['VmRSS']:.0f} MB, peak {bomb['VmHWM']:.0f} MB (refused without growing the server: "
        f"**{'met' if bomb['status'] == 400 and bomb['VmHWM'] - base['VmHWM'] <= 50 else 'not met'}**).",
    ]
    write_section(Path(args.out), "\n".join(lines), START, END)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
