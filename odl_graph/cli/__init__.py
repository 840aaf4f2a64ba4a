"""The `odl-graph` command line: a thin shell over the library.

Exit codes (as pySHACL's): 0 success / conforms, 1 does not conform or inconsistent, 2 error.
The group is defined here and takes its commands from the command modules (`build`, `data`,
`analyses`), which import only `context`: imports go one way. Commands that need the web layer
(`serve`) are registered by `server` through the `odl_graph.cli` entry-point group, so this package
never imports Flask.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import click

from odl_graph import __version__
from odl_graph.cli import analyses, build, data, mcp_server
from odl_graph.cli.context import Ctx, store_overrides


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


for module in (build, data, analyses, mcp_server):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli(prog_name="odl-graph")


if __name__ == "__main__":
    main()
