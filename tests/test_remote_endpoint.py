"""The SPARQL endpoint's protocol tests (tests/test_sparql_protocol.py), run again on Oxigraph server
and on Virtuoso: the same test functions, with the fixtures below (this module's fixtures override
tests/conftest.py's) building remote engines over the same fixture data.

Left out: tests that open the embedded store directly or build an app without a store.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import test_sparql_protocol as protocol

from odl_graph.engine import Engine
from odl_graph.engine.remote import RemoteExecutor
from odl_graph.stores import RemoteStore

pytest_plugins = ["remote_fixtures"]
pytestmark = pytest.mark.remote

EMBEDDED_ONLY = {
    "test_update_then_query_sees_it",  # reads the new version back with EmbeddedStore(path)
    "test_health_without_store_is_503",  # builds an app over a missing embedded store
    "test_graph_store_default_graph_is_the_union",  # the embedded store keeps its default graph as the union
}
for _name in dir(protocol):
    if _name.startswith("test_") and _name not in EMBEDDED_ONLY:
        globals()[_name] = getattr(protocol, _name)


@pytest.mark.parametrize("remote_server", [
    "oxigraph",
    pytest.param("virtuoso", marks=pytest.mark.xfail(
        strict=True, reason="Virtuoso: division by zero is an error (400), not an unbound value (docs/deploy.md)")),
], indirect=True)
def test_division_by_zero_leaves_the_variable_unbound(client: Any) -> None:
    protocol.test_division_by_zero_leaves_the_variable_unbound(client)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote_server(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(autouse=True)
def remote_credentials(remote_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Engines built from settings read their credentials from the environment, as in production."""
    from remote_fixtures import credentials_env

    for k, v in credentials_env(remote_server).items():
        monkeypatch.setenv(k, v)


def _loaded(server: Any, nquads: bytes) -> RemoteStore:
    store = server.store(f"http://test.invalid/endpoint-{uuid.uuid4().hex[:10]}/")
    store.replace_all(nquads)
    return store


@pytest.fixture(scope="module")
def remote_store(remote_server: Any, fixture_nquads: bytes) -> RemoteStore:
    """The shared read-only test data, loaded once per server."""
    return _loaded(remote_server, fixture_nquads)


@pytest.fixture(scope="module")
def engine(remote_store: RemoteStore) -> Iterator[Engine]:
    with Engine(RemoteExecutor(remote_store, timeout=2.0), remote_store, timeout=2.0, row_cap=1000) as eng:
        yield eng


def _settings(store: RemoteStore) -> dict[str, Any]:
    return {"store_backend": "remote", "remote_query_url": store.query_url, "remote_graph_prefix": store.prefix}


@pytest.fixture(scope="module")
def app(remote_store: RemoteStore) -> Iterator[Any]:
    from server import create_app
    from server.engine import close_engine

    app = create_app({**_settings(remote_store), "query_timeout": 2.0, "row_cap": 1000, "TESTING": True})
    yield app
    close_engine(app)


@pytest.fixture
def app_factory(remote_server: Any, fixture_nquads: bytes) -> Iterator[Callable[..., Any]]:
    """Apps over a private copy of the data in the remote store, each with its own engine."""
    from server import create_app
    from server.engine import close_engine

    apps: list[Any] = []

    def factory(**settings: Any) -> Any:
        store = _loaded(remote_server, fixture_nquads)
        app = create_app({**_settings(store), "workers": 2, "query_timeout": 2.0, "TESTING": True, **settings})
        apps.append(app)
        return app

    yield factory
    for a in apps:
        close_engine(a)


def test_remote_update_is_a_new_remote_version(app_factory: Any) -> None:
    """The embedded-only update test, remote flavour: the update lands as a new live version."""
    app = app_factory(update_token=protocol.TOKEN)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {protocol.TOKEN}"}
    ask = "ASK { GRAPH <http://example.org/g> { <http://example.org/a> ?p ?o } }"
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is False
    r = client.post("/update", data=protocol.UPDATE.encode(), content_type="application/sparql-update", headers=auth)
    assert r.status_code == 200 and r.get_json()["ok"] is True
    assert client.get("/sparql", query_string={"query": ask}).get_json()["boolean"] is True
    settings = app.config["ODL"]
    store = RemoteStore.from_settings(settings)
    assert store.version() == r.get_json()["store_version"]
    assert bool(store.query(ask))


def _grid(n: int) -> str:
    values = " ".join(str(i) for i in range(n))
    return f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"


def test_virtuoso_cut_answers_never_pass_as_complete(remote_server: Any, app_factory: Any) -> None:
    """Through the endpoint: Virtuoso's silent row cap (10,000) and its partial answer on timeout."""
    if remote_server.name != "virtuoso":
        pytest.skip("n/a: this checks Virtuoso's own truncation quirks")
    uncapped = app_factory(row_cap=0).test_client()
    body = protocol.assert_error_shape(uncapped.get("/sparql", query_string={"query": _grid(150)}), 503)
    assert "row limit" in body["error"] and "incomplete" in body["error"]
    capped = app_factory(row_cap=500).test_client()
    body = protocol.assert_error_shape(capped.get("/sparql", query_string={"query": _grid(150)}), 400)
    assert "more than 500 rows" in body["error"]
    resp = capped.get("/sparql", query_string={"query": _grid(150), "truncate": "true"})
    assert resp.status_code == 200 and resp.headers["X-ODL-Truncated"] == "true"
    assert len(resp.get_json()["results"]["bindings"]) == 500
    v400, v100 = " ".join(map(str, range(400))), " ".join(map(str, range(100)))
    slow = (f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?a {{ {v400} }} VALUES ?b {{ {v400} }} "
            f"VALUES ?c {{ {v100} }} FILTER(?a + ?b > ?c) }}")
    body = protocol.assert_error_shape(capped.get("/sparql", query_string={"query": slow}), 503)
    assert "time limit" in body["error"]
