"""Build the store: collect every source, validate, reason, then swap the store in one atomic step.

The stages run on in-memory graphs, in this order (`steps` lists them for a progress bar): the sources
(`collect.collect_all`), SHACL validation (`validate`), the standard types (`standard_types`), OWL
reasoning (`reason`, when the setting `build_reason` is on), the provenance graph, and the one write.
Any failure raises before the store is touched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from odl_graph import __version__, iris, vocab_files
from odl_graph.build import dcat_ap
from odl_graph.build.collect import collect_all, collect_steps
from odl_graph.build.importers._common import RowNote, row_notes
from odl_graph.build.reason import inferred_graph
from odl_graph.build.registry import IMPORTERS
from odl_graph.build.sources import SourceGraph
from odl_graph.build.standard_types import NAME as STANDARD_TYPES
from odl_graph.build.standard_types import standard_types
from odl_graph.build.validate import Report, validate
from odl_graph.errors import ValidationFailed
from odl_graph.stores import GraphStore, open_store

ProgressFn = Callable[[str], Any]

VALIDATION, REASONING, WRITING = "SHACL validation", "OWL reasoning", "writing the store"


def steps(settings: dict, importers: list[str] | None = None) -> list[str]:
    """The progress messages `build` emits, in order: one per source, then one per later stage."""
    return [*collect_steps(importers), VALIDATION, *([REASONING] if settings["build_reason"] else []), WRITING]


@dataclass
class BuildSummary:
    counts: dict[str, int]  # named graph IRI -> triples
    report: Report
    store_version: str | None
    notes: list[RowNote] = field(default_factory=list)  # source rows corrected, left out or not joined


def meta_graph(graphs: list[SourceGraph], project_root: Path) -> Graph:
    """Provenance of each named graph: the files it was derived from, and when."""
    g = Graph()
    now = Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    for sg in graphs:
        g.add((sg.iri, RDF.type, PROV.Entity))
        g.add((sg.iri, DCTERMS.modified, now))
        g.add((sg.iri, PROV.wasGeneratedBy, URIRef(iris.BASE + "id/build/odl-graph-" + __version__)))
        for f in sg.files:
            try:
                rel = f.resolve().relative_to(project_root)
                src = URIRef(iris.BASE + "source/" + str(rel))
            except ValueError:
                src = URIRef(f.resolve().as_uri())
            g.add((sg.iri, PROV.wasDerivedFrom, src))
    return g


def serialise(graphs: list[SourceGraph], base_iri: str) -> dict[str, bytes]:
    """N-Triples per named graph, rebased onto the configured base IRI."""
    out: dict[str, bytes] = {}
    for sg in graphs:
        nt = sg.ntriples()
        if base_iri != iris.BASE:
            nt = iris.rebase(nt.decode("utf-8"), base_iri).encode("utf-8")
        out[iris.rebase(str(sg.iri), base_iri)] = nt
    return out


def build(
    settings: dict,
    *,
    progress: ProgressFn | None = None,
    store: GraphStore | None = None,
    curated_dir: Path | None = None,
    fail_on_violation: bool = True,
    importers: list[str] | None = None,
) -> BuildSummary:
    """Collect, validate, reason and load. Any failure raises before the store is touched."""
    from odl_graph.config import PROJECT_ROOT

    say = progress or (lambda _m: None)
    graphs = collect_all(settings, say, curated_dir=curated_dir, importers=importers)
    notes = [n for name in (IMPORTERS if importers is None else importers)
             for n in row_notes(IMPORTERS[name], Path(settings["data_dir"]))]
    say(VALIDATION)
    report = validate(graphs, cache_dir=Path(settings["cache_dir"]))
    if fail_on_violation and not report.conforms:
        raise ValidationFailed(report, f"{len(report.violations)} SHACL violation(s); the store was not changed")
    ontology = next(sg.graph for sg in graphs if sg.kind == "ontology")
    inferred = standard_types(ontology, [sg.graph for sg in graphs if sg.is_data or sg.kind == "vocab"])
    # the classes DCAT-AP asks of the records' values, served so a client needs no inference (dcat_ap.py)
    ranges = dcat_ap.range_types([sg.graph for sg in graphs if sg.is_data or sg.kind == "vocab"])
    range_files = [dcat_ap.EXTERNAL_DIR / n for n in dcat_ap.RANGE_VOCABULARIES]
    graphs = [*graphs, SourceGraph("inferred", STANDARD_TYPES, inferred, [vocab_files.ONTOLOGY_FILE]),
              SourceGraph("inferred", dcat_ap.NAME, ranges, range_files)]
    if settings["build_reason"]:
        say(REASONING)
        graphs.append(inferred_graph(graphs))
    everything = [*graphs, SourceGraph("meta", "", meta_graph(graphs, PROJECT_ROOT), [])]
    payload = serialise(everything, settings["base_iri"])
    say(WRITING)
    target = store if store is not None else open_store(settings)
    target.replace_all(payload)
    counts = {sg.iri: len(sg.graph) for sg in everything}
    version = getattr(target, "version", lambda: None)()
    return BuildSummary(counts={iris.rebase(str(k), settings["base_iri"]): v for k, v in counts.items()},
                        report=report, store_version=version, notes=notes)
