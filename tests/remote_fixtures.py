"""Real SPARQL stores for the store-dependent tests: Oxigraph server and Virtuoso, on loopback.

Each server is started once per test session by scripts/stores/*.sh in a temporary folder on free
ports, and stopped at the end. A missing binary skips the tests that need it, with the reason;
with ODL_REQUIRE_STORES=1 (set it in CI) a missing binary fails them instead.

`BACKENDS` and the `backend_store` fixture let a test run on the embedded store and both servers:

    def test_x(backend_store):
        store = backend_store({graph_iri: ntriples_bytes, ...})   # loaded, ready to query
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from odl_graph.stores import EmbeddedStore, GraphStore, RemoteStore
from odl_graph.stores.http import Credentials

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts" / "stores"
BACKENDS = ("embedded", "oxigraph", "virtuoso")
VIRTUOSO_USER = "odl"
VIRTUOSO_PASSWORD = "odl-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(binary: str, hint: str) -> None:
    reason = f"{binary} is not installed ({hint}); scripts/setup.sh installs it"
    if os.environ.get("ODL_REQUIRE_STORES") == "1":
        pytest.fail(reason + " and ODL_REQUIRE_STORES=1")
    pytest.skip(reason)


def _run(args: list[str], env: Mapping[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@dataclass
class Server:
    """A store started by scripts/stores/<name>.sh."""

    name: str
    url: str
    folder: Path
    args: list[str]
    env: dict[str, str]
    credentials: Credentials

    def stop(self) -> None:
        _run([str(SCRIPTS / f"{self.name}.sh"), "stop", *self.args], self.env)

    def start(self) -> None:
        self.url = _run([str(SCRIPTS / f"{self.name}.sh"), "start", *self.args], self.env)

    def kill(self) -> None:
        """Crash the server (SIGKILL): no checkpoint, no clean shutdown."""
        if self.name == "virtuoso":
            _run([str(SCRIPTS / "virtuoso.sh"), "kill", *self.args], self.env)
        else:
            pid = (self.folder / "server.pid").read_text().strip()
            os.kill(int(pid), 9)

    def store(self, prefix: str | None = None, **kwargs: object) -> RemoteStore:
        """A RemoteStore on this server; a fresh graph prefix keeps tests apart on a shared server."""
        prefix = prefix or f"http://test.invalid/{uuid.uuid4().hex[:12]}/"
        return RemoteStore(self.url, graph_prefix=prefix, credentials=self.credentials, **kwargs)  # type: ignore[arg-type]


def start_oxigraph(folder: Path) -> Server:
    if not ((ROOT / ".venv" / "bin" / "oxigraph").exists() or shutil.which("oxigraph")):
        _missing("oxigraph (Oxigraph server)", "pip install oxigraph")
    server = Server("oxigraph", "", folder, [str(folder), str(free_port())], {}, Credentials())
    server.start()
    return server


def start_virtuoso(folder: Path, *, max_rows: int = 10000, max_time: int = 60) -> Server:
    """Virtuoso with the packaged row cap (10000) unless told otherwise, and a write account."""
    if not shutil.which("virtuoso-t"):
        _missing("virtuoso-t (Virtuoso)", "apt-get install virtuoso-opensource")
    env = {
        "ODL_VIRTUOSO_USER": VIRTUOSO_USER,
        "ODL_VIRTUOSO_PASSWORD": VIRTUOSO_PASSWORD,
        "ODL_VIRTUOSO_MAXROWS": str(max_rows),
        "ODL_VIRTUOSO_MAXTIME": str(max_time),
    }
    args = [str(folder), str(free_port()), str(free_port())]
    server = Server("virtuoso", "", folder, args, env, Credentials(VIRTUOSO_USER, VIRTUOSO_PASSWORD, "digest"))
    server.start()
    return server


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def remote_settings(server: Server, prefix: str) -> dict[str, str]:
    """Settings overrides that point odl-graph at `server` (credentials go through the environment)."""
    return {"store_backend": "remote", "remote_query_url": server.url, "remote_graph_prefix": prefix}


def credentials_env(server: Server) -> dict[str, str]:
    c = server.credentials
    if not c.user:
        return {}
    return {"ODL_REMOTE_USER": c.user, "ODL_REMOTE_PASSWORD": c.password, "ODL_REMOTE_AUTH": c.scheme}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def backend_server(backend: str, request: pytest.FixtureRequest) -> Server | None:
    """The running server of a remote backend (None for the embedded store)."""
    if backend == "embedded":
        return None
    return request.getfixturevalue(f"{backend}_server")


@pytest.fixture
def backend_store(
    backend: str, backend_server: Server | None, tmp_path: Path
) -> Callable[[Mapping[str, bytes]], GraphStore]:
    """A loader: graphs (IRI -> N-Triples) in, a loaded store of the parametrised backend out."""

    def load(graphs: Mapping[str, bytes]) -> GraphStore:
        store: GraphStore = EmbeddedStore(tmp_path / "store") if backend_server is None else backend_server.store()
        store.replace_all(graphs)
        return store

    return load
