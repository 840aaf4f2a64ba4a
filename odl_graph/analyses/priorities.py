"""Standardisation priorities: which data categories to standardise first, and why.

The standardisation officer's question, answered from what the graph knows (docs/priorities.md gives the
formula in French and English). Per data category:

- demand: the use cases needing it (2 points when indispensable, 1 when useful), times the reach: the
  share of ACV towns with no open local data known for it (0.5 + 0.5 × share, so a category every town
  already has open halves its weight but never vanishes);
- producer: who produces it. Local bodies (commune, EPCI, mobility authority, syndicate, département,
  région) make it a candidate for the Socle commun des données locales (factor 1); data the State or a
  national agency produces is flagged "national: ask for the national dataset" and ranked apart (a local
  standard would not help); data only companies produce weighs 0.5 (a standard binds them only by
  contract), producers the graph does not know 0.75;
- standard and adoption: no standard 1; a standard no data.gouv.fr resource conforms to 0.8 (adoption is
  the work left); a standard with n conforming resources 0.6 / (1 + log10(1 + n)) (the schema.data.gouv.fr
  snapshot, data/sources/scdl/catalogue/stats.json, imported as odl:conformingResources);
- heterogeneous local publication: h distinct local bodies publishing it without a schema (datasets of the
  graph), plus local bodies whose publishing record covers a theme that suggests it (a hint), weigh
  1 + 0.5 × h / (h + 10).

score = demand × reach × producer × standard × heterogeneity, rounded to 0.01. A category no use case
needs scores 0. Rows with equal scores say so (`tie_fr`, `tie_en`) and the order between them.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from odl_graph.analyses import competence as cp
from odl_graph.analyses import evidence as ev
from odl_graph.analyses.diagnostic import commune_verdicts
from odl_graph.analyses.tables import CategoryInfo, Tables
from odl_graph.iris import sparql_prefixes
from odl_graph.text import sort_key

# Producer groups: the levels of the competence table (odl_graph.analyses.competence, when present) and
# the actor-category codes of a category's usual producers (the fallback) map to one group each.
LOCAL_LEVELS = ("commune", "epci", "aom", "syndicat", "departement", "region")
NATIONAL_LEVELS = ("state",)
COMPANY_LEVELS = ("operator", "company")
LOCAL_ACTORS = ("commune", "ccas", "intercommunalite", "departement", "region", "local-public")
NATIONAL_ACTORS = ("ministry", "deconcentrated-service", "agency", "national-public")
COMPANY_ACTORS = ("public-service-delegate", "private-company", "company")
PRODUCER_FACTOR = {"local": 1.0, "national": 1.0, "company": 0.5, "unknown": 0.75}
PRODUCER_TEXT = {  # group -> (French, English)
    "local": ("produite par des organismes locaux : candidate au SCDL",
              "produced by local bodies: a candidate for the SCDL"),
    "national": ("national : demander le jeu de données national", "national: ask for the national dataset"),
    "company": ("produite par des entreprises seulement : un standard ne les lie que par contrat",
                "produced by companies only: a standard binds them only by contract"),
    "unknown": ("producteur inconnu du graphe", "producer unknown to the graph"),
}
Q_ADOPTION = "SELECT ?standard ?n WHERE { ?standard odl:conformingResources ?n }"


# -- factors ---------------------------------------------------------------------------------
def producer(t: Tables, category: str) -> dict[str, Any]:
    """Who produces the category: {group, levels, basis}. The one switch between the competence table
    (data/curated/competences.csv through odl_graph.analyses.competence) and, where its level is unknown,
    the category's usual producers (data_categories.csv `producers`, by the actors' categories)."""
    rule = cp.competences(t).get(category)
    if rule is not None and rule.known:
        levels = list(rule.levels)
        return {"group": _group(levels, LOCAL_LEVELS, NATIONAL_LEVELS, COMPANY_LEVELS), "levels": levels,
                "basis": "competences"}
    info = t.categories.get(category, CategoryInfo(category))
    codes = sorted({t.evidence.actors[p].category or "?" for p in info.producers if p in t.evidence.actors})
    return {"group": _group(codes, LOCAL_ACTORS, NATIONAL_ACTORS, COMPANY_ACTORS), "levels": codes,
            "basis": "producers", "producers": sorted(info.producers)}


def _group(codes: list[str], local: tuple[str, ...], national: tuple[str, ...], company: tuple[str, ...]) -> str:
    if any(c in local for c in codes):
        return "local"
    if any(c in national for c in codes):
        return "national"
    if any(c in company for c in codes):
        return "company"
    return "unknown"


def adoption(t: Tables) -> dict[str, int]:
    """Standard IRI -> data.gouv.fr resources conforming to it (schema.data.gouv.fr snapshot)."""
    rows = t.store.query(sparql_prefixes(t.base_iri) + Q_ADOPTION)
    return {r["standard"].value: int(r["n"].value) for r in rows}


def standard_factor(stds: dict[str, bool], resources: dict[str, int]) -> tuple[float, int | None]:
    """(factor, most conforming resources of the category's standards; None when not known)."""
    if not stds:
        return 1.0, None
    known = [resources[s] for s in stds if s in resources]
    if not known:
        return 0.8, None
    n = max(known)
    return (0.8, 0) if n == 0 else (0.6 / (1 + math.log10(1 + n)), n)


def local_publishers(t: Tables) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Category -> local bodies publishing datasets of it without a standard; category -> local bodies
    competent for an ACV town whose publishing record covers a theme suggesting it (a hint)."""
    actors = t.evidence.actors
    datasets: dict[str, set[str]] = defaultdict(set)
    for d in t.datasets.values():
        for body in d.publishers | d.holders:
            if actors.get(body, ev.ActorInfo()).category in ev.LOCAL_CATEGORIES:
                for k in d.categories:
                    datasets[k].add(body)
    conforming = _conforming_datasets(t)
    for k, bodies in list(datasets.items()):
        datasets[k] = {b for b in bodies if (k, b) not in conforming}
    themes: dict[str, set[str]] = defaultdict(set)
    for c in t.acv.values():
        for territory, level in c.territories(t.national):
            if level == "national":
                continue
            for k, pubs in t.evidence.publications.get(territory, {}).items():
                themes[k].update(p.body for p in pubs)
    return datasets, themes


def _conforming_datasets(t: Tables) -> set[tuple[str, str]]:
    """(category, body) pairs where the body publishes a dataset of the category that follows a standard."""
    rows = t.store.query(sparql_prefixes(t.base_iri) + """
SELECT ?category ?body WHERE {
  ?d odl:instantiates ?category ; dcterms:conformsTo ?s .
  { ?d dcterms:publisher ?body } UNION { ?d dcterms:rightsHolder ?body }
}""")
    return {(r["category"].value, r["body"].value) for r in rows}


# -- the ranking -------------------------------------------------------------------------------
def priorities(t: Tables) -> list[dict[str, Any]]:
    """Every data category with its score, factors and reason; SCDL candidates first (group "candidate"),
    then national data (group "national"), each ranked on its own."""
    need: dict[str, set[str]] = defaultdict(set)
    critical: dict[str, set[str]] = defaultdict(set)
    for u, reqs in t.usecases.items():
        for k, lvl in reqs.items():
            need[k].add(u)
            if lvl == t.indispensable:
                critical[k].add(u)
    all_lines = {c.iri: commune_verdicts(t, c) for c in t.acv.values()}
    towns = len(all_lines)
    resources = adoption(t)
    published, themed = local_publishers(t)
    out = []
    for k in set(t.categories) | set(need):
        lacking = unknown = ready = 0
        for lines in all_lines.values():
            ln = lines.get(k)
            if ln is None:
                continue
            ready += ln.ready
            if ln.evidence == "absent" or (ln.evidence == "local-records" and ln.not_open):
                lacking += 1
            elif ev.LEVELS[ln.evidence][0] == "unknown":
                unknown += 1
        stds = {**t.categories.get(k, CategoryInfo(k)).standards, **t.dataset_standards.get(k, {})}
        prod = producer(t, k)
        demand = 2 * len(critical[k]) + (len(need[k]) - len(critical[k]))
        gain = towns - ready
        reach = 0.5 + 0.5 * (gain / towns if towns else 1.0)
        s_factor, conforming = standard_factor(stds, resources)
        h = len(published.get(k, ())) + len(themed.get(k, ()))
        h_factor = 1 + 0.5 * h / (h + 10)
        score = round(demand * reach * PRODUCER_FACTOR[prod["group"]] * s_factor * h_factor, 2)
        row = {
            "category": k, "label": t.label(k), "label_en": t.label(k, "en"),
            "group": "national" if prod["group"] == "national" else "candidate",
            "use_cases": len(need[k]), "indispensable_for": len(critical[k]),
            "needed_by": sorted(need[k], key=t.sort_key),
            "towns": towns, "towns_ready": ready, "towns_gain": gain,
            "towns_lacking": lacking, "towns_unknown": unknown,
            "producer": prod["group"], "producer_levels": prod["levels"], "producer_basis": prod["basis"],
            "standards": [{"iri": s, "label": t.label(s), "scdl": scdl, "conforming_resources": resources.get(s)}
                          for s, scdl in sorted(stds.items())],
            "has_standard": bool(stds), "has_scdl": any(stds.values()), "conforming_resources": conforming,
            "local_publishers": sorted(published.get(k, ())), "theme_publishers": len(themed.get(k, ())),
            "factors": {"demand": demand, "reach": round(reach, 3),
                        "producer": PRODUCER_FACTOR[prod["group"]], "standard": round(s_factor, 3),
                        "heterogeneity": round(h_factor, 3)},
            "score": score,
        }
        row["why_fr"], row["why_en"] = _why(row)
        out.append(row)
    out.sort(key=lambda r: (r["group"] != "candidate", -r["score"], -r["indispensable_for"], -r["towns_gain"],
                            sort_key(r["label"])))
    _rank_and_ties(out)
    return out


def _why(r: dict[str, Any]) -> tuple[str, str]:
    """The reason, in a sentence per language."""
    if not r["use_cases"]:
        return ("Aucun cas d'usage du graphe n'en a besoin : priorité nulle.",
                "No use case of the graph needs it: zero priority.")
    n, i = r["use_cases"], r["indispensable_for"]
    if r["has_standard"]:
        res = r["conforming_resources"]
        std_fr = ("un standard existe, " + ("adoption inconnue" if res is None else
                  f"{res} ressource(s) conforme(s) sur data.gouv.fr"))
        std_en = ("a standard exists, " + ("adoption unknown" if res is None else
                  f"{res} conforming resource(s) on data.gouv.fr"))
    else:
        std_fr, std_en = "aucun standard", "no standard"
    h = len(r["local_publishers"])
    prod_fr, prod_en = PRODUCER_TEXT[r["producer"]]
    fr = (f"Nécessaire à {n} cas d'usage (indispensable pour {i}), {r['towns_gain']} villes ACV sur {r['towns']}"
          f" sans donnée ouverte locale connue ; {std_fr} ; {h} publieur(s) local(aux) sans schéma et"
          f" {r['theme_publishers']} organisme(s) publiant sur un thème voisin ; {prod_fr}.")
    en = (f"Needed by {n} use case(s) (indispensable for {i}), {r['towns_gain']} of {r['towns']} ACV towns with"
          f" no open local data known; {std_en}; {h} local publisher(s) without a schema and"
          f" {r['theme_publishers']} body(ies) publishing on a related theme; {prod_en}.")
    return fr, en


def _rank_and_ties(rows: list[dict[str, Any]]) -> None:
    """Rank within each group; an equal score names the rows it ties with and how they are ordered."""
    ranks: dict[str, int] = defaultdict(int)
    for r in rows:
        ranks[r["group"]] += 1
        r["rank"] = ranks[r["group"]]
        r["tie_fr"] = r["tie_en"] = None
    for r in rows:
        same = [o for o in rows if o is not r and o["group"] == r["group"] and o["score"] == r["score"]]
        if same and r["score"]:
            names_fr = ", ".join(f"« {o['label']} »" for o in same)
            names_en = ", ".join(f"“{o['label_en']}”" for o in same)
            r["tie_fr"] = (f"Ex aequo avec {names_fr} (mêmes facteurs) : départagés par le nombre de cas"
                           " d'usage où la donnée est indispensable, puis de villes sans donnée ouverte, puis par"
                           " ordre alphabétique.")
            r["tie_en"] = (f"Tied with {names_en} (same factors): ordered by the number of use cases needing"
                           " it as indispensable, then of towns without open data, then alphabetically.")
