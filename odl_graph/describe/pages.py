"""Which page a resource gets, and the registry of page builders that fills it.

A page is the resource's statements (`Describer.resource`) plus the sections of its kind. The kind comes
from the resource's rdf:type (and, for thematic dossiers, its scheme); `PAGE_BUILDERS` maps each kind to
the function that gathers its sections, and `server/templates/pages/<kind>.html` renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from odl_graph.describe import (
    actor,
    challenge,
    datacategory,
    dataset,
    dossier,
    scheme,
    standard,
    territory,
    usecase,
)
from odl_graph.describe.base import Describer
from odl_graph.describe.labels import DCAT, SKOS, Node, Page

Builder = Callable[[Describer, Page], dict[str, Any]]

PAGE_BUILDERS: dict[str, Builder] = {
    "usecase": usecase.sections,
    "challenge": challenge.sections,
    "datacategory": datacategory.sections,
    "actor": actor.sections,
    "territory": territory.sections,
    "standard": standard.sections,
    "dossier": dossier.sections,
    "dataset": dataset.sections,
    "scheme": scheme.scheme_sections,
    "concept": scheme.concept_sections,
}
"""Page kind -> its section builder; a kind without one (`generic`) shows the statements only."""

# rdf:type -> page kind, first match wins (a curated odl:Dataset is also a dcat:Dataset).
_ODL_KINDS = (("UseCase", "usecase"), ("Challenge", "challenge"), ("DataCategory", "datacategory"),
              ("Actor", "actor"), ("Standard", "standard"), ("Dataset", "dataset"))
_TERRITORIES = ("Territory", "Commune", "EPCI", "Departement", "Region")


def kind_of(desc: Describer, iri: str, types: set[str]) -> str:
    """Which page kind a resource gets, from its rdf:type (and the theme scheme for dossiers)."""
    if iri.startswith(desc.base + "id/concept/theme/"):
        return "dossier"
    for cls, kind in _ODL_KINDS:
        if desc.odl + cls in types:
            return kind
    if types & {desc.odl + c for c in _TERRITORIES}:
        return "territory"
    if DCAT + "Dataset" in types:
        return "dataset"
    if SKOS + "ConceptScheme" in types:
        return "scheme"
    if SKOS + "Concept" in types:
        return "concept"
    return "generic"


def page(desc: Describer, iri: str) -> Page:
    """The page of any resource: its statements, its kind, and the sections of that kind."""
    result = desc.resource(iri)
    result.kind = kind_of(desc, iri, {t.value for t in result.types})
    builder = PAGE_BUILDERS.get(result.kind)
    if builder is not None:
        result.sections = builder(desc, result)
    return result


def as_data(value: Any) -> Any:
    """A page's model as plain JSON data: Nodes become {value, label (or lang, datatype)} objects."""
    if isinstance(value, Node):
        out: dict[str, Any] = {"type": value.kind, "value": value.value}
        if value.kind == "iri" and value.label:
            out["label"] = value.label
        if value.lang:
            out["lang"] = value.lang
        if value.datatype:
            out["datatype"] = value.datatype
        return out
    if isinstance(value, Page):
        return {"iri": value.iri, "kind": value.kind, "lang": value.lang, "label": value.label,
                **({"label_lang": value.label_lang} if value.label_lang else {}),
                "types": as_data(value.types), "sections": as_data(value.sections),
                "statements": [dict(zip(STATEMENT_COLUMNS, row, strict=True)) for row in statements(value)]}
    if isinstance(value, dict):
        return {str(k): as_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [as_data(v) for v in value]
    return value


STATEMENT_COLUMNS = ("direction", "property", "property_label", "value", "value_label", "value_lang",
                     "value_datatype")


def statements(page: Page) -> list[tuple[str, ...]]:
    """The page's statements as rows (its CSV): outgoing, then incoming, each with labels."""
    rows = []
    for direction, groups in (("out", page.properties), ("in", page.incoming)):
        for p, nodes in groups:
            for n in nodes:
                rows.append((direction, p.value, p.text, n.value, n.label if n.kind == "iri" else "",
                             n.lang or "", n.datatype or ""))
    return rows
