"""The territory report cache: its key depends on the content only (not on blank-node labels or
triple order, which change between runs), and a cached report is the report a fresh run gives."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from odl_graph import iris, vocab_files
from odl_graph.build.sources import SourceGraph, parse_rdf, schema_graphs, shape_graphs
from odl_graph.build.validate import _digest, validate
from odl_graph.namespace import ODL


def territory_graph(reverse: bool = False, label: str = "Vitré") -> SourceGraph:
    c = iris.commune("35360")
    triples = [(c, RDF.type, ODL.Commune), (c, RDFS.label, Literal(label, lang="fr")),
               (c, URIRef("http://rdf.insee.fr/def/geo#codeINSEE"), Literal("35360"))]
    g = Graph()
    for t in reversed(triples) if reverse else triples:
        g.add(t)
    return SourceGraph("import", "cog", g, [])


def shapes_twice() -> tuple[list[SourceGraph], list[SourceGraph]]:
    return shape_graphs(), [SourceGraph("shapes", n, parse_rdf(p), [p]) for n, p in vocab_files.shape_files().items()]


def test_key_ignores_blank_node_labels_and_triple_order() -> None:
    a, b = shapes_twice()
    assert _digest(a, [territory_graph()]) == _digest(b, [territory_graph(reverse=True)])


def test_key_changes_with_the_content() -> None:
    a, _ = shapes_twice()
    assert _digest(a, [territory_graph()]) != _digest(a, [territory_graph(label="Vitre")])


def test_cached_report_equals_a_fresh_one(tmp_path: Path) -> None:
    c = iris.commune("35360")
    bad = territory_graph()
    bad.graph.add((c, ODL.population, Literal(-3)))  # violates the population shape
    graphs = [*schema_graphs(), *shape_graphs(), bad]
    fresh = validate(graphs, cache_dir=tmp_path)
    cached = validate(graphs, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    key = [(r.severity, r.focus, r.path, r.message_en) for r in fresh.results]
    assert key == [(r.severity, r.focus, r.path, r.message_en) for r in cached.results]
    assert any(r.path == str(ODL.population) and r.severity == "Violation" for r in cached.results)


def _results(report: Graph) -> set[tuple]:
    sh = "http://www.w3.org/ns/shacl#"
    return {(report.value(r, URIRef(sh + "focusNode")), report.value(r, URIRef(sh + "resultPath")),
             report.value(r, URIRef(sh + "resultSeverity")), report.value(r, URIRef(sh + "sourceConstraintComponent")))
            for r in report.objects(None, URIRef(sh + "result"))}


def test_territories_validated_in_parallel_give_the_one_process_report(monkeypatch) -> None:
    """Each worker validates a share of the focus nodes given as sh:targetNode: together, exactly what one
    pyshacl run over sh:targetClass finds (a subclass instance included, as SHACL's class targets do)."""
    import odl_graph.build.validate as v

    g = Graph()
    for i in range(40):
        c = iris.commune(f"35{i:03d}")
        g.add((c, RDF.type, ODL.Commune))
        g.add((c, URIRef("http://rdf.insee.fr/def/geo#codeINSEE"), Literal(f"35{i:03d}" if i % 7 else "3X")))
        if i % 5:
            g.add((c, RDFS.label, Literal(f"Commune {i}", lang="fr")))
        if i % 3 == 0:
            g.add((c, ODL.population, Literal(-i)))
    sub = URIRef("http://example.org/CommuneNouvelle")
    g.add((sub, RDFS.subClassOf, ODL.Commune))
    g.add((iris.commune("35999"), RDF.type, sub))
    territory_shapes, _ = v.split_shapes(sum((sg.graph for sg in shape_graphs()), Graph()))
    data = Graph()
    data += g
    for sg in schema_graphs():
        data += sg.graph
    one = _results(v._run(Graph() + data, territory_shapes))
    monkeypatch.setattr(v, "MIN_CHUNK", 1)
    parallel = _results(v._run_parallel(data, territory_shapes, workers=3))
    assert parallel == one
    assert any(f == iris.commune("35999") for f, *_ in one)  # the subclass instance was validated
    assert len({f for f, *_ in one}) > 20  # enough violations for the comparison to mean something
