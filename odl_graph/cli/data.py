"""`odl-graph query`, `stats`, `export` and `settings`: reading the built store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from odl_graph.cli.context import Ctx, fail, graphs_table, pass_ctx
from odl_graph.config import SETTINGS
from odl_graph.errors import OdlError


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


@click.command()
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
            from odl_graph.analyses import catalogue

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


@click.command()
@click.option("--evidence-doc", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Rewrite the figures table of this Markdown file (docs/evidence.md) from the graph, and stop.")
@pass_ctx
def stats(obj: Ctx, evidence_doc: Path | None) -> None:
    """Counts per class and per named graph, plus the programme's key figures."""
    from odl_graph.analyses.stats import evidence_figures, key_figures
    from odl_graph.stores import open_store

    if evidence_doc is not None:
        from odl_graph.analyses import figures
        from odl_graph.analyses import tables as tb

        try:
            changed = figures.write(evidence_doc, tb.tables(open_store(obj.settings), obj.settings["base_iri"]))
        except OdlError as exc:
            fail(exc)
        click.echo(f"{evidence_doc}: figures {'rewritten' if changed else 'already up to date'}")
        return
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


@click.command()
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
        entries = write_dumps(source, directory, obj.settings["base_iri"], obj.settings.get("licence"))
    except (OdlError, OSError) as exc:
        fail(exc)
    out = Console(width=160)
    for e in entries:
        out.print(f"{e['file']}  {e['triples']:,} triples  {e['bytes']:,} bytes  sha256 {e['sha256']}")
    out.print(f"{len(entries)} files in {directory}")


@click.command()
def settings() -> None:
    """List every setting with its default, environment variable and help."""
    table = Table(title="settings")
    for col in ("name", "environment", "default", "help"):
        table.add_column(col, overflow="fold")
    for s in SETTINGS:
        table.add_row(s.name, s.env, str(s.default), s.help)
    Console(width=200).print(table)


COMMANDS = (query, stats, export, settings)
