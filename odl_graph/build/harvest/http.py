"""A polite HTTP client for harvesting: one session, a minimum interval between requests, retries with
exponential backoff on 429 and 5xx answers (honouring `Retry-After`), and a `User-Agent` naming the project.

Every answer (successful or not) is handed to an `on_response` callback, so the harvester keeps the raw
responses of each run. Local files (a path or a `file://` URL) are read through the same interface, so a
DCAT catalogue saved on disk is harvested like a remote one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from odl_graph import __version__
from odl_graph.errors import OdlError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(OdlError):
    """A URL could not be fetched: a permanent error, or retries exhausted."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: {message}")


@dataclass
class Fetched:
    """One answer: the final URL, status, content type and body."""

    url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: str
    attempts: int = 1

    def json(self) -> object:
        import json

        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise FetchError(self.url, f"the answer is not JSON: {exc}", self.status) from exc


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def user_agent(base_iri: str) -> str:
    return f"odl-graph/{__version__} harvester (+{base_iri})"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


@dataclass
class Politeness:
    """How hard we may press a server (settings harvest_*)."""

    min_interval: float = 0.5
    retries: int = 5
    backoff: float = 1.0
    backoff_max: float = 120.0
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: dict) -> Politeness:
        return cls(
            min_interval=float(settings["harvest_min_interval"]),
            retries=int(settings["harvest_retries"]),
            backoff=float(settings["harvest_backoff"]),
            backoff_max=float(settings["harvest_backoff_max"]),
            timeout=float(settings["harvest_timeout"]),
        )


@dataclass
class Fetcher:
    """GETs with rate limit and retries; `sleep` and `clock` are injectable so tests can observe waits."""

    politeness: Politeness
    agent: str
    on_response: Callable[[Fetched], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_made: int = 0
    waits: list[float] = field(default_factory=list)
    _last: float | None = None
    _session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            self._session = requests.Session()
            self._session.headers["User-Agent"] = self.agent
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waits.append(seconds)
            self.sleep(seconds)

    def _throttle(self) -> None:
        if self._last is not None:
            self._wait(self.politeness.min_interval - (self.clock() - self._last))
        self._last = self.clock()

    def get(self, url: str, *, accept: str = "application/json") -> Fetched:
        """The answer to a GET, after retries; raises FetchError on a permanent failure."""
        local = _local_path(url)
        if local is not None:
            return self._read_file(url, local)
        attempt = 0
        while True:
            attempt += 1
            self._throttle()
            self.requests_made += 1
            try:
                resp = self.session.get(url, headers={"Accept": accept}, timeout=self.politeness.timeout)
            except requests.RequestException as exc:
                if attempt > self.politeness.retries:
                    raise FetchError(url, f"no answer after {attempt} attempt(s): {exc}") from exc
                self._wait(self._backoff(attempt))
                continue
            fetched = Fetched(resp.url, resp.status_code, resp.headers.get("Content-Type", ""), resp.content,
                              now_iso(), attempt)
            if self.on_response is not None:
                self.on_response(fetched)
            if resp.status_code < 400:
                return fetched
            if resp.status_code not in RETRY_STATUSES:
                raise FetchError(url, f"HTTP {resp.status_code} (not retried)", resp.status_code)
            if attempt > self.politeness.retries:
                raise FetchError(url, f"HTTP {resp.status_code} after {attempt} attempt(s)", resp.status_code)
            told = retry_after(resp.headers.get("Retry-After"))
            delay = self._backoff(attempt) if told is None else told
            self._wait(min(delay, self.politeness.backoff_max))

    def _backoff(self, attempt: int) -> float:
        return min(self.politeness.backoff * 2 ** (attempt - 1), self.politeness.backoff_max)

    def _read_file(self, url: str, path: Path) -> Fetched:
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise FetchError(url, f"cannot read: {exc}") from exc
        fetched = Fetched(path.resolve().as_uri(), 200, "", body, now_iso())
        if self.on_response is not None:
            self.on_response(fetched)
        return fetched


def _local_path(url: str) -> Path | None:
    """A file path or file:// URL as a Path; None for an http(s) URL."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme in {"http", "https"}:
        return None
    return Path(url)
