"""The curated rule tables of `data/mappings/` (see its README): which data categories an observatory
theme suggests, and which categories are about a hazard that not every territory has.

They are kept as data, one rule a row with its reason, so the diagnostic's assumptions are visible and
queryable (`graph/import/mappings`), never buried in code.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from odl_graph import iris, vocab_files
from odl_graph.build.importers._common import Row, bind_prefixes, read_csv
from odl_graph.errors import SourceError, SourceLocation
from odl_graph.namespace import ODL

NAME = "mappings"
THEMES = "observatory-themes.csv"
HAZARDS = "hazards.csv"


def folder(data_dir: Path) -> Path:
    return Path(data_dir) / NAME


def _category(row: Row) -> str:
    category = row.required("data_category")
    if not iris.is_slug(category):
        raise row.error("data_category", f"{category!r} is not a data category id")
    row.required("why")
    return category


class MappingsImporter:
    name = NAME

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        return []  # curated here, nothing to copy

    def sources(self, data_dir: Path) -> list[Path]:
        return [folder(data_dir) / THEMES, folder(data_dir) / HAZARDS]

    def rules(self, data_dir: Path, file: str, key: str, scheme: str) -> list[tuple[str, str]]:
        """(concept code, data category id) of one rule table, each cell checked."""
        path = folder(data_dir) / file
        if not path.is_file():
            raise SourceError(SourceLocation(str(path)), f"missing mapping table {file}")
        codes = sorted(vocab_files.concept_codes(scheme))
        return [(row.choice(key, codes), _category(row)) for row in read_csv(path, (key, "data_category", "why"))]

    def to_graph(self, data_dir: Path) -> Graph:
        g = bind_prefixes(Graph())
        for theme, category in self.rules(data_dir, THEMES, "theme", "observatory-theme"):
            g.add((iris.concept("observatory-theme", theme), ODL.indicatesCategory,
                   iris.resource("datacategory", category)))
        for hazard, category in self.rules(data_dir, HAZARDS, "hazard", "hazard"):
            g.add((iris.resource("datacategory", category), ODL.concernsHazard, iris.concept("hazard", hazard)))
        return g
