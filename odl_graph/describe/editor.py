"""Catalogue queries as they open in the SPARQL editor: rebased, parameters written in."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from typing import Any

from odl_graph import iris
from odl_graph.describe.labels import DEFAULT_LANG

_VAR_LEXEMES = re.compile(
    r"""(?P<skip><[^<>"{}|^`\\\s]*>|"""
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|'''
    r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*)"""
    r"""|(?P<select>\bSELECT\b)|(?P<where>\bWHERE\b|\{)|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)""",
    re.I | re.S,
)


def inline_parameters(sparql: str, values: Mapping[str, str]) -> str:
    """Write parameter values into a query's text, as a substitution would bind them.

    `values` maps variable names to SPARQL terms (`"1"^^<...#integer>`, `<iri>`). In a SELECT
    projection the variable becomes `(term AS ?var)` so the column stays; elsewhere the term
    replaces it. IRIs, strings and comments are left alone.
    """
    out: list[str] = []
    pos = 0
    in_projection = False
    for m in _VAR_LEXEMES.finditer(sparql):
        out.append(sparql[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if m.group("select"):
            in_projection = True
        elif m.group("where"):
            in_projection = False
        elif m.group("var") and token[1:] in values:
            term = values[token[1:]]
            token = f"({term} AS {token})" if in_projection else term
        out.append(token)
    out.append(sparql[pos:])
    return "".join(out)


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
