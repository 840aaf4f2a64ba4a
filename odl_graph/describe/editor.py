"""Catalogue queries as they open in the SPARQL editor: rebased, parameters written in."""

from __future__ import annotations

import textwrap
from typing import Any

from odl_graph import iris
from odl_graph.describe.labels import DEFAULT_LANG
from odl_graph.sparql_text import inline_parameters


def editor_text(query: Any, base: str = iris.BASE, lang: str = DEFAULT_LANG) -> str:
    """A catalogue query (odl_graph.analyses.catalogue.NamedQuery) as it opens in the editor: rebased, with its
    parameters' defaults written in (YASGUI cannot bind them), checked to still parse."""
    import pyoxigraph as ox

    body = "\n".join(line for line in query.text(base).splitlines() if not line.startswith("#+"))
    title = getattr(query, f"title_{lang}", "") or getattr(query, "name", "")
    description = (getattr(query, "descriptions", None) or {}).get(lang) or getattr(query, "description", "")
    head = "".join(f"# {line}\n" for line in (title, *textwrap.wrap(description, 100)) if line)
    from odl_graph.analyses.catalogue import DEFAULT_VIEW_NAMES

    view = DEFAULT_VIEW_NAMES.get(getattr(query, "view", ""))
    if view:  # the editor opens the result in the catalogue's view
        head += f"#defaultView:{view}\n"
    text = head + body.lstrip("\n") + "\n"
    defaults = {p.name: p.default for p in getattr(query, "params", ()) if p.default is not None}
    if not defaults:
        return text
    try:
        from odl_graph.analyses.catalogue import to_term

        terms = {name: str(to_term(query.param(name), value, base)) for name, value in defaults.items()}
        inlined = inline_parameters(text, terms)
        ox.Store().query(inlined)  # syntax check on an empty store
    except Exception:  # any failure: show the text as written, with its parameters listed
        listed = ", ".join(f"?{k} = {v}" for k, v in defaults.items())
        return f"# Parameters (bind them before running): {listed}\n{text}"
    listed = ", ".join(f"?{k} = {v}" for k, v in defaults.items())
    return f"# Parameters set to their defaults: {listed}\n{inlined}"
