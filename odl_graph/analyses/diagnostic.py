"""Deployability diagnostic: can a commune replicate a use case, what does it lack, who holds it?

Everything here is computed in Python from the tables of odl_graph/analyses/tables.py, fetched with a few
SPARQL queries once per store version, because answering 244 communes × every use case with one SPARQL
query per pair would take minutes; with the tables in memory it takes milliseconds (bench/bench_diagnostic.py).

Rules (docs/evidence.md says the same for a town, in French and English):
- each indispensable data category of the use case is one line, and each line states its evidence, ranked
  by strength (records of the town > a dataset of its EPCI, département or région > an open national dataset
  covering it > a hint from the observatory > nothing), and how certain that is;
- an open national dataset covering the town makes the line ready ("open nationally: use it; its content
  for this town is not verified"); a dataset whose coverage excludes the town says so;
- the score is the mean of the lines' weights (evidence weight × openness factor, evidence.weight);
- "unknown to the graph" is never reported as "the town lacks it": only a verified absence is;
- the body to turn to is the one competent by law (odl_graph/analyses/holder.py), never a body that only
  publishes on a related theme: that is a hint, worded as one.
The roadmap is odl_graph/analyses/roadmap.py.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from odl_graph.analyses import actions
from odl_graph.analyses import evidence as ev
from odl_graph.analyses.competence import TERRITORIAL_CATEGORIES
from odl_graph.analyses.holder import HolderAnswer, holder_of
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
    excluded: list[str] = field(default_factory=list)  # labels of the territories its coverage leaves out


@dataclass
class Line:
    """One data category of a diagnostic: what the graph knows of it for the commune, and how surely.

    Fields after `text_en` were added with the competent holder (issue 19); they all have defaults."""

    category: str
    category_label: str
    level: str  # indispensable | useful
    evidence: str  # a key of evidence.LEVELS
    certainty: str  # verified | assumed | hint | unknown
    weight: float
    ready: bool  # open data covering the town is known (Verdict.ready)
    state: str  # open | not-open | unknown-status | missing (what the best evidence points at)
    best: DatasetHit | None
    datasets: list[DatasetHit]
    coverage_unknown: list[DatasetHit]
    records: list[dict[str, Any]]  # local records: dataset, count, capacity, producer
    publishers: list[dict[str, Any]]  # hints: bodies of the commune's territories publishing on a related theme
    holders: list[dict[str, Any]]  # who to turn to: the dataset's holder, else the competent body
    producers: list[dict[str, Any]]
    hazard: list[str]
    search: dict[str, Any] | None
    usual_status_label: str
    text_fr: str
    text_en: str
    action: str = ""  # what the town does about it: a key of roadmap.ACTIONS (use, check, open, ask, produce, buy...)
    effort: int = 0  # roadmap.ACTIONS' effort of that action (0 = use what exists)
    paid: bool = False  # the data is sold (its dataset's status, or the category's usual status)
    holding: dict[str, Any] | None = None  # the competent holder: holder.HolderAnswer.to_json()
    hint_fr: str | None = None  # the observatory hint, worded as one
    hint_en: str | None = None
    excluded: list[DatasetHit] = field(default_factory=list)  # national datasets whose coverage leaves the town out
    find_fr: str | None = None  # action "find": no competent body known; what was searched, leads to check
    find_en: str | None = None


@dataclass
class Diagnostic:
    """One commune × one use case: the indispensable lines, the useful ones, and the score."""
    commune: str
    commune_label: str
    insee: str
    usecase: str
    usecase_label: str
    score: float | None
    satisfied: int  # lines with open data covering the town (records, a local or an open national dataset)
    required: int
    ready: bool
    verified: int
    assumed: int
    unknown: int
    lines: list[Line]
    useful: list[Line]
    summary_fr: str
    summary_en: str
    hints: int = 0  # lines resting on an observatory hint only

    def to_json(self) -> dict[str, Any]:
        """The diagnostic as the API and `odl-graph diagnostic --format json` give it."""
        return asdict(self)


def _hit(t: Tables, d: DatasetInfo, territory: str | None, level: str | None) -> DatasetHit:
    status_label = t.label(d.status) if d.status else "statut inconnu"
    return DatasetHit(d.iri, t.label(d.iri), d.status, status_label, t.status_family(d.status), territory, level,
                      [t.holder(a) for a in d.keepers], d.landing, sorted(t.label(x) for x in d.excluded))


def names(items: Iterable[dict[str, Any]], lang: str = "fr") -> str:
    """Holder names with their SIREN: what a town needs to write to the right body."""
    key = "label" if lang == "fr" else "label_en"
    return ", ".join(f"{i.get(key) or i['label']}" + (f" (SIREN {i['siren']})" if i.get("siren") else "")
                     for i in items)


def _record(t: Tables, commune: Commune, r: Any) -> dict[str, Any]:
    """Records of the town in a national file, with their producer. A producer with a territorial remit that
    does not contain the town (a source defect: Saintes' car-pool places carry the SIREN of the Charente
    council, not of Charente-Maritime) is not named as the producer: the line says what was declared."""
    producer = t.holder(r.publisher) if r.publisher else None
    info = t.evidence.actors.get((producer or {}).get("iri") or "")
    inside = {x for x, _ in commune.territories(t.national)}
    outside = producer if info is not None and info.territories and not info.territories & inside else None
    return {"dataset": r.dataset, "dataset_label": t.label(r.dataset), "count": r.count, "capacity": r.capacity,
            "producer": None if outside else producer, "declared_outside": outside}


def _record_text(rec: dict[str, Any], lang: str) -> str:
    fr = lang == "fr"
    who = names([rec["producer"]], lang) if rec["producer"] else ("producteur inconnu" if fr else "producer unknown")
    if rec.get("declared_outside"):
        declared = names([rec["declared_outside"]], lang)
        who += (f" (le producteur déclaré, {declared}, est un organisme d'un autre territoire : à vérifier)" if fr
                else f" (the declared producer, {declared}, is a body of another territory: to be checked)")
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


def _hint(publishers: list[dict[str, Any]]) -> tuple[str, str]:
    """The observatory's evidence worded as a hint: it names who publishes on which theme, never a holder."""
    themes = sorted({th for p in publishers for th in p["themes"]}, key=sort_key)
    verb_fr = "publient" if len(publishers) > 1 else "publie"
    return (f"indice : {names(publishers)} {verb_fr} des données ouvertes sur le thème {', '.join(themes)} ;"
            f" à vérifier",
            f"hint: {names(publishers, 'en')} publish(es) open data on the theme {', '.join(themes)}; to be checked")


