"""axe-core (npm, installed in tests/clients by scripts/setup.sh) run inside a Playwright page.

The script is evaluated through the DevTools protocol, so the pages' Content-Security-Policy (which
forbids inline scripts) stays as served. Each run's full result is written to test-artifacts/axe/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "clients" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "axe"
BLOCKING = ("critical", "serious")


def axe_available() -> bool:
    return AXE.is_file()


def run_axe(page: Any, name: str) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is now (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    (ARTIFACTS / f"{slug}.json").write_text(json.dumps(result["violations"], indent=1), encoding="utf-8")
    return result["violations"]


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and up to three of its elements: what a failing test prints."""
    lines = []
    for v in violations:
        targets = ["/".join(map(str, n.get("target", []))) for n in v.get("nodes", [])[:3]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) on {len(v['nodes'])} element(s): {targets}")
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    """0 critical and 0 serious violations, or a failure that names each one."""
    found = blocking(run_axe(page, name))
    assert not found, f"axe-core on {name} ({page.url}):\n{describe(found)}"
