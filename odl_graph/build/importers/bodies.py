"""The concrete public bodies behind generic producers: each ACV commune's town council, its EPCI, its
département and its région, and every body another evidence source names by SIREN only.

One importer names these bodies, so an actor is labelled once whichever source points at it
(`iris.body(siren)`). Bodies the 2021 observatory import already describes are left to it. A SIREN no
imported source names is kept with its SIREN, and its name and category are stated as unknown.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers import bnlc, collectivites, observatory2022
from odl_graph.build.importers._common import (
    DCTERMS,
    ORG,
    RDFS,
    RowNote,
    bind_prefixes,
    read_csv,
    sources_dir,
)
from odl_graph.build.importers.cog import SOURCE as COG_SOURCE
from odl_graph.build.importers.observatory import CATEGORIES, EPCI_TYPES
from odl_graph.build.importers.observatory import FILE as OBS2021_FILE
from odl_graph.namespace import ODL

NAME = "bodies"
ACV_FILE = "acv_communes_2025.csv"
EPCI_CATEGORY = "intercommunalite"
_TERRITORIAL = ("COM", "CA", "CC", "CU", "MET", "DEP", "REG")  # EPT are not imported (docs/importers.md)


@dataclass
class Body:
    iri: URIRef
    label_fr: str
    label_en: str
    category: str | None  # actor-category code, None when no source says
    siren: str | None
    territory: URIRef | None
    source: URIRef


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class BodiesImporter:
    name = NAME

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return []  # reads the extracts of the cog, acv, observatory, observatory2022 and bnlc importers

    def sources(self, data_dir: Path) -> list[Path]:
        cog = sources_dir(data_dir, "cog")
        return [*(cog / f for f in ("communes.csv", "epci.csv", "departements.csv", "regions.csv")),
                sources_dir(data_dir, "acv") / ACV_FILE,
                sources_dir(data_dir, "observatory") / OBS2021_FILE,
                sources_dir(data_dir, observatory2022.NAME) / observatory2022.EXPORT,
                sources_dir(data_dir, bnlc.NAME) / bnlc.FILES[0],
                *(sources_dir(data_dir, collectivites.NAME) / f for f in (collectivites.DEPARTEMENTS,
                                                                           collectivites.REGIONS))]

    def bodies(self, data_dir: Path) -> list[Body]:
        cog = sources_dir(data_dir, "cog")
        communes = {r.get("code"): r.values for r in read_csv(cog / "communes.csv", ("code", "nom", "siren", "epci"))}
        by_siren = {v["siren"]: code for code, v in communes.items() if v.get("siren")}
        epcis = {r.get("code"): r.get("nom") for r in read_csv(cog / "epci.csv", ("code", "nom"))}
        deps = {r.get("code"): r.get("nom") for r in read_csv(cog / "departements.csv", ("code", "nom"))}
        regs = {r.get("code"): r.get("nom") for r in read_csv(cog / "regions.csv", ("code", "nom"))}
        rows_2021 = _rows(sources_dir(data_dir, "observatory") / OBS2021_FILE)
        known_2021 = {r["siren"] for r in rows_2021}
        export = _rows(sources_dir(data_dir, observatory2022.NAME) / observatory2022.EXPORT)
        obs_source = URIRef(observatory2022.REPO + observatory2022.EXPORT)
        named = {r["siren"]: r for r in export}
        # The SIREN of a département or région council, when the observatory (2022, else 2021) gives
        # that code to a single body of that type.
        both = [*export, *({**r, "reg_code_geo": r.get("regcode", "")[-2:]} for r in rows_2021
                           if r["siren"] not in named)]
        dep_siren = _unique_code(both, "DEP", "depcode")
        reg_siren = _unique_code([{**r, "reg_code_geo": _region(r)} for r in both], "REG", "reg_code_geo")

        # The councils the collectivites importer names (every département and région, with the SIREN of
        # django-francedata): not named again here. Départements of a single territorial collectivity
        # (Corse, Martinique, Guyane) have no council of their own.
        councils = collectivites.CollectivitesImporter().councils(data_dir)
        listed = {c.siren for c in councils}
        covered = {(c.level, c.code) for c in councils}
        ctu_regions = {c.code for c in councils if c.kind == "CTU"}

        out: dict[URIRef, Body] = {}

        def add(body: Body) -> None:
            if body.siren in known_2021 or body.iri in out:
                return
            out[body.iri] = body

        def commune_body(code: str) -> Body:
            v = communes[code]
            return Body(iris.body(v["siren"]), f"Commune de {v['nom']}", f"Municipality of {v['nom']}", "commune",
                        v["siren"], iris.commune(code), COG_SOURCE)

        def epci_body(siren: str) -> Body:
            return Body(iris.body(siren), epcis[siren], epcis[siren], EPCI_CATEGORY, siren, iris.epci(siren),
                        COG_SOURCE)

        def dep_body(code: str) -> Body:
            siren = dep_siren.get(code)
            return Body(iris.body(siren) if siren else iris.resource("actor", f"departement-{code.lower()}"),
                        f"Conseil départemental ({deps[code]})", f"Departmental council ({deps[code]})",
                        "departement", siren, iris.departement(code), obs_source if siren else COG_SOURCE)

        def reg_body(code: str) -> Body:
            siren = reg_siren.get(code)
            return Body(iris.body(siren) if siren else iris.resource("actor", f"region-{code.lower()}"),
                        f"Conseil régional ({regs[code]})", f"Regional council ({regs[code]})",
                        "region", siren, iris.region(code), obs_source if siren else COG_SOURCE)

        for row in read_csv(sources_dir(data_dir, "acv") / ACV_FILE, ("insee_com",)):
            code = row.get("insee_com")
            if code not in communes:
                continue  # the acv importer reports communes missing from the COG
            add(commune_body(code))
            v = communes[code]
            if v.get("epci") in epcis:
                add(epci_body(v["epci"]))
            dep, reg = v.get("departement"), v.get("region")
            if dep in deps and ("departement", dep) not in covered and reg not in ctu_regions:
                add(dep_body(dep))
            if reg in regs and ("region", reg) not in covered:
                add(reg_body(reg))
        wanted = sorted(set(named) | bnlc.producers(data_dir))
        for siren in wanted:
            if siren in listed:
                continue  # a département or région council: the collectivites importer names it
            if siren in by_siren:
                add(commune_body(by_siren[siren]))
            elif siren in epcis:
                add(epci_body(siren))
            elif siren in named:
                r = named[siren]
                kind = r.get("type", "")
                territory = None
                if kind == "DEP" and dep_siren.get(r.get("depcode", "")) == siren and r["depcode"] in deps:
                    territory = iris.departement(r["depcode"])
                elif kind == "REG" and reg_siren.get(_region(r)) == siren and _region(r) in regs:
                    territory = iris.region(_region(r))
                elif kind in EPCI_TYPES and siren in epcis:
                    territory = iris.epci(siren)
                add(Body(iris.body(siren), r["nom"], r["nom"], CATEGORIES.get(kind), siren, territory, obs_source))
            else:
                add(Body(iris.body(siren), f"Organisme de SIREN {siren}", f"Body with SIREN {siren}", None, siren,
                         None, URIRef(bnlc.SOURCE)))
        return list(out.values())

    def notes(self, data_dir: Path) -> list[RowNote]:
        """Observatory 2022 bodies of a territorial type (commune, EPCI, département, région) that join no
        COG 2026 territory by SIREN: their publications count for no town, which is said, not hidden."""
        from odl_graph.build.importers.observatory import ObservatoryImporter

        located = {b.siren for b in self.bodies(data_dir) if b.territory is not None}
        g2021 = ObservatoryImporter().to_graph(data_dir)
        located |= {str(g2021.value(s, ODL.siren)) for s in g2021.subjects(ODL.competentFor, None)}
        notes = []
        path = sources_dir(data_dir, observatory2022.NAME) / observatory2022.EXPORT
        for row in read_csv(path, ("siren", "nom", "type")):
            if row.get("type") in _TERRITORIAL and row.get("siren") not in located:
                notes.append(RowNote(NAME, "not joined", row.loc("siren"),
                                     f"{row.get('nom')} (type {row.get('type')}, SIREN {row.get('siren')}) matches "
                                     "no commune, EPCI, département or région of the COG 2026 by SIREN: its "
                                     "publications count for no territory"))
        return notes

    def to_graph(self, data_dir: Path) -> Graph:
        g = bind_prefixes(Graph())
        for b in self.bodies(data_dir):
            g.add((b.iri, RDF.type, ODL.Actor))
            g.add((b.iri, RDF.type, ORG.Organization))
            g.add((b.iri, RDFS.label, Literal(b.label_fr, lang="fr")))
            g.add((b.iri, RDFS.label, Literal(b.label_en, lang="en")))
            g.add((b.iri, DCTERMS.source, b.source))
            if b.category:
                g.add((b.iri, ODL.actorCategory, iris.concept("actor-category", b.category)))
            else:
                g.add((b.iri, ODL.unknownValueOf, ODL.actorCategory))
            if b.siren:
                g.add((b.iri, ODL.siren, Literal(b.siren)))
            else:
                g.add((b.iri, ODL.unknownValueOf, ODL.siren))
            if b.territory is not None:
                g.add((b.iri, ODL.competentFor, b.territory))
        return g


def _unique_code(rows: list[dict[str, str]], kind: str, column: str) -> dict[str, str]:
    """Territory code -> SIREN for bodies of one type, kept only where a single row carries the code."""
    seen: dict[str, list[str]] = {}
    for r in rows:
        if r.get("type") == kind and r.get(column):
            seen.setdefault(r[column], []).append(r["siren"])
    return {code: sirens[0] for code, sirens in seen.items() if len(sirens) == 1}


def _region(row: dict[str, str]) -> str:
    """The observatory writes région codes without their leading zero ('1' for the COG's '01')."""
    code = row.get("reg_code_geo", "")
    return code.zfill(2) if code.isdigit() else code
