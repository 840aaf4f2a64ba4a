"""Deployability diagnostic: can a commune replicate a use case, what does it lack, who holds it?

Everything here is computed in Python from the tables of odl_graph/analyses/tables.py, fetched with a few
SPARQL queries once per store version, because answering 244 communes × every use case with one SPARQL
query per pair would take minutes; with the tables in memory it takes milliseconds (bench/bench_diagnostic.py).

Rules (docs/evidence.md says the same for a town, in French and English):
- each indispensable data category of the use case is one line, and each line states its evidence level
  (local records, a dataset of an enclosing territory, a local publisher, a national dataset whose local
  content is unknown, a verified absence, or nothing known) and how certain that is;
- the score is the mean of the lines' weights (evidence weight × openness factor, evidence.weight);
- "unknown to the graph" is never reported as "the town lacks it": only a verified absence is;
- the roadmap names concrete holders (council, EPCI, département, région with their SIREN, or the
  national publisher), never asks a town to produce what a national body publishes, nor data about a
  hazard its territory is not known to have.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from odl_graph.analyses import evidence as ev
from odl_graph.analyses.tables import (
    FAMILY_RANK,
    LEVEL_LABELS,
    LEVELS,
    CategoryInfo,
    Commune,
    DatasetInfo,
    Tables,
    tables,
)
from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.text import sort_key


# -- results ---------------------------------------------------------------------------------
@dataclass
class DatasetHit:
    """A dataset that answers a line, where it was found (territory, level) and its openness."""
    dataset: str
    label: str
    status: str | None
    status_label: str
    family: str
    territory: str | None
    level: str | None  # commune | epci | departement | region | national | None (coverage unknown)
    holders: list[dict[str, Any]]
    landing: str | None = None


@dataclass
class Line:
    """One data category of a diagnostic: what the graph knows of it for the commune, and how surely."""

    category: str
    category_label: str
    level: str  # indispensable | useful
    evidence: str  # a key of evidence.LEVELS
    certainty: str  # verified | assumed | unknown
    weight: float
    ready: bool  # open local data is known (Verdict.ready)
    state: str  # open | not-open | unknown-status | missing (what the best evidence points at)
    best: DatasetHit | None
    datasets: list[DatasetHit]
    coverage_unknown: list[DatasetHit]
    records: list[dict[str, Any]]  # local records: dataset, count, capacity, producer
    publishers: list[dict[str, Any]]  # bodies covering the commune publishing on a related theme
    holders: list[dict[str, Any]]  # who to turn to, concrete bodies first
    producers: list[dict[str, Any]]
    hazard: list[str]
    search: dict[str, Any] | None
    usual_status_label: str
    text_fr: str
    text_en: str


@dataclass
class Diagnostic:
    """One commune × one use case: the indispensable lines, the useful ones, and the score."""
    commune: str
    commune_label: str
    insee: str
    usecase: str
    usecase_label: str
    score: float | None
    satisfied: int  # lines with open local records (verified or assumed)
    required: int
    ready: bool
    verified: int
    assumed: int
    unknown: int
    lines: list[Line]
    useful: list[Line]
    summary_fr: str
    summary_en: str

    def to_json(self) -> dict[str, Any]:
        """The diagnostic as the API and `odl-graph diagnostic --format json` give it."""
        return asdict(self)


def _hit(t: Tables, d: DatasetInfo, territory: str | None, level: str | None) -> DatasetHit:
    status_label = t.label(d.status) if d.status else "statut inconnu"
    return DatasetHit(d.iri, t.label(d.iri), d.status, status_label, t.status_family(d.status), territory, level,
                      [t.holder(a) for a in d.keepers], d.landing)


def names(items: Iterable[dict[str, Any]], lang: str = "fr") -> str:
    """Holder names with their SIREN: what a town needs to write to the right body."""
    key = "label" if lang == "fr" else "label_en"
    return ", ".join(f"{i.get(key) or i['label']}" + (f" (SIREN {i['siren']})" if i.get("siren") else "")
                     for i in items)


def _record_text(rec: dict[str, Any], lang: str) -> str:
    fr = lang == "fr"
    who = names([rec["producer"]], lang) if rec["producer"] else ("producteur inconnu" if fr else "producer unknown")
    cap = rec["capacity"]
    if fr:
        return f"{rec['count']} enregistrement(s)" + (f", capacité {cap}" if cap else "") + f", produits par {who}"
    return f"{rec['count']} record(s)" + (f", capacity {cap}" if cap else "") + f", produced by {who}"


def _publisher(t: Tables, pub: ev.Publication, territory: str, level: str, category: str) -> dict[str, Any]:
    """A publishing body as a line shows it, with only the themes that suggest the line's category."""
    themes = [th for th in pub.themes if category in t.evidence.theme_categories.get(th, ())]
    return {**t.holder(pub.body), "territory": territory, "level": level, "date": pub.date, "platform": pub.platform,
            "platform_count": pub.platform_count, "datagouv_count": pub.datagouv_count,
            "themes": sorted((t.label(th) for th in themes), key=sort_key), "pages": sorted(pub.pages)}


