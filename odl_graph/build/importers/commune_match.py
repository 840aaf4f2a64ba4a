"""Check a source row's commune code against the commune name the same row gives, with the COG 2026.

Sources that locate a record by commune sometimes write a postal code where the INSEE code belongs
(the national car-pool base codes a place of Aix-Noulette 62160, which is Boulogne-sur-Mer's INSEE code)
or keep the code of a commune that has since merged. A code is trusted only when the row's own commune
name agrees with it; otherwise the name, within the code's département, decides when exactly one commune
fits, and the row is left out when none or several do. Every decision other than "agrees" is returned
with its reason, so the importer can report the row instead of dropping it silently.

Names are compared folded (odl_graph/text.py: accents, case, hyphens and apostrophes), with the
abbreviations sources use for saints ("ST", "STE", "S") spelt out and the linking words left out.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from odl_graph.build.importers._common import read_csv, sources_dir
from odl_graph.text import fold

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "s": "saint"}
_LINKS = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "en", "sur", "sous", "et", "lez", "lès", "aux",
                    "au", "a", "commune", "nouvelle"})
_ORDINAL = re.compile(r"^\d{1,2}(?:e|er|eme)?$")
_COMMON = frozenset({"saint", "sainte", "bretagne", "anjou", "mer", "bois", "ville"})  # shared by too many names


def words(name: str) -> tuple[str, ...]:
    """The significant words of a commune name: folded, saints spelt out, linking words left out."""
    out = []
    for w in fold(name).replace(".", " ").split():
        w = _ABBREVIATIONS.get(w, w)
        if w not in _LINKS:
            out.append(w)
    return tuple(out)


def _similar(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two spellings of one commune: a shared distinctive word, one name starting the other, or a typo."""
    if not a or not b:
        return False
    if {w for w in a if len(w) >= 4 and w not in _COMMON} & set(b):
        return True
    ca, cb = "".join(a), "".join(b)
    if min(len(ca), len(cb)) >= 4 and (ca.startswith(cb) or cb.startswith(ca)):
        return True
    return difflib.SequenceMatcher(None, ca, cb).ratio() >= 0.85


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    """`inner` appears in `outer` as consecutive whole words (a merged commune's name keeps its parts)."""
    n = len(inner)
    return 0 < n < len(outer) and any(outer[i:i + n] == inner for i in range(len(outer) - n + 1))


@dataclass(frozen=True)
class Match:
    """What the row's code becomes: `code` (None: left out), and why when it is not the row's own code."""

    code: str | None
    action: str  # "agrees", "kept" (spelling differs), "corrected", "left out"
    reason: str = ""


class CommuneIndex:
    """The COG 2026 communes by code, and by (département, significant words of the name)."""

    def __init__(self, data_dir: Path) -> None:
        self.names: dict[str, str] = {}
        self.words_of: dict[str, tuple[str, ...]] = {}
        self.departement: dict[str, str] = {}
        self.by_words: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
        self.in_dep: dict[str, list[str]] = defaultdict(list)
        for row in read_csv(sources_dir(data_dir, "cog") / "communes.csv", ("code", "nom", "departement")):
            code, dep = row.get("code"), row.get("departement")
            self.names[code], self.departement[code] = row.get("nom"), dep
            self.words_of[code] = words(row.get("nom"))
            self.by_words[(dep, self.words_of[code])].append(code)
            self.in_dep[dep].append(code)

    def departements_of(self, code: str) -> list[str]:
        """Where a code points: its commune's département, or the one a postal code's first digits name."""
        deps = [self.departement[code]] if code in self.departement else []
        head = code[:3] if code.startswith("97") else code[:2]
        for dep in (["2A", "2B"] if head == "20" else [head]):
            if dep not in deps and dep in self.in_dep:
                deps.append(dep)
        return deps

    def label(self, code: str) -> str:
        return f"{self.names[code]} ({code})" if code in self.names else f"{code}, not a COG 2026 commune"

    def match(self, code: str, name: str) -> Match:
        """Check `code` against the commune `name` the same row gives (see the module's docstring)."""
        wanted = words(name)
        own = self.words_of.get(code)
        if own is not None and (own == wanted or not wanted):
            return Match(code, "agrees")
        deps = self.departements_of(code)
        exact = sorted({c for d in deps for c in self.by_words.get((d, wanted), ())})
        if len(exact) == 1:
            return Match(exact[0], "corrected", f"{name!r} is {self.label(exact[0])}, not {self.label(code)}")
        if own is not None and _similar(own, wanted):
            return Match(code, "kept", f"{name!r} read as another spelling of {self.label(code)}")
        if len(exact) > 1:
            return Match(None, "left out", f"{name!r} names {len(exact)} communes of département(s) "
                                           f"{', '.join(deps)}; code {self.label(code)}")
        # A municipal arrondissement ("Lyon 2e Arrondissement"): the commune (Paris, Lyon, Marseille).
        if len(wanted) > 1 and _ORDINAL.match(wanted[1]):
            city = sorted({c for d in deps for c in self.by_words.get((d, wanted[:1]), ())})
            if len(city) == 1:
                return Match(city[0], "corrected", f"{name!r} is an arrondissement of {self.label(city[0])}, "
                                                   f"not {self.label(code)}")
        # A commune merged into one whose name keeps it ("Pierre-Bénite" in Oullins-Pierre-Bénite). The
        # converse (a COG name inside the row's) is not used: "Saint-Lô-d'Ourville" is not Saint-Lô.
        merged = sorted({c for d in deps for c in self.in_dep[d] if _contains(self.words_of[c], wanted)})
        if len(merged) == 1:
            return Match(merged[0], "corrected", f"{name!r} is part of the name of {self.label(merged[0])}, "
                                                 f"not {self.label(code)}")
        found = f"{len(merged)} communes whose name contains it" if merged else "no commune of that name"
        return Match(None, "left out", f"{name!r} does not name {self.label(code)}, and département(s) "
                                       f"{', '.join(deps) or '?'} have {found}")