@dataclass(frozen=True)
class Verdict:
    """What decides a line: its evidence level, the openness family of what it points at, the dataset
    (if any) and how far the territory of the evidence is (0 = the commune; for a hint, the closest
    publishing body; for a dataset of an enclosing territory, that territory)."""

    evidence: str
    family: str | None
    dataset: str | None
    distance: int | None = None

    @property
    def weight(self) -> float:
        return ev.weight(self.evidence, self.family, self.distance)

    @property
    def ready(self) -> bool:
        """Open data covering the town is known: its records, a dataset of the town or an enclosing
        territory, or an open national dataset whose coverage does not leave it out."""
        return self.evidence in ("local-records", "local-dataset", "national-unknown") and self.family == "open"

    @property
    def not_open(self) -> bool:
        return self.family not in (None, "open", "unknown")


def _best(t: Tables, found: list[tuple[DatasetInfo, str, str]]) -> tuple[DatasetInfo, str, str]:
    return min(found, key=lambda x: (FAMILY_RANK.get(t.status_family(x[0].status), 4), LEVELS.index(x[2]),
                                     t.label(x[0].iri)))


def classify(t: Tables, commune: Commune, cat: str,
             covering: dict[str, list[tuple[DatasetInfo, str, str]]]) -> Verdict:
    """The one place that decides a line's evidence level (docs/evidence.md), from the strongest down:
    records of the town, a dataset of the town, of its EPCI, then of its département or région, a national
    dataset known commune by commune that holds nothing here (verified absence), a national dataset covering
    the town, then the observatory's hint, then nothing."""
    recs = t.records.get(commune.iri, {}).get(cat)
    if recs:
        d = recs[0].dataset
        return Verdict("local-records", t.status_family(t.datasets[d].status), d)
    cov = covering.get(cat, ())
    national = sorted((x[0] for x in cov if x[2] == "national"),
                      key=lambda d: (FAMILY_RANK.get(t.status_family(d.status), 4), t.label(d.iri)))
    # A local dataset outranks a national one, unless it is not known to be open while an open national
    # dataset covers the town: then the open data is what the town can use now.
    open_national = bool(national) and national[0].iri not in t.evidence.per_territory \
        and t.status_family(national[0].status) == "open"
    local = [x for x in cov if x[2] == "commune"]
    if local:
        d, _terr, _lvl = _best(t, local)
        if not open_national or t.status_family(d.status) == "open":
            return Verdict("local-records", t.status_family(d.status), d.iri, 0)
    for near in (("epci",), ("departement", "region")):
        found = [x for x in cov if x[2] in near]
        if found:
            d, _terr, lvl = _best(t, found)
            if not open_national or t.status_family(d.status) == "open":
                return Verdict("local-dataset", t.status_family(d.status), d.iri, LEVELS.index(lvl))
            break
    counted = [d for d in national if d.iri in t.evidence.per_territory]
    if counted:
        return Verdict("absent", t.status_family(counted[0].status), counted[0].iri)
    if national:
        return Verdict("national-unknown", t.status_family(national[0].status), national[0].iri)
    for territory, level in commune.territories(t.national):
        if t.evidence.publications.get(territory, {}).get(cat):
            return Verdict("local-publisher", None, None, LEVELS.index(level))
    return Verdict("nothing", None, None)


