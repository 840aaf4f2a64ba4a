"""What the graph knows, territory by territory, about the data a commune has: the evidence levels of the
diagnostic (docs/evidence.md), ranked by strength.

From the strongest:
- records of the town: records of a dataset counted in the commune (`odl:LocalRecords`, e.g. the places of
  the national car-pool base), or a dataset whose coverage is the commune itself (verified);
- a dataset of the town's EPCI (then of its département or région) (assumed: its content for the town is
  not checked);
- an open national dataset covering the town, i.e. whose coverage does not exclude it (its content for the
  town is not verified);
- a hint: a body competent for a territory of the commune publishes open data on a theme that suggests the
  category (`odl:PublishingRecord` + `data/mappings/`). A hint never outranks a dataset and never makes its
  publisher the holder: the holder comes from competence (odl_graph/analyses/competence.py);
- nothing known (unknown).
A dataset known territory by territory (`odl:localContent` per-territory) that holds nothing for the
commune makes the absence a verified fact ("absent"): the only case where the graph says a town lacks data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# level -> (certainty, weight of the evidence, French label, English label), strongest first. The level keys
# are stable (the API and the pages use them); "local-publisher" is the observatory hint.
LEVELS: dict[str, tuple[str, float, str, str]] = {
    "local-records": ("verified", 1.0, "enregistrements de la commune", "records of the town"),
    "local-dataset": ("assumed", 0.75, "jeu de données de l'intercommunalité, du département ou de la région",
                      "dataset of the intercommunality, département or région"),
    "national-unknown": ("unknown", 0.5, "jeu national couvrant la commune, contenu local non vérifié",
                         "national dataset covering the town, local content not verified"),
    "local-publisher": ("hint", 0.25, "indice : un organisme publie sur une thématique liée",
                        "hint: a body publishes on a related theme"),
    "absent": ("verified", 0.0, "absence vérifiée", "verified absence"),
    "nothing": ("unknown", 0.0, "rien de connu", "nothing known"),
}
CERTAINTIES = ("verified", "assumed", "hint", "unknown")
# Openness of what the evidence points at -> factor of the weight.
OPENNESS_FACTOR = {"open": 1.0, "unknown": 0.5}
NOT_OPEN_FACTOR = 0.25
LOCAL_CATEGORIES = ("commune", "intercommunalite", "departement", "region")

Q_LOCAL_RECORDS = """
SELECT ?records ?dataset ?territory ?count ?capacity ?publisher WHERE {
  ?records a odl:LocalRecords ; odl:recordsOf ?dataset ; dcterms:spatial ?territory ; odl:recordCount ?count .
  OPTIONAL { ?records odl:capacity ?capacity }
  OPTIONAL { ?records dcterms:publisher ?publisher }
}"""
Q_PER_TERRITORY = """
SELECT ?dataset WHERE { ?dataset odl:localContent ?c . FILTER(STRENDS(STR(?c), "/local-content/per-territory")) }"""
Q_PUBLISHING = """
SELECT ?record ?body ?date ?territory ?theme ?page ?platform ?ptf ?dgf WHERE {
  ?record a odl:PublishingRecord ; odl:publishingBody ?body ; dcterms:date ?date .
  ?body odl:competentFor ?territory .
  OPTIONAL { ?record odl:publishesOnTheme ?theme }
  OPTIONAL { ?record foaf:page ?page }
  OPTIONAL { ?record odl:platformName ?platform }
  OPTIONAL { ?record odl:platformDatasetCount ?ptf }
  OPTIONAL { ?record odl:dataGouvCount ?dgf }
}"""
Q_THEME_RULES = "SELECT ?theme ?category WHERE { ?theme odl:indicatesCategory ?category }"
Q_HAZARDS = "SELECT ?category ?hazard WHERE { ?category odl:concernsHazard ?hazard }"
Q_BODIES = """
SELECT ?body ?territory ?category ?siren WHERE {
  ?body a odl:Actor ; odl:competentFor ?territory ; odl:actorCategory ?category .
  OPTIONAL { ?body odl:siren ?siren }
}"""
Q_ACTOR_DETAILS = """
SELECT ?actor ?siren ?category ?territory ?page WHERE {
  ?actor a odl:Actor .
  OPTIONAL { ?actor odl:siren ?siren }
  OPTIONAL { ?actor odl:actorCategory ?category }
  OPTIONAL { ?actor odl:competentFor ?territory }
  OPTIONAL { { ?actor foaf:homepage ?page } UNION { ?actor rdfs:seeAlso ?page } }
}"""
Q_SEARCHES = """
SELECT ?search ?category ?outcome ?source WHERE {
  ?search odl:searchedCategory ?category ; odl:searchOutcome ?outcome .
  OPTIONAL { ?search dcterms:source ?source }
}"""


def _v(term: Any) -> str | None:
    return None if term is None else term.value


@dataclass
class Records:
    dataset: str
    count: int
    capacity: int | None
    publisher: str | None


@dataclass
class Publication:
    """The latest publishing record of a body competent for a territory."""

    body: str
    date: str
    themes: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    platform: str | None = None
    platform_count: int | None = None
    datagouv_count: int | None = None


@dataclass
class ActorInfo:
    siren: str | None = None
    category: str | None = None  # actor-category code
    territories: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)


class EvidenceTables:
    """The evidence part of the diagnostic's tables, fetched with a handful of queries."""

    def __init__(self, query: Callable[[str], Any]) -> None:
        self._query = query
        self.records: dict[str, list[Records]] = defaultdict(list)  # territory -> records
        for r in query(Q_LOCAL_RECORDS):
            cap = _v(r["capacity"])
            self.records[r["territory"].value].append(
                Records(r["dataset"].value, int(r["count"].value), int(cap) if cap else None, _v(r["publisher"])))
        self.per_territory: set[str] = {r["dataset"].value for r in query(Q_PER_TERRITORY)}

        self.theme_categories: dict[str, set[str]] = defaultdict(set)  # theme -> categories
        for r in query(Q_THEME_RULES):
            self.theme_categories[r["theme"].value].add(r["category"].value)
        latest: dict[str, Publication] = {}
        self.publishers: dict[str, list[Publication]] = defaultdict(list)  # territory -> publications
        body_territories: dict[str, set[str]] = defaultdict(set)
        for r in query(Q_PUBLISHING):
            body, date = r["body"].value, r["date"].value
            body_territories[body].add(r["territory"].value)
            pub = latest.get(body)
            if pub is None or date > pub.date:  # "2022-04-25" > "2021": the 2022 export wins
                pub = latest[body] = Publication(body, date)
            if pub.date != date:
                continue
            if r["theme"] is not None:
                pub.themes.add(r["theme"].value)
            if r["page"] is not None:
                pub.pages.add(r["page"].value)
            pub.platform = _v(r["platform"]) or pub.platform
            for key, attr in (("ptf", "platform_count"), ("dgf", "datagouv_count")):
                if r[key] is not None:
                    setattr(pub, attr, int(r[key].value))
        for body, pub in latest.items():
            for territory in body_territories[body]:
                self.publishers[territory].append(pub)

        # territory -> category -> publications on a theme that suggests it (the lookup of every line)
        self.publications: dict[str, dict[str, list[Publication]]] = defaultdict(lambda: defaultdict(list))
        for territory, pubs in self.publishers.items():
            for pub in pubs:
                for cat in sorted({c for th in pub.themes for c in self.theme_categories.get(th, ())}):
                    self.publications[territory][cat].append(pub)
        self.hazards: dict[str, set[str]] = defaultdict(set)  # category -> hazards
        for r in query(Q_HAZARDS):
            self.hazards[r["category"].value].add(r["hazard"].value)

        self.searches: dict[str, dict[str, Any]] = {}  # category -> {outcome, sources}
        for r in query(Q_SEARCHES):
            s = self.searches.setdefault(r["category"].value,
                                         {"outcome": r["outcome"].value.rsplit("/", 1)[-1], "sources": []})
            if r["source"] is not None and r["source"].value not in s["sources"]:
                s["sources"].append(r["source"].value)

    # Actors are only needed to explain a line (holders, concrete producers), never for the matrix: a
    # harvest mints one per publishing council (tens of thousands), so they are fetched on first use.
    @cached_property
    def bodies(self) -> dict[str, dict[str, str]]:
        """Territory -> actor-category code -> body: the concrete council behind a generic producer."""
        out: dict[str, dict[str, str]] = defaultdict(dict)
        for r in self._query(Q_BODIES):
            code = r["category"].value.rsplit("/", 1)[-1]
            if code in LOCAL_CATEGORIES:
                out[r["territory"].value].setdefault(code, r["body"].value)
        return out

    @cached_property
    def actors(self) -> dict[str, ActorInfo]:
        out: dict[str, ActorInfo] = defaultdict(ActorInfo)
        for r in self._query(Q_ACTOR_DETAILS):
            a = out[r["actor"].value]
            a.siren = _v(r["siren"]) or a.siren
            if r["category"] is not None:
                a.category = r["category"].value.rsplit("/", 1)[-1]
            if r["territory"] is not None:
                a.territories.add(r["territory"].value)
            if r["page"] is not None:
                a.pages.add(r["page"].value)
        return out

    def publications_on(self, territories: list[str], category: str) -> list[tuple[Publication, str]]:
        """(publication, territory) of bodies competent for these territories publishing on a theme that
        suggests the category, most local first."""
        return [(pub, t) for t in territories for pub in self.publications.get(t, {}).get(category, ())]

    def publishing_bodies(self, territories: list[str]) -> list[tuple[Publication, str]]:
        """Every body competent for these territories that publishes open data, most local first."""
        return [(pub, t) for t in territories for pub in self.publishers.get(t, ())]


# A publishing body says more about the commune the closer it is: its own council, then its EPCI, its
# département, its région (index in tables.LEVELS: commune 0 … région 3). The same proximity lowers a
# dataset of the département or région below one of the EPCI.
PUBLISHER_PROXIMITY = (1.0, 0.8, 0.6, 0.4)
DATASET_PROXIMITY = (1.0, 1.0, 0.8, 0.8)


def weight(level: str, family: str | None, distance: int | None = None) -> float:
    """The weight of one line: its evidence level times the openness of what it points at; for a hint,
    times the proximity of the closest publishing body; for a dataset of an enclosing territory, times the
    proximity of that territory (the EPCI above the département and région)."""
    base = LEVELS[level][1]
    if level == "local-publisher":
        return base * PUBLISHER_PROXIMITY[distance or 0]
    if level == "local-dataset":
        base *= DATASET_PROXIMITY[distance or 0]
    if family is None:
        return base
    return base * OPENNESS_FACTOR.get(family, NOT_OPEN_FACTOR)
