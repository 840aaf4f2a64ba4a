"""The harvest itself: fetch parts (the datasets of a zone or of an organisation from the data.gouv.fr API,
or a DCAT catalogue), page by page, keeping raw answers and records; then look up each organisation once
for its SIREN; then merge into the snapshot. Resumable: a page counts as done only once its records are on
disk, and a part that is complete is skipped on the next run unless `refresh` is set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import Graph

from odl_graph.build.harvest import records as rec
from odl_graph.build.harvest import snapshot as snap
from odl_graph.build.harvest.http import Fetched, Fetcher, FetchError, Politeness, now_iso, user_agent
from odl_graph.negotiation import GRAPH_FORMATS

ProgressFn = Callable[[str, int, int], Any]  # (what, parts done, parts known)
CATALOG_ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8"
RDFLIB_PARSERS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
SUFFIX_PARSERS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml",
                  ".xml": "xml", ".owl": "xml"}


@dataclass(frozen=True)
class Part:
    """One unit of harvest and resumption."""

    kind: str  # zone | organization | catalog
    target: str
    first_url: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.target}"


@dataclass
class Report:
    run_id: str
    requests: int = 0
    datasets: int = 0
    snapshot_datasets: int = 0
    parts_done: list[str] = field(default_factory=list)
    parts_skipped: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    malformed: list[dict[str, str]] = field(default_factory=list)
    incomplete: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("run_id", "requests", "datasets", "snapshot_datasets", "parts_done",
                                              "parts_skipped", "errors", "malformed", "incomplete")}


def api_root(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


def zone_part(base_url: str, zone: str, page_size: int) -> Part:
    query = urlencode({"geozone": zone, "page_size": page_size})
    return Part("zone", zone, f"{api_root(base_url)}datasets/?{query}")


def organization_part(base_url: str, org: str, page_size: int) -> Part:
    return Part("organization", org,
                f"{api_root(base_url)}organizations/{quote(org, safe='')}/datasets/?page_size={page_size}")


def catalog_part(location: str) -> Part:
    path = Path(location)
    target = path.resolve().as_uri() if "://" not in location and path.exists() else location
    return Part("catalog", target, target)


def new_run_id(root: Path) -> str:
    base = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    run_id, n = base, 1
    while (root / "runs" / run_id).exists():
        n += 1
        run_id = f"{base}-{n}"
    return run_id


class Harvester:
    """Runs harvests into `{data_dir}/harvest`; every network access goes through one polite Fetcher."""

    def __init__(self, settings: dict, *, base_url: str | None = None, refresh: bool = False,
                 progress: ProgressFn | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.root = snap.harvest_dir(Path(settings["data_dir"]))
        self.base_url = api_root(base_url or settings["harvest_base_url"])
        self.page_size = int(settings["harvest_page_size"])
        self.refresh = refresh
        self.progress = progress or (lambda _w, _d, _t: None)
        self.agent = user_agent(settings["base_iri"])
        self.fetcher = Fetcher(Politeness.from_settings(settings), self.agent)
        if sleep is not None:
            self.fetcher.sleep = sleep

    def parts_for(self, zones: Sequence[str] = (), organizations: Sequence[str] = (),
                  catalogs: Sequence[str] = ()) -> list[Part]:
        return ([zone_part(self.base_url, z, self.page_size) for z in zones]
                + [organization_part(self.base_url, o, self.page_size) for o in organizations]
                + [catalog_part(c) for c in catalogs])

    def run(self, parts: list[Part]) -> Report:
        self.root.mkdir(parents=True, exist_ok=True)
        manifest = snap.load_manifest(self.root)
        run = snap.Run(self.root, new_run_id(self.root))
        report = Report(run.id)
        entry = {"id": run.id, "started_at": now_iso(), "finished_at": None, "base_url": self.base_url,
                 "user_agent": self.agent, "merged": False}
        manifest["runs"].append(entry)
        self.fetcher.on_response = lambda f: self._keep(run, f)
        snap.save_manifest(self.root, manifest)
        org_ids: list[str] = []
        try:
            total = len(parts)
            for i, part in enumerate(parts):
                self.progress(part.key, i, total)
                self._part(part, manifest, run, report, org_ids)
            todo = [o for o in org_ids if self.refresh or o not in manifest["organizations"]]
            for j, org in enumerate(todo):
                self.progress(f"organization:{org}", total + j, total + len(todo))
                self._organization(org, manifest, report)
            self.progress("merging", total + len(todo), total + len(todo))
        finally:
            self.fetcher.close()
            report.requests = self.fetcher.requests_made
            entry.update({"finished_at": now_iso(), "requests": report.requests, "errors": report.errors,
                          "malformed": report.malformed, "incomplete": report.incomplete,
                          "raw": f"runs/{run.id}/raw", "records": f"runs/{run.id}/records.jsonl"})
            report.snapshot_datasets = snap.merge(self.root, manifest, manifest["organizations"])
            manifest["snapshot"] = {"file": snap.SNAPSHOT, "datasets": report.snapshot_datasets,
                                    "written_at": now_iso()}
            snap.save_manifest(self.root, manifest)
            snap.write_atomic(run.dir / "report.json", _json({**report.as_json(), "raw": run.raw_index}))
        return report

    # -- parts ---------------------------------------------------------------------------------------

    def _part(self, part: Part, manifest: dict, run: snap.Run, report: Report, org_ids: list[str]) -> None:
        state = manifest["parts"].get(part.key)
        if state is not None and state.get("complete") and not self.refresh:
            report.parts_skipped.append(part.key)
            return
        if state is None or self.refresh or state.get("first_url") != part.first_url:
            state = manifest["parts"][part.key] = {
                "kind": part.kind, "target": part.target, "first_url": part.first_url, "next_url": part.first_url,
                "pages": [], "datasets": 0, "complete": False, "error": None,
            }
        url = state["next_url"]
        while url:
            try:
                fetched = self.fetcher.get(url, accept=CATALOG_ACCEPT if part.kind == "catalog" else "application/json")
                found, next_url = self._page(part, fetched, url, report)
            except FetchError as exc:
                state["error"] = str(exc)
                report.errors.append({"part": part.key, "url": exc.url, "status": exc.status, "message": str(exc)})
                snap.save_manifest(self.root, manifest)
                return
            run.append(found)
            for r in found:
                org = r.get("organization")
                if r["source"] == "datagouv" and isinstance(org, dict) and org["id"] not in org_ids:
                    org_ids.append(org["id"])
            if next_url in {p["url"] for p in state["pages"]} or next_url == url:
                next_url = None  # a server pointing back at a page it served: stop rather than loop
            state["pages"].append({"url": url, "fetched_at": fetched.fetched_at, "run": run.id,
                                   "datasets": len(found), "raw": run.raw_index[-1]["file"]})
            state["datasets"] += len(found)
            state["next_url"] = next_url
            state["error"] = None
            report.datasets += len(found)
            url = next_url
            snap.save_manifest(self.root, manifest)
        state["complete"] = True
        snap.save_manifest(self.root, manifest)
        report.parts_done.append(part.key)

    def _page(self, part: Part, fetched: Fetched, url: str, report: Report) -> tuple[list[dict], str | None]:
        """Records of one page (malformed ones reported and left out) and the next page's URL."""
        if part.kind == "catalog":
            g = Graph()
            parser = _parser(fetched, url)
            try:
                g.parse(data=fetched.body, format=parser, publicID=fetched.url)
            except Exception as exc:  # rdflib raises many types; all mean 'this page is broken'
                raise FetchError(url, f"cannot parse as {parser}: {exc}", fetched.status) from exc
            items: list[dict | rec.MalformedRecord] = rec.dcat_records(g, url, fetched.fetched_at)
            next_url = rec.next_page(g, fetched.url)
        else:
            body = fetched.json()
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise FetchError(url, "not a data.gouv.fr page (an object with a 'data' list)", fetched.status)
            items = []
            for n, item in enumerate(body["data"], start=1):
                try:
                    items.append(rec.datagouv_record(item, url, fetched.fetched_at, n))
                except rec.MalformedRecord as bad:
                    items.append(bad)
            nxt = body.get("next_page")
            next_url = nxt if isinstance(nxt, str) and nxt else None
        found = []
        for item in items:
            if isinstance(item, rec.MalformedRecord):
                report.malformed.append({"id": item.identifier, "reason": item.reason, "url": url})
                continue
            missing = rec.incomplete(item)
            if missing:
                report.incomplete.append({"id": item["id"], "missing": missing, "url": url})
            found.append(item)
        return found, next_url

    def _organization(self, org: str, manifest: dict, report: Report) -> None:
        url = f"{self.base_url}organizations/{quote(org, safe='')}/"
        try:
            fetched = self.fetcher.get(url)
            info = rec.organization(fetched.json(), org)
        except (FetchError, rec.MalformedRecord) as exc:
            report.errors.append({"part": f"organization:{org}", "url": url, "status": getattr(exc, "status", None),
                                  "message": str(exc)})
            return
        manifest["organizations"][org] = {**(info or {}), "fetched_from": url, "fetched_at": fetched.fetched_at}

    def _keep(self, run: snap.Run, fetched: Fetched) -> None:
        run.keep_raw(fetched.url, fetched.status, fetched.content_type, fetched.body, fetched.fetched_at)


def _parser(fetched: Fetched, url: str) -> str:
    """rdflib parser of a catalogue page: from its Content-Type (the project's format table), else its
    file extension, else Turtle."""
    ct = fetched.content_type.split(";")[0].strip().lower()
    for fmt in GRAPH_FORMATS:
        if ct and ct in fmt.accepted and ct != "application/json":
            return RDFLIB_PARSERS[fmt.name]
    suffix = Path(url.split("?")[0]).suffix.lower()
    if suffix in SUFFIX_PARSERS:
        return SUFFIX_PARSERS[suffix]
    if ct == "application/json" or fetched.body.lstrip()[:1] in (b"{", b"["):
        return "json-ld"
    return "xml" if fetched.body.lstrip()[:1] == b"<" else "turtle"


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
