"""Shared by the page tests: a small store built from the real ontology and vocabularies plus the
fixture graph tests/data/pages/fixture.ttl (and fixture shapes), written with EmbeddedStore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from odl_graph import iris, vocab_files
from odl_graph.store import EmbeddedStore

if TYPE_CHECKING:
    from flask import Flask

    from odl_graph.engine import Engine

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

    While the endpoint modules are not all present, falls back to a bare Flask app with the pages
    and a minimal `/sparql` (form or GET `query`, JSON results) so YASGUI has an endpoint.
    """
    from odl_graph.engine import Engine
    from server.pages import bp

    eng = Engine(store_path, workers=1, timeout=20)
    try:
        from server import create_app

        app = create_app({"store": str(store_path), "engine": eng, "TESTING": True})
    except ImportError:
        app = _bare_app(eng)
    if "pages" not in app.blueprints:
        app.register_blueprint(bp)
    return app, eng


def _bare_app(eng: Engine) -> Flask:  # test scaffolding only
    from flask import Flask, Response, request

    from odl_graph.negotiation import RESULTS_FORMATS

    root = Path(__file__).resolve().parent.parent / "server"
    app = Flask("odl_pages_test", root_path=str(root), instance_path=str(root / "instance"))
    app.extensions["odl_engine"] = eng
    app.extensions["odl_engine_lock"] = __import__("threading").Lock()

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        query = request.values.get("query", "")
        result = eng.execute(query, results_format=RESULTS_FORMATS[0])
        return Response(result.body, content_type=result.format.content_type)

    return app
