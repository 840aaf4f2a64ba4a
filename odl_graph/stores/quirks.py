"""What differs between remote store products, one object per product, chosen once per store.

The store learns the product from the `Server` header of its first answer (`quirks_for`) and asks
this object, never the header again. A new product with its own habits gets a class here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from odl_graph.errors import OdlError
from odl_graph.sparql_text import tokens

VERBATIM_DATATYPES = ("http://www.opengis.net/ont/geosparql#wktLiteral",)


class Quirks:
    """A SPARQL 1.1 store that follows the protocol: nothing to work around."""

    name = "generic"
    timeout_grace = 0.5  # seconds added to the HTTP timeout so the store's own answer can arrive
    ask_as_select = False

    def query_params(self, limit: float) -> dict[str, str]:
        """Extra protocol parameters of a query under a time limit of `limit` seconds."""
        return {}

    def partial_answer(self, headers: Mapping[str, str]) -> str | None:
        """Why an HTTP 200 answer is incomplete (None: it is complete)."""
        return None

    def shielded_datatypes(self, prefix: str) -> dict[str, str]:
        """Datatypes stored under a private name because the product would rewrite their literals."""
        return {}

    def graph_row_limit(self, select: Callable[[str], Any]) -> int | None:
        """The product's own cap on graph answers, which it applies without saying so (None: none)."""
        return None

    def bulk_write_url(self, url: str) -> str:
        """The Graph Store Protocol URL for writing a graph nobody reads yet."""
        return url


class Oxigraph(Quirks):
    name = "oxigraph"

    def bulk_write_url(self, url: str) -> str:
        return url + "&no_transaction"  # bulk path; safe: the graph is unreferenced until the switch


class Virtuoso(Quirks):
    """Virtuoso 7: anytime queries, silent row caps, lossy geometry literals, a wrong ASK."""

    name = "virtuoso"
    # Virtuoso answers an interrupted "anytime" query 1-1.6 s after its own timeout: ask it to stop a
    # second early so its answer (S1TAT) arrives about when our limit ends.
    timeout_grace = 1.0
    # Virtuoso 7.2 answers `ASK { GRAPH <g> { … } }` true when <g> is not among the named-graph-uri
    # it was given; the same pattern as a SELECT is evaluated correctly.
    ask_as_select = True

    def query_params(self, limit: float) -> dict[str, str]:
        return {"timeout": str(int(max(limit - 1.0, 0.5) * 1000))}  # anytime query: partial + S1TAT

    def partial_answer(self, headers: Mapping[str, str]) -> str | None:
        state = headers.get("x-sql-state", "")
        if not state:
            return None
        message = headers.get("x-sql-message", "").split("Activity:")[0].strip()
        return f"{state}: {message or 'no message'}"

    def shielded_datatypes(self, prefix: str) -> dict[str, str]:
        """Virtuoso turns geo:wktLiteral into its own single-precision geometry: POINT(2.35 43.21)
        comes back as POINT(2.3499999046326 43.209999084473). Under a private datatype the lexical
        form is kept verbatim; the renaming is undone in every answer."""
        return {dt: f"{prefix}verbatim/{dt.rsplit('#', 1)[-1]}" for dt in VERBATIM_DATATYPES}

    def graph_row_limit(self, select: Callable[[str], Any]) -> int | None:
        """ResultSetMaxRows (Virtuoso cuts CONSTRUCT answers there without any header)."""
        q = "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?m) WHERE {}"
        try:
            return int(select(q)["results"]["bindings"][0]["m"]["value"]) or None
        except (OdlError, KeyError, IndexError, ValueError):  # not readable: rely on the header
            return None


def quirks_for(server_header: str) -> Quirks:
    """The quirks of the product a `Server` header names ("Virtuoso/07.20...", "Oxigraph/0.5.13")."""
    name = server_header.lower()
    if name.startswith("virtuoso"):
        return Virtuoso()
    if name.startswith("oxigraph"):
        return Oxigraph()
    return Quirks()


def ask_to_select(text: str) -> str:
    """`ASK … {P}` as `SELECT * … {P} LIMIT 1` (for stores whose ASK is wrong)."""
    out, done = [], False
    for t in tokens(text):
        if not done and t.kind == "word" and t.text.upper() == "ASK":
            out.append("SELECT *")  # not a constant: Virtuoso yields a row for it regardless
            done = True
        else:
            out.append(t.text)
    return "".join(out) + "\nLIMIT 1"
