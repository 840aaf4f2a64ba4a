"""Every declared setting is documented in docs/settings.md, with its environment variable."""

from __future__ import annotations

import re
from pathlib import Path

from odl_graph.config import SETTINGS

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (\S+)\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_setting_has_a_section() -> None:
    documented = sections()
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert not missing, f"docs/settings.md lacks a '## name' heading for: {', '.join(missing)}"


def test_no_section_for_an_unknown_setting() -> None:
    known = {s.name for s in SETTINGS}
    extra = [name for name in sections() if name not in known]
    assert not extra, f"docs/settings.md documents settings that do not exist: {', '.join(extra)}"


def test_each_section_names_its_environment_variable() -> None:
    documented = sections()
    for s in SETTINGS:
        body = documented.get(s.name, "")
        assert f"`{s.env}`" in body, f"docs/settings.md section {s.name} does not name {s.env}"
