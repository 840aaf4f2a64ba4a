"""The `odl-graph` command line: a thin shell over the library.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform or inconsistent, 2 error.
Commands that need the web layer (`serve`) are registered by `server` through the
`odl_graph.cli` entry-point group, so this package never imports Flask.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from odl_graph import __version__
from odl_graph.config import SETTINGS, load_settings
from odl_graph.errors import OdlError, ValidationFailed

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
def build_steps() -> int:
    """Progress steps of a build: ontology, vocabularies, shapes, one per import, curated, validation, store."""
    from odl_graph.importers import IMPORTERS

    return 6 + len(IMPORTERS)

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
    """A --store value: a SPARQL endpoint URL selects the remote backend (issue 7), anything else a folder."""
    if store and "://" in store:
        return {"store_backend": "remote", "remote_query_url": store}
    return {"store": store}


pass_ctx = click.make_pass_decorator(Ctx)


def fail(exc: Exception) -> None:
    """Print a user error and exit 2 (nothing was changed)."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    sys.exit(EXIT_ERROR)


class OdlGroup(click.Group):
    """Adds commands contributed by other packages (the web layer) through entry points."""

    def _plugins(self) -> dict[str, click.Command]:
        found = {}
        for ep in entry_points(group="odl_graph.cli"):
            try:
                found[ep.name] = ep.load()
            except ImportError:  # the web extra is not installed
                continue
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._plugins().get(name)


@click.group(cls=OdlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="odl-graph")
@click.option("--store", "store", default=None, help="Store location (default: setting 'store', ODL_STORE).")
@click.option("--base-iri", default=None, help="Base IRI of minted resources (ODL_BASE_IRI).")
@click.pass_context
def cli(ctx: click.Context, store: str | None, base_iri: str | None) -> None:
    """odl-graph: the knowledge graph of French local open data."""
    ctx.obj = Ctx({"base_iri": base_iri, **store_overrides(store)})


def _progress() -> Progress:
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


def build_store(obj: Ctx, curated: Path | None = None) -> None:
    """Run a build with a progress bar and print its summary; exits 1 on violations, 2 on errors."""
    from odl_graph.build import build as run_build

    try:
        settings = obj.settings
        with _progress() as progress:
            steps = build_steps()
            task = progress.add_task("building", total=steps)

            def step(message: str) -> None:
                progress.update(task, description=message, advance=1)

            summary = run_build(settings, progress=step, curated_dir=curated)
            progress.update(task, description="done", completed=steps)
    except ValidationFailed as exc:
        _print_report(exc.report, "text")
        err.print(f"[bold red]build failed:[/] {exc}")
        sys.exit(EXIT_FAIL)
    except OdlError as exc:
        fail(exc)
    Console().print(graphs_table(summary.counts, "odl-graph build"))
    warn = len(summary.report.warnings)
    Console().print(f"validation: 0 violations, {warn} warning(s); store version {summary.store_version}")


