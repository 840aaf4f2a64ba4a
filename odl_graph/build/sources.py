"""The sources of the graph (ontology, vocabularies, shapes, curated files), each as an rdflib Graph
destined for its own named graph, so provenance stays queryable; `collect` gathers them with the imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import SKOS, Graph, URIRef

from odl_graph import iris, vocab_files
from odl_graph.build import curated
from odl_graph.errors import SourceError, SourceLocation
from odl_graph.namespace import ODL

EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
TERRITORY_CLASSES = (ODL.Commune, ODL.EPCI, ODL.Departement, ODL.Region)

# Kinds of named graph (docs/design.md). Data graphs are what SHACL validates.
DATA_KINDS = frozenset({"import", "data"})


@dataclass
class SourceGraph:
    """One named graph of the build and where it comes from."""

    kind: str  # ontology | vocab | external | shapes | import | data
    name: str
    graph: Graph
    files: list[Path]
    lines: dict[URIRef, int] = field(default_factory=dict)  # curated subjects -> CSV line
    cells: dict[tuple[URIRef, URIRef], tuple[int, int]] = field(default_factory=dict)  # -> (line, column)
    _nt: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def iri(self) -> URIRef:
        return iris.graph(self.kind, self.name)

    @property
    def is_data(self) -> bool:
        return self.kind in DATA_KINDS

    def ntriples(self) -> bytes:
        """N-Triples of the graph, serialised once (validation cache key and store load share it)."""
        if self._nt is None:
            self._nt = self.graph.serialize(format="nt", encoding="utf-8")
        return self._nt


def parse_rdf(path: Path) -> Graph:
    """Parse an RDF file, turning a syntax error into a SourceError that names file and line."""
    g = Graph()
    try:
        g.parse(path, format=vocab_files.rdf_format(path))
    except Exception as exc:  # rdflib raises many types; all mean 'this file is broken'
        import re

        m = re.search(r"line (\d+)", str(exc))
        raise SourceError(SourceLocation(str(path), int(m.group(1)) if m else None), f"cannot parse: {exc}") from exc
    return g


def schema_graphs() -> list[SourceGraph]:
    """The ontology and our SKOS vocabularies."""
    out = [SourceGraph("ontology", "odl", parse_rdf(vocab_files.ONTOLOGY_FILE), [vocab_files.ONTOLOGY_FILE])]
    for name, path in sorted(vocab_files.VOCABULARY_FILES.items()):
        out.append(SourceGraph("vocab", name, parse_rdf(path), [path]))
    return out


def external_graphs() -> list[SourceGraph]:
    return [
        SourceGraph("external", name, parse_rdf(path), [path])
        for name, path in sorted(vocab_files.EXTERNAL_VOCABULARIES.items())
    ]


def shape_graphs() -> list[SourceGraph]:
    return [SourceGraph("shapes", name, parse_rdf(path), [path]) for name, path in vocab_files.shape_files().items()]


def compiler_context(schema: list[SourceGraph]) -> curated.Context:
    """What compiling needs from the vocabularies: each openness concept's EU access right."""
    access: dict[URIRef, URIRef] = {}
    for sg in schema:
        if sg.kind == "vocab" and sg.name == "openness":
            for pred in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch):
                for s, o in sg.graph.subject_objects(pred):
                    if str(o).startswith(EU_ACCESS_RIGHT) and s not in access:
                        access[s] = o  # type: ignore[index,assignment]
    return curated.Context(access)


def curated_graphs(folder: Path, context: curated.Context) -> list[SourceGraph]:
    return [
        SourceGraph("data", f.name, f.graph, [f.path], dict(f.subjects), dict(f.cells))
        for f in curated.compile_folder(folder, context)
    ]
