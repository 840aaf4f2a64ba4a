"""Draft requests a town sends for the data it lacks: one letter per diagnostic line whose action is to ask
another body (`ask`: the competent holder; `open`: the holder of existing data that is not open), in French,
addressed to that body, with the data, the use case, the legal basis, the standard to publish it in and the
town's name. And one file per town gathering all its requests, as printable text.

The letters are drafts for the town to read, date, sign and send: nothing here sends anything. Every legal
text a letter cites comes from the graph (the competence table, odl_graph/analyses/competence.py, through
holder.py) or from RIGHT_OF_ACCESS below, each with the page it was read from; where the graph does not
know the legal basis the letter says so in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses.holder import CERTAINTY_WORDS
from odl_graph.analyses.tables import Commune, Tables
from odl_graph.text import sort_key

# The lines a town writes to another body about.
REQUEST_ACTIONS = ("ask", "open")

# The right of access every letter invokes: book III of the Code des relations entre le public et
# l'administration (CRPA). Both pages were read: the CADA's summary (the book applies to every public
# authority and to private bodies with a public-service mission, for documents of that mission; a body
# that does not hold the document forwards the request, art. L. 311-2) and the code's chapter on
# Légifrance.
RIGHT_OF_ACCESS_FR = ("le droit d'accès aux documents administratifs du livre III du code des relations entre "
                      "le public et l'administration (CRPA), qui s'impose aux autorités publiques et aux "
                      "organismes privés chargés d'une mission de service public pour les documents liés à cette "
                      "mission ; si vous ne détenez pas ces données, l'article L. 311-2 du CRPA vous demande de "
                      "transmettre cette demande à l'administration qui les détient")
RIGHT_OF_ACCESS_SOURCES = (
    "https://www.cada.fr/administration/la-communication-des-documents-administratifs",
    "https://circulaire.legifrance.gouv.fr/codes/section_lc/LEGITEXT000031366350/LEGISCTA000031367694/",
)
UNKNOWN_BASIS_FR = ("inconnue : le graphe ne connaît pas de texte qui désigne le détenteur de ces données ou "
                    "oblige à les publier ; la demande s'appuie sur le seul droit d'accès")
UNKNOWN_OBLIGATION_FR = "inconnue : le graphe ne sait pas si la publication de ces données est obligatoire"


@dataclass
class Letter:
    """One request: to whom, for what, why, on which basis, in which format, from which town."""

    commune: str  # IRI
    commune_label: str
    insee: str
    category: str
    category_label: str
    usecases: list[tuple[str, str]]  # (IRI, French label) of the use cases that need the data
    action: str  # ask | open
    holders: list[dict[str, Any]]  # iri, label, siren, pages
    holder_certainty_fr: str
    legal_basis_fr: str  # the competence's text, or UNKNOWN_BASIS_FR
    legal_basis_known: bool
    obligation_fr: str  # the obligation to publish, or UNKNOWN_OBLIGATION_FR / "aucune connue"
    sources: list[str]  # pages the legal texts were read from
    standards: list[tuple[str, str]]  # (IRI, label)
    dataset: tuple[str, str] | None = None  # the existing dataset asked to open: (IRI, label)
    explanation_fr: str = ""
    anchor: str = field(default="")

    @property
    def holder_label(self) -> str:
        return dg.names(self.holders) or "détenteur inconnu"

    def subject(self) -> str:
        verb = "Demande d'ouverture" if self.action == "open" else "Demande de communication et de publication"
        return f"{verb} des données « {self.category_label} » — {self.commune_label}"

    def text(self) -> str:
        """The letter as plain text (what the printable page shows, and the .txt file holds)."""
        names = " ; ".join(f"« {label} »" for _iri, label in self.usecases)
        uses = (f"les cas d'usage {names}, qui nécessitent" if len(self.usecases) > 1
                else f"le cas d'usage {names}. Il nécessite")
        what = (f"le jeu de données « {self.dataset[1]} », que vous détenez et qui n'est pas ouvert"
                if self.dataset else f"les données « {self.category_label} » concernant le territoire de "
                                     f"{self.commune_label}")
        std = (" ; ".join(f"« {label} » ({_standard_id(iri)})" for iri, label in self.standards)
               if self.standards else "aucun standard n'est encore publié pour ces données : un format "
                                      "ouvert et documenté (CSV avec son schéma) nous conviendrait")
        lines = [
            f"De : commune de {self.commune_label} (code INSEE {self.insee})",
            f"À : {self.holder_label}",
            f"Objet : {self.subject()}",
            "",
            "Madame, Monsieur,",
            "",
            f"La commune de {self.commune_label} souhaite mettre en œuvre {uses} {what}.",
            "",
            f"Nous vous demandons de nous communiquer ces données et, si possible, de les publier en données "
            f"ouvertes. Cette demande s'appuie sur {RIGHT_OF_ACCESS_FR}.",
            "",
            f"Base légale de votre compétence sur ces données : {self.legal_basis_fr}.",
            f"Obligation de publication : {self.obligation_fr}.",
            "",
            f"Format souhaité : {std}.",
            "",
            "Nous restons à votre disposition pour préciser le périmètre et la fréquence de mise à jour utiles.",
            "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
            "",
            f"Pour la commune de {self.commune_label},",
            "[nom, fonction, signature, date]",
            "",
            "Textes cités : " + " ; ".join([*self.sources, *RIGHT_OF_ACCESS_SOURCES]),
        ]
        return "\n".join(lines)


def _standard_id(iri: str) -> str:
    """`etalab/schema-irve` from `{base}id/standard/etalab/schema-irve`: its schema.data.gouv.fr id."""
    return iri.split("/id/standard/", 1)[-1]


def own_bodies(t: Tables, commune: Commune) -> set[str]:
    """The IRIs of the town's own council: it does not write to itself ("this is you")."""
    body = t.evidence.bodies.get(commune.iri, {}).get("commune")
    return {body} if body else set()


