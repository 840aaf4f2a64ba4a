"""What a Linked Data page shows, gathered with SPARQL, per class of resource. No Flask.

The web layer (server/pages) only renders what this module returns. Every query goes through a
`Source` (the query engine in the server, so pages get its worker processes and time limit), never
through rdflib's SPARQL engine. Labels follow the reader's language: the requested one first, then
the other of French/English, then an untagged literal, then the IRI's last segment.

Queries are built from the configured base IRI: the store holds rebased IRIs (odl_graph.iris.rebase),
including the ontology terms, so `odl:` is `{base}def#` here.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from odl_graph import iris
from odl_graph.iris import sparql_prefixes
from odl_graph.text import fold

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"

LABEL_PREDICATES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", FOAF + "name")
INCOMING_LIMIT = 300
MEMBER_LIMIT = 300

# Openness codes (docs/design.md, scheme `openness`) -> the colour family of their badge.
STATUS_GROUP = {
    "open": "open",
    "candidate": "candidate",
    "not-accessible-unjustified": "unjustified",
    "not-accessible-justified": "justified",
    "property": "justified",
    "security": "justified",
    "personal-data": "justified",
    "other": "other",
    "paid": "other",
    "limited": "other",
}
STATUS_ORDER = ("open", "candidate", "not-accessible-unjustified", "not-accessible-justified", "other")


class Source(Protocol):
    """What the pages need from a query engine (odl_graph.engine.Engine satisfies it)."""

    def select(self, sparql: str, *, limit: int = 0) -> list[dict[str, Any]]: ...


# -- terms and labels ------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    """An RDF term ready to display: IRIs carry a label, literals their language and datatype."""

    kind: str  # "iri" | "literal" | "bnode"
    value: str
    label: str = ""
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    @property
    def text(self) -> str:
        return self.label or self.value

    @property
    def code(self) -> str:
        """Last path segment of an IRI: the code of a SKOS concept."""
        return local_name(self.value)


def term_kind(term: Any) -> str:
    name = type(term).__name__
    return {"NamedNode": "iri", "Literal": "literal", "BlankNode": "bnode"}.get(name, "literal")


def local_name(iri: str) -> str:
    """'.../def#UseCase' -> 'UseCase', '.../concept/openness/open' -> 'open'."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))
    return tail[-1] if tail else iri


def lang_rank(lang: str | None, wanted: str) -> int:
    """0 for the wanted language, 1 for the other of fr/en, 2 untagged, 3 anything else."""
    if lang and lang.lower().split("-")[0] == wanted:
        return 0
    if lang and lang.lower().split("-")[0] in LANGS:
        return 1
    return 2 if not lang else 3


def pick_literal(values: Iterable[tuple[str, str | None]], wanted: str) -> str | None:
    """The text of the best literal for the wanted language (None when there is none)."""
    best = sorted(values, key=lambda v: (lang_rank(v[1], wanted), v[0]))
    return best[0][0] if best else None


def sparql_iri(iri: str) -> str:
    """An IRI as a SPARQL term, refusing characters that would break out of <...>."""
    if re.search(r'[\s<>"{}|\\^`]', iri):
        raise ValueError(f"not a valid IRI: {iri!r}")
    return f"<{iri}>"


def sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


# -- the describer ---------------------------------------------------------------------------
PAGE_KINDS = ("usecase", "challenge", "datacategory", "actor", "territory", "standard", "dossier", "generic")


@dataclass
class Page:
    """Everything one resource page shows."""

    iri: str
    kind: str
    lang: str
    label: str
    types: list[Node]
    properties: list[tuple[Node, list[Node]]]  # predicate -> objects, grouped
    incoming: list[tuple[Node, list[Node]]]  # predicate -> subjects
    incoming_truncated: bool
    sections: dict[str, Any] = field(default_factory=dict)
    query: str = ""  # the SPARQL that describes the resource (for "open in the editor")

    def values(self, predicate: str) -> list[Node]:
        for p, objs in self.properties:
            if p.value == predicate:
                return objs
        return []

    def text(self, predicate: str) -> str | None:
        """The best-language literal of a predicate."""
        return pick_literal(((o.value, o.lang) for o in self.values(predicate) if o.kind == "literal"), self.lang)

    def literal(self, predicate: str) -> Node | None:
        """The best-language literal of a predicate as a Node (its language tag marks up the text)."""
        lits = [o for o in self.values(predicate) if o.kind == "literal"]
        return min(lits, key=lambda o: (lang_rank(o.lang, self.lang), o.value)) if lits else None


