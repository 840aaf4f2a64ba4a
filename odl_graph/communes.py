"""Find a commune by its name or INSEE code, as a person types it: accents, case, hyphens and
apostrophes do not matter ("chalon sur saone" finds Chalon-sur-Saône), and a name shared by several
communes is reported with every candidate instead of a guess.

The index holds every commune of the graph (the COG: about 35,000), fetched with one query and kept
in memory; completion is a scan of folded names, well under a millisecond per keystroke. No Flask.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from odl_graph.errors import NotFound
from odl_graph.text import fold

Q_COMMUNE_NAMES = """
SELECT ?commune ?label ?insee ?depLabel ?depCode ?population ?acv WHERE {
  ?commune a odl:Commune ; igeo:codeINSEE ?insee .
  OPTIONAL { ?commune rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?commune odl:inDepartement/rdfs:label ?depLabel FILTER(lang(?depLabel) = "fr") }
  OPTIONAL { ?commune odl:inDepartement/igeo:codeINSEE ?depCode }
  OPTIONAL { ?commune odl:population ?population }
  BIND(EXISTS { ?commune odl:memberOf ?programme } AS ?acv)
}"""
INSEE_RE = re.compile(r"^\s*(\d[0-9AaBb]\d{3})\s*$")


SUGGESTIONS = 8
MAX_NAME = 80  # longer than any commune name: no typo search


class CommuneLookupError(NotFound):
    """No commune, or several, answer to what was typed; `candidates` are the closest matches."""

    def __init__(self, message: str, candidates: list[CommuneEntry]) -> None:
        super().__init__(message)
        self.candidates = candidates


class UnknownCommune(CommuneLookupError):
    """No commune has this name or code; `candidates` are the nearest names."""


class AmbiguousCommune(CommuneLookupError):
    """Several communes share this name; `candidates` lists them all, with their codes."""


@dataclass(frozen=True)
class CommuneEntry:
    iri: str
    label: str
    insee: str
    departement: str  # its label ("" when unknown)
    dep_code: str  # its INSEE code ("" when unknown), to narrow a shared name: "Saint-Denis (93)"
    population: int | None
    acv: bool  # member of a programme (Action Cœur de Ville)

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "insee": self.insee, "departement": self.departement,
                "population": self.population, "acv": self.acv}


class CommuneIndex:
    """Every commune by folded name and by code."""

    def __init__(self, entries: Iterable[CommuneEntry]) -> None:
        # Larger towns first: "Saint-Denis" offers the one of 110,000 people before the hamlets.
        self.entries = sorted(entries, key=lambda e: (not e.acv, -(e.population or 0), fold(e.label), e.insee))
        self.folded = [fold(e.label) for e in self.entries]
        self.by_code = {e.insee.upper(): e for e in self.entries}

    @classmethod
    def from_query(cls, query: Callable[[str], Any]) -> CommuneIndex:
        """`query` runs SPARQL with the odl/igeo/rdfs prefixes declared (diagnostic.Tables._q does)."""
        entries = []
        for r in query(Q_COMMUNE_NAMES):
            iri, insee = r["commune"].value, r["insee"].value
            pop = r["population"].value if r["population"] is not None else ""
            entries.append(CommuneEntry(
                iri, r["label"].value if r["label"] is not None else insee, insee,
                r["depLabel"].value if r["depLabel"] is not None else "",
                r["depCode"].value if r["depCode"] is not None else "",
                int(pop) if pop.lstrip("-").isdigit() else None, r["acv"].value == "true"))
        return cls(entries)

    def complete(self, text: str, limit: int = 10) -> list[CommuneEntry]:
        """Communes whose code starts with `text`, or whose name starts with it, then whose name has it."""
        code = text.strip().upper()
        if code[:1].isdigit():
            return [e for e in self.entries if e.insee.upper().startswith(code)][:limit]
        key = fold(text)
        if not key:
            return []
        starts = [e for e, f in zip(self.entries, self.folded, strict=True) if f.startswith(key)]
        if len(starts) >= limit:
            return starts[:limit]
        words = [e for e, f in zip(self.entries, self.folded, strict=True)
                 if not f.startswith(key) and f" {key}" in f" {f}"]
        if len(starts) + len(words) >= limit:
            return (starts + words)[:limit]
        inside = [e for e, f in zip(self.entries, self.folded, strict=True)
                  if key in f and not f.startswith(key) and f" {key}" not in f" {f}"]
        return (starts + words + inside)[:limit]

    def resolve(self, text: str) -> CommuneEntry:
        """The one commune `text` names: an INSEE code, an IRI, or a name (with its département or code
        in brackets, as completion offers it, to pick among homonyms)."""
        text = text.strip()
        m = INSEE_RE.match(text) or re.search(r"\((\d[0-9AaBb]\d{3})\b[^)]*\)\s*$", text)
        if m and m.group(1).upper() in self.by_code:
            return self.by_code[m.group(1).upper()]
        if text.startswith(("http://", "https://")):
            hit = next((e for e in self.entries if e.iri == text), None)
            if hit:
                return hit
        narrow = ""
        m = re.match(r"^(?P<name>.+?)\s*\((?P<code>[0-9][0-9AaBb][0-9]?)\)\s*$", text)
        if m:  # "Saint-Denis (93)": a name narrowed by its département's code
            text, narrow = m.group("name"), m.group("code").upper()
        key = fold(re.sub(r"\s*\([^)]*\)\s*$", "", text))
        exact = [e for e, f in zip(self.entries, self.folded, strict=True)
                 if f == key and (not narrow or e.dep_code.upper() == narrow)]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise AmbiguousCommune(f"{len(exact)} communes are named {text!r}; give the INSEE code of one: "
                                   + ", ".join(f"{e.label} ({e.insee})" for e in exact[:10]), exact)
        near = self.complete(text, SUGGESTIONS) if len(key) <= MAX_NAME else []
        if not near and 0 < len(key) <= MAX_NAME:
            # Typos: names of about the same length with the same first letter (a bounded cost per request).
            pool = sorted({f for f in self.folded if f[:1] == key[:1] and abs(len(f) - len(key)) <= 3})
            close = set(difflib.get_close_matches(key, pool, n=SUGGESTIONS, cutoff=0.75))
            near = [e for e, f in zip(self.entries, self.folded, strict=True) if f in close][:SUGGESTIONS]
        hint = ("; did you mean " + ", ".join(f"{e.label} ({e.insee})" for e in near[:5]) + "?") if near else ""
        raise UnknownCommune(f"no commune named or coded {text!r} in the graph{hint}", near)
