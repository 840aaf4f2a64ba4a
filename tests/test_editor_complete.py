"""The editor's completion by label (odl_graph.completion, /editor/complete.json) over the pages
fixture: classes, properties and resources by their French label, accents and plurals folded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pages_fixture import build_fixture_store, make_app

from odl_graph import iris
from odl_graph.completion import MAX_SUGGESTIONS

ODL = iris.BASE + "def#"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = tmp_path_factory.mktemp("complete-store")
    build_fixture_store(store)
    app, eng = make_app(store)
    yield app.test_client()
    eng.close()


def complete(client: Any, q: str, lang: str = "fr") -> list[dict[str, Any]]:
    """The suggestions for `q`, asking again while the server says its indexes are being built."""
    for _ in range(300):
        resp = client.get("/editor/complete.json", query_string={"q": q, "lang": lang})
        assert resp.status_code == 200 and resp.mimetype == "application/json"
        body = resp.get_json()
        if not body.get("pending"):
            return body["suggestions"]
        assert body["suggestions"] == []
        time.sleep(0.1)
    raise AssertionError("the completion indexes were never built")


def test_no_request_waits_for_the_indexes(tmp_path: Path) -> None:
    """The first request starts the build in the background and is answered at once, `pending`."""
    build_fixture_store(tmp_path)
    app, eng = make_app(tmp_path)
    try:
        body = app.test_client().get("/editor/complete.json?q=vitre").get_json()
        assert body == {"q": "vitre", "lang": "fr", "pending": True, "suggestions": []}
        assert complete(app.test_client(), "vitre")[0]["label"] == "Vitré"
    finally:
        eng.close()


def test_a_class_by_its_french_label_without_accents(client: Any) -> None:
    found = complete(client, "categorie donnees")  # « Catégorie de données »
    first = found[0]
    assert (first["kind"], first["iri"], first["text"], first["label"], first["lang"]) == (
        "class", ODL + "DataCategory", "odl:DataCategory", "Catégorie de données", "fr")
    assert first["prefix"] == {"name": "odl", "iri": ODL}


def test_a_property_by_its_french_label(client: Any) -> None:
    found = [s for s in complete(client, "categorie requise") if s["kind"] == "property"]
    assert [(s["text"], s["label"]) for s in found] == [("odl:requiredCategory", "catégorie requise")]


def test_a_commune_by_its_french_label_without_accents(client: Any) -> None:
    found = [s for s in complete(client, "vitre") if s["kind"] == "resource"]
    assert found[0]["label"] == "Vitré" and found[0]["text"] == f"<{iris.BASE}id/commune/35360>"
    assert "35360" in found[0]["detail"]


def test_labels_follow_the_page_language_and_answers_are_bounded(client: Any) -> None:
    assert complete(client, "usage", "en")[0]["label"] == "Use case"
    assert complete(client, "usage", "fr")[0]["label"] == "Cas d'usage"
    assert complete(client, "a") == []  # one letter completes nothing
    for q in ("e", "co", "data", "x" * 5000):
        found = complete(client, q)
        for kind in ("class", "property", "resource"):
            assert sum(s["kind"] == kind for s in found) <= MAX_SUGGESTIONS