class Describer:
    """Gathers page data for one language over one query source."""

    def __init__(self, source: Source, base: str = iris.BASE, lang: str = DEFAULT_LANG) -> None:
        self.src = source
        self.base = base
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.odl = base + "def#"
        self._labels: dict[str, str] = {}

    # -- helpers -----------------------------------------------------------------------------
    @property
    def prefixes(self) -> str:
        return sparql_prefixes(self.base)

    def q(self, body: str, limit: int = 0) -> list[dict[str, Any]]:
        return self.src.select(self.prefixes + body, limit=limit)

    def concept(self, scheme: str, code: str) -> str:
        return f"{self.base}id/concept/{scheme}/{code}"

    def load_labels(self, nodes: Iterable[str]) -> None:
        """Fetch labels of IRIs not seen yet, in batches, into the cache."""
        todo = sorted({n for n in nodes if n and n not in self._labels})
        for i in range(0, len(todo), 200):
            chunk = todo[i : i + 200]
            values = " ".join(sparql_iri(n) for n in chunk)
            # One UNION branch per predicate: with a second VALUES for ?p, Oxigraph scans ?s ?p ?l (500x slower).
            branches = " UNION ".join(
                f"{{ ?s {sparql_iri(p)} ?l BIND({i} AS ?k) }}" for i, p in enumerate(LABEL_PREDICATES)
            )
            rows = self.q(f"SELECT ?s ?k ?l WHERE {{ VALUES ?s {{ {values} }} {branches} }}")
            found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
            for r in rows:
                lit = r["l"]
                rank = lang_rank(getattr(lit, "language", None), self.lang)
                found[r["s"].value].append((rank, int(r["k"].value), lit.value))
            for n in chunk:
                self._labels[n] = min(found[n])[2] if found.get(n) else local_name(n)

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            self.load_labels([iri])
        return self._labels[iri]

    def node(self, term: Any) -> Node:
        kind = term_kind(term)
        if kind == "literal":
            dt = getattr(term, "datatype", None)
            return Node("literal", term.value, lang=getattr(term, "language", None), datatype=dt.value if dt else None)
        if kind == "bnode":
            return Node("bnode", term.value, label="_:" + term.value)
        return Node("iri", term.value, label=self._labels.get(term.value, ""))

    def ref(self, iri: str) -> Node:
        return Node("iri", iri, label=self.label(iri))

    def refs(self, values: Iterable[str]) -> list[Node]:
        vals = list(dict.fromkeys(v for v in values if v))
        self.load_labels(vals)
        return sorted((self.ref(v) for v in vals), key=lambda n: fold(n.label))

    def _finish(self, rows: list[dict[str, Any]], *names: str) -> None:
        """Load the labels of every IRI the given columns of rows hold."""
        self.load_labels(
            r[n].value for r in rows for n in names if n in r and term_kind(r[n]) == "iri"
        )

    # -- generic description -------------------------------------------------------------------
    def exists(self, iri: str) -> bool:
        rows = self.q(f"SELECT ?x WHERE {{ {{ {sparql_iri(iri)} ?p ?x }} UNION {{ ?x ?p {sparql_iri(iri)} }} }}", 1)
        return bool(rows)

    def describe_query(self, iri: str) -> str:
        """The CONSTRUCT that gives a resource's representation: its triples, and those of its
        blank nodes and `#fragment` sub-resources (e.g. an experiment's period)."""
        i = sparql_iri(iri)
        return (
            f"CONSTRUCT {{ {i} ?p ?o . ?x ?xp ?xo . }}\nWHERE {{\n"
            f"  {{ {i} ?p ?o }}\n  UNION\n"
            f"  {{ {i} ?p0 ?x . ?x ?xp ?xo .\n"
            f"    FILTER(isBlank(?x) || STRSTARTS(STR(?x), CONCAT(STR({i}), \"#\"))) }}\n}}"
        )

    def editor_query(self, iri: str) -> str:
        """The query offered in the SPARQL editor: every statement about and towards the resource."""
        i = sparql_iri(iri)
        return (
            f"PREFIX rdfs: <{RDFS}>\n# {iri}\n"
            f"SELECT ?direction ?property ?value ?valueLabel WHERE {{\n"
            f"  {{ {i} ?property ?value . BIND(\"out\" AS ?direction) }}\n"
            f"  UNION\n"
            f"  {{ ?value ?property {i} . BIND(\"in\" AS ?direction) }}\n"
            f"  OPTIONAL {{ ?value rdfs:label ?valueLabel FILTER(LANG(?valueLabel) = \"{self.lang}\") }}\n"
            f"}}\nORDER BY ?direction ?property\nLIMIT 1000"
        )

    def page(self, iri: str) -> Page:
        """The page of any resource: generic sections, then those of its class."""
        i = sparql_iri(iri)
        out = self.q(f"SELECT ?p ?o WHERE {{ {i} ?p ?o }}")
        inc = self.q(f"SELECT ?s ?p WHERE {{ ?s ?p {i} FILTER(isIRI(?s)) }} ORDER BY ?p ?s", INCOMING_LIMIT + 1)
        truncated = len(inc) > INCOMING_LIMIT
        inc = inc[:INCOMING_LIMIT]
        self.load_labels(
            [iri]
            + [r["p"].value for r in out + inc]
            + [r["o"].value for r in out if term_kind(r["o"]) == "iri"]
            + [r["s"].value for r in inc]
        )
        props: dict[str, list[Node]] = defaultdict(list)
        for r in out:
            props[r["p"].value].append(self.node(r["o"]))
        incoming: dict[str, list[Node]] = defaultdict(list)
        for r in inc:
            incoming[r["p"].value].append(self.node(r["s"]))
        types = sorted(props.get(RDF + "type", []), key=lambda n: n.value)
        page = Page(
            iri=iri,
            kind="generic",
            lang=self.lang,
            label=self.label(iri),
            types=types,
            properties=self._group(props),
            incoming=self._group(incoming),
            incoming_truncated=truncated,
            query=self.editor_query(iri),
        )
        page.kind = self.kind_of(iri, {t.value for t in types})
        builder = getattr(self, f"_{page.kind}", None)
        if builder is not None:
            page.sections = builder(page)
        return page

    def _group(self, grouped: Mapping[str, list[Node]]) -> list[tuple[Node, list[Node]]]:
        def order(n: Node) -> tuple:
            return (lang_rank(n.lang, self.lang) if n.kind == "literal" else 0, fold(n.text))

        rows = [(self.ref(p), sorted(objs, key=order)) for p, objs in grouped.items()]
        first = {RDF + "type": 0, RDFS + "label": 1, SKOS + "prefLabel": 1, DCT + "title": 2, DCT + "description": 3}
        return sorted(rows, key=lambda r: (first.get(r[0].value, 9), fold(r[0].label)))

    def kind_of(self, iri: str, types: set[str]) -> str:
        """Which page template a resource gets, from its rdf:type (and the theme scheme)."""
        o = self.odl
        if iri.startswith(self.base + "id/concept/theme/"):
            return "dossier"
        for cls, kind in (
            ("UseCase", "usecase"),
            ("Challenge", "challenge"),
            ("DataCategory", "datacategory"),
            ("Actor", "actor"),
            ("Standard", "standard"),
        ):
            if o + cls in types:
                return kind
        if types & {o + c for c in ("Territory", "Commune", "EPCI", "Departement", "Region")}:
            return "territory"
        return "generic"

    # -- per-class sections -------------------------------------------------------------------
    def _requirements_of(self, where: str) -> list[dict[str, Any]]:
        """Rows (?uc ?dc ?lvl ?st) of the data requirements of the use cases matched by `where`."""
        return self.q(
            f"SELECT DISTINCT ?uc ?dc ?lvl ?st WHERE {{ {where} ?uc odl:hasRequirement ?r . "
            f"?r odl:requiredCategory ?dc . OPTIONAL {{ ?r odl:requirementLevel ?lvl }} "
            f"OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} }}"
        )

    def _needed_data(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Aggregate requirement rows per data category: how many use cases, how many say indispensable."""
        self._finish(rows, "dc", "st", "lvl")
        agg: dict[str, dict[str, Any]] = {}
        indispensable = self.concept("requirement-level", "indispensable")
        for r in rows:
            dc = r["dc"].value
            a = agg.setdefault(dc, {"category": self.ref(dc), "usecases": set(), "indispensable": set(),
                                    "status": self.node(r["st"]) if "st" in r else None})
            a["usecases"].add(r["uc"].value)
            if "lvl" in r and r["lvl"].value == indispensable:
                a["indispensable"].add(r["uc"].value)
        out = [
            {**a, "usecases": len(a["usecases"]), "indispensable": len(a["indispensable"])} for a in agg.values()
        ]
        return sorted(out, key=lambda a: (-a["usecases"], -a["indispensable"], fold(a["category"].label)))

    def _usecase(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        svc = self.q(f"SELECT ?s ?k WHERE {{ {i} odl:implementedBy ?s . OPTIONAL {{ ?s odl:serviceKind ?k }} }}")
        self._finish(svc, "s", "k")
        services = [{"service": self.ref(r["s"].value), "kind": self.ref(r["k"].value) if "k" in r else None}
                    for r in svc]
        req = self.q(
            f"SELECT ?dc ?lvl ?st ?prod ?std WHERE {{ {i} odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . "
            f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} "
            f"OPTIONAL {{ ?dc odl:typicalProducer ?prod }} OPTIONAL {{ ?dc dcterms:conformsTo ?std }} }}"
        )
        self._finish(req, "dc", "lvl", "st", "prod", "std")
        data: dict[str, dict[str, Any]] = {}
        for r in req:
            d = data.setdefault(r["dc"].value, {
                "category": self.ref(r["dc"].value),
                "level": self.ref(r["lvl"].value) if "lvl" in r else None,
                "status": self.ref(r["st"].value) if "st" in r else None,
                "producers": {}, "standards": {},
            })
            if "prod" in r:
                d["producers"][r["prod"].value] = self.ref(r["prod"].value)
            if "std" in r:
                d["standards"][r["std"].value] = self.ref(r["std"].value)
        level_order = {self.concept("requirement-level", "indispensable"): 0}
        table = sorted(
            ({**d, "producers": sorted(d["producers"].values(), key=lambda n: fold(n.label)),
              "standards": sorted(d["standards"].values(), key=lambda n: fold(n.label))} for d in data.values()),
            key=lambda d: (level_order.get(d["level"].value if d["level"] else "", 1), fold(d["category"].label)),
        )
        for d in table:
            d["findings"] = self.findings(d["category"].value)
        return {
            "description": page.literal(DCT + "description"),
            "publications": self.publications(f"?p dcterms:subject {i} ."),
            "challenges": self.refs(n.value for n in page.values(self.odl + "addresses")),
            "themes": self.refs(n.value for n in page.values(DCAT + "theme")),
            "stage": self.refs(n.value for n in page.values(self.odl + "stage")),
            "services": services,
            "data": table,
            "experiments": self.experiments(f"?e odl:testsUseCase {i} ."),
            "sources": [n.value for n in page.values(DCT + "source")],
        }

    EXPERIMENT_FIELDS = ("objectives", "qualitativeResults", "implementationEffort", "dataSustainability",
                         "geographicScope", "deploymentConstraints")

    def experiments(self, where: str) -> list[dict[str, Any]]:
        """Experiments matched by `where` (binding ?e) with their evaluation, in the reader's language."""
        fields = ", ".join(f"odl:{f}" for f in self.EXPERIMENT_FIELDS)
        rows = self.q(
            f"SELECT ?e ?p ?o WHERE {{ {where} ?e a odl:Experiment ; ?p ?o . "
            f"FILTER(?p IN ({fields}, dcterms:spatial, odl:season, odl:testsUseCase, odl:minimalData, "
            f"odl:unknownValueOf, dcterms:source)) }}"
        )
        period = self.q(
            f"SELECT ?e ?start ?end WHERE {{ {where} ?e a odl:Experiment ; dcterms:temporal ?t . "
            f"OPTIONAL {{ ?t dcat:startDate ?start }} OPTIONAL {{ ?t dcat:endDate ?end }} }}"
        )
        self._finish(rows, "e", "o")
        by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            by[r["e"].value][local_name(r["p"].value)].append(r["o"])
        periods = {r["e"].value: (r.get("start"), r.get("end")) for r in period}
        out = []
        for e, p in by.items():
            unknown = {local_name(t.value) for t in p.get("unknownValueOf", [])}
            evaluation = []
            for f in self.EXPERIMENT_FIELDS:
                lits = sorted(p.get(f, []), key=lambda t: (lang_rank(getattr(t, "language", None), self.lang), t.value))
                text = lits[0].value if lits else None
                lang = getattr(lits[0], "language", None) if lits else None
                evaluation.append({"property": self.ref(self.odl + f), "text": text, "lang": lang,
                                   "unknown": f in unknown})
            start, end = periods.get(e, (None, None))
            out.append({
                "experiment": self.ref(e),
                "communes": self.refs(t.value for t in p.get("spatial", [])),
                "usecases": self.refs(t.value for t in p.get("testsUseCase", [])),
                "season": p["season"][0].value if p.get("season") else None,
                "start": start.value if start is not None else None,
                "end": end.value if end is not None else None,
                "evaluation": evaluation,
                "minimal_data": self.refs(t.value for t in p.get("minimalData", [])),
                "sources": sorted(t.value for t in p.get("source", [])),
                "publications": self.publications(f"{sparql_iri(e)} odl:testsUseCase ?u . ?p dcterms:subject ?u ."),
            })
        return sorted(out, key=lambda x: fold(x["experiment"].label))

    def _challenge(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        ucs = self.q(f"SELECT ?uc ?stage WHERE {{ ?uc odl:addresses {i} . OPTIONAL {{ ?uc odl:stage ?stage }} }}")
        self._finish(ucs, "uc", "stage")
        return {
            "description": page.literal(DCT + "description"),
            "themes": self.refs(n.value for n in page.values(DCAT + "theme")),
            "usecases": sorted(
                ({"usecase": self.ref(r["uc"].value), "stage": self.ref(r["stage"].value) if "stage" in r else None}
                 for r in ucs), key=lambda d: fold(d["usecase"].label)),
            "data": self._needed_data(self._requirements_of(f"?uc odl:addresses {i} .")),
            "interviews": self.refs(r["s"].value for r in self.q(f"SELECT ?s WHERE {{ ?s odl:raises {i} }}")),
            "sources": [n.value for n in page.values(DCT + "source")],
        }

    def _datasets(self, where: str) -> list[dict[str, Any]]:
        """Datasets matched by `where` (binding ?d) with status, territories, category and actors."""
        rows = self.q(
            f"SELECT ?d ?p ?o WHERE {{ {where} ?d a odl:Dataset ; ?p ?o . FILTER(?p IN (odl:opennessStatus, "
            f"dcterms:spatial, odl:instantiates, dcterms:publisher, dcterms:rightsHolder, dcterms:conformsTo)) }}"
        )
        self._finish(rows, "d", "o")
        by: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            by[r["d"].value][local_name(r["p"].value)].append(r["o"].value)
        out = []
        for d, p in by.items():
            out.append({
                "dataset": self.ref(d),
                "status": self.ref(p["opennessStatus"][0]) if p.get("opennessStatus") else None,
                "territories": self.refs(p.get("spatial", [])),
                "categories": self.refs(p.get("instantiates", [])),
                "publishers": self.refs(p.get("publisher", [])),
                "holders": self.refs(p.get("rightsHolder", [])),
                "standards": self.refs(p.get("conformsTo", [])),
            })
        return sorted(out, key=lambda x: (x["territories"][0].label if x["territories"] else "",
                                          x["status"].value if x["status"] else "", fold(x["dataset"].label)))

    def findings(self, iri: str) -> dict[str, Any]:
        """A category's sourced findings: why it is (not) open, where its standardisation stands."""
        i = sparql_iri(iri)
        out: dict[str, Any] = {"access": None, "standardisation": None}
        for key, link, extra in (("access", "dcterms:accessRights", ""),
                                 ("standardisation", "odl:standardisationNeed",
                                  "OPTIONAL { ?n odl:standardisationStatus ?st }")):
            rows = self.q(f"SELECT ?n ?d ?src ?st WHERE {{ {i} {link} ?n . ?n a ?t . "
                          f"OPTIONAL {{ ?n dcterms:description ?d }} OPTIONAL {{ ?n dcterms:source ?src }} {extra} }}")
            if not rows:
                continue
            self._finish(rows, "st")
            texts = [(r["d"].value, getattr(r["d"], "language", None)) for r in rows if "d" in r]
            out[key] = {
                "text": pick_literal(texts, self.lang),
                "sources": sorted({r["src"].value for r in rows if "src" in r}),
                "status": next((self.ref(r["st"].value) for r in rows if "st" in r), None),
            }
        return out

    def publications(self, where: str) -> list[dict[str, Any]]:
        """Publications matched by `where` (binding ?p): fiches, dossiers, published interviews."""
        rows = self.q(f"SELECT DISTINCT ?p ?k ?page ?issued WHERE {{ {where} ?p a odl:Publication ; foaf:page ?page . "
                      f"OPTIONAL {{ ?p odl:publicationKind ?k }} OPTIONAL {{ ?p dcterms:issued ?issued }} }}")
        self._finish(rows, "p", "k")
        out = [{"publication": self.ref(r["p"].value), "kind": self.ref(r["k"].value) if "k" in r else None,
                "page": r["page"].value, "issued": r["issued"].value if "issued" in r else None} for r in rows]
        return sorted(out, key=lambda d: fold(d["publication"].label))

    def _datacategory(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        ucs = self.q(f"SELECT ?uc ?lvl WHERE {{ ?uc odl:hasRequirement ?r . ?r odl:requiredCategory {i} . "
                     f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} }}")
        self._finish(ucs, "uc", "lvl")
        datasets = self._datasets(f"?d odl:instantiates {i} .")
        holders: dict[str, Node] = {}
        for d in datasets:
            for a in d["publishers"] + d["holders"]:
                holders[a.value] = a
        statuses = Counter(d["status"].value for d in datasets if d["status"])
        return {
            "description": page.literal(DCT + "description"),
            "usecases": sorted(
                ({"usecase": self.ref(r["uc"].value), "level": self.ref(r["lvl"].value) if "lvl" in r else None}
                 for r in ucs), key=lambda d: fold(d["usecase"].label)),
            "usual_status": self.refs(n.value for n in page.values(self.odl + "usualOpennessStatus")),
            "producers": self.refs(n.value for n in page.values(self.odl + "typicalProducer")),
            "holders": sorted(holders.values(), key=lambda n: fold(n.label)),
            "standards": self.refs(n.value for n in page.values(DCT + "conformsTo")),
            "datasets": datasets,
            "status_counts": [(self.ref(s), n) for s, n in statuses.most_common()],
            "findings": self.findings(page.iri),
            "sources": [n.value for n in page.values(DCT + "source")],
        }

    def _actor(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        datasets = self._datasets(f"{{ ?d dcterms:publisher {i} }} UNION {{ ?d dcterms:rightsHolder {i} }}")
        for d in datasets:
            d["roles"] = [r for r, key in (("publisher", "publishers"), ("holder", "holders"))
                          if any(a.value == page.iri for a in d[key])]
        statuses = Counter(d["status"].value for d in datasets if d["status"])
        cats = self.q(f"SELECT ?dc ?st WHERE {{ ?dc odl:typicalProducer {i} . "
                      f"OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} }}")
        self._finish(cats, "dc", "st")
        return {
            "description": page.literal(DCT + "description"),
            "category": self.refs(n.value for n in page.values(self.odl + "actorCategory")),
            "territories": self.refs(n.value for n in page.values(self.odl + "competentFor")),
            "homepage": [n.value for n in page.values(FOAF + "homepage")],
            "datasets": datasets,
            "status_counts": [(self.ref(s), n) for s, n in statuses.most_common()],
            "categories": sorted(
                ({"category": self.ref(r["dc"].value), "status": self.ref(r["st"].value) if "st" in r else None}
                 for r in cats), key=lambda d: fold(d["category"].label)),
            "sources": [n.value for n in page.values(DCT + "source")],
        }

    def _territory(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        parents = [self.odl + p for p in ("inEPCI", "inDepartement", "inRegion")]
        france = self.base + "id/territory/france"
        covering = (
            f"{{ BIND({i} AS ?t) }} UNION {{ {i} odl:inEPCI|odl:inDepartement|odl:inRegion ?t }} "
            f"UNION {{ BIND(<{france}> AS ?t) }} ?d dcterms:spatial ?t ."
        )
        members = self.q(
            f"SELECT ?c WHERE {{ ?c odl:inEPCI|odl:inDepartement|odl:inRegion {i} }} ORDER BY ?c", MEMBER_LIMIT + 1
        )
        member_count = self.q(f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c odl:inEPCI|odl:inDepartement|"
                              f"odl:inRegion {i} }}")
        actors = self.q(f"SELECT ?a WHERE {{ ?a odl:competentFor {i} }}")
        # Bodies competent for the territory or a territory containing it that publish open data (latest
        # record of each), and the records national datasets hold here: the evidence of docs/evidence.md.
        pubs = self.q(
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
                "body": self.ref(r["b"].value), "record": self.ref(r["rec"].value), "date": r["date"].value,
                "platform": r["platform"].value if "platform" in r else None,
                "platform_count": int(r["ptf"].value) if "ptf" in r else None,
                "datagouv_count": int(r["dgf"].value) if "dgf" in r else None,
                "themes": r["themes"].value if "themes" in r else ""})
        records = self.q(f"SELECT ?r ?d ?n ?p WHERE {{ ?r a odl:LocalRecords ; dcterms:spatial {i} ; "
                         f"odl:recordsOf ?d ; odl:recordCount ?n . OPTIONAL {{ ?r dcterms:publisher ?p }} }}")
        return {
            "publishers": list(latest.values()),
            "local_records": [{"dataset": self.ref(r["d"].value), "count": int(r["n"].value),
                               "producer": self.ref(r["p"].value) if "p" in r else None} for r in records],
            "parents": [(self.ref(p), self.refs(n.value for n in page.values(p))) for p in parents if page.values(p)],
            "programmes": self.refs(n.value for n in page.values(self.odl + "memberOf")),
            "acv2018": [n.value for n in page.values(self.odl + "acv2018")],
            "acv_id": [n.value for n in page.values(self.odl + "acvId")],
            "convention": [n.value for n in page.values(self.odl + "conventionSigned")],
            "population": [n.value for n in page.values(self.odl + "population")],
            "experiments": self.experiments(f"?e dcterms:spatial {i} ."),
            "datasets": self._datasets(covering),
            "actors": self.refs(r["a"].value for r in actors),
            "members": self.refs(r["c"].value for r in members[:MEMBER_LIMIT]),
            "member_count": int(member_count[0]["n"].value) if member_count else 0,
        }

    def _standard(self, page: Page) -> dict[str, Any]:
        i = sparql_iri(page.iri)
        rows = self.q(f"SELECT ?f ?p ?o WHERE {{ {i} odl:hasField ?f . ?f ?p ?o }}")
        by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            by[r["f"].value][local_name(r["p"].value)].append(r["o"])

        def text(vals: list[Any]) -> str | None:
            return pick_literal(((t.value, getattr(t, "language", None)) for t in vals), self.lang)

        fields = []
        for f, p in by.items():
            pos = p.get("fieldPosition")
            fields.append({
                "field": Node("iri", f, label=text(p.get("fieldName", [])) or local_name(f)),
                "position": int(pos[0].value) if pos else 10**6,
                "title": text(p.get("title", [])),
                "description": text(p.get("description", [])),
                "type": text(p.get("fieldType", [])),
                "format": text(p.get("fieldFormat", [])),
                "required": (p["fieldRequired"][0].value == "true") if p.get("fieldRequired") else None,
                "enum": sorted(t.value for t in p.get("fieldEnum", [])),
                "pattern": text(p.get("fieldPattern", [])),
            })
        users = self.q(f"SELECT ?x ?t WHERE {{ ?x dcterms:conformsTo {i} . ?x a ?t "
                       f"FILTER(?t IN (odl:DataCategory, odl:Dataset)) }}")
        return {
            "description": page.literal(DCT + "description"),
            "identifier": [n.value for n in page.values(DCT + "identifier")],
            "scdl": [n.value for n in page.values(self.odl + "isSCDL")],
            "schema_label": [n.value for n in page.values(self.odl + "schemaLabel")],
            "resources": [n.value for n in page.values(self.odl + "conformingResources")],
            "fields": sorted(fields, key=lambda f: (f["position"], f["field"].label)),
            "categories": self.refs(r["x"].value for r in users if r["t"].value == self.odl + "DataCategory"),
            "datasets": self.refs(r["x"].value for r in users if r["t"].value == self.odl + "Dataset"),
            "sources": [n.value for n in page.values(DCT + "source")],
        }

    def _dossier(self, page: Page) -> dict[str, Any]:
        t = sparql_iri(page.iri)
        chal = self.q(f"SELECT ?c WHERE {{ ?c a odl:Challenge ; dcat:theme {t} }}")
        ucs = self.q(f"SELECT ?uc ?stage ?s WHERE {{ ?uc a odl:UseCase ; dcat:theme {t} . "
                     f"OPTIONAL {{ ?uc odl:stage ?stage }} OPTIONAL {{ ?uc odl:implementedBy ?s }} }}")
        self._finish(ucs, "uc", "stage", "s")
        data = self._needed_data(self._requirements_of(f"?uc a odl:UseCase ; dcat:theme {t} ."))
        status_rows = self.q(
            f"SELECT ?dc ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?uc dcat:theme {t} ; odl:hasRequirement ?r . "
            f"?r odl:requiredCategory ?dc . ?d odl:instantiates ?dc ; odl:opennessStatus ?st }} GROUP BY ?dc ?st"
        )
        self._finish(status_rows, "st")
        per_dc: dict[str, list[tuple[Node, int]]] = defaultdict(list)
        for r in status_rows:
            per_dc[r["dc"].value].append((self.ref(r["st"].value), int(r["n"].value)))
        for d in data:
            d["datasets"] = sorted(per_dc.get(d["category"].value, []), key=lambda x: -x[1])
        return {
            "definition": page.literal(SKOS + "definition"),
            "challenges": self.refs(r["c"].value for r in chal),
            "usecases": sorted(
                ({"usecase": self.ref(r["uc"].value), "stage": self.ref(r["stage"].value) if "stage" in r else None,
                  "service": self.ref(r["s"].value) if "s" in r else None} for r in ucs),
                key=lambda d: fold(d["usecase"].label)),
            "experiments": self.experiments(
                f"{{ ?e dcat:theme {t} }} UNION {{ ?e odl:testsUseCase ?tu . ?tu dcat:theme {t} }}"
            ),
            "publications": self.publications(
                f"{{ ?p dcat:theme {t} }} UNION {{ ?p dcterms:subject ?pu . ?pu dcat:theme {t} }}"
            ),
            "data": data,
        }

    # -- home, lists, search ------------------------------------------------------------------
    HOME_CLASSES = ("UseCase", "Challenge", "DataCategory", "Dataset", "Actor", "Experiment", "Service",
                    "Standard", "Interview")

    def home(self) -> dict[str, Any]:
        branches = " UNION ".join(f"{{ ?s a odl:{c} BIND(odl:{c} AS ?c) }}" for c in self.HOME_CLASSES)
        counts = {r["c"].value: int(r["n"].value) for r in self.q(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {branches} }} GROUP BY ?c")}
        acv = self.q("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a odl:Commune ; odl:memberOf ?p }")
        themes = self.q(
            f"SELECT ?t (COUNT(DISTINCT ?uc) AS ?u) (COUNT(DISTINCT ?c) AS ?ch) WHERE {{ "
            f"?t skos:inScheme <{self.base}id/scheme/theme> . "
            f"OPTIONAL {{ ?uc a odl:UseCase ; dcat:theme ?t }} OPTIONAL {{ ?c a odl:Challenge ; dcat:theme ?t }} }} "
            f"GROUP BY ?t"
        )
        self._finish(themes, "t")
        self.load_labels(self.odl + c for c in self.HOME_CLASSES)
        ucs = self.q("SELECT ?uc WHERE { ?uc a odl:UseCase }")
        return {
            "counts": [(self.ref(self.odl + c), counts.get(self.odl + c, 0)) for c in self.HOME_CLASSES],
            "acv_communes": int(acv[0]["n"].value) if acv else 0,
            "themes": sorted(
                ({"theme": self.ref(r["t"].value), "usecases": int(r["u"].value), "challenges": int(r["ch"].value)}
                 for r in themes), key=lambda d: (-d["usecases"] - d["challenges"], fold(d["theme"].label))),
            "usecases": self.refs(r["uc"].value for r in ucs),
        }

    def instances(self, cls_local: str, offset: int = 0, limit: int = 200) -> tuple[list[Node], int]:
        """Instances of an odl: class, sorted by label, one page at a time, and the total."""
        if not re.fullmatch(r"[A-Za-z]+", cls_local):
            raise ValueError(f"not a class name: {cls_local!r}")
        total = self.q(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a odl:{cls_local} }}")
        rows = self.q(
            f"SELECT ?s (SAMPLE(?l) AS ?label) WHERE {{ ?s a odl:{cls_local} . OPTIONAL {{ ?s rdfs:label ?l "
            f"FILTER(LANG(?l) = \"{self.lang}\") }} }} GROUP BY ?s ORDER BY LCASE(STR(SAMPLE(?l))) ?s "
            f"OFFSET {int(offset)} LIMIT {int(limit)}"
        )
        self.load_labels(r["s"].value for r in rows)
        return [self.ref(r["s"].value) for r in rows], int(total[0]["n"].value) if total else 0

    # -- visual exploration -------------------------------------------------------------------
    def network(self, theme: str | None = None) -> dict[str, Any]:
        """Cytoscape elements: challenge -> use case -> data category -> actor, optionally for one theme."""
        filt = f"?uc dcat:theme {sparql_iri(theme)} ." if theme else ""
        rows = self.q(
            f"SELECT ?c ?uc ?dc ?lvl ?a WHERE {{ ?uc a odl:UseCase . {filt} "
            f"OPTIONAL {{ ?uc odl:addresses ?c }} "
            f"OPTIONAL {{ ?uc odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . "
            f"OPTIONAL {{ ?r odl:requirementLevel ?lvl }} OPTIONAL {{ ?dc odl:typicalProducer ?a }} }} }}"
        )
        self._finish(rows, "c", "uc", "dc", "a")
        nodes: dict[str, dict[str, str]] = {}
        edges: dict[tuple[str, str], dict[str, str]] = {}
        indispensable = self.concept("requirement-level", "indispensable")

        def add(var: str, kind: str, r: dict[str, Any]) -> str | None:
            if var not in r:
                return None
            iri = r[var].value
            nodes.setdefault(iri, {"id": iri, "label": self.label(iri), "kind": kind})
            return iri

        for r in rows:
            c, uc, dc, a = add("c", "challenge", r), add("uc", "usecase", r), add("dc", "datacategory", r), add(
                "a", "actor", r)
            if c and uc:
                edges[(c, uc)] = {"source": c, "target": uc, "kind": "addresses"}
            if uc and dc:
                lvl = "indispensable" if r.get("lvl") is not None and r["lvl"].value == indispensable else "useful"
                edges[(uc, dc)] = {"source": uc, "target": dc, "kind": lvl}
            if dc and a:
                edges[(dc, a)] = {"source": dc, "target": a, "kind": "producer"}
        elements = [{"data": n, "group": "nodes"} for n in sorted(nodes.values(), key=lambda n: n["id"])]
        elements += [{"data": {"id": f"e{i}", **e}, "group": "edges"} for i, e in enumerate(edges.values())]
        return {"elements": elements}

    def themes(self) -> list[Node]:
        rows = self.q(f"SELECT ?t WHERE {{ ?t skos:inScheme <{self.base}id/scheme/theme> }}")
        return self.refs(r["t"].value for r in rows)

    def charts(self) -> dict[str, Any]:
        """Counts of datasets per openness status (top concepts), per theme and per actor category.

        A dataset counts for a theme when a use case of that theme needs its data category; for an actor
        category when its publisher or holder is in it (so a dataset can count in two categories).
        """
        top = "OPTIONAL { ?st0 skos:broader ?stb } BIND(COALESCE(?stb, ?st0) AS ?st)"
        by_theme = self.q(
            f"SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?uc a odl:UseCase ; dcat:theme ?g ; "
            f"odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?d odl:instantiates ?dc ; "
            f"odl:opennessStatus ?st0 . {top} }} GROUP BY ?g ?st"
        )
        by_actor = self.q(
            f"SELECT ?g ?st (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a odl:Dataset ; odl:opennessStatus ?st0 ; "
            f"dcterms:publisher|dcterms:rightsHolder ?a . ?a odl:actorCategory ?c0 . "
            f"OPTIONAL {{ ?c0 skos:broader ?cb }} BIND(COALESCE(?cb, ?c0) AS ?g) {top} }} GROUP BY ?g ?st"
        )
        usual = self.q(
            f"SELECT ?g ?st (COUNT(DISTINCT ?dc) AS ?n) WHERE {{ ?uc a odl:UseCase ; dcat:theme ?g ; "
            f"odl:hasRequirement ?r . ?r odl:requiredCategory ?dc . ?dc odl:usualOpennessStatus ?st0 . {top} }} "
            f"GROUP BY ?g ?st"
        )
        statuses = [self.concept("openness", c) for c in STATUS_ORDER]
        self.load_labels(statuses)

        def chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
            self._finish(rows, "g")
            groups = sorted({r["g"].value for r in rows}, key=lambda g: fold(self.label(g)))
            counts = {(r["g"].value, r["st"].value): int(r["n"].value) for r in rows}
            return {
                "labels": [self.label(g) for g in groups],
                "iris": groups,
                "datasets": [
                    {"code": local_name(s), "label": self.label(s), "data": [counts.get((g, s), 0) for g in groups]}
                    for s in statuses
                ],
            }

        return {"by_theme": chart(by_theme), "by_actor_category": chart(by_actor), "usual_by_theme": chart(usual)}

    # -- ontology documentation ---------------------------------------------------------------
    def ontology(self) -> dict[str, Any]:
        """Classes, properties and the SHACL constraints on each class, from the ontology and shapes graphs."""
        g = sparql_iri(self.base + "graph/ontology/odl")
        onto = self.base + "def"
        head = self.q(f"SELECT ?p ?o WHERE {{ GRAPH {g} {{ <{onto}> ?p ?o }} }}")
        terms = self.q(
            f"SELECT ?t ?p ?o WHERE {{ GRAPH {g} {{ ?t ?p ?o "
            f"FILTER(isIRI(?t) && STRSTARTS(STR(?t), \"{self.odl}\")) }} }}"
        )
        unions = self.q(
            f"SELECT ?t ?p ?m WHERE {{ GRAPH {g} {{ ?t ?p ?b . FILTER(isBlank(?b) && STRSTARTS(STR(?t), "
            f"\"{self.odl}\")) ?b owl:unionOf/rdf:rest*/rdf:first ?m }} }}"
        )
        self._finish(terms, "p", "o", "t")
        self._finish(unions, "m")
        by: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for r in terms:
            by[r["t"].value][r["p"].value].append(r["o"])
        union_of: dict[tuple[str, str], list[Node]] = defaultdict(list)
        for r in unions:
            union_of[(r["t"].value, r["p"].value)].append(self.ref(r["m"].value))

        def txt(vals: list[Any]) -> str | None:
            return pick_literal(((t.value, getattr(t, "language", None)) for t in vals if term_kind(t) == "literal"),
                                self.lang)

        def iri_list(t: str, p: str) -> list[Node]:
            named = [self.ref(o.value) for o in by[t].get(p, []) if term_kind(o) == "iri"]
            return named + union_of.get((t, p), [])

        classes, properties = [], []
        kinds = {OWL + "ObjectProperty": "object", OWL + "DatatypeProperty": "datatype",
                 OWL + "AnnotationProperty": "annotation"}
        shapes = self.shapes()
        for t, p in by.items():
            types = {o.value for o in p.get(RDF + "type", [])}
            entry = {
                "term": self.ref(t), "name": local_name(t),
                "definition": txt(p.get(SKOS + "definition", [])),
                "sources": [o.value for o in p.get(DCT + "source", [])],
            }
            if OWL + "Class" in types:
                entry.update(
                    superclasses=iri_list(t, RDFS + "subClassOf"),
                    defined=bool(p.get(OWL + "equivalentClass")),
                    shapes=shapes.get(t, []),
                )
                classes.append(entry)
            kind = next((k for c, k in kinds.items() if c in types), None)
            if kind:
                entry.update(
                    kind=kind, functional=OWL + "FunctionalProperty" in types,
                    domain=iri_list(t, RDFS + "domain"), range=iri_list(t, RDFS + "range"),
                    superproperties=iri_list(t, RDFS + "subPropertyOf"),
                )
                properties.append(entry)
        for c in classes:
            c["properties"] = [p["term"] for p in properties if any(d.value == c["term"].value for d in p["domain"])]
        heads: dict[str, list[Any]] = defaultdict(list)
        for r in head:
            heads[r["p"].value].append(r["o"])
        return {
            "iri": onto,
            "title": txt(heads.get(DCT + "title", [])) or "odl",
            "description": txt(heads.get(DCT + "description", [])),
            "version": next((o.value for o in heads.get(OWL + "versionInfo", [])), None),
            "version_iri": next((o.value for o in heads.get(OWL + "versionIRI", [])), None),
            "license": next((o.value for o in heads.get(DCT + "license", [])), None),
            "modified": next((o.value for o in heads.get(DCT + "modified", [])), None),
            "classes": sorted(classes, key=lambda c: c["name"]),
            "properties": sorted(properties, key=lambda p: (p["kind"], p["name"])),
            "schemes": self.refs(r["s"].value for r in self.q("SELECT ?s WHERE { ?s a skos:ConceptScheme "
                                                              f"FILTER(STRSTARTS(STR(?s), \"{self.base}\")) }}")),
        }

    SHAPE_KEYS = ("minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "hasValue", "minInclusive",
                  "maxInclusive", "minLength", "maxLength", "uniqueLang", "qualifiedMinCount", "qualifiedMaxCount",
                  "severity", "node")

    def shapes(self) -> dict[str, list[dict[str, Any]]]:
        """SHACL property constraints per target class, from the graph/shapes/* named graphs."""
        prefix = self.base + "graph/shapes/"
        rows = self.q(
            f"SELECT ?g ?cls ?shape ?ps ?k ?v WHERE {{ GRAPH ?g {{ ?shape sh:targetClass ?cls ; sh:property ?ps . "
            f"?ps ?k ?v }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
        )
        ins = self.q(
            f"SELECT ?ps ?key ?m WHERE {{ GRAPH ?g {{ "
            f"{{ ?ps sh:in/rdf:rest*/rdf:first ?m BIND(\"in\" AS ?key) }} UNION "
            f"{{ ?ps sh:languageIn/rdf:rest*/rdf:first ?m BIND(\"languageIn\" AS ?key) }} UNION "
            f"{{ ?ps sh:qualifiedValueShape/sh:languageIn/rdf:rest*/rdf:first ?m "
            f"BIND(\"qualifiedValueShape languageIn\" AS ?key) }} UNION "
            f"{{ ?ps sh:qualifiedValueShape/sh:class ?m BIND(\"qualifiedValueShape class\" AS ?key) }} }} "
            f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
        )
        nodes = self.q(
            f"SELECT ?cls ?shape ?m ?sev WHERE {{ GRAPH ?g {{ ?shape sh:targetClass ?cls ; sh:message ?m . "
            f"OPTIONAL {{ ?shape sh:severity ?sev }} }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
        )
        inv = self.q(
            f"SELECT ?ps ?p WHERE {{ GRAPH ?g {{ ?ps sh:path/sh:inversePath ?p }} "
            f"FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
        )
        self._finish(rows, "v", "cls")
        self._finish(ins, "m")
        self._finish(inv, "p")
        in_values: dict[tuple[str, str], list[Node]] = defaultdict(list)
        for r in ins:
            m = r["m"]
            in_values[(r["ps"].value, r["key"].value)].append(
                self.node(m) if term_kind(m) != "iri" else self.ref(m.value))
        inverse = {r["ps"].value: self.ref(r["p"].value) for r in inv}
        props: dict[tuple[str, str], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for r in rows:
            props[(r["cls"].value, r["ps"].value)][local_name(r["k"].value)].append(r["v"])
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (cls, ps), k in props.items():
            path_vals = k.get("path", [])
            if ps in inverse:
                path, inverse_path = inverse[ps], True
            elif path_vals and term_kind(path_vals[0]) == "iri":
                path, inverse_path = self.ref(path_vals[0].value), False
            else:
                path, inverse_path = Node("literal", "(complex path)"), False
            constraints = []
            for key in self.SHAPE_KEYS:
                for v in k.get(key, []):
                    constraints.append((key, self.ref(v.value) if term_kind(v) == "iri" else self.node(v)))
            for (owner, key), members in sorted(in_values.items()):
                if owner == ps:
                    constraints.append((key, Node("literal", ", ".join(sorted(n.text for n in members)))))
            message = pick_literal(((t.value, getattr(t, "language", None)) for t in k.get("message", [])), self.lang)
            out[cls].append({"path": path, "inverse": inverse_path, "constraints": constraints, "message": message})
        node_msgs: dict[tuple[str, str], list[Any]] = defaultdict(list)
        severity: dict[tuple[str, str], str] = {}
        for r in nodes:
            node_msgs[(r["cls"].value, r["shape"].value)].append(r["m"])
            if "sev" in r:
                severity[(r["cls"].value, r["shape"].value)] = r["sev"].value
        self.load_labels(severity.values())
        for (cls, shape), msgs in node_msgs.items():
            message = pick_literal(((t.value, getattr(t, "language", None)) for t in msgs), self.lang)
            sev = severity.get((cls, shape))
            out[cls].append({"path": Node("literal", "(" + local_name(shape) + ")"), "inverse": False,
                             "constraints": [("severity", self.ref(sev))] if sev else [], "message": message})
        for v in out.values():
            v.sort(key=lambda c: (c["path"].kind != "iri", fold(c["path"].text)))
        return out


# -- search ----------------------------------------------------------------------------------
def select_many(source: Source, sparql: str) -> list[dict[str, Any]]:
    """All rows of a large SELECT. Through the engine, as serialised TSV parsed here: shipping tens of
    thousands of term objects between processes one by one is ~30x slower."""
    execute = getattr(source, "execute", None)
    if execute is None:
        return source.select(sparql)
    import pyoxigraph as ox

    from odl_graph.negotiation import RESULTS_FORMATS

    tsv = next(f for f in RESULTS_FORMATS if f.name == "tsv")
    body = execute(sparql, results_format=tsv, row_cap=0).body
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    names = [v.value for v in parsed.variables]
    return [{n: t for n, t in zip(names, sol, strict=True) if t is not None} for sol in parsed]


@dataclass
class SearchHit:
    iri: str
    label: str
    lang: str | None
    rank: int


class SearchIndex:
    """Every label of our resources, folded for accent- and case-insensitive matching.

    Built once per store version (SPARQL has no accent folding; a REGEX per query over ~40k
    commune labels would be slower than this in-memory scan).
    """

    CLASS_PRIORITY = ("UseCase", "Challenge", "DataCategory", "Actor", "Standard", "Dataset", "Experiment",
                      "Service", "Region", "Departement", "EPCI", "Commune")

    def __init__(self, entries: Sequence[tuple[str, str, str | None, int]]) -> None:
        self.entries = [(iri, label, lang, prio, fold(label)) for iri, label, lang, prio in entries]

    @classmethod
    def build(cls, source: Source, base: str = iris.BASE) -> SearchIndex:
        odl = base + "def#"
        rows = select_many(
            source,
            f"SELECT ?s ?l WHERE {{ {{ ?s <{RDFS}label> ?l }} UNION {{ ?s <{SKOS}prefLabel> ?l }} "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{base}\")) }}",
        )
        branches = " UNION ".join(
            f"{{ ?s a <{odl}{c}> BIND({i} AS ?pr) }}" for i, c in enumerate(cls.CLASS_PRIORITY)
        )
        prio: dict[str, int] = {}
        for r in select_many(source, f"SELECT ?s ?pr WHERE {{ {branches} }}"):
            s, p = r["s"].value, int(r["pr"].value)
            prio[s] = min(p, prio.get(s, p))
        n = len(cls.CLASS_PRIORITY)
        return cls([(r["s"].value, r["l"].value, getattr(r["l"], "language", None), prio.get(r["s"].value, n))
                    for r in rows])

    def search(self, query: str, lang: str = DEFAULT_LANG, limit: int = 50) -> list[SearchHit]:
        """Labels containing every word of the query (accents and case ignored), best first."""
        q = fold(query)
        words = q.split()
        if not words:
            return []
        best: dict[str, tuple[tuple, SearchHit]] = {}
        for iri, label, lang_tag, prio, folded in self.entries:
            if not all(w in folded for w in words):
                continue
            if folded == q:
                rank = 0
            elif folded.startswith(q):
                rank = 1
            elif re.search(r"(^|\W)" + re.escape(words[0]), folded):
                rank = 2
            else:
                rank = 3
            key = (rank, prio, lang_rank(lang_tag, lang), len(label), folded)
            if iri not in best or key < best[iri][0]:
                best[iri] = (key, SearchHit(iri, label, lang_tag, rank))
        return [hit for _, hit in sorted(best.values(), key=lambda kv: kv[0])[:limit]]


# -- editor ----------------------------------------------------------------------------------
_VAR_LEXEMES = re.compile(
    r"""(?P<skip><[^<>"{}|^`\\\s]*>|"""
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|'''
    r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*)"""
    r"""|(?P<select>\bSELECT\b)|(?P<where>\bWHERE\b|\{)|(?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)""",
    re.I | re.S,
)


def inline_parameters(sparql: str, values: Mapping[str, str]) -> str:
    """Write parameter values into a query's text, as a substitution would bind them.

    `values` maps variable names to SPARQL terms (`"1"^^<...#integer>`, `<iri>`). In a SELECT
    projection the variable becomes `(term AS ?var)` so the column stays; elsewhere the term
    replaces it. IRIs, strings and comments are left alone.
    """
    out: list[str] = []
    pos = 0
    in_projection = False
    for m in _VAR_LEXEMES.finditer(sparql):
        out.append(sparql[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if m.group("select"):
            in_projection = True
        elif m.group("where"):
            in_projection = False
        elif m.group("var") and token[1:] in values:
            term = values[token[1:]]
            token = f"({term} AS {token})" if in_projection else term
        out.append(token)
    out.append(sparql[pos:])
    return "".join(out)


def editor_text(query: Any, base: str = iris.BASE, lang: str = DEFAULT_LANG) -> str:
    """A catalogue query (odl_graph.catalogue.NamedQuery) as it opens in the editor: rebased, with its
    parameters' defaults written in (YASGUI cannot bind them), checked to still parse."""
    import pyoxigraph as ox

    body = "\n".join(line for line in query.text(base).splitlines() if not line.startswith("#+"))
    title = getattr(query, f"title_{lang}", "") or getattr(query, "name", "")
    description = getattr(query, "description", "")
    head = "".join(f"# {line}\n" for line in (title, *textwrap.wrap(description, 100)) if line)
    text = head + body.lstrip("\n") + "\n"
    defaults = {p.name: p.default for p in getattr(query, "params", ()) if p.default is not None}
    if not defaults:
        return text
    try:
        from odl_graph.catalogue import to_term

        terms = {name: str(to_term(query.param(name), value, base)) for name, value in defaults.items()}
        inlined = inline_parameters(text, terms)
        ox.Store().query(inlined)  # syntax check on an empty store
    except Exception:  # any failure: show the text as written, with its parameters listed
        listed = ", ".join(f"?{k} = {v}" for k, v in defaults.items())
        return f"# Parameters (bind them before running): {listed}\n{text}"
    listed = ", ".join(f"?{k} = {v}" for k, v in defaults.items())
    return f"# Parameters set to their defaults: {listed}\n{inlined}"
