"""Importers of the real sources shipped in data/sources/ (COG, ACV, SCDL, Observatoire open data, BNLC,
public bodies, theme mappings); the harvested snapshot's importer is in odl_graph/build/harvest. The
registry of both, in build order, is odl_graph/build/registry.py.

Each one copies its extracts from the shared folder (`refresh`, run by `odl-graph import NAME`) and
turns them into one RDF graph (`to_graph`) that the build stores in `graph/import/{name}`.
See docs/importers.md for what each produces and where every file comes from.
"""
