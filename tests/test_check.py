"""The file check: a CSV upload against a category's draft schema (frictionless) reports missing, empty and
invalid needed fields, and refuses what it cannot check with a clear message."""

from __future__ import annotations

import pytest
from analyses_support import fixture_store

from odl_graph.analyses.check import CheckError, check_csv
from odl_graph.analyses.derive import resolve, table_schema
from odl_graph.stores import EmbeddedStore

LIMIT = 10_000


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The real draft of the fixture's Catégorie B: the identification skeleton (id, INSEE code, date)."""
    store: EmbeddedStore = fixture_store(tmp_path_factory.mktemp("store"))
    return table_schema(resolve(store, "cat-b"))


def test_a_conforming_file(skeleton: dict) -> None:
    data = "identifiant,code_insee_commune,date,remarque\nA1,35360,2024-05-01,ok\nA2,2A004,2023-12-31,\n"
    r = check_csv(data.encode(), skeleton, LIMIT)
    assert r.valid and r.rows == 2 and r.extra == ["remarque"]
    assert r.summary("fr").startswith("Le fichier est conforme : 2 ligne(s)")
    assert r.summary("en").startswith("The file conforms: 2 row(s)")


def test_a_file_missing_a_needed_field(skeleton: dict) -> None:
    r = check_csv(b"identifiant,date\nA1,2024-05-01\n", skeleton, LIMIT)
    assert not r.valid and [p.field for p in r.missing] == ["code_insee_commune"]
    assert r.empty == [] and r.invalid == []
    assert "1 needed field(s) missing (code_insee_commune)" in r.summary("en")
    assert "absent(s) (code_insee_commune)" in r.summary("fr")


def test_a_file_with_bad_values(skeleton: dict) -> None:
    # semicolons, as French spreadsheets save; a 4-digit code, an impossible date, an empty identifier
    data = "identifiant;code_insee_commune;date\nA1;3536;2024-13-01\n;35360;2024-01-01\nA3;35360;2024-02-30\n"
    r = check_csv(data.encode("utf-8-sig"), skeleton, LIMIT)
    assert r.missing == []
    assert [(p.field, p.count, p.rows) for p in r.empty] == [("identifiant", 1, [3])]
    assert [(p.field, p.count, p.rows) for p in r.invalid] == [("code_insee_commune", 1, [2]), ("date", 2, [2, 4])]
    assert r.invalid[0].details("fr") == ["motif attendu : ^([013-9][0-9]|2[0-9AB])[0-9]{3}$"]
    assert r.invalid[1].details("en") == ["expected type: date"]
    j = r.to_json()
    assert j["valid"] is False and j["missing"] == [] and "2 field(s) with invalid values" in j["summary_en"]


def test_an_oversized_upload_is_refused_with_a_clear_message(skeleton: dict) -> None:
    data = b"identifiant,code_insee_commune,date\n" + b"A1,35360,2024-05-01\n" * 1000
    with pytest.raises(CheckError, match=r"the file is 20,036 bytes; the check accepts at most 10,000 bytes") as e:
        check_csv(data, skeleton, LIMIT)
    assert e.value.status == 413


def test_what_cannot_be_checked_says_why(skeleton: dict) -> None:
    with pytest.raises(CheckError, match="empty"):
        check_csv(b"  \n", skeleton, LIMIT)
    with pytest.raises(CheckError, match="not UTF-8"):
        check_csv("identifiant\nCaf\xe9\n".encode("latin-1"), skeleton, LIMIT)
    r = check_csv(b"identifiant,code_insee_commune,date\nA1,35360\n", skeleton, LIMIT)
    assert r.structure == ["row 2 has 2 cell(s), the header 3"] and not r.valid
