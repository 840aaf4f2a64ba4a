"""COG 2026 territories (communes, EPCI, départements, régions) from the @etalab/decoupage-administratif
extract: the spine every other importer and the curated data attach to."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.build.importers._common import (
    COMMUNE_RE,
    DCTERMS,
    DEPARTEMENT_RE,
    IGEO,
    INSEE_ID,
    RDFS,
    REGION_RE,
    SIREN_RE,
    SKOS,
    Row,
    bind_prefixes,
    copy_extracts,
    integer,
    read_csv,
    sources_dir,
)
from odl_graph.errors import SourceError, SourceLocation
from odl_graph.namespace import ODL

SOURCE = URIRef("https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0")
FILES = ("regions.csv", "departements.csv", "epci.csv", "communes.csv")
EPCI_TYPES = ("CC", "CA", "CU", "METRO", "MET69")


def insee_iri(kind: str, code: str) -> URIRef:
    """Code-based INSEE IRI (INSEE itself now mints UUID IRIs, which cannot be computed offline)."""
    return URIRef(f"{INSEE_ID}{kind}/{code}")


def _territory(g: Graph, subject: URIRef, classes: tuple[URIRef, URIRef], code: str, name: str,
               insee: URIRef) -> None:
    for cls in classes:
        g.add((subject, RDF.type, cls))
    g.add((subject, IGEO.codeINSEE, Literal(code)))
    g.add((subject, IGEO.nom, Literal(name, lang="fr")))
    g.add((subject, RDFS.label, Literal(name, lang="fr")))
    g.add((subject, RDFS.label, Literal(name, lang="en")))
    g.add((subject, SKOS.exactMatch, insee))
    g.add((subject, DCTERMS.source, SOURCE))


def _reference(row: Row, column: str, known: dict[str, URIRef], what: str) -> URIRef:
    value = row.get(column)
    if value not in known:
        raise row.error(column, f"{value!r} is not a {what} of the COG extract")
    return known[value]


def _unique(row: Row, column: str, value: str, seen: dict[str, URIRef] | set[str]) -> None:
    if value in seen:
        raise row.error(column, f"duplicate code {value!r}")


class CogImporter:
    """Territories of COG 2026; EPT (Grand Paris) are not imported (no class for them in the ontology)."""

    name = "cog"

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(f"cog/{f}", f) for f in FILES])

    def sources(self, data_dir: Path) -> list[Path]:
        return [sources_dir(data_dir, self.name) / f for f in FILES]

    def to_graph(self, data_dir: Path) -> Graph:
        folder = sources_dir(data_dir, self.name)
        g = bind_prefixes(Graph())
        regions: dict[str, URIRef] = {}
        for row in read_csv(folder / "regions.csv", ("code", "nom")):
            code = row.code("code", REGION_RE, "region code")
            _unique(row, "code", code, regions)
            regions[code] = iris.region(code)
            _territory(g, regions[code], (ODL.Region, IGEO.Region), code, row.required("nom"),
                       insee_iri("region", code))

        departements: dict[str, URIRef] = {}
        for row in read_csv(folder / "departements.csv", ("code", "nom", "region")):
            code = row.code("code", DEPARTEMENT_RE, "département code")
            _unique(row, "code", code, departements)
            subject = departements[code] = iris.departement(code)
            _territory(g, subject, (ODL.Departement, IGEO.Departement), code, row.required("nom"),
                       insee_iri("departement", code))
            g.add((subject, ODL.inRegion, _reference(row, "region", regions, "region")))

        epcis: dict[str, URIRef] = {}
        for row in read_csv(folder / "epci.csv", ("code", "nom", "type")):
            siren = row.code("code", SIREN_RE, "SIREN (9 digits)")
            _unique(row, "code", siren, epcis)
            kind = row.choice("type", EPCI_TYPES)
            subject = epcis[siren] = iris.epci(siren)
            # INSEE's code of an EPCI is its SIREN.
            _territory(g, subject, (ODL.EPCI, IGEO.Intercommunalite), siren, row.required("nom"),
                       insee_iri("intercommunalite", siren))
            g.add((subject, ODL.siren, Literal(siren)))
            g.add((subject, ODL.epciType, Literal(kind)))  # CA, CU, METRO: the mobility authority by law

        seen: set[str] = set()
        columns = ("code", "nom", "departement", "region", "epci", "population", "siren")
        for row in read_csv(folder / "communes.csv", columns):
            code = row.code("code", COMMUNE_RE, "commune INSEE code")
            _unique(row, "code", code, seen)
            seen.add(code)
            subject = iris.commune(code)
            _territory(g, subject, (ODL.Commune, IGEO.Commune), code, row.required("nom"),
                       insee_iri("commune", code))
            g.add((subject, ODL.inDepartement, _reference(row, "departement", departements, "département")))
            g.add((subject, ODL.inRegion, _reference(row, "region", regions, "region")))
            if row.get("epci"):
                g.add((subject, ODL.inEPCI, _reference(row, "epci", epcis, "EPCI SIREN")))
            population = row.integer("population", optional=True)
            if population is not None:
                if population < 0:
                    raise row.error("population", f"{population} is negative")
                g.add((subject, ODL.population, integer(population)))
            siren = row.code("siren", SIREN_RE, "SIREN (9 digits)", optional=True)
            if siren:
                g.add((subject, ODL.siren, Literal(siren)))
        if not seen:
            raise SourceError(SourceLocation(str(folder / "communes.csv"), 1), "no commune row")
        return g
