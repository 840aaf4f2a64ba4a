"""SHACL validation of the data graphs, with each result traced back to its source file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl
from rdflib import RDF, SH, Graph, Literal, URIRef

from odl_graph.sources import SourceGraph


@dataclass(frozen=True)
class Result:
    severity: str  # Violation | Warning | Info
    shape: str
    focus: str
    path: str
    value: str
    message_fr: str
    message_en: str
    component: str
    source: str  # file[:line] the focus node comes from


@dataclass
class Report:
    conforms: bool
    results: list[Result]
    graph: Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "results": [asdict(r) for r in self.results],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def _short(term: object) -> str:
    return "" if term is None else str(term)


def _messages(report: Graph, result: URIRef) -> tuple[str, str]:
    by_lang: dict[str, str] = {}
    for m in report.objects(result, SH.resultMessage):
        if isinstance(m, Literal):
            by_lang.setdefault(m.language or "", str(m))
    plain = by_lang.get("", "")
    return by_lang.get("fr", plain), by_lang.get("en", plain)


def source_index(graphs: Iterable[SourceGraph]) -> dict[URIRef, str]:
    """subject -> 'file:line' (curated) or 'file' (imports), for reporting."""
    index: dict[URIRef, str] = {}
    for sg in graphs:
        if not sg.is_data:
            continue
        files = ", ".join(_rel(p) for p in sg.files) or sg.name
        for s in set(sg.graph.subjects()):
            if isinstance(s, URIRef) and s not in index:
                line = sg.lines.get(s)
                index[s] = f"{_rel(sg.files[0])}:{line}" if line and sg.files else files
    return index


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def validate(graphs: list[SourceGraph]) -> Report:
    """Validate the data graphs against the shapes. The ontology is not mixed into the data;
    our SKOS vocabularies are, because shapes check that values are concepts of a scheme."""
    data = Graph()
    shapes = Graph()
    for sg in graphs:
        if sg.is_data or sg.kind == "vocab":
            data += sg.graph
        elif sg.kind == "shapes":
            shapes += sg.graph
    conforms, report_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True
    )
    index = source_index(graphs)
    results = []
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(r, SH.focusNode)
        fr, en = _messages(report_graph, r)  # type: ignore[arg-type]
        severity = _short(report_graph.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        results.append(
            Result(
                severity=severity,
                shape=_short(report_graph.value(r, SH.sourceShape)),
                focus=_short(focus),
                path=_short(report_graph.value(r, SH.resultPath)),
                value=_short(report_graph.value(r, SH.value)),
                message_fr=fr,
                message_en=en,
                component=_short(report_graph.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                source=index.get(focus, "?"),  # type: ignore[arg-type]
            )
        )
    results.sort(key=lambda x: (x.severity != "Violation", x.source, x.focus, x.path))
    has_violation = any(r.severity == "Violation" for r in results)
    return Report(conforms=bool(conforms) and not has_violation, results=results, graph=report_graph)
