"""Production runner: the app on waitress (threads) over one pool of killable query workers.

One server process, `workers` query processes. Threads only wait on worker pipes, so the GIL is
not the bottleneck, and updates reach every worker (a multi-process WSGI server would need one
engine per process and could not recycle them all after an update).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Mapping
from typing import Any

from odl_graph.config import load_settings
from server import create_app
from server.engine import close_engine, get_engine

M_ARENA_MAX = -8  # glibc mallopt parameters
M_MMAP_THRESHOLD = -3
MALLOC_ARENAS = 2
MMAP_THRESHOLD = 128 * 1024


def bound_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas before the request threads start.

    By default glibc gives each thread that allocates under contention its own arena (up to 8 per
    core) and keeps freed memory in each one, so the server's resident size crept up with traffic
    even with the result cache off (measured: 273 -> 382 MB over 960 varied queries with the
    default; flat at 334 MB with 2 arenas; docs/security.md). Waiting threads do little allocation,
    so two arenas cost nothing measurable. No-op where mallopt does not exist (not glibc).

    The mmap threshold is fixed too: by default glibc raises it to the size of each large block
    freed, so the 256 KB chunks of streamed answers ended up in the arenas and the peak grew with
    the answer (+61 MB over a 300 MB answer); a fixed threshold keeps them mmapped and returned at
    once (docs/benchmarks.md, bench/bench_memory.py)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(ctypes.c_int(M_ARENA_MAX), ctypes.c_int(arenas))
        libc.mallopt(ctypes.c_int(M_MMAP_THRESHOLD), ctypes.c_int(MMAP_THRESHOLD))


def run(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
        settings: Mapping[str, Any] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; the store must exist (the CLI builds it first)."""
    import waitress

    bound_malloc_arenas()

    values = load_settings(settings)
    if workers:
        values["workers"] = int(workers)
    app = create_app(values)
    engine = get_engine(app)  # load the store and fork workers before accepting requests

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    # Threads only wait on worker pipes, and a request waiting for a worker holds one: with 8, ten
    # clients looping slow queries held them all and a cheap query could not even be read (3 s p50
    # in bench/bench_fairness.py). The fair queue of the pool only works for requests that reach it.
    threads = max(32, 8 * engine.size)
    print(f"odl-graph: serving http://{host}:{port}/sparql ({engine.size} query workers, "
          f"{engine.mode} store version {engine.version})", file=sys.stderr, flush=True)
    try:
        waitress.serve(app, host=host, port=port, threads=threads, ident="odl-graph",
                       max_request_body_size=max(values["max_body_bytes"] * 2, 1 << 20,
                                                 values["max_write_bytes"] if values["update_token"] else 0),
                       connection_limit=max(100, threads * 4), _quiet=True)
    except KeyboardInterrupt:
        pass
    finally:
        close_engine(app)


def main(argv: list[str] | None = None) -> None:
    """`python -m server.serve`: for tests and benchmarks (users run `odl-graph serve`)."""
    p = argparse.ArgumentParser(prog="python -m server.serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a setting")
    args = p.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    run(args.host, args.port, args.workers, overrides)


if __name__ == "__main__":
    main()
