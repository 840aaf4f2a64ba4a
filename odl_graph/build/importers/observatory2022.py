"""OpenDataFrance's open data observatory, export of 2022-04-25: who publishes open data, where, how much,
on which themes. Each body becomes a dated `odl:PublishingRecord`; the 2021 state stays in the
`observatory` import as its own dated evidence.

The observatory does not list datasets. A theme is linked to the data categories it suggests by the
curated rules of `data/mappings/` (importers/mappings.py); the diagnostic uses them for its "local
publisher" evidence level, never as proof that a dataset exists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from odl_graph import iris, vocab_files
from odl_graph.build.importers._common import (
    DCTERMS,
    FOAF,
    RDFS,
    SIREN_RE,
    bind_prefixes,
    copy_extracts,
    integer,
    read_csv,
    sources_dir,
    uri,
)
from odl_graph.namespace import ODL

NAME = "observatory2022"
EXPORT = "ODF-Observatoire-apiviz_data-export_solidata-220425b.csv"
THEMES = "ODF-Observatoire-thematiques.csv"
FILES = (EXPORT, THEMES)
DATE = dt.date(2022, 4, 25)  # the export's file-name suffix 220425
REPO = ("https://github.com/multi-coop/gitribute-content-test/blob/1f128806292a5ed7199fb831aea4f6d082e48238/"
        "data/csv/odf/")
# Theme names as the export writes them -> concept codes of ontology/vocabularies/observatory-theme.ttl.
_ALIASES = {"sports": "sport"}


def theme_code(name: str) -> str:
    code = iris.slugify(name)
    return _ALIASES.get(code, code)


def record_iri(siren: str, year: int) -> URIRef:
    return iris.resource("publishing", f"odater-{year}-{siren}")


class Observatory2022Importer:
    name = NAME

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return copy_extracts(shared_dir, data_dir, self.name, [(f"evidence/odater-2022/{f}", f) for f in FILES])

    def sources(self, data_dir: Path) -> list[Path]:
        return [sources_dir(data_dir, self.name) / f for f in FILES]

    def themes_by_siren(self, data_dir: Path) -> dict[str, set[str]]:
        """SIREN -> theme codes, from the themes table and the export's own tags."""
        known = vocab_files.concept_codes("observatory-theme")
        out: dict[str, set[str]] = defaultdict(set)
        for row in read_csv(sources_dir(data_dir, self.name) / THEMES, ("Thématique", "Organisations_Id")):
            code = theme_code(row.required("Thématique"))
            if code not in known:
                raise row.error("Thématique", f"{row.get('Thématique')!r} is not a theme of observatory-theme.ttl")
            for siren in (s.strip() for s in row.get("Organisations_Id").split(",")):
                if siren:
                    if not SIREN_RE.match(siren):
                        raise row.error("Organisations_Id", f"{siren!r} is not a SIREN (9 digits)")
                    out[siren].add(code)
        for row in read_csv(sources_dir(data_dir, self.name) / EXPORT, ("siren", "tags")):
            for tag in (t.strip() for t in row.get("tags").split("-")):
                if tag:
                    code = theme_code(tag)
                    if code not in known:
                        raise row.error("tags", f"{tag!r} is not a theme of observatory-theme.ttl")
                    out[row.get("siren")].add(code)
        return out

    def to_graph(self, data_dir: Path) -> Graph:
        g = bind_prefixes(Graph())
        themes = self.themes_by_siren(data_dir)
        seen: set[str] = set()
        columns = ("siren", "nom", "type", "url_ptf", "nb_ptf", "url_datagouv", "nb_datagouv", "platform_clean")
        for row in read_csv(sources_dir(data_dir, self.name) / EXPORT, columns):
            siren = row.code("siren", SIREN_RE, "SIREN (9 digits)")
            row.required("nom")
            node = record_iri(siren, DATE.year)
            first = siren not in seen
            seen.add(siren)
            if first:
                g.add((node, RDF.type, ODL.PublishingRecord))
                g.add((node, ODL.publishingBody, iris.body(siren)))
                g.add((node, DCTERMS.date, Literal(DATE.isoformat(), datatype=XSD.date)))
                g.add((node, DCTERMS.source, URIRef(REPO + EXPORT)))
                g.add((node, RDFS.label, Literal(f"Publication open data de {row.get('nom')} (avril 2022)",
                                                 lang="fr")))
                g.add((node, RDFS.label, Literal(f"Open data publishing of {row.get('nom')} (April 2022)",
                                                 lang="en")))
                for code in sorted(themes.get(siren, ())):
                    g.add((node, ODL.publishesOnTheme, iris.concept("observatory-theme", code)))
            for column, prop in (("nb_ptf", ODL.platformDatasetCount), ("nb_datagouv", ODL.dataGouvCount)):
                count = row.integer(column, optional=True)
                if count is not None and first:
                    g.add((node, prop, integer(count)))
            for column in ("url_ptf", "url_datagouv"):
                page = uri(row.get(column))
                if page is not None:
                    g.add((node, FOAF.page, page))
            if row.get("platform_clean"):
                g.add((node, ODL.platformName, Literal(row.get("platform_clean"))))
        return g
