"""CLI commands of the cross-cutting analyses (diagnostic, roadmap, ranking, priorities,
derive-schema, report, queries), added to the `odl-graph` group by odl_graph.cli."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from odl_graph.cli.context import Ctx, fail, pass_ctx
from odl_graph.errors import OdlError

FORMATS = click.Choice(["table", "json", "csv"])


def _store(obj: Ctx) -> Any:
    from odl_graph.stores import open_store

    return open_store(obj.settings)


def _tables(obj: Ctx) -> Any:
    from odl_graph.analyses import tables as tb

    return tb.tables(_store(obj), obj.settings["base_iri"])


def _emit(rows: list[dict[str, Any]], columns: list[str], fmt: str, title: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
        return
    table = Table(title=title)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
    Console(width=200).print(table)


def _pct(score: float | None) -> str:
    return "unknown" if score is None else f"{score:.0%}"


@click.command()
@click.argument("commune")
@click.argument("usecase")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_ctx
def diagnostic(obj: Ctx, commune: str, usecase: str, fmt: str) -> None:
    """Readiness of COMMUNE for USECASE, line by line.

    COMMUNE is an INSEE code or a name (accents and case ignored; "Saint-Denis (93)" narrows a shared
    name); USECASE is an identifier listed by `odl-graph usecases`."""
    from odl_graph.analyses import diagnostic as dg

    try:
        t = _tables(obj)
        d = dg.diagnose_pair(t, t.resolve_commune(commune), t.resolve_usecase(usecase))
    except OdlError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
        return
    rows = [{"level": ln.level, "category": ln.category_label, "evidence": ln.evidence, "certainty": ln.certainty,
             "weight": f"{ln.weight:.2f}", "dataset": ln.best.label if ln.best else "",
             "status": ln.best.status_label if ln.best else "",
             "holder": dg.names(ln.holders), "explanation": ln.text_fr} for ln in d.lines + d.useful]
    _emit(rows, ["level", "category", "evidence", "certainty", "weight", "dataset", "status", "holder",
                 "explanation"], fmt,
          f"{d.commune_label} × {d.usecase_label}: {_pct(d.score)}")
    if fmt == "table":
        Console().print(d.summary_fr)


@click.command()
@click.argument("commune")
@click.option("--usecase", default=None, help="Only the requests of this use case's diagnostic.")
@pass_ctx
def letters(obj: Ctx, commune: str, usecase: str | None) -> None:
    """Draft requests of COMMUNE (INSEE code or name), in French: one letter per data category to ask
    another body for, addressed to the competent holder, with the legal basis or 'unknown'. Printed, never
    sent (the same file as /analyses/letters.txt?commune=…)."""
    from odl_graph.analyses import letters as lt

    try:
        t = _tables(obj)
        target = t.resolve_commune(commune)
        found = (lt.letters_for_usecase(t, target, t.resolve_usecase(usecase)) if usecase
                 else lt.letters_for_town(t, target))
    except OdlError as exc:
        fail(exc)
    click.echo(lt.town_file_text(target, found), nl=False)


@click.command()
@click.argument("commune")
@click.option("--limit", type=int, default=None, help="Only the first N steps.")
@click.option("--paid-first", is_flag=True, help="Rank paid data with the other steps (by default it comes last).")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_ctx
def roadmap(obj: Ctx, commune: str, limit: int | None, paid_first: bool, fmt: str) -> None:
    """What COMMUNE (any commune of the COG: INSEE code or name) should use, check, ask for, produce or buy
    first to make the most use cases ready, and whom to turn to (the competent holder, with its SIREN)."""
    from odl_graph.analyses import diagnostic as dg
    from odl_graph.analyses import roadmap as rm

    try:
        t = _tables(obj)
        target = t.resolve_commune(commune)
        steps = rm.roadmap(t, target, limit=limit, paid_first=paid_first)
    except OdlError as exc:
        fail(exc)
    rows = [{**asdict(s), "unlocks": ", ".join(u["label"] for u in s.unlocks),
             "holders": dg.names(s.holders)} for s in steps]
    if fmt == "json":
        rows = [asdict(s) for s in steps]
    _emit(rows, ["rank", "category_label", "action", "holders", "certainty_en", "unlocks", "needed_by"], fmt,
          f"roadmap {target.label} ({target.insee})")


@click.command()
@click.argument("usecase")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_ctx
def ranking(obj: Ctx, usecase: str, fmt: str) -> None:
    """ACV towns ranked by readiness for USECASE (an identifier listed by `odl-graph usecases`)."""
    from odl_graph.analyses import diagnostic as dg

    try:
        t = _tables(obj)
        rows = dg.ranking(t, t.resolve_usecase(usecase))
    except OdlError as exc:
        fail(exc)
    if fmt != "json":
        rows = [{**r, "score": _pct(r["score"]), "missing": ", ".join(m["label"] for m in r["missing"])}
                for r in rows]
    _emit(rows, ["rank", "label", "insee", "score", "satisfied", "required", "missing"], fmt, f"ranking {usecase}")


@click.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_ctx
def priorities(obj: Ctx, fmt: str) -> None:
    """Data categories to standardise first, SCDL candidates then national data (docs/priorities.md)."""
    from odl_graph.analyses import priorities as pr

    try:
        rows = pr.priorities(_tables(obj))
    except OdlError as exc:
        fail(exc)
    if fmt != "json":
        rows = [{**r, "standards": ", ".join(s["label"] + (" (SCDL)" if s["scdl"] else "") for s in r["standards"])}
                for r in rows]
    _emit(rows, ["group", "rank", "label", "score", "use_cases", "indispensable_for", "towns_gain", "producer",
                 "standards", "why_en"], fmt, "standardisation priorities")


@click.command()
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True, help="Label language.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@pass_ctx
def usecases(obj: Ctx, lang: str, fmt: str) -> None:
    """List the use cases: the identifier the diagnostic and ranking take, and the label."""
    from odl_graph.text import sort_key

    try:
        t = _tables(obj)
    except OdlError as exc:
        fail(exc)
    rows = sorted(({"usecase": u.rsplit("/", 1)[-1], "label": t.label(u, lang),
                    "indispensable": len(t.indispensable_of(u))} for u in t.usecases),
                  key=lambda r: sort_key(r["label"]))
    _emit(rows, ["usecase", "label", "indispensable"], fmt, "use cases" if lang == "en" else "cas d'usage")


@click.command("derive-schema")
@click.argument("category")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/schemas"),
              show_default=True, help="Folder the draft files are written to.")
@pass_ctx
def derive_schema(obj: Ctx, category: str, out: Path) -> None:
    """Draft Table Schema + SHACL shape for CATEGORY (data category slug, or standard id owner/name)."""
    from odl_graph.analyses.derive import derive

    try:
        paths = derive(_store(obj), category, out, obj.settings["base_iri"])
    except OdlError as exc:
        fail(exc)
    for p in paths:
        click.echo(str(p))


@click.command()
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/report"),
              show_default=True)
@click.option("--no-pdf", is_flag=True, help="Write the HTML only.")
@pass_ctx
def report(obj: Ctx, out: Path, no_pdf: bool) -> None:
    """Write the programme synthesis (HTML and PDF) from the graph."""
    from odl_graph.analyses.report import write_report

    try:
        paths = write_report(_store(obj), out, obj.settings["base_iri"], pdf=not no_pdf)
    except OdlError as exc:
        fail(exc)
    for p in paths:
        click.echo(str(p))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def queries(fmt: str) -> None:
    """List the named queries of the catalogue (run one with `odl-graph query --name NAME`)."""
    from odl_graph.analyses.catalogue import load_catalogue

    try:
        cat = load_catalogue()
    except OdlError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps([q.to_json() for q in cat.values()], ensure_ascii=False, indent=2))
        return
    rows = [{"name": q.name, "title": q.title_en, "view": q.view,
             "params": ", ".join(f"{p.name}:{p.type}={p.default}" for p in q.params)} for q in cat.values()]
    _emit(rows, ["name", "title", "view", "params"], "table", "query catalogue")


COMMANDS = (diagnostic, roadmap, letters, ranking, priorities, usecases, derive_schema, report, queries)
