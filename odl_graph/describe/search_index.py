"""The label index behind the site search: every label of our resources, folded for accent- and
case-insensitive matching."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from odl_graph import iris
from odl_graph.describe.labels import DEFAULT_LANG, RDFS, SKOS, Source, fold, lang_rank


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
