"""Generate `odl_graph/namespace.py` from `ontology/odl.ttl`, so Python code can only name real terms.

Run `python -m odl_graph.namespace_gen` after editing the ontology; tests/test_hygiene.py compares the
committed file with `render()`.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from odl_graph import iris
from odl_graph.vocab_files import ONTOLOGY_FILE, load

TARGET = Path(__file__).with_name("namespace.py")
LINE_LENGTH = 110

# Section order of the generated class body: OWL kind -> heading comment.
_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "Classes"),
    (OWL.ObjectProperty, "Object properties"),
    (OWL.DatatypeProperty, "Datatype properties"),
    (OWL.AnnotationProperty, "Annotation properties"),
)

_HEADER = '''"""Terms of the odl-graph ontology as a DefinedNamespace: a typo is an AttributeError.

Generated from ontology/odl.ttl by `python -m odl_graph.namespace_gen`; tests/test_hygiene.py
checks it is up to date. Do not edit by hand.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class ODL(DefinedNamespace):
    _fail = True
    _NS = Namespace("{ns}")
'''


def ontology_terms(graph: Graph) -> dict[URIRef, list[tuple[str, str]]]:
    """OWL kind -> [(local name, English definition)] of every term defined by the ontology, sorted."""
    ontology = URIRef(iris.ONTOLOGY)
    out: dict[URIRef, list[tuple[str, str]]] = {kind: [] for kind, _ in _KINDS}
    for term in set(graph.subjects(RDFS.isDefinedBy, ontology)):
        if not isinstance(term, URIRef) or not str(term).startswith(iris.TERMS):
            raise ValueError(f"{term} is rdfs:isDefinedBy the ontology but is not in {iris.TERMS}")
        name = str(term)[len(iris.TERMS) :]
        if not name.isidentifier():
            raise ValueError(f"{term}: local name {name!r} is not a Python identifier")
        kinds = [kind for kind, _ in _KINDS if (term, RDF.type, kind) in graph]
        if len(kinds) != 1:
            raise ValueError(f"{term}: expected exactly one OWL kind among classes/properties, found {kinds}")
        out[kinds[0]].append((name, english_definition(graph, term)))
    for entries in out.values():
        entries.sort(key=lambda e: (e[0].lower(), e[0]))
    return out


def english_definition(graph: Graph, term: URIRef) -> str:
    for value in graph.objects(term, SKOS.definition):
        if isinstance(value, Literal) and value.language == "en":
            return " ".join(str(value).split())
    return ""


def _member(name: str, definition: str) -> list[str]:
    code = f"    {name}: URIRef"
    if not definition:
        return [code]
    first_width = LINE_LENGTH - len(code) - len("  # ")
    chunks = textwrap.wrap(definition, width=max(first_width, 20))
    lines = [f"{code}  # {chunks[0]}"]
    rest = " ".join(chunks[1:])
    if rest:
        lines += [f"    #   {c}" for c in textwrap.wrap(rest, width=LINE_LENGTH - len("    #   "))]
    return lines


def render(ontology_file: Path = ONTOLOGY_FILE) -> str:
    """Source text of namespace.py for the given ontology file."""
    terms = ontology_terms(load(ontology_file))
    lines = [_HEADER.format(ns=iris.TERMS).rstrip("\n")]
    for kind, heading in _KINDS:
        if not terms[kind]:
            continue
        lines += ["", f"    # {heading}"]
        for name, definition in terms[kind]:
            lines += _member(name, definition)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Rewrite odl_graph/namespace.py; with --check, only report whether it is current (exit 1 if not)."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if "--check" in args:
        if current != text:
            print(f"{TARGET} is out of date: run python -m odl_graph.namespace_gen", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
