"""Snapshot records -> RDF: a pure function of the records and of what the rest of the graph knows
(`Context`: COG codes, actors by SIREN, standards, data categories, category rules). See docs/harvest.md.

Every record becomes a `dcat:Dataset`; one that instantiates a data category (by its declared schema or a
category rule) is also an `odl:Dataset`, which the project's shapes require to name its category. Zones
become COG territories, the publisher an actor matched by SIREN, the licence an openness status.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, RDFS, XSD

from odl_graph import iris
from odl_graph.build.curated import NATIONAL
from odl_graph.build.importers._common import bind_prefixes, name_literals, uri
from odl_graph.errors import SourceError, SourceLocation
from odl_graph.namespace import ODL

EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
# udata licence id -> (licence IRI, open). IRIs: the EU Publications Office licence table where it has
# the licence (data/vocab SOURCES: licences extract), else the URL udata's licence list gives. Open =
# the licence carries udata's `okd_compliant` flag and is not a generic placeholder ("other-*").
LICENCES: dict[str, tuple[str, bool]] = {
    "lov2": (EU_LICENCE + "ETALAB_2_0", True),
    "fr-lo": ("https://www.etalab.gouv.fr/wp-content/uploads/2014/05/Licence_Ouverte.pdf", True),
    "odc-odbl": (EU_LICENCE + "ODC_BL", True),
    "odc-by": (EU_LICENCE + "ODC_BY", True),
    "odc-pddl": (EU_LICENCE + "ODC_PDDL", True),
    "cc-by": (EU_LICENCE + "CC_BY", True),
    "cc-by-sa": (EU_LICENCE + "CC_BYSA", True),
    "cc-zero": (EU_LICENCE + "CC0", True),
}
# A licence IRI or label of a DCAT catalogue that names one of the open licences above.
OPEN_LICENCE_RE = re.compile(
    r"authority/licence/(?:ETALAB_2_0|ODC_BL|ODC_BY|ODC_PDDL|CC0|CC_BY(?:SA)?(?:_\d_\d)?)$"
    r"|licence[-_ ]ouverte|open[-_ ]licen[cs]e|etalab-2\.0"
    r"|opendatacommons\.org/licenses/(?:odbl|by|pddl)|\bodbl\b"
    r"|creativecommons\.org/(?:licenses/by(?:-sa)?/|publicdomain/zero/)|\bcc[-_ ]?(?:by|0|zero)\b",
    re.IGNORECASE,
)
BADGE_CATEGORIES = {"local-authority": "local-public", "company": "company", "association": "association"}
RULE_FIELDS = ("tag", "title", "theme")
STANDARD_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Rule:
    field: str
    pattern: re.Pattern[str]
    category: str
    why: str
    line: int


@dataclass
class Context:
    """What mapping needs to know of the rest of the graph (read by importer.py from the shipped files)."""

    communes: set[str] = field(default_factory=set)
    epcis: set[str] = field(default_factory=set)
    departements: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    commune_by_siren: dict[str, str] = field(default_factory=dict)  # a town council's SIREN -> INSEE code
    actors: dict[str, URIRef] = field(default_factory=dict)  # SIREN -> actor IRI described elsewhere
    standards: set[str] = field(default_factory=set)  # schema ids of the SCDL / schema.data.gouv.fr import
    categories_by_standard: dict[str, list[str]] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)
    rules: list[Rule] = field(default_factory=list)
    access_rights: Mapping[URIRef, URIRef] = field(default_factory=dict)  # openness concept -> EU access right


@dataclass
class Mapped:
    graph: Graph
    warnings: Counter[str]


def fold(text: str) -> str:
    """Lowercase, accents removed: what rule patterns are matched against."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def read_rules(path: Path, categories: set[str]) -> list[Rule]:
    """The curated rules table; a bad row stops the build with file:line:column."""
    from odl_graph.build.importers._common import read_csv

    rules = []
    for row in read_csv(path, ("field", "pattern", "data_category", "why")):
        fld = row.choice("field", RULE_FIELDS)
        try:
            pattern = re.compile(fold(row.required("pattern")))
        except re.error as exc:
            raise row.error("pattern", f"not a regular expression: {exc}") from None
        category = row.required("data_category")
        if category not in categories:
            raise row.error("data_category", f"{category!r} is not a data category of data_categories.csv")
        rules.append(Rule(fld, pattern, category, row.required("why"), row.line))
    return rules


def read_category_standards(path: Path) -> tuple[set[str], dict[str, list[str]]]:
    """Data category ids, and standard id -> the categories that conform to it (curated `standard` column)."""
    ids: set[str] = set()
    by_standard: dict[str, list[str]] = {}
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                ids.add(row["id"])
                for std in filter(None, (s.strip() for s in (row.get("standard") or "").split(";"))):
                    by_standard.setdefault(std, []).append(row["id"])
    except (OSError, KeyError) as exc:
        raise SourceError(SourceLocation(str(path)), f"cannot read the data categories: {exc}") from exc
    return ids, by_standard


