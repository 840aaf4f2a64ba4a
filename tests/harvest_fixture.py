"""A loopback stand-in for the data.gouv.fr API v1 and for DCAT catalogues, in a thread on a free port.

It answers in the documented shapes: paged lists `{data, page, page_size, total, next_page, previous_page}`
(guides.data.gouv.fr, "Prise en main de l'API", Pagination), dataset objects as udata's `Dataset` model
(organization reference, spatial {zones, granularity}, license id, resources with schema {name, version}),
organisations with `business_number_id` (a SIRET); catalogues in Turtle (hydra:PartialCollectionView /
hydra:next, as udata) and JSON-LD (hydra:PagedCollection / hydra:nextPage, as CKAN ckanext-dcat).

Failures are scripted per path+query: a list of (status, headers) answered before the normal answer.
Every request is logged, so tests can count what a run asked for.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from odl_graph.build.importers._common import read_csv
from odl_graph.build.importers.observatory import ObservatoryImporter

API = "/api/1/"
COMMUNE, EPCI, DEP, REG = "35360", "200039022", "35", "53"  # Vitré, its EPCI, Ille-et-Vilaine, Bretagne
FAILING_ZONE = "fr:commune:35238"  # Rennes: always answered 500
STAND_IN = "http://stand-in.invalid"  # replaced by the stand-in's address in catalogue pages


def commune_siren(data_dir, insee: str) -> str:
    for row in read_csv(data_dir / "sources" / "cog" / "communes.csv", ("code", "siren")):
        if row.get("code") == insee:
            return row.get("siren")
    raise AssertionError(insee)


def observatory_siren(data_dir) -> str:
    """A SIREN the observatory import describes (its first organisation)."""
    return next(iter(ObservatoryImporter().read(data_dir)))


def org(org_id: str, name: str) -> dict:
    return {"id": org_id, "name": name, "slug": org_id, "acronym": None, "class": "Organization",
            "page": f"https://www.data.gouv.fr/fr/organizations/{org_id}/",
            "uri": f"https://www.data.gouv.fr/api/1/organizations/{org_id}/", "logo": None, "badges": []}


def dataset(ds_id: str, title: str, organization: dict | None, zones: list[str], *, license: str = "lov2",
            tags: list[str] = (), description: str | None = "Description du jeu.", schema: str | None = None,
            granularity: str = "fr:commune") -> dict:  # type: ignore[assignment]
    return {
        "id": ds_id, "title": title, "slug": ds_id, "acronym": None, "description": description,
        "created_at": "2023-03-01T10:00:00+00:00", "last_modified": "2024-05-02T08:30:00+00:00",
        "deleted": None, "private": False, "tags": list(tags), "badges": [], "frequency": "annual",
        "resources": [{"id": f"{ds_id}-r1", "title": f"{ds_id}.csv", "format": "csv", "filetype": "remote",
                       "type": "main", "url": f"https://example.org/{ds_id}.csv",
                       "schema": {"name": schema, "version": "2.3.0", "url": None} if schema else {}}],
        "organization": organization, "owner": None,
        "spatial": {"zones": zones, "granularity": granularity, "geom": None},
        "license": license, "page": f"https://www.data.gouv.fr/fr/datasets/{ds_id}/",
        "uri": f"https://www.data.gouv.fr/api/1/datasets/{ds_id}/",
    }


@dataclass
class StandIn:
    """Data served, scripted failures, and the log of requests."""

    zones: dict[str, list[dict]] = field(default_factory=dict)
    org_datasets: dict[str, list[dict]] = field(default_factory=dict)
    orgs: dict[str, dict] = field(default_factory=dict)
    catalogs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> [(content type, body)]
    failures: dict[str, list[tuple[int, dict]]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    url: str = ""

    def requests_to(self, needle: str) -> int:
        return sum(needle in line for line in self.log)

    def _page(self, request: Request, items: list[dict]) -> Response:
        size = int(request.args.get("page_size", 20))
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * size: page * size]
        def link(n: int) -> str:
            args = {k: v for k, v in request.args.items() if k != "page"}
            return f"{self.url}{request.path}?{urlencode({**args, 'page': n})}"
        body = {"data": chunk, "page": page, "page_size": size, "total": len(items),
                "next_page": link(page + 1) if page * size < len(items) else None,
                "previous_page": link(page - 1) if page > 1 else None}
        return Response(json.dumps(body), content_type="application/json")

    def __call__(self, environ: dict, start_response) -> object:
        request = Request(environ)
        key = request.full_path.rstrip("?")
        self.log.append(key)
        script = self.failures.get(key)
        if script:
            status, headers = script.pop(0)
            resp = Response(json.dumps({"message": "scripted failure"}), status=status,
                            content_type="application/json", headers=headers)
            return resp(environ, start_response)
        return self.answer(request)(environ, start_response)

    def answer(self, request: Request) -> Response:
        path = request.path
        if path == API + "datasets/":
            zone = request.args.get("geozone", "")
            if zone == FAILING_ZONE:
                return Response('{"message": "boom"}', status=500, content_type="application/json")
            return self._page(request, self.zones.get(zone, []))
        if path.startswith(API + "organizations/"):
            rest = path[len(API + "organizations/"):].strip("/").split("/")
            if len(rest) == 2 and rest[1] == "datasets":
                return self._page(request, self.org_datasets.get(rest[0], []))
            if len(rest) == 1 and rest[0] in self.orgs:
                return Response(json.dumps(self.orgs[rest[0]]), content_type="application/json")
            return Response('{"message": "Not found"}', status=404, content_type="application/json")
        if path.startswith("/catalog/"):
            name = path[len("/catalog/"):]
            pages = self.catalogs.get(name)
            if pages:
                n = int(parse_qs(request.query_string.decode()).get("page", ["1"])[0])
                ctype, body = pages[n - 1]
                return Response(body.replace(STAND_IN, self.url), content_type=ctype)
        return Response("not found", status=404)


@contextlib.contextmanager
def serve(stand_in: StandIn) -> Iterator[StandIn]:
    server = make_server("127.0.0.1", 0, stand_in, threaded=True)
    stand_in.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        thread.join(5)


def standard_stand_in(data_dir) -> StandIn:
    """The scenario the tests share: a commune served over 3 pages with one malformed record, a
    département answered 429 then 200, a région answered 500 then 200, Rennes always 500, two catalogues."""
    vitre = org("org-vitre", "Ville de Vitré")
    known = org("org-known", "Organisation de l'observatoire")
    nosiren = org("org-nosiren", "Association sans SIRET")
    s = StandIn()
    s.orgs = {
        "org-vitre": {**vitre, "business_number_id": commune_siren(data_dir, COMMUNE) + "00017",
                      "url": "https://www.mairie-vitre.com/"},
        "org-known": {**known, "business_number_id": observatory_siren(data_dir)},
        "org-nosiren": {**nosiren, "business_number_id": None, "badges": [{"kind": "association"}]},
    }
    s.zones[f"fr:commune:{COMMUNE}"] = [
        dataset("ds-irve", "Bornes de recharge de Vitré", vitre, [f"fr:commune:{COMMUNE}"],
                schema="etalab/schema-irve-statique"),
        dataset("ds-covoit", "Aires de covoiturage", known, [f"fr:commune:{COMMUNE}"], license="odc-odbl",
                tags=["covoiturage", "mobilite"]),
        {"id": "ds-bad", "title": None, "organization": vitre},  # malformed: no title
        dataset("ds-nodesc", "Jeu sans description", nosiren, [f"fr:commune:{COMMUNE}"], license="other-closed",
                description=None),
        dataset("ds-national", "Jeu national", None, ["country:fr", "fr:iris:353600101"], license="cc-by"),
    ]
    s.zones[f"fr:departement:{DEP}"] = [dataset("ds-dep", "Jeu du département", None, [f"fr:departement:{DEP}"])]
    s.zones[f"fr:region:{REG}"] = [dataset("ds-reg", "Jeu de la région", None, [f"fr:region:{REG}"])]
    s.zones[f"fr:epci:{EPCI}"] = [dataset("ds-epci", "Jeu de l'agglomération", vitre, [f"fr:epci:{EPCI}"])]
    s.org_datasets["org-vitre"] = [dataset(f"ds-org-{i}", f"Jeu {i}", vitre, [f"fr:commune:{COMMUNE}"])
                                   for i in range(3)]
    s.failures[f"/api/1/datasets/?geozone=fr%3Adepartement%3A{DEP}&page_size=2"] = [(429, {"Retry-After": "1"})]
    s.failures[f"/api/1/datasets/?geozone=fr%3Aregion%3A{REG}&page_size=2"] = [(500, {})]
    page_1 = TURTLE_PAGE_1.replace("{siren}", commune_siren(data_dir, COMMUNE))
    s.catalogs["cat.ttl"] = [("text/turtle", page_1), ("text/turtle", TURTLE_PAGE_2)]
    s.catalogs["cat.jsonld"] = [("application/ld+json", json.dumps(jsonld_page(1))),
                                ("application/ld+json", json.dumps(jsonld_page(2)))]
    return s


TURTLE_PAGE_1 = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<https://portal.example.org/catalog> a dcat:Catalog, hydra:Collection ; hydra:totalItems 3 ;
  dcat:dataset <https://portal.example.org/ds/arbres>, <https://portal.example.org/ds/velo> .
<{STAND_IN}/catalog/cat.ttl?page=1> a hydra:PartialCollectionView ; hydra:first <{STAND_IN}/catalog/cat.ttl?page=1> ;
  hydra:next <{STAND_IN}/catalog/cat.ttl?page=2> ; hydra:last <{STAND_IN}/catalog/cat.ttl?page=2> .
<https://portal.example.org/ds/arbres> a dcat:Dataset ; dct:identifier "arbres-vitre" ;
  dct:title "Arbres d'alignement"@fr ; dct:description "Inventaire des arbres."@fr ;
  dcat:keyword "arbres", "patrimoine arboré" ; dct:spatial <http://id.insee.fr/geo/commune/{COMMUNE}> ;
  dct:publisher <https://portal.example.org/org/vitre> ;
  dct:license <https://www.etalab.gouv.fr/licence-ouverte-open-licence> ;
  dcat:distribution <https://portal.example.org/ds/arbres/csv> ;
  dcat:landingPage <https://portal.example.org/ds/arbres.html> .
<https://portal.example.org/ds/arbres/csv> a dcat:Distribution ;
  dcat:accessURL <https://portal.example.org/arbres.csv> ;
  dct:format "CSV" .
<https://portal.example.org/org/vitre> a foaf:Organization ; foaf:name "Ville de Vitré" ;
  dct:identifier "{{siren}}" .
<https://portal.example.org/ds/velo> a dcat:Dataset ; dct:title "Stationnement vélo"@fr ;
  dct:spatial <http://id.insee.fr/geo/commune/{COMMUNE}> ;
  dcat:distribution [ a dcat:Distribution ; dcat:accessURL <https://portal.example.org/velo.csv> ;
    dct:conformsTo <https://schema.data.gouv.fr/etalab/schema-stationnement-cyclable/0.1.0/> ] .
"""

