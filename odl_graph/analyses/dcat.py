"""A DCAT-AP 3 description of the graph itself: catalogue, dataset, distributions, SPARQL service, and the
catalogue's dataset records.

Everything in it is read from the store or the settings, never typed in: the themes are the EU
data themes our theme scheme maps to (skos:broadMatch / closeMatch) among the themes the graph
uses, with their labels from the EU table the graph holds, the temporal coverage is the span of the
periods the graph records (dcat:startDate / dcat:endDate), the dates are those of the build (graph/meta)
and of the store version, the distributions are the dump manifest (odl_graph/dumps.py), the licence is the
setting `licence` (odl_graph/licences.py). The catalogue lists every dataset record of the graph
(`dcat:dataset`), each with its triples and those of the values it points at, as the graph holds them
(their range types included: odl_graph/build/dcat_ap.py), so the document validates as served against
the DCAT-AP 3.0.1 shapes without inference. Publisher and contact point are settings (`catalog_*`,
docs/settings.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from odl_graph import iris, licences

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
IANA = "http://www.iana.org/assignments/media-types/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme"
FRANCE = "http://publications.europa.eu/resource/authority/country/FRA"
# DCAT-AP 3.0.1's vocabulary shapes (mdr-vocabularies.shape.ttl) require the algorithm IRI in the
# https form, where the SPDX terms themselves are http: this is the value the profile checks.
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PREFIXES = {"dcat": DCAT, "dcterms": DCT, "foaf": FOAF, "vcard": VCARD, "spdx": SPDX, "xsd": XSD, "skos": SKOS}

THEMES_QUERY = f"""SELECT DISTINCT ?eu WHERE {{
  ?x <{DCAT}theme> ?t . ?t <{SKOS}broadMatch>|<{SKOS}closeMatch>|<{SKOS}exactMatch> ?eu .
  FILTER(STRSTARTS(STR(?eu), "{EU_THEME}/")) }} ORDER BY ?eu"""
# Two subqueries: an aggregate over a UNION with unbound values is unbound in Oxigraph.
PERIOD_QUERY = f"""SELECT ?from ?to WHERE {{
  {{ SELECT (MIN(?start) AS ?from) WHERE {{ ?p <{DCAT}startDate> ?start }} }}
  {{ SELECT (MAX(?end) AS ?to) WHERE {{ ?q <{DCAT}endDate> ?end }} }} }}"""
BUILT_QUERY = f"""SELECT (MAX(?m) AS ?built) WHERE {{
  GRAPH <{iris.BASE}graph/meta> {{ ?g <{DCT}modified> ?m }} }}"""
# Every dataset record with its triples, and the triples of the resources it points at (publisher, pages,
# territories, access rights...): what a DCAT-AP validator needs to see of them.
RECORDS_QUERY = f"""CONSTRUCT {{ ?d ?p ?o . ?o ?q ?v }} WHERE {{
  ?d a <{DCAT}Dataset> ; ?p ?o . OPTIONAL {{ FILTER(!isLiteral(?o)) ?o ?q ?v }} }}"""
LABELS_QUERY = f"""SELECT ?s ?label WHERE {{ VALUES ?s {{ %s }} ?s <{SKOS}prefLabel> ?label
  FILTER(LANG(?label) IN ("fr", "en")) }}"""


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _t(s: ox.NamedNode | ox.BlankNode, p: str, o: Any) -> ox.Triple:
    return ox.Triple(s, _n(p), o)


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=_n(datatype)) if datatype else ox.Literal(value)


def version_datetime(version: str | None) -> str | None:
    """'20261201T101745-...' (a store version name) -> '2026-12-01T10:17:45' (when it was written)."""
    try:
        stamp = dt.datetime.strptime((version or "")[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%S")


def facts(store: Any, base_iri: str = iris.BASE) -> dict[str, Any]:
    """What the description reads from the graph (store: anything with the GraphStore `query`)."""
    themes = [r["eu"].value for r in store.query(THEMES_QUERY)]
    period = next(iter(store.query(PERIOD_QUERY)))
    built = next(iter(store.query(BUILT_QUERY.replace(iris.BASE, base_iri or iris.BASE))))
    labels: dict[str, list[ox.Literal]] = {}
    named = " ".join(f"<{iri}>" for iri in (*themes, EU_THEME))
    for r in store.query(LABELS_QUERY % named):
        labels.setdefault(r["s"].value, []).append(r["label"])
    return {
        "themes": themes,
        "labels": labels,
        "from": period["from"], "to": period["to"],
        "built": built["built"],
        "records": list(store.query(RECORDS_QUERY)),
    }


def catalogue(root: str, manifest: list[dict[str, Any]], graph_facts: Mapping[str, Any],
              settings: Mapping[str, Any], store_version: str | None) -> list[ox.Triple]:
    """The catalogue triples; `root` is the server's public URL (ends with '/')."""
    cat, ds, svc = _n(root + "catalog#catalog"), _n(root + "catalog#dataset"), _n(root + "catalog#sparql")
    publisher, contact = _n(root + "catalog#publisher"), _n(root + "catalog#contact")
    name = settings.get("catalog_publisher") or "odl-graph"
    t = [
        _t(cat, RDF_TYPE, _n(DCAT + "Catalog")),
        _t(cat, DCT + "title", _lit("Catalogue du graphe des données locales", "fr")),
        _t(cat, DCT + "title", _lit("Catalogue of the local data graph", "en")),
        _t(cat, DCT + "description", _lit(
            "Le graphe de connaissances des données ouvertes locales françaises (programme OpenDataLocale / "
            "Action Cœur de Ville Data), ses téléchargements et son point d'accès SPARQL.", "fr")),
        _t(cat, DCT + "description", _lit(
            "The knowledge graph of French local open data (OpenDataLocale / Action Cœur de Ville Data "
            "programme), its downloads and its SPARQL endpoint.", "en")),
        _t(cat, DCT + "publisher", publisher),
        _t(cat, DCAT + "dataset", ds),
        _t(cat, DCAT + "service", svc),
        _t(cat, FOAF + "homepage", _n(root)),
        _t(cat, DCT + "language", _n(f"{EU_LANGUAGE}/FRA")),
        _t(cat, DCT + "language", _n(f"{EU_LANGUAGE}/ENG")),
        _t(cat, DCT + "spatial", _n(FRANCE)),
        _t(publisher, RDF_TYPE, _n(FOAF + "Agent")),
        _t(publisher, FOAF + "name", _lit(name)),
        _t(_n(FRANCE), RDF_TYPE, _n(DCT + "Location")),
        _t(ds, RDF_TYPE, _n(DCAT + "Dataset")),
        _t(ds, DCT + "title", _lit("Graphe des données locales (odl-graph)", "fr")),
        _t(ds, DCT + "title", _lit("Local data graph (odl-graph)", "en")),
        _t(ds, DCT + "description", _lit(
            "Problématiques, cas d'usage, services, catégories de données, jeux de données, acteurs et statuts "
            "d'ouverture, avec les territoires du COG, les communes Action Cœur de Ville, les standards du SCDL "
            "et de schema.data.gouv.fr, les expérimentations ACV Data et les entretiens.", "fr")),
        _t(ds, DCT + "description", _lit(
            "Challenges, use cases, services, data categories, datasets, actors and openness statuses, with the "
            "COG territories, the Action Cœur de Ville municipalities, the SCDL and schema.data.gouv.fr "
            "standards, the ACV Data experiments and the stakeholder interviews.", "en")),
        _t(ds, DCT + "publisher", publisher),
        _t(ds, DCAT + "contactPoint", contact),
        _t(ds, DCT + "spatial", _n(FRANCE)),
        _t(ds, DCAT + "landingPage", _n(root)),
        _t(ds, DCAT + "keyword", _lit("données locales", "fr")),
        _t(ds, DCAT + "keyword", _lit("local open data", "en")),
        _t(ds, DCAT + "keyword", _lit("Action Cœur de Ville", "fr")),
        _t(contact, RDF_TYPE, _n(VCARD + "Kind")),
        _t(contact, VCARD + "fn", _lit(name)),
        _t(svc, RDF_TYPE, _n(DCAT + "DataService")),
        _t(svc, DCT + "title", _lit("Point d'accès SPARQL du graphe des données locales", "fr")),
        _t(svc, DCT + "title", _lit("SPARQL endpoint of the local data graph", "en")),
        _t(svc, DCAT + "endpointURL", _n(root + "sparql")),
        _t(svc, DCAT + "endpointDescription", _n(root + "sparql")),
        _t(svc, DCAT + "servesDataset", ds),
        _t(svc, DCT + "conformsTo", _n("https://www.w3.org/TR/sparql11-protocol/")),
        _t(svc, DCT + "publisher", publisher),
    ]
    # The classes DCAT-AP's range shapes ask of the values (true of them; stated so a validator
    # without the vocabularies loaded can check them).
    t += [
        _t(_n(root), RDF_TYPE, _n(FOAF + "Document")),
        _t(_n(root + "sparql"), RDF_TYPE, _n(RDFS + "Resource")),
        _t(_n("https://www.w3.org/TR/sparql11-protocol/"), RDF_TYPE, _n(DCT + "Standard")),
        _t(_n(SHA256), RDF_TYPE, _n(SPDX + "ChecksumAlgorithm")),
        _t(_n(IANA + "application/gzip"), RDF_TYPE, _n(DCT + "MediaType")),
        *(_t(_n(f"{EU_LANGUAGE}/{code}"), RDF_TYPE, _n(DCT + "LinguisticSystem")) for code in ("FRA", "ENG")),
        *(_t(_n(f"{EU_LANGUAGE}/{code}"), SKOS + "inScheme", _n(EU_LANGUAGE)) for code in ("FRA", "ENG")),
        _t(_n(FRANCE), SKOS + "inScheme", _n("http://publications.europa.eu/resource/authority/country")),
        *(_t(_n(IANA + m), RDF_TYPE, _n(DCT + "MediaType")) for m in sorted({e["media_type"] for e in manifest})),
    ]
    email = settings.get("catalog_contact_email") or ""
    if email:
        t.append(_t(contact, VCARD + "hasEmail", _n("mailto:" + email)))
    else:
        t.append(_t(contact, VCARD + "hasURL", _n(root)))
    lic = licences.graph_licence(settings)
    licence = lic.iri if lic else ""
    labels = graph_facts.get("labels", {})
    if graph_facts.get("themes"):
        t += [_t(cat, DCAT + "themeTaxonomy", _n(EU_THEME)), _t(_n(EU_THEME), RDF_TYPE, _n(SKOS + "ConceptScheme"))]
        t += [_t(_n(EU_THEME), DCT + "title", label) for label in labels.get(EU_THEME, [])]
    for theme in graph_facts.get("themes", []):
        t += [_t(ds, DCAT + "theme", _n(theme)), _t(_n(theme), RDF_TYPE, _n(SKOS + "Concept")),
              _t(_n(theme), SKOS + "inScheme", _n(EU_THEME))]
        t += [_t(_n(theme), SKOS + "prefLabel", label) for label in labels.get(theme, [])]
    if graph_facts.get("from") is not None or graph_facts.get("to") is not None:
        period = _n(root + "catalog#temporal")
        t += [_t(ds, DCT + "temporal", period), _t(period, RDF_TYPE, _n(DCT + "PeriodOfTime"))]
        if graph_facts.get("from") is not None:
            t.append(_t(period, DCAT + "startDate", graph_facts["from"]))
        if graph_facts.get("to") is not None:
            t.append(_t(period, DCAT + "endDate", graph_facts["to"]))
    if graph_facts.get("built") is not None:
        t.append(_t(ds, DCT + "issued", graph_facts["built"]))
    modified = version_datetime(store_version)
    if modified:
        t += [_t(ds, DCT + "modified", _lit(modified, datatype=XSD + "dateTime")),
              _t(cat, DCT + "modified", _lit(modified, datatype=XSD + "dateTime"))]
    for i, entry in enumerate(manifest):
        dist = _n(f"{root}catalog#dump-{i}")
        url = root + "download/" + quote(entry["file"])
        what = entry["graph"] or "the whole graph"
        t += [
            _t(ds, DCAT + "distribution", dist),
            _t(dist, RDF_TYPE, _n(DCAT + "Distribution")),
            _t(dist, DCT + "title", _lit(f"{entry['file']}: {what}, {entry['triples']} triples", "en")),
            _t(dist, DCAT + "accessURL", _n(root + "download/")),
            _t(dist, DCAT + "downloadURL", _n(url)),
            _t(dist, DCAT + "mediaType", _n(IANA + entry["media_type"])),
            _t(dist, DCAT + "compressFormat", _n(IANA + "application/gzip")),
            _t(dist, DCAT + "byteSize", _lit(str(entry["bytes"]), datatype=XSD + "nonNegativeInteger")),
        ]
        checksum = ox.BlankNode(f"checksum{i}")
        t += [
            _t(dist, SPDX + "checksum", checksum),
            _t(checksum, RDF_TYPE, _n(SPDX + "Checksum")),
            _t(checksum, SPDX + "algorithm", _n(SHA256)),
            _t(checksum, SPDX + "checksumValue", _lit(entry["sha256"], datatype=XSD + "hexBinary")),
        ]
        if licence:
            t.append(_t(dist, DCT + "license", _n(licence)))
    service_dist = _n(root + "catalog#sparql-distribution")
    t += [
        _t(ds, DCAT + "distribution", service_dist),
        _t(service_dist, RDF_TYPE, _n(DCAT + "Distribution")),
        _t(service_dist, DCT + "title", _lit("SPARQL endpoint", "en")),
        _t(service_dist, DCAT + "accessURL", _n(root + "sparql")),
        _t(service_dist, DCAT + "accessService", svc),
    ]
    if licence:
        t += [_t(service_dist, DCT + "license", _n(licence)), _t(_n(licence), RDF_TYPE, _n(DCT + "LicenseDocument")),
              _t(svc, DCT + "license", _n(licence)), _t(ds, DCT + "license", _n(licence))]
    records = graph_facts.get("records", [])
    t += [_t(cat, DCAT + "dataset", d) for d in sorted({tr.subject for tr in records
                                                       if tr.predicate.value == RDF_TYPE
                                                       and tr.object == _n(DCAT + "Dataset")}, key=str)]
    have = set(t)
    return t + [tr for tr in records if tr not in have]


