"""The harvested snapshot as an import graph (`graph/import/harvest`). The build reads only files:
`data/harvest/snapshot.jsonl`, the category rules, and the shipped extracts the mapping matches against.
No snapshot means an empty graph, so a fresh checkout builds without ever harvesting."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from odl_graph import iris
from odl_graph.build.harvest.snapshot import MANIFEST, SNAPSHOT, harvest_dir, read_records
from odl_graph.build.importers._common import SIREN_RE, RowNote, bind_prefixes, read_csv, sources_dir
from odl_graph.errors import SourceLocation

RULES = "category-rules.csv"


def warning_notes(path: Path, warnings: dict[str, int]) -> list[RowNote]:
    """The mapping's warning counts as the build's source-check notes: records left out, or whose zone,
    schema, publisher or category did not join what the graph knows (counted per kind, not per record)."""
    return [RowNote(HarvestImporter.name, "left out" if "left out" in kind else "not joined",
                    SourceLocation(str(path)), f"{n} record(s): {kind}")
            for kind, n in sorted(warnings.items())]


class HarvestImporter:
    name = "harvest"

    def refresh(self, shared_dir: Path, data_dir: Path) -> list[Path]:
        """Nothing to copy: a snapshot is refreshed by `odl-graph harvest`, which needs the network."""
        return []

    def sources(self, data_dir: Path) -> list[Path]:
        root = harvest_dir(data_dir)
        own = [p for p in (root / SNAPSHOT, root / MANIFEST) if p.is_file()]
        if not own:
            return [root / RULES]
        return [*own, *self._context_files(data_dir)]

    @staticmethod
    def _context_files(data_dir: Path) -> list[Path]:
        from odl_graph.build.importers.bodies import BodiesImporter

        files = [harvest_dir(data_dir) / RULES, Path(data_dir) / "curated" / "data_categories.csv",
                 Path(data_dir) / "curated" / "actors.csv", sources_dir(data_dir, "scdl") / "schemas-index.csv",
                 *BodiesImporter().sources(data_dir)]  # COG, ACV, both observatories, BNLC
        return list(dict.fromkeys(files))

    def context(self, data_dir: Path):  # -> mapping.Context
        """What the mapping matches records against, read from the shipped files."""
        from odl_graph.build.harvest import mapping
        from odl_graph.build.harvest.territories import load_cog
        from odl_graph.build.importers.bodies import BodiesImporter
        from odl_graph.build.importers.observatory import ObservatoryImporter, cog_codes
        from odl_graph.build.sources import SourceGraph, compiler_context, parse_rdf
        from odl_graph.vocab_files import VOCABULARY_FILES

        data_dir = Path(data_dir)
        cog = load_cog(data_dir)
        commune_by_siren, _epcis, _deps, _regs = cog_codes(data_dir)
        # Actors other importers describe: the 2021 observatory's, and the concrete bodies (councils, EPCI,
        # bodies named by the 2022 observatory or the BNLC); harvested records only link to them.
        actors = {s: iris.body(s) for s in ObservatoryImporter().read(data_dir)}
        actors.update({b.siren: b.iri for b in BodiesImporter().bodies(data_dir) if b.siren})
        for row in read_csv(data_dir / "curated" / "actors.csv", ("id", "siren")):
            if SIREN_RE.match(row.get("siren")):
                actors[row.get("siren")] = iris.resource("actor", row.get("id"))
        standards = {r.get("id") for r in read_csv(sources_dir(data_dir, "scdl") / "schemas-index.csv", ("id",))}
        categories, by_standard = mapping.read_category_standards(data_dir / "curated" / "data_categories.csv")
        openness = VOCABULARY_FILES["openness"]
        access = compiler_context([SourceGraph("vocab", "openness", parse_rdf(openness), [openness])]).access_rights
        return mapping.Context(
            communes=set(cog.communes), epcis=cog.epcis, departements=cog.departements, regions=cog.regions,
            commune_by_siren=commune_by_siren, actors=actors, standards=standards,
            categories_by_standard=by_standard, categories=categories,
            rules=mapping.read_rules(harvest_dir(data_dir) / RULES, categories), access_rights=access,
        )

    def notes(self, data_dir: Path) -> list[RowNote]:
        path = harvest_dir(data_dir) / SNAPSHOT
        if not path.is_file():
            return []
        from odl_graph.build.harvest import mapping

        return warning_notes(path, mapping.to_graph(read_records(path), self.context(data_dir)).warnings)

    def to_graph(self, data_dir: Path) -> Graph:
        path = harvest_dir(data_dir) / SNAPSHOT
        if not path.is_file():
            return bind_prefixes(Graph())
        from odl_graph.build.harvest import mapping

        return mapping.to_graph(read_records(path), self.context(data_dir)).graph
