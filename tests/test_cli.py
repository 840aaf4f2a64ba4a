"""The command line as a user runs it: every command answers --help, queries come from an argument,
a file or stdin, and errors exit 2 with a message."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, odl_graph_cli

COMMANDS = ["build", "validate", "reason", "query", "stats", "import", "serve", "settings", "diagnostic",
            "roadmap", "ranking", "priorities", "usecases", "derive-schema", "report", "queries"]
COUNT_USE_CASES = "SELECT (COUNT(?u) AS ?n) WHERE { ?u a <https://w3id.org/odl-graph/def#UseCase> }"


def use_cases() -> int:
    with (ROOT / "data" / "curated" / "use_cases.csv").open(encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_every_command_has_help() -> None:
    result = odl_graph_cli("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout, name
        sub = odl_graph_cli(name, "--help")
        assert sub.returncode == 0 and "Usage:" in sub.stdout, (name, sub.stderr)


def test_version() -> None:
    from odl_graph import __version__

    assert odl_graph_cli("--version").stdout.strip().endswith(__version__)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_from_argument_in_each_format(shipped_build: Any, fmt: str) -> None:
    result = odl_graph_cli("--store", str(shipped_build.store_path), "query", COUNT_USE_CASES, "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "csv":
        assert list(csv.reader(io.StringIO(result.stdout))) == [["n"], [str(use_cases())]]
    elif fmt == "json":
        data = json.loads(result.stdout)
        assert data["results"]["bindings"][0]["n"]["value"] == str(use_cases())
    else:
        assert f"│ {use_cases()} " in result.stdout


def test_query_from_file_and_stdin(shipped_build: Any, tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text(COUNT_USE_CASES, encoding="utf-8")
    by_file = odl_graph_cli("--store", str(shipped_build.store_path), "query", "--file", str(q), "--format", "csv")
    exe = Path(sys.executable).with_name("odl-graph")
    by_stdin = subprocess.run([str(exe), "--store", str(shipped_build.store_path), "query", "--format", "csv"],
                              input=COUNT_USE_CASES, capture_output=True, text=True, timeout=120)
    assert by_file.stdout == by_stdin.stdout == f"n\n{use_cases()}\n"  # text mode folds the CSV \r\n


def test_query_errors_exit_2(shipped_build: Any) -> None:
    bad = odl_graph_cli("--store", str(shipped_build.store_path), "query", "SELECT * WHERE { ?s ?p }")
    assert bad.returncode == 2 and "error" in bad.stderr
    missing = odl_graph_cli("--store", "/nonexistent/odl-store", "query", "ASK {}")
    assert missing.returncode == 2 and "odl-graph build" in missing.stderr


def test_unknown_importer_exits_2() -> None:
    result = odl_graph_cli("import", "nope")
    assert result.returncode == 2 and "unknown importer 'nope'" in result.stderr and "cog" in result.stderr


@pytest.mark.slow  # validates or builds every shipped source
def test_serve_builds_when_there_is_no_store_then_answers(tmp_path: Path) -> None:
    """The README's first command ends with `odl-graph serve`: with no store it builds, then serves."""
    from conftest import free_port, running_server
    from SPARQLWrapper import JSON, SPARQLWrapper

    port = free_port()
    exe = Path(sys.executable).with_name("odl-graph")
    cmd = [str(exe), "--store", str(tmp_path / "store"), "serve", "--port", str(port), "--workers", "1"]
    with running_server(cmd, port, startup=600) as url:
        client = SPARQLWrapper(url + "/sparql")
        client.setQuery(COUNT_USE_CASES)
        client.setReturnFormat(JSON)
        bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
        assert bindings[0]["n"]["value"] == str(use_cases())


def test_build_log_shows_each_stage_as_it_starts(shipped_build: Any) -> None:
    """Piped (no terminal), the build writes one line per stage with the time since it started, so a
    first run's log shows where the time goes; on a terminal it draws rich's progress bar."""
    from odl_graph.build.pipeline import VALIDATION, WRITING, steps
    from odl_graph.config import load_settings

    lines = [ln for ln in shipped_build.stderr.splitlines() if ln.startswith("build [")]
    total = len(steps(load_settings()))
    assert len(lines) == total + 1 and lines[-1].startswith("build [done]")
    assert lines[0].startswith(f"build [1/{total}]")
    assert any(ln.endswith(VALIDATION) for ln in lines) and any(ln.endswith(WRITING) for ln in lines)
    seconds = [float(ln.split("]")[1].split()[0]) for ln in lines]
    assert seconds == sorted(seconds)