def dataset_iri(record: dict) -> URIRef:
    if record.get("source") == "datagouv" and iris.is_slug(iris.slugify(record["id"])):
        return iris.resource("dataset", "datagouv-" + iris.slugify(record["id"]))
    digest = hashlib.sha1(f"{record.get('source')}:{record['id']}".encode()).hexdigest()[:16]
    return iris.resource("dataset", f"{record.get('source')}-{digest}")


def licence(value: str | None) -> tuple[URIRef | None, bool]:
    """(licence IRI to state, open?) of a record's licence."""
    if not value:
        return None, False
    if value in LICENCES:
        target, is_open = LICENCES[value]
        return URIRef(target), is_open
    return uri(value), bool(OPEN_LICENCE_RE.search(value))


def _date(value: str | None) -> Literal | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return Literal(dt.date.fromisoformat(value), datatype=XSD.date)
        return Literal(dt.datetime.fromisoformat(value.replace("Z", "+00:00")), datatype=XSD.dateTime)
    except ValueError:
        return None


def territory(zone: str, ctx: Context) -> URIRef | None:
    """The COG territory of a udata zone id, or None when the COG does not have it."""
    if zone == "country:fr":
        return NATIONAL
    m = re.match(r"^fr:(commune|epci|departement|region):([0-9A-Za-z]+)(?:@.*)?$", zone)
    if not m:
        return None
    kind, code = m.group(1), m.group(2).upper()
    known = {"commune": ctx.communes, "epci": ctx.epcis, "departement": ctx.departements, "region": ctx.regions}
    return iris.resource(kind, code) if code in known[kind] else None


def categories_of(record: dict, ctx: Context) -> tuple[set[str], set[URIRef]]:
    """(data category ids, standards) a record instantiates: by declared schema, then by rule."""
    found: set[str] = set()
    standards: set[URIRef] = set()
    for res in record.get("resources") or []:
        schema = (res or {}).get("schema") or {}
        name = schema.get("name")
        if isinstance(name, str) and STANDARD_RE.match(name) and name in ctx.standards:
            standards.add(iris.standard(name))
            found.update(ctx.categories_by_standard.get(name, ()))
    texts = {"tag": [fold(t) for t in record.get("tags") or []],
             "title": [fold(record.get("title") or "")],
             "theme": [fold(t) for t in record.get("themes") or []]}
    for rule in ctx.rules:
        if any(rule.pattern.search(t) for t in texts[rule.field]):
            found.add(rule.category)
    return found, standards


def _publisher(g: Graph, record: dict, ctx: Context, warnings: Counter[str], described: set[URIRef]) -> URIRef | None:
    """The actor publishing a record: the one another source describes under its SIREN (only linked to
    its data.gouv.fr page here), else one minted and described once, from the first record naming it."""
    org = record.get("organization")
    if not isinstance(org, dict):
        return None
    siren = org.get("siren")
    page = uri(org.get("page") or "")
    if isinstance(siren, str) and siren in ctx.actors:
        subject = ctx.actors[siren]
        if page is not None:
            g.add((subject, RDFS.seeAlso, page))
        return subject
    if isinstance(siren, str) and siren:
        subject = iris.body(siren)
    else:
        subject = iris.resource("actor", f"{record.get('source')}-org-"
                                + hashlib.sha1(str(org.get("id")).encode()).hexdigest()[:16])
        warnings["publisher without SIREN"] += 1
    if subject in described:
        return subject
    described.add(subject)
    name = org.get("name") or org.get("id")
    if isinstance(siren, str) and siren:
        g.add((subject, ODL.siren, Literal(siren)))
    g.add((subject, RDF.type, ODL.Actor))
    g.add((subject, RDF.type, ORG.Organization))
    for label in name_literals(str(name)):
        g.add((subject, RDFS.label, label))
    if page is not None:
        g.add((subject, RDFS.seeAlso, page))
    g.add((subject, DCTERMS.source, page or _source(record)))
    home = uri(org.get("url") or "")
    if home is not None:
        g.add((subject, FOAF.homepage, home))
    category, competent = _actor_category(siren, org, ctx)
    if category is None:
        g.add((subject, ODL.unknownValueOf, ODL.actorCategory))
    else:
        g.add((subject, ODL.actorCategory, iris.concept("actor-category", category)))
    if competent is not None:
        g.add((subject, ODL.competentFor, competent))
    return subject


