"""A territory's page: its parents, members, publishing bodies, datasets covering it and experiments."""

from __future__ import annotations

from typing import Any

from odl_graph.describe.base import MEMBER_LIMIT, Describer
from odl_graph.describe.labels import Page, sparql_iri


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the page shows besides its statements."""
    i = sparql_iri(page.iri)
    parents = [desc.odl + p for p in ("inEPCI", "inDepartement", "inRegion")]
    france = desc.base + "id/territory/france"
    covering = (
        f"{{ BIND({i} AS ?t) }} UNION {{ {i} odl:inEPCI|odl:inDepartement|odl:inRegion ?t }} "
        f"UNION {{ BIND(<{france}> AS ?t) }} ?d dcterms:spatial ?t ."
    )
    members = desc.q(
        f"SELECT ?c WHERE {{ ?c odl:inEPCI|odl:inDepartement|odl:inRegion {i} }} ORDER BY ?c", MEMBER_LIMIT + 1
    )
    member_count = desc.q(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c odl:inEPCI|odl:inDepartement|"
                          f"odl:inRegion {i} }}")
    actors = desc.q(f"SELECT ?a WHERE {{ ?a odl:competentFor {i} }}")
    # Bodies competent for the territory or a territory containing it that publish open data (latest
    # record of each), and the records national datasets hold here: the evidence of docs/evidence.md.
    pubs = desc.q(
        f"SELECT ?b ?rec ?date ?platform ?ptf ?dgf (GROUP_CONCAT(DISTINCT ?thl; separator=', ') AS ?themes) "
        f"WHERE {{ {{ BIND({i} AS ?t) }} UNION {{ {i} odl:inEPCI|odl:inDepartement|odl:inRegion ?t }} "
        f"?b odl:competentFor ?t . ?rec odl:publishingBody ?b ; dcterms:date ?date . "
        f"OPTIONAL {{ ?rec odl:platformName ?platform }} OPTIONAL {{ ?rec odl:platformDatasetCount ?ptf }} "
        f"OPTIONAL {{ ?rec odl:dataGouvCount ?dgf }} "
        f"OPTIONAL {{ ?rec odl:publishesOnTheme ?th . ?th skos:prefLabel ?thl FILTER(lang(?thl) = 'fr') }} }} "
        f"GROUP BY ?b ?rec ?date ?platform ?ptf ?dgf ORDER BY ?b DESC(?date)")
    latest: dict[str, dict[str, Any]] = {}
    for r in pubs:
        latest.setdefault(r["b"].value, {
            "body": desc.ref(r["b"].value), "record": desc.ref(r["rec"].value), "date": r["date"].value,
            "platform": r["platform"].value if "platform" in r else None,
            "platform_count": int(r["ptf"].value) if "ptf" in r else None,
            "datagouv_count": int(r["dgf"].value) if "dgf" in r else None,
            "themes": r["themes"].value if "themes" in r else ""})
    records = desc.q(f"SELECT ?r ?d ?n ?p WHERE {{ ?r a odl:LocalRecords ; dcterms:spatial {i} ; "
                     f"odl:recordsOf ?d ; odl:recordCount ?n . OPTIONAL {{ ?r dcterms:publisher ?p }} }}")
    return {
        "publishers": list(latest.values()),
        "local_records": [{"dataset": desc.ref(r["d"].value), "count": int(r["n"].value),
                           "producer": desc.ref(r["p"].value) if "p" in r else None} for r in records],
        "parents": [(desc.ref(p), desc.refs(n.value for n in page.values(p))) for p in parents if page.values(p)],
        "programmes": desc.refs(n.value for n in page.values(desc.odl + "memberOf")),
        "acv2018": [n.value for n in page.values(desc.odl + "acv2018")],
        "acv_id": [n.value for n in page.values(desc.odl + "acvId")],
        "convention": [n.value for n in page.values(desc.odl + "conventionSigned")],
        "population": [n.value for n in page.values(desc.odl + "population")],
        "experiments": desc.experiments(f"?e dcterms:spatial {i} ."),
        "datasets": desc.datasets(covering),
        "actors": desc.refs(r["a"].value for r in actors),
        "members": desc.refs(r["c"].value for r in members[:MEMBER_LIMIT]),
        "member_count": int(member_count[0]["n"].value) if member_count else 0,
    }
