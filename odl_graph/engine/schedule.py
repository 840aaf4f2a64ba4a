"""Who gets the next query worker: per-client fairness and what the reserve worker may take. No Flask.

- **Fairness.** Each client (its address, `CLIENT`, set by the web layer per request) carries a
  debt: the worker-seconds its queries used, halved every `HALF_LIFE` seconds. When a worker frees
  up, the waiting request whose client owes least gets it (ties: first come). A client looping
  runaway queries owes the most and waits behind everyone else; a client that sent nothing for a
  while starts at zero.
- **Query shapes.** A query's shape is its text with IRIs, strings, comments and numbers blanked
  out (the one lexer's skeleton), so `DESCRIBE <a>` and `DESCRIBE <b>` share one. The last duration
  seen per shape is kept (bounded). The reserve worker takes a shape not known to be long; one
  whose last run outlived half the reserve's limit waits for a regular worker instead.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import math
import re
import threading
import time
from collections import OrderedDict

from odl_graph.sparql_text import skeleton

CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("odl_client", default="")
HALF_LIFE = 30.0  # seconds for a client's debt to halve
SHAPES_KEPT = 4096
CLIENTS_KEPT = 10_000
_NUMBER = re.compile(r"(?<![\w?$:])[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_SPACE = re.compile(r"\s+")


def shape_of(sparql: str) -> str:
    """The query with its constants blanked: queries differing only in IRIs, literals or numbers
    share a shape (and, as far as a cheap guess goes, a duration)."""
    return _SPACE.sub(" ", _NUMBER.sub("0", skeleton(sparql))).strip()[:2048]


class Durations:
    """The last duration seen per query shape (LRU, bounded)."""

    def __init__(self, kept: int = SHAPES_KEPT) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._kept = kept
        self._lock = threading.Lock()

    def last(self, shape: str) -> float | None:
        with self._lock:
            return self._seen.get(shape)

    def record(self, shape: str, seconds: float) -> None:
        with self._lock:
            self._seen[shape] = seconds
            self._seen.move_to_end(shape)
            while len(self._seen) > self._kept:
                self._seen.popitem(last=False)


class Debts:
    """Worker-seconds per client, decaying exponentially (bounded: the smallest are forgotten)."""

    def __init__(self, half_life: float = HALF_LIFE, kept: int = CLIENTS_KEPT) -> None:
        self._debt: dict[str, tuple[float, float]] = {}  # client -> (debt, at)
        self._rate = math.log(2) / half_life
        self._kept = kept
        self._lock = threading.Lock()

    def _now(self, client: str, now: float) -> float:
        debt, at = self._debt.get(client, (0.0, now))
        return debt * math.exp(-self._rate * (now - at))

    def of(self, client: str) -> float:
        now = time.monotonic()
        with self._lock:
            return self._now(client, now)

    def charge(self, client: str, seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            self._debt[client] = (self._now(client, now) + seconds, now)
            if len(self._debt) > self._kept:
                for key, _ in heapq.nsmallest(len(self._debt) // 2, self._debt.items(), key=lambda kv: kv[1][0]):
                    del self._debt[key]


class Waiters:
    """The requests waiting for a worker, in the order they should get one. Guarded by the pool's lock."""

    def __init__(self) -> None:
        self._waiting: dict[int, tuple[float, int, bool]] = {}  # ticket -> (debt, ticket, may take reserve)
        self._tickets = itertools.count()

    def join(self, debt: float, reserve_ok: bool) -> int:
        ticket = next(self._tickets)
        self._waiting[ticket] = (debt, ticket, reserve_ok)
        return ticket

    def update(self, ticket: int, debt: float, reserve_ok: bool) -> None:
        """What a waiter knows when it wakes: its client's debt now, whether it may take the reserve now."""
        self._waiting[ticket] = (debt, ticket, reserve_ok)

    def leave(self, ticket: int) -> None:
        self._waiting.pop(ticket, None)

    def first(self, ticket: int, *, reserve: bool) -> bool:
        """Is `ticket` the one to get the next regular worker (reserve=False) or reserve worker?"""
        candidates = [w for w in self._waiting.values() if w[2] or not reserve]
        return bool(candidates) and min(candidates)[1] == ticket

    def __len__(self) -> int:
        return len(self._waiting)