# -- the page a browser gets at /catalog: the same triples, read back -----------------------------------------
UNKNOWN_VALUE_OF = iris.BASE + "def#unknownValueOf"


def _pick(values: list[Any], lang: str) -> tuple[str, str | None]:
    """(text, its language) of the literal in `lang`, else in another language (the caller marks it)."""
    literals = [v for v in values if isinstance(v, ox.Literal)]
    for wanted in (lang, "fr", "en", None):
        for v in literals:
            if wanted is None or v.language == wanted:
                return v.value, v.language
    return "", None


def page_model(triples: list[ox.Triple], root: str, lang: str, base_iri: str = iris.BASE) -> dict[str, Any]:
    """What the HTML catalogue shows, read from the catalogue's own triples (so page and RDF agree)."""
    index: dict[Any, dict[str, list[Any]]] = {}
    for tr in triples:
        index.setdefault(tr.subject, {}).setdefault(tr.predicate.value, []).append(tr.object)

    def get(node: Any, prop: str) -> list[Any]:
        return index.get(node, {}).get(prop, [])

    def text(node: Any, *props: str) -> dict[str, Any]:
        for prop in props:
            value, value_lang = _pick(get(node, prop), lang)
            if value:
                return {"text": value, "lang": value_lang if value_lang != lang else None}
        return {"text": "", "lang": None}

    def licence_of(node: Any) -> dict[str, Any]:
        found = [licences.licence(o.value) for o in get(node, DCT + "license")]
        if found:
            return {"state": "stated", "licences": [{"iri": lic.iri, "label": lic.label(lang)} for lic in found]}
        unknown_of = iris.rebase(UNKNOWN_VALUE_OF, base_iri or iris.BASE)
        if any(o.value == DCT + "license" for o in index.get(node, {}).get(unknown_of, [])):
            return {"state": "unknown", "licences": []}
        return {"state": "unstated", "licences": []}

    cat, ds, svc = _n(root + "catalog#catalog"), _n(root + "catalog#dataset"), _n(root + "catalog#sparql")
    records = []
    for d in get(cat, DCAT + "dataset"):
        if d == ds:
            continue
        publishers = [{"iri": p.value, **text(p, FOAF + "name", RDFS + "label", SKOS + "prefLabel")}
                      for p in get(d, DCT + "publisher")]
        records.append({
            "iri": d.value, **text(d, DCT + "title"),
            "publishers": publishers,
            "licence": licence_of(d),
            "landing_pages": [p.value for p in get(d, DCAT + "landingPage")],
        })
    records.sort(key=lambda r: r["text"].casefold())
    distributions = []
    for dist in get(ds, DCAT + "distribution"):
        urls = get(dist, DCAT + "downloadURL") or get(dist, DCAT + "accessURL")
        size, media = get(dist, DCAT + "byteSize"), get(dist, DCAT + "mediaType")
        distributions.append({"title": text(dist, DCT + "title")["text"], "url": urls[0].value if urls else "",
                              "media_type": media[0].value.removeprefix(IANA) if media else "",
                              "bytes": int(size[0].value) if size else None})
    periods = get(ds, DCT + "temporal")
    return {
        "catalogue": {"title": text(cat, DCT + "title"), "description": text(cat, DCT + "description")},
        "dataset": {
            "title": text(ds, DCT + "title"), "description": text(ds, DCT + "description"),
            "licence": licence_of(ds),
            "themes": sorted((text(th, SKOS + "prefLabel")["text"] or th.value for th in get(ds, DCAT + "theme")),
                             key=str.casefold),
            "from": next((p.value for t in periods for p in get(t, DCAT + "startDate")), None),
            "to": next((p.value for t in periods for p in get(t, DCAT + "endDate")), None),
            "modified": next((m.value for m in get(ds, DCT + "modified")), None),
            "distributions": distributions,
        },
        "service": {"title": text(svc, DCT + "title"),
                    "endpoint": next((e.value for e in get(svc, DCAT + "endpointURL")), "")},
        "records": records,
    }
