"""The diagnostic's tables: what a handful of SPARQL queries fetch once per store version (use cases
and requirements, datasets, categories, labels, ACV communes, and the evidence of
odl_graph/analyses/evidence.py), indexed in memory so that the diagnostic (odl_graph/analyses/diagnostic.py)
answers 244 communes × every use case in milliseconds (bench/bench_diagnostic.py).
"""

from __future__ import annotations

import difflib
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyoxigraph as ox

from odl_graph.analyses import evidence as ev
from odl_graph.communes import CommuneIndex
from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.errors import NotFound
from odl_graph.iris import sparql_prefixes as prefixes
from odl_graph.text import sort_key

LEVELS = ("commune", "epci", "departement", "region", "national")
LEVEL_LABELS = {
    "commune": ("la commune", "the commune"),
    "epci": ("l'intercommunalité", "the intercommunality"),
    "departement": ("le département", "the département"),
    "region": ("la région", "the région"),
    "national": ("le territoire national", "the whole country"),
}
# Status families, best first: the diagnostic keeps, per category, the best covering dataset.
FAMILY_RANK = {"open": 0, "candidate": 1, "other": 2, "not-accessible-justified": 3,
               "not-accessible-unjustified": 4, "unknown": 5}


Q_REQUIREMENTS = """
SELECT ?usecase ?category ?level WHERE {
  ?usecase a odl:UseCase .
  OPTIONAL { ?usecase odl:hasRequirement ?req . ?req odl:requiredCategory ?category .
             OPTIONAL { ?req odl:requirementLevel ?level } }
}"""
Q_DATASETS = """
SELECT ?dataset ?category ?status ?spatial ?holder ?publisher ?landing ?unknownSpatial ?unknownStatus ?excluded
WHERE {
  # Only datasets of a data category can ever be a diagnostic line (most of a harvested catalogue is not).
  ?dataset a dcat:Dataset ; odl:instantiates ?category .
  OPTIONAL { ?dataset dcat:landingPage ?landing }
  OPTIONAL { ?dataset odl:opennessStatus ?status }
  OPTIONAL { ?dataset dcterms:spatial ?spatial }
  OPTIONAL { ?dataset dcterms:rightsHolder ?holder }
  OPTIONAL { ?dataset dcterms:publisher ?publisher }
  OPTIONAL { ?dataset odl:spatialExclusion ?excluded }
  BIND(EXISTS { ?dataset odl:unknownValueOf dcterms:spatial } AS ?unknownSpatial)
  BIND(EXISTS { ?dataset odl:unknownValueOf odl:opennessStatus } AS ?unknownStatus)
}"""
Q_CATEGORIES = """
SELECT ?category ?producer ?usual ?standard ?scdl WHERE {
  ?category a odl:DataCategory .
  OPTIONAL { ?category odl:typicalProducer ?producer }
  OPTIONAL { ?category odl:usualOpennessStatus ?usual }
  OPTIONAL { ?category dcterms:conformsTo ?standard OPTIONAL { ?standard odl:isSCDL ?scdl } }
}"""
Q_DATASET_STANDARDS = """
SELECT DISTINCT ?category ?standard ?scdl WHERE {
  ?dataset odl:instantiates ?category ; dcterms:conformsTo ?standard .
  OPTIONAL { ?standard odl:isSCDL ?scdl }
}"""
Q_STATUSES = """
SELECT ?status ?broader WHERE {
  ?status skos:inScheme ?scheme .
  FILTER(STRENDS(STR(?scheme), "/id/scheme/openness"))
  OPTIONAL { ?status skos:broader ?broader }
}"""
Q_LABELS = """
SELECT ?x ?label WHERE {
  VALUES ?cls { odl:UseCase odl:DataCategory dcat:Dataset odl:Standard odl:EPCI odl:Departement
                odl:Region odl:Territory odl:Challenge skos:Concept }
  ?x a ?cls .
  FILTER(?cls != dcat:Dataset || EXISTS { ?x odl:instantiates ?c })
  { ?x rdfs:label ?label } UNION { ?x skos:prefLabel ?label }
  FILTER(?cls != odl:Territory || NOT EXISTS { ?x a odl:Commune })
}"""
Q_ACTOR_LABELS = "SELECT ?x ?label WHERE { ?x a odl:Actor ; rdfs:label ?label }"
_COMMUNE_VARS = "?commune ?label ?insee ?epci ?departement ?region ?centroid ?population ?acvId ?siren"
_COMMUNE_FIELDS = """
  OPTIONAL { ?commune rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?commune igeo:codeINSEE ?insee }
  OPTIONAL { ?commune odl:inEPCI ?epci }
  OPTIONAL { ?commune odl:inDepartement ?departement }
  OPTIONAL { ?commune odl:inRegion ?region }
  OPTIONAL { ?commune dcat:centroid ?centroid }
  OPTIONAL { ?commune odl:population ?population }
  OPTIONAL { ?commune odl:acvId ?acvId }
  OPTIONAL { ?commune odl:siren ?siren }
"""
# The ACV communes, and any one commune (bound through substitutions) or all of them: the same columns.
Q_ACV = (f"SELECT {_COMMUNE_VARS} WHERE {{\n  ?commune odl:memberOf ?programme . ?programme a odl:Programme ."
         f"{_COMMUNE_FIELDS}}}")
