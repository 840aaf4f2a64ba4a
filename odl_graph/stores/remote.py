"""The second store backend: an external SPARQL 1.1 store (Oxigraph server, Virtuoso, ...).

Reads go through the SPARQL 1.1 Protocol; writes through the SPARQL 1.1 Graph Store Protocol, with
SPARQL Update as the fallback; all over one pooled requests session (odl_graph/stores/http.py).
Answers come back as real pyoxigraph result objects, so every caller works on both backends.

Layout in the remote store (docs/deploy.md, "How odl-graph lays out a remote store"):

* every build is a *version* (a timestamp, like the embedded store's folders). The logical named
  graph `L` = `{base}graph/kind/name` of version `v` is stored as the physical graph
  `P` = `{prefix}graph/kind/name/version/{v}`; `prefix` is `remote_graph_prefix` (default: base IRI);
* the control graph `{prefix}graph/control` says which version is live (`<C> owl:versionInfo "v"`)
  and lists each version's logical graphs (`<C/version/v> a prov:Collection ; dcterms:hasPart <L>`);
* a build writes a new version next to the live one, checks every graph arrived complete, then
  switches the pointer with one SPARQL Update operation. A failed or killed load never touches what
  readers see; the next build drops its leftovers. The previous version is kept for readers that
  picked it just before a switch;
* a query runs on the live version only: the protocol's `default-graph-uri` lists its physical
  graphs (the default graph is their union, as in the embedded store) and so does
  `named-graph-uri`. The renaming L <-> P is applied to everything that crosses the wire: logical
  graph IRIs in the query text and in the loaded data are sent as physical ones, physical IRIs in
  answers and error messages come back logical. So `GRAPH ?g`, `GRAPH <L>` and `graph/meta`'s
  statements about graphs behave exactly as on the embedded store.

Quirks of a product (odl_graph/stores/quirks.py) are caught here, never passed on as a complete
answer: a partial answer on timeout raises `RemoteTimeout`; a silent row cap (`X-SPARQL-MaxRows`)
raises `RemoteTruncated` unless the caller asked for fewer rows than the cap.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import requests

from odl_graph.errors import ConfigError, QueryError, StoreError
from odl_graph.sparql_text import rewrite, scan
from odl_graph.stores.base import graph_result
from odl_graph.stores.http import (
    ENV_AUTH,
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    Credentials,
    derive_urls,
    has_nonce,
    session,
    with_query,
)
from odl_graph.stores.quirks import Quirks, ask_to_select, quirks_for
from odl_graph.stores.wire import (
    DEFAULT_GRAPH,
    canonical_booleans,
    chunks,
    count_triples,
    inject_values,
    normalise_json,
    rename_bytes,
    split_nquads,
    syntax_position,
    term_text,
)

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
PROV_COLLECTION = "http://www.w3.org/ns/prov#Collection"
PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
DCT_CREATED = "http://purl.org/dc/terms/created"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
CHUNK_BYTES = 4_000_000  # one Graph Store Protocol request; Virtuoso digests big bodies slowly
LIVE_TTL = 1.0  # seconds a read of the control graph is reused (a switch keeps the previous version)
DEFAULT_TIMEOUT = 60.0  # library calls without a timeout of their own (the engine passes its own)


class RemoteTimeout(StoreError):
    """The remote store ran out of time: it said so, answered partially, or did not answer in time."""


class RemoteTruncated(StoreError):
    """The remote store cut the answer at its own row limit: the answer is incomplete."""

    def __init__(self, message: str, *, rows: int, limit: int) -> None:
        self.rows = rows
        self.limit = limit
        super().__init__(message)


# -- HTTP ------------------------------------------------------------------------------------
@dataclass
class Version:
    stamp: str
    graphs: list[str]  # logical graph IRIs


def new_stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000_000:09d}"


class RemoteStore:
    """A GraphStore over SPARQL 1.1 Protocol + Graph Store Protocol (see the module docstring)."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str = "",
        store_url: str = "",
        graph_prefix: str = "",
        base_iri: str = "https://w3id.org/odl-graph/",
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        keep_versions: int = 2,
    ) -> None:
        if not query_url or "://" not in query_url:
            raise ConfigError(f"remote store: query URL {query_url!r} is not an http(s) URL")
        self.query_url = query_url
        self.credentials = credentials or Credentials()
        derived_update, derived_store = derive_urls(query_url, self.credentials.any)
        self.update_url = update_url or derived_update
        self.store_url = store_url if store_url else derived_store
        self.base_iri = base_iri
        self.prefix = graph_prefix or base_iri
        self.control = self.prefix + "graph/control"
        self.timeout = float(timeout)
        self.keep_versions = max(1, keep_versions)
        self._quirks: Quirks | None = None  # chosen from the Server header of the first answer
        self._live_cache: tuple[float, Version | None] | None = None
        self._lock = threading.Lock()
        self._gsp_ok = bool(self.store_url)
        self._graph_row_limit: tuple[int | None] | None = None
        self._http_session: requests.Session | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> RemoteStore:
        """Configured by the remote_* settings; credentials come from ODL_REMOTE_* environment variables."""
        url = settings.get("remote_query_url") or ""
        if not url:
            raise ConfigError("store_backend is 'remote' but remote_query_url (ODL_REMOTE_QUERY_URL) is empty")
        return cls(
            url,
            update_url=settings.get("remote_update_url") or "",
            store_url=settings.get("remote_store_url") or "",
            graph_prefix=settings.get("remote_graph_prefix") or "",
            base_iri=settings.get("base_iri") or "https://w3id.org/odl-graph/",
            credentials=Credentials.from_env(environ),
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    @property
    def quirks(self) -> Quirks:
        """The product's quirks; the first call asks the store which product it is (once)."""
        if self._quirks is None:
            self._learn(self._request("GET", self.query_url, timeout=self.timeout, check=False).headers)
        return self._quirks or Quirks()

    def _learn(self, headers: Mapping[str, str]) -> None:
        if self._quirks is None:
            self._quirks = quirks_for(headers.get("server", "") or "")

    # -- names -----------------------------------------------------------------------------
    def physical(self, logical: str, stamp: str) -> str:
        """Physical graph IRI of a logical graph in one version."""
        if logical == DEFAULT_GRAPH:
            return f"{self.prefix}graph/default-graph/version/{stamp}"
        if logical.startswith(self.base_iri):
            rel = logical[len(self.base_iri):]
        else:
            rel = "graph/external-iri/" + urllib.parse.quote(logical, safe="")
        return f"{self.prefix}{rel}/version/{stamp}"

    def _maps(self, version: Version) -> tuple[dict[str, str], dict[str, str]]:
        """Renamings applied on the way in (fwd) and out (back): graph names, plus shielded datatypes."""
        fwd = {g: self.physical(g, version.stamp) for g in version.graphs}
        fwd.update(self.quirks.shielded_datatypes(self.prefix))
        return fwd, {p: g for g, p in fwd.items()}

    # -- HTTP plumbing ---------------------------------------------------------------------
    @property
    def http(self) -> requests.Session:
        """One pooled session per store (opened on first use: a store object costs nothing until then)."""
        if self._http_session is None:
            self._http_session = session(self.credentials)
        return self._http_session

    def _request(self, method: str, url: str, *, timeout: float, check: bool = True, **kwargs: Any
                 ) -> requests.Response:
        """One request; connection and time-out failures in our words. `check`: 4xx/5xx raise _HTTPFailure."""
        bare = url.split("?", 1)[0]
        try:
            resp = self.http.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout as exc:
            raise RemoteTimeout(f"remote store did not answer {method} {bare} in time") from exc
        except requests.ConnectionError as exc:
            raise _Unreachable(f"cannot reach the remote store at {bare}: {exc}") from exc
        self._learn(resp.headers)
        if check and resp.status_code >= 400:
            raise _HTTPFailure(resp.status_code, f"{method} {url}: HTTP {resp.status_code}: {resp.text[:500].strip()}")
        return resp

    def _prime_digest(self, url: str, timeout: float) -> None:
        """Take a digest challenge with a bodyless request, so the next write carries its answer.

        Digest auth is answered up front (not after a 401) because Virtuoso closes the connection
        on 401 while a large body is still being sent, which breaks the upload; requests' digest
        auth answers every later request with the nonce it learnt here.
        """
        self._request("GET", url.split("?", 1)[0], timeout=timeout, check=False)

    def _http(
        self, method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None,
        timeout: float | None = None, ok_missing: bool = False,
    ) -> tuple[int, bytes]:
        """One write-side request (Graph Store Protocol, SPARQL Update). Raises StoreError on failure."""
        limit = timeout or max(self.timeout, 300.0)
        for attempt in range(2):
            if self.credentials.digest and (attempt == 1 or not has_nonce(self.http.auth)):
                self._prime_digest(url, limit)
            try:
                resp = self._request(method, url, data=body, headers=dict(headers or {}), timeout=limit)
                return resp.status_code, resp.content
            except _HTTPFailure as exc:
                if exc.code == 401 and self.credentials.digest and attempt == 0:
                    continue  # stale nonce: take a fresh challenge and retry once
                if ok_missing and exc.code == 404:
                    return 404, b""
                if exc.code in (401, 403):
                    raise StoreError(
                        f"remote store refused {method} {url.split('?')[0]} (HTTP {exc.code}): check {ENV_USER}/"
                        f"{ENV_PASSWORD}/{ENV_AUTH} or {ENV_TOKEN} and the account's write permissions "
                        f"(docs/deploy.md)"
                    ) from exc
                raise
            except _Unreachable:
                if attempt == 0:
                    continue  # the server hung up mid-body (an auth failure): retry with a fresh challenge
                raise
        raise StoreError(f"remote store refused {method} {url.split('?')[0]} twice")

    def _update(self, sparql: str) -> None:
        """Send one SPARQL Update request (form-encoded POST, which every store here accepts)."""
        body = urllib.parse.urlencode({"update": sparql}).encode("ascii")
        try:
            self._http("POST", self.update_url, body=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"})
        except _HTTPFailure as exc:
            raise StoreError(f"remote update failed: {exc}") from exc

    # -- reading ---------------------------------------------------------------------------
    def _sparql(self, sparql: str, *, accept: str, defaults: Iterable[str] = (), named: Iterable[str] = (),
                timeout: float | None = None) -> tuple[bytes, dict[str, str]]:
        """POST one query (form-encoded); returns the body and the response headers, lower-cased."""
        limit = self.timeout if timeout is None else float(timeout)
        quirks = self.quirks
        # form-encoded: Virtuoso answers POST application/sparql-query with nothing
        form: list[tuple[str, str]] = [("query", sparql)]
        form += [("default-graph-uri", g) for g in defaults] + [("named-graph-uri", g) for g in named]
        form += list(quirks.query_params(limit).items())
        try:
            resp = self._request("POST", self.query_url, data=form, headers={"Accept": accept},
                                 timeout=limit + quirks.timeout_grace, check=False)
        except RemoteTimeout as exc:
            raise RemoteTimeout(f"query exceeded the {limit:g} s time limit (remote store did not answer)") from exc
        if resp.status_code >= 400:
            raise self._query_error(resp.status_code, resp.text, sparql)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        partial = quirks.partial_answer(headers)
        if partial:  # HTTP 200 but the answer is partial (Virtuoso: S1TAT = anytime query timeout)
            raise RemoteTimeout(f"query exceeded the time limit on the remote store, which returned an "
                                f"incomplete answer ({partial})")
        return resp.content, headers

    def _select_json(self, sparql: str) -> Any:
        raw, _ = self._sparql(sparql, accept=JSON_RESULTS)
        return json.loads(raw)

    def _query_error(self, status: int, text: str, sparql: str) -> Exception:
        """Map an HTTP error answer to a query to our error types, in our words."""
        detail = text.strip()
        for p, g in (self._maps(self._live_cache[1])[1].items() if self._live_cache and self._live_cache[1] else []):
            detail = detail.replace(p, g)
        if "estimated execution time" in detail.lower():
            return RemoteTimeout(f"the remote store refused the query: {detail}")
        if status in (401, 403):
            return StoreError(f"remote store refused the query (HTTP {status}): check credentials")
        if re.match(r"Virtuoso 22\d{3} ", detail):  # a data exception, e.g. 1/0 (SPARQL would leave it unbound)
            return QueryError(f"the remote store (Virtuoso) stopped on an expression error: {detail}")
        if (status == 400 or "SP030" in detail or "SPARQL compiler" in detail
                or re.match(r"Virtuoso 37\d{3} ", detail)):  # syntax / compile errors
            line, col = syntax_position(detail, sparql)  # Virtuoso reports syntax errors as 500 too
            return QueryError(f"malformed query: {detail}", line=line, column=col)
        return StoreError(f"remote store error (HTTP {status}): {detail[:800]}")

    def _read_control(self) -> tuple[str | None, dict[str, list[str]]]:
        """(live stamp, {stamp: logical graphs}) from the control graph."""
        q = (
            f"SELECT ?live ?v ?g WHERE {{ GRAPH <{self.control}> {{"
            f" OPTIONAL {{ <{self.control}> <{OWL_VERSION_INFO}> ?live }}"
            f" OPTIONAL {{ ?ver a <{PROV_COLLECTION}> ; <{OWL_VERSION_INFO}> ?v"
            f" OPTIONAL {{ ?ver <{DCT_HAS_PART}> ?g }} }}"
            f" }} }}"
        )
        raw, _ = self._sparql(q, accept=JSON_RESULTS)
        live: str | None = None
        versions: dict[str, list[str]] = {}
        for row in json.loads(raw).get("results", {}).get("bindings", []):
            if "live" in row:
                live = row["live"]["value"]
            if "v" in row:
                graphs = versions.setdefault(row["v"]["value"], [])
                if "g" in row and row["g"]["value"] not in graphs:
                    graphs.append(row["g"]["value"])
        return live, versions

    def live(self, *, fresh: bool = False) -> Version | None:
        """The version readers see (None before the first build), cached for LIVE_TTL seconds."""
        now = time.monotonic()
        cached = self._live_cache
        if not fresh and cached is not None and now - cached[0] < LIVE_TTL:
            return cached[1]
        stamp, versions = self._read_control()
        version = Version(stamp, sorted(versions.get(stamp, []))) if stamp else None
        self._live_cache = (now, version)
        return version

    def _require_live(self) -> Version:
        version = self.live()
        if version is None:
            raise StoreError(f"no odl-graph data in the remote store {self.query_url}: run `odl-graph build` first")
        return version

    def exists(self) -> bool:
        return self.live() is not None

    def version(self) -> str | None:
        v = self.live()
        return v.stamp if v else None

    def refresh(self) -> None:
        self._live_cache = None

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
        substitutions: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        row_cap: int = 0,
    ) -> Any:
        """Evaluate a query on the live version; answers are pyoxigraph result objects.

        `row_cap` (optional): the caller keeps at most that many rows, so a remote row limit above
        it is harmless; at or below it, an answer the store cut short raises RemoteTruncated.
        """
        version = self._require_live()
        fwd, back = self._maps(version)
        parsed = scan(sparql)
        if parsed.form == "UPDATE":
            raise QueryError("updates are not accepted here: this is a read-only query interface")
        if not parsed.form:
            raise QueryError("malformed query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
        text = rewrite(parsed, fwd)
        if substitutions:
            bound = {k: term_text(v, fwd) for k, v in substitutions.items()}
            text = inject_values(text, parsed.form, bound)
        # A graph the live version does not have maps to a name that never exists (empty, as on the
        # embedded store), so dataset parameters cannot reach other graphs of a shared remote store.
        defaults = [fwd.get(g) or self.physical(g, "none") for g in default_graph_uris]
        named = [fwd.get(g) or self.physical(g, "none") for g in named_graph_uris]
        if not parsed.has_dataset_clause:
            defaults = defaults or [fwd[g] for g in version.graphs]
            named = named or [fwd[g] for g in version.graphs if g != DEFAULT_GRAPH]
        ask_as_select = self.quirks.ask_as_select and parsed.form == "ASK"
        if ask_as_select:
            text = ask_to_select(text)
        graph_form = parsed.form in ("CONSTRUCT", "DESCRIBE")
        raw, headers = self._sparql(text, accept=NTRIPLES if graph_form else JSON_RESULTS,
                                    defaults=defaults, named=named, timeout=timeout)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        max_rows = _int_or_none(headers.get("x-sparql-maxrows"))
        if graph_form:
            max_rows = max_rows or self.graph_row_limit()  # Virtuoso sends no header for graphs
            if ctype and ctype not in (NTRIPLES, "text/plain"):
                raise StoreError(f"remote store answered a graph query with {ctype!r}, expected N-Triples")
            raw = canonical_booleans(rename_bytes(raw, back))
            result = graph_result(raw)
            if max_rows is not None and count_triples(raw) >= max_rows:
                raise RemoteTruncated(
                    f"the remote store cut the graph at its limit of {max_rows} triples; the answer is incomplete",
                    rows=max_rows, limit=max_rows)
            return result
        if ctype and ctype != JSON_RESULTS and "json" not in ctype:
            raise StoreError(f"remote store answered with {ctype!r}, expected SPARQL JSON results")
        body = normalise_json(raw, back)
        if ask_as_select:
            found = bool(json.loads(body).get("results", {}).get("bindings"))
            return ox.parse_query_results(json.dumps({"head": {}, "boolean": found}), format=ox.QueryResultsFormat.JSON)
        if max_rows is not None:
            rows = len(json.loads(body).get("results", {}).get("bindings", []))
            if rows >= max_rows and not (0 < row_cap < max_rows):
                raise RemoteTruncated(
                    f"the remote store cut the answer at its row limit ({max_rows} rows; Virtuoso "
                    f"ResultSetMaxRows): the answer is incomplete. Add a LIMIT below {max_rows} or raise the "
                    f"store's limit", rows=rows, limit=max_rows)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError(f"the remote store sent malformed SPARQL JSON results: {exc}") from exc

    def graph_row_limit(self) -> int | None:
        """The product's silent cap on graph answers (Virtuoso's ResultSetMaxRows), read once."""
        if self._graph_row_limit is None:
            self._graph_row_limit = (self.quirks.graph_row_limit(self._select_json),)
        return self._graph_row_limit[0]

    def graph_names(self) -> list[str]:
        return [g for g in self._require_live().graphs if g != DEFAULT_GRAPH]

    def default_graph_count(self) -> int:
        """Triples in the default graph proper (not the union), as the embedded store counts it."""
        version = self._require_live()
        if DEFAULT_GRAPH not in version.graphs:
            return 0
        p = self.physical(DEFAULT_GRAPH, version.stamp)
        raw, _ = self._sparql(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{p}> {{ ?s ?p ?o }} }}", accept=JSON_RESULTS,
                              named=[p])
        return int(json.loads(raw)["results"]["bindings"][0]["n"]["value"])

    def triple_counts(self) -> dict[str, int]:
        rows = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        counts = {g: 0 for g in self.graph_names()}
        counts.update({r["g"].value: int(r["n"].value) for r in rows})
        return counts

    def graph_ntriples(self, graph: str) -> bytes:
        """One live graph as N-Triples, through the Graph Store Protocol when there is one (no row cap)."""
        version = self._require_live()
        fwd, back = self._maps(version)
        if graph == DEFAULT_GRAPH and graph not in version.graphs:
            return b""
        if graph not in version.graphs:
            raise StoreError(f"no graph named <{graph}> in the remote store")
        if self.store_url:
            url = with_query(self.store_url, {"graph": fwd[graph]})
            try:
                _, raw = self._http("GET", url, headers={"Accept": NTRIPLES})
                return canonical_booleans(rename_bytes(raw, back))
            except _HTTPFailure:
                pass
        res = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         named_graph_uris=[graph])
        return res.serialize(format=ox.RdfFormat.N_TRIPLES)

    def graph_triples(self, graph: str) -> ox.QueryTriples:
        """One live graph as pyoxigraph triples (what a CONSTRUCT on the embedded store returns)."""
        return graph_result(self.graph_ntriples(graph))

    def dump_nquads(self) -> bytes:
        out = []
        for g in self._require_live().graphs:
            name = ox.DefaultGraph() if g == DEFAULT_GRAPH else ox.NamedNode(g)
            for t in ox.parse(self.graph_ntriples(g), format=ox.RdfFormat.N_TRIPLES):
                out.append(ox.Quad(t.subject, t.predicate, t.object, name))
        return ox.serialize(out, format=ox.RdfFormat.N_QUADS) if out else b""

    # -- writing ---------------------------------------------------------------------------
    def replace_all(self, data: bytes | Mapping[str, bytes]) -> None:
        """Load a complete new version under new graph names, check it, then switch in one update.

        Until the switch, readers keep the live version; a failure (or a kill) before it leaves
        only unreferenced graphs, dropped by the next call.
        """
        graphs = split_nquads(data) if isinstance(data, bytes | bytearray) else dict(data)
        if not graphs:
            raise StoreError("refusing to replace the remote store's content with nothing")
        with self._lock:
            live_stamp, versions = self._read_control()
            self._update(f"INSERT DATA {{ GRAPH <{self.control}> {{ <{self.control}> a <{PROV_ENTITY}> }} }}")
            self._collect_garbage(live_stamp, versions)
            stamp = new_stamp()
            version = Version(stamp, sorted(graphs))
            fwd, _ = self._maps(version)
            self._write_record(version)
            expected: dict[str, int] = {}
            for logical, ntriples in graphs.items():
                payload = rename_bytes(bytes(ntriples), fwd)
                expected[fwd[logical]] = count_triples(payload)
                self._put_graph(fwd[logical], payload)
            self._check_counts(expected)
            self._switch(stamp)
            self._live_cache = None

    def _write_record(self, version: Version) -> None:
        node = f"{self.control}/version/{version.stamp}"
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        parts = " ".join(f"<{node}> <{DCT_HAS_PART}> <{g}> ." for g in version.graphs)
        self._update(
            f"INSERT DATA {{ GRAPH <{self.control}> {{ <{node}> a <{PROV_COLLECTION}> ; "
            f"<{OWL_VERSION_INFO}> \"{version.stamp}\" ; "
            f"<{DCT_CREATED}> \"{created}\"^^<{XSD_DATETIME}> . {parts} }} }}"
        )

    def _switch(self, stamp: str) -> None:
        """Point the control graph at `stamp`: one DELETE/INSERT operation, atomic on every store.

        The WHERE clause matches the control node's type triple, never empty: Virtuoso runs the
        INSERT part zero times when an OPTIONAL-only WHERE has no match.
        """
        self._update(
            f"WITH <{self.control}> DELETE {{ <{self.control}> <{OWL_VERSION_INFO}> ?old }} "
            f"INSERT {{ <{self.control}> <{OWL_VERSION_INFO}> \"{stamp}\" }} "
            f"WHERE {{ <{self.control}> a <{PROV_ENTITY}> OPTIONAL {{ <{self.control}> <{OWL_VERSION_INFO}> ?old }} }}"
        )
        live, _ = self._read_control()
        if live != stamp:
            raise StoreError(f"the remote store did not record the switch to version {stamp} (live: {live})")

    def _collect_garbage(self, live: str | None, versions: Mapping[str, list[str]]) -> None:
        """Before a load: drop every version but the live one (it becomes the previous version at the
        switch) and the newest `keep_versions - 2` before it; leftovers of failed loads go too."""
        older = sorted(v for v in versions if live is not None and v < live)
        spare = max(0, self.keep_versions - 2)
        keep = {live, *(older[-spare:] if spare else [])}
        for stamp, logical in versions.items():
            if stamp in keep:
                continue
            for g in logical:
                self._drop_graph(self.physical(g, stamp))
            node = f"{self.control}/version/{stamp}"
            self._update(f"DELETE WHERE {{ GRAPH <{self.control}> {{ <{node}> ?p ?o }} }}")

    def _drop_graph(self, graph: str) -> None:
        if self._gsp_ok:
            try:
                self._http("DELETE", with_query(self.store_url, {"graph": graph}), ok_missing=True)
                return
            except _HTTPFailure:
                pass
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def _put_graph(self, graph: str, ntriples: bytes) -> None:
        """Write one graph: Graph Store Protocol PUT then POSTs, or SPARQL Update INSERT DATA."""
        if self._gsp_ok:
            try:
                url = self.quirks.bulk_write_url(with_query(self.store_url, {"graph": graph}))
                for i, chunk in enumerate(chunks(ntriples, CHUNK_BYTES)):
                    self._http("PUT" if i == 0 else "POST", url, body=chunk,
                               headers={"Content-Type": NTRIPLES})
                return
            except _HTTPFailure as exc:
                if exc.code not in (404, 405, 406, 415, 501):
                    raise StoreError(f"remote Graph Store Protocol write failed: {exc}") from exc
                self._gsp_ok = False  # fall back to SPARQL Update for this and later graphs
        self._update(f"DROP SILENT GRAPH <{graph}>")
        for chunk in chunks(ntriples, CHUNK_BYTES // 4):
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk.decode('utf-8')}\n}} }}")

    def _check_counts(self, expected: Mapping[str, int]) -> None:
        """Every staged graph holds the triples sent (a lossy or partial load stops the switch)."""
        values = " ".join(f"<{g}>" for g in expected)
        raw, _ = self._sparql(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
            accept=JSON_RESULTS, timeout=max(self.timeout, 300.0))
        got = {r["g"]["value"]: int(r["n"]["value"]) for r in json.loads(raw)["results"]["bindings"]}
        wrong = [f"<{g}>: {got.get(g, 0)} of {n}" for g, n in expected.items() if got.get(g, 0) != n]
        if wrong:
            raise StoreError("the remote load is incomplete, live version unchanged: " + "; ".join(wrong[:5]))


class _Unreachable(StoreError):
    """The connection failed (refused, reset, cut mid-body)."""


class _HTTPFailure(StoreError):
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


