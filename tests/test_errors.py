"""One error shape: every /api error is checked against it; browsers get the same error as a page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from analyses_support import fixture_store, make_app
from openapi_schema_validator import OAS30Validator

from server.errors import SHAPE
from server.pages.i18n import format_number

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# Requests that must fail, with the status each gets (the analyses fixture's codes and slugs).
API_ERRORS = [
    ("/api/queries/nope", 404),
    ("/api/queries/nope.json", 404),
    ("/api/queries/blocking-producers.ttl", 406),
    ("/api/queries/trace.json?usecase=uc-a%3E%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", 400),
    ("/api/queries/trace?format=", 400),
    ("/api/queries/most-needed-categories.json?min_use_cases=many", 400),
    ("/api/diagnostic/99999/uc-a", 404),
    ("/api/diagnostic/11111/nope", 404),
    ("/api/diagnostic/Nowhere-at-all/uc-a", 404),
    ("/api/roadmap/11111?limit=0", 400),
    ("/api/roadmap/11111?limit=x", 400),
    ("/api/ranking/nope", 404),
    ("/api/nothing-here", 404),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(fixture_store(tmp_path_factory.mktemp("store"))).test_client()


def shape_errors(body: Any) -> list[str]:
    return [e.message for e in OAS30Validator(SHAPE).iter_errors(body)]


def test_the_shape_rejects_what_is_not_it() -> None:
    good = {"ok": False, "status": 404, "error": "x", "errors": [{"message": "x", "line": None, "column": None}]}
    assert shape_errors(good) == []
    assert shape_errors({"status": 404, "error": "x"})  # the API's old shape
    assert shape_errors({**good, "ok": True})
    assert shape_errors({**good, "errors": []})
    assert shape_errors({**good, "detail": "x"})


@pytest.mark.parametrize(("url", "status"), API_ERRORS)
def test_every_api_error_has_the_one_shape(api: Any, url: str, status: int) -> None:
    resp = api.get(url, headers={"Accept": "application/json"})
    assert resp.status_code == status, resp.data
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert shape_errors(body) == [], body
    assert body["status"] == status and body["error"]


def test_a_bad_parameter_is_named(api: Any) -> None:
    body = api.get("/api/queries/most-needed-categories.json?min_use_cases=many").get_json()
    assert [e.get("parameter") for e in body["errors"]] == ["min_use_cases"]


def test_openapi_publishes_the_shape(api: Any) -> None:
    doc = api.get("/api/openapi.json").get_json()
    assert doc["components"]["schemas"]["Problem"] == SHAPE
    ref = doc["paths"]["/api/diagnostic/{commune}/{usecase}"]["get"]["responses"]["404"]
    assert ref["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_endpoint_errors_have_the_same_shape(client: Any) -> None:
    for resp in (client.get("/sparql", query_string={"query": "SELEC * WHERE {}"}),
                 client.get("/no/such/page"),
                 client.post("/sparql", data=b"x", content_type="application/x-unknown")):
        assert resp.status_code >= 400 and resp.mimetype == "application/json"
        assert shape_errors(resp.get_json()) == [], resp.data


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/sparql-results+json",
                                    "text/html;q=0.5, application/json"])
def test_machine_clients_get_json(client: Any, accept: str | None) -> None:
    resp = client.get("/no/such/page", headers={"Accept": accept} if accept else {})
    assert resp.status_code == 404 and resp.mimetype == "application/json"
    assert "Accept" in resp.headers["Vary"]


def test_browsers_get_a_page_in_the_site_layout(client: Any) -> None:
    resp = client.get("/no/such/page", headers={"Accept": BROWSER})
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    html = resp.data.decode()
    assert '<html lang="fr">' in html and "<h1>Page introuvable</h1>" in html
    assert 'class="site"' in html and 'role="search"' in html  # the site's header and search
    assert "<code class=\"wrap\">/no/such/page</code>" in html
    en = client.get("/no/such/page?lang=en", headers={"Accept": BROWSER}).data.decode()
    assert '<html lang="en">' in en and "<h1>Page not found</h1>" in en


def test_a_browser_sees_a_query_error_as_a_page_with_its_status(client: Any) -> None:
    resp = client.get("/sparql", query_string={"query": "SELEC * WHERE {}"}, headers={"Accept": BROWSER})
    assert resp.status_code == 400 and resp.mimetype == "text/html"
    html = resp.data.decode()
    assert "<h1>Requête incorrecte</h1>" in html and "malformed SPARQL" in html


def test_a_browser_sees_an_api_error_as_a_page(api: Any) -> None:
    resp = api.get("/api/diagnostic/99999/uc-a", headers={"Accept": BROWSER})
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "99999" in resp.data.decode()


def test_favicon(client: Any) -> None:
    with client.get("/favicon.ico") as resp:  # a file response: closed, or it leaks its handle
        assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon"
        assert resp.data[:4] == b"\x00\x00\x01\x00" and b"PNG" in resp.data[:40]
    page = client.get("/no/such/page", headers={"Accept": BROWSER}).data.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert len(icons) == 2
    for href in icons:
        with client.get(href) as icon:
            assert icon.status_code == 200


def test_the_api_docs_page_is_in_the_site_layout(api: Any) -> None:
    html = api.get("/api/docs?lang=en").data.decode()
    assert '<html lang="en">' in html and "<h1>API documentation</h1>" in html and 'role="search"' in html


@pytest.mark.parametrize(("value", "fr", "en"), [
    (12345, "12\u202f345", "12,345"), ("638303", "638\u202f303", "638,303"), (20000.0, "20\u202f000", "20,000"),
    (1234.567, "1\u202f234,57", "1,234.57"), (7, "7", "7"), (None, "", ""), ("n/a", "n/a", "n/a"),
])
def test_numbers_as_each_language_writes_them(value: Any, fr: str, en: str) -> None:
    assert format_number(value, "fr") == fr and format_number(value, "en") == en
