"""First run: seconds from a fresh clone to "odl-graph: serving", with the packages cached. Not a test.

Clones this repository (its committed HEAD) into a temporary folder, runs `scripts/run.sh` there on a
free port (setup: venv and `pip install -e .` from pip's cache; the build, whose log lines show each
stage as it starts; then the server), and stops when the server prints that it is serving. Prints
the total, the build's stage lines, and the machine's load average before and after, as Markdown.

    .venv/bin/python bench/bench_first_run.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="first-run-"))
    clone = work / "odl-graph"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update({"ODL_PORT": str(free_port()), "ODL_STORE": str(clone / "var" / "store")})
    t0 = time.monotonic()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=clone, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    served = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            print(f"{time.monotonic() - t0:7.1f} s  {line.rstrip()}", flush=True)
            if "odl-graph: serving" in line:
                served = time.monotonic() - t0
                break
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    stages = [ln for ln in lines if ln.startswith("build [")]
    print()
    print(f"clone to serving: {served:.1f} s" if served else "the server never said it was serving")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after; {os.cpu_count()} cores")
    print("\n".join(f"    {ln}" for ln in stages))
    sys.exit(0 if served else 1)


if __name__ == "__main__":
    main()
