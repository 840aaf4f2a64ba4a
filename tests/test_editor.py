"""The SPARQL editor's server side: browsers asking /sparql for a page get the editor, RDF clients the
service description; the editor's examples carry their view and their description in the page language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from odl_graph.analyses.catalogue import DEFAULT_VIEW_NAMES, load_catalogue

CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, "text/html"])
def test_browser_get_sparql_opens_the_editor(client: Any, accept: str) -> None:
    resp = client.get("/sparql", headers={"Accept": accept})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/editor")
    assert "Accept" in resp.headers.get("Vary", "")
    page = client.get(resp.headers["Location"], headers={"Accept": accept})
    assert page.status_code == 200 and page.mimetype == "text/html"


@pytest.mark.parametrize(("accept", "mimetype"), [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
])
def test_rdf_clients_still_get_the_service_description(client: Any, accept: str | None, mimetype: str) -> None:
    resp = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert b"sparql-service-description" in resp.data


def test_browser_naming_a_format_gets_it(client: Any) -> None:
    resp = client.get("/sparql", query_string={"format": "turtle"}, headers={"Accept": FIREFOX})
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"


def test_browser_query_is_answered_not_redirected(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": FIREFOX})
    assert resp.status_code == 200 and resp.mimetype != "text/html"


def _config(client: Any, lang: str) -> dict[str, Any]:
    html = client.get(f"/editor?lang={lang}").get_data(as_text=True)
    m = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', html, re.S)
    assert m, "the editor page carries its configuration"
    return json.loads(m.group(1))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_examples_carry_view_and_description_in_the_page_language(client: Any, lang: str) -> None:
    config = _config(client, lang)
    catalogue = load_catalogue()
    assert [ex["id"] for ex in config["examples"]] == list(catalogue)
    for ex in config["examples"]:
        query = catalogue[ex["id"]]
        assert ex["view"] == query.view
        assert ex["description"] == query.descriptions[lang]
        # the view travels with the query text, as a WDQS `#defaultView:` comment
        assert f"#defaultView:{DEFAULT_VIEW_NAMES[query.view]}\n" in ex["query"]
    assert config["views"]["BarChart"] == "bar" and config["views"]["Map"] == "map"
    run = config["yasgui"]["Run query"]
    assert run == ("Exécuter la requête" if lang == "fr" else "Run query")


def test_french_descriptions_differ_from_english() -> None:
    for query in load_catalogue().values():
        assert query.description_fr and query.description_fr != query.description, query.name


# -- share links (server/pages/share.py) ------------------------------------------------------------
def _shared(client: Any, link: str) -> dict[str, Any] | None:
    page = client.get(link[link.index("/editor"):]).get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.S)[1])
    return config["shared"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_example_shares_in_a_link_under_1000_characters(client: Any, lang: str) -> None:
    examples = _config(client, lang)["examples"]
    assert len(examples) == len(load_catalogue())
    for ex in examples:
        edited = ex["query"].replace("SELECT", "SELECT DISTINCT") + "\nLIMIT 7\n"
        for text in (ex["query"], edited):
            resp = client.post("/editor/share", json={"query": text, "view": "map"})
            assert resp.status_code == 200, resp.data
            body = resp.get_json()
            assert body["length"] == len(body["link"]) < 1000 and body["mail_safe"], (ex["id"], body["length"])
            assert _shared(client, body["link"]) == {"query": text, "view": "map"}  # reopens the same text and view


def test_share_link_of_any_text_round_trips_and_bad_links_say_so(client: Any) -> None:
    from server.pages.sharelinks import decode, encode

    text = "SELECT * WHERE { ?s ?p \"été 🌳\\u0000\" } # not from the dictionary " + "x" * 3000
    assert decode(encode(text)) == text
    link = client.post("/editor/share", data={"query": text, "view": "table"}).get_json()["link"]
    assert _shared(client, link) == {"query": text, "view": "table"}
    for bad in ("2abc", "1!!!", "1AAAA", "1" + "A" * 200):
        assert "error" in _shared(client, f"/editor?z={bad}"), bad
    assert client.post("/editor/share", json={"view": "map"}).status_code == 400
    too_long = client.post("/editor/share", json={"query": "x" * 100_001})
    assert too_long.status_code == 400 and "longer than 100000 bytes" in too_long.get_json()["error"]
