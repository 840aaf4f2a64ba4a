"""A dataset's page, after data.gouv.fr's: title and description, who publishes and holds it, licence and
openness, coverage (with the points the graph knows for a map), dates, standards, files or landing page,
the data.gouv.fr page when the graph has one, and the use cases it serves."""

from __future__ import annotations

from typing import Any

from odl_graph.analyses.tables import wkt_point
from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCAT, DCT, FOAF, Page, fold, pick_term, sparql_iri

DATAGOUV = ("https://www.data.gouv.fr/", "https://data.gouv.fr/")


def coverage_points(desc: Describer, territories: list[str]) -> list[dict[str, Any]]:
    """Points to map a coverage: a territory's own centroid, else those of its member communes the graph
    locates. Territories without either (France, most EPCIs) are listed but not mapped."""
    if not territories:
        return []
    values = " ".join(sparql_iri(t) for t in territories)
    rows = desc.q(
        f"SELECT ?t ?c ?wkt WHERE {{ VALUES ?t {{ {values} }} "
        f"{{ ?t dcat:centroid ?wkt BIND(?t AS ?c) }} UNION "
        f"{{ ?c odl:inEPCI|odl:inDepartement|odl:inRegion ?t ; dcat:centroid ?wkt }} }}"
    )
    desc.load_row_labels(rows, "c")
    points = []
    for r in rows:
        point = wkt_point(r["wkt"].value)
        if point is None:
            continue
        lon, lat = point
        points.append({"iri": r["c"].value, "label": desc.label(r["c"].value), "lat": lat, "lon": lon,
                       "covered": r["t"].value})
    return sorted(points, key=lambda p: fold(p["label"]))


def reference_points(desc: Describer) -> list[list[float]]:
    """[lat, lon] of every commune the graph locates (the programme's towns), drawn in grey under a
    coverage so a lone point on a map without tiles still has its place in France."""
    out = []
    for r in desc.q("SELECT ?wkt WHERE { ?c a odl:Commune ; dcat:centroid ?wkt }"):
        point = wkt_point(r["wkt"].value)
        if point is not None:
            out.append([round(point[1], 3), round(point[0], 3)])
    return sorted(out)


def serves(desc: Describer, iri: str) -> list[dict[str, Any]]:
    """The use cases that need a data category the dataset instantiates, with the requirement level."""
    rows = desc.q(
        f"SELECT DISTINCT ?uc ?dc ?lvl WHERE {{ {sparql_iri(iri)} odl:instantiates ?dc . "
        f"?uc odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . OPTIONAL {{ ?r odl:requirementLevel ?lvl }} }}"
    )
    desc.load_row_labels(rows, "uc", "dc", "lvl")
    out = [{"usecase": desc.ref(r["uc"].value), "category": desc.ref(r["dc"].value),
            "level": desc.ref(r["lvl"].value) if "lvl" in r else None} for r in rows]
    return sorted(out, key=lambda u: (fold(u["usecase"].label), fold(u["category"].label)))


def distributions(desc: Describer, iri: str) -> list[dict[str, Any]]:
    """The dataset's files: access or download URL, format name, licence."""
    rows = desc.q(
        f"SELECT ?d ?url ?dl ?fmt ?title WHERE {{ {sparql_iri(iri)} dcat:distribution ?d . "
        f"OPTIONAL {{ ?d dcat:accessURL ?url }} OPTIONAL {{ ?d dcat:downloadURL ?dl }} "
        f"OPTIONAL {{ ?d rdfs:label ?fmt }} OPTIONAL {{ ?d dcterms:title ?title }} }}"
    )
    by: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = by.setdefault(r["d"].value, {"url": None, "format": None, "title": None})
        d["url"] = d["url"] or (r["dl"].value if "dl" in r else r["url"].value if "url" in r else None)
        d["format"] = d["format"] or (r["fmt"].value if "fmt" in r else None)
        d["title"] = d["title"] or (r["title"].value if "title" in r else None)
    return sorted((d for d in by.values() if d["url"]), key=lambda d: (d["format"] or "", d["url"]))


def sections(desc: Describer, page: Page) -> dict[str, Any]:
    """What the dataset page shows besides its statements."""
    odl = desc.odl
    spatial = page.iris(DCT + "spatial")
    pages = page.iris(FOAF + "page")
    landing = page.iris(DCAT + "landingPage")
    datagouv = next((u for u in landing + pages if u.startswith(DATAGOUV)), None)
    unknown = set(page.iris(odl + "unknownValueOf"))
    status = page.iris(odl + "opennessStatus")
    dates = {}
    for key, pred in (("issued", DCT + "issued"), ("modified", DCT + "modified")):
        vals = [n.value for n in page.values(pred) if n.kind == "literal"]
        dates[key] = min(vals) if vals else None
    return {
        "description": page.literal(DCT + "description"),
        "publishers": desc.refs(page.iris(DCT + "publisher")),
        "holders": desc.refs(page.iris(DCT + "rightsHolder")),
        "publisher_unknown": DCT + "publisher" in unknown,
        "holder_unknown": DCT + "rightsHolder" in unknown,
        "licences": desc.refs(page.iris(DCT + "license")),
        "licence_unknown": DCT + "license" in unknown,
        "status": desc.ref(status[0]) if status else None,
        "status_unknown": odl + "opennessStatus" in unknown,
        "access_rights": _access_rights(desc, page),
        "territories": desc.refs(spatial),
        "excluded": desc.refs(page.iris(odl + "spatialExclusion")),  # inside the coverage, not covered
        "points": (points := coverage_points(desc, spatial)),
        "reference_points": reference_points(desc) if points else [],
        "dates": dates,
        "standards": desc.refs(page.iris(DCT + "conformsTo")),
        "categories": desc.refs(page.iris(odl + "instantiates")),
        "local_content": desc.refs(page.iris(odl + "localContent")),
        "keywords": sorted({n.value for n in page.values(DCAT + "keyword")}, key=fold),
        "identifier": [n.value for n in page.values(DCT + "identifier")],
        "distributions": distributions(desc, page.iri),
        "landing_pages": landing,
        "landing_unknown": DCAT + "landingPage" in unknown,
        "datagouv": datagouv,
        "usecases": serves(desc, page.iri),
        "sources": sorted(set(pages) - {datagouv}),
    }


def _access_rights(desc: Describer, page: Page) -> str | None:
    """The text of the dataset's rights statement (why it is, or is not, open)."""
    nodes = page.iris(DCT + "accessRights")
    if not nodes:
        return None
    rows = desc.q(f"SELECT ?d WHERE {{ {sparql_iri(nodes[0])} dcterms:description ?d }}")
    return pick_term((r["d"] for r in rows), desc.lang)
