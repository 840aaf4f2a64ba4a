"""odl-graph: the knowledge graph of French local open data."""

__version__ = "0.1.0"
