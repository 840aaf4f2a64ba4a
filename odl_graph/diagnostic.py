"""Deployability diagnostic: can a commune replicate a use case, what does it lack, who holds it?

Everything here is computed in Python from a handful of tables fetched with a few SPARQL queries
(use cases and requirements, datasets, categories, labels, ACV communes), because answering
244 communes × every use case with one SPARQL query per pair would take minutes; with the tables
in memory it takes milliseconds (bench/bench_diagnostic.py, docs/benchmarks.md).

Rules (docs/analyses.md gives the same in prose):
- a dataset covers a commune when its `dcterms:spatial` is the commune, its EPCI, its département,
  its région, or the national territory;
- an indispensable data category is *satisfied* for a commune when a covering dataset of that
  category has the openness status `open`;
- readiness = satisfied indispensable categories / indispensable categories (unknown when a use
  case has no indispensable category recorded);
- a dataset whose coverage or status the sources do not state is reported as such, never guessed.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.errors import OdlError
from odl_graph.iris import sparql_prefixes as prefixes

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


class NotFound(OdlError):
    """A commune or use case the graph does not know."""




Q_REQUIREMENTS = """
SELECT ?usecase ?category ?level WHERE {
  ?usecase a odl:UseCase .
  OPTIONAL { ?usecase odl:hasRequirement ?req . ?req odl:requiredCategory ?category .
             OPTIONAL { ?req odl:requirementLevel ?level } }
}"""
Q_DATASETS = """
SELECT ?dataset ?category ?status ?spatial ?holder ?publisher ?unknownSpatial ?unknownStatus WHERE {
  ?dataset a odl:Dataset .
  OPTIONAL { ?dataset odl:instantiates ?category }
  OPTIONAL { ?dataset odl:opennessStatus ?status }
  OPTIONAL { ?dataset dcterms:spatial ?spatial }
  OPTIONAL { ?dataset dcterms:rightsHolder ?holder }
  OPTIONAL { ?dataset dcterms:publisher ?publisher }
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
  VALUES ?cls { odl:UseCase odl:DataCategory odl:Dataset odl:Actor odl:Standard odl:EPCI odl:Departement
                odl:Region odl:Territory odl:Challenge skos:Concept }
  ?x a ?cls .
  { ?x rdfs:label ?label } UNION { ?x skos:prefLabel ?label }
  FILTER(?cls != odl:Territory || NOT EXISTS { ?x a odl:Commune })
}"""
_COMMUNE_VARS = "?commune ?label ?insee ?epci ?departement ?region ?centroid ?population ?acvId"
_COMMUNE_FIELDS = """
  OPTIONAL { ?commune rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?commune igeo:codeINSEE ?insee }
  OPTIONAL { ?commune odl:inEPCI ?epci }
  OPTIONAL { ?commune odl:inDepartement ?departement }
  OPTIONAL { ?commune odl:inRegion ?region }
  OPTIONAL { ?commune dcat:centroid ?centroid }
  OPTIONAL { ?commune odl:population ?population }
  OPTIONAL { ?commune odl:acvId ?acvId }