@dataclass(frozen=True)
class Verdict:
    """What decides a line: its evidence level, the openness family of what it points at, the dataset
    (if any) and, for a local publisher, how far the closest publishing body is (0 = the commune)."""

    evidence: str
    family: str | None
    dataset: str | None
    distance: int | None = None

    @property
    def weight(self) -> float:
        return ev.weight(self.evidence, self.family, self.distance)

    @property
    def ready(self) -> bool:
        """Open local data is known (verified or assumed)."""
        return self.evidence in ("local-records", "local-dataset") and self.family == "open"

    @property
    def not_open(self) -> bool:
        return self.family not in (None, "open", "unknown")


def classify(t: Tables, commune: Commune, cat: str,
             covering: dict[str, list[tuple[DatasetInfo, str, str]]]) -> Verdict:
    """The one place that decides a line's evidence level (docs/evidence.md), from the strongest down."""
    recs = t.records.get(commune.iri, {}).get(cat)
    if recs:
        d = recs[0].dataset
        return Verdict("local-records", t.status_family(t.datasets[d].status), d)
    cov = covering.get(cat, ())
    local = [x for x in cov if x[2] == "commune"]
    enclosing = [x for x in cov if x[2] in ("epci", "departement", "region")]
    if local or enclosing:
        d, _terr, _lvl = min(local or enclosing, key=lambda x: (FAMILY_RANK.get(t.status_family(x[0].status), 4),
                                                                LEVELS.index(x[2]), t.label(x[0].iri)))
        return Verdict("local-records" if local else "local-dataset", t.status_family(d.status), d.iri)
    national = sorted((x[0] for x in cov if x[2] == "national"),
                      key=lambda d: (FAMILY_RANK.get(t.status_family(d.status), 4), t.label(d.iri)))
    counted = [d for d in national if d.iri in t.evidence.per_territory]
    if counted:
        return Verdict("absent", t.status_family(counted[0].status), counted[0].iri)
    for territory, level in commune.territories(t.national):
        if t.evidence.publications.get(territory, {}).get(cat):
            return Verdict("local-publisher", None, None, LEVELS.index(level))
    if national:
        return Verdict("national-unknown", t.status_family(national[0].status), national[0].iri)
    return Verdict("nothing", None, None)


