"""Who holds a data category for one commune, by competence: the rule of `data/curated/competences.csv`
(the level the law makes competent, on which legal basis, and whether opening is an obligation),
resolved through the COG chain commune → EPCI (and its type) → département → région to concrete bodies
with their SIREN.

The rules a town acts on (docs/evidence.md):
- data of a commune-level competence names the town itself ("this is you"), never a council above it;
- the mobility authority (level `aom`) is the EPCI when it is a communauté d'agglomération, urbaine or a
  métropole (by law); for a communauté de communes it is "the EPCI or the région" (certainty "either");
- a named body with a territorial remit (a regional GIS centre, a water agency, a city agency) is named
  only for communes inside its territory (`odl:competentFor`); a body whose territory is unknown and that is
  not a national body is never named;
- an unknown level gives no body at all (certainty "unknown"): the graph does not guess.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from odl_graph.analyses.tables import Commune, Tables

CERTAINTIES = ("by-law", "either", "unknown")
LEVELS = ("commune", "epci", "aom", "syndicat", "departement", "region", "state", "operator", "company")
# The COG's EPCI types that are the mobility organising authority by law (see competences.csv, row
# horaires-transports-publics, for the article read).
AOM_BY_LAW = ("CA", "CU", "METRO", "MET69")
# Actor categories whose remit is territorial by nature (a council, a planning agency, a regional centre):
# such a body is named only inside its stated territory, never when that territory is unknown. Others
# (State services and agencies, companies, associations) are named wherever the commune is, unless the
# graph states a territory for them.
TERRITORIAL_CATEGORIES = ("local-public", "commune", "ccas", "intercommunalite", "departement", "region",
                          "parapublic", "cci", "other-parapublic")
# Départements whose council is the single territorial collectivity of their région (Corse, Martinique,
# Guyane: data/sources/SOURCES.md, collectivites/).
CTU_DEPARTEMENTS = ("2A", "2B", "972", "973")
# Île-de-France: the mobility authority of the whole région is one body (competences.csv names it).
ILE_DE_FRANCE = "11"

Q_COMPETENCES = """
SELECT ?competence ?category ?level ?holder ?basis ?legalSource ?required ?obligation ?obligationSource
       ?note ?source ?unknownLevel ?unknownRequired WHERE {
  ?competence a odl:Competence ; odl:competenceCategory ?category .
  { ?competence odl:competentLevel ?level } UNION { ?competence odl:competentBody ?holder }
  UNION { ?competence odl:legalBasis ?basis } UNION { ?competence odl:legalSource ?legalSource }
  UNION { ?competence odl:openingRequired ?required } UNION { ?competence odl:openingObligation ?obligation }
  UNION { ?competence odl:obligationSource ?obligationSource } UNION { ?competence dcterms:description ?note }
  UNION { ?competence dcterms:source ?source }
  UNION { ?competence odl:unknownValueOf odl:competentLevel BIND(true AS ?unknownLevel) }
  UNION { ?competence odl:unknownValueOf odl:openingRequired BIND(true AS ?unknownRequired) }
}"""
# Every commune's SIREN and every EPCI's type (COG), and the councils of départements and régions with
# their SIREN (odl_graph/build/importers/collectivites.py and bodies.py).
Q_COMMUNE_SIRENS = "SELECT ?c ?siren WHERE { ?c a odl:Commune ; odl:siren ?siren }"
Q_EPCI = """SELECT ?e ?type ?siren WHERE {
  ?e a odl:EPCI . OPTIONAL { ?e odl:epciType ?type } OPTIONAL { ?e odl:siren ?siren } }"""
Q_COUNCILS = """
SELECT ?body ?territory ?category ?siren ?label ?listed WHERE {
  ?body odl:competentFor ?territory ; odl:actorCategory ?category .
  OPTIONAL { ?body odl:siren ?siren }
  OPTIONAL { ?body rdfs:label ?label }
  BIND(EXISTS { ?body dcterms:source ?s FILTER(CONTAINS(STR(?s), "django-francedata")) } AS ?listed)
}"""
Q_ACTORS = """
SELECT ?actor ?category ?siren ?territory ?label WHERE {
  ?c odl:competentBody ?actor .
  OPTIONAL { ?actor odl:actorCategory ?cat . BIND(REPLACE(STR(?cat), "^.*/", "") AS ?category) }
  OPTIONAL { ?actor odl:siren ?siren }
  OPTIONAL { ?actor odl:competentFor ?territory }
  OPTIONAL { ?actor rdfs:label ?label }
}"""


@dataclass(frozen=True)
class Body:
    """A concrete body a town can write to."""

    iri: str | None
    label_fr: str
    label_en: str
    siren: str | None
    level: str  # commune | epci | syndicat | departement | region | state | operator | company
    is_commune: bool  # the asking commune itself ("this is you")


@dataclass(frozen=True)
class Competence:
    """One row of competences.csv as read from the store."""

    category: str
    levels: tuple[str, ...]
    holders: tuple[str, ...]
    legal_basis_fr: str | None
    legal_basis_en: str | None
    legal_sources: tuple[str, ...]
    obligation: bool | None  # None = unknown
    obligation_fr: str | None
    obligation_en: str | None
    obligation_sources: tuple[str, ...]
    note_fr: str | None
    note_en: str | None
    sources: tuple[str, ...]
    known: bool  # False when levels is unknown


@dataclass(frozen=True)
class Holding:
    """The competent holder of one category for one commune."""

    category: str
    competence: Competence
    bodies: tuple[Body, ...]  # most competent first; empty when unknown
    certainty: str  # "by-law" | "either" | "unknown"
    text_fr: str  # one plain sentence: who holds it and on which basis
    text_en: str


def unknown_competence(category: str) -> Competence:
    """What a category without a competence row reads as (SHACL forbids it in a built graph)."""
    return Competence(category, (), (), None, None, (), None, None, None, (), None, None, (), False)


@dataclass
class _Actor:
    label_fr: str | None = None
    label_en: str | None = None
    category: str | None = None
    siren: str | None = None
    territories: frozenset[str] = frozenset()


class _Index:
    """What holding() needs beyond the Tables, fetched once per Tables (store version)."""

    def __init__(self, t: Tables) -> None:
        q = t._q
        self.competences = _read_competences(q(Q_COMPETENCES))
        self._q = q
        self._sirens = t.sirens  # the ACV communes and every EPCI (tables.Q_SIRENS)
        self._commune_sirens: dict[str, str] | None = None
        self.epci_types: dict[str, str] = {}
        self.epci_sirens: dict[str, str] = {}
        for r in q(Q_EPCI):
            if r["type"] is not None:
                self.epci_types[r["e"].value] = r["type"].value
            if r["siren"] is not None:
                self.epci_sirens[r["e"].value] = r["siren"].value
        # territory -> actor-category code -> (body IRI, SIREN, French label). Where several bodies claim a
        # territory (the former Région Corse and the Collectivité de Corse), the one of the councils' list
        # (collectivites importer) wins, then one with a SIREN.
        ranked: dict[tuple[str, str], dict[str, list[Any]]] = {}
        for r in q(Q_COUNCILS):
            code = r["category"].value.rsplit("/", 1)[-1]
            c = ranked.setdefault((r["territory"].value, code), {}).setdefault(
                r["body"].value, [r["body"].value, None, None, False])
            c[1] = c[1] or (r["siren"].value if r["siren"] is not None else None)
            label = r["label"]
            if label is not None and getattr(label, "language", None) == "fr":
                c[2] = label.value
            c[3] = c[3] or (r["listed"] is not None and r["listed"].value == "true")
        self.councils: dict[str, dict[str, tuple[str, str | None, str | None]]] = {}
        for (territory, code), bodies in ranked.items():
            best = min(bodies.values(), key=lambda c: (not c[3], c[1] is None, c[0]))
            self.councils.setdefault(territory, {})[code] = (best[0], best[1], best[2])
        self.actors: dict[str, _Actor] = {}
        territories: dict[str, set[str]] = {}
        for r in q(Q_ACTORS):
            a = self.actors.setdefault(r["actor"].value, _Actor())
            a.category = r["category"].value if r["category"] is not None else a.category
            a.siren = r["siren"].value if r["siren"] is not None else a.siren
            if r["territory"] is not None:
                territories.setdefault(r["actor"].value, set()).add(r["territory"].value)
            if r["label"] is not None:
                lang = getattr(r["label"], "language", None)
                if lang == "en":
                    a.label_en = r["label"].value
                else:
                    a.label_fr = a.label_fr or r["label"].value
        for iri, ts in territories.items():
            self.actors[iri].territories = frozenset(ts)


    def commune_siren(self, commune: str) -> str | None:
        """A commune's SIREN (COG): the ACV towns' from the Tables, every other commune's fetched once."""
        if commune in self._sirens:
            return self._sirens[commune]
        if self._commune_sirens is None:
            self._commune_sirens = {r["c"].value: r["siren"].value for r in self._q(Q_COMMUNE_SIRENS)}
        return self._commune_sirens.get(commune)