def is_self(t: Tables, commune: Commune, body: dict[str, Any]) -> bool:
    """Is this body the asking town's own council?"""
    if body.get("iri") and body["iri"] in own_bodies(t, commune):
        return True
    siren = t.sirens.get(commune.iri)
    return bool(siren and body.get("siren") == siren)


def _standards(t: Tables, category: str) -> list[tuple[str, str]]:
    info = t.categories.get(category)
    stds = {**(info.standards if info else {}), **t.dataset_standards.get(category, {})}
    return sorted(((s, t.label(s)) for s in stds), key=lambda x: sort_key(x[1]))


def letter_for(t: Tables, commune: Commune, line: dg.Line, usecases: Iterable[str]) -> Letter | None:
    """The request for one line, or None when the line asks nobody else (use, check, produce, buy; or the
    only body to ask is the town itself)."""
    if line.action not in REQUEST_ACTIONS:
        return None
    holders = [h for h in line.holders if not is_self(t, commune, h)]
    if not holders:
        return None
    h = line.holding or {}
    basis = h.get("legal_basis_fr")
    obligation = h.get("obligation")
    if obligation:
        obligation_fr = h.get("obligation_fr") or "oui, selon le tableau des compétences"
    elif obligation is False:
        obligation_fr = "aucune connue pour ces données"
    else:
        obligation_fr = UNKNOWN_OBLIGATION_FR
    sources = list(dict.fromkeys([*h.get("legal_sources", ()), *h.get("obligation_sources", ())]))
    certainty = h.get("certainty") or "unknown"
    dataset = (line.best.dataset, line.best.label) if line.action == "open" and line.best else None
    return Letter(
        commune.iri, commune.label, commune.insee, line.category, t.label(line.category),
        [(u, t.label(u)) for u in sorted(usecases, key=t.sort_key)], line.action, holders,
        CERTAINTY_WORDS.get(certainty, CERTAINTY_WORDS["unknown"])[0],
        basis or UNKNOWN_BASIS_FR, bool(basis), obligation_fr, sources, _standards(t, line.category), dataset,
        line.text_fr, anchor=f"letter-{line.category.rsplit('/', 1)[-1]}")


def letters_for_usecase(t: Tables, commune: Commune, usecase: str) -> list[Letter]:
    """One letter per line of the diagnostic of COMMUNE for USECASE that asks another body."""
    result = dg.diagnose_pair(t, commune, usecase)
    out = [letter_for(t, commune, ln, [usecase]) for ln in result.lines + result.useful]
    return [x for x in out if x is not None]


def letters_for_town(t: Tables, commune: Commune) -> list[Letter]:
    """All the town's requests: one per data category it must ask another body for, naming every use case
    that needs it (as indispensable or useful data), in the order of the categories' labels."""
    lines = dg.commune_lines(t, commune)
    needing: dict[str, list[str]] = {}
    for u in t.usecases:
        for c in [*t.indispensable_of(u), *t.useful_of(u)]:
            if u not in needing.setdefault(c, []):
                needing[c].append(u)
    out = []
    for c in sorted(lines, key=t.sort_key):
        letter = letter_for(t, commune, lines[c], needing.get(c, []))
        if letter is not None:
            out.append(letter)
    return out


@dataclass
class ToFind:
    """A line whose competent holder is unknown (action "find"): no letter, since it would be addressed to
    nobody; what the town is told instead: what was searched, and leads worded as leads."""

    category: str
    category_label: str
    category_label_en: str
    text_fr: str
    text_en: str
    anchor: str


def to_find(t: Tables, commune: Commune) -> list[ToFind]:
    """The town's data whose holder is still to be found, over every use case, in the order of their labels."""
    lines = dg.commune_lines(t, commune)
    return [ToFind(c, t.label(c), t.label(c, "en"), lines[c].find_fr or "", lines[c].find_en or "",
                   f"find-{c.rsplit('/', 1)[-1]}")
            for c in sorted(lines, key=t.sort_key) if lines[c].action == "find"]


def town_file_text(commune: Commune, letters: list[Letter], finding: list[ToFind] | None = None) -> str:
    """The town's requests as one plain-text file, letters separated by a rule; then, without a letter, the
    data whose holder is still to be found."""
    head = (f"Demandes de données de la commune de {commune.label} (code INSEE {commune.insee})\n"
            f"{len(letters)} courrier(s) à relire, dater, signer et envoyer ; rien n'a été envoyé.\n")
    rule = "\n\n" + "-" * 72 + "\n\n"
    tail = ""
    if finding:
        tail = (rule + "Sans courrier : le détenteur de ces données reste à trouver (aucune source lue ne dit quel "
                "organisme est compétent)\n" + "".join(f"\n- {x.category_label} : {x.text_fr}" for x in finding))
    return head + "".join(rule + x.text() for x in letters) + tail + "\n"