def _paid(t: Tables, status: str | None) -> bool:
    return bool(status) and status.rsplit("/", 1)[-1] == "paid"


def assess(t: Tables, commune: Commune, cat: str, level: str,
           covering: dict[str, list[tuple[DatasetInfo, str, str]]]) -> Line:
    """The line of one data category for one commune: its evidence, weight, holders and explanation."""
    hits = [_hit(t, d, terr, lvl) for d, terr, lvl in covering.get(cat, ())]
    hits.sort(key=lambda h: (FAMILY_RANK.get(h.family, 4), LEVELS.index(h.level or "national"), sort_key(h.label)))
    unknown_cov = [_hit(t, d, None, None) for d in t.no_coverage.get(cat, ())]
    excluded = [_hit(t, d, terr, "national") for d, terr in t.excluding(commune).get(cat, ())]
    info = t.categories.get(cat, CategoryInfo(cat))
    producers = t.concrete_producers(commune, cat)
    holding = holder_of(t, commune, cat)
    usual = t.label(info.usual) if info.usual else "inconnu"
    cat_fr, cat_en = t.label(cat, "fr"), t.label(cat, "en")
    verdict = classify(t, commune, cat, covering)
    records = [_record(t, commune, r) for r in t.records.get(commune.iri, {}).get(cat, ())]
    chain = {terr: lvl for terr, lvl in commune.territories(t.national) if lvl != "national"}
    publishers = [_publisher(t, p, terr, chain[terr], cat)
                  for p, terr in t.evidence.publications_on(list(chain), cat)]
    hint_fr, hint_en = _hint(publishers) if publishers else (None, None)
    hazard = sorted(t.evidence.hazards.get(cat, ()))
    search = t.evidence.searches.get(cat)
    evidence = verdict.evidence
    best = next((h for h in hits if h.dataset == verdict.dataset), None)
    competent = (names(holding.bodies) or "inconnu") + f" ({holding.certainty_fr}" + (
        f" ; base légale : {holding.legal_basis_fr})" if holding.legal_basis_fr else ")")
    competent_en = (names(holding.bodies, "en") or "unknown") + f" ({holding.certainty_en}" + (
        f"; legal basis: {holding.legal_basis_en or holding.legal_basis_fr})" if holding.legal_basis_fr else ")")
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
        holders = holding.bodies
        fr = (f"{cat_fr} : « {best.label} » est connu commune par commune et ne contient rien pour {commune.label}"
              f" (absence vérifiée) ; détenteur compétent : {competent}")
        en = (f"{cat_en}: “{best.label}” is known commune by commune and holds nothing for {commune.label}"
              f" (verified); competent holder: {competent_en}")
    elif evidence == "national-unknown" and best is not None:
        holders = best.holders
        landing = f" ({best.landing})" if best.landing else ""
        if best.family == "open":
            fr = (f"{cat_fr} : ouvert au niveau national : « {best.label} »{landing}, publié par"
                  f" {names(holders) or 'éditeur inconnu'} ; à utiliser ; son contenu pour {commune.label}"
                  f" n'est pas vérifié")
            en = (f"{cat_en}: open nationally: “{best.label}”{landing}, published by"
                  f" {names(holders, 'en') or 'publisher unknown'}; use it; its content for {commune.label}"
                  f" is not verified")
        else:
            fr = (f"{cat_fr} : le jeu national « {best.label} »{landing} ({names(holders) or 'éditeur inconnu'})"
                  f" couvre {commune.label}, statut « {best.status_label} » ; son contenu local n'est pas vérifié")
            publisher_en = names(holders, "en") or "publisher unknown"
            en = (f"{cat_en}: the national dataset “{best.label}”{landing} ({publisher_en}) covers {commune.label},"
                  f" status “{t.label(best.status, 'en')}”; its local content is not verified")
    else:
        holders = holding.bodies
        fr = (f"{cat_fr} : le graphe ne connaît aucune donnée de cette catégorie pour {commune.label}, ce qui ne veut"
              f" pas dire qu'elle manque")
        en = f"{cat_en}: the graph knows no data of this category for {commune.label}, which does not mean it lacks it"
        if search and search["outcome"] == "none-known":
            fr += " ; aucun jeu national connu après recherche"
            en += "; no national dataset known after searching"
        fr += f" ; détenteur compétent : {competent}"
        en += f"; competent holder: {competent_en}"
    for x in excluded:
        fr += f" ; « {x.label} » ne couvre pas {', '.join(x.excluded)}"
        en += f"; “{t.label(x.dataset, 'en')}” does not cover {', '.join(x.excluded)}"
    if hint_fr and evidence not in ("local-records",):
        fr += f" ; {hint_fr}"
        en += f"; {hint_en}"
    family = verdict.family
    if evidence in ("absent", "nothing"):
        state = "missing"
    elif evidence == "local-publisher":
        state = "unknown-status"
    else:
        state = {"open": "open", "unknown": "unknown-status"}.get(family or "unknown", "not-open")
    paid = _paid(t, best.status if best else None) if evidence not in ("absent", "nothing", "local-publisher") \
        else _paid(t, info.usual)
    line = Line(cat, cat_fr, level, evidence, ev.LEVELS[evidence][0], verdict.weight, verdict.ready, state, best,
                hits, unknown_cov, records, publishers, holders, producers, hazard, search, usual, fr, en,
                paid=paid, holding=holding.to_json(), hint_fr=hint_fr, hint_en=hint_en, excluded=excluded)
    line.action = actions.action(line, holding)
    line.effort = actions.ACTIONS[line.action].effort
    if line.action == "find":
        line.find_fr, line.find_en = _find_texts(holding, _leads(t, producers))
        line.text_fr += f" ; {line.find_fr}"
        line.text_en += f"; {line.find_en}"
    return line


