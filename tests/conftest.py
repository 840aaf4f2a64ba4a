"""Shared fixtures: a tiny store built from tests/data/endpoint_fixture.trig, an engine, the app."""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from odl_graph import dumps
from odl_graph.config import load_settings
from odl_graph.engine import Engine
from odl_graph.stores import EmbeddedStore

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "endpoint_fixture.trig"
TOKEN = "s3cret-token"


@pytest.fixture(scope="session")
def fixture_nquads() -> bytes:
    return ox.serialize(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG), format=ox.RdfFormat.N_QUADS)


@pytest.fixture(scope="session")
def fixture_counts(fixture_nquads: bytes) -> dict[str, int]:
    """Triples per named graph, counted independently of the store."""
    counts: dict[str, int] = {}
    for q in ox.parse(fixture_nquads, format=ox.RdfFormat.N_QUADS):
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    return counts


def make_store(path: Path, nquads: bytes) -> Path:
    """A store with one version, and its dumps made (what a server makes in the background)."""
    store = EmbeddedStore(path)
    store.replace_all(nquads)
    dumps.make(path, store.version() or "", licence=load_settings()["licence"])
    return path


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory, fixture_nquads: bytes) -> Path:
    """A read-only test store shared by the session (never updated)."""
    return make_store(tmp_path_factory.mktemp("store"), fixture_nquads)


@pytest.fixture(scope="session")
def app(store_path: Path) -> Iterator[Any]:
    """One app over the read-only store for the session; its engine starts on the first query."""
    from server import create_app
    from server.engine import close_engine

    app = create_app({"store": str(store_path), "workers": 2, "query_timeout": 2.0, "row_cap": 1000,
                      "TESTING": True})
    yield app
    close_engine(app)


@pytest.fixture(scope="session")
def engine(app: Any) -> Engine:
    from server.engine import get_engine

    return get_engine(app)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def app_factory(tmp_path: Path, fixture_nquads: bytes) -> Iterator[Callable[..., Any]]:
    """Factory of apps over a private copy of the store, with their own engine (closed at teardown)."""
    from server import create_app
    from server.engine import close_engine

    apps: list[Any] = []

    def factory(**settings: Any) -> Any:
        store = make_store(tmp_path / f"store{len(apps)}", fixture_nquads)
        app = create_app({"store": str(store), "workers": 2, "query_timeout": 2.0, "TESTING": True, **settings})
        apps.append(app)
        return app

    yield factory
    for a in apps:
        close_engine(a)


# -- a real Chromium (the browser test modules skip themselves where there is none) ----------------
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium (ODL_CHROMIUM, else Debian's), one per test module."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium"),
                              args=["--disable-gpu", "--no-first-run", "--disable-background-networking"])
        yield b
        b.close()


# -- the shipped graph ---------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def odl_graph_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 900) -> Any:
    """Run the real `odl-graph` console script in a subprocess (as a user would)."""
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("odl-graph")
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


@dataclass
class BuildResult:
    """What `odl-graph build` printed, and the store it wrote."""

    returncode: int
    stdout: str
    stderr: str
    store_path: Path


def _shared_dir(config: pytest.Config) -> Path:
    """A folder of this run that every pytest-xdist worker sees (the workers' base folders are in it)."""
    base = config._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


# The background build, kept referenced: it may outlive this process's tests (another worker waits for it).
_BUILDS: list[subprocess.Popen] = []


def start_shipped_build(config: pytest.Config) -> Path:
    """Start `odl-graph build` of the shipped sources in the background, once per run (whichever
    process comes first, under a file lock), and return its folder: `store/`, `stdout`, `stderr`, and
    `rc` written last. Started when collection ends, so the tests that need no build run meanwhile
    (on the other core) instead of waiting for it."""
    folder = _shared_dir(config) / "shipped-build"
    folder.mkdir(exist_ok=True)
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "started").exists():
            exe = Path(sys.executable).with_name("odl-graph")
            script = ('"$0" --store "$1/store" build >"$1/stdout" 2>"$1/stderr"; '
                      'echo $? >"$1/rc.tmp" && mv "$1/rc.tmp" "$1/rc"')
            _BUILDS.append(subprocess.Popen(["sh", "-c", script, str(exe), str(folder)], cwd=ROOT,
                             env={**os.environ, "COLUMNS": "200"}))  # in the run's process group: ^C stops it
            (folder / "started").touch()
    return folder


