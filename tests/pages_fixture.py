"""Shared by the page tests: a small store built from the real ontology and vocabularies plus the
fixture graph tests/data/pages/fixture.ttl (and fixture shapes), written with EmbeddedStore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from odl_graph import iris, vocab_files
from odl_graph.stores import EmbeddedStore

if TYPE_CHECKING:

    pass

HERE = Path(__file__).parent / "data" / "pages"
XSS = "<script>alert(1)</script>"
ID = iris.BASE + "id/"

# One fixture resource per page type whose label holds XSS (path under /id/).
XSS_RESOURCES = {
    "usecase": "usecase/xss",
    "challenge": "challenge/xss",
    "datacategory": "datacategory/xss",
    "actor": "actor/xss",
    "territory": "commune/99999",
    "standard": "standard/xss/schema-xss",
    "generic": "dataset/xss",
    "experiment": "experiment/xss",
}


def _nt(path: Path) -> bytes:
    g = Graph()
    g.parse(path, format=vocab_files.rdf_format(path) if path.suffix != ".ttl" else "turtle")
    return g.serialize(format="nt", encoding="utf-8")


def fixture_graphs() -> dict[str, bytes]:
    graphs = {str(iris.graph("ontology", "odl")): _nt(vocab_files.ONTOLOGY_FILE)}
    for name, path in sorted(vocab_files.VOCABULARY_FILES.items()):
        graphs[str(iris.graph("vocab", name))] = _nt(path)
    graphs[str(iris.graph("shapes", "fixture"))] = _nt(HERE / "shapes.ttl")
    graphs[str(iris.graph("data", "fixture"))] = _nt(HERE / "fixture.ttl")
    return graphs


def build_fixture_store(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path)
    store.replace_all(fixture_graphs())
    return store


def make_app(store_path: Path):  # -> (Flask app, engine to close)
    """The server app (server.create_app) over the fixture store, pages included.

    """
    from server import create_app
    from server.engine import get_engine

    app = create_app({"store": str(store_path), "workers": 1, "query_timeout": 20, "TESTING": True})
    return app, get_engine(app)