def _leads(t: Tables, producers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The usual producers worth naming as leads: the town's own bodies, national or unterritorial ones, and
    bodies whose territory contains the town (Tables.concrete_producers already drops the others); a body
    with a territorial remit whose territory is unknown (a city's planning agency) is not a lead anywhere."""
    out = []
    for p in producers:
        info = t.evidence.actors.get(p.get("iri") or "")
        if not p.get("local") and info is not None and info.category in TERRITORIAL_CATEGORIES \
                and not info.territories:
            continue
        out.append(p)
    return out


def _plain(note: str) -> str:
    """A competence note as a town reads it: without the repository file names it cites for developers."""
    return re.sub(r" \([\w./-]+\.csv\)", "", note).rstrip(".")


def _find_texts(holding: HolderAnswer, producers: list[dict[str, Any]]) -> tuple[str, str]:
    """What a "find who holds it" line tells the town: no competent body is established, what was searched,
    and the category's usual producers as leads to check, never as the holder."""
    if holding.searched_fr:  # no source read names the competent level
        fr = ("détenteur à trouver : aucun organisme compétent n'est établi par une source lue (recherche faite :"
              f" {_plain(holding.searched_fr)})")
        en = ("holder to be found: no competent body is established by a source read (searched:"
              f" {_plain(holding.searched_en or holding.searched_fr)})")
    else:  # the level is known, not the body of that level for this town (e.g. an operator nobody names)
        fr = f"détenteur à trouver : {holding.text_fr.split(' : ', 1)[-1].rstrip('.')}"
        en = f"holder to be found: {holding.text_en.split(': ', 1)[-1].rstrip('.')}"
    if producers:
        fr += f" ; pistes, non vérifiées : {names(producers)}, producteurs habituels de cette donnée"
        en += f"; leads, not verified: {names(producers, 'en')}, usual producers of this data"
    return fr, en


def diagnose_pair(t: Tables, commune: Commune, usecase: str,
                  covering: dict[str, list[tuple[DatasetInfo, str, str]]] | None = None,
                  *, with_useful: bool = True) -> Diagnostic:
    """Readiness of one commune for one use case, line by line, each line with its evidence."""
    covering = t.covering(commune) if covering is None else covering
    lines = [assess(t, commune, c, "indispensable", covering) for c in t.indispensable_of(usecase)]
    useful = [assess(t, commune, c, "useful", covering) for c in t.useful_of(usecase)] if with_useful else []
    satisfied = sum(1 for ln in lines if ln.ready)
    score = sum(ln.weight for ln in lines) / len(lines) if lines else None
    counts = {c: sum(1 for ln in lines if ln.certainty == c) for c in ev.CERTAINTIES}
    uc_fr, uc_en = t.label(usecase, "fr"), t.label(usecase, "en")
    if score is None:
        fr = f"Préparation de {commune.label} pour « {uc_fr} » inconnue : aucune donnée indispensable n'est recensée."
        en = f"Readiness of {commune.label} for “{uc_en}” unknown: no indispensable data is recorded."
    else:
        fr = (f"{commune.label} : score {score:.0%} pour « {uc_fr} » ; {satisfied} des {len(lines)} données"
              f" indispensables ont des données ouvertes connues qui couvrent la commune ; {counts['verified']}"
              f" ligne(s) vérifiée(s), {counts['assumed']} supposée(s), {counts['hint']} sur un indice,"
              f" {counts['unknown']} inconnue(s).")
        en = (f"{commune.label}: score {score:.0%} for “{uc_en}”; {satisfied} of the {len(lines)} indispensable"
              f" categories have known open data covering the town; {counts['verified']} line(s) verified,"
              f" {counts['assumed']} assumed, {counts['hint']} on a hint, {counts['unknown']} unknown.")
    return Diagnostic(commune.iri, commune.label, commune.insee, usecase, uc_fr, score, satisfied, len(lines),
                      bool(lines) and satisfied == len(lines), counts["verified"], counts["assumed"],
                      counts["unknown"], lines, useful, fr, en, counts["hint"])


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


def evidence_summary(t: Tables, communes: Iterable[Commune] | None = None) -> dict[str, Any]:
    """What `odl-graph stats` and docs/evidence.md report over the ACV communes (or COMMUNES): lines per
    evidence level, towns with local evidence, towns with evidence about an actual dataset (records, or a
    dataset of the town or its EPCI), and the distinct ready/not-ready profiles and score profiles."""
    communes = list(t.acv.values()) if communes is None else list(communes)
    per_level: dict[str, int] = defaultdict(int)
    with_local = with_dataset = 0
    profiles, ready_profiles = set(), set()
    needs = {u: t.indispensable_of(u) for u in sorted(t.usecases)}
    ready_none = 0
    for c in communes:
        verdicts = commune_verdicts(t, c)
        for v in verdicts.values():
            per_level[v.evidence] += 1
        if any(v.evidence in ("local-records", "local-dataset", "local-publisher") for v in verdicts.values()):
            with_local += 1
        if any(v.evidence == "local-records" or (v.evidence == "local-dataset" and v.distance == 1)
               for v in verdicts.values()):
            with_dataset += 1
        scores = tuple(sum(verdicts[k].weight for k in cats) / len(cats) if cats else None for cats in needs.values())
        ready = tuple(bool(cats) and all(verdicts[k].ready for k in cats) for cats in needs.values())
        profiles.add(scores)
        ready_profiles.add(ready)
        ready_none += not any(ready)
    return {"acv_communes": len(communes), "with_local_evidence": with_local, "with_dataset_evidence": with_dataset,
            "lines_per_level": dict(per_level), "distinct_profiles": len(profiles),
            "distinct_ready_profiles": len(ready_profiles), "ready_for_none": ready_none}


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

