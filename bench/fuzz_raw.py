"""Raw fuzz of every route of the server: not a test (tests/test_fuzz.py runs a small share of it).

Every rule of the app's URL map, with its path variables filled by hostile or plausible values, random
query parameters (every name the code reads, with empty, huge, negative, non-numeric, markup and
Unicode values), methods, Accept / Content-Type / Accept-Language headers and bodies. Against
`python -m server.serve` over a store (default: the page fixture store, built in a temporary folder;
`--store PATH` for another, `--store configured` for the shipped one). Counts answers by status and
lists every failure with its request: a 500 or any 5xx but 503 (the answer for a resource limit or
a temporary state: time limit, busy workers, dumps being made, each with its message), or a dropped
connection.

    .venv/bin/python bench/fuzz_raw.py --requests 40000 --clients 8
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

PARAMS = ["q", "type", "theme", "lang", "offset", "_size", "size", "limit", "format", "commune", "usecase",
          "query", "update", "default-graph-uri", "named-graph-uri", "graph", "default", "view", "truncate",
          "page", "sort", "order", "ext", "season", "min_use_cases", "standard", "actor", "category", "status",
          "challenge", "kind", "level", "scheme", "code", "insee", "id", "iri", "_format", "output", "results"]
VALUES = ["", "0", "1", "-1", "2", "100000", "99999999999999999999", "1e309", "NaN", "x", "true", "false",
          "35360", "99999", "2A004", "ilots-de-fraicheur", "xss", "climate-adaptation", "biodiversity", "all",
          "commerce", "Commune", "UseCase", "Actor", "Dataset", "fr", "en", "xx", "json", "csv", "ttl", "html",
          "jsonld", "nt", "rdf", "xml", "tsv", "<script>alert(1)</script>", "' OR 1=1 --", "%", "%00", "\x00",
          "é" * 300, "../../etc/passwd", "https://example.org/x", "https://w3id.org/odl-graph/id/commune/35360",
          "SELECT * WHERE { ?s ?p ?o }", "ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }", "SELECT (1/0 AS ?x) {}",
          "SELECT * { ?s ?p ?o } ORDER BY ?o", "PREFIX", "{", "}", "\\", "\u202e", "𝕏", "a" * 3000,
          "etalab/schema-arbre", "openness", "property", "vitre", " ", "+", "0x10", "1.5", "-0"]
SEGMENTS = ["", "x", "xss", "35360", "99999", "2A004", "ilots-de-fraicheur", "ilots-de-chaleur", "arbres",
            "arbres-vitre", "cci-bretagne", "openness", "property", "theme", "climate-adaptation", "etalab",
            "schema-arbre", "vitre-2023", "usecase", "commune", "dataset", "a.ttl", "a.html", "a.", ".json",
            "%2e%2e", "..", "é", "𝕏", "<b>", "%00", "a" * 300, "index", "UseCase", "Commune", "Actor"]
ACCEPTS = ["", "*/*", "text/html", "application/json", "text/turtle", "application/sparql-results+json",
           "text/csv", "application/ld+json", "application/rdf+xml", "image/png", "text/*;q=0.5, */*;q=0.1",
           "application/json;q=abc", ";;;", "text/html, application/xhtml+xml"]
CTYPES = ["", "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
          "application/json", "text/turtle", "application/ld+json", "multipart/form-data", "text/plain",
          "application/rdf+xml"]
BODIES = [b"", b"query=ASK%7B%7D", b"SELECT * WHERE { ?s ?p ?o } LIMIT 1", b"{\"a\": 1}", b"\xff\xfe\x00",
          b"<x/>", b"query=" + b"%7B" * 500, b"INSERT DATA { <a:b> <a:c> <a:d> }", b"a=b&c=d&query="]
METHODS = ["GET"] * 14 + ["HEAD", "POST", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]


def routes() -> list[str]:
    """The URL rules of the app, e.g. '/id/<path:rest>'."""
    from server import create_app

    app = create_app({"store": tempfile.mkdtemp(prefix="odl-fuzz-routes-")})  # no engine is started
    return sorted({r.rule for r in app.url_map.iter_rules()})


def fill(rule: str, rng: random.Random) -> str:
    def segment(m: re.Match[str]) -> str:
        parts = [rng.choice(SEGMENTS) for _ in range(rng.choice([1, 1, 1, 2, 3]) if "path:" in m.group(0) else 1)]
        return "/".join(quote(p, safe="") for p in parts)

    return re.sub(r"<[^>]+>", segment, rule)


def request(rng: random.Random, rules: list[str]) -> tuple[str, str, dict[str, str], bytes]:
    path = fill(rng.choice(rules), rng)
    if rng.random() < 0.1:
        path += rng.choice([".ttl", ".html", ".json", ".csv", ".", ".xyz", "/"])
    params = [(rng.choice(PARAMS), rng.choice(VALUES)) for _ in range(rng.choice([0, 1, 1, 2, 3, 5]))]
    if params:
        path += "?" + "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params)
    headers = {"Accept": rng.choice(ACCEPTS), "Accept-Language": rng.choice(["", "fr", "en", "de;q=x", "*"])}
    method = rng.choice(METHODS)
    body = b""
    if method in ("POST", "PUT", "PATCH"):
        headers["Content-Type"] = rng.choice(CTYPES)
        body = rng.choice(BODIES)
    return method, path, {k: v for k, v in headers.items() if v}, body


def fuzz(url: str, total: int, clients: int, seed: int) -> dict[str, Any]:
    import requests

    rules = routes()
    counts: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    lock = threading.Lock()
    left = iter(range(total))

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        s = requests.Session()
        for _ in iter_lock(left, lock):
            method, path, headers, body = request(rng, rules)
            try:
                resp = s.request(method, url + path, headers=headers, data=body, timeout=60, allow_redirects=False)
                status, text = resp.status_code, resp.text[:300]
            except requests.RequestException as exc:
                status, text = 0, str(exc)[:300]
            with lock:
                counts[status] += 1
                done = sum(counts.values())
                if done % 5000 == 0:
                    print(f"{done} requests, {len(failures)} failures", file=sys.stderr, flush=True)
                if status == 0 or (status >= 500 and status != 503):
                    failures.append(f"{status} {method} {path[:300]} {headers} {body[:80]!r} -> {text}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": sum(counts.values()), "seconds": time.monotonic() - t0, "status": dict(counts),
            "failures": failures, "routes": len(rules)}


def iter_lock(it: Iterator[int], lock: threading.Lock) -> Iterator[int]:
    while True:
        with lock:
            try:
                yield_value = next(it)
            except StopIteration:
                return
        yield yield_value


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=40000)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--store", help="store folder, or 'configured' for the configured one (what `odl-graph build` "
                                   "wrote); default: the page fixture store, built now")
    p.add_argument("--url", help="fuzz a server already running at this URL instead")
    args = p.parse_args()
    if args.url:
        report = fuzz(args.url, args.requests, args.clients, args.seed)
    else:
        from conftest import free_port, running_server

        store = args.store
        if not store:
            from pages_fixture import build_fixture_store

            store = tempfile.mkdtemp(prefix="odl-fuzz-store-")
            build_fixture_store(Path(store))
        port = free_port()
        cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", "2"]
        if store != "configured":
            cmd += ["--set", f"store={store}"]
        with running_server(cmd, port) as url:
            report = fuzz(url, args.requests, args.clients, args.seed)
    print(f"{report['requests']} requests over {report['routes']} routes in {report['seconds']:.0f} s "
          f"({report['requests'] / report['seconds']:.0f}/s); status: {sorted(report['status'].items())}")
    for line in report["failures"][:200]:
        print(line)
    print(f"{len(report['failures'])} failures (500, other 5xx, connection errors)")
    sys.exit(1 if report["failures"] else 0)


if __name__ == "__main__":
    main()
