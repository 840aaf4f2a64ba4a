"""What a harvest keeps under `data/harvest/`, written crash-safe:

    snapshot.jsonl              the current snapshot: one record per dataset (records.py), sorted; the build
                                reads this file and nothing else of the harvest
    MANIFEST.json               provenance and state: each part (a zone, an organisation, a catalogue) with
                                the pages fetched, where and when, whether it is complete; the organisations
                                looked up; every run with its errors, malformed and incomplete records
    runs/<run-id>/raw/          every raw answer of the run, numbered in order (index in the run's report)
    runs/<run-id>/records.jsonl the records the run read, appended page by page before the page counts as done

A run merges its records into the snapshot when it ends; a run that crashed is merged by the next one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from odl_graph.errors import SourceError, SourceLocation

SNAPSHOT = "snapshot.jsonl"
MANIFEST = "MANIFEST.json"
FORMAT = 1


def harvest_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "harvest"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so a reader (or a crash) never sees it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def empty_manifest() -> dict[str, Any]:
    return {"format": FORMAT, "snapshot": {"file": SNAPSHOT, "datasets": 0, "written_at": None},
            "parts": {}, "organizations": {}, "runs": []}


def load_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.exists():
        return empty_manifest()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(SourceLocation(str(path), exc.lineno, exc.colno), f"invalid JSON: {exc.msg}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SourceError(SourceLocation(str(path)), f"not a harvest manifest of format {FORMAT}")
    return data


def save_manifest(root: Path, manifest: dict[str, Any]) -> None:
    write_atomic(root / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def read_records(path: Path) -> Iterator[dict]:
    """Records of a JSON-lines file; a broken line names file:line."""
    if not Path(path).is_file():
        raise SourceError(SourceLocation(str(path)), "cannot read: no such file")
    with open(path, encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SourceError(SourceLocation(str(path), n, exc.colno), f"invalid JSON: {exc.msg}") from exc
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                raise SourceError(SourceLocation(str(path), n), "a record is a JSON object with an 'id'")
            yield record


def record_key(record: dict) -> tuple[str, str]:
    return (str(record.get("source")), record["id"])


def dumps(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def write_snapshot(path: Path, records: Iterable[dict]) -> int:
    ordered = sorted(records, key=record_key)
    write_atomic(path, "".join(dumps(r) + "\n" for r in ordered))
    return len(ordered)


class Run:
    """The files of one harvest run: raw answers and the records read, appended as pages complete."""

    def __init__(self, root: Path, run_id: str) -> None:
        self.id = run_id
        self.dir = root / "runs" / run_id
        self.raw_dir = self.dir / "raw"
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self.records_path = self.dir / "records.jsonl"
        self.raw_index: list[dict[str, Any]] = []

    def keep_raw(self, url: str, status: int, content_type: str, body: bytes, fetched_at: str) -> str:
        n = len(self.raw_index) + 1
        name = f"{n:05d}-{_slug(url)}{_extension(content_type, url)}"
        (self.raw_dir / name).write_bytes(body)
        rel = f"runs/{self.id}/raw/{name}"
        self.raw_index.append({"n": n, "url": url, "status": status, "content_type": content_type,
                               "fetched_at": fetched_at, "file": rel})
        return rel

    def append(self, records: list[dict]) -> None:
        """Append a page's records durably (before the page is marked done in the manifest)."""
        with open(self.records_path, "a", encoding="utf-8", newline="\n") as f:
            for r in records:
                f.write(dumps(r) + "\n")
            f.flush()
            os.fsync(f.fileno())


def merge(root: Path, manifest: dict[str, Any], organizations: dict[str, dict]) -> int:
    """Fold every unmerged run's records into the snapshot (the newest reading of a dataset wins), fill
    each record's organisation from the organisations looked up, and mark those runs merged."""
    path = root / SNAPSHOT
    by_key: dict[tuple[str, str], dict] = {}
    if path.exists():
        for r in read_records(path):
            by_key[record_key(r)] = r
    merged_runs = []
    for run in manifest["runs"]:
        if run.get("merged"):
            continue
        records = root / "runs" / run["id"] / "records.jsonl"
        if records.exists():
            for r in _tolerant(records):
                old = by_key.get(record_key(r))
                if old is None or str(old.get("fetched_at")) <= str(r.get("fetched_at")):
                    by_key[record_key(r)] = r
        merged_runs.append(run)
    for r in by_key.values():
        org = r.get("organization")
        if isinstance(org, dict) and org.get("id") in organizations:
            known = organizations[org["id"]]
            r["organization"] = {**org, **{k: v for k, v in known.items() if k in org and v is not None}}
    count = write_snapshot(path, by_key.values())
    for run in merged_runs:
        run["merged"] = True
    return count


def _tolerant(path: Path) -> Iterator[dict]:
    """Records of a run file; a line cut short by a crash (the last one) is dropped, not fatal."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            with contextlib.suppress(json.JSONDecodeError):
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("id"), str):
                    yield record


def _slug(url: str) -> str:
    text = re.sub(r"^[a-z]+://", "", url)
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "answer"


def _extension(content_type: str, url: str) -> str:
    ct = content_type.split(";")[0].strip().lower()
    by_type = {"application/json": ".json", "application/ld+json": ".jsonld", "text/turtle": ".ttl",
               "application/rdf+xml": ".rdf", "application/n-triples": ".nt", "text/html": ".html"}
    if ct in by_type:
        return by_type[ct]
    suffix = Path(url.split("?")[0]).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix or "") else ".txt"