"""
# The ACV communes, and any one commune (bound through substitutions): the same columns.
Q_ACV = (f"SELECT {_COMMUNE_VARS} WHERE {{\n  ?commune odl:memberOf ?programme . ?programme a odl:Programme ."
         f"{_COMMUNE_FIELDS}}}")
Q_COMMUNE = f"SELECT {_COMMUNE_VARS} WHERE {{\n  ?commune a odl:Commune .{_COMMUNE_FIELDS}}}"


# -- tables ----------------------------------------------------------------------------------
@dataclass
class Commune:
    iri: str
    label: str
    insee: str
    epci: str | None
    departement: str | None
    region: str | None
    centroid: tuple[float, float] | None  # (lon, lat)
    population: int | None
    acv_id: str | None

    def territories(self, national: str) -> list[tuple[str, str]]:
        """(territory IRI, level) from the most local to the whole country."""
        chain = [(self.iri, "commune"), (self.epci, "epci"), (self.departement, "departement"),
                 (self.region, "region"), (national, "national")]
        return [(t, level) for t, level in chain if t]


@dataclass
class DatasetInfo:
    iri: str
    categories: set[str] = field(default_factory=set)
    status: str | None = None
    spatial: set[str] = field(default_factory=set)
    holders: set[str] = field(default_factory=set)
    publishers: set[str] = field(default_factory=set)
    unknown_spatial: bool = False
    unknown_status: bool = False

    @property
    def keepers(self) -> list[str]:
        """Who holds the data: the rights holder, or else the publisher."""
        return sorted(self.holders or self.publishers)


@dataclass
class CategoryInfo:
    iri: str
    producers: set[str] = field(default_factory=set)
    usual: str | None = None
    standards: dict[str, bool] = field(default_factory=dict)  # standard IRI -> is SCDL


def _v(term: Any) -> str | None:
    return None if term is None else term.value


def _point(wkt: str | None) -> tuple[float, float] | None:
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
                   _v(row["epci"]), _v(row["departement"]), _v(row["region"]), _point(_v(row["centroid"])),
                   int(pop) if pop and pop.lstrip("-").isdigit() else None, _v(row["acvId"]))


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

        self.acv: dict[str, Commune] = {}
        for r in q(Q_ACV):
            c = _commune(r)
            self.acv[c.iri] = c
            self.labels[c.iri].setdefault("fr", c.label)

        # spatial index: territory -> datasets; plus datasets whose coverage is not stated
        self.by_territory: dict[str, list[DatasetInfo]] = defaultdict(list)
        self.no_coverage: dict[str, list[DatasetInfo]] = defaultdict(list)  # category -> datasets
        for d in self.datasets.values():
            for t in d.spatial:
                self.by_territory[t].append(d)
            if not d.spatial:
                for cat in d.categories:
                    self.no_coverage[cat].append(d)

    # -- helpers ---------------------------------------------------------------------------
    def label(self, iri: str | None, lang: str = "fr") -> str:
        if not iri:
            return ""
        labels = self.labels.get(iri, {})
        other = "en" if lang == "fr" else "fr"
        return labels.get(lang) or labels.get(other) or labels.get("") or iri.rsplit("/", 1)[-1]

    def status_family(self, status: str | None) -> str:
        if status is None:
            return "unknown"
        return self.family.get(status, status.rsplit("/", 1)[-1])

    def indispensable_of(self, usecase: str) -> list[str]:
        reqs = self.usecases.get(usecase, {})
        return sorted((c for c, lvl in reqs.items() if lvl == self.indispensable), key=self.label)

    def useful_of(self, usecase: str) -> list[str]:
        reqs = self.usecases.get(usecase, {})
        return sorted((c for c, lvl in reqs.items() if lvl != self.indispensable), key=self.label)

    def resolve_usecase(self, ref: str) -> str:
        iri = ref if ref.startswith(("http://", "https://")) else f"{self.base_iri}id/usecase/{ref}"
        if iri not in self.usecases:
            raise NotFound(f"no use case {ref!r} in the graph")
        return iri

    def resolve_commune(self, ref: str) -> Commune:
        iri = ref if ref.startswith(("http://", "https://")) else f"{self.base_iri}id/commune/{ref}"
        if iri in self.acv:
            return self.acv[iri]
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise NotFound(f"{ref!r} is not a commune code or IRI") from exc
        rows = list(self.store.query(prefixes(self.base_iri) + Q_COMMUNE, substitutions={"commune": node}))
        if not rows:
            raise NotFound(f"no commune {ref!r} in the graph")
        return _commune(rows[0])

    def covering(self, commune: Commune) -> dict[str, list[tuple[DatasetInfo, str, str]]]:
        """Category -> [(dataset, territory, level)] of datasets covering the commune, most local first."""
        out: dict[str, list[tuple[DatasetInfo, str, str]]] = defaultdict(list)
        for territory, level in commune.territories(self.national):
            for d in self.by_territory.get(territory, ()):
                for cat in d.categories:
                    out[cat].append((d, territory, level))
        return out


# -- results ---------------------------------------------------------------------------------
@dataclass
class DatasetHit:
    dataset: str
    label: str
    status: str | None
    status_label: str
    family: str
    territory: str | None
    level: str | None  # commune | epci | departement | region | national | None (coverage unknown)
    holders: list[dict[str, str]]


@dataclass
class Line:
    """One indispensable (or useful) data category of a diagnostic, with its verdict."""

    category: str
    category_label: str
    level: str  # indispensable | useful
    state: str  # open | not-open | unknown-status | missing
    best: DatasetHit | None
    datasets: list[DatasetHit]
    coverage_unknown: list[DatasetHit]
    producers: list[dict[str, str]]
    usual_status_label: str
    text_fr: str
    text_en: str


@dataclass
class Diagnostic:
    commune: str
    commune_label: str
    insee: str
    usecase: str
    usecase_label: str
    score: float | None
    satisfied: int
    required: int
    ready: bool
    lines: list[Line]
    useful: list[Line]
    summary_fr: str
    summary_en: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _holders(t: Tables, d: DatasetInfo) -> list[dict[str, str]]:
    return [{"iri": a, "label": t.label(a)} for a in d.keepers]


def _hit(t: Tables, d: DatasetInfo, territory: str | None, level: str | None) -> DatasetHit:
    status_label = t.label(d.status) if d.status else "statut inconnu"
    return DatasetHit(d.iri, t.label(d.iri), d.status, status_label,
                      t.status_family(d.status), territory, level, _holders(t, d))


def _names(items: Iterable[dict[str, str]]) -> str:
    return ", ".join(i["label"] for i in items)


def _line(t: Tables, commune: Commune, cat: str, level: str,
          covering: dict[str, list[tuple[DatasetInfo, str, str]]]) -> Line:
    hits = [_hit(t, d, terr, lvl) for d, terr, lvl in covering.get(cat, ())]
    hits.sort(key=lambda h: (FAMILY_RANK.get(h.family, 4), LEVELS.index(h.level or "national"), h.label))
    unknown_cov = [_hit(t, d, None, None) for d in t.no_coverage.get(cat, ())]
    info = t.categories.get(cat, CategoryInfo(cat))
    producers = [{"iri": p, "label": t.label(p)} for p in sorted(info.producers)]
    usual = t.label(info.usual) if info.usual else "inconnu"
    cat_fr, cat_en = t.label(cat, "fr"), t.label(cat, "en")
    best = hits[0] if hits else None
    if best is None:
        state = "missing"
        fr = f"{cat_fr} : aucun jeu de données connu ne couvre {commune.label}"
        en = f"{cat_en}: no known dataset covers {commune.label}"
        if producers:
            fr += f" ; producteurs habituels : {_names(producers)} (statut habituel : {usual})"
            en += f"; usual producers: {_names(producers)} (usual status: {usual})"
        if unknown_cov:
            fr += f" ; {len(unknown_cov)} jeu(x) de couverture inconnue : {_names(asdict(h) for h in unknown_cov)}"
            en += f"; {len(unknown_cov)} dataset(s) of unknown coverage: {_names(asdict(h) for h in unknown_cov)}"
    else:
        where_fr, where_en = LEVEL_LABELS[best.level or "national"]
        terr = "" if best.level in ("commune", "national") else f" ({t.label(best.territory)})"
        held = _names(best.holders) or "détenteur inconnu"
        held_en = _names(best.holders) or "holder unknown"
        if best.family == "open":
            state = "open"
            by_fr = f"publiée par {_names(best.holders)}" if best.holders else "éditeur inconnu"
            by_en = f"published by {_names(best.holders)}" if best.holders else "publisher unknown"
            fr = f"{cat_fr} : ouverte — « {best.label} », couvrant {where_fr}{terr}, {by_fr}"
            en = f"{cat_en}: open — “{best.label}”, covering {where_en}{terr}, {by_en}"
        elif best.family == "unknown":
            state = "unknown-status"
            fr = (f"{cat_fr} : « {best.label} » couvre {where_fr}{terr}, mais son statut d'ouverture est inconnu ;"
                  f" détenteur : {held}")
            en = (f"{cat_en}: “{best.label}” covers {where_en}{terr}, but its openness status is unknown;"
                  f" holder: {held_en}")
        else:
            state = "not-open"
            fr = (f"{cat_fr} : existe mais n'est pas ouverte — « {best.label} », couvrant {where_fr}{terr},"
                  f" statut « {best.status_label} », détenue par {held}")
            en = (f"{cat_en}: exists but is not open — “{best.label}”, covering {where_en}{terr},"
                  f" status “{t.label(best.status, 'en')}”, held by {held_en}")
    return Line(cat, cat_fr, level, state, best, hits, unknown_cov, producers, usual, fr, en)


def diagnose_pair(t: Tables, commune: Commune, usecase: str,
                  covering: dict[str, list[tuple[DatasetInfo, str, str]]] | None = None,
                  *, with_useful: bool = True) -> Diagnostic:
    """Readiness of one commune for one use case, line by line."""
    covering = t.covering(commune) if covering is None else covering
    cats = t.indispensable_of(usecase)
    lines = [_line(t, commune, c, "indispensable", covering) for c in cats]
    useful = [_line(t, commune, c, "useful", covering) for c in t.useful_of(usecase)] if with_useful else []
    satisfied = sum(1 for ln in lines if ln.state == "open")
    score = satisfied / len(lines) if lines else None
    uc_fr, uc_en = t.label(usecase, "fr"), t.label(usecase, "en")
    if score is None:
        fr = f"Préparation de {commune.label} pour « {uc_fr} » inconnue : aucune donnée indispensable n'est recensée."
        en = f"Readiness of {commune.label} for “{uc_en}” unknown: no indispensable data is recorded."
    else:
        fr = (f"{commune.label} dispose en open data de {satisfied} des {len(lines)} catégories de données"
              f" indispensables à « {uc_fr} » (score {score:.0%}).")
        en = (f"{commune.label} has open data for {satisfied} of the {len(lines)} data categories"
              f" indispensable to “{uc_en}” (score {score:.0%}).")
    return Diagnostic(commune.iri, commune.label, commune.insee, usecase, uc_fr, score, satisfied, len(lines),
                      bool(lines) and satisfied == len(lines), lines, useful, fr, en)


def open_categories(t: Tables, commune: Commune) -> set[str]:
    """Categories with an open dataset covering the commune (the fast path of the matrix)."""
    out = set()
    for territory, _level in commune.territories(t.national):
        for d in t.by_territory.get(territory, ()):
            if d.status and t.status_family(d.status) == "open":
                out.update(d.categories)
    return out


def readiness_matrix(t: Tables, communes: Iterable[Commune] | None = None,
                     usecases: Iterable[str] | None = None) -> dict[str, dict[str, float | None]]:
    """Commune IRI -> use case IRI -> score, for every ACV commune and every use case by default."""
    communes = list(t.acv.values()) if communes is None else list(communes)
    ucs = sorted(t.usecases) if usecases is None else list(usecases)
    needs = {u: t.indispensable_of(u) for u in ucs}
    out: dict[str, dict[str, float | None]] = {}
    for c in communes:
        have = open_categories(t, c)
        out[c.iri] = {u: (sum(1 for k in cats if k in have) / len(cats) if cats else None)
                      for u, cats in needs.items()}
    return out


# -- roadmap ---------------------------------------------------------------------------------
@dataclass
class Step:
    rank: int
    category: str
    category_label: str
    action: str  # open | produce | clarify
    unlocks: list[dict[str, str]]  # use cases fully ready once this step (and the previous ones) is done
    needed_by: int  # use cases not yet ready that need this category
    holders: list[dict[str, str]]  # who holds the data to open (or usual producers, to produce)
    datasets: list[dict[str, str]]
    text_fr: str
    text_en: str


def roadmap(t: Tables, commune: Commune, limit: int | None = None) -> list[Step]:
    """Data to open or produce first to unlock the most use cases (greedy), and who holds it."""
    covering = t.covering(commune)
    have = open_categories(t, commune)
    missing = {u: set(t.indispensable_of(u)) - have for u in t.usecases if t.indispensable_of(u)}
    done: set[str] = set()
    steps: list[Step] = []
    while True:
        pending = {u: m - done for u, m in missing.items() if m - done}
        if not pending:
            break
        candidates = set().union(*pending.values())

        def gain(k: str, pending: dict[str, set[str]] = pending) -> tuple[int, int]:
            return (sum(1 for m in pending.values() if m == {k}), sum(1 for m in pending.values() if k in m))

        best = max(sorted(candidates, key=t.label), key=gain)  # ties: first label in alphabetical order
        unlocks = sorted((u for u, m in pending.items() if m == {best}), key=t.label)
        needed = gain(best)[1]
        done.add(best)
        line = _line(t, commune, best, "indispensable", covering)
        if line.state == "missing":
            action, holders = "produce", line.producers
            datasets: list[dict[str, str]] = []
        else:
            action = "clarify" if line.state == "unknown-status" else "open"
            holders = line.best.holders if line.best else []
            datasets = [{"iri": h.dataset, "label": h.label, "status": h.status_label} for h in line.datasets
                        if h.family != "open"]
        names_fr = ", ".join(f"« {t.label(u)} »" for u in unlocks) or "aucun à lui seul"
        names_en = ", ".join(f"“{t.label(u, 'en')}”" for u in unlocks) or "none on its own"
        who = _names(holders) or "inconnu"
        role_fr, role_en = ("producteur habituel", "usual producer") if action == "produce" else ("détenteur", "holder")
        verb_fr = {"open": "Ouvrir", "produce": "Produire", "clarify": "Clarifier le statut de"}[action]
        verb_en = {"open": "Open", "produce": "Produce", "clarify": "Clarify the status of"}[action]
        steps.append(Step(
            len(steps) + 1, best, t.label(best), action,
            [{"iri": u, "label": t.label(u)} for u in unlocks], needed, holders, datasets,
            f"{verb_fr} « {t.label(best)} » ({role_fr} : {who}) : débloque {names_fr} ;"
            f" nécessaire à {needed} cas d'usage non encore prêts.",
            f"{verb_en} “{t.label(best, 'en')}” ({role_en}: {who}): unlocks {names_en};"
            f" needed by {needed} use case(s) not yet ready.",
        ))
        if limit is not None and len(steps) >= limit:
            break
    return steps


# -- ranking and priorities ------------------------------------------------------------------
def ranking(t: Tables, usecase: str) -> list[dict[str, Any]]:
    """ACV communes ordered by readiness for one use case (best first; unknown last)."""
    cats = t.indispensable_of(usecase)
    out = []
    for c in t.acv.values():
        have = open_categories(t, c)
        sat = sum(1 for k in cats if k in have)
        out.append({"commune": c.iri, "label": c.label, "insee": c.insee, "population": c.population,
                    "score": sat / len(cats) if cats else None, "satisfied": sat, "required": len(cats),
                    "missing": [{"iri": k, "label": t.label(k)} for k in cats if k not in have]})
    out.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), -(r["population"] or 0), r["label"]))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def priorities(t: Tables) -> list[dict[str, Any]]:
    """Data categories ranked by (use cases needing them) × (ACV towns lacking open data for them)."""
    need: dict[str, set[str]] = defaultdict(set)
    critical: dict[str, set[str]] = defaultdict(set)
    for u, reqs in t.usecases.items():
        for k, lvl in reqs.items():
            need[k].add(u)
            if lvl == t.indispensable:
                critical[k].add(u)
    have = {c.iri: open_categories(t, c) for c in t.acv.values()}
    out = []
    for k in set(t.categories) | set(need):
        lacking = sum(1 for cats in have.values() if k not in cats)
        stds = {**t.categories.get(k, CategoryInfo(k)).standards, **t.dataset_standards.get(k, {})}
        out.append({
            "category": k, "label": t.label(k), "label_en": t.label(k, "en"),
            "use_cases": len(need[k]), "indispensable_for": len(critical[k]),
            "towns_lacking": lacking, "towns": len(have), "score": len(need[k]) * lacking,
            "standards": [{"iri": s, "label": t.label(s), "scdl": scdl} for s, scdl in sorted(stds.items())],
            "has_standard": bool(stds), "has_scdl": any(stds.values()),
        })
    out.sort(key=lambda r: (-r["score"], -r["use_cases"], r["label"]))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
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


def diagnose(store: Any, commune: str, usecase: str, base_iri: str = DEFAULT_BASE_IRI) -> Diagnostic:
    t = tables(store, base_iri)
    return diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase))
