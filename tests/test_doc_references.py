"""Every `docs/…` path that the code, the tests, the data or the documentation cite exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# docs/… as a path of this repository: not the tail of a URL (…/en-US/docs/Web) nor of another path.
CITED = re.compile(r"(?<![\w/.:%-])docs/[\w./-]*\w")
TEXT = (".py", ".md", ".toml", ".sh", ".ttl", ".rq", ".j2", ".html", ".js", ".css", ".csv", ".yml", ".yaml", ".txt")


def cited_paths() -> dict[str, list[str]]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    cited: dict[str, list[str]] = {}
    for name in files:
        path = ROOT / name
        if not name.endswith(TEXT) or not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for m in CITED.finditer(line):
                cited.setdefault(m.group(0), []).append(f"{name}:{n}")
    return cited


def test_the_scan_finds_the_citations() -> None:
    """The scan itself works: README and this module cite docs/design.md."""
    assert any(w.startswith("README.md:") for w in cited_paths()["docs/design.md"])


def test_every_cited_docs_path_exists() -> None:
    missing = {p: where for p, where in cited_paths().items() if not (ROOT / p).exists()}
    assert not missing, "cited but missing: " + "; ".join(f"{p} ({', '.join(w[:3])})" for p, w in missing.items())
