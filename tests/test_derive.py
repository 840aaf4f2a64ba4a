"""Schema derivation: drafts are valid Table Schemas, and the SCDL round trip holds for every standard."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from analyses_support import fixture_store
from rdflib import Graph
from rdflib.namespace import SH

from odl_graph import iris
from odl_graph.analyses.derive import (
    INSEE_PATTERN,
    DeriveError,
    derive,
    resolve,
    shacl_shape,
    table_schema,
    validate_shape,
    validate_table_schema,
)
from odl_graph.build.importers.scdl import (
    INDEX,
    ScdlImporter,
    _SchemaFile,
    enum_text,
    json_schema_fields,
    table_fields,
)
from odl_graph.config import load_settings
from odl_graph.stores import EmbeddedStore

DATA_DIR = Path(load_settings()["data_dir"])
SCDL_DIR = DATA_DIR / "sources" / "scdl"


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return fixture_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="module")
def scdl_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The shipped SCDL import alone, as the build stores it."""
    g = ScdlImporter().to_graph(DATA_DIR)
    store = EmbeddedStore(tmp_path_factory.mktemp("scdl"))
    store.replace_all({str(iris.graph("import", "scdl")): g.serialize(format="nt", encoding="utf-8")})
    return store


def scdl_rows() -> list[dict[str, str]]:
    with (SCDL_DIR / INDEX).open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["scdl"] == "oui"]


def source_fields(row: dict[str, str], by_id: dict[str, dict[str, str]]) -> list[tuple]:
    """(name, type, required, sorted enum) as the shipped schema file states them."""
    files = [f for f in row["fichiers"].split(";") if f.strip().endswith(".json")]
    out: list[tuple] = []
    for rel in files:
        sf = _SchemaFile(DATA_DIR / "sources" / rel.strip())
        if row["type"] == "tableschema":
            specs = table_fields(sf, sf.data, "")
        elif row["type"] == "jsonschema":
            specs = json_schema_fields(sf)
        elif row["type"] == "datapackage":
            specs = []
            for res in sf.data.get("resources", []):
                if isinstance(res.get("schema"), dict):
                    specs.extend(table_fields(sf, res["schema"], ""))
            if not specs:  # resources point at schemas published as their own standards: the union of
                # the parts' fields, one Table Schema having each name once (first part wins)
                union: dict[str, tuple] = {}
                for part in package_parts(row["id"]):
                    for t in source_fields(by_id[part], by_id):
                        union.setdefault(t[0], t)
                return list(union.values())
        else:
            specs = []
        out.extend((s.name, s.type, s.required, sorted(s.enum)) for s in specs)
    return out


def package_parts(package: str) -> list[str]:
    g = ScdlImporter().to_graph(DATA_DIR)
    from rdflib.namespace import DCTERMS

    parts = g.objects(iris.standard(package), DCTERMS.hasPart)
    return sorted(str(p)[len(str(iris.standard(""))):] for p in parts)


def test_the_shipped_scdl_has_14_standards() -> None:
    assert len(scdl_rows()) == 14


@pytest.mark.parametrize("row", scdl_rows(), ids=lambda r: r["id"])
def test_round_trip_on_every_scdl_standard(row: dict[str, str], scdl_store: EmbeddedStore, tmp_path: Path) -> None:
    by_id = {r["id"]: r for r in scdl_rows()}
    expected = source_fields(row, by_id)
    if not expected:
        # The source describes no field (metadata only): the graph has none and derivation says so.
        with pytest.raises(DeriveError, match="no fields are described"):
            resolve(scdl_store, row["id"])
        return
    descriptor = table_schema(resolve(scdl_store, row["id"]))
    got = [(f["name"], f.get("type"), f["constraints"]["required"],
            sorted(enum_text(v) for v in f["constraints"].get("enum", []))) for f in descriptor["fields"]]
    assert got == expected
    assert validate_table_schema(descriptor) == []
    schema_path, shape_path = derive(scdl_store, row["id"], tmp_path)
    assert json.loads(schema_path.read_text(encoding="utf-8")) == descriptor
    shape = Graph().parse(shape_path, format="turtle")
    assert len(list(shape.subject_objects(SH.path))) == len(expected)
    required = [n for n, _t, req, _e in expected if req]
    assert len(list(shape.subject_objects(SH.minCount))) == len(required)


def test_frictionless_accepts_the_draft(fixture: EmbeddedStore, tmp_path: Path) -> None:
    from frictionless import Schema

    schema_path, _ = derive(fixture, "cat-d", tmp_path)
    schema = Schema.from_descriptor(str(schema_path))
    assert [f.name for f in schema.fields] == ["id_compteur", "consommation"]
    assert schema.get_field("id_compteur").constraints == {"required": True, "pattern": "^[0-9]{14}$"}
    assert schema.get_field("consommation").type == "number"


def test_category_without_fields_takes_its_standard(fixture: EmbeddedStore) -> None:
    src = resolve(fixture, "cat-a")
    assert [f.name for f in src.fields] == ["code", "nature", "date_maj"]
    assert src.origins == ["https://w3id.org/odl-graph/id/standard/scdl/test-schema"]
    nature = table_schema(src)["fields"][1]
    assert nature["constraints"] == {"required": False, "enum": ["arbre", "haie"]}


