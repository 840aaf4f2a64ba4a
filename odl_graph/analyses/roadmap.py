"""A town's roadmap: what to do, in which order, to make the most use cases ready, and whom to turn to.

Actions, in order of effort (docs/evidence.md): use the open data that exists; check a dataset's local
content or status; ask the holder of existing data to open it, or the competent holder to open what it holds
(with the legal basis when opening is an obligation); find who holds it (no competent body is known);
produce it (when the town or its EPCI is the competent body); buy it (paid data, said as such).

The order of the steps (the rule docs/evidence.md states, and tests/test_roadmap_acv.py checks over the 244
ACV towns):
1. the town's own data first: every category a use case requires for which the town has its own evidence
   (records of the town in a national file, a dataset of the town, or a dataset of its EPCI), the one that
   serves the most use cases first, then the least effort: use it when it is open, otherwise check it or ask
   for its opening. A town starts from what it has, so towns whose own evidence differs start differently;
2. then, greedily, the step that makes the most use cases ready (each counting two more per line the town's
   own data already meets), then the least effort; a step the town can act on (a body to write to, data to
   use or check) before one whose holder is still to be found;
3. then the open national or enclosing data to use.
Paid data is never chosen before every other step unless the town asks for it (`paid_first`). Each step
names the body to turn to (the competent holder of odl_graph/analyses/holder.py, or the holder of the
existing dataset) with its SIREN, the legal basis and how certain the graph is of it.
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
    about_holder = ln.action in ("ask", "find", "produce", "buy", "check-exposure")
    extra_fr = extra_en = ""
    if about_holder:
        extra_fr, extra_en = f" ; {cert_fr}", f"; {cert_en}"
        if h.get("legal_basis_fr"):
            extra_fr += f" ; base légale : {h['legal_basis_fr']}"
            extra_en += f"; legal basis: {h.get('legal_basis_en') or h['legal_basis_fr']}"
        if h.get("obligation") and h.get("obligation_fr"):
            extra_fr += f" ; ouverture obligatoire : {h['obligation_fr']}"
            extra_en += f"; opening required: {h.get('obligation_en') or h['obligation_fr']}"
    if ln.action == "use" and ln.evidence == "local-records":
        tail_fr = f" : le fichier contient des enregistrements de la commune (vérifié) ; utile à {needed} cas d'usage."
        tail_en = f": the file holds records of the town (verified); used by {needed} use case(s)."
    elif ln.action == "use":
        tail_fr = f" ; son contenu pour la commune n'est pas vérifié ; utile à {needed} cas d'usage."
        tail_en = f"; its content for the town is not verified; used by {needed} use case(s)."
    else:
        tail_fr = f" : débloque {names_fr} ; nécessaire à {needed} cas d'usage non encore prêts."
        tail_en = f": unlocks {names_en}; needed by {needed} use case(s) not yet ready."
    if ln.find_fr and ln.action == "find":
        tail_fr += f" {ln.find_fr[0].upper()}{ln.find_fr[1:]}."
        tail_en += f" {ln.find_en[0].upper()}{ln.find_en[1:]}." if ln.find_en else ""
    if ln.hint_fr and ln.action in ("ask", "produce", "find"):
        tail_fr += f" {ln.hint_fr[0].upper()}{ln.hint_fr[1:]}."
        tail_en += f" {ln.hint_en[0].upper()}{ln.hint_en[1:]}." if ln.hint_en else ""
    dataset_fr = f" : « {datasets[0]['label']} »" if ln.action == "use" and datasets else ""
    dataset_en = f": “{datasets[0]['label']}”" if ln.action == "use" and datasets else ""
    return Step(
        rank, ln.category, t.label(ln.category), ln.action, ln.evidence,
        [{"iri": u, "label": t.label(u)} for u in unlocks], needed, ln.holders, datasets,
        f"{act.verb_fr} « {t.label(ln.category)} »{dataset_fr} ({act.role_fr} : {who_fr}{extra_fr}){where}{tail_fr}",
        f"{act.verb_en} “{t.label(ln.category, 'en')}”{dataset_en}"
        f" ({act.role_en}: {who_en}{extra_en}){where}{tail_en}",
        act.effort, ln.paid, certainty, cert_fr, cert_en, h.get("legal_basis_fr"), h.get("legal_basis_en"),
        h.get("obligation"), h.get("obligation_fr"), h.get("obligation_en"),
        list(dict.fromkeys([*h.get("legal_sources", ()), *h.get("obligation_sources", ())])),
        ln.hint_fr, ln.hint_en)


def own_evidence(ln: Line) -> bool:
    """The town's own evidence on a line: records of the town in a national file or a dataset of the town
    (level `local-records`), or a dataset of its EPCI; not an enclosing département, région or national one."""
    return ln.evidence == "local-records" or (
        ln.evidence == "local-dataset" and ln.best is not None and ln.best.level == "epci")


def own_first(t: Tables, lines: dict[str, Line], *, paid_first: bool = False) -> list[str]:
    """Rule 1 of the order (module docstring): the categories some use case requires on which the town has
    its own evidence, the one serving the most use cases first, then the least effort, then by label; paid
    data is left to the end unless the town asks for it."""
    needed = t.indispensable_count
    own = [k for k, ln in lines.items() if needed.get(k) and own_evidence(ln) and (paid_first or not ln.paid)]
    return sorted(own, key=lambda k: (-needed[k], lines[k].effort, t.sort_key(k)))


def roadmap(t: Tables, commune: Commune, limit: int | None = None, *, paid_first: bool = False,
            with_use: bool = True) -> list[Step]:
    """The steps in the order of the module docstring: the town's own data first, then greedily the steps
    that make the most use cases ready, then, with `with_use`, the open data the town can use now without
    checking it (open national or enclosing datasets). Paid data comes after every other step unless
    `paid_first`."""
    lines = commune_lines(t, commune)
    missing = {u: {k for k in t.indispensable_of(u) if not lines[k].ready}
               for u in t.usecases if t.indispensable_of(u)}
    own = {u: sum(1 for k in t.indispensable_of(u) if lines[k].evidence in ("local-records", "local-dataset"))
           for u in missing}
    done: set[str] = set()
    steps: list[Step] = []
    needed = t.indispensable_count

    def full() -> bool:
        return limit is not None and len(steps) >= limit

    for k in own_first(t, lines, paid_first=paid_first):  # rule 1: start from what the town has
        if full():
            return steps
        pending = {u: m - done for u, m in missing.items() if m - done}
        unlocks = sorted((u for u, m in pending.items() if m == {k}), key=t.sort_key)
        done.add(k)
        helped = sum(1 for m in pending.values() if k in m)
        steps.append(_step(t, len(steps) + 1, lines[k], unlocks, needed[k] if lines[k].ready else helped))
    while not full():  # rule 2: what makes the most use cases ready
        pending = {u: m - done for u, m in missing.items() if m - done}
        if not pending:
            break
        candidates = set().union(*pending.values())

        def gain(k: str, pending: dict[str, set[str]] = pending) -> tuple[bool, bool, int, int, int, float]:
            # Paid data waits for every other step unless asked for; a step the town can act on (a body to
            # write to, or data to use or check) comes before one whose holder is still to be found; then
            # the use cases made ready, each counting two more per line the town's own data already meets
            # (records or a local dataset: finish what it has started, so its evidence shapes its roadmap);
            # then the least effort (use 0 … buy 4), use cases helped, the weakest evidence.
            ln = lines[k]
            actionable = bool(ln.holders) or ln.action in ("use", "check", "check-exposure")
            made = sum(1 + 2 * own[u] for u, m in pending.items() if m == {k})
            return (paid_first or ln.action != "buy", actionable, made, -ln.effort,
                    sum(1 for m in pending.values() if k in m), -ln.weight)

        best = max(sorted(candidates, key=t.sort_key), key=gain)  # ties: first label in alphabetical order
        unlocks = sorted((u for u, m in pending.items() if m == {best}), key=t.sort_key)
        done.add(best)
        steps.append(_step(t, len(steps) + 1, lines[best], unlocks, gain(best)[4]))
    if with_use:  # rule 3: the open data to use
        usable = sorted((k for k, ln in lines.items() if ln.ready and k not in done and needed.get(k)),
                        key=lambda k: (-needed[k], t.sort_key(k)))
        for k in usable:
            if full():
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
