"""SHACL validation of the data graphs, with each result traced back to its source file."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef

from odl_graph.build import dcat_ap
from odl_graph.build.sources import TERRITORY_CLASSES, SourceGraph


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
    """The shape's message in French and English, each naming the offending value when there is one
    (a bad date, IRI or code): the shape says what is expected, the value what was found."""
    by_lang: dict[str, str] = {}
    for m in report.objects(result, SH.resultMessage):
        if isinstance(m, Literal):
            by_lang.setdefault(m.language or "", str(m))
    plain = by_lang.get("", "")
    fr, en = by_lang.get("fr", plain), by_lang.get("en", plain)
    value = report.value(result, SH.value)
    if value is None or isinstance(value, BNode):
        return fr, en
    shown = _shown(value)
    return f"{fr} Valeur trouvée : {shown}.", f"{en} Value found: {shown}."


def _shown(value: object) -> str:
    """A value as the data wrote it: <IRI>, or "text" with its datatype or language."""
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, Literal):
        text = str(value) if len(str(value)) <= 200 else str(value)[:200] + "…"
        if value.language:
            return f'"{text}"@{value.language}'
        if value.datatype is not None:
            return f'"{text}"^^<{value.datatype}>'
        return f'"{text}"'
    return str(value)


class SourceIndex:
    """Where a focus node (and, for curated cells, a focus node and path) comes from."""

    def __init__(self, graphs: Iterable[SourceGraph]) -> None:
        self.subjects: dict[URIRef, str] = {}
        self.cells: dict[tuple[URIRef, URIRef], str] = {}
        for sg in graphs:
            if not sg.is_data:
                continue
            first = _rel(sg.files[0]) if sg.files else sg.name
            for (subject, pred), (line, col) in sg.cells.items():
                self.cells.setdefault((subject, pred), f"{first}:{line}:{col}")
            files = ", ".join(_rel(p) for p in sg.files) or sg.name
            for s in set(sg.graph.subjects()):
                if isinstance(s, URIRef) and s not in self.subjects:
                    line = sg.lines.get(s)
                    self.subjects[s] = f"{first}:{line}" if line else files

    def locate(self, focus: object, path: object) -> str:
        return self.cells.get((focus, path)) or self.subjects.get(focus) or "?"  # type: ignore[arg-type]


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def split_shapes(shapes: Graph) -> tuple[Graph, Graph]:
    """(territory shapes, the rest): two copies of the shapes graph, each keeping only its targets,
    so a shape without targets in a copy never fires there."""
    territory, rest = Graph(), Graph()
    for triple in shapes:
        _s, p, o = triple
        if p in TARGETS:
            (territory if p == SH.targetClass and o in TERRITORY_CLASSES else rest).add(triple)
        else:
            territory.add(triple)
            rest.add(triple)
    return territory, rest


def _territory_nodes(graphs: list[SourceGraph]) -> set:
    return {s for sg in graphs if sg.is_data for c in TERRITORY_CLASSES for s in sg.graph.subjects(RDF.type, c)}


def _digest(shape_graphs: list[SourceGraph], graphs: list[SourceGraph]) -> str:
    """Cache key: pyshacl's version, the shape files' bytes (their parsed graphs hold blank nodes,
    whose labels change from run to run) and the N-Triples of the validated graphs."""
    h = hashlib.sha256(f"pyshacl {pyshacl.__version__}; split by {sorted(map(str, TERRITORY_CLASSES))}\n".encode())
    for sg in shape_graphs:
        for f in sg.files:
            h.update(f"\n--{f.name}\n".encode() + f.read_bytes())
    for sg in graphs:
        if any(isinstance(term, BNode) for triple in sg.graph for term in triple):
            h.update(os.urandom(16))  # blank node labels are not stable: never reuse such a report
        h.update(f"\n--{sg.kind}/{sg.name}\n".encode())
        h.update(b"\n".join(sorted(sg.ntriples().splitlines())))  # triple order varies between runs
    return h.hexdigest()


def _run(data: Graph, shapes: Graph) -> Graph:
    _conforms, report_graph, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True, inplace=True
    )
    return report_graph


# Set in the parent just before its workers fork, read by them: the graphs are inherited, never copied.
_SHARED: tuple[Graph, list[Graph]] | None = None
MIN_CHUNK = 2_000  # below this many focus nodes per worker, a fork costs more than it saves


def _run_chunk(i: int) -> bytes:
    assert _SHARED is not None
    data, chunk_shapes = _SHARED
    return _run(data, chunk_shapes[i]).serialize(format="nt", encoding="utf-8")


def _targets(data: Graph, shapes: Graph) -> dict[object, set]:
    """Each class-targeted shape's focus nodes, as SHACL defines them: the instances of the class and of
    its subclasses (rdfs:subClassOf* in the data graph)."""
    out: dict[object, set] = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        out.setdefault(shape, set()).update(s for c in classes for s in data.subjects(RDF.type, c))
    return out


def _run_parallel(data: Graph, shapes: Graph, workers: int | None = None) -> Graph:
    """Validate the class-targeted `shapes` in `workers` forked processes (one per core by default).

    pyshacl uses one core, and the 35k territories are independent of one another: each worker gets a
    share of every shape's focus nodes, given as standard `sh:targetNode`s in place of the shape's
    `sh:targetClass`, so the union of the shares is exactly the class's instances. The reports are
    merged; their blank nodes stay apart (each N-Triples parse makes its own).
    """
    global _SHARED
    workers = workers or min(len(os.sched_getaffinity(0)), 8)
    targets = _targets(data, shapes)
    nodes = sorted(set().union(*targets.values()) if targets else set())
    workers = max(1, min(workers, len(nodes) // MIN_CHUNK))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _run(data, shapes)
    share = {n: i % workers for i, n in enumerate(nodes)}
    chunk_shapes = []
    for i in range(workers):
        g = Graph()
        g += (t for t in shapes if t[1] != SH.targetClass)
        g += ((shape, SH.targetNode, n) for shape, focus in targets.items() for n in focus if share[n] == i)
        chunk_shapes.append(g)
    _SHARED = (data, chunk_shapes)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run_chunk, range(workers))
    finally:
        _SHARED = None
    report = Graph()
    for part in parts:
        report.parse(data=part, format="nt")
    return report


def validate(graphs: list[SourceGraph], cache_dir: Path | None = None) -> Report:
    """Validate the data graphs against the shapes. The ontology is not mixed into the data;
    our SKOS vocabularies are, because shapes check that values are concepts of a scheme.

    The 35k territories take most of pyshacl's time, and their shapes read only territory
    graphs: that part's report is cached under the SHA-256 of exactly its input (shapes and
    N-Triples of the graphs), so it is reused only when the input is byte-identical.
    """
    shapes = Graph()
    for sg in graphs:
        if sg.kind == "shapes":
            shapes += sg.graph
    vocab = [sg for sg in graphs if sg.kind == "vocab"]
    nodes = _territory_nodes(graphs)
    # Graphs that say anything about a territory are validated with the territory shapes;
    # the others with the rest, seeing only the types of the territories they point to.
    territorial = [sg for sg in graphs if sg.is_data and any(s in nodes for s in sg.graph.subjects())]
    others = [sg for sg in graphs if sg.is_data and sg not in territorial]
    territory_shapes, other_shapes = split_shapes(shapes)

    data = Graph()
    for sg in [*others, *vocab]:
        data += sg.graph
    for sg in territorial:
        for c in TERRITORY_CLASSES:
            for triple in sg.graph.triples((None, RDF.type, c)):
                data.add(triple)
    report_graph = _run(data, other_shapes)

    shape_sources = [sg for sg in graphs if sg.kind == "shapes"]
    cached = cache_dir / f"territories-{_digest(shape_sources, territorial)}.nt" if cache_dir else None
    if cached is not None and cached.exists():
        report_graph.parse(cached, format="nt")
    else:
        data = Graph()
        for sg in [*territorial, *vocab]:
            data += sg.graph
        territory_report = _run_parallel(data, territory_shapes)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")  # workers of a parallel test run may race
            territory_report.serialize(destination=str(tmp), format="nt", encoding="utf-8")
            tmp.replace(cached)
        report_graph += territory_report
    # Every dataset record (curated, imported, harvested) against the DCAT-AP 3.0.1 profile.
    report_graph += dcat_ap.validate_records(sg.graph for sg in graphs if sg.is_data or sg.kind == "vocab")
    index = SourceIndex(graphs)
    results = []
    # Top-level results only: pyshacl also types the nested sh:detail results of sh:or.
    for r in report_graph.objects(None, SH.result):
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
                source=index.locate(focus, report_graph.value(r, SH.resultPath)),
            )
        )
    results.sort(key=lambda x: (x.severity != "Violation", x.source, x.focus, x.path))
    has_violation = any(r.severity == "Violation" for r in results)
    return Report(conforms=not has_violation, results=results, graph=report_graph)
