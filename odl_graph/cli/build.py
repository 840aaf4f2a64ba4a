"""`odl-graph build`, `validate`, `reason`, `import` and `harvest`: the commands of the build pipeline."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from odl_graph.cli.context import (
    EXIT_FAIL,
    EXIT_OK,
    Ctx,
    err,
    fail,
    graphs_table,
    pass_ctx,
    progress_bar,
    store_overrides,
)
from odl_graph.errors import OdlError, ValidationFailed


def build_store(obj: Ctx, curated: Path | None = None) -> None:
    """Run a build with a progress bar and print its summary; exits 1 on violations, 2 on errors."""
    from odl_graph.build.pipeline import build as run_build
    from odl_graph.build.pipeline import steps as build_steps
    from odl_graph.build.reason import Inconsistent

    try:
        settings = obj.settings
        steps = len(build_steps(settings))
        t0 = time.monotonic()
        if err.is_terminal:  # a live bar on a terminal
            with progress_bar() as progress:
                task = progress.add_task("building", total=steps)

                def step(message: str) -> None:
                    progress.update(task, description=message, advance=1)

                summary = run_build(settings, progress=step, curated_dir=curated)
                progress.update(task, description="done", completed=steps)
        else:  # a log (run.sh piped, CI): one line per stage as it starts, flushed at once
            done = 0

            def step(message: str) -> None:
                nonlocal done
                done += 1
                print(f"build [{done}/{steps}] {time.monotonic() - t0:6.1f} s  {message}", file=sys.stderr,
                      flush=True)

            summary = run_build(settings, progress=step, curated_dir=curated)
            print(f"build [done] {time.monotonic() - t0:6.1f} s", file=sys.stderr, flush=True)
    except ValidationFailed as exc:
        _print_report(exc.report, "text")
        err.print(f"[bold red]build failed:[/] {exc}")
        sys.exit(EXIT_FAIL)
    except Inconsistent as exc:
        err.print(f"[bold red]build failed, inconsistent:[/] {exc}; the store was not changed", highlight=False)
        sys.exit(EXIT_FAIL)
    except OdlError as exc:
        fail(exc)
    Console().print(graphs_table(summary.counts, "odl-graph build"))
    print_row_notes(summary.notes)
    warn = len(summary.report.warnings)
    Console().print(f"validation: 0 violations, {warn} warning(s); store version {summary.store_version}")


@click.command()
@click.option("--curated", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of curated CSV files (default: data/curated).")
@click.option("--store", "store", default=None,
              help="Build into this store: a folder, or a SPARQL endpoint URL (remote store, docs/deploy.md).")
@pass_ctx
def build(obj: Ctx, curated: Path | None, store: str | None) -> None:
    """Load ontology, vocabularies and data, validate, reason, and swap the store atomically."""
    if store:
        obj.override(**store_overrides(store))
    build_store(obj, curated)


def print_row_notes(notes: list[Any]) -> None:
    """Every source row an importer corrected, left out or could not join, then the counts per importer."""
    out = Console(width=None if sys.stdout.isatty() else 320, highlight=False)
    counts: dict[tuple[str, str], int] = {}
    for n in notes:
        out.print(f"[yellow]{n.importer}: {n.action}:[/] {n.location}: {n.message}")
        counts[(n.importer, n.action)] = counts.get((n.importer, n.action), 0) + 1
    per_importer: dict[str, list[str]] = {}
    for (importer, action), k in sorted(counts.items()):
        per_importer.setdefault(importer, []).append(f"{k} row(s) {action}")
    for importer, parts in per_importer.items():
        out.print(f"source checks, {importer}: {', '.join(parts)}")


def _print_report(report: Any, fmt: str, warnings: bool = False) -> None:
    """Violations in full; warnings counted per shape unless asked for (they can be hundreds)."""
    out = Console(width=None if sys.stdout.isatty() else 320)  # piped: wide enough to keep locations whole
    if fmt == "json":
        click.echo(report.to_json())
        return
    if fmt == "turtle":
        click.echo(report.to_turtle())
        return
    listed = report.results if warnings else report.violations
    if listed:
        table = Table(title="SHACL validation", show_lines=True)
        for col in ("severity", "shape", "focus node", "path", "message (fr / en)"):
            table.add_column(col, overflow="fold")
        table.add_column("source", no_wrap=True)  # file:line:column stays on one line, to copy or grep
        for r in listed:
            table.add_row(r.severity, _shape_name(r), r.focus, r.path, f"{r.message_fr}\n{r.message_en}", r.source)
        out.print(table)
    if report.warnings and not warnings:
        per_shape: dict[str, int] = {}
        for r in report.warnings:
            per_shape[_shape_name(r)] = per_shape.get(_shape_name(r), 0) + 1
        summary = ", ".join(f"{n} × {shape}" for shape, n in sorted(per_shape.items(), key=lambda kv: -kv[1]))
        out.print(f"warnings (list them with --warnings): {summary}")
    verdict = "conforms" if report.conforms else "does not conform"
    out.print(f"{verdict}: {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")


def _shape_name(r: Any) -> str:
    return r.shape.rsplit("#", 1)[-1] or r.component


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
@click.option("--curated", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of curated CSV files to validate (default: data/curated).")
@click.option("--warnings", is_flag=True, help="List every warning, not only their count per shape.")
@pass_ctx
def validate(obj: Ctx, fmt: str, curated: Path | None, warnings: bool) -> None:
    """Validate the data graphs against the SHACL shapes (exit 0 conforms, 1 violations, 2 error)."""
    from odl_graph.build.collect import collect_all
    from odl_graph.build.validate import validate as run_validate

    try:
        report = run_validate(
            collect_all(obj.settings, curated_dir=curated), cache_dir=Path(obj.settings["cache_dir"])
        )
    except OdlError as exc:
        fail(exc)
    _print_report(report, fmt, warnings)
    sys.exit(EXIT_OK if report.conforms else EXIT_FAIL)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--curated", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of curated CSV files to reason over (default: data/curated).")
@pass_ctx
def reason(obj: Ctx, files: tuple[Path, ...], curated: Path | None) -> None:
    """Check OWL consistency with HermiT and list the inferred class memberships; writes nothing.

    Without FILES, over the ontology, vocabularies and curated data a build would load (the build
    itself loads the inferred memberships as graph/inferred). With FILES, over the ontology and
    vocabularies plus those RDF files.
    """
    from odl_graph.build.reason import reason_files, reason_sources

    try:
        result = reason_files(list(files)) if files else reason_sources(obj.settings, curated)
    except OdlError as exc:
        fail(exc)
    out = Console()
    if not result.consistent:
        out.print(f"[bold red]inconsistent:[/] {result.explanation}")
        sys.exit(EXIT_FAIL)
    if result.unsatisfiable:
        out.print("[bold red]unsatisfiable classes:[/] " + ", ".join(result.unsatisfiable))
        sys.exit(EXIT_FAIL)
    out.print(f"consistent: {len(result.inferred)} inferred class membership(s)")
    by_class: dict[str, int] = {}
    for _s, _p, o in result.inferred:
        by_class[str(o)] = by_class.get(str(o), 0) + 1
    for cls, n in sorted(by_class.items()):
        out.print(f"  {cls}: {n}")


@click.command("import")
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Refresh every importer.")
@pass_ctx
def import_(obj: Ctx, name: str | None, all_: bool) -> None:
    """Refresh the shipped extracts of one source (cog, acv, scdl, observatory) from ../shared/data."""
    from odl_graph.build.importers._common import row_notes
    from odl_graph.build.registry import IMPORTERS

    names = list(IMPORTERS) if all_ else [name] if name else []
    if not names:
        raise click.UsageError(f"name an importer ({', '.join(IMPORTERS)}) or pass --all")
    settings = obj.settings
    for n in names:
        if n not in IMPORTERS:
            fail(OdlError(f"unknown importer {n!r}; known: {', '.join(IMPORTERS)}"))
        try:
            written = IMPORTERS[n].refresh(Path(settings["shared_dir"]), Path(settings["data_dir"]))
            graph = IMPORTERS[n].to_graph(Path(settings["data_dir"]))
            notes = row_notes(IMPORTERS[n], Path(settings["data_dir"]))
        except OdlError as exc:
            fail(exc)
        print_row_notes(notes)
        Console().print(f"{n}: {len(written)} file(s) refreshed, {len(graph):,} triples; run `odl-graph build` to load")


@click.command()
@click.option("--territories", default=None, metavar="SPEC",
              help="'acv' (the 244 ACV communes, their EPCI, départements and régions), codes such as "
                   "commune:35238,epci:200039022,departement:35,region:53, or a file of codes.")
@click.option("--organizations", default=None, metavar="ID,ID", help="data.gouv.fr organisations (id or slug).")
@click.option("--catalog", "catalogs", multiple=True, metavar="FILE_OR_URL",
              help="A DCAT catalogue (Turtle, RDF/XML, JSON-LD), hydra paging followed (repeatable).")
@click.option("--base-url", default=None, help="Root of the data.gouv.fr API (setting harvest_base_url).")
@click.option("--refresh", is_flag=True, help="Fetch again what earlier runs completed.")
@pass_ctx
def harvest(obj: Ctx, territories: str | None, organizations: str | None, catalogs: tuple[str, ...],
            base_url: str | None, refresh: bool) -> None:
    """Harvest dataset records into data/harvest/ (snapshot, raw answers, manifest); exit 1 if a part failed.

    The build then maps the snapshot to graph/import/harvest, without the network.
    """
    from odl_graph.build.harvest.harvester import Harvester
    from odl_graph.build.harvest.territories import resolve

    if not (territories or organizations or catalogs):
        raise click.UsageError("name what to harvest: --territories, --organizations or --catalog")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.UsageError(f"--base-url {base_url!r} is not an http(s) URL")
    for c in catalogs:
        if "://" not in c and not Path(c).is_file():
            raise click.UsageError(f"--catalog {c!r} is neither a URL nor an existing file")
    try:
        settings = obj.settings
        zones = resolve(territories, Path(settings["data_dir"])) if territories else []
        orgs = [o.strip() for o in (organizations or "").split(",") if o.strip()]
        with progress_bar() as progress:
            task = progress.add_task("harvesting", total=None)

            def step(what: str, done: int, total: int) -> None:
                progress.update(task, description=what[:28], completed=done, total=total)

            harvester = Harvester(settings, base_url=base_url, refresh=refresh, progress=step)
            report = harvester.run(harvester.parts_for(zones, orgs, list(catalogs)))
    except OdlError as exc:
        fail(exc)
    out = Console(width=160)
    table = Table(title=f"odl-graph harvest, run {report.run_id}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in (("requests", report.requests), ("parts fetched", len(report.parts_done)),
                         ("parts skipped (done earlier)", len(report.parts_skipped)),
                         ("datasets read", report.datasets), ("datasets in the snapshot", report.snapshot_datasets),
                         ("malformed records skipped", len(report.malformed)),
                         ("incomplete records kept", len(report.incomplete)), ("failed parts", len(report.errors))):
        table.add_row(label, f"{value:,}")
    out.print(table)
    for m in report.malformed:
        out.print(f"[yellow]malformed record skipped:[/] {m['id']}: {m['reason']} ({m['url']})", highlight=False)
    for e in report.errors:
        out.print(f"[bold red]failed:[/] {e['part']}: {e['message']}", highlight=False)
    sys.exit(EXIT_OK if report.ok else EXIT_FAIL)


COMMANDS = (build, validate, reason, import_, harvest)
