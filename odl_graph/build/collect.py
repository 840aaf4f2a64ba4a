"""Collect every named graph of a build, in load order: schema, reused vocabularies, shapes, one per
importer (odl_graph/build/registry.py), curated files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from odl_graph.build.registry import IMPORTERS
from odl_graph.build.sources import (
    SourceGraph,
    compiler_context,
    curated_graphs,
    external_graphs,
    schema_graphs,
    shape_graphs,
)


def import_graphs(data_dir: Path, names: Iterable[str] | None = None) -> list[SourceGraph]:
    wanted = list(IMPORTERS) if names is None else list(names)
    out = []
    for name in wanted:
        imp = IMPORTERS[name]
        out.append(SourceGraph("import", name, imp.to_graph(data_dir), list(imp.sources(data_dir))))
    return out


ProgressFn = Callable[[str], Any]


def collect_steps(importers: Iterable[str] | None = None) -> list[str]:
    """The progress messages of `collect_all`, in order (what a progress bar counts)."""
    names = list(IMPORTERS) if importers is None else list(importers)
    return ["ontology and vocabularies", "reused vocabularies", "shapes", *(f"import {n}" for n in names),
            "curated data"]


def collect_all(
    settings: dict,
    progress: ProgressFn | None = None,
    *,
    curated_dir: Path | None = None,
    importers: Iterable[str] | None = None,
) -> list[SourceGraph]:
    """Every named graph of a build, in load order; raises SourceError on any bad input."""
    names = list(IMPORTERS) if importers is None else list(importers)
    steps = iter(collect_steps(names))
    say = progress or (lambda _msg: None)
    data_dir = Path(settings["data_dir"])
    say(next(steps))
    schema = schema_graphs()
    say(next(steps))
    external = external_graphs()
    say(next(steps))
    shapes = shape_graphs()
    imports = []
    for name in names:
        say(next(steps))
        imports.extend(import_graphs(data_dir, [name]))
    say(next(steps))
    data = curated_graphs(curated_dir or data_dir / "curated", compiler_context(schema))
    return [*schema, *external, *shapes, *imports, *data]
