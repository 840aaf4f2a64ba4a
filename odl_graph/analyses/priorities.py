"""Standardisation priorities: which data categories to standardise first.

Moved out of diagnostic.py (which answers a town's questions); this module answers the standardisation
officer's.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from odl_graph.analyses import evidence as ev
from odl_graph.analyses.diagnostic import commune_verdicts
from odl_graph.analyses.tables import CategoryInfo, Tables
from odl_graph.text import sort_key


def priorities(t: Tables) -> list[dict[str, Any]]:
    """Data categories to standardise first: (use cases needing them) × (ACV towns that truly lack them:
    a verified absence or data that exists but is not open). Towns the graph knows nothing about are
    counted apart (`towns_unknown`), never as lacking."""
    need: dict[str, set[str]] = defaultdict(set)
    critical: dict[str, set[str]] = defaultdict(set)
    for u, reqs in t.usecases.items():
        for k, lvl in reqs.items():
            need[k].add(u)
            if lvl == t.indispensable:
                critical[k].add(u)
    all_lines = {c.iri: commune_verdicts(t, c) for c in t.acv.values()}
    out = []
    for k in set(t.categories) | set(need):
        lacking = unknown = 0
        for lines in all_lines.values():
            ln = lines.get(k)
            if ln is None:
                continue
            if ln.evidence == "absent" or (ln.evidence == "local-records" and ln.not_open):
                lacking += 1
            elif ev.LEVELS[ln.evidence][0] == "unknown":
                unknown += 1
        stds = {**t.categories.get(k, CategoryInfo(k)).standards, **t.dataset_standards.get(k, {})}
        out.append({
            "category": k, "label": t.label(k), "label_en": t.label(k, "en"),
            "use_cases": len(need[k]), "indispensable_for": len(critical[k]),
            "towns_lacking": lacking, "towns_unknown": unknown, "towns": len(all_lines),
            "score": len(need[k]) * lacking,
            "standards": [{"iri": s, "label": t.label(s), "scdl": scdl} for s, scdl in sorted(stds.items())],
            "has_standard": bool(stds), "has_scdl": any(stds.values()),
        })
    out.sort(key=lambda r: (-r["score"], -r["use_cases"] * r["towns_unknown"], -r["use_cases"], sort_key(r["label"])))
    for i, r in enumerate(out, start=1):
        r["rank"] = i
    return out
