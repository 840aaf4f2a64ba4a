"""The national car-pool base (Base nationale des lieux de covoiturage, BNLC), place by place.

The BNLC is a national dataset whose local content we can verify: each place has its commune (INSEE
code) and the SIREN of the body that produced it. The importer writes the dataset record once and, for
each (commune, producer), an `odl:LocalRecords` node with the number of places and their capacity, so
the diagnostic can tell "the base holds 3 places here, produced by X" from "the base holds nothing here".
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV

from odl_graph import iris
from odl_graph.build.importers._common import (
    COMMUNE_RE,
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    RDFS,
    SIREN_RE,
    RowNote,
    bind_prefixes,
    copy_extracts,
    integer,
    read_csv,
    sources_dir,
    uri,
)
from odl_graph.build.importers.commune_match import CommuneIndex
from odl_graph.namespace import ODL

NAME = "bnlc"
FILES = ("bnlc-.csv", "datasets.csv", "disabled_datasets.csv")
REPO = "https://github.com/etalab/transport-base-nationale-covoiturage"
SNAPSHOT = "5610931dc537c4bb910cc9d283dfe6296a94e7c9"
SOURCE = URIRef(f"{REPO}/blob/{SNAPSHOT}/bnlc-.csv")
DATASET = iris.resource("dataset", "bnlc")
PUBLISHER = iris.resource("actor", "transport-data-gouv")
CATEGORY = iris.resource("datacategory", "lieux-covoiturage")
STANDARD = iris.standard("etalab/schema-lieux-covoiturage")
ODBL = URIRef("http://publications.europa.eu/resource/authority/licence/ODC_BL")
PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
NATIONAL = iris.resource("territory", "france")
DATAGOUV_DATASET = "https://www.data.gouv.fr/fr/datasets/"  # the page of the other rows of datasets.csv


def records_iri(insee: str, siren: str) -> URIRef:
    return iris.resource("localrecords", f"bnlc-{insee.lower()}-{siren or 'unknown'}")


def producers(data_dir: Path) -> set[str]:
    """SIRENs of the bodies that produced places (so `bodies` can name them)."""
    return {r.get("source") for r in read_csv(sources_dir(data_dir, NAME) / FILES[0], ("source",))
            if SIREN_RE.match(r.get("source"))}


class BnlcImporter:
    name = NAME

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(f"evidence/bnlc/{f}", f) for f in FILES])

    def sources(self, data_dir: Path) -> list[Path]:
        return [*(sources_dir(data_dir, self.name) / f for f in FILES[:2]),
                sources_dir(data_dir, "cog") / "communes.csv"]

    def reconcile(self, data_dir: Path) -> tuple[dict[tuple[str, str], tuple[int, int]], list[RowNote]]:
        """(commune INSEE, producer SIREN or "") -> (places, declared parking spaces), every cell checked;
        and the rows whose code was corrected or that were left out (commune_match.py: a place's code
        counts only when the commune name of its row agrees with it)."""
        index = CommuneIndex(data_dir)
        out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        notes: list[RowNote] = []
        columns = ("id_lieu", "nom_lieu", "com_lieu", "insee", "source", "nbre_pl")
        for row in read_csv(sources_dir(data_dir, self.name) / FILES[0], columns):
            row.required("id_lieu")
            insee = row.code("insee", COMMUNE_RE, "commune INSEE code")
            # 149 places of the snapshot name no producer: their records state the producer as unknown.
            siren = row.code("source", SIREN_RE, "producer SIREN (9 digits)", optional=True)
            seats = row.integer("nbre_pl", optional=True)
            if seats is not None and seats < 0:
                raise row.error("nbre_pl", f"{seats} is negative")
            match = index.match(insee, row.get("com_lieu"))
            if match.action in ("corrected", "left out"):
                notes.append(RowNote(NAME, match.action, row.loc("insee"),
                                     f"place {row.get('id_lieu')} {row.get('nom_lieu')!r}: {match.reason}"))
            if match.code is None:
                continue
            acc = out[(match.code, siren)]
            acc[0] += 1
            acc[1] += seats or 0
        return {k: (v[0], v[1]) for k, v in out.items()}, notes

    def read(self, data_dir: Path) -> dict[tuple[str, str], tuple[int, int]]:
        """(commune INSEE, producer SIREN or "") -> (places, declared parking spaces), codes checked."""
        return self.reconcile(data_dir)[0]

    def notes(self, data_dir: Path) -> list[RowNote]:
        """The places whose commune code was corrected by their commune name, or that were left out."""
        return self.reconcile(data_dir)[1]

    def to_graph(self, data_dir: Path) -> Graph:
        g = bind_prefixes(Graph())
        self._dataset(g, data_dir)
        for (insee, siren), (places, seats) in sorted(self.read(data_dir).items()):
            node = records_iri(insee, siren)
            g.add((node, RDF.type, ODL.LocalRecords))
            g.add((node, ODL.recordsOf, DATASET))
            g.add((node, DCTERMS.spatial, iris.commune(insee)))
            if siren:
                g.add((node, DCTERMS.publisher, iris.body(siren)))
            else:
                g.add((node, ODL.unknownValueOf, DCTERMS.publisher))
            g.add((node, ODL.recordCount, integer(places)))
            g.add((node, ODL.capacity, integer(seats)))
            g.add((node, DCTERMS.source, SOURCE))
            who_fr, who_en = (f"SIREN {siren}",) * 2 if siren else ("producteur inconnu", "producer unknown")
            g.add((node, RDFS.label, Literal(f"BNLC : {places} lieu(x) de covoiturage ({insee}, {who_fr})", lang="fr")))
            g.add((node, RDFS.label, Literal(f"BNLC: {places} car-pool place(s) ({insee}, {who_en})", lang="en")))
        return g

    def _dataset(self, g: Graph, data_dir: Path) -> None:
        """The BNLC record (DCAT-AP), and the team that maintains it, as SOURCES.md of the extract says."""
        d = DATASET
        for t in (ODL.Dataset, DCAT.Dataset):
            g.add((d, RDF.type, t))
        for lang, title in (("fr", "Base nationale des lieux de covoiturage (BNLC)"),
                            ("en", "National car-pool places database (BNLC)")):
            g.add((d, RDFS.label, Literal(title, lang=lang)))
            g.add((d, DCTERMS.title, Literal(title, lang=lang)))
        g.add((d, DCTERMS.description, Literal(
            "Consolidation nationale des lieux de covoiturage publiés par leurs producteurs selon le schéma "
            "etalab/schema-lieux-covoiturage ; chaque lieu porte sa commune et le SIREN de son producteur.",
            lang="fr")))
        g.add((d, DCTERMS.description, Literal(
            "National consolidation of the car-pool places their producers publish following the schema "
            "etalab/schema-lieux-covoiturage; each place carries its commune and its producer's SIREN.",
            lang="en")))
        g.add((d, ODL.instantiates, CATEGORY))
        g.add((d, ODL.opennessStatus, iris.concept("openness", "open")))
        g.add((d, DCTERMS.accessRights, PUBLIC))
        g.add((d, DCTERMS.license, ODBL))
        g.add((d, DCTERMS.spatial, NATIONAL))
        g.add((d, ODL.localContent, iris.concept("local-content", "per-territory")))
        g.add((d, DCTERMS.conformsTo, STANDARD))
        g.add((d, DCTERMS.publisher, PUBLISHER))
        g.add((d, FOAF.page, URIRef(f"{REPO}/tree/{SNAPSHOT}")))  # dcterms:source is for datasets (DCAT-AP)
        g.add((d, DCAT.landingPage, URIRef(REPO)))
        for row in read_csv(sources_dir(data_dir, self.name) / FILES[1], ("dataset_url",)):
            value = row.required("dataset_url")
            # A few rows give the data.gouv.fr slug alone; the others give its page, which the slug completes.
            page = uri(value) or (uri(DATAGOUV_DATASET + value + "/") if iris.is_slug(value) else None)
            if page is None:
                raise row.error("dataset_url", f"{value!r} is neither a web address nor a data.gouv.fr slug")
            g.add((d, PROV.wasDerivedFrom, page))
        p = PUBLISHER
        g.add((p, RDF.type, ODL.Actor))
        g.add((p, RDF.type, ORG.Organization))
        g.add((p, RDFS.label, Literal("Équipe du point d'accès national aux données de transport "
                                      "(transport.data.gouv.fr)", lang="fr")))
        g.add((p, RDFS.label, Literal("Team of the national access point for transport data "
                                      "(transport.data.gouv.fr)", lang="en")))
        g.add((p, ODL.actorCategory, iris.concept("actor-category", "national-public")))
        g.add((p, DCTERMS.description, Literal(
            "Équipe qui maintient la base nationale des lieux de covoiturage.", lang="fr")))
        g.add((p, DCTERMS.source, URIRef(f"{REPO}/tree/{SNAPSHOT}")))
