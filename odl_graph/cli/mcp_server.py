"""`odl-graph mcp`: a read-only MCP server (the official `mcp` Python SDK, over stdio) for assistants.

Each tool answers what the site or the API answers, through the same library code: search and the
browse lists from the label index (odl_graph.search), a resource's page model (odl_graph.describe),
the diagnostic, roadmap and ranking (odl_graph.analyses.diagnostic), and SPARQL through the Engine,
which refuses SERVICE and LOAD, applies the time limit and caps the rows. Nothing here writes.
Failures the user can correct (an unknown town, a refused query) come back as MCP tool errors
(`isError`), with the library's message. See docs/mcp.md.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

import click

from odl_graph.cli.context import Ctx, fail, pass_ctx
from odl_graph.errors import OdlError

NAME = "odl-graph"
LANGS = ("fr", "en")
SEARCH_LIMIT = 200  # hits per call at most (a site search page is 50, a browse page 200)
LIST_LIMIT = 1000  # rows of a browse list (the site's table limit)
DEFAULT_ROWS = 100  # SPARQL rows an assistant gets unless it asks for more
MAX_ROWS = 10000  # and at most (or the endpoint's row cap when lower): an assistant's answer stays bounded

INSTRUCTIONS = (
    "Knowledge graph of French local open data (ODL): use cases, data categories, datasets, actors, "
    "communes. Start with `search_graph` or `list_usecases`; `town_diagnostic` tells what a commune lacks "
    "for a use case and who holds it; `sparql_query` runs a read-only query under the public endpoint's limits. "
    "Labels are in French unless lang='en'."
)


class Graph:
    """The engine over the configured store, with the label index and the diagnostic's tables of its
    current version (each built on first use, rebuilt when the store changes)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        from odl_graph.engine import Engine

        self.settings = settings
        self.base = settings.get("base_iri") or ""
        self.engine = Engine.from_settings(settings)
        self._lock = threading.Lock()
        self._index: tuple[Any, Any] | None = None
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="odl-mcp")  # where every tool runs

    def start(self) -> Graph:
        self.engine.start()  # forks the workers: before the event loop starts its threads
        if not self.base:
            from odl_graph import iris

            self.base = iris.BASE
        return self

    def close(self) -> None:
        self.thread.submit(self._drop).result()  # pyoxigraph objects are freed on the thread that made them
        self.thread.shutdown(wait=True)
        self.engine.close()

    def _drop(self) -> None:
        import gc

        from odl_graph.analyses import tables as tb

        self._index = None
        tb.forget(self.engine)
        gc.collect()

    def index(self) -> Any:
        from odl_graph.search import SearchIndex

        version = self.engine.checked_version()
        with self._lock:
            if self._index is None or self._index[0] != version or version is None:
                self._index = (version, SearchIndex.build(self.engine, self.base))
            return self._index[1]

    def tables(self) -> Any:
        from odl_graph.analyses import tables as tb

        return tb.tables(self.engine, self.base)

    def describer(self, lang: str) -> Any:
        from odl_graph.describe.base import Describer

        return Describer(self.engine, self.base, lang)


# -- the tools, as plain functions of a Graph (the server wraps them; the tests may call them) ------
def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise OdlError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def _kind_label(g: Graph, index: Any, kind: str, lang: str) -> str:
    """A type's name: the ontology's label of the class (SKOS and untyped resources keep their kind)."""
    return kind if kind in ("Concept", "ConceptScheme", "other") else index.label(g.base + "def#" + kind, lang)


def _hits(g: Graph, index: Any, res: Any, lang: str) -> dict[str, Any]:
    """One page of hits as the site's search table (search.json) gives it."""
    return {
        "query": res.query, "total": res.total,
        "rows": [{"iri": h.iri, "label": h.label, "lang": h.lang, "type": h.kind,
                  "type_label": _kind_label(g, index, h.kind, lang), "code": h.code,
                  "themes": [th.rsplit("/", 1)[-1] for th in h.themes], "within": h.within,
                  "within_label": index.label(h.within, lang) if h.within else None} for h in res.hits],
        "types": [{"value": k, "label": _kind_label(g, index, k, lang), "count": n} for k, n in res.types],
    }


def search(g: Graph, query: str, lang: str = "fr", type: str | None = None, limit: int = 20) -> dict[str, Any]:
    index = g.index()
    res = index.search(query, _lang(lang), types=[type] if type else (), limit=max(1, min(limit, SEARCH_LIMIT)))
    return _hits(g, index, res, lang)