TURTLE_PAGE_2 = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .
<{STAND_IN}/catalog/cat.ttl?page=2> a hydra:PartialCollectionView ; hydra:first <{STAND_IN}/catalog/cat.ttl?page=1> ;
  hydra:previous <{STAND_IN}/catalog/cat.ttl?page=1> ; hydra:last <{STAND_IN}/catalog/cat.ttl?page=2> .
<https://portal.example.org/ds/sans-titre> a dcat:Dataset ; dct:identifier "sans-titre" .
<https://portal.example.org/ds/pistes> a dcat:Dataset ; dct:title "Pistes cyclables"@fr ;
  dct:description "Aménagements cyclables."@fr ; dct:spatial <http://id.insee.fr/geo/departement/{DEP}> .
"""


def jsonld_page(n: int) -> dict:
    """A CKAN ckanext-dcat style page: hydra:PagedCollection with hydra:nextPage."""
    graph: list[dict] = [{
        "@id": f"/catalog/cat.jsonld?page={n}", "@type": "hydra:PagedCollection",
        **({"hydra:nextPage": "/catalog/cat.jsonld?page=2"} if n == 1 else {}),
        "hydra:itemsPerPage": 2, "hydra:totalItems": 3,
    }]
    items = [("fontaines", "Fontaines à boire", "Fontaines publiques.", ["fontaine"]),
             ("trafic", "Comptages routiers", "Trafic routier.", ["comptage routier"])] if n == 1 else \
            [("sirene", "Établissements", None, ["sirene"])]
    for ident, title, desc, kw in items:
        node = {"@id": f"https://ckan.example.org/dataset/{ident}", "@type": "dcat:Dataset",
                "dct:identifier": ident, "dct:title": {"@value": title, "@language": "fr"},
                "dcat:keyword": kw, "dct:spatial": {"@id": f"http://id.insee.fr/geo/region/{REG}"},
                "dct:license": {"@id": "http://publications.europa.eu/resource/authority/licence/ODC_BL"}}
        if desc:
            node["dct:description"] = desc
        graph.append(node)
    return {"@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                         "hydra": "http://www.w3.org/ns/hydra/core#"}, "@graph": graph}
