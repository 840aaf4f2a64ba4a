"""Importers of the real sources shipped in data/sources/ (COG, ACV, SCDL, Observatoire open data), and of
the harvested snapshot in data/harvest/ (odl_graph/harvest).

Each one copies its extracts from the shared folder (`refresh`, run by `odl-graph import NAME`) and
turns them into one RDF graph (`to_graph`) that the build stores in `graph/import/{name}`.
See docs/importers.md for what each produces and where every file comes from.
"""

from __future__ import annotations

from odl_graph.importers._common import Importer
from odl_graph.importers.acv import AcvImporter
from odl_graph.importers.bnlc import BnlcImporter
from odl_graph.importers.bodies import BodiesImporter
from odl_graph.importers.cog import CogImporter
from odl_graph.importers.mappings import MappingsImporter
from odl_graph.importers.observatory import ObservatoryImporter
from odl_graph.importers.observatory2022 import Observatory2022Importer
from odl_graph.importers.scdl import ScdlImporter


def _harvest() -> Importer:
    from odl_graph.harvest.importer import HarvestImporter  # the harvest package imports this one's helpers

    return HarvestImporter()


# Build order: the COG first, since the others point at its territories; the harvest last (it matches
# its publishers against the actors of the other sources).
IMPORTERS: dict[str, Importer] = {
    imp.name: imp
    for imp in (CogImporter(), AcvImporter(), ScdlImporter(), ObservatoryImporter(), Observatory2022Importer(),
                BnlcImporter(), BodiesImporter(), MappingsImporter(), _harvest())
}

__all__ = ["IMPORTERS", "Importer"]