Q_COMMUNE = f"SELECT {_COMMUNE_VARS} WHERE {{\n  ?commune a odl:Commune .{_COMMUNE_FIELDS}}}"
# SIRENs of the EPCI, and of the ACV communes (the COG gives both).
Q_SIRENS = """
SELECT ?t ?siren WHERE {
  { ?t a odl:EPCI ; odl:siren ?siren } UNION { ?t odl:memberOf ?p ; odl:siren ?siren . ?p a odl:Programme }
}"""


# -- tables ----------------------------------------------------------------------------------
@dataclass
class Commune:
    """A commune and the territories that contain it (EPCI, département, région), with its centroid."""
    iri: str
    label: str
    insee: str
    epci: str | None
    departement: str | None
    region: str | None
    centroid: tuple[float, float] | None  # (lon, lat)
    population: int | None
    acv_id: str | None
    siren: str | None = None  # the commune's own SIREN (COG), to name its council

    def territories(self, national: str) -> list[tuple[str, str]]:
        """(territory IRI, level) from the most local to the whole country."""
        chain = [(self.iri, "commune"), (self.epci, "epci"), (self.departement, "departement"),
                 (self.region, "region"), (national, "national")]
        return [(t, level) for t, level in chain if t]


@dataclass
class DatasetInfo:
    """What the diagnostic needs of a dataset: categories, coverage, status, holders, publishers, landing page."""
    iri: str
    categories: set[str] = field(default_factory=set)
    status: str | None = None
    spatial: set[str] = field(default_factory=set)
    holders: set[str] = field(default_factory=set)
    publishers: set[str] = field(default_factory=set)
    unknown_spatial: bool = False
    unknown_status: bool = False
    landing: str | None = None
    excluded: set[str] = field(default_factory=set)  # territories its coverage states it leaves out

    def covers_despite_exclusions(self, chain: set[str]) -> bool:
        """False when the dataset's coverage excludes one of the commune's territories (DVF: not the
        Alsace-Moselle départements nor Mayotte)."""
        return not (self.excluded & chain)

    @property
    def keepers(self) -> list[str]:
        """Who holds the data: the rights holder, or else the publisher."""
        return sorted(self.holders or self.publishers)


@dataclass
class CategoryInfo:
    """A data category's usual producers and the standards it conforms to."""
    iri: str
    producers: set[str] = field(default_factory=set)
    usual: str | None = None
    standards: dict[str, bool] = field(default_factory=dict)  # standard IRI -> is SCDL


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def wkt_point(wkt: str | None) -> tuple[float, float] | None:
    """(lon, lat) of a WKT `POINT(lon lat)` (a commune's dcat:centroid), None for anything else."""
    if not wkt or not wkt.upper().startswith("POINT"):
        return None
    try:
        lon, lat = wkt[wkt.index("(") + 1: wkt.index(")")].split()[:2]
        return float(lon), float(lat)
    except ValueError:
        return None


def _commune(row: Any) -> Commune:
    iri = row["commune"].value
    pop = _v(row["population"])
    return Commune(iri, _v(row["label"]) or iri.rsplit("/", 1)[-1], _v(row["insee"]) or iri.rsplit("/", 1)[-1],
                   _v(row["epci"]), _v(row["departement"]), _v(row["region"]), wkt_point(_v(row["centroid"])),
                   int(pop) if pop and pop.lstrip("-").isdigit() else None, _v(row["acvId"]), _v(row["siren"]))