@pytest.fixture(scope="session")
def shipped_build(request: pytest.FixtureRequest) -> BuildResult:
    """`odl-graph build` of the shipped sources into a fresh store, once per test run, shared by the
    pytest-xdist workers. The tests only read that store (`odl-graph reason` over it changes nothing:
    tests/test_build.py checks so). The territory part of validation is cached in var/cache by content
    hash, as for any user build."""
    folder = start_shipped_build(request.config)  # started already, unless collection did not see it
    deadline = time.monotonic() + 1800
    while not (folder / "rc").exists():
        assert time.monotonic() < deadline, "the shipped build did not finish in 30 minutes"
        time.sleep(0.5)
    result = BuildResult(int((folder / "rc").read_text()), (folder / "stdout").read_text(encoding="utf-8"),
                         (folder / "stderr").read_text(encoding="utf-8"), folder / "store")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="session")
def shipped_store(shipped_build: BuildResult) -> EmbeddedStore:
    return EmbeddedStore(shipped_build.store_path)


# -- the fast inner loop: `pytest -m "not slow"` ----------------------------------------------------
# A test is slow when it needs a full build (the shipped-store fixtures, and every fixture built on
# them), Chromium (`browser`), an external store such as Virtuoso or Oxigraph server (`remote`), or Java
# (`java`: HermiT). Marked here from the fixtures and markers a test uses, so new tests are marked too.
SLOW_FIXTURES = frozenset({
    "shipped_build", "shipped_store",  # a full build
    "cog",  # tests/test_importers.py: the whole COG as a graph (466k triples)
    "written_report",  # tests/test_report.py: the synthesis rendered to PDF by WeasyPrint
})
SLOW_MARKERS = frozenset({"browser", "remote", "java"})


BUILD_FIXTURES = frozenset({"shipped_build", "shipped_store"})


def _needs_build(item: pytest.Item) -> bool:
    return bool(BUILD_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "slow" in item.keywords:
            continue
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or any(
                item.get_closest_marker(m) for m in SLOW_MARKERS):
            item.add_marker(pytest.mark.slow)
    # The files whose tests need the shipped build run last, so the build (started in the background
    # when collection ends) overlaps the others. Whole files move, in their order: module fixtures stay.
    late = {item.path for item in items if _needs_build(item)}
    items.sort(key=lambda item: item.path in late)


def pytest_unconfigure(config: pytest.Config) -> None:
    for build in _BUILDS:  # reap it (finished by now unless the run was cut short): no zombie, no warning
        build.poll()


def pytest_collection_finish(session: pytest.Session) -> None:
    if not session.config.option.collectonly and any(_needs_build(item) for item in session.items):
        start_shipped_build(session.config)


# -- no silent skips in CI -----------------------------------------------------------------------
# scripts/test.sh installs Java, Chromium, Virtuoso and Oxigraph server, then sets ODL_REQUIRE_ALL=1:
# a test skipped for a missing tool is then a failure, so a broken install cannot pass as green.
# Skips that are not about the environment say so with a reason starting "n/a:".


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    import os

    outcome = yield
    report = outcome.get_result()
    if os.environ.get("ODL_REQUIRE_ALL") != "1" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if not reason.removeprefix("Skipped: ").startswith("n/a:"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every tool must be installed: {reason}"


# -- real servers in subprocesses --------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(cmd: list[str], port: int, *, env: dict[str, str] | None = None,
                   startup: float = 30) -> Iterator[str]:
    """Start a server command in its own process group, wait for /health, always kill the group."""
    import os
    import signal
    import subprocess
    import tempfile
    import time

    import requests

    # stderr to a file, not a pipe: nobody reads a pipe while the server runs, and a server that logs
    # 64 KB (tracebacks, waitress' queue warnings) would block on its next write, all threads with it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below, after the kill)
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=log, start_new_session=True)

    def tail() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-2000:]

    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {tail()}")
            try:
                if requests.get(url + "/health", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within {startup} s")
            time.sleep(0.1)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        log.close()
