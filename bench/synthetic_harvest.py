"""A synthetic harvest snapshot of N datasets (default 50,000, about the size of the whole data.gouv.fr
catalogue) spread over every COG commune, EPCI and département, in exactly the snapshot format the
harvester writes (odl_graph/build/harvest/records.py), so the build and the diagnostic can be measured on it.

Deterministic (seeded). Real ids: territories and their SIRENs from the shipped COG extract, publishers
from the COG (town councils, EPCI) and the observatory (départements), data categories from
data/curated/data_categories.csv, reached the way real records reach them: a declared schema
(categories with a standard), a tag of data/harvest/category-rules.csv, or nothing (a dataset that matches
no category, as most of a real catalogue).

    python bench/synthetic_harvest.py --count 50000 --data-dir bench/out/harvest-50k
    ODL_DATA_DIR=bench/out/harvest-50k odl-graph --store bench/out/harvest-50k-store build

`--data-dir` writes a complete data folder (the shipped one, with this snapshot in harvest/); `--out` writes
the snapshot file only.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
LICENCES = ["lov2"] * 6 + ["odc-odbl"] * 2 + ["cc-by", "notspecified", "other-at"]
RULE_TAGS = {  # a tag that the rule of that category matches (data/harvest/category-rules.csv)
    "lieux-covoiturage": "covoiturage", "bornes-irve": "irve", "stationnement-cyclable": "stationnement cyclable",
    "amenagements-cyclables": "pistes cyclables", "inventaire-arbres": "arbres", "etablissements-sirene": "sirene",
    "equipements-services-bpe": "bpe", "comptages-trafic-routier": "comptages routiers", "defibrillateurs": "dae",
    "zonages-risques-inondation": "ppri", "occupation-sol": "ocs ge", "adresses": "bal",
    "deliberations": "deliberations", "friches": "friches", "horaires-transports-publics": "gtfs",
    "accessibilite-erp": "acceslibre",
}
FILLER_TAGS = ["budget", "elections", "culture", "sport", "tourisme", "urbanisme", "environnement", "agenda",
               "eau", "dechets", "energie", "population", "marches publics", "subventions"]


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def territories() -> list[tuple[str, str | None, str]]:
    """(zone id, SIREN of the body governing it or None, name) for every commune, EPCI and département."""
    cog = DATA / "sources" / "cog"
    deps = {}
    for r in rows(DATA / "sources" / "observatory" / "odater_organisations.csv"):
        if r["type"] == "DEP" and r["depcode"]:
            deps.setdefault(r["depcode"], r["siren"])
    out = [(f"fr:commune:{r['code']}", r["siren"] or None, r["nom"]) for r in rows(cog / "communes.csv")]
    out += [(f"fr:epci:{r['code']}", r["code"], r["nom"]) for r in rows(cog / "epci.csv")]
    out += [(f"fr:departement:{r['code']}", deps.get(r["code"]), r["nom"]) for r in rows(cog / "departements.csv")]
    return out


def categories() -> list[tuple[str, str | None]]:
    return [(r["id"], (r["standard"].split(";")[0] or None)) for r in rows(DATA / "curated" / "data_categories.csv")]


def records(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    places = territories()
    cats = categories()
    out = []
    for n in range(count):
        zone, siren, name = places[n % len(places)] if n < len(places) else rng.choice(places)
        org_id = f"synthetic-org-{siren or zone.replace(':', '-')}"
        tags = rng.sample(FILLER_TAGS, 2)
        schema = None
        roll = rng.random()
        if roll < 0.35:  # about a third of the datasets reach a data category
            cat, standard = rng.choice(cats)
            if standard and rng.random() < 0.6:
                schema = {"name": standard, "version": "1.0.0"}
            elif cat in RULE_TAGS:
                tags.append(RULE_TAGS[cat])
        ds_id = f"{n:024x}"
        out.append({
            "source": "datagouv", "id": ds_id, "title": f"Jeu synthétique {n} — {name}",
            "description": None if rng.random() < 0.05 else f"Jeu de données synthétique n° {n} ({name}).",
            "organization": {"id": org_id, "name": f"Organisation {name}", "siren": siren, "badges": [],
                             "page": f"https://www.data.gouv.fr/fr/organizations/{org_id}/", "url": None},
            "zones": [zone], "granularity": zone.rsplit(":", 1)[0], "tags": sorted(tags), "themes": [],
            "license": rng.choice(LICENCES),
            "resources": [{"url": f"https://example.org/synthetic/{ds_id}.csv", "format": "csv", "schema": schema}],
            "created": "2022-01-01T00:00:00+00:00", "modified": "2024-06-01T00:00:00+00:00",
            "page": f"https://www.data.gouv.fr/fr/datasets/{ds_id}/",
            "fetched_from": "synthetic:bench/synthetic_harvest.py", "fetched_at": "2026-01-01T00:00:00+00:00",
        })
    return out


def write(path: Path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in sorted(items, key=lambda r: (r["source"], r["id"])):
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=10)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="snapshot file to write")
    target.add_argument("--data-dir", type=Path, help="data folder to write (a copy of data/ with this snapshot)")
    args = parser.parse_args(argv)
    items = records(args.count, args.seed)
    if args.data_dir is not None:
        for sub in DATA.iterdir():  # every shipped folder (sources, curated, mappings...) but the harvest's
            if sub.is_dir() and sub.name != "harvest" and not (args.data_dir / sub.name).exists():
                shutil.copytree(sub, args.data_dir / sub.name)
        (args.data_dir / "harvest").mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / "harvest" / "category-rules.csv", args.data_dir / "harvest" / "category-rules.csv")
        path = args.data_dir / "harvest" / "snapshot.jsonl"
    else:
        path = args.out
    write(path, items)
    print(f"{len(items):,} synthetic datasets written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