def _read_competences(rows: Any) -> dict[str, Competence]:
    raw: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = raw.setdefault(r["category"].value, {"levels": set(), "holders": set(), "legal": set(), "obl": set(),
                                                  "src": set(), "text": {}, "required": None, "unknown": False,
                                                  "unknown_required": False})
        if r["level"] is not None:
            c["levels"].add(r["level"].value.rsplit("/", 1)[-1])
        if r["holder"] is not None:
            c["holders"].add(r["holder"].value)
        for var, key in (("legalSource", "legal"), ("obligationSource", "obl"), ("source", "src")):
            if r[var] is not None:
                c[key].add(r[var].value)
        for var in ("basis", "obligation", "note"):
            if r[var] is not None:
                c["text"][(var, getattr(r[var], "language", None) or "fr")] = r[var].value
        if r["required"] is not None:
            c["required"] = r["required"].value in ("true", "1")
        c["unknown"] |= r["unknownLevel"] is not None
        c["unknown_required"] |= r["unknownRequired"] is not None
    out: dict[str, Competence] = {}
    for cat, c in raw.items():
        levels = tuple(sorted(c["levels"], key=LEVELS.index)) if not c["unknown"] else ()
        text = c["text"]
        out[cat] = Competence(
            cat, levels, tuple(sorted(c["holders"])), text.get(("basis", "fr")), text.get(("basis", "en")),
            tuple(sorted(c["legal"])), None if c["unknown_required"] else c["required"],
            text.get(("obligation", "fr")), text.get(("obligation", "en")), tuple(sorted(c["obl"])),
            text.get(("note", "fr")), text.get(("note", "en")), tuple(sorted(c["src"])), bool(levels))
    return out


