"""OpenDataFrance's open data observatory in 2022: who publishes open data, where, how much, on which
themes. Each body becomes a dated `odl:PublishingRecord` read from the export of 2022-10-19 (its
data.gouv.fr dataset counts, platform and OpenDataFrance's own `ACV` flag); the 2021 state stays in the
`observatory` import as its own dated evidence.

The export of 2022-04-25 is still shipped (the themes table, and the names and types `bodies` reads) but
its `nb_datagouv` column is not read: it is shifted by one row for 890 of its 891 organisations (see
data/sources/SOURCES.md). A body of the October file that the April themes table or export does not know,
or the converse, is reported by `notes` rather than dropped.

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
    RowNote,
    bind_prefixes,
    copy_extracts,
    integer,
    read_csv,
    sources_dir,
    uri,
)
from odl_graph.namespace import ODL

NAME = "observatory2022"
EXPORT = "ODF-Observatoire-apiviz_data-export_solidata-220425b.csv"  # April: names and types (bodies.py)
THEMES = "ODF-Observatoire-thematiques.csv"
OCTOBER = "ODF-Observatoire-organisations-221019.csv"
FILES = (EXPORT, THEMES, OCTOBER)
SHARED = {EXPORT: "evidence/odater-2022", THEMES: "evidence/odater-2022", OCTOBER: "evidence/odater-2022-10"}
DATE = dt.date(2022, 10, 19)  # the October export's file-name suffix 221019: the date of the records
REPO = ("https://github.com/multi-coop/gitribute-content-test/blob/1f128806292a5ed7199fb831aea4f6d082e48238/"
        "data/csv/odf/")
OCTOBER_SOURCE = URIRef("https://github.com/multi-coop/data-odf-observatoire/blob/"
                        f"61bcb8fa5473430cc8be76ee38879ef06f496508/{OCTOBER}")
ACV_VALUES = ("OUI", "VILLE")  # the October file's ACV column: OUI on communes, VILLE on intercommunalities
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
        return copy_extracts(shared_dir, data_dir, self.name, [(f"{SHARED[f]}/{f}", f) for f in FILES])

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
        columns = ("siren", "nom", "url-ptf", "nb-ptf", "url-datagouv", "nb-datagouv", "ptf", "Thèmatiques", "ACV")
        for row in read_csv(sources_dir(data_dir, self.name) / OCTOBER, columns):
            siren = row.code("siren", SIREN_RE, "SIREN (9 digits)")
            name = row.required("nom")
            if siren in seen:
                raise row.error("siren", f"{siren} appears twice in the export")
            seen.add(siren)
            node = record_iri(siren, DATE.year)
            g.add((node, RDF.type, ODL.PublishingRecord))
            g.add((node, ODL.publishingBody, iris.body(siren)))
            g.add((node, DCTERMS.date, Literal(DATE.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.source, OCTOBER_SOURCE))
            g.add((node, DCTERMS.source, URIRef(REPO + THEMES)))
            g.add((node, RDFS.label, Literal(f"Publication open data de {name} (octobre 2022)", lang="fr")))
            g.add((node, RDFS.label, Literal(f"Open data publishing of {name} (October 2022)", lang="en")))
            codes = set(themes.get(siren, ()))
            for theme in (t.strip() for t in row.get("Thèmatiques").split(",")):
                if theme:
                    code = theme_code(theme)
                    if code not in vocab_files.concept_codes("observatory-theme"):
                        raise row.error("Thèmatiques", f"{theme!r} is not a theme of observatory-theme.ttl")
                    codes.add(code)
            for code in sorted(codes):
                g.add((node, ODL.publishesOnTheme, iris.concept("observatory-theme", code)))
            for column, prop in (("nb-ptf", ODL.platformDatasetCount), ("nb-datagouv", ODL.dataGouvCount)):
                count = row.integer(column, optional=True)
                if count is not None:
                    if count < 0:
                        raise row.error(column, f"{count} is negative")
                    g.add((node, prop, integer(count)))
            for column in ("url-ptf", "url-datagouv"):
                page = uri(row.get(column))
                if page is not None:
                    g.add((node, FOAF.page, page))
            if row.get("ptf"):
                g.add((node, ODL.platformName, Literal(row.get("ptf"))))
            if row.get("ACV"):
                g.add((node, ODL.acvFlag, Literal(row.choice("ACV", ACV_VALUES))))
        return g

    def notes(self, data_dir: Path) -> list[RowNote]:
        """Bodies of the October file missing from the April export (whose names and types `bodies` reads),
        and April bodies missing from October (they get no 2022 record)."""
        folder = sources_dir(data_dir, self.name)
        april = {r.get("siren"): r for r in read_csv(folder / EXPORT, ("siren",))}
        october = {r.get("siren"): r for r in read_csv(folder / OCTOBER, ("siren",))}
        notes = [RowNote(NAME, "not joined", r.loc("siren"), f"SIREN {s} is not in the April export {EXPORT}: "
                         "its body is named by its SIREN only")
                 for s, r in october.items() if s not in april]
        notes += [RowNote(NAME, "left out", r.loc("siren"), f"SIREN {s} is not in the October export {OCTOBER}: "
                          "no 2022 record")
                  for s, r in april.items() if s not in october]
        return notes