def browse(g: Graph, class_name: str, lang: str = "fr") -> dict[str, Any]:
    """Every instance of a class, by label (the site's /browse/<class>)."""
    index = g.index()
    res = index.search("", _lang(lang), classes=[class_name], limit=LIST_LIMIT)
    return _hits(g, index, res, lang)


def resolve_iri(g: Graph, ref: str) -> str:
    """An IRI, or a path under the base IRI ('id/usecase/x')."""
    ref = ref.strip()
    return ref if "://" in ref else g.base + ref.lstrip("/")


def describe(g: Graph, iri: str, lang: str = "fr") -> dict[str, Any]:
    from odl_graph.describe import pages
    from odl_graph.errors import NotFound

    desc = g.describer(_lang(lang))
    target = resolve_iri(g, iri)
    if not desc.exists(target):
        raise NotFound(f"the graph holds nothing about <{target}>")
    return pages.as_data(pages.page(desc, target))


def _iris(value: Any) -> set[str]:
    """Every IRI-looking string of a JSON value, wherever it sits."""
    if isinstance(value, str):
        return {value} if value.startswith(("http://", "https://")) else set()
    if isinstance(value, dict):
        return set().union(*map(_iris, value.values()))
    if isinstance(value, list):
        return set().union(*map(_iris, value))
    return set()


def _labelled(t: Any, payload: dict[str, Any], lang: str) -> dict[str, Any]:
    """The API's answer as is, with `labels`: the label in `lang` of every resource it names (so no
    field is picked by name: the answer follows the analyses as they change)."""
    labels = {iri: t.label(iri, lang) for iri in sorted(_iris(payload))}
    return {**payload, "lang": lang,
            "labels": {iri: lab for iri, lab in labels.items() if lab != iri.rsplit("/", 1)[-1]}}


def diagnostic(g: Graph, commune: str, usecase: str, lang: str = "fr") -> dict[str, Any]:
    from odl_graph.analyses import diagnostic as dg

    t = g.tables()
    d = dg.diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase))
    return _labelled(t, d.to_json(), _lang(lang))


def roadmap(g: Graph, commune: str, limit: int | None = None, lang: str = "fr") -> dict[str, Any]:
    from odl_graph.analyses import roadmap as rm

    if limit is not None and limit < 1:
        raise OdlError(f"limit must be a positive integer, not {limit}")
    t = g.tables()
    c = t.resolve_commune(commune)
    return _labelled(t, {"commune": c.iri, "label": c.label, "insee": c.insee,
                         "steps": [asdict(s) for s in rm.roadmap(t, c, limit=limit)]}, _lang(lang))


def ranking(g: Graph, usecase: str, lang: str = "fr") -> dict[str, Any]:
    from odl_graph.analyses import diagnostic as dg

    t = g.tables()
    u = t.resolve_usecase(usecase)
    return _labelled(t, {"usecase": u, "label": t.label(u, _lang(lang)), "required": t.indispensable_of(u),
                         "ranking": dg.ranking(t, u)}, lang)


def usecases(g: Graph, lang: str = "fr") -> list[dict[str, Any]]:
    """What `odl-graph usecases` lists: the identifier the diagnostic takes, the label, the count of
    indispensable categories."""
    from odl_graph.text import sort_key

    t = g.tables()
    return sorted(({"usecase": u.rsplit("/", 1)[-1], "iri": u, "label": t.label(u, _lang(lang)),
                    "indispensable": len(t.indispensable_of(u))} for u in t.usecases),
                  key=lambda r: sort_key(r["label"]))


def sparql(g: Graph, query: str, max_rows: int = DEFAULT_ROWS) -> dict[str, Any]:
    """A query through the Engine, as the endpoint runs it (SERVICE and LOAD refused, time limit),
    cut at `max_rows` (at most MAX_ROWS, and the endpoint's row cap when it has one), the cut said."""
    from odl_graph.negotiation import GRAPH_FORMATS, RESULTS_FORMATS

    results = next(f for f in RESULTS_FORMATS if f.name == "json")
    graph = next(f for f in GRAPH_FORMATS if f.name == "turtle")
    ceiling = min(g.engine.row_cap, MAX_ROWS) if g.engine.row_cap else MAX_ROWS
    cap = max(1, min(int(max_rows), ceiling))
    r = g.engine.execute(query, results_format=results, graph_format=graph, row_cap=cap, allow_truncated=True)
    text = r.body.decode("utf-8")
    out: dict[str, Any] = {"kind": r.kind, "format": r.format.media_type, "truncated": r.truncated,
                           "row_cap": cap, "max_rows_limit": ceiling, "endpoint_row_cap": g.engine.row_cap,
                           "timeout_s": g.engine.timeout}
    if r.kind == "graph":
        out["turtle"] = text
    else:
        out["results"] = json.loads(text)
        if r.kind == "solutions":
            out["rows"] = len(out["results"]["results"]["bindings"])
    return out


