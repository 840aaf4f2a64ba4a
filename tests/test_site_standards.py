"""The standardisation pages on the small fixture: a draft schema page per category (French by default,
English with ?lang=en) with its Table Schema and SHACL downloads, linked from the priorities page and
the category page, and the file check: conforming, missing, bad values, oversized, in both languages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from analyses_support import fixture_store
from rdflib import Graph

from odl_graph.analyses.derive import validate_shape, validate_table_schema


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_store(tmp_path_factory.mktemp("store")).path


def _app(store_path: Path, **settings: Any) -> Any:
    from server import create_app

    return create_app({"store": str(store_path), "workers": 1, "reserve_workers": 0, "TESTING": True, **settings})


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[Any]:
    from server.engine import close_engine

    app = _app(store_path)
    yield app.test_client()
    close_engine(app)


GOOD = b"identifiant,code_insee_commune,date\nA1,35360,2024-05-01\n"


def _check(client: Any, data: bytes, category: str = "cat-b", lang: str = "fr", ext: str = "") -> Any:
    from io import BytesIO

    url = f"/analyses/check{ext}" + (f"?lang={lang}" if lang else "")
    return client.post(url, data={"category": category, "file": (BytesIO(data), "t.csv")},
                       content_type="multipart/form-data")


def test_draft_page_and_downloads(client: Any) -> None:
    page = client.get("/analyses/schemas/cat-b").data.decode()
    assert "Brouillon de schéma" in page and "Squelette générique d&#39;identification" in page
    assert 'data-basis="skeleton"' in page and "code_insee_commune" in page
    assert "/analyses/schemas/cat-b.json" in page and "/analyses/schemas/cat-b.ttl" in page
    en = client.get("/analyses/schemas/cat-b?lang=en").data.decode()
    assert "Draft schema" in en and "Generic identification skeleton" in en and "Commune INSEE code" in en
    assert "Squelette" not in en
    descriptor = client.get("/analyses/schemas/cat-b.json").get_json()
    assert descriptor["status"] == "draft" and validate_table_schema(descriptor) == []
    ttl = client.get("/analyses/schemas/cat-b.ttl")
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    assert validate_shape(Graph().parse(data=ttl.data.decode(), format="turtle")) == []
    std = client.get("/analyses/schemas/cat-a").data.decode()  # a category with a standard: its fields
    assert 'data-basis="standard"' in std and "date_maj" in std
    assert client.get("/analyses/schemas/nope").status_code == 404
    assert client.get("/analyses/schemas/cat-b.xml").status_code == 404


def test_drafts_are_linked_from_priorities_and_category_pages(client: Any) -> None:
    prio = client.get("/analyses/priorities?lang=fr").data.decode()
    assert "/analyses/schemas/cat-b" in prio and 'id="national-rows"' in prio
    assert "demander le jeu de données national" in prio
    rows = client.get("/analyses/priorities.json?lang=fr").get_json()["rows"]
    assert rows[0]["why"].startswith("Nécessaire à 2 cas d'usage") and rows[0]["draft"].endswith("/schemas/cat-b")
    en = client.get("/analyses/priorities.json?lang=en").get_json()["rows"]
    assert en[0]["why"].startswith("Needed by 2 use case(s)")
    cat = client.get("/id/datacategory/cat-b").data.decode()
    assert 'id="draft-schema"' in cat and "/analyses/schemas/cat-b" in cat


def test_check_reports_in_both_languages(client: Any) -> None:
    page = client.get("/analyses/check?category=cat-b&lang=fr").data.decode()
    assert 'enctype="multipart/form-data"' in page and '<option value="cat-b" selected>' in page
    ok = _check(client, GOOD)
    assert ok.status_code == 200 and "Le fichier est conforme" in ok.data.decode()
    missing = _check(client, b"identifiant,date\nA1,2024-05-01\n", lang="en").data.decode()
    assert "1 needed field(s) missing (code_insee_commune)" in missing and 'id="missing-fields"' in missing
    bad = _check(client, b"identifiant,code_insee_commune,date\nA1,3536,2024-13-01\n").data.decode()
    assert 'id="invalid-fields"' in bad and "valeurs invalides (code_insee_commune, date)" in bad
    j = _check(client, b"identifiant,date\nA1,2024-05-01\n", ext=".json").get_json()
    assert j["valid"] is False and j["missing"] == ["code_insee_commune"] and j["category"] == "cat-b"
    assert _check(client, GOOD, category="nope").status_code == 400
    assert client.post("/analyses/check?lang=fr", data={"category": "cat-b"}).status_code == 400


def test_an_oversized_upload_is_refused_clearly(store_path: Path) -> None:
    from server.engine import close_engine

    app = _app(store_path, check_max_bytes=40)
    client = app.test_client()
    r = _check(client, GOOD)
    assert r.status_code == 413
    page = r.data.decode()
    assert "Fichier refusé</strong>\u00a0: le fichier fait 56 octets ; la vérification en accepte au plus 40" in page
    en = _check(client, GOOD, lang="en").data.decode()
    assert "File refused</strong>: the file is 56 bytes; the check accepts at most 40 bytes" in en
    j = _check(client, GOOD, ext=".json")
    assert j.status_code == 413 and "at most 40 bytes" in json.dumps(j.get_json())
    close_engine(app)