_indexes: weakref.WeakKeyDictionary[Tables, _Index] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _index(t: Tables) -> _Index:
    with _lock:
        if t not in _indexes:
            _indexes[t] = _Index(t)
        return _indexes[t]


def competences(t: Tables) -> dict[str, Competence]:
    """Data category IRI -> its competence rule (loaded once per Tables, i.e. per store version)."""
    return _index(t).competences


def competence(t: Tables, category: str) -> Competence:
    """The rule of one category; an explicit unknown when the graph has none."""
    return competences(t).get(category) or unknown_competence(category)


# -- bodies ----------------------------------------------------------------------------------
def _commune_body(t: Tables, ix: _Index, c: Commune) -> Body:
    council = ix.councils.get(c.iri, {}).get("commune")
    siren = ix.commune_siren(c.iri) or (council[1] if council else None)
    return Body(council[0] if council else None, f"Commune de {c.label}", f"Municipality of {c.label}", siren,
                "commune", True)


def _epci_body(t: Tables, ix: _Index, c: Commune) -> Body | None:
    if not c.epci:
        return None
    council = ix.councils.get(c.epci, {}).get("intercommunalite")
    name = t.label(c.epci)
    return Body(council[0] if council else None, name, t.label(c.epci, "en") or name,
                ix.epci_sirens.get(c.epci) or (council[1] if council else None), "epci", False)


def _council(t: Tables, ix: _Index, territory: str | None, code: str) -> Body | None:
    """The council of a département or région, from the bodies the import names with a SIREN."""
    if not territory:
        return None
    council = ix.councils.get(territory, {}).get(code)
    name = t.label(territory)
    if council is None:
        return None
    if code == "departement":
        fr, en = council[2] or f"Conseil départemental ({name})", f"Departmental council ({t.label(territory, 'en')})"
    else:
        fr, en = council[2] or f"Conseil régional ({name})", f"Regional council ({t.label(territory, 'en')})"
    return Body(council[0], fr, en, council[1], code, False)


def _departement_body(t: Tables, ix: _Index, c: Commune) -> Body | None:
    # Corse, Martinique and Guyane have no departmental council: the single collectivity (the région's
    # council row, CTU) holds its competences.
    if c.departement and c.departement.rsplit("/", 1)[-1] in CTU_DEPARTEMENTS:
        return _council(t, ix, c.region, "region")
    return _council(t, ix, c.departement, "departement")


def _named(t: Tables, ix: _Index, c: Commune, actor: str, level: str) -> Body | None:
    """A body the rule names, if its remit covers the commune: national bodies anywhere, others only
    inside their stated territory (never when that territory is unknown)."""
    a = ix.actors.get(actor, _Actor())
    chain = {x for x in (c.iri, c.epci, c.departement, c.region, t.national) if x}
    if a.territories:
        if not a.territories & chain:
            return None
    elif a.category in TERRITORIAL_CATEGORIES or a.category is None:
        return None
    fr = a.label_fr or t.label(actor)
    return Body(actor, fr, a.label_en or fr, a.siren, level, False)


