"""A town's roadmap: what to do, in which order, to make the most use cases ready, and whom to turn to.

Actions, in order of effort (docs/evidence.md): use the open data that exists; check a dataset's local
content or status; ask the holder of existing data to open it, or the competent holder to open what it holds
(with the legal basis when opening is an obligation); produce it (when the town or its EPCI is the competent
body); buy it (paid data, said as such). Steps are chosen greedily by the use cases they make ready, then by
effort, so towns whose evidence differs get different roadmaps; paid data is never chosen before every
other step unless the town asks for it (`paid_first`). Each step names the body to turn to (the competent
holder of odl_graph/analyses/holder.py, or the holder of the existing dataset) with its SIREN, the legal
basis and how certain the graph is of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from odl_graph.analyses.actions import ACTIONS
from odl_graph.analyses.diagnostic import Line, commune_lines, names
from odl_graph.analyses.holder import CERTAINTY_WORDS
from odl_graph.analyses.tables import Commune, Tables


@dataclass
class Step:
    """One step of a roadmap: the category to obtain, the action, who holds it, and what it unlocks.

    Fields after `text_en` were added with the competent holder (issue 19); they all have defaults."""
    rank: int
    category: str
    category_label: str
    action: str  # a key of ACTIONS
    evidence: str
    unlocks: list[dict[str, str]]  # use cases fully ready once this step (and the previous ones) is done
    needed_by: int  # use cases not yet ready that need this category
    holders: list[dict[str, Any]]
    datasets: list[dict[str, Any]]
    text_fr: str
    text_en: str
    effort: int = 0
    paid: bool = False
    certainty: str = "unknown"  # of the holder: by-law | either | unknown (certainty_fr/en say it in words)
    certainty_fr: str = ""
    certainty_en: str = ""
    legal_basis_fr: str | None = None
    legal_basis_en: str | None = None
    obligation: bool | None = None
    obligation_fr: str | None = None
    obligation_en: str | None = None
    sources: list[str] = field(default_factory=list)  # pages the legal basis and obligation were read from
    hint_fr: str | None = None
    hint_en: str | None = None


def _step(t: Tables, rank: int, ln: Line, unlocks: list[str], needed: int) -> Step:
    act = ACTIONS[ln.action]
    h = ln.holding or {}
    certainty = h.get("certainty") or "unknown"
    cert_fr, cert_en = CERTAINTY_WORDS.get(certainty, CERTAINTY_WORDS["unknown"])
    datasets = [{"iri": d.dataset, "label": d.label, "status": d.status_label, "landing": d.landing}
                for d in ([ln.best] if ln.best else [])]
    where = f" — {datasets[0]['landing']}" if datasets and datasets[0]["landing"] else ""
    names_fr = ", ".join(f"« {t.label(u)} »" for u in unlocks) or "aucun à lui seul"
    names_en = ", ".join(f"“{t.label(u, 'en')}”" for u in unlocks) or "none on its own"
    who_fr, who_en = names(ln.holders) or "inconnu, à identifier", names(ln.holders, "en") or "unknown, to be found"
    about_holder = ln.action in ("ask", "produce", "buy", "check-exposure")
    extra_fr = extra_en = ""
    if about_holder:
        extra_fr, extra_en = f" ; {cert_fr}", f"; {cert_en}"
        if h.get("legal_basis_fr"):
            extra_fr += f" ; base légale : {h['legal_basis_fr']}"
            extra_en += f"; legal basis: {h.get('legal_basis_en') or h['legal_basis_fr']}"
        if h.get("obligation") and h.get("obligation_fr"):
            extra_fr += f" ; ouverture obligatoire : {h['obligation_fr']}"
            extra_en += f"; opening required: {h.get('obligation_en') or h['obligation_fr']}"
    if ln.action == "use":
        tail_fr = f" ; son contenu pour la commune n'est pas vérifié ; utile à {needed} cas d'usage."
        tail_en = f"; its content for the town is not verified; used by {needed} use case(s)."
    else:
        tail_fr = f" : débloque {names_fr} ; nécessaire à {needed} cas d'usage non encore prêts."
        tail_en = f": unlocks {names_en}; needed by {needed} use case(s) not yet ready."
    if ln.hint_fr and ln.action in ("ask", "produce"):
        tail_fr += f" {ln.hint_fr[0].upper()}{ln.hint_fr[1:]}."
        tail_en += f" {ln.hint_en[0].upper()}{ln.hint_en[1:]}." if ln.hint_en else ""
    dataset_fr = f" : « {datasets[0]['label']} »" if ln.action == "use" and datasets else ""
    return Step(
        rank, ln.category, t.label(ln.category), ln.action, ln.evidence,
        [{"iri": u, "label": t.label(u)} for u in unlocks], needed, ln.holders, datasets,
        f"{act.verb_fr} « {t.label(ln.category)} »{dataset_fr} ({act.role_fr} : {who_fr}{extra_fr}){where}{tail_fr}",
        f"{act.verb_en} “{t.label(ln.category, 'en')}”{dataset_fr.replace('« ', '“').replace(' »', '”')}"
        f" ({act.role_en}: {who_en}{extra_en}){where}{tail_en}",
        act.effort, ln.paid, certainty, cert_fr, cert_en, h.get("legal_basis_fr"), h.get("legal_basis_en"),
        h.get("obligation"), h.get("obligation_fr"), h.get("obligation_en"),
        list(dict.fromkeys([*h.get("legal_sources", ()), *h.get("obligation_sources", ())])),
        ln.hint_fr, ln.hint_en)


def roadmap(t: Tables, commune: Commune, limit: int | None = None, *, paid_first: bool = False,
            with_use: bool = True) -> list[Step]:
    """The steps that make the most use cases ready first (greedy), then, with `with_use`, the open data the
    town can use now without checking it (open national or enclosing datasets). Paid data comes after every
    other step unless `paid_first`."""
    lines = commune_lines(t, commune)
    missing = {u: {k for k in t.indispensable_of(u) if not lines[k].ready}
               for u in t.usecases if t.indispensable_of(u)}
    done: set[str] = set()
    steps: list[Step] = []
    while limit is None or len(steps) < limit:
        pending = {u: m - done for u, m in missing.items() if m - done}
        if not pending:
            break
        candidates = set().union(*pending.values())

        def gain(k: str, pending: dict[str, set[str]] = pending) -> tuple[bool, int, int, int, float]:
            # Use cases made ready, then the least effort (use 0 … buy 4), then use cases helped, then the
            # weakest evidence first; paid data waits for every other step unless asked for.
            ln = lines[k]
            return (paid_first or ln.action != "buy", sum(1 for m in pending.values() if m == {k}), -ln.effort,
                    sum(1 for m in pending.values() if k in m), -ln.weight)

        best = max(sorted(candidates, key=t.sort_key), key=gain)  # ties: first label in alphabetical order
        unlocks = sorted((u for u, m in pending.items() if m == {best}), key=t.sort_key)
        done.add(best)
        steps.append(_step(t, len(steps) + 1, lines[best], unlocks, gain(best)[3]))
    if with_use:
        needed = t.indispensable_count
        usable = sorted((k for k, ln in lines.items() if ln.ready and ln.evidence != "local-records" and needed.get(k)),
                        key=lambda k: (-needed[k], t.sort_key(k)))
        for k in usable:
            if limit is not None and len(steps) >= limit:
                break
            steps.append(_step(t, len(steps) + 1, lines[k], [], needed[k]))
    return steps


def roadmap_summary(t: Tables, communes: list[Commune] | None = None) -> dict[str, Any]:
    """How much the roadmaps of the ACV towns (or COMMUNES) differ: distinct roadmaps (the sequence of
    category and action), distinct first steps, and how many towns share each first step."""
    communes = list(t.acv.values()) if communes is None else communes
    sequences, firsts = set(), Counter()
    for c in communes:
        steps = roadmap(t, c)
        sequences.add(tuple((s.category, s.action) for s in steps))
        if steps:
            firsts[(steps[0].category_label, steps[0].action)] += 1
    return {"towns": len(communes), "distinct_roadmaps": len(sequences), "distinct_first_steps": len(firsts),
            "first_steps": [{"category": k[0], "action": k[1], "towns": n} for k, n in firsts.most_common()]}
