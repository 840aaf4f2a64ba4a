"""What a town does about one diagnostic line, and how much effort it costs (docs/evidence.md): use the
open data that exists; check a dataset's status and local content; ask for the opening of existing data or
ask the competent holder to open it; find who holds it (no competent body is known: the town is never told
to "ask" a body the graph cannot name); produce it (the town or its EPCI being competent); buy it (paid data).
The diagnostic (each line's `action`) and the roadmap (odl_graph/analyses/roadmap.py) read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from odl_graph.analyses.holder import HolderAnswer


@dataclass(frozen=True)
class Action:
    effort: int  # 0 = use what exists … 4 = buy
    verb_fr: str
    verb_en: str
    role_fr: str
    role_en: str


ACTIONS: dict[str, Action] = {
    "use": Action(0, "Utiliser", "Use", "éditeur", "publisher"),
    "check": Action(1, "Vérifier le statut et le contenu local de", "Check the status and local content of",
                    "détenteur", "holder"),
    "check-exposure": Action(1, "Vérifier si le territoire est concerné avant de produire",
                             "Check whether the territory is exposed before producing", "organisme compétent",
                             "competent body"),
    "open": Action(2, "Demander l'ouverture de", "Ask for the opening of", "détenteur", "holder"),
    "access": Action(2, "Demander l'accès (réservé à certains organismes) à", "Request access (restricted to some"
                     " bodies) to", "détenteur", "holder"),
    "ask": Action(2, "Demander au détenteur compétent d'ouvrir", "Ask the competent holder to open",
                  "détenteur compétent", "competent holder"),
    # No body is known to be competent: first find who holds it (what was searched, and hints to follow).
    # Costs more than asking a named body: the town must find the body before it can ask it anything.
    "find": Action(3, "Trouver qui détient", "Find who holds", "détenteur", "holder"),
    "produce": Action(3, "Produire et publier", "Produce and publish", "organisme compétent", "competent body"),
    "buy": Action(4, "Acheter (donnée payante)", "Buy (paid data)", "vendeur", "seller"),
}


def action(line: Any, holding: HolderAnswer) -> str:
    """What a town does about one line: a key of ACTIONS."""
    if line.ready:
        return "use"
    if line.evidence in ("local-records", "local-dataset", "national-unknown") and line.best is not None:
        if line.paid:
            return "buy"
        if line.best.family == "unknown":
            return "check"
        # Limited access (e.g. the land files, delivered to public bodies on request): ask for access.
        return "access" if (line.best.status or "").rsplit("/", 1)[-1] == "limited" else "open"
    if line.hazard:
        return "check-exposure"
    if line.paid:
        return "buy"
    if holding.local:
        return "produce"
    return "ask" if holding.bodies else "find"


