"""A synthetic graph in the project's own model (docs/design.md), at a chosen size, for benchmarks.

Deterministic (seeded): the same size gives the same N-Quads. Shapes follow the real data:
challenges -> use cases -> requirements -> data categories <- datasets (status, publisher,
commune), actors with SKOS categories, communes -> EPCI -> departement -> region, experiments.
"""

from __future__ import annotations

import argparse
import random
import sys

BASE = "https://w3id.org/odl-graph/"
ODL = BASE + "def#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"

OPENNESS = ["open", "candidate", "not-accessible-unjustified", "not-accessible-justified", "other"]
ACTOR_CATEGORIES = {
    "local-public": ["commune", "ccas", "intercommunalite", "departement", "region"],
    "national-public": ["ministry", "deconcentrated-service", "agency"],
    "parapublic": ["cci", "onf", "other-parapublic"],
    "company": ["public-service-delegate", "private-company"],
    "civil-society": ["citizens", "association"],
}
THEMES = ["climate-adaptation", "biodiversity", "natural-risks", "housing", "commerce", "mobility",
          "public-space-heritage", "public-services"]
WORDS = ["chaleur", "arbres", "commerce", "vacance", "mobilité", "vélo", "inondation", "logement",
         "patrimoine", "bruit", "air", "eau", "énergie", "stationnement", "marché", "école"]


def iri(path: str) -> str:
    return f"<{BASE}{path}>"


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.graph = ""

    def t(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} <{BASE}graph/{self.graph}> .\n")

    def label(self, s: str, fr: str, en: str) -> None:
        self.t(s, RDFS_LABEL, f'"{fr}"@fr')
        self.t(s, RDFS_LABEL, f'"{en}"@en')