def assess(t: Tables, commune: Commune, cat: str, level: str,
           covering: dict[str, list[tuple[DatasetInfo, str, str]]]) -> Line:
    """The line of one data category for one commune: its evidence, weight, holders and explanation."""
    hits = [_hit(t, d, terr, lvl) for d, terr, lvl in covering.get(cat, ())]
    hits.sort(key=lambda h: (FAMILY_RANK.get(h.family, 4), LEVELS.index(h.level or "national"), sort_key(h.label)))
    unknown_cov = [_hit(t, d, None, None) for d in t.no_coverage.get(cat, ())]
    info = t.categories.get(cat, CategoryInfo(cat))
    producers = t.concrete_producers(commune, cat)
    usual = t.label(info.usual) if info.usual else "inconnu"
    cat_fr, cat_en = t.label(cat, "fr"), t.label(cat, "en")
    verdict = classify(t, commune, cat, covering)
    records = [{"dataset": r.dataset, "dataset_label": t.label(r.dataset), "count": r.count, "capacity": r.capacity,
                "producer": t.holder(r.publisher) if r.publisher else None}
               for r in t.records.get(commune.iri, {}).get(cat, ())]
    chain = {terr: lvl for terr, lvl in commune.territories(t.national) if lvl != "national"}
    publishers = [_publisher(t, p, terr, chain[terr], cat)
                  for p, terr in t.evidence.publications_on(list(chain), cat)]
    hazard = sorted(t.evidence.hazards.get(cat, ()))
    search = t.evidence.searches.get(cat)
    national = [h for h in hits if h.level == "national" and h.dataset not in t.evidence.per_territory]
    evidence = verdict.evidence
    best = next((h for h in hits if h.dataset == verdict.dataset), None)
    holders: list[dict[str, Any]]
    if records:
        holders = [r["producer"] for r in records if r["producer"]] or (best.holders if best else [])
        fr = (f"{cat_fr} : « {records[0]['dataset_label']} » contient des enregistrements de {commune.label} : "
              + " ; ".join(_record_text(r, "fr") for r in records))
        en = f"{cat_en}: “{t.label(records[0]['dataset'], 'en')}” holds records for {commune.label}: " + \
             "; ".join(_record_text(r, "en") for r in records)
    elif evidence in ("local-records", "local-dataset") and best is not None:
        holders = best.holders
        where_fr, where_en = LEVEL_LABELS[best.level or "national"]
        terr = "" if best.level == "commune" else f" ({t.label(best.territory)})"
        held_fr, held_en = names(holders) or "détenteur inconnu", names(holders, "en") or "holder unknown"
        fr = (f"{cat_fr} : « {best.label} » couvre {where_fr}{terr}, statut « {best.status_label} »,"
              f" détenu par {held_fr}")
        en = (f"{cat_en}: “{best.label}” covers {where_en}{terr}, status “{t.label(best.status, 'en')}”,"
              f" held by {held_en}")
        if evidence == "local-dataset":
            fr += f" ; son contenu pour {commune.label} n'est pas vérifié"
            en += f"; its content for {commune.label} is not checked"
    elif evidence == "absent" and best is not None:
        holders = producers + [p for p in publishers if p["iri"] not in {h["iri"] for h in producers}]
        fr = (f"{cat_fr} : « {best.label} » est connu commune par commune et ne contient rien pour {commune.label}"
              f" (absence vérifiée)")
        en = f"{cat_en}: “{best.label}” is known commune by commune and holds nothing for {commune.label} (verified)"
        if publishers:
            fr += f" ; {names(publishers)} publie des données ouvertes sur une thématique liée"
            en += f"; {names(publishers, 'en')} publishes open data on a related theme"
    elif evidence == "local-publisher":
        holders = publishers
        verb = "publient" if len(publishers) > 1 else "publie"
        fr = (f"{cat_fr} : aucun jeu de données local connu, mais {names(publishers)} {verb} des données ouvertes"
              f" sur une thématique liée ({', '.join(publishers[0]['themes'])}) ; à vérifier auprès d'eux")
        en = (f"{cat_en}: no known local dataset, but {names(publishers, 'en')} publish(es) open data on a related"
              f" theme ({', '.join(publishers[0]['themes'])}); to be checked with them")
        if national:
            fr += f" ; le jeu national « {national[0].label} » existe, son contenu pour {commune.label} est inconnu"
            en += f"; the national dataset “{national[0].label}” exists, its content for {commune.label} is unknown"
    elif evidence == "national-unknown" and best is not None:
        holders = best.holders
        fr = (f"{cat_fr} : le jeu national « {best.label} » ({names(holders) or 'éditeur inconnu'}) existe ;"
              f" on ne sait pas s'il contient des données pour {commune.label}")
        en = (f"{cat_en}: the national dataset “{best.label}” ({names(holders, 'en') or 'publisher unknown'})"
              f" exists; whether it holds data for {commune.label} is unknown")
    else:
        holders = producers
        fr = (f"{cat_fr} : le graphe ne connaît aucune donnée de cette catégorie pour {commune.label}, ce qui ne veut"
              f" pas dire qu'elle manque")
        en = f"{cat_en}: the graph knows no data of this category for {commune.label}, which does not mean it lacks it"
        if search and search["outcome"] == "none-known":
            fr += " ; aucun jeu national connu après recherche"
            en += "; no national dataset known after searching"
    if evidence in ("absent", "nothing") and producers:
        fr += f" ; producteurs habituels : {names(producers)} (statut habituel : {usual})"
        en += f"; usual producers: {names(producers, 'en')} (usual status: {usual})"
    family = verdict.family
    if evidence in ("absent", "nothing"):
        state = "missing"
    elif evidence == "local-publisher":
        state = "unknown-status"
    else:
        state = {"open": "open", "unknown": "unknown-status"}.get(family or "unknown", "not-open")
    return Line(cat, cat_fr, level, evidence, ev.LEVELS[evidence][0], verdict.weight, verdict.ready, state, best, hits,
                unknown_cov, records, publishers, holders, producers, hazard, search, usual, fr, en)


