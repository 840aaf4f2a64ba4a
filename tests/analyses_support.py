"""Shared by the analyses tests: a real EmbeddedStore holding tests/data/analyses/fixture.ttl
plus our SKOS vocabularies (for status labels and the narrower/broader hierarchy)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from odl_graph import iris, vocab_files
from odl_graph.store import EmbeddedStore

FIXTURE = Path(__file__).parent / "data" / "analyses" / "fixture.ttl"


def _ntriples(path: Path) -> bytes:
    fmt = ox.RdfFormat.TURTLE
    triples = [q.triple for q in ox.parse(path=str(path), format=fmt)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def fixture_store(folder: Path) -> EmbeddedStore:
    """Build the fixture into a versioned store under `folder`, as `odl-graph build` would."""
    graphs = {str(iris.graph("data", "fixture")): _ntriples(FIXTURE)}
    for name, path in vocab_files.VOCABULARY_FILES.items():
        graphs[str(iris.graph("vocab", name))] = _ntriples(path)
    store = EmbeddedStore(folder)
    store.replace_all(graphs)
    return store


def make_app(store: EmbeddedStore):  # -> Flask app
    """A Flask app serving the analyses blueprints over `store` (the real create_app registers the same)."""
    from flask import Flask

    from server import analyses, api, errors, pages

    root = Path(__file__).resolve().parent.parent / "server"
    app = Flask("odl_analyses_test", root_path=str(root), instance_path=str(root / "instance"))
    app.extensions["odl_store"] = store
    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(analyses.bp)
    app.register_blueprint(pages.bp)  # the site's layout (header links) of the API docs and error pages
    return app
