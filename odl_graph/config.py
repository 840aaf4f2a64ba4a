"""Settings, declared once as data (name, default, help), overlaid from the environment.

The same registry feeds the CLI, the Flask app and `docs/settings.md` (a test keeps them in sync).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from odl_graph.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE_IRI = "https://w3id.org/odl-graph/"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return "ODL_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("base_iri", DEFAULT_BASE_IRI, "Base IRI of the ontology terms and of every minted resource."),
    Setting("store", str(PROJECT_ROOT / "var" / "store"), "Location of the embedded on-disk store."),
    Setting("store_backend", "embedded", "Store backend: 'embedded' (pyoxigraph on disk) or 'remote'."),
    Setting("remote_query_url", "", "Remote backend: SPARQL 1.1 query endpoint URL."),
    Setting("remote_update_url", "", "Remote backend: SPARQL 1.1 update endpoint URL (fallback writes)."),
    Setting("remote_store_url", "", "Remote backend: SPARQL 1.1 Graph Store Protocol URL."),
    Setting("remote_graph_prefix", "", "Remote backend: prefix of the named graphs (defaults to base IRI)."),
    Setting("base_url", "", "Public URL of the server, e.g. 'https://example.org/' (empty: taken from each request)."),
    Setting("store_mode", "memory", "What query workers read: 'memory' (a copy loaded at start) or 'disk'."),
    Setting("query_timeout", 10.0, "Seconds after which a SPARQL query is stopped.", float),
    Setting("row_cap", 0, "Maximum rows of a SELECT answer at /sparql (0 = no cap: answers stream in full).", int),
    Setting("max_body_bytes", 1_000_000, "Largest accepted request body, in bytes.", int),
    Setting("check_max_bytes", 100_000, "Largest CSV file the file check (/analyses/check) accepts, in bytes.", int),
    Setting("max_write_bytes", 1 << 30, "Largest accepted body of an authorised write (/update, /store), in bytes.",
            int),
    Setting("write_timeout", 600.0, "Seconds after which an update or Graph Store write is stopped (nothing written).",
            float),
    Setting("cors", True, "Send CORS headers on the read endpoints (not on /update and /store).", bool),
    Setting("update_token", "", "Bearer token enabling /update and /store; empty disables them."),
    Setting("workers", 2, "Query worker processes per server process.", int),
    Setting("reserve_workers", 1, "Extra query workers that take a query only when every regular one is busy.", int),
    Setting("reserve_timeout", 1.0, "Seconds after which a query running on a reserve worker is stopped.", float),
    Setting("worker_memory_mb", 1024, "Megabytes a query worker may allocate beyond the shared store (0 = no cap).",
            int),
    Setting("proxy_hops", 0, "Reverse proxies in front of the server that append to X-Forwarded-For: the client "
            "address (per-client fairness of the query workers) is read that many entries from its end (0: the "
            "connection's address).", int),
    Setting("max_query_depth", 64, "Deepest nesting of braces, parentheses and brackets accepted in SPARQL.", int),
    Setting("result_cache_bytes", 64 * 1024 * 1024,
            "Bytes of serialised SPARQL answers kept per store version for repeated queries (0 = off).", int),
    Setting("catalog_publisher", "odl-graph", "Name of the publisher in the DCAT-AP description at /catalog."),
    Setting("catalog_contact_email", "", "Contact e-mail in /catalog (empty: the contact point gives the site URL)."),
    Setting("licence", "http://publications.europa.eu/resource/authority/licence/ODC_BL",
            "Licence IRI of the graph (docs/licence.md), stated in /download/, the dumps' manifest, /catalog, VoID "
            "and every page's footer; empty: none is claimed."),
    Setting("build_reason", True, "Run OWL reasoning (HermiT, needs Java) as a stage of the build: graph/inferred.",
            bool),
    Setting("cache_dir", str(PROJECT_ROOT / "var" / "cache"), "Content-addressed cache of validation reports."),
    Setting("data_dir", str(PROJECT_ROOT / "data"), "Folder of curated data and source extracts."),
    Setting("shared_dir", str(PROJECT_ROOT.parent / "shared" / "data"), "Folder of the shared raw sources."),
    Setting("harvest_base_url", "https://www.data.gouv.fr/api/1/", "Root of the data.gouv.fr API the harvester reads."),
    Setting("harvest_page_size", 50, "Datasets asked for per page of the data.gouv.fr API.", int),
    Setting("harvest_min_interval", 0.5, "Harvester: least seconds between two requests (rate limit).", float),
    Setting("harvest_retries", 5, "Harvester: retries of a request answered 429, 5xx or not at all.", int),
    Setting("harvest_backoff", 1.0, "Harvester: first retry delay in seconds, doubled at each retry.", float),
    Setting("harvest_backoff_max", 120.0, "Harvester: longest wait between retries, Retry-After included.", float),
    Setting("harvest_timeout", 30.0, "Harvester: seconds to wait for an answer.", float),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, raw: Any) -> Any:
    if setting.type is bool and isinstance(raw, str):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"setting {setting.name}: {raw!r} is not a boolean")
    try:
        return setting.type(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {setting.name}: {raw!r} is not a valid {setting.type.__name__}") from exc


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict:
    """Return every setting: defaults, then ODL_* environment variables, then explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for s in SETTINGS:
        values[s.name] = _coerce(s, env[s.env]) if s.env in env else s.default
    for key, raw in (overrides or {}).items():
        key = key.lower()
        if key not in SETTINGS_BY_NAME:
            raise ConfigError(f"unknown setting {key!r}; known: {', '.join(SETTINGS_BY_NAME)}")
        if raw is not None:
            values[key] = _coerce(SETTINGS_BY_NAME[key], raw)
    if not str(values["base_iri"]).endswith("/"):
        raise ConfigError("setting base_iri must end with '/'")
    return values
