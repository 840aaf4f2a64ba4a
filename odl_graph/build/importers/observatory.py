"""Organisations of OpenDataFrance's Observatoire open data des territoires (ODATER, 2021 state):
public bodies that publish open data, with their category, publication channel and territory."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers._common import (
    DCTERMS,
    FOAF,
    ORG,
    RDFS,
    SIREN_RE,
    SKOS,
    Row,
    RowNote,
    bind_prefixes,
    copy_extracts,
    integer,
    name_literals,
    read_csv,
    sources_dir,
    uri,
)
from odl_graph.namespace import ODL

FILE = "odater_organisations.csv"
SHARED = f"reuses/observatoire-opendata/{FILE}"
SOURCE = URIRef(
    "https://github.com/DianeThy/ananlyse_situation_opendata/blob/4ae2639c24a89da806703ccc507698c378a2ff46/"
    "Data/raw/Indicateurs%20ODATER%20v2%20(up-to-date).xlsx"
)
# ODATER type code -> actor-category concept (codes of odater_dictionnaire.csv; the data writes OACT
# where the dictionary writes OAGT). Documented in docs/importers.md.
CATEGORIES = {
    "COM": "commune",
    "CA": "intercommunalite",
    "CC": "intercommunalite",
    "CU": "intercommunalite",
    "MET": "intercommunalite",
    "EPT": "intercommunalite",
    "DEP": "departement",
    "REG": "region",
    "AGCT": "local-public",  # other groupings of local authorities: syndicats mixtes, GIP, PETR...
    "OACT": "parapublic",  # bodies associated with local authorities: tourism offices, agencies...
    "DSPT": "public-service-delegate",  # public-service delegates: private operators, SEM...
}
# Labels of the type codes, as written in odater_dictionnaire.csv.
TYPE_LABELS = {
    "COM": "Commune",
    "CC": "Communauté de Communes",
    "CA": "Communauté d'Agglomération",
    "CU": "Communauté Urbaine",
    "EPT": "Etab. Public Territorial, rattaché à la Métropole du Grand Paris",
    "MET": "Métropole",
    "DEP": "Département",
    "REG": "Région",
    "AGCT": "Autre Groupement de Coll. Terr : SMI, GIP, ...",
    "OACT": "Organisme Associé de Coll. Terr. : Office de Tourisme, Régie de transport, ...",
    "DSPT": "Délégataire de Service Public Territoriaux : opérateurs privés, Soc. d'Economie Mixte,...",
}
EPCI_TYPES = ("CA", "CC", "CU", "MET")
TERRITORIAL_TYPES = ("COM", *EPCI_TYPES, "DEP", "REG")  # EPT are not imported
REGCODE_RE = re.compile(r"^(?:[A-Z]{2,3}-(\d{2})|[A-Z]{2})$")


@dataclass
class _Actor:
    """One SIREN; the source lists one organisation twice (a portal row and a data.gouv.fr row)."""

    siren: str
    type: str
    names: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def cog_codes(data_dir: Path) -> tuple[dict[str, str], set[str], set[str], set[str]]:
    """commune SIREN -> INSEE code, EPCI SIRENs, département codes, region codes of the COG extract."""
    folder = sources_dir(data_dir, "cog")
    communes = {
        row.get("siren"): row.get("code")
        for row in read_csv(folder / "communes.csv", ("code", "siren"))
        if row.get("siren")
    }
    epcis = {row.get("code") for row in read_csv(folder / "epci.csv", ("code",))}
    deps = {row.get("code") for row in read_csv(folder / "departements.csv", ("code",))}
    regs = {row.get("code") for row in read_csv(folder / "regions.csv", ("code",))}
    return communes, epcis, deps, regs


class ObservatoryImporter:
    name = "observatory"

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(SHARED, FILE)])

    def sources(self, data_dir: Path) -> list[Path]:
        cog = sources_dir(data_dir, "cog")
        return [sources_dir(data_dir, self.name) / FILE,
                *(cog / f for f in ("communes.csv", "epci.csv", "departements.csv", "regions.csv"))]

    def read(self, data_dir: Path) -> dict[str, _Actor]:
        """Checked rows grouped by SIREN, in file order."""
        actors: dict[str, _Actor] = {}
        columns = ("siren", "nom", "type", "regcode", "url-ptf", "nb-ptf", "url-datagouv", "nb-datagouv",
                   "depcode")
        for row in read_csv(sources_dir(data_dir, self.name) / FILE, columns):
            siren = row.code("siren", SIREN_RE, "SIREN (9 digits)")
            kind = row.choice("type", tuple(CATEGORIES))
            row.required("nom")
            row.integer("nb-ptf", optional=True)
            row.integer("nb-datagouv", optional=True)
            regcode = row.get("regcode")
            if regcode and not REGCODE_RE.match(regcode):
                raise row.error("regcode", f"{regcode!r} is not a region code like BRE-53")
            actor = actors.setdefault(siren, _Actor(siren, kind))
            if actor.type != kind:
                raise row.error("type", f"SIREN {siren} is typed {actor.type} on an earlier row")
            actor.names.append(row.get("nom"))
            actor.rows.append(row)
        return actors

    def to_graph(self, data_dir: Path) -> Graph:
        actors = self.read(data_dir)
        communes, epcis, deps, regs = cog_codes(data_dir)
        # A département or region code names one body only when one organisation of that type carries it
        # (the three provinces of New Caledonia all carry 988, which is not theirs alone).
        dep_count: dict[str, int] = {}
        reg_count: dict[str, int] = {}
        for a in actors.values():
            if a.type == "DEP":
                code = a.rows[0].get("depcode")
                dep_count[code] = dep_count.get(code, 0) + 1
            elif a.type == "REG":
                code = _region_code(a.rows[0])
                reg_count[code] = reg_count.get(code, 0) + 1

        g = bind_prefixes(Graph())
        for a in actors.values():
            subject = iris.body(a.siren)
            g.add((subject, RDF.type, ODL.Actor))
            g.add((subject, RDF.type, ORG.Organization))
            g.add((subject, ODL.siren, Literal(a.siren)))
            for label in name_literals(a.names[0]):
                g.add((subject, RDFS.label, label))
            for other in a.names[1:]:
                if other != a.names[0]:
                    g.add((subject, SKOS.altLabel, Literal(other, lang="fr")))
            g.add((subject, ODL.actorCategory, iris.concept("actor-category", CATEGORIES[a.type])))
            g.add((subject, DCTERMS.source, SOURCE))
            g.add((subject, DCTERMS.description, Literal(
                "Organisation recensée par l'Observatoire open data des territoires d'OpenDataFrance "
                f"(état 2021), de type « {TYPE_LABELS[a.type]} » ({a.type}).", lang="fr")))
            # Both counts of the observatory, kept apart: on the body's own platform, and on data.gouv.fr.
            portal = next((r.integer("nb-ptf", optional=True) for r in a.rows if r.get("nb-ptf")), None)
            if portal is not None:
                g.add((subject, ODL.datasetCount, integer(portal)))
            datagouv = next((r.integer("nb-datagouv", optional=True) for r in a.rows if r.get("nb-datagouv")), None)
            if datagouv is not None:
                g.add((subject, ODL.dataGouvDatasetCount, integer(datagouv)))
            for r in a.rows:
                home = uri(r.get("url-ptf"))
                if home is not None:
                    g.add((subject, FOAF.homepage, home))
                page = uri(r.get("url-datagouv"))
                if page is not None:
                    g.add((subject, RDFS.seeAlso, page))
            self._record(g, a, subject, portal, datagouv)
            territory = self._territory(a, communes, epcis, deps, regs, dep_count, reg_count)
            if territory is not None:
                g.add((subject, ODL.competentFor, territory))
        return g

    def notes(self, data_dir: Path) -> list[RowNote]:
        """Bodies of a territorial type (commune, EPCI, département, région) whose SIREN or code joins no COG
        2026 territory: kept as actors, but their 2021 publishing counts for no town (said, not hidden)."""
        g = self.to_graph(data_dir)
        notes = []
        for a in self.read(data_dir).values():
            if a.type in TERRITORIAL_TYPES and (iris.body(a.siren), ODL.competentFor, None) not in g:
                notes.append(RowNote(self.name, "not joined", a.rows[0].loc("siren"),
                                     f"{a.names[0]} (type {a.type}, SIREN {a.siren}) matches no commune, EPCI, "
                                     "département or région of the COG 2026"))
        return notes

    @staticmethod
    def _record(g: Graph, a: _Actor, subject: URIRef, portal: int | None, datagouv: int | None) -> None:
        """The 2021 state as a dated publishing record, alongside the 2022 export's (observatory2022)."""
        node = iris.resource("publishing", f"odater-2021-{a.siren}")
        g.add((node, RDF.type, ODL.PublishingRecord))
        g.add((node, ODL.publishingBody, subject))
        g.add((node, DCTERMS.date, Literal("2021", datatype=XSD.gYear)))
        g.add((node, DCTERMS.source, SOURCE))
        g.add((node, RDFS.label, Literal(f"Publication open data de {a.names[0]} (2021)", lang="fr")))
        g.add((node, RDFS.label, Literal(f"Open data publishing of {a.names[0]} (2021)", lang="en")))
        if portal is not None:
            g.add((node, ODL.platformDatasetCount, integer(portal)))
        if datagouv is not None:
            g.add((node, ODL.dataGouvCount, integer(datagouv)))
        for r in a.rows:
            for column in ("url-ptf", "url-datagouv"):
                page = uri(r.get(column))
                if page is not None:
                    g.add((node, FOAF.page, page))

    @staticmethod
    def _territory(a: _Actor, communes: dict[str, str], epcis: set[str], deps: set[str], regs: set[str],
                   dep_count: dict[str, int], reg_count: dict[str, int]) -> URIRef | None:
        """The COG territory the body governs, when the source identifies it without ambiguity."""
        row = a.rows[0]
        if a.type == "COM" and a.siren in communes:
            return iris.commune(communes[a.siren])
        if a.type in EPCI_TYPES and a.siren in epcis:
            return iris.epci(a.siren)
        if a.type == "DEP":
            code = row.get("depcode")
            if code in deps and dep_count.get(code) == 1:
                return iris.departement(code)
        if a.type == "REG":
            code = _region_code(row)
            if code in regs and reg_count.get(code) == 1:
                return iris.region(code)
        return None


def _region_code(row: Row) -> str:
    """'BRE-53' -> '53'; a bare territory code ('NC') has no COG region."""
    m = REGCODE_RE.match(row.get("regcode"))
    return (m.group(1) or "") if m else ""