class Tables:
    """What the diagnostic needs from the graph, fetched once per store version."""

    def __init__(self, store: Any, base_iri: str = DEFAULT_BASE_IRI) -> None:
        self.store = store
        self.base_iri = base_iri
        self.national = f"{base_iri}id/territory/france"
        self.indispensable = f"{base_iri}id/concept/requirement-level/indispensable"
        self.open_status = f"{base_iri}id/concept/openness/open"
        pre = prefixes(base_iri)
        q = lambda text: store.query(pre + text)  # noqa: E731
        self._q = q
        self._actor_labels = False
        self._communes: dict[str, Commune] = {}  # communes outside the ACV list, fetched on first need
        self._sort_keys: dict[str, tuple[str, str]] = {}
        self._needs: dict[tuple[str, str], list[str]] = {}

        self.usecases: dict[str, dict[str, str]] = {}  # use case -> category -> level IRI ("" unknown)
        for r in q(Q_REQUIREMENTS):
            reqs = self.usecases.setdefault(r["usecase"].value, {})
            if r["category"] is not None:
                level = _v(r["level"]) or ""
                if reqs.get(r["category"].value) != self.indispensable:
                    reqs[r["category"].value] = level

        self.datasets: dict[str, DatasetInfo] = {}
        for r in q(Q_DATASETS):
            d = self.datasets.setdefault(r["dataset"].value, DatasetInfo(r["dataset"].value))
            if r["category"] is not None:
                d.categories.add(r["category"].value)
            if r["status"] is not None:
                d.status = r["status"].value
            if r["spatial"] is not None:
                d.spatial.add(r["spatial"].value)
            if r["holder"] is not None:
                d.holders.add(r["holder"].value)
            if r["publisher"] is not None:
                d.publishers.add(r["publisher"].value)
            if r["excluded"] is not None:
                d.excluded.add(r["excluded"].value)
            d.landing = _v(r["landing"]) or d.landing
            d.unknown_spatial |= _v(r["unknownSpatial"]) == "true"
            d.unknown_status |= _v(r["unknownStatus"]) == "true"

        self.categories: dict[str, CategoryInfo] = {}
        for r in q(Q_CATEGORIES):
            c = self.categories.setdefault(r["category"].value, CategoryInfo(r["category"].value))
            if r["producer"] is not None:
                c.producers.add(r["producer"].value)
            if r["usual"] is not None:
                c.usual = r["usual"].value
            if r["standard"] is not None:
                c.standards[r["standard"].value] = _v(r["scdl"]) == "true"
        self.dataset_standards: dict[str, dict[str, bool]] = defaultdict(dict)
        for r in q(Q_DATASET_STANDARDS):
            self.dataset_standards[r["category"].value][r["standard"].value] = _v(r["scdl"]) == "true"

        broader = {r["status"].value: _v(r["broader"]) for r in q(Q_STATUSES)}
        self.family: dict[str, str] = {}
        for s in broader:
            top = s
            while broader.get(top):
                top = broader[top]  # type: ignore[assignment]
            self.family[s] = top.rsplit("/", 1)[-1]

        self.labels: dict[str, dict[str, str]] = defaultdict(dict)
        for r in q(Q_LABELS):
            lab = r["label"]
            lang = getattr(lab, "language", None) or ""
            self.labels[r["x"].value].setdefault(lang, lab.value)

        self.sirens: dict[str, str] = {r["t"].value: r["siren"].value for r in q(Q_SIRENS)}
        self.acv: dict[str, Commune] = {}
        for r in q(Q_ACV):
            c = _commune(r)
            self.acv[c.iri] = c
            self.labels[c.iri].setdefault("fr", c.label)

        self.evidence = ev.EvidenceTables(q)
        # territory -> category -> local records of datasets of that category
        self.records: dict[str, dict[str, list[ev.Records]]] = defaultdict(lambda: defaultdict(list))
        for territory, recs in self.evidence.records.items():
            for r in recs:
                for cat in sorted(self.datasets[r.dataset].categories if r.dataset in self.datasets else ()):
                    self.records[territory][cat].append(r)

        # spatial index: territory -> datasets; plus datasets whose coverage is not stated
        self.by_territory: dict[str, list[DatasetInfo]] = defaultdict(list)
        self.no_coverage: dict[str, list[DatasetInfo]] = defaultdict(list)  # category -> datasets
        self.with_exclusions = [d for d in self.datasets.values() if d.excluded]
        for d in self.datasets.values():
            for t in d.spatial:
                self.by_territory[t].append(d)
            if not d.spatial:
                for cat in d.categories:
                    self.no_coverage[cat].append(d)

    # -- helpers ---------------------------------------------------------------------------
    def label(self, iri: str | None, lang: str = "fr") -> str:
        """The label of IRI in LANG, else in the other language, else the IRI's last segment."""
        if not iri:
            return ""
        labels = self.labels.get(iri)
        if labels is None and not self._actor_labels:  # actors' labels are fetched on first need
            self._actor_labels = True
            for r in self._q(Q_ACTOR_LABELS):
                lab = r["label"]
                self.labels[r["x"].value].setdefault(getattr(lab, "language", None) or "", lab.value)
            labels = self.labels.get(iri)
        labels = labels or {}
        other = "en" if lang == "fr" else "fr"
        return labels.get(lang) or labels.get(other) or labels.get("") or iri.rsplit("/", 1)[-1]

    def sort_key(self, iri: str | None) -> tuple[str, str]:
        """Alphabetical order of resources by French label, accents ignored ("Épernay" under E)."""
        key = self._sort_keys.get(iri or "")
        if key is None:  # folding is slow next to the diagnostic itself: once per resource
            key = self._sort_keys[iri or ""] = sort_key(self.label(iri))
        return key

    def status_family(self, status: str | None) -> str:
        """The openness family of a status concept (open, candidate, not-accessible-…), or 'unknown'."""
        if status is None:
            return "unknown"
        return self.family.get(status, status.rsplit("/", 1)[-1])

    def indispensable_of(self, usecase: str) -> list[str]:
        """The data categories USECASE requires at level indispensable, by label (computed once: the list is
        shared, do not change it)."""
        key = ("indispensable", usecase)
        if key not in self._needs:
            reqs = self.usecases.get(usecase, {})
            self._needs[key] = sorted((c for c, lvl in reqs.items() if lvl == self.indispensable), key=self.sort_key)
        return self._needs[key]

    def useful_of(self, usecase: str) -> list[str]:
        """The data categories USECASE finds useful (any other level), by label (computed once)."""
        key = ("useful", usecase)
        if key not in self._needs:
            reqs = self.usecases.get(usecase, {})
            self._needs[key] = sorted((c for c, lvl in reqs.items() if lvl != self.indispensable), key=self.sort_key)
        return self._needs[key]

    def resolve_usecase(self, ref: str) -> str:
        """The use case's IRI from a slug or IRI; NotFound when the graph has none."""
        iri = ref if ref.startswith(("http://", "https://")) else f"{self.base_iri}id/usecase/{ref}"
        if iri not in self.usecases:
            slugs = [u.rsplit("/", 1)[-1] for u in self.usecases]
            near = difflib.get_close_matches(ref.rsplit("/", 1)[-1], slugs, n=5, cutoff=0.5)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise NotFound(f"no use case {ref!r} in the graph{hint} (`odl-graph usecases` lists them)")
        return iri

    def resolve_commune(self, ref: str) -> Commune:
        """A commune by INSEE code, IRI or name (accents and case ignored); a name several communes share
        raises AmbiguousCommune, an unknown one UnknownCommune, both listing candidates (odl_graph.communes)."""
        ref = ref.strip()
        iri = ref if ref.startswith(("http://", "https://")) else f"{self.base_iri}id/commune/{ref}"
        if iri not in self.acv and not ref.startswith(("http://", "https://")):
            iri = self.commune_index.resolve(ref).iri
        if iri in self.acv:
            return self.acv[iri]
        known = self._communes.get(iri) or (self.__dict__.get("communes") or {}).get(iri)
        if known is not None:
            return known
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise NotFound(f"{ref!r} is not a commune code or IRI") from exc
        rows = list(self.store.query(prefixes(self.base_iri) + Q_COMMUNE, substitutions={"commune": node}))
        if not rows:
            raise NotFound(f"no commune {ref!r} in the graph")
        commune = self._communes[iri] = _commune(rows[0])  # any commune of the COG, fetched once
        self.labels[iri].setdefault("fr", commune.label)
        return commune

    @cached_property
    def communes(self) -> dict[str, Commune]:
        """Every commune of the graph (the COG's 34,969), fetched in one query on first need: what the
        diagnostic of every commune (bench/bench_diagnostic.py --all) walks. A single commune is fetched alone
        by resolve_commune."""
        out: dict[str, Commune] = {}
        for r in self._q(Q_COMMUNE):
            c = _commune(r)
            out.setdefault(c.iri, c)
        return out

    @cached_property
    def commune_index(self) -> CommuneIndex:
        """Every commune by name and code (completion, lookup by name), fetched on first use."""
        return CommuneIndex.from_query(self._q)

    def holder(self, iri: str) -> dict[str, Any]:
        """An actor as a diagnostic names it: label, SIREN, and its pages (platform, data.gouv.fr)."""
        info = self.evidence.actors.get(iri, ev.ActorInfo())
        return {"iri": iri, "label": self.label(iri), "label_en": self.label(iri, "en"),
                "siren": info.siren, "pages": sorted(info.pages), "local": info.category in ev.LOCAL_CATEGORIES}

    def concrete_producers(self, commune: Commune, category: str) -> list[dict[str, Any]]:
        """The category's usual producers, generic ones resolved to this commune's bodies; a producer
        competent for territories that do not contain the commune is left out."""
        info = self.categories.get(category, CategoryInfo(category))
        chain = dict((level, t) for t, level in commune.territories(self.national))
        out: list[dict[str, Any]] = []
        for p in sorted(info.producers):
            a = self.evidence.actors.get(p, ev.ActorInfo())
            if a.category in ev.LOCAL_CATEGORIES and not a.territories:  # generic: "Commune", "EPCI"...
                level = "epci" if a.category == "intercommunalite" else a.category
                territory = chain.get(level)
                body = self.evidence.bodies.get(territory or "", {}).get(a.category)
                if body:
                    out.append(self.holder(body))
                elif territory:  # no body recorded: name the territory's body from the COG
                    out.append({"iri": None, "label": f"{self.label(p)} : {self.label(territory)}",
                                "label_en": f"{self.label(p, 'en')}: {self.label(territory, 'en')}",
                                "siren": self.sirens.get(territory) or (commune.siren if territory == commune.iri
                                                                        else None),
                                "pages": [], "local": True})
            elif a.territories and not a.territories & set(chain.values()):
                continue  # a regional producer of another region
            else:
                out.append(self.holder(p))
        return out

    @cached_property
    def indispensable_count(self) -> dict[str, int]:
        """Category -> how many use cases require it at level indispensable."""
        out: dict[str, int] = defaultdict(int)
        for u in self.usecases:
            for c in self.indispensable_of(u):
                out[c] += 1
        return out

    def needed_categories(self) -> set[str]:
        """Every data category some use case requires, at any level."""
        return {c for reqs in self.usecases.values() for c in reqs}

    def covering(self, commune: Commune) -> dict[str, list[tuple[DatasetInfo, str, str]]]:
        """Category -> [(dataset, territory, level)] of datasets covering the commune, most local first; a
        dataset whose coverage excludes one of the commune's territories does not cover it."""
        out: dict[str, list[tuple[DatasetInfo, str, str]]] = defaultdict(list)
        chain = commune.territories(self.national)
        inside = {t for t, _ in chain}
        for territory, level in chain:
            for d in self.by_territory.get(territory, ()):
                if d.excluded and not d.covers_despite_exclusions(inside):
                    continue
                for cat in d.categories:
                    out[cat].append((d, territory, level))
        return out

    def excluding(self, commune: Commune) -> dict[str, list[tuple[DatasetInfo, str]]]:
        """Category -> [(dataset, territory)] of datasets whose stated coverage would include the commune
        but excludes one of its territories (the line says so)."""
        out: dict[str, list[tuple[DatasetInfo, str]]] = defaultdict(list)
        chain = commune.territories(self.national)
        inside = {t for t, _ in chain}
        for d in self.with_exclusions:
            if not d.covers_despite_exclusions(inside):
                for territory in sorted(d.spatial & inside):
                    for cat in d.categories:
                        out[cat].append((d, territory))
        return out


# -- cache -----------------------------------------------------------------------------------
_cache: dict[tuple[int, str | None, str], Tables] = {}
_lock = threading.Lock()


def tables(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> Tables:
    """The tables for the store's current version (fetched once per version)."""
    version = getattr(store, "version", None)  # a method on stores, a property on the engine
    version = version() if callable(version) else version
    key = (id(store), version, base_iri)
    with _lock:
        if key not in _cache:
            for k in [k for k in _cache if k[0] == id(store)]:
                del _cache[k]
            _cache[key] = Tables(store, base_iri)
        return _cache[key]


def forget(store: Any) -> None:
    """Drop the cached tables of a store (a long-lived caller that closes it frees them on its own thread)."""
    with _lock:
        for k in [k for k in _cache if k[0] == id(store)]:
            del _cache[k]
