"""Communes by name or INSEE code: what a person types ("chalon sur saone", "Saint-Denis (93)")
resolved to one commune, or a clear refusal listing the candidates with their codes.

One index per store version (built by `diagnostic.Tables.communes`), shared by the CLI, the API and
the pages' completion. Names are compared folded (odl_graph.text.fold): accents, case, hyphens and
apostrophes do not matter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from odl_graph.errors import NotFound
from odl_graph.iris import sparql_prefixes
from odl_graph.text import fold, sort_key

Q_NAMES = """
SELECT ?commune ?label ?insee ?dep WHERE {
  ?commune a odl:Commune ; rdfs:label ?label .
  OPTIONAL { ?commune igeo:codeINSEE ?insee }
  OPTIONAL { ?commune odl:inDepartement/igeo:codeINSEE ?dep }
}"""
# "Saint-Denis (93)" or "Saint-Denis (93066)": a name narrowed by a département or INSEE code.
_QUALIFIED = re.compile(r"^(?P<name>.+?)\s*\((?P<code>[0-9][0-9AB][0-9]{0,3})\)\s*$", re.IGNORECASE)
SUGGESTIONS = 8
MAX_NAME = 80  # longer than any commune name: no suggestions searched


@dataclass(frozen=True)
class CommuneName:
    iri: str
    label: str
    insee: str
    departement: str  # its code, "" when unknown

    def __str__(self) -> str:
        return f"{self.label} ({self.insee})"


class UnknownCommune(NotFound):
    """No commune has this name or code; `suggestions` are the nearest names."""

    def __init__(self, message: str, suggestions: list[CommuneName]) -> None:
        self.suggestions = suggestions
        super().__init__(message)


class AmbiguousCommune(UnknownCommune):
    """Several communes share this name; `suggestions` lists them all (with their codes)."""


class CommuneIndex:
    """Every commune of the graph by folded name and by INSEE code."""

    def __init__(self, names: Iterable[CommuneName]) -> None:
        self.by_name: dict[str, list[CommuneName]] = {}
        self.by_code: dict[str, CommuneName] = {}
        seen: set[tuple[str, str]] = set()
        for c in sorted(names, key=lambda c: (sort_key(c.label), c.insee)):
            key = fold(c.label)
            if (key, c.iri) in seen:
                continue
            seen.add((key, c.iri))
            self.by_name.setdefault(key, []).append(c)
            self.by_code.setdefault(c.insee, c)

    @classmethod
    def load(cls, store: object, base_iri: str) -> CommuneIndex:
        rows = store.query(sparql_prefixes(base_iri) + Q_NAMES)  # type: ignore[attr-defined]
        return cls(CommuneName(r["commune"].value, r["label"].value,
                               r["insee"].value if r["insee"] is not None else r["commune"].value.rsplit("/", 1)[-1],
                               r["dep"].value if r["dep"] is not None else "") for r in rows)

    def find(self, text: str, limit: int = 10) -> list[CommuneName]:
        """Completion: names starting with `text`, then names with a word starting with it, then
        names containing it (folded), each group in alphabetical order."""
        q = fold(text)
        if not q:
            return []
        groups: tuple[list[CommuneName], ...] = ([], [], [])
        for key, communes in self.by_name.items():
            if key.startswith(q):
                groups[0].extend(communes)
            elif f" {q}" in f" {key}":
                groups[1].extend(communes)
            elif q in key:
                groups[2].extend(communes)
            if len(groups[0]) >= limit:
                break
        return [c for g in groups for c in g][:limit]

    def resolve(self, text: str) -> CommuneName:
        """The one commune `text` names (an INSEE code, a name, or "name (code)"), else
        AmbiguousCommune / UnknownCommune with suggestions."""
        ref = text.strip()
        if ref.upper() in self.by_code:
            return self.by_code[ref.upper()]
        code = ""
        m = _QUALIFIED.match(ref)
        if m:
            ref, code = m.group("name"), m.group("code").upper()
        matches = self.by_name.get(fold(ref), [])
        if code:
            matches = [c for c in matches if c.insee == code or c.departement == code]
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(str(c) for c in matches)
            raise AmbiguousCommune(f"{len(matches)} communes are named {text!r}: {listed}; "
                                   f"give the INSEE code", matches)
        near = self.find(ref, SUGGESTIONS) if len(ref) <= MAX_NAME else []
        key = fold(ref)
        if not near and 0 < len(key) <= MAX_NAME:
            # Typos: names of about the same length with the same first letter (a bounded cost per request).
            pool = [k for k in self.by_name if k[0] == key[0] and abs(len(k) - len(key)) <= 3]
            close = difflib.get_close_matches(key, pool, n=SUGGESTIONS, cutoff=0.75)
            near = [c for k in close for c in self.by_name[k]][:SUGGESTIONS]
        hint = f"; did you mean {', '.join(str(c) for c in near)}?" if near else ""
        raise UnknownCommune(f"no commune named or coded {text!r} in the graph{hint}", near)