@cli.command()
@click.option("--curated", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of curated CSV files (default: data/curated).")
@click.option("--store", "store", default=None,
              help="Build into this store: a folder, or a SPARQL endpoint URL (remote store, docs/deploy.md).")
@pass_ctx
def build(obj: Ctx, curated: Path | None, store: str | None) -> None:
    """Load ontology, vocabularies and data, validate, and swap the store atomically."""
    if store:
        obj.override(**store_overrides(store))
    build_store(obj, curated)


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


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text", show_default=True)
@click.option("--curated", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of curated CSV files to validate (default: data/curated).")
@click.option("--warnings", is_flag=True, help="List every warning, not only their count per shape.")
@pass_ctx
def validate(obj: Ctx, fmt: str, curated: Path | None, warnings: bool) -> None:
    """Validate the data graphs against the SHACL shapes (exit 0 conforms, 1 violations, 2 error)."""
    from odl_graph.sources import collect_all
    from odl_graph.validate import validate as run_validate

    try:
        report = run_validate(
            collect_all(obj.settings, curated_dir=curated), cache_dir=Path(obj.settings["cache_dir"])
        )
    except OdlError as exc:
        fail(exc)
    _print_report(report, fmt, warnings)
    sys.exit(EXIT_OK if report.conforms else EXIT_FAIL)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-write", is_flag=True, help="Do not write the inferred graph to the store.")
@pass_ctx
def reason(obj: Ctx, files: tuple[Path, ...], no_write: bool) -> None:
    """Check OWL consistency with HermiT and materialise inferred class memberships.

    With FILES, reason over the ontology and vocabularies plus those RDF files (nothing is written).
    """
    from odl_graph.reason import reason_files, reason_store

    try:
        result = reason_files(list(files)) if files else reason_store(obj.settings, write=not no_write)
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


def read_query(query: str | None, file: Path | None) -> str:
    """SPARQL from the argument, a file, or stdin ('-' or nothing)."""
    if query and file:
        raise click.UsageError("give the query as an argument or with --file, not both")
    if file is not None:
        return file.read_text(encoding="utf-8")
    if query and query != "-":
        return query
    if sys.stdin.isatty():
        raise click.UsageError("no query: pass it as an argument, with --file, or on stdin")
    return sys.stdin.read()


def print_results(results: Any, fmt: str) -> None:
    """Print pyoxigraph results as a table, CSV or JSON."""
    import pyoxigraph as ox

    if isinstance(results, ox.QueryBoolean):
        click.echo(json.dumps({"boolean": bool(results)}) if fmt == "json" else str(bool(results)).lower())
        return
    if isinstance(results, ox.QueryTriples):
        click.echo(results.serialize(format=ox.RdfFormat.TURTLE).decode("utf-8"), nl=False)
        return
    if fmt == "csv":
        sys.stdout.write(results.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8"))
        return
    if fmt == "json":
        sys.stdout.write(results.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n")
        return
    variables = [v.value for v in results.variables]
    table = Table()
    for v in variables:
        table.add_column(v, overflow="fold")
    n = 0
    for row in results:
        table.add_row(*("" if row[v] is None else row[v].value for v in variables))
        n += 1
    Console(width=200).print(table)
    Console(stderr=True).print(f"{n} row(s)")


@cli.command()
@click.argument("query", required=False)
@click.option("--file", "-f", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--name", "-n", "name", default=None, help="Run a named query of the catalogue (`odl-graph queries`).")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Parameter of the named query (repeatable); bound as a typed RDF term.")
@pass_ctx
def query(obj: Ctx, query: str | None, file: Path | None, fmt: str, name: str | None,
          params: tuple[str, ...]) -> None:
    """Run a SPARQL query (argument, --file, or stdin), or a named query (--name), on the store."""
    from odl_graph.stores import open_store

    try:
        if name is not None:
            from odl_graph import catalogue

            if query or file:
                raise click.UsageError("give either --name or a query text, not both")
            run = catalogue.run(open_store(obj.settings), name, catalogue.parse_param_options(params),
                                base_iri=obj.settings["base_iri"])
            print_results(run.results, fmt)
            return
        if params:
            raise click.UsageError("--param only applies to a named query (--name)")
        text = read_query(query, file)
        results = open_store(obj.settings).query(text)
        print_results(results, fmt)
    except OdlError as exc:
        fail(exc)


STATS_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n)
"""


@cli.command()
@pass_ctx
def stats(obj: Ctx) -> None:
    """Counts per class and per named graph, plus the programme's key figures."""
    from odl_graph.stats import evidence_figures, key_figures
    from odl_graph.stores import open_store

    try:
        store = open_store(obj.settings)
        counts = store.triple_counts()
        classes = [(r["class"].value, int(r["n"].value)) for r in store.query(STATS_CLASSES)]
        figures = key_figures(store, obj.settings["base_iri"]) | evidence_figures(store, obj.settings["base_iri"])
    except OdlError as exc:
        fail(exc)
    out = Console(width=160)
    out.print(graphs_table(counts, "triples per named graph"))
    table = Table(title="instances per class")
    table.add_column("class")
    table.add_column("instances", justify="right")
    for cls, n in classes:
        table.add_row(cls, f"{n:,}")
    out.print(table)
    table = Table(title="key figures")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}")
    out.print(table)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_ctx
def export(obj: Ctx, directory: Path) -> None:
    """Write the dumps of the current store (whole graph and each named graph, gzip, with manifest.json
    giving size, triple count and SHA-256): the same files as /download/."""
    import pyoxigraph as ox

    from odl_graph.dumps import write_dumps
    from odl_graph.stores import EmbeddedStore, open_store

    try:
        store = open_store(obj.settings)
        if isinstance(store, EmbeddedStore):
            source = store.oxigraph
        else:  # a remote store: through an in-memory copy
            source = ox.Store()
            source.bulk_load(store.dump_nquads(), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
        entries = write_dumps(source, directory, obj.settings["base_iri"])
    except (OdlError, OSError) as exc:
        fail(exc)
    out = Console(width=160)
    for e in entries:
        out.print(f"{e['file']}  {e['triples']:,} triples  {e['bytes']:,} bytes  sha256 {e['sha256']}")
    out.print(f"{len(entries)} files in {directory}")


@cli.command("import")
@click.argument("name", required=False)
@click.option("--all", "all_", is_flag=True, help="Refresh every importer.")
@pass_ctx
def import_(obj: Ctx, name: str | None, all_: bool) -> None:
    """Refresh the shipped extracts of one source (cog, acv, scdl, observatory) from ../shared/data."""
    from odl_graph.importers import IMPORTERS

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
        except OdlError as exc:
            fail(exc)
        Console().print(f"{n}: {len(written)} file(s) refreshed, {len(graph):,} triples; run `odl-graph build` to load")


@cli.command()
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
    from odl_graph.harvest.harvester import Harvester
    from odl_graph.harvest.territories import resolve

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
        with _progress() as progress:
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


@cli.command()
def settings() -> None:
    """List every setting with its default, environment variable and help."""
    table = Table(title="settings")
    for col in ("name", "environment", "default", "help"):
        table.add_column(col, overflow="fold")
    for s in SETTINGS:
        table.add_row(s.name, s.env, str(s.default), s.help)
    Console(width=200).print(table)


def _register_analyses() -> None:
    """The analyses' commands live in their own module (which imports this one), added here."""
    from odl_graph import cli_analyses

    for command in cli_analyses.COMMANDS:
        cli.add_command(command)


_register_analyses()


def main() -> None:
    cli(prog_name="odl-graph")


if __name__ == "__main__":
    main()
