"""The councils of every département and région, with their SIREN (django-francedata's lists of public
identifiers, shared folder `evidence/collectivites-siren/`).

These are the bodies a town writes to when the competence table (data/curated/competences.csv) makes the
département or the région the holder. Corse, Martinique and Guyane have no departmental council: their
single territorial collectivity (CTU) is the région's row, and the diagnostic names it for both levels
(odl_graph/analyses/competence.py). A row whose code is not a COG département or région (the Métropole de
Lyon, code 691, which the COG has as an EPCI) is not a council of a COG territory and is left out.

A SIREN the 2021 observatory already describes keeps the observatory's description (one label per body);
this importer then only adds what the observatory lacks (the link to the territory, when it gave none).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers._common import (
    DCTERMS,
    ORG,
    RDFS,
    SIREN_RE,
    bind_prefixes,
    copy_extracts,
    read_csv,
    sources_dir,
)
from odl_graph.build.importers.observatory import FILE as OBS2021_FILE
from odl_graph.namespace import ODL

NAME = "collectivites"
SHARED = "evidence/collectivites-siren"
DEPARTEMENTS = "departements-siren.csv"
REGIONS = "regions-siren.csv"
LICENCE = "LICENSE-django-francedata-AGPL-3.0"
FILES = (DEPARTEMENTS, REGIONS, LICENCE)
REPO = "https://github.com/entrepreneur-interet-general/django-francedata"
SNAPSHOT = "367d7c7685a6aaa1c1a38fba1548aec9fbac27c4"
SOURCE = URIRef(f"{REPO}/tree/{SNAPSHOT}")
# CATEG of the source -> (actor-category code, level in the COG)
KINDS = {"DEPT": ("departement", "departement"), "PARIS": ("departement", "departement"),
         "REG": ("region", "region"), "CTU": ("region", "region")}


@dataclass(frozen=True)
class Council:
    siren: str
    code: str  # COG code of the territory it governs
    name: str
    kind: str  # DEPT, PARIS, REG, CTU
    level: str  # departement | region

    @property
    def territory(self) -> URIRef:
        return iris.departement(self.code) if self.level == "departement" else iris.region(self.code)

    @property
    def labels(self) -> tuple[str, str]:
        if self.kind == "CTU":
            return f"Collectivité territoriale ({self.name})", f"Single territorial collectivity ({self.name})"
        if self.kind == "PARIS":
            return "Ville de Paris", "City of Paris"
        if self.level == "departement":
            return f"Conseil départemental ({self.name})", f"Departmental council ({self.name})"
        return f"Conseil régional ({self.name})", f"Regional council ({self.name})"


class CollectivitesImporter:
    name = NAME

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(f"{SHARED}/{f}", f) for f in FILES])

    def sources(self, data_dir: Path) -> list[Path]:
        cog = sources_dir(data_dir, "cog")
        # The licence file is listed with the lists it ships with: graph/meta then records both.
        return [*(sources_dir(data_dir, self.name) / f for f in FILES),
                cog / "departements.csv", cog / "regions.csv", sources_dir(data_dir, "observatory") / OBS2021_FILE]

    def councils(self, data_dir: Path) -> list[Council]:
        """Every council of a COG département or région, each cell checked (file:line:column)."""
        cog = sources_dir(data_dir, "cog")
        known = {"departement": {r.get("code") for r in read_csv(cog / "departements.csv", ("code",))},
                 "region": {r.get("code") for r in read_csv(cog / "regions.csv", ("code",))}}
        out: list[Council] = []
        seen: dict[str, str] = {}
        for file in (DEPARTEMENTS, REGIONS):
            for row in read_csv(sources_dir(data_dir, self.name) / file, ("CATEG", "Siren", "Insee", "Nom")):
                kind = row.get("CATEG")
                siren = row.code("Siren", SIREN_RE, "SIREN (9 digits)")
                if siren in seen:
                    raise row.error("Siren", f"SIREN {siren} already given to {seen[siren]}")
                seen[siren] = row.get("Nom")
                if kind not in KINDS:
                    if kind == "ML":
                        continue  # the Métropole de Lyon: an EPCI of the COG (type MET69), not a département
                    raise row.error("CATEG", f"{kind!r} is not one of {', '.join(sorted(KINDS))}, ML")
                code, level = row.required("Insee"), KINDS[kind][1]
                if code not in known[level]:
                    raise row.error("Insee", f"{code!r} is not a {level} code of the COG extract")
                out.append(Council(siren, code, row.required("Nom"), kind, level))
        return out

    def to_graph(self, data_dir: Path) -> Graph:
        observatory = {r.get("siren") for r in read_csv(sources_dir(data_dir, "observatory") / OBS2021_FILE,
                                                         ("siren",))}
        g = bind_prefixes(Graph())
        for c in self.councils(data_dir):
            subject = iris.body(c.siren)
            g.add((subject, ODL.competentFor, c.territory))
            if c.siren in observatory:
                continue  # described by the observatory importer
            fr, en = c.labels
            g.add((subject, RDF.type, ODL.Actor))
            g.add((subject, RDF.type, ORG.Organization))
            g.add((subject, RDFS.label, Literal(fr, lang="fr")))
            g.add((subject, RDFS.label, Literal(en, lang="en")))
            g.add((subject, ODL.actorCategory, iris.concept("actor-category", KINDS[c.kind][0])))
            g.add((subject, ODL.siren, Literal(c.siren)))
            g.add((subject, DCTERMS.source, SOURCE))
        return g