def test_shape_carries_types_enums_and_patterns(fixture: EmbeddedStore, tmp_path: Path) -> None:
    from rdflib import XSD

    _, shape_path = derive(fixture, "scdl/test-schema", tmp_path)
    g = Graph().parse(shape_path, format="turtle")
    by_name = {str(g.value(p, SH.name)): p for p in g.objects(None, SH.property)}
    assert set(by_name) == {"code", "nature", "date_maj"}
    assert g.value(by_name["date_maj"], SH.datatype) == XSD.date
    assert str(g.value(by_name["code"], SH.pattern)) == "^[0-9]{5}$"
    assert g.value(by_name["nature"], SH.minCount) is None
    assert g.value(by_name["nature"], SH["in"]) is not None


def test_a_category_without_fields_gets_the_marked_skeleton(fixture: EmbeddedStore, tmp_path: Path) -> None:
    """Catégorie B has no standard and no minimal field: its draft is the generic identification skeleton,
    said so in the title, the description and the basis, and still a valid Table Schema and SHACL shape."""
    src = resolve(fixture, "cat-b")
    assert src.basis == "skeleton" and src.origins == []
    descriptor = table_schema(src)
    assert [f["name"] for f in descriptor["fields"]] == ["identifiant", "code_insee_commune", "date"]
    assert "squelette générique" in descriptor["title"] and descriptor["basis"] == "skeleton"
    assert "do not describe this category's fields" in descriptor["description_en"]
    assert validate_table_schema(descriptor) == [] and validate_shape(shacl_shape(src)) == []
    schema_path, _ = derive(fixture, "cat-b", tmp_path)
    assert json.loads(schema_path.read_text(encoding="utf-8"))["status"] == "draft"


def test_insee_pattern_takes_every_commune_code() -> None:
    import re

    with (DATA_DIR / "sources" / "cog" / "communes.csv").open(encoding="utf-8") as fh:
        codes = {row["code"] for row in csv.DictReader(fh)}
    assert len(codes) > 30000 and "2A004" in codes and "97105" in codes
    bad = [c for c in codes if not re.match(INSEE_PATTERN, c)]
    assert bad == []
    assert not re.match(INSEE_PATTERN, "2C001") and not re.match(INSEE_PATTERN, "35 360")


def test_an_invalid_shape_is_refused_by_shacl_shacl() -> None:
    from rdflib import Literal, URIRef

    g = Graph()
    shape = URIRef("http://example.org/s")
    g.add((shape, SH.minCount, Literal("one")))  # sh:minCount must be an integer
    g.add((shape, SH.path, URIRef("http://example.org/p")))
    assert validate_shape(g) != []


def test_unknown_ref_is_a_clear_error(fixture: EmbeddedStore) -> None:
    with pytest.raises(DeriveError, match="neither a data category nor a standard"):
        resolve(fixture, "does-not-exist")


# -- every category of the shipped graph ------------------------------------------------------
def test_every_shipped_category_gets_a_valid_draft(shipped_store: EmbeddedStore, tmp_path: Path) -> None:
    """derive-schema succeeds for each of the 69 categories; each Table Schema is valid for frictionless
    and each shape for SHACL-SHACL; drafts from minimal fields cite the pages of category_fields.csv."""
    with (DATA_DIR / "curated" / "data_categories.csv").open(encoding="utf-8") as fh:
        categories = [r["id"] for r in csv.DictReader(fh)]
    with (DATA_DIR / "curated" / "data_categories.csv").open(encoding="utf-8") as fh:
        standards = {r["id"]: [s for s in r["standard"].split(";") if s] for r in csv.DictReader(fh)}
    with (DATA_DIR / "curated" / "category_fields.csv").open(encoding="utf-8") as fh:
        curated: dict[str, set[str]] = {}
        for r in csv.DictReader(fh):
            curated.setdefault(r["category"], set()).update(r["sources"].split(";"))
    assert len(categories) == 69
    bases: dict[str, int] = {}
    for cat in categories:
        # derive validates the Table Schema (frictionless) and the shape (pySHACL, SHACL-SHACL) and raises
        # DeriveError on any error (test_an_invalid_shape_is_refused_by_shacl_shacl shows the check bites).
        schema_path, shape_path = derive(shipped_store, cat, tmp_path)
        descriptor = json.loads(schema_path.read_text(encoding="utf-8"))
        shape = Graph().parse(shape_path, format="turtle")
        assert len(list(shape.subject_objects(SH.path))) == len(descriptor["fields"]), cat
        bases[descriptor["basis"]] = bases.get(descriptor["basis"], 0) + 1
        if descriptor["basis"] == "skeleton" and standards[cat]:  # a GeoPackage or document standard: say so
            assert "its standard describes no table fields" in descriptor["description_en"], cat
            paths = {s["path"] for s in descriptor["sources"]}
            assert all(str(iris.standard(std)) in paths for std in standards[cat]), cat
        if cat in curated:
            assert descriptor["basis"] == "minimal-fields", cat
            assert {s["path"] for s in descriptor["sources"]} >= curated[cat], cat
            assert all(f.get("sources") for f in descriptor["fields"]), cat
    assert bases["minimal-fields"] == len(curated)
    assert bases["standard"] >= 18 and sum(bases.values()) == 69
