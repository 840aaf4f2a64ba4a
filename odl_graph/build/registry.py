"""The importers a build runs, by name and in build order (`odl-graph import NAME`, `build`).

Its own module so that the importers and the harvest package, which uses the importers' helpers,
do not import each other.
"""

from __future__ import annotations

from odl_graph.build.harvest.importer import HarvestImporter
from odl_graph.build.importers._common import Importer
from odl_graph.build.importers.acv import AcvImporter
from odl_graph.build.importers.bnlc import BnlcImporter
from odl_graph.build.importers.bodies import BodiesImporter
from odl_graph.build.importers.cog import CogImporter
from odl_graph.build.importers.collectivites import CollectivitesImporter
from odl_graph.build.importers.mappings import MappingsImporter
from odl_graph.build.importers.observatory import ObservatoryImporter
from odl_graph.build.importers.observatory2022 import Observatory2022Importer
from odl_graph.build.importers.scdl import ScdlImporter

# Build order: the COG first, since the others point at its territories; the harvest last (it matches
# its publishers against the actors of the other sources).
IMPORTERS: dict[str, Importer] = {
    imp.name: imp
    for imp in (CogImporter(), AcvImporter(), ScdlImporter(), ObservatoryImporter(), Observatory2022Importer(),
                BnlcImporter(), CollectivitesImporter(), BodiesImporter(), MappingsImporter(), HarvestImporter())
}

__all__ = ["IMPORTERS", "Importer"]
