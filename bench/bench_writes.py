"""Write benchmark: Graph Store PUT of 10k and 1M triples and a one-triple INSERT DATA, side by side with
Oxigraph server, on stores holding the shipped graph. Not a test.

Both servers start from the shipped graph (the N-Quads of the configured store, i.e. what `odl-graph
build` wrote): ours is `python -m server.serve` over a copy written with `EmbeddedStore.replace_all`
(default settings: memory mode); Oxigraph server is `oxigraph serve --location DIR` (on disk, like
ours; both keep every write across a crash) loaded by one POST of the same N-Quads. Each operation
runs on both servers in alternating order, `--rounds` times (the 1M PUT once); the best time of each
is kept (other jobs on the shared machine only ever slow a run down). Times are the client's
wall-clock from the first byte sent to the last received, on one HTTP/1.1 connection. The machine's
load average before and after goes into docs/benchmarks.md (between the bench_writes markers).

    .venv/bin/python bench/bench_writes.py --rounds 3
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from odl_graph.config import load_settings  # noqa: E402
from odl_graph.stores import EmbeddedStore  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench_writes.py: start -->", "<!-- bench_writes.py: end -->"
TOKEN = "bench-token"
NT = "application/n-triples"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ntriples(n: int, tag: str) -> bytes:
    return "".join(f'<http://bench.example/{tag}/s{i}> <http://bench.example/p{i % 10}> "{tag} {i}" .\n'
                   for i in range(n)).encode()


class Server:
    def __init__(self, name: str, cmd: list[str], port: int, update: str, store: str, headers: dict[str, str],
                 env: dict[str, str] | None = None) -> None:
        self.name, self.port, self.update, self.store, self.headers = name, port, update, store, headers
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self, path: str, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start")
            try:
                status, _ = self.call("GET", path)
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start")

    def call(self, method: str, path: str, body: bytes | None = None, ctype: str | None = None) -> tuple[int, float]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        headers = dict(self.headers)
        if ctype:
            headers["Content-Type"] = ctype
        t0 = time.perf_counter()
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        r.read()
        took = time.perf_counter() - t0
        c.close()
        return r.status, took

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_ours(store: Path) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--set", f"store={store}",
           "--set", f"update_token={TOKEN}"]
    s = Server("odl-graph", cmd, port, "/update", "/store", {"Authorization": f"Bearer {TOKEN}"},
               {**os.environ, "PYTHONPATH": str(ROOT)})
    s.wait("/health")
    return s


def start_oxigraph(nquads: bytes, location: Path) -> Server:
    """Loaded by `oxigraph load` (its bulk loader) before serving: an HTTP POST of the shipped graph
    is a transaction that takes many minutes on a loaded machine, and setup is not what is measured."""
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    data = location.parent / "shipped.nq"
    data.write_bytes(nquads)
    subprocess.run([exe, "load", "--location", str(location), "--file", str(data)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    s = Server("Oxigraph server", [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                   "--union-default-graph"], port, "/update", "/store", {})
    s.wait("/query?query=ASK%7B%7D")
    return s


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--big", type=int, default=1_000_000, help="triples of the big PUT (0: skip it)")
    p.add_argument("--out", default=str(DOC))
    args = p.parse_args()
    settings = load_settings()
    shipped = EmbeddedStore(settings["store"])
    nquads = shipped.dump_nquads()
    before = loadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    servers: list[Server] = []
    try:
        EmbeddedStore(work / "ours").replace_all(nquads)
        servers = [start_ours(work / "ours"), start_oxigraph(nquads, work / "oxigraph")]
        small, big = ntriples(10_000, "small"), ntriples(args.big, "big")
        ops = [
            ("Graph Store PUT of 10,000 triples", args.rounds,
             lambda s, r: s.call("PUT", f"{s.store}?graph=http://bench.example/g10k", small, NT)),
            (f"Graph Store PUT of {args.big:,} triples", 1 if args.big else 0,
             lambda s, r: s.call("PUT", f"{s.store}?graph=http://bench.example/g1m", big, NT)),
            ("INSERT DATA of 1 triple", args.rounds,
             lambda s, r: s.call("POST", s.update, ("INSERT DATA { <http://bench.example/one> "
                                                    f"<http://bench.example/p> \"{r}\" }}").encode(),
                                 "application/sparql-update")),
        ]
        rows = []
        for label, rounds, run in ops:
            best: dict[str, float] = {}
            for r in range(rounds):
                order = servers if r % 2 == 0 else servers[::-1]
                for s in order:
                    status, took = run(s, f"{label}-{r}")
                    if status >= 300:
                        raise RuntimeError(f"{s.name}: {label}: HTTP {status}")
                    best[s.name] = min(best.get(s.name, took), took)
                    print(f"{s.name:16} {label}: {took:.3f} s", flush=True)
            if best:
                rows.append((label, best["odl-graph"], best["Oxigraph server"]))
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)
    after = loadavg()
    lines = [
        "## Writes, side by side with Oxigraph server (`bench/bench_writes.py`)", "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, {os.cpu_count()} cores "
        f"shared with other jobs; load average (1, 5, 15 min) {before} before, {after} after. Both servers "
        f"hold the shipped graph ({len(nquads.splitlines()):,} quads) on disk; odl-graph with its default "
        f"settings (memory mode, 2 query workers), Oxigraph server 0.5.13 `serve --location`. Best of "
        f"{args.rounds} rounds (the big PUT: one), client wall-clock per request.", "",
        "| operation | odl-graph | Oxigraph server | ratio (odl-graph / Oxigraph) |",
        "|---|---|---|---|",
        *[f"| {label} | {ours:.3f} s | {ref:.3f} s | {ours / ref:.2g}× |" for label, ours, ref in rows], "",
        "Target (issue 20): each within 5× of Oxigraph server's time.",
    ]
    write_section(Path(args.out), "\n".join(lines))
    print("\n".join(lines))


def write_section(path: Path, text: str) -> None:
    block = f"{START}\n{text.rstrip()}\n{END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in old and END in old:
        new = old[: old.index(START)] + block + old[old.index(END) + len(END) + 1:]
    else:
        new = (old.rstrip() + "\n\n" if old else "") + block
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