def _actor_category(siren: object, org: dict, ctx: Context) -> tuple[str | None, URIRef | None]:
    """A body the COG identifies by its SIREN (a town council, an EPCI), else what its data.gouv.fr
    badges say (local authority, company, association), else unknown."""
    if isinstance(siren, str) and siren in ctx.commune_by_siren:
        return "commune", iris.commune(ctx.commune_by_siren[siren])
    if isinstance(siren, str) and siren in ctx.epcis:
        return "intercommunalite", iris.epci(siren)
    for badge in org.get("badges") or []:
        if badge in BADGE_CATEGORIES:
            return BADGE_CATEGORIES[badge], None
    return None, None


def _source(record: dict) -> URIRef:
    for key in ("page", "fetched_from"):
        value = uri(record.get(key) or "")
        if value is not None:
            return value
    return URIRef(str(record.get("fetched_from")))


def to_graph(records: Iterable[dict], ctx: Context) -> Mapped:
    """The triples of the harvested datasets (and of the publishers no other source describes)."""
    g = bind_prefixes(Graph())
    warnings: Counter[str] = Counter()
    national = False
    described: set[URIRef] = set()
    for record in records:
        if not record.get("description"):
            # DCAT-AP makes dct:description mandatory: such a record is reported (run report, these
            # warnings) and left out, so one publisher's gap never stops the build.
            warnings["dataset without description (left out: DCAT-AP mandatory)"] += 1
            continue
        subject = dataset_iri(record)
        title = record.get("title")
        g.add((subject, RDF.type, DCAT.Dataset))
        g.add((subject, DCTERMS.identifier, Literal(record["id"])))
        if title:
            g.add((subject, DCTERMS.title, Literal(title, lang="fr")))
            for label in name_literals(title):  # the publisher's title: no translation exists
                g.add((subject, RDFS.label, label))
        g.add((subject, DCTERMS.description, Literal(record["description"], lang="fr")))
        g.add((subject, FOAF.page, _source(record)))  # DCAT-AP keeps dcterms:source for source datasets
        page = uri(record.get("page") or "")
        if page is not None:
            g.add((subject, DCAT.landingPage, page))
        for key, pred in (("created", DCTERMS.issued), ("modified", DCTERMS.modified)):
            value = _date(record.get(key))
            if value is not None:
                g.add((subject, pred, value))
            elif record.get(key):
                warnings[f"unreadable date in {key}"] += 1
        for tag in record.get("tags") or []:
            g.add((subject, DCAT.keyword, Literal(tag)))
        publisher = _publisher(g, record, ctx, warnings, described)
        if publisher is not None:
            g.add((subject, DCTERMS.publisher, publisher))
        for zone in record.get("zones") or []:
            place = territory(zone, ctx)
            if place is None:
                warnings[f"zone not in the COG ({zone.rsplit(':', 1)[0]})"] += 1
                continue
            national = national or place == NATIONAL
            g.add((subject, DCTERMS.spatial, place))
        lic, is_open = licence(record.get("license"))
        if lic is not None:
            g.add((subject, DCTERMS.license, lic))
        else:  # the record states none we can name: said so, as a curated "?" is (docs/licence.md)
            g.add((subject, ODL.unknownValueOf, DCTERMS.license))
        if is_open:
            status = iris.concept("openness", "open")
            g.add((subject, ODL.opennessStatus, status))
            if status in ctx.access_rights:
                g.add((subject, DCTERMS.accessRights, ctx.access_rights[status]))
        else:
            g.add((subject, ODL.unknownValueOf, ODL.opennessStatus))
        for n, res in enumerate(record.get("resources") or [], start=1):
            access = uri((res or {}).get("url") or "")
            if access is None:
                continue
            dist = URIRef(f"{subject}/distribution/{n}")
            g.add((subject, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCAT.accessURL, access))
            if res.get("format"):  # DCAT-AP wants a media-type IRI in dct:format; the name is kept as a label
                g.add((dist, RDFS.label, Literal(res["format"])))
            if lic is not None:
                g.add((dist, DCTERMS.license, lic))
        categories, standards = categories_of(record, ctx)
        for std in standards:
            g.add((subject, DCTERMS.conformsTo, std))
        for res in record.get("resources") or []:
            name = ((res or {}).get("schema") or {}).get("name")
            if name and name not in ctx.standards:
                warnings["schema not in the schema.data.gouv.fr import"] += 1
        # A publisher's record stays a dcat:Dataset, judged by DCAT-AP: the odl:Dataset shapes (English
        # title and description, local content) are for curated records, which a harvest cannot meet.
        if categories:
            for c in sorted(categories):
                g.add((subject, ODL.instantiates, iris.resource("datacategory", c)))
        else:
            warnings["dataset matching no data category (dcat:Dataset only)"] += 1
    if national:
        g.add((NATIONAL, RDF.type, ODL.Territory))
        for label in (Literal("France", lang="fr"), Literal("France", lang="en")):
            g.add((NATIONAL, RDFS.label, label))
    return Mapped(g, warnings)
