"""The curated-CSV compiler: what a curator writes becomes the right triples, and every bad cell
fails with file:line:column and what is wrong."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from odl_graph import iris
from odl_graph.build.curated import Context, compile_folder
from odl_graph.errors import CuratedDataError
from odl_graph.namespace import ODL

CODES = {
    "openness": {"open", "candidate", "other", "paid"},
    "actor-category": {"commune", "agency"},
    "theme": {"climate-adaptation", "commerce"},
    "service-kind": {"new-application"},
    "use-case-stage": {"experimented"},
    "requirement-level": {"indispensable", "useful"},
    "local-content": {"per-territory", "unknown"},
    "search-outcome": {"found", "none-known"},
}
SRC = "https://example.org/page"

FILES = {
    "actors.csv": f"""\
        id,label_fr,label_en,category,siren,homepage,territory,description_fr,sources
        ign,IGN,IGN,agency,,,national,,{SRC}
        vitre,Ville de Vitré,City of Vitré,commune,,,commune:35360,,{SRC}
        """,
    "challenges.csv": f"""\
        id,label_fr,label_en,themes,description_fr,description_en,sources
        chaleur,Îlots de chaleur,Urban heat islands,climate-adaptation,,,{SRC}
        """,
    "services.csv": f"""\
        id,label_fr,label_en,kind,description_fr,sources
        carte,Carte,Map,new-application,,{SRC}
        """,
    "data_categories.csv": f"""\
        id,label_fr,label_en,description_fr,producers,usual_status,standard,sources,status_reason_fr,status_reason_en,status_sources,standardisation_status,standardisation_note_fr,standardisation_note_en,standardisation_sources
        arbres,Arbres,Trees,,vitre;ign,candidate,,{SRC},Tenu par la ville,Held by the town,{SRC},\
