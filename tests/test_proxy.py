"""The documented reverse proxy (docs/deploy/nginx-odl-graph.conf, Debian's nginx) in front of the real
server: 400 slow connections (header trickles, body trickles, readers that do not read) from 40
client addresses, and /health still answers within 1 s through the proxy.

nginx runs unprivileged from the test itself, on a free port, with a temporary main configuration
that includes the documented file unchanged except for its two addresses.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ROOT, free_port, running_server
from pages_fixture import build_fixture_store

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
CONF = ROOT / "docs" / "deploy" / "nginx-odl-graph.conf"
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/setup.sh test)")

SLOW = 400
ADDRESSES = 40  # 127.0.0.2 ... : 10 connections each, under the documented per-address limits
MAIN = """worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/odl-graph.conf;
}}
"""


def documented_config(listen: int, upstream: int) -> str:
    text = CONF.read_text(encoding="utf-8")
    assert "listen 80;" in text and "server 127.0.0.1:8000;" in text
    return text.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace(
        "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")


@contextlib.contextmanager
def nginx(upstream: int) -> Iterator[str]:
    port = free_port()
    d = Path(tempfile.mkdtemp(prefix="odl-nginx-"))
    os.chmod(d, 0o755)  # nginx's workers drop to `nobody` when the test runs as root
    (d / "odl-graph.conf").write_text(documented_config(port, upstream), encoding="utf-8")
    (d / "nginx.conf").write_text(MAIN.format(d=d), encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(d / "nginx.conf")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()  # type: ignore[union-attr]
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    store = tmp_path_factory.mktemp("proxy-store")
    build_fixture_store(store)
    port = free_port()
    cmd = [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", "1", "--set", f"store={store}"]
    with running_server(cmd, port):
        yield port


class Attack:
    """SLOW connections from ADDRESSES loopback addresses, each sending one byte a second (or reading nothing)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.socks: list[tuple[str, socket.socket]] = []
        self.closed: dict[str, int] = {"header": 0, "body": 0, "reader": 0}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def open(self) -> None:
        for i in range(SLOW):
            kind = ("header", "body", "reader")[i % 3]
            s = socket.socket()
            self.socks.append((kind, s))  # closed by close() whatever happens below
            if kind == "reader":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            s.bind((f"127.0.0.{2 + i % ADDRESSES}", 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", self.port))
            if kind == "header":
                s.sendall(b"GET /health HTTP/1.1\r\nHost: odl\r\n")
            elif kind == "body":
                s.sendall(b"POST /sparql HTTP/1.1\r\nHost: odl\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 100000\r\n\r\nASK {")
            else:
                s.sendall(b"GET /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\n"
                          b"Host: odl\r\nAccept: text/csv\r\n\r\n")
            s.setblocking(False)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stop.wait(1.0):
            for kind, s in list(self.socks):
                if kind == "reader":
                    continue
                try:
                    s.send(b"X-Slow: 1\r\n"[:1] if kind == "header" else b" ")
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:  # closed by the proxy
                    self.socks.remove((kind, s))
                    s.close()
                    self.closed[kind] += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for _, s in self.socks:
            s.close()


def test_health_answers_through_the_proxy_under_400_slow_connections(upstream: int) -> None:
    with nginx(upstream) as url:
        assert requests.get(url + "/health", timeout=5).status_code == 200
        attack = Attack(int(url.rsplit(":", 1)[1]))
        try:
            attack.open()
            latencies = []
            for _ in range(24):  # 12 s: past the documented 10 s header limit
                t0 = time.monotonic()
                resp = requests.get(url + "/health", timeout=5)
                latencies.append(time.monotonic() - t0)
                assert resp.status_code == 200
                time.sleep(0.5)
            assert max(latencies) < 1.0, f"/health took up to {max(latencies):.2f} s: {latencies}"
            # the header trickles were cut by client_header_timeout although they kept sending
            assert attack.closed["header"] >= SLOW // 3 - 5, attack.closed
        finally:
            attack.close()
