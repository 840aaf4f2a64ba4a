"""Snapshot records: what the harvester keeps of each dataset, whatever catalogue it came from.

One record is one JSON object (one line of `data/harvest/snapshot.jsonl`):

    source        "datagouv" | "dcat"
    id            the catalogue's identifier of the dataset
    title, description
    organization  {id, name, page, siren, badges, url} or null
    zones         spatial zone ids, udata style ("fr:commune:35238", "fr:epci:200039022", "country:fr"...)
    granularity   the declared spatial granularity (udata) or null
    tags, themes  lists of strings
    license       the licence id (udata) or IRI / label (DCAT), or null
    resources     [{url, format, schema: {name, version} | null}]
    created, modified   ISO dates as given
    page          the dataset's web page
    fetched_from, fetched_at   where and when the record was read

A record that cannot be one (no identifier, no title, a field of the wrong type) raises MalformedRecord
with its identifier, and the harvester skips it; a record lacking a DCAT-AP mandatory property (its
description) is kept and listed as incomplete in the run report.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDFS, SKOS

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SIRET_RE = re.compile(r"^(\d{9})(\d{5})?$")
# schema.data.gouv.fr ids as they appear in a schema URL (…/owner/name/version/…)
SCHEMA_URL_RE = re.compile(r"schema\.data\.gouv\.fr/(?:schemas/)?([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)")
# Territory IRIs that carry their code: INSEE's code-based IRIs, and ours.
ZONE_IRI_RE = re.compile(r"/(commune|departement|region|intercommunalite|epci)/([0-9AB]{2,9})/?$")
ZONE_ID_RE = re.compile(r"^(?:fr:(commune|epci|departement|region):([0-9A-Za-z]{2,9})(?:@.*)?|country:fr)$")


class MalformedRecord(ValueError):
    """A catalogue entry that cannot become a record; `identifier` names it in the report."""

    def __init__(self, identifier: str, reason: str) -> None:
        self.identifier = identifier
        self.reason = reason
        super().__init__(f"{identifier}: {reason}")


def siren_of(business_id: Any) -> str | None:
    """The SIREN of a SIREN or SIRET (a SIRET is the SIREN followed by a 5-digit establishment number)."""
    if not isinstance(business_id, str):
        return None
    m = SIRET_RE.match(business_id.replace(" ", ""))
    return m.group(1) if m else None


def _text(item: dict, key: str, ident: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise MalformedRecord(ident, f"no {key}")
        return None
    if not isinstance(value, str):
        raise MalformedRecord(ident, f"{key} is a {type(value).__name__}, not a string")
    value = value.strip()
    if required and not value:
        raise MalformedRecord(ident, f"empty {key}")
    return value or None


def _strings(value: Any, key: str, ident: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedRecord(ident, f"{key} is not a list of strings")
    return [v.strip() for v in value if v.strip()]


def organization(org: Any, ident: str) -> dict | None:
    if org is None:
        return None
    if not isinstance(org, dict) or not isinstance(org.get("id"), str):
        raise MalformedRecord(ident, "organization is not an object with an id")
    badges = [b.get("kind") for b in org.get("badges") or [] if isinstance(b, dict) and isinstance(b.get("kind"), str)]
    return {
        "id": org["id"],
        "name": org.get("name") if isinstance(org.get("name"), str) else None,
        "page": org.get("page") if isinstance(org.get("page"), str) else None,
        "siren": siren_of(org.get("business_number_id")),
        "badges": badges,
        "url": org.get("url") if isinstance(org.get("url"), str) else None,
    }


def _resource(res: Any, ident: str, n: int) -> dict:
    if not isinstance(res, dict):
        raise MalformedRecord(ident, f"resource #{n} is not an object")
    schema = res.get("schema")
    declared = None
    if isinstance(schema, dict) and isinstance(schema.get("name"), str) and schema["name"]:
        version = schema.get("version")
        declared = {"name": schema["name"], "version": version if isinstance(version, str) else None}
    elif isinstance(schema, dict) and isinstance(schema.get("url"), str):
        m = SCHEMA_URL_RE.search(schema["url"])
        if m:
            declared = {"name": m.group(1), "version": None}
    url = res.get("url")
    fmt = res.get("format")
    return {
        "url": url if isinstance(url, str) and url else None,
        "format": fmt if isinstance(fmt, str) and fmt else None,
        "schema": declared,
    }


def datagouv_record(item: Any, fetched_from: str, fetched_at: str, position: int) -> dict:
    """A record from one dataset object of the data.gouv.fr API (v1 `Dataset` model)."""
    if not isinstance(item, dict):
        raise MalformedRecord(f"{fetched_from} item #{position}", "not a JSON object")
    raw_id = item.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise MalformedRecord(f"{fetched_from} item #{position}", "no dataset id")
    ident = raw_id.strip()
    spatial = item.get("spatial") or {}
    if not isinstance(spatial, dict):
        raise MalformedRecord(ident, "spatial is not an object")
    resources = item.get("resources") or []
    if not isinstance(resources, list):
        raise MalformedRecord(ident, "resources is not a list")
    license_ = item.get("license")
    if isinstance(license_, dict):  # some API versions nest the licence
        license_ = license_.get("id")
    return {
        "source": "datagouv",
        "id": ident,
        "title": _text(item, "title", ident, required=True),
        "description": _text(item, "description", ident),
        "organization": organization(item.get("organization"), ident),
        "zones": _strings(spatial.get("zones"), "spatial.zones", ident),
        "granularity": spatial.get("granularity") if isinstance(spatial.get("granularity"), str) else None,
        "tags": _strings(item.get("tags"), "tags", ident),
        "themes": [],
        "license": license_ if isinstance(license_, str) and license_ else None,
        "resources": [_resource(r, ident, i) for i, r in enumerate(resources, start=1)],
        "created": _text(item, "created_at", ident),
        "modified": _text(item, "last_modified", ident),
        "page": _text(item, "page", ident),
        "fetched_from": fetched_from,
        "fetched_at": fetched_at,
    }


def incomplete(record: dict) -> list[str]:
    """DCAT-AP mandatory properties the record lacks (reported; the record is still kept)."""
    return [key for key in ("description",) if not record.get(key)]


# -- DCAT catalogues -----------------------------------------------------------------------------------

def next_page(g: Graph, page_url: str) -> str | None:
    """The next page of a hydra-paged catalogue: hydra:next (PartialCollectionView, udata) or the older
    hydra:nextPage (PagedCollection, CKAN ckanext-dcat), resolved against the page's URL."""
    for pred in (HYDRA.next, HYDRA.nextPage):
        for o in g.objects(None, pred):
            target = urljoin(page_url, str(o))
            if target != page_url:
                return target
    return None


