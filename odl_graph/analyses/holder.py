"""The body a diagnostic line or roadmap step tells a town to turn to: the holder *competent* for the data
category by law (odl_graph/analyses/competence.py, data/curated/competences.csv), resolved to this commune's
bodies with their SIREN, never a body that merely publishes on a related theme.

`holder_of()` is the one door: the diagnostic (lines) and the roadmap (steps) read it. It adapts
competence.holding() into the plain dicts the pages, the API and the CLI show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from odl_graph.analyses.tables import Commune, Tables

try:
    from odl_graph.analyses import competence as _competence
except ImportError:  # before data/curated/competences.csv and its module exist
    _competence = None  # type: ignore[assignment]

# How sure the graph is of who holds the data, in words (a step says it, never only a code).
CERTAINTY_WORDS = {
    "by-law": ("désigné par la loi", "named by law"),
    "either": ("l'un ou l'autre selon l'organisation locale", "one or the other, depending on local arrangements"),
    "unknown": ("compétence non établie : à confirmer", "competence not established: to be confirmed"),
}
# Body levels that make the town (or its intercommunality) the competent producer: it produces, not asks.
LOCAL_LEVELS = frozenset({"commune", "epci", "intercommunalite", "aom"})


@dataclass
class HolderAnswer:
    """Who holds a category's data for one commune, how surely, and on which legal basis."""

    bodies: list[dict[str, Any]]  # iri, label, label_en, siren, pages, local, level
    certainty: str  # by-law | either | unknown
    legal_basis_fr: str | None = None
    legal_basis_en: str | None = None
    legal_sources: list[str] = field(default_factory=list)
    obligation: bool | None = None  # opening the data is an obligation (None: unknown)
    obligation_fr: str | None = None
    obligation_en: str | None = None
    obligation_sources: list[str] = field(default_factory=list)
    text_fr: str = ""
    text_en: str = ""
    # When no body is known to be competent: what was searched (the competence rule's note), said to the town
    # so that it can take the search up ("find who holds it") instead of being told to ask a body never named.
    searched_fr: str | None = None
    searched_en: str | None = None

    @property
    def local(self) -> bool:
        """The town or its EPCI is (one of) the competent bodies: it can produce the data itself."""
        return any(b.get("local") for b in self.bodies)

    @property
    def certainty_fr(self) -> str:
        return CERTAINTY_WORDS.get(self.certainty, CERTAINTY_WORDS["unknown"])[0]

    @property
    def certainty_en(self) -> str:
        return CERTAINTY_WORDS.get(self.certainty, CERTAINTY_WORDS["unknown"])[1]

    def to_json(self) -> dict[str, Any]:
        return {"bodies": self.bodies, "certainty": self.certainty, "certainty_fr": self.certainty_fr,
                "certainty_en": self.certainty_en, "legal_basis_fr": self.legal_basis_fr,
                "legal_basis_en": self.legal_basis_en, "legal_sources": self.legal_sources,
                "obligation": self.obligation, "obligation_fr": self.obligation_fr,
                "obligation_en": self.obligation_en, "obligation_sources": self.obligation_sources,
                "text_fr": self.text_fr, "text_en": self.text_en, "searched_fr": self.searched_fr,
                "searched_en": self.searched_en}


def _body(t: Tables, b: Any) -> dict[str, Any]:
    pages = sorted(t.evidence.actors[b.iri].pages) if b.iri and b.iri in t.evidence.actors else []
    level = getattr(b, "level", None)
    return {"iri": b.iri, "label": b.label_fr, "label_en": b.label_en or b.label_fr, "siren": b.siren,
            "pages": pages, "local": bool(getattr(b, "is_commune", False)) or level in LOCAL_LEVELS,
            "level": level}


def _from_competence(t: Tables, commune: Commune, category: str) -> HolderAnswer | None:
    if _competence is None:
        return None
    h = _competence.holding(t, commune, category)
    c = getattr(h, "competence", None)
    unknown_level = not h.bodies and c is not None and not getattr(c, "known", True)  # its note: what was searched
    return HolderAnswer(
        [_body(t, b) for b in h.bodies], h.certainty,
        getattr(c, "legal_basis_fr", None), getattr(c, "legal_basis_en", None),
        list(getattr(c, "legal_sources", ()) or ()), getattr(c, "obligation", None),
        getattr(c, "obligation_fr", None), getattr(c, "obligation_en", None),
        list(getattr(c, "obligation_sources", ()) or ()), h.text_fr, h.text_en,
        *((getattr(c, "note_fr", None), getattr(c, "note_en", None)) if unknown_level else (None, None)))


def holder_of(t: Tables, commune: Commune, category: str) -> HolderAnswer:
    """The competent holder of CATEGORY's data for COMMUNE. Without a competence rule, the category's
    usual producers resolved to the commune's bodies, said to be unestablished (certainty "unknown")."""
    answer = _from_competence(t, commune, category)
    if answer is not None:
        return answer
    bodies = [{**p, "level": None} for p in t.concrete_producers(commune, category)]
    names_fr = ", ".join(b["label"] for b in bodies) or "inconnu"
    names_en = ", ".join(b["label_en"] or b["label"] for b in bodies) or "unknown"
    return HolderAnswer(bodies, "unknown",
                        text_fr=f"producteurs habituels de la catégorie : {names_fr} ; compétence non établie",
                        text_en=f"usual producers of the category: {names_en}; competence not established")
