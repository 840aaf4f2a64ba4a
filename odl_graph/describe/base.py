"""The describer: one reader's language over one query source, with the label cache and the section
helpers several page kinds share (datasets, findings, publications, experiments, data requirements).

Every query goes through a `Source` (the query engine in the server, so pages get its worker processes
and time limit), never through rdflib's SPARQL engine. Queries are built from the configured base IRI:
the store holds rebased IRIs (odl_graph.iris.rebase), including the ontology terms, so `odl:` is
`{base}def#` here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from odl_graph import iris
from odl_graph.describe.labels import (
    DCT,
    DEFAULT_LANG,
    LABEL_PREDICATES,
    LANGS,
    RDF,
    RDFS,
    SKOS,
    Node,
    Page,
    Source,
    fold,
    label_order,
    lang_rank,
    local_name,
    pick_literal,
    sparql_iri,
    term_kind,
)
from odl_graph.iris import SPARQL_PREFIXES, sparql_prefixes


def prefixed_name(iri: str, base: str = iris.BASE) -> str | None:
    """'http://purl.org/dc/terms/license' -> 'dcterms:license' (None outside the known prefixes)."""
    for prefix, ns in (("odl", base + "def#"), *SPARQL_PREFIXES.items()):
        if iri.startswith(ns) and iri[len(ns):] and not set(iri[len(ns):]) & set("/#"):
            return f"{prefix}:{iri[len(ns):]}"
    return None

INCOMING_LIMIT = 300
MEMBER_LIMIT = 300


class Describer:
    """Gathers page data for one language over one query source."""

    def __init__(self, source: Source, base: str = iris.BASE, lang: str = DEFAULT_LANG) -> None:
        self.src = source
        self.base = base
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self.odl = base + "def#"
        self._labels: dict[str, str] = {}
        self._label_lang: dict[str, str | None] = {}  # the cached label's language tag

    # -- helpers -----------------------------------------------------------------------------
    @property
    def prefixes(self) -> str:
        """The PREFIX lines of every query (odl: and the others on the configured base)."""
        return sparql_prefixes(self.base)

    def q(self, body: str, limit: int = 0) -> list[dict[str, Any]]:
        """Rows of a SELECT written without prefixes."""
        return self.src.select(self.prefixes + body, limit=limit)

    def concept(self, scheme: str, code: str) -> str:
        """The IRI of a concept of one of our schemes."""
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
                lang = getattr(lit, "language", None) or None
                found[r["s"].value].append((label_order(lit.value, lang, int(r["k"].value), self.lang), lang))
            for n in chunk:
                best = min(found[n]) if found.get(n) else ((9, 0, local_name(n)), None)
                self._labels[n], self._label_lang[n] = best[0][2], best[1]

    def label(self, iri: str) -> str:
        """The label of an IRI in the reader's language (cached)."""
        if iri not in self._labels:
            self.load_labels([iri])
        return self._labels[iri]

    def fallback_lang(self, iri: str) -> str | None:
        """The language tag of an IRI's label when it is not the reader's (a fallback the page marks up
        with `lang`, JSON with `lang`); None when it is in the reader's language or untagged."""
        tag = self._label_lang.get(iri)
        return tag if tag and lang_rank(tag, self.lang) != 0 else None

    def node(self, term: Any) -> Node:
        """A pyoxigraph term as a displayable Node (IRIs with the labels loaded so far)."""
        kind = term_kind(term)
        if kind == "literal":
            dt = getattr(term, "datatype", None)
            return Node("literal", term.value, lang=getattr(term, "language", None), datatype=dt.value if dt else None)
        if kind == "bnode":
            return Node("bnode", term.value, label="_:" + term.value)
        return Node("iri", term.value, label=self._labels.get(term.value, ""), lang=self.fallback_lang(term.value))

    def ref(self, iri: str) -> Node:
        """An IRI as a labelled Node."""
        label = self.label(iri)
        return Node("iri", iri, label=label, lang=self.fallback_lang(iri))

    def term(self, iri: str) -> Node:
        """A vocabulary term (a predicate) as a Node: its label in the reader's language, else its prefixed
        name (`dcterms:license`), so a French page shows no English-only label of a reused vocabulary."""
        label = self.label(iri)
        if self._label_lang.get(iri) is None or self.fallback_lang(iri):
            named = prefixed_name(iri, self.base)
            if named:
                return Node("iri", iri, label=named)
        return Node("iri", iri, label=label, lang=self.fallback_lang(iri))

    def refs(self, values: Iterable[str]) -> list[Node]:
        """IRIs as labelled Nodes, once each, sorted by label (accents ignored)."""
        vals = list(dict.fromkeys(v for v in values if v))
        self.load_labels(vals)
        return sorted((self.ref(v) for v in vals), key=lambda n: fold(n.label))

    def load_row_labels(self, rows: list[dict[str, Any]], *names: str) -> None:
        """Load the labels of every IRI the given columns of rows hold."""
        self.load_labels(
            r[n].value for r in rows for n in names if n in r and term_kind(r[n]) == "iri"
        )

    # -- generic description -------------------------------------------------------------------
    def exists(self, iri: str) -> bool:
        """Does the store hold any statement about or towards the IRI?"""
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

    def resource(self, iri: str) -> Page:
        """The generic part of any resource's page: its statements both ways, grouped by predicate (the
        page kind and its sections are added by odl_graph.describe.pages)."""
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
        types = sorted((self.term(n.value) for n in props.get(RDF + "type", []) if n.kind == "iri"),
                       key=lambda n: n.value)
        return Page(
            iri=iri,
            kind="generic",
            lang=self.lang,
            label=self.label(iri),
            types=types,
            properties=self._group(props),
            incoming=self._group(incoming),
            incoming_truncated=truncated,
            query=self.editor_query(iri),
            label_lang=self.fallback_lang(iri),
        )

    def _group(self, grouped: Mapping[str, list[Node]]) -> list[tuple[Node, list[Node]]]:
        def order(n: Node) -> tuple:
            return (lang_rank(n.lang, self.lang) if n.kind == "literal" else 0, fold(n.text))

        rows = [(self.term(p), sorted(objs, key=order)) for p, objs in grouped.items()]
        first = {RDF + "type": 0, RDFS + "label": 1, SKOS + "prefLabel": 1, DCT + "title": 2, DCT + "description": 3}
        return sorted(rows, key=lambda r: (first.get(r[0].value, 9), fold(r[0].label)))

    # -- sections shared by several page kinds ---------------------------------------------------
    def requirements_of(self, where: str) -> list[dict[str, Any]]:
        """Rows (?uc ?dc ?lvl ?st) of the data requirements of the use cases matched by `where`."""
        return self.q(
            f"SELECT DISTINCT ?uc ?dc ?lvl ?st WHERE {{ {where} ?uc odl:hasRequirement ?r . "
            f"?r odl:requiredCategory ?dc . OPTIONAL {{ ?r odl:requirementLevel ?lvl }} "
            f"OPTIONAL {{ ?dc odl:usualOpennessStatus ?st }} }}"
        )

    def needed_data(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Aggregate requirement rows per data category: how many use cases, how many say indispensable."""
        self.load_row_labels(rows, "dc", "st", "lvl")
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

    EXPERIMENT_FIELDS = ("objectives", "qualitativeResults", "implementationEffort", "dataSustainability",
                         "geographicScope", "deploymentConstraints")

    def experiments(self, where: str) -> list[dict[str, Any]]:
        """Experiments matched by `where` (binding ?e) with their evaluation, in the reader's language."""
        fields = ", ".join(f"odl:{f}" for f in self.EXPERIMENT_FIELDS)
        rows = self.q(
            f"SELECT DISTINCT ?e ?p ?o WHERE {{ {where} ?e a odl:Experiment ; ?p ?o . "
            f"FILTER(?p IN ({fields}, dcterms:spatial, odl:season, odl:testsUseCase, odl:minimalData, "
            f"odl:unknownValueOf, dcterms:source)) }}"
        )
        period = self.q(
            f"SELECT DISTINCT ?e ?start ?end WHERE {{ {where} ?e a odl:Experiment ; dcterms:temporal ?t . "
            f"OPTIONAL {{ ?t dcat:startDate ?start }} OPTIONAL {{ ?t dcat:endDate ?end }} }}"
        )
        self.load_row_labels(rows, "e", "o")
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
                "sources": sorted({t.value for t in p.get("source", [])}),
                "publications": self.publications(f"{sparql_iri(e)} odl:testsUseCase ?u . ?p dcterms:subject ?u ."),
            })
        return sorted(out, key=lambda x: fold(x["experiment"].label))
    def datasets(self, where: str) -> list[dict[str, Any]]:
        """Datasets matched by `where` (binding ?d) with status, territories, category and actors."""
        rows = self.q(
            f"SELECT ?d ?p ?o WHERE {{ {where} ?d a odl:Dataset ; ?p ?o . FILTER(?p IN (odl:opennessStatus, "
            f"dcterms:spatial, odl:instantiates, dcterms:publisher, dcterms:rightsHolder, dcterms:conformsTo)) }}"
        )
        self.load_row_labels(rows, "d", "o")
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
            self.load_row_labels(rows, "st")
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
        self.load_row_labels(rows, "p", "k")
        out = [{"publication": self.ref(r["p"].value), "kind": self.ref(r["k"].value) if "k" in r else None,
                "page": r["page"].value, "issued": r["issued"].value if "issued" in r else None} for r in rows]
        return sorted(out, key=lambda d: fold(d["publication"].label))
