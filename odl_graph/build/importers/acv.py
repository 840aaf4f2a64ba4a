"""Action Cœur de Ville membership (ANCT map data): which communes belong to the programme,
since when (convention signature) and which were in the initial 2018 list."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers._common import (
    COMMUNE_RE,
    DCAT,
    DCTERMS,
    GEO,
    RDFS,
    XSD,
    Row,
    RowNote,
    bind_prefixes,
    boolean,
    copy_extracts,
    read_csv,
    sources_dir,
)
from odl_graph.build.importers.commune_match import CommuneIndex
from odl_graph.namespace import ODL

REPO = "https://github.com/anct-carto/action_coeur_de_ville"
PROGRAMME = iris.resource("programme", "action-coeur-de-ville")
FILES = {
    # file -> commit of data/coeurdeville.js it was extracted from (see data/sources/SOURCES.md)
    "acv_communes_2025.csv": "6903e5d473e70f414a448867c16ab9e3f7c63382",
    "acv_communes_2024.csv": "fb24f6b6c9263cf9b23870375bb70d66c849bff2",
    "acv_villes_2018.csv": "344b8acfa5628016d685cd2a62f2634e15fbd364",
}
COG_COMMUNES = ("cog", "communes.csv")
ACV_ID_2025 = re.compile(r"^ACV\d{3}$")


def source_iri(file: str) -> URIRef:
    """The page (file at its commit) a claim is drawn from."""
    return URIRef(f"{REPO}/blob/{FILES[file]}/data/coeurdeville.js")


def known_communes(data_dir: Path) -> set[str]:
    """INSEE codes of the COG extract, so a mistyped ACV code is caught rather than dangling."""
    path = sources_dir(data_dir, COG_COMMUNES[0]) / COG_COMMUNES[1]
    return {row.get("code") for row in read_csv(path, ("code",))}


def _commune(row: Row, column: str, cog: set[str]) -> URIRef:
    code = row.code(column, COMMUNE_RE, "commune INSEE code")
    if code not in cog:
        raise row.error(column, f"{code!r} is not a commune of the COG 2026 extract")
    return iris.commune(code)


class AcvImporter:
    name = "acv"

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(f"acv/{f}", f) for f in FILES])

    def sources(self, data_dir: Path) -> list[Path]:
        own = [sources_dir(data_dir, self.name) / f for f in FILES]
        return [*own, sources_dir(data_dir, COG_COMMUNES[0]) / COG_COMMUNES[1]]

    def notes(self, data_dir: Path) -> list[RowNote]:
        """Rows whose INSEE code is a COG commune other than the one their `nom_commune` names (none today):
        the code is kept, since the lists are keyed by it, but the row is reported rather than trusted silently."""
        index = CommuneIndex(data_dir)
        notes = []
        for file in FILES:
            for row in read_csv(sources_dir(data_dir, self.name) / file, ("insee_com", "nom_commune")):
                match = index.match(row.get("insee_com"), row.get("nom_commune"))
                if match.action in ("corrected", "left out"):
                    notes.append(RowNote(self.name, "name differs", row.loc("insee_com"), match.reason))
        return notes

    def to_graph(self, data_dir: Path) -> Graph:
        folder = sources_dir(data_dir, self.name)
        cog = known_communes(data_dir)
        g = bind_prefixes(Graph())
        g.add((PROGRAMME, RDF.type, ODL.Programme))
        g.add((PROGRAMME, RDFS.label, Literal("Action Cœur de Ville", lang="fr")))
        g.add((PROGRAMME, RDFS.label, Literal("Action Cœur de Ville", lang="en")))
        g.add((PROGRAMME, DCTERMS.title, Literal("Action Cœur de Ville", lang="fr")))
        g.add((PROGRAMME, DCTERMS.description, Literal(
            "Programme national de revitalisation des centres-villes des villes moyennes, piloté par l'ANCT.",
            lang="fr")))
        g.add((PROGRAMME, DCTERMS.description, Literal(
            "National programme to revitalise the centres of medium-sized towns, run by ANCT.", lang="en")))
        g.add((PROGRAMME, DCTERMS.source, URIRef(REPO)))

        # Convention signature dates come from the 2024 extract (the 2025 one no longer has them).
        signed: dict[URIRef, dt.date] = {}
        for row in read_csv(folder / "acv_communes_2024.csv", ("insee_com", "date_signature")):
            subject = _commune(row, "insee_com", cog)
            date = row.date_fr("date_signature", optional=True)
            if date is not None:
                signed[subject] = date

        members: set[URIRef] = set()
        src_2025 = source_iri("acv_communes_2025.csv")
        columns = ("id_acv", "insee_com", "longitude", "latitude")
        for row in read_csv(folder / "acv_communes_2025.csv", columns):
            subject = _commune(row, "insee_com", cog)
            if subject in members:
                raise row.error("insee_com", f"commune {row.get('insee_com')!r} listed twice")
            members.add(subject)
            acv_id = row.required("id_acv")
            if not ACV_ID_2025.match(acv_id):
                raise row.error("id_acv", f"{acv_id!r} is not an ACV id like ACV001")
            lon = row.decimal("longitude", -180, 180)
            lat = row.decimal("latitude", -90, 90)
            g.add((subject, ODL.memberOf, PROGRAMME))
            g.add((subject, ODL.acvId, Literal(acv_id)))
            g.add((subject, DCAT.centroid, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral)))
            g.add((subject, DCTERMS.source, src_2025))
            if subject in signed:
                g.add((subject, ODL.conventionSigned, Literal(signed[subject], datatype=XSD.date)))
                g.add((subject, DCTERMS.source, source_iri("acv_communes_2024.csv")))

        flagged: set[URIRef] = set()
        for row in read_csv(folder / "acv_villes_2018.csv", ("insee_com", "jumelage")):
            subject = _commune(row, "insee_com", cog)
            row.choice("jumelage", ("OUI", "NON"))
            if subject in flagged:
                raise row.error("insee_com", f"commune {row.get('insee_com')!r} listed twice")
            flagged.add(subject)
            g.add((subject, ODL.acv2018, boolean(True)))
            g.add((subject, DCTERMS.source, source_iri("acv_villes_2018.csv")))
        return g
