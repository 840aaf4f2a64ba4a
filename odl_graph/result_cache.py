"""A byte-bounded LRU of serialised query answers, valid for one store version. No Flask.

The store is read-only between builds and updates, so the same query text over the same dataset,
asked for in the same format with the same row cap, always serialises to the same bytes. Keeping
those bytes lets a repeated query skip the round trip to a query worker and the evaluation. The
cache holds one store version: every lookup and every insert names the version it is for, and the
engine clears the cache (naming the new version) whenever the version changes, so an answer from
an older version can never be served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

ENTRY_OVERHEAD = 256  # rough bytes of Python objects around each entry (key tuple, Result, links)


class ResultCache:
    """Thread-safe LRU bounded by the total size of its entries (bodies + keys + overhead).

    An entry larger than a quarter of the bound is not kept: one huge answer would otherwise
    evict every other entry. `max_bytes <= 0` disables the cache (every lookup misses).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, int(max_bytes))
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: str | None, key: Hashable) -> Any | None:
        """The value stored for `key` under this store version, or None."""
        if not self.max_bytes:
            return None
        with self._lock:
            if version != self._version:
                self.misses += 1
                return None
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, version: str | None, key: Hashable, value: Any, nbytes: int) -> bool:
        """Keep `value` (about `nbytes` of payload) for `key`; False when it was not kept.

        A put for another version than the one the cache was last cleared for is refused: it comes
        from a query that was running while the store changed.
        """
        size = int(nbytes) + ENTRY_OVERHEAD
        if not self.max_bytes or size > self.max_bytes // 4:
            return False
        with self._lock:
            if version != self._version:
                return False
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
            return True

    def clear(self, version: str | None = None) -> None:
        """Forget every entry and accept entries for `version` only (called on every store change)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self._version = version

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "max_bytes": self.max_bytes,
                    "hits": self.hits, "misses": self.misses}