def _best(g: Graph, s: Any, pred: URIRef) -> str | None:
    """A literal value, French first, then untagged, then any language."""
    values = [o for o in g.objects(s, pred) if isinstance(o, Literal)]
    for wanted in ("fr", None):
        for o in values:
            if o.language == wanted:
                return str(o).strip() or None
    return str(values[0]).strip() or None if values else None


def _term(value: Any) -> str:
    return str(value).strip()


def zone_id(value: str) -> str:
    """A spatial value as a udata zone id when it names a French territory by code, else unchanged."""
    if ZONE_ID_RE.match(value):
        return value
    m = ZONE_IRI_RE.search(value)
    if m:
        kind = {"intercommunalite": "epci"}.get(m.group(1), m.group(1))
        return f"fr:{kind}:{m.group(2)}"
    return value


def _publisher(g: Graph, agent: Any) -> dict | None:
    if agent is None:
        return None
    name = _best(g, agent, FOAF.name) or _best(g, agent, SKOS.prefLabel) or _best(g, agent, RDFS.label)
    siren = None
    for ident in g.objects(agent, DCTERMS.identifier):
        siren = siren or siren_of(_term(ident))
    page = _term(agent) if isinstance(agent, URIRef) and _term(agent).startswith("http") else None
    homepage = next((_term(o) for o in g.objects(agent, FOAF.homepage)), None)
    return {"id": _term(agent), "name": name, "page": page, "siren": siren, "badges": [], "url": homepage}


def dcat_records(g: Graph, fetched_from: str, fetched_at: str) -> list[dict | MalformedRecord]:
    """The records of one catalogue page; a dataset that cannot be one comes back as MalformedRecord."""
    out: list[dict | MalformedRecord] = []
    for ds in sorted(set(g.subjects(RDF.type, DCAT.Dataset)), key=str):
        ident = _best(g, ds, DCTERMS.identifier) or _term(ds)
        title = _best(g, ds, DCTERMS.title)
        if not title:
            out.append(MalformedRecord(ident, "no dct:title"))
            continue
        license_ = next((_term(o) for o in g.objects(ds, DCTERMS.license)), None)
        resources = []
        for dist in sorted(g.objects(ds, DCAT.distribution), key=str):
            url = next((_term(o) for p in (DCAT.downloadURL, DCAT.accessURL) for o in g.objects(dist, p)), None)
            fmt = next((_term(o) for p in (DCTERMS.format, DCAT.mediaType) for o in g.objects(dist, p)), None)
            schema = None
            for std in g.objects(dist, DCTERMS.conformsTo):
                m = SCHEMA_URL_RE.search(_term(std))
                if m:
                    schema = {"name": m.group(1), "version": None}
            license_ = license_ or next((_term(o) for o in g.objects(dist, DCTERMS.license)), None)
            resources.append({"url": url, "format": fmt, "schema": schema})
        themes = []
        for t in g.objects(ds, DCAT.theme):
            themes.append(_best(g, t, SKOS.prefLabel) or _term(t))
        page = next((_term(o) for o in g.objects(ds, DCAT.landingPage)), None)
        if page is None and isinstance(ds, URIRef) and _term(ds).startswith("http"):
            page = _term(ds)
        out.append({
            "source": "dcat",
            "id": ident,
            "title": title,
            "description": _best(g, ds, DCTERMS.description),
            "organization": _publisher(g, next(iter(g.objects(ds, DCTERMS.publisher)), None)),
            "zones": sorted({zone_id(_term(o)) for o in g.objects(ds, DCTERMS.spatial)}),
            "granularity": None,
            "tags": sorted({_term(o) for o in g.objects(ds, DCAT.keyword) if _term(o)}),
            "themes": sorted(set(themes)),
            "license": license_,
            "resources": resources,
            "created": _best(g, ds, DCTERMS.issued),
            "modified": _best(g, ds, DCTERMS.modified),
            "page": page,
            "fetched_from": fetched_from,
            "fetched_at": fetched_at,
        })
    return out
