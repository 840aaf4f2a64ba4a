"""`odl-graph serve`, contributed to the CLI through the `odl_graph.cli` entry point, so that the
library never imports Flask: the dependency goes from server to odl_graph only."""

from __future__ import annotations

import click

from odl_graph.cli.build import build_store
from odl_graph.cli.context import Ctx, fail, pass_ctx
from odl_graph.errors import OdlError
from odl_graph.stores import open_store


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ODL_HOST",
              help="Interface to bind (loopback by default; ODL_HOST).")
@click.option("--port", default=8000, show_default=True, type=int, envvar="ODL_PORT", help="Port (ODL_PORT).")
@click.option("--workers", default=None, type=int, help="Query worker processes (setting 'workers').")
@click.option("--rebuild", is_flag=True, help="Build the store first even if one exists.")
@pass_ctx
def serve(obj: Ctx, host: str, port: int, workers: int | None, rebuild: bool) -> None:
    """Serve the SPARQL endpoint, pages and API on a production WSGI server (waitress).

    Builds the store first when none exists.
    """
    from server.serve import run

    try:
        settings = obj.settings
        if rebuild or not open_store(settings).exists():
            click.echo("no store yet: building it first", err=True)
            build_store(obj)
        click.echo(f"serving on http://{host}:{port}/ (SPARQL at /sparql)", err=True)
        run(host, port, workers, settings)
    except OdlError as exc:
        fail(exc)