def _aom(t: Tables, ix: _Index, c: Commune, comp: Competence) -> tuple[list[Body], bool]:
    """(bodies, by law) of the mobility organising authority of the commune."""
    named = [b for h in comp.holders if (b := _named(t, ix, c, h, "aom")) is not None]
    if c.region and c.region.rsplit("/", 1)[-1] == ILE_DE_FRANCE and named:
        # Île-de-France Mobilités: an établissement public of the région, Paris and the départements,
        # which the Code des transports calls a syndicat (actors.csv cites the pages)
        return [replace_level(b, "syndicat") for b in named], True
    epci = _epci_body(t, ix, c)
    kind = ix.epci_types.get(c.epci or "")
    if epci is not None and kind in AOM_BY_LAW:
        return [epci], True
    region = _council(t, ix, c.region, "region")
    return [b for b in (epci, region) if b is not None], False


def replace_level(b: Body, level: str) -> Body:
    return Body(b.iri, b.label_fr, b.label_en, b.siren, level, b.is_commune)


def _bodies(t: Tables, ix: _Index, c: Commune, comp: Competence) -> tuple[list[Body], bool]:
    """(bodies, single by-law choice) for the rule's levels, most competent first."""
    out: list[Body] = []
    by_law = True
    for level in comp.levels:
        if level == "commune":
            out.append(_commune_body(t, ix, c))
        elif level == "epci":
            if (b := _epci_body(t, ix, c)) is not None:
                out.append(b)
        elif level == "aom":
            bodies, law = _aom(t, ix, c, comp)
            out += bodies
            by_law &= law
        elif level == "departement":
            if (b := _departement_body(t, ix, c)) is not None:
                out.append(b)
        elif level == "region":
            if (b := _council(t, ix, c.region, "region")) is not None:
                out.append(b)
        elif level in ("state", "operator", "company"):
            out += [b for h in comp.holders if (b := _named(t, ix, c, h, level)) is not None
                    and ix.actors.get(h, _Actor()).category != "region"]
        # syndicat: which syndicat holds it is not in the graph (no BANATIC import): nobody is named
    seen: set[tuple[str | None, str]] = set()
    unique = []
    for b in out:
        key = (b.iri or b.siren, b.label_fr)
        if key not in seen:
            seen.add(key)
            unique.append(b)
    return unique, by_law


def _names(bodies: tuple[Body, ...], lang: str) -> str:
    parts = []
    for b in bodies:
        label = b.label_fr if lang == "fr" else b.label_en
        parts.append(f"{label} (SIREN {b.siren})" if b.siren else label)
    return (" ou " if lang == "fr" else " or ").join(parts)


def holding(t: Tables, commune: Commune, category: str) -> Holding:
    """The body competent for CATEGORY in COMMUNE, with the basis of that answer."""
    ix = _index(t)
    comp = ix.competences.get(category) or unknown_competence(category)
    cat_fr, cat_en = t.label(category), t.label(category, "en")
    if not comp.known:
        return Holding(category, comp, (), "unknown",
                       f"{cat_fr} : le détenteur compétent n'est pas connu (aucune règle de compétence sourcée).",
                       f"{cat_en}: the competent holder is not known (no sourced competence rule).")
    bodies, by_law = _bodies(t, ix, commune, comp)
    found = tuple(bodies)
    if not found:
        certainty = "unknown"
    elif len(found) > 1 or not by_law:
        certainty = "either"
    elif comp.legal_basis_fr:
        certainty = "by-law"
    else:
        certainty = "unknown"
    basis_fr = f" ({comp.legal_basis_fr})" if comp.legal_basis_fr else " (base légale non connue)"
    basis_en = f" ({comp.legal_basis_en})" if comp.legal_basis_en else " (legal basis not known)"
    if not found:
        levels_fr = ", ".join(t.label(f"{t.base_iri}id/concept/competence-level/{lv}") for lv in comp.levels)
        levels_en = ", ".join(t.label(f"{t.base_iri}id/concept/competence-level/{lv}", "en") for lv in comp.levels)
        fr = f"{cat_fr} : relève de {levels_fr}{basis_fr} ; l'organisme concret n'est pas connu pour cette commune."
        en = f"{cat_en}: held at the level of {levels_en}{basis_en}; the concrete body is not known for this commune."
    elif found[0].is_commune and len(found) == 1:
        fr = f"{cat_fr} : c'est la commune elle-même, {_names(found, 'fr')}, qui est compétente{basis_fr}."
        en = f"{cat_en}: the commune itself, {_names(found, 'en')}, is competent{basis_en}."
    else:
        verb_fr, verb_en = ("l'un ou l'autre de", "either ") if certainty == "either" else ("", "")
        fr = f"{cat_fr} : détenteur compétent {verb_fr}{_names(found, 'fr')}{basis_fr}."
        en = f"{cat_en}: competent holder {verb_en}{_names(found, 'en')}{basis_en}."
    return Holding(category, comp, found, certainty, fr, en)