standard-needed,Aucun format commun,,{SRC}
        meteo,Météo,Weather,,ign,open,,{SRC},,,,,,,
        """,
    "use_cases.csv": f"""\
        id,label_fr,label_en,description_fr,description_en,themes,challenges,service,stage,sources
        icu,Cartographier les ICU,Map UHIs,"Texte, avec virgule",,climate-adaptation,chaleur,carte,experimented,{SRC}
        """,
    "requirements.csv": f"""\
        use_case,data_category,level,sources
        icu,arbres,indispensable,{SRC}
        icu,meteo,useful,{SRC}
        """,
    "experiments.csv": f"""\
        id,label_fr,label_en,commune,season,start,end,themes,use_case,objectives_fr,results_fr,effort_fr,sustainability_fr,scope_fr,constraints_fr,minimal_data,sources
        vitre-icu,Vitré,Vitré,35360,2,2022,2023,climate-adaptation,?,?,?,?,?,?,?,?,{SRC}
        """,
    "interviews.csv": f"""\
        id,label_fr,label_en,actors,challenges,date,sources
        vitre-2018,Ateliers,Workshops,vitre,chaleur,2018,{SRC}
        vitre-2021,Entretien,Interview,vitre,?,2021-06,{SRC}
        """,
    "publications.csv": f"""\
        id,label_fr,label_en,kind,url,date,publisher,language,use_cases,themes,interview,sources
        fiche-icu,Fiche ICU,UHI sheet,fiche-cas-usage,{SRC},2021-12-01,vitre,fr,icu,climate-adaptation,,{SRC}
        entretien,Entretien publié,Published interview,interview-published,{SRC},?,?,fr,,,vitre-2021,{SRC}
        """,
    "datasets.csv": (
        "id,label_fr,label_en,description_fr,description_en,data_category,publisher,holder,status,licence,"
        "spatial,local_content,standard,landing_page,sources,spatial_excluded\n"
        "arbres-vitre,Arbres de Vitré,Trees of Vitré,Arbres gérés par la ville,Trees the town manages,arbres,"
        f"vitre,,candidate,ETALAB_2_0,commune:35360,unknown,,?,{SRC},\n"
    ),
    "dataset_searches.csv": f"""\
        category,outcome,note_fr,note_en,date,sources
        arbres,found,Trouvé sur data.gouv.fr,Found on data.gouv.fr,2026-12-01,{SRC}
        meteo,none-known,Rien trouvé,Nothing found,2026-12-01,{SRC};https://example.org/other
        """,
}
ACCESS = {iris.concept("openness", "open"): URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")}


def write(folder: Path, overrides: dict[str, str] | None = None) -> Path:
    for name, text in {**FILES, **(overrides or {})}.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def context() -> Context:
    return Context(ACCESS)


def merged(folder: Path):
    from rdflib import Graph

    g = Graph()
    for f in compile_folder(folder, context()):
        g += f.graph
    return g


def test_valid_files_compile_to_the_expected_triples(tmp_path: Path) -> None:
    g = merged(write(tmp_path))
    icu = iris.resource("usecase", "icu")
    assert (icu, RDF.type, ODL.UseCase) in g
    assert (icu, RDFS.label, Literal("Cartographier les ICU", lang="fr")) in g
    assert (icu, RDFS.label, Literal("Map UHIs", lang="en")) in g
    assert (icu, DCTERMS.description, Literal("Texte, avec virgule", lang="fr")) in g
    assert (icu, ODL.addresses, iris.resource("challenge", "chaleur")) in g
    req = iris.resource("requirement", "icu--arbres")
    assert (icu, ODL.hasRequirement, req) in g
    assert (req, ODL.requiredCategory, iris.resource("datacategory", "arbres")) in g
    assert (req, ODL.requirementLevel, iris.concept("requirement-level", "indispensable")) in g
    cat = iris.resource("datacategory", "arbres")
    assert set(g.objects(cat, ODL.typicalProducer)) == {iris.resource("actor", "vitre"), iris.resource("actor", "ign")}
    assert (icu, DCTERMS.source, URIRef(SRC)) in g


def test_publications_reuse_dcterms_foaf_and_prov(tmp_path: Path) -> None:
    from rdflib.namespace import DCAT, FOAF, PROV, XSD

    g = merged(write(tmp_path))
    fiche, entretien = iris.resource("publication", "fiche-icu"), iris.resource("publication", "entretien")
    assert {(fiche, RDF.type, ODL.Publication), (fiche, RDF.type, FOAF.Document)} <= set(g)
    assert (fiche, ODL.publicationKind, iris.concept("publication-kind", "fiche-cas-usage")) in g
    assert (fiche, FOAF.page, URIRef(SRC)) in g
    assert (fiche, DCTERMS.issued, Literal("2021-12-01", datatype=XSD.date)) in g
    assert (fiche, DCTERMS.publisher, iris.resource("actor", "vitre")) in g
    assert (fiche, DCTERMS.language, Literal("fr", datatype=XSD.language)) in g
    assert (fiche, DCTERMS.subject, iris.resource("usecase", "icu")) in g
    assert (fiche, DCAT.theme, iris.concept("theme", "climate-adaptation")) in g
    assert (entretien, PROV.wasGeneratedBy, iris.resource("interview", "vitre-2021")) in g
    unknown = {(entretien, ODL.unknownValueOf, DCTERMS.issued), (entretien, ODL.unknownValueOf, DCTERMS.publisher)}
    assert unknown <= set(g)


def test_dates_keep_the_precision_of_the_source(tmp_path: Path) -> None:
    from rdflib.namespace import XSD

    g = merged(write(tmp_path))
    assert (iris.resource("interview", "vitre-2018"), DCTERMS.date, Literal("2018", datatype=XSD.gYear)) in g
    assert (iris.resource("interview", "vitre-2021"), DCTERMS.date, Literal("2021-06", datatype=XSD.gYearMonth)) in g


def test_status_reason_and_standardisation_need_are_sub_resources(tmp_path: Path) -> None:
    g = merged(write(tmp_path))
    cat, meteo = iris.resource("datacategory", "arbres"), iris.resource("datacategory", "meteo")
    access, need = URIRef(f"{cat}#access"), URIRef(f"{cat}#standardisation")
    assert (cat, DCTERMS.accessRights, access) in g and (access, RDF.type, DCTERMS.RightsStatement) in g
    assert (access, DCTERMS.description, Literal("Tenu par la ville", lang="fr")) in g
    assert (access, DCTERMS.description, Literal("Held by the town", lang="en")) in g
    assert (access, DCTERMS.source, URIRef(SRC)) in g
    assert (cat, ODL.standardisationNeed, need) in g and (need, RDF.type, ODL.StandardisationNeed) in g
    assert (need, ODL.standardisationStatus, iris.concept("standardisation-status", "standard-needed")) in g
    assert not list(g.objects(meteo, DCTERMS.accessRights)), "an empty reason makes no statement"
    assert not list(g.objects(meteo, ODL.standardisationNeed))


def test_unknown_cells_say_unknown_instead_of_guessing(tmp_path: Path) -> None:
    g = merged(write(tmp_path))
    exp = iris.resource("experiment", "vitre-icu")
    assert (exp, ODL.unknownValueOf, ODL.testsUseCase) in g
    assert (exp, ODL.unknownValueOf, ODL.objectives) in g
    assert not list(g.objects(exp, ODL.testsUseCase))
    assert (exp, DCTERMS.spatial, iris.commune("35360")) in g


def test_status_maps_to_eu_access_right(tmp_path: Path) -> None:
    overrides = {"datasets.csv": FILES["datasets.csv"].replace(",candidate,", ",open,")}
    g = merged(write(tmp_path, overrides))
    ds = iris.resource("dataset", "arbres-vitre")
    assert (ds, DCTERMS.accessRights, ACCESS[iris.concept("openness", "open")]) in g


def test_dataset_is_a_dcat_dataset_with_title_description_and_licence(tmp_path: Path) -> None:
    from rdflib.namespace import DCAT

    g = merged(write(tmp_path))
    ds = iris.resource("dataset", "arbres-vitre")
    assert {ODL.Dataset, DCAT.Dataset} <= set(g.objects(ds, RDF.type))
    assert (ds, DCTERMS.title, Literal("Arbres de Vitré", lang="fr")) in g
    assert (ds, DCTERMS.title, Literal("Trees of Vitré", lang="en")) in g
    assert (ds, DCTERMS.description, Literal("Trees the town manages", lang="en")) in g
    licence = URIRef("http://publications.europa.eu/resource/authority/licence/ETALAB_2_0")
    assert (ds, DCTERMS.license, licence) in g
    assert (ds, ODL.localContent, iris.concept("local-content", "unknown")) in g


def test_unknown_licence_says_unknown(tmp_path: Path) -> None:
    g = merged(write(tmp_path, {"datasets.csv": FILES["datasets.csv"].replace(",ETALAB_2_0,", ",?,")}))
    ds = iris.resource("dataset", "arbres-vitre")
    assert (ds, ODL.unknownValueOf, DCTERMS.license) in g
    assert not list(g.objects(ds, DCTERMS.license))


def test_dataset_search_rows(tmp_path: Path) -> None:
    g = merged(write(tmp_path))
    search = iris.resource("datasetsearch", "meteo")
    assert (search, RDF.type, ODL.DatasetSearch) in g
    assert (search, ODL.searchedCategory, iris.resource("datacategory", "meteo")) in g
    assert (search, ODL.searchOutcome, iris.concept("search-outcome", "none-known")) in g
    assert (search, DCTERMS.description, Literal("Rien trouvé", lang="fr")) in g
    assert (search, DCTERMS.date, Literal(date(2026, 12, 1))) in g
    assert set(g.objects(search, DCTERMS.source)) == {URIRef(SRC), URIRef("https://example.org/other")}


def test_national_coverage_is_a_described_territory(tmp_path: Path) -> None:
    g = merged(write(tmp_path))
    france = iris.resource("territory", "france")
    assert (france, RDF.type, ODL.Territory) in g
    assert (france, RDFS.label, Literal("France", lang="fr")) in g


# Cells that cannot become an RDF term: the compiler stops at once, naming file:line:column.
BAD = [
    pytest.param("datasets.csv", "commune:35360", "ville:35360", 2, 11, "is not a territory", id="territory-form"),
    pytest.param("use_cases.csv", ",chaleur,", ",Chaleur Urbaine,", 2, 7, "is not an id", id="ref-form"),
    pytest.param("datasets.csv", ",candidate,", ",Wide Open,", 2, 9, "is not an id", id="code-form"),
    pytest.param("datasets.csv", ",ETALAB_2_0,", ",LICENCE_OUVERTE,", 2, 10, "is not a code of the EU Licence table",
                 id="licence-code"),
    pytest.param("datasets.csv", ",unknown,", ",?,", 2, 12, "'?' (unknown) is not allowed", id="local-content-unknown"),
    pytest.param("datasets.csv", ",unknown,", ",Per Territory,", 2, 12, "is not an id", id="local-content-form"),
    pytest.param("dataset_searches.csv", "meteo,", "Meteo,", 3, 1, "not a slug", id="search-category-slug"),
    pytest.param("data_categories.csv", ",candidate,,", ",candidate,irve,", 2, 7, "owner/name", id="standard-form"),
    pytest.param("challenges.csv", "chaleur,", "Chaleur,", 2, 1, "not a slug", id="slug"),
    pytest.param("actors.csv", ",agency,", ",?,", 2, 4, "'?' (unknown) is not allowed", id="unknown-not-allowed"),
    pytest.param("requirements.csv", "icu,meteo,useful", "icu,arbres,useful", 3, 1, "duplicate id", id="duplicate"),
    pytest.param("use_cases.csv", ",chaleur,", ",chaleur;;x,", 2, 7, "empty item", id="empty-item"),
]


@pytest.mark.parametrize(("file", "old", "new", "line", "column", "message"), BAD)
def test_bad_cell_names_file_line_column(tmp_path, file, old, new, line, column, message) -> None:
    assert old in FILES[file]
    write(tmp_path, {file: FILES[file].replace(old, new, 1)})
    with pytest.raises(CuratedDataError) as info:
        compile_folder(tmp_path, context())
    loc = info.value.location
    assert Path(loc.path).name == file
    assert (loc.line, loc.column) == (line, column), str(info.value)
    assert message in info.value.message
    assert str(info.value).startswith(f"{loc.path}:{line}:{column}: ")


# Terms that are well formed but not acceptable compile; SHACL reports them at the cell
# (tests/test_build.py). Here: the compiler keeps the cell's position for that report.
JUDGED_BY_SHACL = [
    pytest.param("datasets.csv", ",candidate,", ",wide-open,", "dataset/arbres-vitre", ODL.opennessStatus, 9,
                 id="unknown-status"),
    pytest.param("datasets.csv", ",unknown,", ",everywhere,", "dataset/arbres-vitre", ODL.localContent, 12,
                 id="bad-local-content"),
    pytest.param("datasets.csv", ",Arbres gérés par la ville,", ",,", "dataset/arbres-vitre", DCTERMS.description, 4,
                 id="missing-description"),
    pytest.param("dataset_searches.csv", ",found,", ",maybe,", "datasetsearch/arbres", ODL.searchOutcome, 2,
                 id="bad-outcome"),
    pytest.param("use_cases.csv", ",chaleur,", ",,", "usecase/icu", ODL.addresses, 7, id="no-challenge"),
    pytest.param("datasets.csv", "commune:35360", "commune:99999", "dataset/arbres-vitre", DCTERMS.spatial, 11,
                 id="unknown-commune"),
    pytest.param("experiments.csv", ",2,2022,", ",two,2022,", "experiment/vitre-icu", ODL.season, 5, id="season"),
    pytest.param("challenges.csv", f",{SRC}", ",ftp://x", "challenge/chaleur", DCTERMS.source, 7, id="url"),
]


@pytest.mark.parametrize(("file", "old", "new", "subject", "predicate", "column"), JUDGED_BY_SHACL)
def test_unacceptable_terms_compile_with_their_cell(tmp_path, file, old, new, subject, predicate, column) -> None:
    write(tmp_path, {file: FILES[file].replace(old, new, 1)})
    compiled = {f.name: f for f in compile_folder(tmp_path, context())}
    cells = compiled[file.removesuffix(".csv")].cells
    assert cells[(URIRef(iris.BASE + "id/" + subject), predicate)] == (2, column)


def test_header_errors(tmp_path: Path) -> None:
    write(tmp_path, {"services.csv": "id,label_fr,label_en,kind,colour,sources\n"})
    with pytest.raises(CuratedDataError, match=r"services.csv:1:5: unknown column 'colour'"):
        compile_folder(tmp_path, context())


def test_short_row(tmp_path: Path) -> None:
    write(tmp_path, {"services.csv": FILES["services.csv"].replace(f",,{SRC}", "")})
    with pytest.raises(CuratedDataError, match=r"services.csv:2:\d+: row has 4 cells, header has 6"):
        compile_folder(tmp_path, context())


def test_multiline_cell_keeps_line_numbers(tmp_path: Path) -> None:
    text = (
        "id,label_fr,label_en,kind,description_fr,sources\n"
        f'a,A,A,new-application,"deux\nlignes",{SRC}\n'
        f"b,B,B,Bad Kind,,{SRC}\n"
    )
    write(tmp_path, {"services.csv": text})
    with pytest.raises(CuratedDataError) as info:
        compile_folder(tmp_path, context())
    assert (info.value.location.line, info.value.location.column) == (4, 4)


@pytest.mark.parametrize(
    ("row", "line", "column"),
    [
        (f'a,"A "quoted" word",A,new-application,,{SRC}\n', 2, 6),  # stray quote inside a quoted cell
        (f'a,A,A,new-application,"deux\nli"gnes",{SRC}\n', 3, 3),  # same, on the second line of a cell
    ],
)
def test_stray_quote_fails_with_file_line_column(tmp_path: Path, row: str, line: int, column: int) -> None:
    write(tmp_path, {"services.csv": "id,label_fr,label_en,kind,description_fr,sources\n" + row})
    with pytest.raises(CuratedDataError, match="stray quote") as info:
        compile_folder(tmp_path, context())
    assert info.value.location.path.endswith("services.csv")
    assert (info.value.location.line, info.value.location.column) == (line, column)


def test_latin1_file_gets_a_line_and_column(tmp_path: Path) -> None:
    """A file saved as Latin-1 is named at the line and column of its first non-UTF-8 byte, not a byte offset."""
    write(tmp_path)
    text = f"id,label_fr,label_en,kind,description_fr,sources\na,Accès,Access,new-application,,{SRC}\n"
    (tmp_path / "services.csv").write_bytes(text.encode("latin-1"))
    with pytest.raises(CuratedDataError, match=r"not UTF-8.*Latin-1") as info:
        compile_folder(tmp_path, context())
    assert info.value.location.path.endswith("services.csv")
    assert (info.value.location.line, info.value.location.column) == (2, 6)  # the "è" of "Accès"
    assert "position" not in str(info.value)


def test_latin1_source_extract_gets_a_line_and_column(tmp_path: Path) -> None:
    from odl_graph.build.importers._common import read_csv
    from odl_graph.errors import SourceError

    path = tmp_path / "extract.csv"
    rows = "".join(f"{i},ok\n" for i in range(3000))  # past the stream decoder's first chunk
    path.write_bytes(b"\xef\xbb\xbfcode,nom\n" + rows.encode() + "3000,Vitré\n".encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8") as info:
        list(read_csv(path, ["code", "nom"]))
    assert (info.value.location.line, info.value.location.column) == (3002, 10)
