"""The query catalogue: named SPARQL queries in `queries/*.rq`, each with a grlc-style header.

A header is a block of `#+ key: value` lines (YAML once the `#+ ` is stripped) at the top of the file:

    #+ title_fr: Données nécessaires par défi
    #+ title_en: Data needed per challenge
    #+ description: What each challenge needs, with the openness status of each dataset.
    #+ description_fr: Ce dont chaque défi a besoin, avec le statut d'ouverture de chaque jeu.
    #+ params:
    #+   - name: challenge
    #+     type: challenge
    #+     default: null
    #+ view: table

`description` is English; `description_fr` (optional, French) is what French pages show. `view` is the
result view the editor opens on: table, bar, line, map or graph.

Parameters are bound as typed RDF terms through pyoxigraph `substitutions`, never pasted into the
query text, so a parameter value cannot change the query. A substituted variable must be in the
top-level SELECT projection (pyoxigraph's rule); the loader checks this with a dry run, so a
malformed header or query fails loudly, naming the file, the line and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from odl_graph import iris
from odl_graph.config import DEFAULT_BASE_IRI, PROJECT_ROOT
from odl_graph.errors import OdlError, QueryError, SourceError, SourceLocation, parse_error_position

QUERIES_DIR = PROJECT_ROOT / "queries"
HEADER_PREFIX = "#+"
VIEWS = ("table", "bar", "line", "graph", "map")
# The name of each view in a `#defaultView:` comment, as the Wikidata Query Service spells it.
DEFAULT_VIEW_NAMES = {"table": "Table", "bar": "BarChart", "line": "LineChart", "graph": "Graph", "map": "Map"}
HEADER_KEYS = {"title_fr", "title_en", "description", "description_fr", "params", "view"}
REQUIRED_KEYS = ("title_fr", "title_en", "description", "view")
PARAM_KEYS = {"name", "type", "default", "description"}
XSD = "http://www.w3.org/2001/XMLSchema#"
# Parameter types whose value is a slug (or code) of a minted resource: {base}id/{kind}/{value}.
RESOURCE_KINDS = (
    "challenge", "usecase", "service", "datacategory", "dataset", "actor", "experiment",
    "commune", "epci", "departement", "region",
)
LITERAL_TYPES = ("xsd:string", "xsd:integer", "xsd:decimal", "xsd:boolean", "xsd:date")
CONCEPT_SCHEMES = ("openness", "actor-category", "theme", "service-kind", "use-case-stage", "requirement-level")
PARAM_TYPES = (*LITERAL_TYPES, "iri", *RESOURCE_KINDS, "standard", *(f"concept:{s}" for s in CONCEPT_SCHEMES))
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$")
DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z-]{0,40}$"  # slugs, INSEE codes (2A004), SIRENs
STANDARD_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE_RE = re.compile(CODE_PATTERN)
_STANDARD_RE = re.compile(STANDARD_PATTERN)


class ParameterError(OdlError):
    """A parameter value given by a user is missing, unknown or not of the declared type."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"parameter {name!r}: {message}")


@dataclass(frozen=True)
class Param:
    """A typed parameter of a named query; `default` None means 'left unbound' (no filter)."""

    name: str
    type: str
    default: str | None = None
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "default": self.default, "description": self.description}


@dataclass(frozen=True)
class NamedQuery:
    """One catalogue entry: the text of its .rq file and its parsed header."""

    name: str
    path: Path
    title_fr: str
    title_en: str
    description: str
    params: tuple[Param, ...]
    view: str
    sparql: str  # the whole file (header comments included), written with the default base IRI
    form: str  # "select" | "construct" | "ask" | "describe"
    description_fr: str = ""

    @property
    def titles(self) -> dict[str, str]:
        return {"fr": self.title_fr, "en": self.title_en}

    @property
    def descriptions(self) -> dict[str, str]:
        """The description in each page language (French falls back to the English one)."""
        return {"fr": self.description_fr or self.description, "en": self.description}

    def text(self, base_iri: str = DEFAULT_BASE_IRI) -> str:
        """The query text for a configured base IRI."""
        return iris.rebase(self.sparql, base_iri)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise ParameterError(name, f"unknown parameter of query {self.name!r}; known: "
                                   + (", ".join(p.name for p in self.params) or "none"))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.titles,
            "description": self.description,
            "params": [p.to_json() for p in self.params],
            "view": self.view,
            "form": self.form,
            "sparql": self.sparql,
        }