def generate(target_triples: int, seed: int = 42) -> bytes:
    """N-Quads of about target_triples triples."""
    rnd = random.Random(seed)
    w = Writer()
    # vocabularies (SKOS, with hierarchy)
    w.graph = "vocab/openness"
    for code in OPENNESS:
        c = iri(f"id/concept/openness/{code}")
        w.t(c, RDF_TYPE, f"<{SKOS}Concept>")
        w.t(c, SKOS + "inScheme", iri("id/scheme/openness"))
        w.t(c, SKOS + "prefLabel", f'"{code}"@en')
    w.graph = "vocab/actor-category"
    for top, narrower in ACTOR_CATEGORIES.items():
        t = iri(f"id/concept/actor-category/{top}")
        w.t(t, RDF_TYPE, f"<{SKOS}Concept>")
        w.t(t, SKOS + "inScheme", iri("id/scheme/actor-category"))
        w.t(t, SKOS + "topConceptOf", iri("id/scheme/actor-category"))
        w.t(t, SKOS + "prefLabel", f'"{top}"@en')
        for n in narrower:
            c = iri(f"id/concept/actor-category/{n}")
            w.t(c, RDF_TYPE, f"<{SKOS}Concept>")
            w.t(c, SKOS + "inScheme", iri("id/scheme/actor-category"))
            w.t(c, SKOS + "broader", t)
            w.t(t, SKOS + "narrower", c)
            w.t(c, SKOS + "prefLabel", f'"{n}"@en')
    leaf_categories = [n for ns in ACTOR_CATEGORIES.values() for n in ns]

    # sizes: ~27 triples per commune overall
    n_communes = max(50, target_triples // 27)
    n_epci = max(5, n_communes // 30)
    n_dep, n_reg = 100, 18
    n_challenges = 40
    n_categories = 120
    n_use_cases = 300
    n_actors_extra = max(50, n_communes // 20)

    w.graph = "import/cog"
    for r in range(n_reg):
        w.t(iri(f"id/region/{r}"), RDF_TYPE, f"<{ODL}Region>")
        w.label(iri(f"id/region/{r}"), f"Région {r}", f"Region {r}")
    for d in range(n_dep):
        s = iri(f"id/departement/{d}")
        w.t(s, RDF_TYPE, f"<{ODL}Departement>")
        w.t(s, ODL + "inRegion", iri(f"id/region/{d % n_reg}"))
    for e in range(n_epci):
        s = iri(f"id/epci/{200000000 + e}")
        w.t(s, RDF_TYPE, f"<{ODL}EPCI>")
        w.t(s, ODL + "inDepartement", iri(f"id/departement/{e % n_dep}"))
    for c in range(n_communes):
        s = iri(f"id/commune/{c:05d}")
        w.t(s, RDF_TYPE, f"<{ODL}Commune>")
        w.label(s, f"Commune {c}", f"Commune {c}")
        w.t(s, ODL + "inEPCI", iri(f"id/epci/{200000000 + c % n_epci}"))
        w.t(s, ODL + "population", f'"{rnd.randint(200, 90000)}"^^<{XSD_INT}>')

    w.graph = "data/challenges"
    for i in range(n_challenges):
        s = iri(f"id/challenge/ch{i}")
        w.t(s, RDF_TYPE, f"<{ODL}Challenge>")
        w.label(s, f"Enjeu {WORDS[i % len(WORDS)]} {i}", f"Challenge {i}")
        w.t(s, "http://www.w3.org/ns/dcat#theme", iri(f"id/concept/theme/{THEMES[i % len(THEMES)]}"))
    w.graph = "data/data_categories"
    for i in range(n_categories):
        s = iri(f"id/datacategory/cat{i}")
        w.t(s, RDF_TYPE, f"<{ODL}DataCategory>")
        w.label(s, f"Données {WORDS[i % len(WORDS)]} {i}", f"Data {i}")
        w.t(s, ODL + "usualOpennessStatus", iri(f"id/concept/openness/{OPENNESS[i % 5]}"))
    w.graph = "data/use_cases"
    for i in range(n_use_cases):
        s = iri(f"id/usecase/uc{i}")
        w.t(s, RDF_TYPE, f"<{ODL}UseCase>")
        w.label(s, f"Cas d'usage {WORDS[i % len(WORDS)]} {i}", f"Use case {i}")
        w.t(s, ODL + "addresses", iri(f"id/challenge/ch{i % n_challenges}"))
        w.t(s, ODL + "implementedBy", iri(f"id/service/sv{i}"))
        w.t(s, ODL + "stage", iri(f"id/concept/use-case-stage/{['identified', 'experimented', 'deployed'][i % 3]}"))
        for k, cat in enumerate(rnd.sample(range(n_categories), 3)):
            r = iri(f"id/requirement/uc{i}-cat{cat}")
            w.t(s, ODL + "hasRequirement", r)
            w.t(r, RDF_TYPE, f"<{ODL}DataRequirement>")
            w.t(r, ODL + "requiredCategory", iri(f"id/datacategory/cat{cat}"))
            level = "indispensable" if k < 2 else "useful"
            w.t(r, ODL + "requirementLevel", iri(f"id/concept/requirement-level/{level}"))
    w.graph = "data/actors"
    for c in range(n_communes):  # each commune is also an actor
        a = iri(f"id/actor/commune-{c:05d}")
        w.t(a, RDF_TYPE, f"<{ODL}Actor>")
        w.t(a, ODL + "actorCategory", iri("id/concept/actor-category/commune"))
        w.t(a, ODL + "competentFor", iri(f"id/commune/{c:05d}"))
    for i in range(n_actors_extra):
        a = iri(f"id/actor/a{i}")
        w.t(a, RDF_TYPE, f"<{ODL}Actor>")
        w.label(a, f"Acteur {i}", f"Actor {i}")
        w.t(a, ODL + "actorCategory", iri(f"id/concept/actor-category/{leaf_categories[i % len(leaf_categories)]}"))
    w.graph = "data/datasets"
    n = 0
    for c in range(n_communes):
        for _ in range(3):
            d = iri(f"id/dataset/d{n}")
            w.t(d, RDF_TYPE, f"<{ODL}Dataset>")
            w.t(d, RDFS_LABEL, f'"Jeu {WORDS[n % len(WORDS)]} {n}"@fr')
            w.t(d, ODL + "instantiates", iri(f"id/datacategory/cat{rnd.randrange(n_categories)}"))
            w.t(d, ODL + "opennessStatus", iri(f"id/concept/openness/{rnd.choice(OPENNESS)}"))
            local = rnd.random() < 0.6
            publisher = f"id/actor/commune-{c:05d}" if local else f"id/actor/a{rnd.randrange(n_actors_extra)}"
            w.t(d, DCT + "publisher", iri(publisher))
            w.t(d, DCT + "spatial", iri(f"id/commune/{c:05d}"))
            n += 1
    w.graph = "data/experiments"
    for i in range(max(10, n_communes // 10)):
        e = iri(f"id/experiment/e{i}")
        w.t(e, RDF_TYPE, f"<{ODL}Experiment>")
        w.t(e, ODL + "testsUseCase", iri(f"id/usecase/uc{i % n_use_cases}"))
        w.t(e, DCT + "spatial", iri(f"id/commune/{rnd.randrange(n_communes):05d}"))
    return "".join(w.lines).encode("utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("triples", type=int, help="approximate number of triples")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    sys.stdout.buffer.write(generate(args.triples, args.seed))


if __name__ == "__main__":
    main()
