"""The layout rules that keep the library readable: no module of odl_graph/ or server/ over 600 lines,
and no virtualenv, node_modules or build output tracked by git."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 600


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_no_module_over_600_lines() -> None:
    sources = [n for n in tracked() if n.startswith(("odl_graph/", "server/")) and n.endswith(".py")]
    assert len(sources) > 50  # the scan sees the library and the web layer
    long = {n: lines for n in sources
            if (lines := len((ROOT / n).read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_environment_is_tracked() -> None:
    parts = [n.split("/") for n in tracked()]
    bad = ["/".join(p) for p in parts if p[0] in (".venv", "var", "test-artifacts") or "node_modules" in p]
    assert not bad, f"tracked files that belong to a machine, not the repository: {bad[:10]}"
