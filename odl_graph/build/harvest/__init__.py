"""Harvesting dataset catalogues: the data.gouv.fr API (datasets of a spatial zone or of an organisation)
and any DCAT-AP catalogue (Turtle, RDF/XML, JSON-LD, hydra-paged), into a snapshot under `data/harvest/`
that the build maps to `graph/import/harvest` (docs/harvest.md).

Modules: `http` (polite fetching), `records` (what is kept of a dataset), `snapshot` (files, state,
provenance), `territories` (which zones), `harvester` (a run), `mapping` (records -> RDF, pure),
`importer` (the build's side, which never touches the network).
"""
