"""The licence of the graph and the names of licences, in one place.

The graph's licence is the setting `licence` (an IRI, by default the EU Licence table's ODbL 1.0:
docs/licence.md says why). What a licence is called, in French and English, is the table
`data/licences.csv`; a licence it does not list is named by the English label of the EU Licence table
(data/vocab/licence-sparql-extract.ttl), else by its IRI. Every place that states a licence (the dumps'
manifest, /download/, /catalog, VoID, the page footer) reads it from here.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from rdflib import SKOS, URIRef

from odl_graph import vocab_files
from odl_graph.config import PROJECT_ROOT

TABLE = PROJECT_ROOT / "data" / "licences.csv"
LANGS = ("fr", "en")


@dataclass(frozen=True)
class Licence:
    iri: str
    labels: Mapping[str, str]  # lang -> label, for every language of LANGS

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]

    def as_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": dict(self.labels)}


@cache
def _table() -> dict[str, dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return {row["iri"]: {lang: row[f"label_{lang}"] for lang in LANGS} for row in csv.DictReader(f)}


@cache
def _eu_labels() -> dict[str, str]:
    graph = vocab_files.load(vocab_files.EXTERNAL_VOCABULARIES["licence"])
    return {str(s): str(o) for s, o in graph.subject_objects(SKOS.prefLabel)
            if isinstance(s, URIRef) and getattr(o, "language", None) == "en"}


def licence(iri: str) -> Licence:
    """A licence by its IRI, with its name in each language."""
    labels = _table().get(iri)
    if labels is None:
        name = _eu_labels().get(iri, iri)
        labels = dict.fromkeys(LANGS, name)
    return Licence(iri, labels)


def graph_licence(settings: Mapping[str, Any]) -> Licence | None:
    """The licence of the graph as configured (None when the setting is emptied)."""
    iri = (settings.get("licence") or "").strip()
    return licence(iri) if iri else None