# -- parsing ---------------------------------------------------------------------------------
def _header(path: Path, lines: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    """The YAML header and the file line of each top-level key."""
    block: list[str] = []
    for line in lines:
        if not line.startswith(HEADER_PREFIX):
            break
        body = line[len(HEADER_PREFIX):]
        if body and not body.startswith(" "):
            raise SourceError(SourceLocation(str(path), len(block) + 1, 3), "a header line must be '#+ key: value'")
        block.append(body[1:] if body.startswith(" ") else body)
    if not block:
        raise SourceError(SourceLocation(str(path), 1), "no header: the file must start with '#+ title_fr: ...' lines")
    try:
        data = yaml.safe_load("\n".join(block))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(SourceLocation(str(path), line), f"header is not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise SourceError(SourceLocation(str(path), 1), "header must be a mapping of 'key: value' lines")
    key_lines = {}
    for i, text in enumerate(block, start=1):
        m = re.match(r"^([A-Za-z_]+)\s*:", text)
        if m:
            key_lines.setdefault(m.group(1), i)
    return data, key_lines


def _params(path: Path, raw: Any, line: int | None) -> tuple[Param, ...]:
    loc = SourceLocation(str(path), line)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SourceError(loc, "'params' must be a list of {name, type, default}")
    out: list[Param] = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise SourceError(loc, f"params item {i} must be a mapping with name, type and default")
        unknown = set(item) - PARAM_KEYS
        if unknown:
            raise SourceError(loc, f"params item {i}: unknown key(s) {', '.join(sorted(unknown))}; "
                                   f"allowed: {', '.join(sorted(PARAM_KEYS))}")
        name = item.get("name")
        if not isinstance(name, str) or not _VAR_RE.match(name):
            raise SourceError(loc, f"params item {i}: 'name' must be a SPARQL variable name, got {name!r}")
        ptype = item.get("type")
        if ptype not in PARAM_TYPES:
            raise SourceError(loc, f"parameter {name!r}: type {ptype!r} is not one of {', '.join(PARAM_TYPES)}")
        if "default" not in item:
            raise SourceError(loc, f"parameter {name!r}: 'default' is required (null leaves it unbound)")
        default = item["default"]
        if default is not None:
            default = str(default).lower() if isinstance(default, bool) else str(default)
            try:
                to_term(Param(name, ptype), default)
            except ParameterError as exc:
                raise SourceError(loc, f"default of {exc}") from exc
        if any(p.name == name for p in out):
            raise SourceError(loc, f"parameter {name!r} declared twice")
        out.append(Param(name, ptype, default, str(item.get("description") or "")))
    return tuple(out)


_FORM_RE = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.I)


def _form(sparql: str) -> str:
    from odl_graph.sparql_text import skeleton  # the lexer that blanks IRIs, strings and comments

    m = _FORM_RE.search(skeleton(sparql))
    return m.group(1).lower() if m else "select"


def parse_query_file(path: Path) -> NamedQuery:
    """Parse and check one .rq file; raise SourceError naming file:line and the problem."""
    name = path.stem
    if not _NAME_RE.match(name):
        raise SourceError(SourceLocation(str(path)), f"query name {name!r} must be lowercase letters, digits and '-'")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(SourceLocation(str(path)), f"not UTF-8: {exc}") from exc
    lines = text.splitlines()
    data, key_lines = _header(path, lines)
    unknown = set(data) - HEADER_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise SourceError(SourceLocation(str(path), key_lines.get(key)),
                          f"unknown header key {key!r}; allowed: {', '.join(sorted(HEADER_KEYS))}")
    for key in REQUIRED_KEYS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise SourceError(SourceLocation(str(path), key_lines.get(key, 1)),
                              f"header key {key!r} is required and must be a non-empty text")
    if data["view"] not in VIEWS:
        raise SourceError(SourceLocation(str(path), key_lines.get("view")),
                          f"view {data['view']!r} is not one of {', '.join(VIEWS)}")
    params = _params(path, data.get("params"), key_lines.get("params"))
    form = _form(text)
    if params and form != "select":
        raise SourceError(SourceLocation(str(path), key_lines.get("params")),
                          f"only SELECT queries can take parameters (this is a {form.upper()})")
    description_fr = data.get("description_fr")
    if description_fr is not None and (not isinstance(description_fr, str) or not description_fr.strip()):
        raise SourceError(SourceLocation(str(path), key_lines.get("description_fr")),
                          "header key 'description_fr' must be a non-empty text when given")
    query = NamedQuery(name, path, data["title_fr"].strip(), data["title_en"].strip(), data["description"].strip(),
                       params, data["view"], text, form, (description_fr or "").strip())
    _dry_run(query)
    return query


def _dry_run(query: NamedQuery) -> None:
    """Evaluate on an empty store with the defaults bound: catches syntax errors and unprojected params."""
    subs = {p.name: to_term(p, p.default or _SAMPLE.get(p.type, "x")) for p in query.params}
    try:
        list(ox.Store().query(query.sparql, substitutions={ox.Variable(k): v for k, v in subs.items()}
                              or None, use_default_graph_as_union=True) or [])
    except SyntaxError as exc:
        line, col = parse_error_position(str(exc))
        raise SourceError(SourceLocation(str(query.path), line, col), f"SPARQL syntax error: {exc}") from exc
    except RuntimeError as exc:
        raise SourceError(SourceLocation(str(query.path)),
                          f"{exc} (a parameter must be a variable of the top-level SELECT clause)") from exc
    except (ValueError, OSError) as exc:
        raise SourceError(SourceLocation(str(query.path)), f"query does not evaluate: {exc}") from exc


_SAMPLE = {"xsd:integer": "0", "xsd:decimal": "0", "xsd:boolean": "true", "xsd:date": "2020-01-01",
           "iri": "https://example.org/x", "standard": "owner/name"}


def load_catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every query of the catalogue by name (sorted). Raises SourceError on the first bad file."""
    return dict(_load(str(folder or QUERIES_DIR)))


@cache
def _load(folder: str) -> tuple[tuple[str, NamedQuery], ...]:
    path = Path(folder)
    if not path.is_dir():
        raise SourceError(SourceLocation(folder), "query catalogue folder does not exist")
    return tuple((p.stem, parse_query_file(p)) for p in sorted(path.glob("*.rq")))


def get_query(name: str, folder: Path | None = None) -> NamedQuery:
    catalogue = load_catalogue(folder)
    if name not in catalogue:
        raise QueryError(f"no query named {name!r} in the catalogue; known: {', '.join(catalogue)}")
    return catalogue[name]


# -- typed binding ---------------------------------------------------------------------------
def to_term(param: Param, value: str, base_iri: str = DEFAULT_BASE_IRI) -> ox.NamedNode | ox.Literal:
    """Turn a user-supplied string into the RDF term of the declared type, or refuse it."""
    t = param.type
    fail = lambda msg: ParameterError(param.name, msg)  # noqa: E731
    if not isinstance(value, str):
        raise fail("value must be a string")
    if len(value) > 2000:
        raise fail("value is too long")
    if t == "xsd:string":
        return ox.Literal(value)
    if t == "xsd:integer":
        if not _INTEGER_RE.match(value.strip()):
            raise fail(f"{value!r} is not an integer")
        return ox.Literal(str(int(value.strip())), datatype=ox.NamedNode(XSD + "integer"))
    if t == "xsd:decimal":
        if not _DECIMAL_RE.match(value.strip()):
            raise fail(f"{value!r} is not a decimal number")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "decimal"))
    if t == "xsd:boolean":
        if value.strip().lower() not in ("true", "false"):
            raise fail(f"{value!r} is not true or false")
        return ox.Literal(value.strip().lower(), datatype=ox.NamedNode(XSD + "boolean"))
    if t == "xsd:date":
        if not _DATE_RE.match(value.strip()):
            raise fail(f"{value!r} is not a date YYYY-MM-DD")
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "date"))
    if t == "iri":
        return _iri(value, fail)
    if value.startswith(("http://", "https://")):
        term = _iri(value, fail)
        expected = _prefix(t, base_iri)
        if not term.value.startswith(expected):
            raise fail(f"{value!r} is not a {t} IRI (expected {expected}...)")
        return term
    if t == "standard":
        if not _STANDARD_RE.match(value):
            raise fail(f"{value!r} is not a standard id like 'etalab/schema-irve'")
        return ox.NamedNode(_prefix(t, base_iri) + value)
    if not _CODE_RE.match(value):
        raise fail(f"{value!r} is not a valid {t} code (letters, digits and '-')")
    return ox.NamedNode(_prefix(t, base_iri) + value)


def _prefix(ptype: str, base_iri: str) -> str:
    if ptype.startswith("concept:"):
        return f"{base_iri}id/concept/{ptype.split(':', 1)[1]}/"
    return f"{base_iri}id/{ptype}/"


def _iri(value: str, fail: Any) -> ox.NamedNode:
    if not value.startswith(("http://", "https://")):
        raise fail(f"{value!r} is not an absolute http(s) IRI")
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise fail(f"{value!r} is not a valid IRI: {exc}") from exc


def bind(query: NamedQuery, values: Mapping[str, str] | None = None,
         base_iri: str = DEFAULT_BASE_IRI) -> dict[str, ox.NamedNode | ox.Literal]:
    """Substitutions for a run: given values, else defaults; unknown names are refused."""
    values = dict(values or {})
    for key in values:
        query.param(key)  # raises on an unknown name
    out = {}
    for p in query.params:
        raw = values.get(p.name)
        if raw == "" and p.type != "xsd:string":  # `usecase=` is no use case, not "every use case"
            raise ParameterError(p.name, f"empty {p.name!r}; give a {p.type} or leave the parameter out")
        if raw is None or raw == "":
            raw = p.default
        if raw is not None:
            out[p.name] = to_term(p, raw, base_iri)
    return out


def parse_param_options(items: Iterable[str]) -> dict[str, str]:
    """`key=value` strings (CLI --param) to a mapping."""
    out = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(item, "expected key=value")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


@dataclass
class Run:
    """The outcome of running a named query (pyoxigraph results plus what was bound)."""

    query: NamedQuery
    bindings: dict[str, Any] = field(default_factory=dict)
    results: Any = None


def run(store: Any, name_or_query: str | NamedQuery, values: Mapping[str, str] | None = None, *,
        base_iri: str = DEFAULT_BASE_IRI, folder: Path | None = None) -> Run:
    """Run a catalogue query on a GraphStore (anything with `.query(sparql, substitutions=...)`)."""
    query = name_or_query if isinstance(name_or_query, NamedQuery) else get_query(name_or_query, folder)
    subs = bind(query, values, base_iri)
    results = store.query(query.text(base_iri), substitutions=subs or None)
    return Run(query, subs, results)


def rows(results: Any) -> list[dict[str, str | None]]:
    """SELECT results as plain dicts of lexical values (what the three front ends compare)."""
    names = [v.value for v in results.variables]
    return [{n: (None if sol[n] is None else sol[n].value) for n in names} for sol in results]