def diagnose_pair(t: Tables, commune: Commune, usecase: str,
                  covering: dict[str, list[tuple[DatasetInfo, str, str]]] | None = None,
                  *, with_useful: bool = True) -> Diagnostic:
    """Readiness of one commune for one use case, line by line, each line with its evidence."""
    covering = t.covering(commune) if covering is None else covering
    lines = [assess(t, commune, c, "indispensable", covering) for c in t.indispensable_of(usecase)]
    useful = [assess(t, commune, c, "useful", covering) for c in t.useful_of(usecase)] if with_useful else []
    satisfied = sum(1 for ln in lines if ln.ready)
    score = sum(ln.weight for ln in lines) / len(lines) if lines else None
    counts = {c: sum(1 for ln in lines if ln.certainty == c) for c in ("verified", "assumed", "unknown")}
    uc_fr, uc_en = t.label(usecase, "fr"), t.label(usecase, "en")
    if score is None:
        fr = f"Préparation de {commune.label} pour « {uc_fr} » inconnue : aucune donnée indispensable n'est recensée."
        en = f"Readiness of {commune.label} for “{uc_en}” unknown: no indispensable data is recorded."
    else:
        fr = (f"{commune.label} : score {score:.0%} pour « {uc_fr} » ; {satisfied} des {len(lines)} données"
              f" indispensables ont des données ouvertes locales ; {counts['verified']} ligne(s) vérifiée(s),"
              f" {counts['assumed']} supposée(s), {counts['unknown']} inconnue(s).")
        en = (f"{commune.label}: score {score:.0%} for “{uc_en}”; {satisfied} of the {len(lines)} indispensable"
              f" categories have open local data; {counts['verified']} line(s) verified, {counts['assumed']}"
              f" assumed, {counts['unknown']} unknown.")
    return Diagnostic(commune.iri, commune.label, commune.insee, usecase, uc_fr, score, satisfied, len(lines),
                      bool(lines) and satisfied == len(lines), counts["verified"], counts["assumed"],
                      counts["unknown"], lines, useful, fr, en)


def commune_lines(t: Tables, commune: Commune) -> dict[str, Line]:
    """Every category any use case needs, assessed and explained once for the commune."""
    covering = t.covering(commune)
    return {c: assess(t, commune, c, "indispensable", covering) for c in t.needed_categories()}


def commune_verdicts(t: Tables, commune: Commune) -> dict[str, Verdict]:
    """Every needed category's verdict for the commune, without the explanations (the fast path)."""
    covering = t.covering(commune)
    return {c: classify(t, commune, c, covering) for c in t.needed_categories()}


def readiness_matrix(t: Tables, communes: Iterable[Commune] | None = None,
                     usecases: Iterable[str] | None = None) -> dict[str, dict[str, float | None]]:
    """Commune IRI -> use case IRI -> score, for every ACV commune and every use case by default."""
    communes = list(t.acv.values()) if communes is None else list(communes)
    ucs = sorted(t.usecases) if usecases is None else list(usecases)
    needs = {u: t.indispensable_of(u) for u in ucs}
    out: dict[str, dict[str, float | None]] = {}
    for c in communes:
        verdicts = commune_verdicts(t, c)
        out[c.iri] = {u: (sum(verdicts[k].weight for k in cats) / len(cats) if cats else None)
                      for u, cats in needs.items()}
    return out


def evidence_summary(t: Tables) -> dict[str, Any]:
    """What `odl-graph stats` prints: ACV communes with local evidence, and lines per evidence level."""
    per_level: dict[str, int] = defaultdict(int)
    with_local = 0
    profiles = set()
    matrix = readiness_matrix(t)
    for c in t.acv.values():
        verdicts = commune_verdicts(t, c)
        for v in verdicts.values():
            per_level[v.evidence] += 1
        if any(v.evidence in ("local-records", "local-dataset", "local-publisher") for v in verdicts.values()):
            with_local += 1
        profiles.add(tuple(sorted(matrix[c.iri].items())))
    return {"acv_communes": len(t.acv), "with_local_evidence": with_local, "lines_per_level": dict(per_level),
            "distinct_profiles": len(profiles)}


# -- roadmap ---------------------------------------------------------------------------------
@dataclass
class Step:
    """One step of a roadmap: the category to obtain, the action, who holds it, and what it unlocks."""
    rank: int
    category: str
    category_label: str
    action: str  # open | ask | check | produce | request | check-exposure
    evidence: str
    unlocks: list[dict[str, str]]  # use cases fully ready once this step (and the previous ones) is done
    needed_by: int  # use cases not yet ready that need this category
    holders: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    text_fr: str
    text_en: str