# -- the server --------------------------------------------------------------------------------
LANG_DOC = "Label language: 'fr' (default) or 'en'."


def build_server(g: Graph) -> Any:
    """The MCP server and its read-only tools over one Graph."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    from odl_graph import __version__

    server = MCPServer(NAME, version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True,
                                openWorldHint=False)

    def tool(fn: Any) -> Any:
        """Register `fn` as a tool whose library errors become MCP tool errors with their message.

        Every call runs on the one thread of `g.thread`: pyoxigraph's results are bound to the thread
        that made them, and the tables and the index cached between calls hold some."""

        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return await asyncio.wrap_future(g.thread.submit(fn, *args, **kwargs))
            except OdlError as exc:
                raise ToolError(f"{type(exc).__name__}: {exc}") from exc

        server.tool(annotations=read_only, structured_output=False)(run)
        return fn

    @tool
    def search_graph(query: str, lang: str = "fr", type: str | None = None, limit: int = 20) -> str:
        """Search resources (use cases, data categories, datasets, actors, communes, ...) by label, best
        first, as the site's search. `type` keeps one kind (a class name such as 'UseCase', 'Commune');
        `limit` hits (at most 200). Label language: 'fr' (default) or 'en'."""
        return _dump(search(g, query, lang, type, limit))

    @tool
    def describe_resource(iri: str, lang: str = "fr") -> str:
        """What the site's page of a resource shows: its label, kind, sections and statements. `iri` is a
        full IRI or a path under the graph's base ('id/usecase/...'). Label language: 'fr' or 'en'."""
        return _dump(describe(g, iri, lang))

    @tool
    def town_diagnostic(commune: str, usecase: str, lang: str = "fr") -> str:
        """Readiness of a commune for a use case, line by line: for each data category it requires, the
        evidence, the best dataset, its openness and who holds it, with French and English explanations.
        `commune`: INSEE code or name ('Saint-Denis (93)' narrows a shared name); `usecase`: an
        identifier from `list_usecases`. `labels` gives every resource named in `lang` ('fr' or 'en')."""
        return _dump(diagnostic(g, commune, usecase, lang))

    @tool
    def town_roadmap(commune: str, limit: int | None = None, lang: str = "fr") -> str:
        """The data a commune (INSEE code or name) should open or produce first to unlock the most use
        cases, and who holds it; `limit` keeps the first steps. `labels` in `lang` ('fr' or 'en')."""
        return _dump(roadmap(g, commune, limit, lang))

    @tool
    def usecase_ranking(usecase: str, lang: str = "fr") -> str:
        """The towns of the Action Cœur de Ville programme ranked by readiness for a use case (an
        identifier from `list_usecases`), with the categories it requires; `labels` in `lang`."""
        return _dump(ranking(g, usecase, lang))

    @tool
    def list_usecases(lang: str = "fr") -> str:
        """Every use case: the identifier the diagnostic and the ranking take, its label, and how many
        data categories it requires. Label language: 'fr' (default) or 'en'."""
        return _dump(usecases(g, lang))

    @tool
    def list_data_categories(lang: str = "fr") -> str:
        """Every data category (the site's browse list), by label. Label language: 'fr' or 'en'."""
        return _dump(browse(g, "DataCategory", lang))

    @tool
    def sparql_query(query: str, max_rows: int = DEFAULT_ROWS) -> str:
        """Run a read-only SPARQL 1.1 query under the public endpoint's limits: SERVICE and LOAD are
        refused, the time limit applies, and solutions are cut at `max_rows` (at most 10,000, or the
        endpoint's row cap when lower; `truncated` says so). SELECT/ASK answer SPARQL JSON results,
        CONSTRUCT/DESCRIBE Turtle."""
        return _dump(sparql(g, query, max_rows))

    return server


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@click.command("mcp")
@pass_ctx
def mcp_command(obj: Ctx) -> None:
    """Serve the graph to AI assistants: a read-only MCP server over stdio (docs/mcp.md)."""
    try:
        g = Graph(obj.settings).start()
    except OdlError as exc:
        fail(exc)
    try:
        build_server(g).run("stdio")
    finally:
        g.close()


COMMANDS = (mcp_command,)
