"""What every command of the `odl-graph` CLI shares: the settings context, errors, progress and tables.

Command modules import this one; the group (odl_graph/cli/__init__.py) imports the command modules.
"""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from odl_graph.config import load_settings

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
err = Console(stderr=True)


class Ctx:
    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._settings: dict | None = None

    @property
    def settings(self) -> dict:
        if self._settings is None:
            self._settings = load_settings(self.overrides)
        return self._settings

    def override(self, **values: Any) -> None:
        """Change settings after the group options (a subcommand's own --store)."""
        self.overrides.update(values)
        self._settings = None


def store_overrides(store: str | None) -> dict[str, Any]:
    """A --store value: a SPARQL endpoint URL selects the remote backend, anything else a folder."""
    if store and "://" in store:
        return {"store_backend": "remote", "remote_query_url": store}
    return {"store": store}


pass_ctx = click.make_pass_decorator(Ctx)


def fail(exc: Exception) -> None:
    """Print a user error and exit 2 (nothing was changed)."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    sys.exit(EXIT_ERROR)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<28}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), console=err, transient=False,
    )


def graphs_table(counts: dict[str, int], title: str) -> Table:
    table = Table(title=title)
    table.add_column("named graph")
    table.add_column("triples", justify="right")
    for g, n in sorted(counts.items()):
        table.add_row(g, f"{n:,}")
    table.add_row("[bold]total", f"[bold]{sum(counts.values()):,}")
    return table