_VERBS = {
    "open": ("Ouvrir", "Open", "détenteur", "holder"),
    "ask": ("Demander", "Ask for", "organisme publiant", "publishing body"),
    "check": ("Vérifier le contenu local de", "Check the local content of", "éditeur", "publisher"),
    "produce": ("Produire et publier", "Produce and publish", "producteur", "producer"),
    "request": ("Demander la publication de", "Request the publication of", "producteur", "producer"),
    "check-exposure": ("Vérifier si le territoire est concerné avant de produire", "Check whether the territory is"
                       " exposed before producing", "producteur", "producer"),
}


def _action(ln: Line) -> str:
    if ln.evidence in ("local-records", "local-dataset"):
        return "open" if ln.state == "not-open" else "check"
    if ln.evidence == "local-publisher":
        return "ask"
    if ln.evidence == "national-unknown":
        return "check"  # a national body publishes it: never "produce"
    if ln.hazard:
        return "check-exposure"
    # A local body produces it: this town's own bodies are asked to produce; else its producer is asked.
    return "produce" if not ln.producers or any(h["local"] for h in ln.producers) else "request"


def roadmap(t: Tables, commune: Commune, limit: int | None = None) -> list[Step]:
    """What to do first to unlock the most use cases (greedy), each step naming the concrete holder."""
    lines = commune_lines(t, commune)
    missing = {u: {k for k in t.indispensable_of(u) if not lines[k].ready}
               for u in t.usecases if t.indispensable_of(u)}
    done: set[str] = set()
    steps: list[Step] = []
    while True:
        pending = {u: m - done for u, m in missing.items() if m - done}
        if not pending:
            break
        candidates = set().union(*pending.values())

        def gain(k: str, pending: dict[str, set[str]] = pending) -> tuple[int, float, int]:
            return (sum(1 for m in pending.values() if m == {k}), -lines[k].weight,
                    sum(1 for m in pending.values() if k in m))

        best = max(sorted(candidates, key=t.sort_key), key=gain)  # ties: first label in alphabetical order
        unlocks = sorted((u for u, m in pending.items() if m == {best}), key=t.sort_key)
        needed = gain(best)[2]
        done.add(best)
        ln = lines[best]
        action = _action(ln)
        holders = ln.holders
        datasets = [{"iri": h.dataset, "label": h.label, "status": h.status_label, "landing": h.landing}
                    for h in ([ln.best] if ln.best else [])]
        verb_fr, verb_en, role_fr, role_en = _VERBS[action]
        names_fr = ", ".join(f"« {t.label(u)} »" for u in unlocks) or "aucun à lui seul"
        names_en = ", ".join(f"“{t.label(u, 'en')}”" for u in unlocks) or "none on its own"
        where = ""
        if datasets and datasets[0]["landing"]:
            where = f" — {datasets[0]['landing']}"
        steps.append(Step(
            len(steps) + 1, best, t.label(best), action, ln.evidence,
            [{"iri": u, "label": t.label(u)} for u in unlocks], needed, holders, datasets,
            f"{verb_fr} « {t.label(best)} » ({role_fr} : {names(holders) or 'inconnu'}){where} : débloque"
            f" {names_fr} ; nécessaire à {needed} cas d'usage non encore prêts.",
            f"{verb_en} “{t.label(best, 'en')}” ({role_en}: {names(holders, 'en') or 'unknown'}){where}: unlocks"
            f" {names_en}; needed by {needed} use case(s) not yet ready.",
        ))
        if limit is not None and len(steps) >= limit:
            break
    return steps


# -- ranking --------------------------------------------------------------------------
def ranking(t: Tables, usecase: str) -> list[dict[str, Any]]:
    """ACV communes ordered by readiness for one use case (best first; unknown last)."""
    cats = t.indispensable_of(usecase)
    out = []
    for c in t.acv.values():
        v = commune_verdicts(t, c)
        sat = sum(1 for k in cats if v[k].ready)
        out.append({"commune": c.iri, "label": c.label, "insee": c.insee, "population": c.population,
                    "score": sum(v[k].weight for k in cats) / len(cats) if cats else None,
                    "satisfied": sat, "required": len(cats),
                    "evidence": {k: v[k].evidence for k in cats},
                    "missing": [{"iri": k, "label": t.label(k)} for k in cats if not v[k].ready]})
    out.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), -(r["population"] or 0), sort_key(r["label"])))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out


def diagnose(store: Any, commune: str, usecase: str, base_iri: str = DEFAULT_BASE_IRI) -> Diagnostic:
    """Diagnose COMMUNE (code or IRI) for USECASE (slug or IRI) on a store or engine, tables cached."""
    t = tables(store, base_iri)
    return diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase))
