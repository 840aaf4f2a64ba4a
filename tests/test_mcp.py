"""`odl-graph mcp` on the shipped build, driven by the official MCP SDK's client over stdio.

One server process for the module: a single client session lists the tools and makes every call the
tests below check (a diagnostic of an ACV town, a refused SERVICE query, ...).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

USECASE = "tableau-bord-rotation-stationnement"
TOWN_TYPED, TOWN_CODE, TOWN = "chalon sur saone", "71076", "Chalon-sur-Saône"
TOOLS = {"search_graph", "describe_resource", "town_diagnostic", "town_roadmap", "usecase_ranking",
         "list_usecases", "list_data_categories", "sparql_query"}
COUNT_USE_CASES = "SELECT (COUNT(?u) AS ?n) WHERE { ?u a <https://w3id.org/odl-graph/def#UseCase> }"
CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "usecases_fr": ("list_usecases", {}),
    "usecases_en": ("list_usecases", {"lang": "en"}),
    "categories": ("list_data_categories", {}),
    "search": ("search_graph", {"query": "Chalon-sur-Saône", "type": "Commune", "limit": 5}),
    "describe_fr": ("describe_resource", {"iri": f"id/usecase/{USECASE}"}),
    "describe_en": ("describe_resource", {"iri": f"id/usecase/{USECASE}", "lang": "en"}),
    "describe_missing": ("describe_resource", {"iri": "id/usecase/no-such-thing"}),
    "diagnostic": ("town_diagnostic", {"commune": TOWN_TYPED, "usecase": USECASE}),
    "diagnostic_unknown": ("town_diagnostic", {"commune": "Nulle-Part-sur-Rien", "usecase": USECASE}),
    "roadmap": ("town_roadmap", {"commune": TOWN_CODE, "limit": 3}),
    "ranking": ("usecase_ranking", {"usecase": USECASE}),
    "ranking_en": ("usecase_ranking", {"usecase": USECASE, "lang": "en"}),
    "count": ("sparql_query", {"query": COUNT_USE_CASES}),
    "capped": ("sparql_query", {"query": "SELECT ?s WHERE { ?s a ?c }", "max_rows": 5}),
    "construct": ("sparql_query", {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"}),
    "service": ("sparql_query", {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}),
    "update": ("sparql_query", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
}


async def _session(store: Path) -> dict[str, Any]:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(Path(sys.executable).with_name("odl-graph")),
                                   args=["--store", str(store), "mcp"], env=dict(os.environ), cwd=ROOT)
    out: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        out["init"] = await session.initialize()
        out["tools"] = (await session.list_tools()).tools
        for key, (name, args) in CALLS.items():
            out[key] = await session.call_tool(name, args, read_timeout_seconds=300)
    return out


@pytest.fixture(scope="module")
def mcp_answers(shipped_build: Any) -> dict[str, Any]:
    return asyncio.run(_session(shipped_build.store_path))


def ok(answers: dict[str, Any], key: str) -> Any:
    result = answers[key]
    assert not result.is_error, (key, result.content)
    return json.loads(result.content[0].text)


def error(answers: dict[str, Any], key: str) -> str:
    result = answers[key]
    assert result.is_error, (key, result.content)
    return result.content[0].text


def canon(value: Any) -> Any:
    """A JSON value with every list in one order (lists built from sets come in any order)."""
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def test_the_server_lists_its_read_only_tools(mcp_answers) -> None:
    assert mcp_answers["init"].server_info.name == "odl-graph"
    tools = {t.name: t for t in mcp_answers["tools"]}
    assert set(tools) == TOOLS
    for t in tools.values():
        assert t.annotations.read_only_hint is True and t.annotations.destructive_hint is False, t.name
        assert t.description and t.input_schema["type"] == "object"
    assert set(tools["town_diagnostic"].input_schema["required"]) == {"commune", "usecase"}


def test_use_cases_and_categories_in_french_by_default(mcp_answers) -> None:
    fr = {r["usecase"]: r for r in ok(mcp_answers, "usecases_fr")}
    en = {r["usecase"]: r for r in ok(mcp_answers, "usecases_en")}
    assert set(fr) == set(en) and USECASE in fr and fr[USECASE]["indispensable"] > 0
    assert fr[USECASE]["label"] != en[USECASE]["label"]  # the same use case, its French then its English label
    assert "stationnement" in fr[USECASE]["label"].lower() and "parking" in en[USECASE]["label"].lower()
    count = ok(mcp_answers, "count")["results"]["results"]["bindings"][0]["n"]["value"]
    assert int(count) >= len(fr) > 0  # `usecases` lists those with requirements, as the CLI
    cats = ok(mcp_answers, "categories")
    assert cats["total"] == len(cats["rows"]) > 20
    assert {r["type"] for r in cats["rows"]} == {"DataCategory"}
    assert all(r["label"] and r["iri"].startswith("https://") for r in cats["rows"])


def test_search_and_describe(mcp_answers) -> None:
    hits = ok(mcp_answers, "search")["rows"]
    assert hits[0]["code"] == TOWN_CODE and hits[0]["label"] == TOWN and hits[0]["type"] == "Commune"
    fr, en = ok(mcp_answers, "describe_fr"), ok(mcp_answers, "describe_en")
    assert fr["iri"].endswith(f"/id/usecase/{USECASE}") and fr["kind"] == "usecase"
    assert fr["lang"] == "fr" and en["lang"] == "en" and en["label"] != fr["label"]
    assert "stationnement" in fr["label"].lower() and "parking" in en["label"].lower()
    assert fr["statements"] and fr["sections"]
    assert "no-such-thing" in error(mcp_answers, "describe_missing")


def test_diagnostic_of_an_acv_town_is_the_librarys(mcp_answers, shipped_store) -> None:
    """The tool gives, for a town typed without accents, the diagnostic the CLI and the API give."""
    from odl_graph.analyses import diagnostic as dg
    from odl_graph.analyses import tables as tb
    from odl_graph.iris import BASE

    got = ok(mcp_answers, "diagnostic")
    labels = {r["usecase"]: r["label"] for r in ok(mcp_answers, "usecases_fr")}
    assert got.pop("lang") == "fr" and got.pop("labels")[got["usecase"]] == labels[USECASE]
    assert got["insee"] == TOWN_CODE and got["commune_label"] == TOWN and got["usecase"].endswith(USECASE)
    assert got["lines"] and got["required"] == len(got["lines"]) and got["summary_fr"]
    t = tb.tables(shipped_store, BASE)
    expected = dg.diagnose_pair(t, t.resolve_commune(TOWN_CODE), t.resolve_usecase(USECASE)).to_json()
    assert canon(got) == canon(json.loads(json.dumps(expected, default=str)))
    assert "Nulle-Part-sur-Rien" in error(mcp_answers, "diagnostic_unknown")


def test_roadmap_and_ranking(mcp_answers) -> None:
    road = ok(mcp_answers, "roadmap")
    assert road["insee"] == TOWN_CODE and 1 <= len(road["steps"]) <= 3
    assert [s["rank"] for s in road["steps"]] == list(range(1, len(road["steps"]) + 1))
    assert all(s["category_label"] for s in road["steps"])
    ranking = ok(mcp_answers, "ranking")
    assert ranking["usecase"].endswith(USECASE) and ranking["required"]
    assert TOWN_CODE in {r["insee"] for r in ranking["ranking"]}
    en = {r["usecase"]: r["label"] for r in ok(mcp_answers, "usecases_en")}
    ranking_en = ok(mcp_answers, "ranking_en")
    assert ranking_en["label"] == ranking_en["labels"][ranking_en["usecase"]] == en[USECASE] != ranking["label"]
    assert ranking_en["ranking"] == ranking["ranking"]


def test_sparql_under_the_endpoints_limits(mcp_answers) -> None:
    capped = ok(mcp_answers, "capped")
    assert capped["kind"] == "solutions" and capped["truncated"] is True and capped["rows"] == 5
    assert capped["row_cap"] == 5 <= capped["max_rows_limit"] <= 10000
    graph = ok(mcp_answers, "construct")
    assert graph["kind"] == "graph" and graph["turtle"].count(" .") >= 1
    refused = error(mcp_answers, "service")
    assert "SERVICE" in refused and "not allowed" in refused
    assert "update" in error(mcp_answers, "update").lower()
