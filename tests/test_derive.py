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
from odl_graph.analyses.derive import DeriveError, derive, resolve, table_schema, validate_table_schema
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


def test_no_fields_is_a_clear_error(fixture: EmbeddedStore) -> None:
    with pytest.raises(DeriveError, match="no fields are described for 'Catégorie B'"):
        resolve(fixture, "cat-b")
    with pytest.raises(DeriveError, match="neither a data category nor a standard"):
        resolve(fixture, "does-not-exist")
