"""The second store backend: an external SPARQL 1.1 store (Oxigraph server, Virtuoso, ...).

Reads go through the SPARQL 1.1 Protocol (SPARQLWrapper); writes through the SPARQL 1.1 Graph Store
Protocol, with SPARQL Update as the fallback. Answers come back as real pyoxigraph result objects
(`QuerySolutions`, `QueryBoolean`, `QueryTriples`), so every caller works on both backends.

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

Quirks of the remote store are caught here, never passed on as a complete answer: Virtuoso's
HTTP 200 with partial results on timeout (`X-SQL-State: S1TAT`) raises `RemoteTimeout`; its silent
row cap (`X-SPARQL-MaxRows`, `ResultSetMaxRows` in virtuoso.ini) raises `RemoteTruncated` unless the
caller asked for fewer rows than the cap (then the caller's own cap marks the truncation).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from odl_graph.errors import ConfigError, QueryError, StoreError
from odl_graph.store import graph_result, parse_error_position

OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
PROV_COLLECTION = "http://www.w3.org/ns/prov#Collection"
PROV_ENTITY = "http://www.w3.org/ns/prov#Entity"
DCT_HAS_PART = "http://purl.org/dc/terms/hasPart"
DCT_CREATED = "http://purl.org/dc/terms/created"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"

# The default graph proper (triples outside any named graph, e.g. written by /update or /store?default):
# stored as one more graph of the version, part of the default graph but never a named graph.
DEFAULT_GRAPH = "urn:x-odl-graph:default-graph"
VERBATIM_DATATYPES = ("http://www.opengis.net/ont/geosparql#wktLiteral",)
JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
CHUNK_BYTES = 4_000_000  # one Graph Store Protocol request; Virtuoso digests big bodies slowly
LIVE_TTL = 1.0  # seconds a read of the control graph is reused (a switch keeps the previous version)
DEFAULT_TIMEOUT = 60.0  # library calls without a timeout of their own (the engine passes its own)
ENV_USER, ENV_PASSWORD = "ODL_REMOTE_USER", "ODL_REMOTE_PASSWORD"
ENV_AUTH, ENV_TOKEN = "ODL_REMOTE_AUTH", "ODL_REMOTE_TOKEN"


class RemoteTimeout(StoreError):
    """The remote store ran out of time: it said so, answered partially, or did not answer in time."""


class RemoteTruncated(StoreError):
    """The remote store cut the answer at its own row limit: the answer is incomplete."""

    def __init__(self, message: str, *, rows: int, limit: int) -> None:
        self.rows = rows
        self.limit = limit
        super().__init__(message)


# -- query text: a small lexer, enough to rename IRIs and find the query form ----------------
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<var>[?$][0-9A-Za-z_\u00b7-\uffff]+)
    |(?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7-\uffff]*)?:(?:[\w\-:%\u00b7-\uffff]|\\[^\s]|\.(?=[\w\-:%\\]))*)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<other>.)""",
    re.X | re.S,
)
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_VERBS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass
class Token:
    kind: str
    text: str


@dataclass
class ParsedQuery:
    tokens: list[Token]
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE | UPDATE | "" (unknown)
    prefixes: dict[str, str] = field(default_factory=dict)
    has_dataset_clause: bool = False


def scan(sparql: str) -> ParsedQuery:
    """Tokens, query form, PREFIX declarations and whether a FROM clause fixes the dataset."""
    tokens = [Token(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(sparql)]
    form, prefixes, has_from = "", {}, False
    significant = [t for t in tokens if t.kind not in ("ws", "comment")]
    for i, t in enumerate(significant):
        if t.kind != "word":
            continue
        upper = t.text.upper()
        if upper == "PREFIX" and i + 2 < len(significant) and significant[i + 2].kind == "iri":
            prefixes[significant[i + 1].text.rstrip(":")] = significant[i + 2].text[1:-1]
        elif not form and upper in QUERY_FORMS:
            form = upper
        elif not form and upper in UPDATE_VERBS:
            form = "UPDATE"
        elif upper == "FROM":
            has_from = True
    return ParsedQuery(tokens, form, prefixes, has_from)


def _expand(pname: str, prefixes: Mapping[str, str]) -> str | None:
    prefix, _, local = pname.partition(":")
    if prefix not in prefixes:
        return None
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


def rewrite(parsed: ParsedQuery, mapping: Mapping[str, str]) -> str:
    """The query text with every IRI (written <...> or prefix:local) found in `mapping` replaced."""
    if not mapping:
        return "".join(t.text for t in parsed.tokens)
    out = []
    for t in parsed.tokens:
        if t.kind == "iri" and t.text[1:-1] in mapping:
            out.append(f"<{mapping[t.text[1:-1]]}>")
        elif t.kind == "pname" and not t.text.endswith(":"):
            full = _expand(t.text, parsed.prefixes)
            out.append(f"<{mapping[full]}>" if full in mapping else t.text)
        else:
            out.append(t.text)
    return "".join(out)


def inject_values(text: str, form: str, bindings: Mapping[str, str]) -> str:
    """Bind variables as pyoxigraph `substitutions` do: an inline VALUES at the start of the WHERE group.

    Values are N-Triples terms. Placed first in the group, the binding is in scope before any
    OPTIONAL, MINUS or FILTER of that group, which is how substitution behaves.
    """
    tokens = scan(text).tokens
    depth, seen_where, target = 0, False, None
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "WHERE" and depth == 0:
            seen_where = True
        elif t.kind == "other" and t.text == "{":
            if depth == 0 and (seen_where or form in ("SELECT", "ASK")):
                target = i
                break
            depth += 1
        elif t.kind == "other" and t.text == "}":
            depth -= 1
    if target is None:
        raise QueryError("cannot bind parameters: no WHERE clause found in the query")
    names = " ".join(f"?{k}" for k in bindings)
    values = " ".join(bindings.values())
    clause = f" VALUES ({names}) {{ ({values}) }} "
    return "".join(t.text for t in tokens[: target + 1]) + clause + "".join(t.text for t in tokens[target + 1 :])


def ask_to_select(text: str) -> str:
    """`ASK … {P}` as `SELECT * … {P} LIMIT 1`.

    Virtuoso 7.2 answers `ASK { GRAPH <g> { … } }` true when <g> is not among the named-graph-uri
    it was given; the same pattern as a SELECT is evaluated correctly.
    """
    tokens = scan(text).tokens
    for i, t in enumerate(tokens):
        if t.kind == "word" and t.text.upper() == "ASK":
            tokens[i] = Token("word", "SELECT *")  # not a constant: Virtuoso yields a row for it regardless
            break
    return "".join(t.text for t in tokens) + "\nLIMIT 1"


# -- answers -----------------------------------------------------------------------------------
_BNODE_SAFE = re.compile(r"[^A-Za-z0-9_]")


def _normalise_json(raw: bytes, back: Mapping[str, str]) -> bytes:
    """Rename physical graph IRIs back to logical ones, and make blank node ids valid for pyoxigraph.

    Virtuoso labels blank nodes `nodeID://b10000`, which pyoxigraph rejects. Only answers that
    need it are decoded (most have neither a physical IRI nor a blank node).
    """
    needs_names = any(p.encode() in raw for p in back) if back else False
    if not needs_names and b'"bnode"' not in raw and _XSD_BOOLEAN.encode() not in raw:
        return raw
    doc = json.loads(raw)
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            kind = term.get("type")
            if kind == "bnode":
                term["value"] = "b" + _BNODE_SAFE.sub("_", term["value"])
            elif term.get("value") in back:
                term["value"] = back[term["value"]]
            if term.get("datatype") in back:
                term["datatype"] = back[term["datatype"]]
            elif term.get("datatype") == _XSD_BOOLEAN and term.get("value") in _BOOLEANS:
                term["value"] = _BOOLEANS[term["value"]]  # Virtuoso writes true/false as 1/0
    return json.dumps(doc).encode("utf-8")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEANS = {"1": "true", "0": "false"}


def _canonical_booleans(ntriples: bytes) -> bytes:
    """Virtuoso serialises xsd:boolean as "1"/"0"; the canonical forms are "true"/"false"."""
    for raw, canon in _BOOLEANS.items():
        ntriples = ntriples.replace(f'"{raw}"^^<{_XSD_BOOLEAN}>'.encode(), f'"{canon}"^^<{_XSD_BOOLEAN}>'.encode())
    return ntriples


def _rename_bytes(raw: bytes, mapping: Mapping[str, str]) -> bytes:
    """Replace `<A>` by `<B>` for each A -> B in mapping (N-Triples / N-Quads text)."""
    for a, b in mapping.items():
        needle = f"<{a}>".encode()
        if needle in raw:
            raw = raw.replace(needle, f"<{b}>".encode())
    return raw


def _count_triples(ntriples: bytes) -> int:
    return sum(1 for line in ntriples.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def _chunks(ntriples: bytes, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Split N-Triples into requests of about `size` bytes without separating blank nodes.

    Blank node labels are scoped to one request, so every line mentioning a blank node goes in the
    first chunk; only lines without blank nodes are spread over the others.
    """
    if len(ntriples) <= size:
        yield ntriples
        return
    lines = ntriples.splitlines(keepends=True)
    with_bnodes = [ln for ln in lines if b"_:" in ln]
    plain = [ln for ln in lines if b"_:" not in ln]
    chunk, n = list(with_bnodes), sum(map(len, with_bnodes))
    for ln in plain:
        if n >= size:
            yield b"".join(chunk)
            chunk, n = [], 0
        chunk.append(ln)
        n += len(ln)
    if chunk:
        yield b"".join(chunk)


# -- HTTP ------------------------------------------------------------------------------------
@dataclass
class Credentials:
    """HTTP credentials, read from the environment only (never from files in the repository)."""

    user: str = ""
    password: str = ""
    scheme: str = "digest"  # basic | digest
    token: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        scheme = env.get(ENV_AUTH, "digest").strip().lower() or "digest"
        if scheme not in ("basic", "digest"):
            raise ConfigError(f"{ENV_AUTH}={scheme!r}: expected 'basic' or 'digest'")
        return cls(env.get(ENV_USER, ""), env.get(ENV_PASSWORD, ""), scheme, env.get(ENV_TOKEN, ""))

    @property
    def any(self) -> bool:
        return bool(self.user or self.token)


@dataclass
class Version:
    stamp: str
    graphs: list[str]  # logical graph IRIs


def new_stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000_000:09d}"


def derive_urls(query_url: str, with_credentials: bool) -> tuple[str, str]:
    """(update URL, Graph Store URL) guessed from a query URL when they are not configured.

    Oxigraph server: /query -> /update, /store. Virtuoso: /sparql -> /sparql-auth and
    /sparql-graph-crud-auth (its authenticated endpoints; anonymous ones refuse writes).
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")

    def sibling(name: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path.rsplit("/", 1)[0] + "/" + name, "", ""))

    if path.endswith("/query"):
        return sibling("update"), sibling("store")
    if path.endswith("/sparql"):
        if with_credentials:
            return sibling("sparql-auth"), sibling("sparql-graph-crud-auth")
        return query_url, sibling("sparql-graph-crud")
    return query_url, ""


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
        self.server = ""  # the Server header of the last answer ("Virtuoso/07.20...", "Oxigraph/0.5.13")
        self._live_cache: tuple[float, Version | None] | None = None
        self._lock = threading.Lock()
        self._gsp_ok = bool(self.store_url)
        self._digest: _Digest | None = None
        self._max_rows: int | None = None

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
    def is_virtuoso(self) -> bool:
        return self.server.lower().startswith("virtuoso")

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
        if self.is_virtuoso:
            fwd.update(self._shielded_types())
        return fwd, {p: g for g, p in fwd.items()}

    def _shielded_types(self) -> dict[str, str]:
        """Datatypes Virtuoso would parse and re-serialise lossily, stored under a private name.

        Virtuoso turns geo:wktLiteral into its own single-precision geometry: POINT(2.35 43.21)
        comes back as POINT(2.3499999046326 43.209999084473). Under a private datatype the lexical
        form is kept verbatim; the renaming is undone in every answer.
        """
        return {dt: f"{self.prefix}verbatim/{dt.rsplit('#', 1)[-1]}" for dt in VERBATIM_DATATYPES}

    # -- HTTP plumbing ---------------------------------------------------------------------
    def _auth_headers(self, method: str, url: str) -> dict[str, str]:
        c = self.credentials
        if c.token:
            return {"Authorization": f"Bearer {c.token}"}
        if c.user and c.scheme == "basic":
            raw = f"{c.user}:{c.password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        if c.user and self._digest is not None:
            return {"Authorization": self._digest.header(method, url, c.user, c.password)}
        return {}

    def _open(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str],
              timeout: float) -> tuple[int, bytes, Any]:
        req = urllib.request.Request(url, data=body, method=method)
        for k, v in {**self._auth_headers(method, url), **headers}.items():
            req.add_header(k, v)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), resp.headers

    def _prime_digest(self, url: str, timeout: float) -> None:
        """Fetch a digest challenge with a bodyless request.

        Digest auth is answered up front (not after a 401) because Virtuoso closes the connection
        on 401 while a large body is still being sent, which breaks the upload.
        """
        bare = url.split("?", 1)[0]
        try:
            urllib.request.urlopen(urllib.request.Request(bare, method="GET"), timeout=timeout).close()
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
            if exc.code == 401 and challenge.lower().startswith("digest"):
                self._digest = _Digest.parse(challenge)
                return
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach the remote store at {bare}: {exc.reason}") from exc
        self._digest = None  # no challenge: the server does not ask for digest here

    def _http(
        self, method: str, url: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None,
        timeout: float | None = None, ok_missing: bool = False,
    ) -> tuple[int, bytes]:
        """One write-side request (Graph Store Protocol, SPARQL Update). Raises StoreError on failure."""
        limit = timeout or max(self.timeout, 300.0)
        c = self.credentials
        wants_digest = bool(c.user) and c.scheme == "digest" and not c.token
        for attempt in range(2):
            if wants_digest and (self._digest is None or attempt == 1):
                self._prime_digest(url, limit)
            try:
                status, raw, resp_headers = self._open(method, url, body, headers or {}, limit)
                self.server = resp_headers.get("Server", self.server) or self.server
                return status, raw
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode("utf-8", "replace")[:500]
                if exc.code == 401 and wants_digest and attempt == 0:
                    continue  # stale nonce: take a fresh challenge and retry once
                if ok_missing and exc.code == 404:
                    return 404, b""
                if exc.code in (401, 403):
                    raise StoreError(
                        f"remote store refused {method} {url.split('?')[0]} (HTTP {exc.code}): check {ENV_USER}/"
                        f"{ENV_PASSWORD}/{ENV_AUTH} or {ENV_TOKEN} and the account's write permissions "
                        f"(docs/deploy.md)"
                    ) from exc
                raise _HTTPFailure(exc.code, f"{method} {url}: HTTP {exc.code}: {detail.strip()}") from exc
            except TimeoutError as exc:
                raise RemoteTimeout(f"remote store did not answer {method} {url.split('?')[0]} in time") from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, BrokenPipeError | ConnectionResetError) and attempt == 0:
                    continue  # the server hung up mid-body (an auth failure): retry with a fresh challenge
                raise StoreError(f"cannot reach the remote store at {url.split('?')[0]}: {exc.reason}") from exc
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
        """POST one query through SPARQLWrapper; returns the body and the response headers."""
        limit = self.timeout if timeout is None else float(timeout)
        sw = SPARQLWrapper(self.query_url)
        sw.setMethod(POST)  # form-encoded: Virtuoso answers POST application/sparql-query with nothing
        sw.setOnlyConneg(True)  # no format=/output= parameters: the Accept header decides
        sw.setQuery(sparql)
        # Virtuoso answers an interrupted "anytime" query 1-1.6 s after its own timeout: ask it to stop a
        # second early so its answer (S1TAT) arrives about when our limit ends.
        grace = 1.0 if self.is_virtuoso else 0.5
        sw.timeout = limit + grace  # type: ignore[assignment]  # setTimeout() would round down to int
        for g in defaults:
            sw.addParameter("default-graph-uri", g)
        for g in named:
            sw.addParameter("named-graph-uri", g)
        if self.is_virtuoso:
            sw.addParameter("timeout", str(int(max(limit - 1.0, 0.5) * 1000)))  # anytime query: partial + S1TAT
        c = self.credentials
        if c.token:
            sw.addCustomHttpHeader("Authorization", f"Bearer {c.token}")
        elif c.user:
            sw.setCredentials(c.user, c.password)
            sw.setHTTPAuth(c.scheme.upper())
        sw.addCustomHttpHeader("Accept", accept)
        try:
            response = sw.query().response
            raw = response.read()
            headers = {k.lower(): v for k, v in response.headers.items()}
        except SPARQLWrapperException as exc:
            raise self._query_error(exc, sparql) from exc
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            if exc.code in (401, 403):
                raise StoreError(f"remote store refused the query (HTTP {exc.code}): check credentials") from exc
            raise StoreError(f"remote store failed (HTTP {exc.code}): {detail[:500]}") from exc
        except TimeoutError as exc:
            raise RemoteTimeout(f"query exceeded the {limit:g} s time limit (remote store did not answer)") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise RemoteTimeout(f"query exceeded the {limit:g} s time limit (remote store did not answer)") from exc
            raise StoreError(f"cannot reach the remote store at {self.query_url}: {exc.reason}") from exc
        self.server = headers.get("server", self.server)
        state = headers.get("x-sql-state", "")
        if state:  # Virtuoso: HTTP 200 but the answer is partial (S1TAT = anytime query timeout)
            message = headers.get("x-sql-message", "").split("Activity:")[0].strip()
            raise RemoteTimeout(
                f"query exceeded the time limit on the remote store, which returned an incomplete answer "
                f"({state}: {message or 'no message'})"
            )
        return raw, headers

    def _query_error(self, exc: SPARQLWrapperException, sparql: str) -> Exception:
        """Map a SPARQLWrapper HTTP error to our error types, in our words."""
        text = str(exc)
        detail = text.split("Response:\n", 1)[-1]
        detail = re.sub(r"^b['\"]|['\"]$", "", detail.strip()).replace("\\n", "\n")
        detail = detail.split("\n\nSPARQL query:", 1)[0].strip()
        for p, g in (self._maps(self._live_cache[1])[1].items() if self._live_cache and self._live_cache[1] else []):
            detail = detail.replace(p, g)
        if "estimated execution time" in detail.lower():
            return RemoteTimeout(f"the remote store refused the query: {detail}")
        if exc.__class__.__name__ == "Unauthorized":
            return StoreError("remote store refused the query (HTTP 401): check credentials")
        if re.match(r"Virtuoso 22\d{3} ", detail):  # a data exception, e.g. 1/0 (SPARQL would leave it unbound)
            return QueryError(f"the remote store (Virtuoso) stopped on an expression error: {detail}")
        if (exc.__class__.__name__ == "QueryBadFormed" or "SP030" in detail or "SPARQL compiler" in detail
                or re.match(r"Virtuoso 37\d{3} ", detail)):  # syntax / compile errors
            line, col = _syntax_position(detail, sparql)  # Virtuoso reports syntax errors as 500 too
            return QueryError(f"malformed query: {detail}", line=line, column=col)
        return StoreError(f"remote store error: {detail[:800]}")

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
            bound = {k: _term_text(v, fwd) for k, v in substitutions.items()}
            text = inject_values(text, parsed.form, bound)
        # A graph the live version does not have maps to a name that never exists (empty, as on the
        # embedded store), so dataset parameters cannot reach other graphs of a shared remote store.
        defaults = [fwd.get(g) or self.physical(g, "none") for g in default_graph_uris]
        named = [fwd.get(g) or self.physical(g, "none") for g in named_graph_uris]
        if not parsed.has_dataset_clause:
            defaults = defaults or [fwd[g] for g in version.graphs]
            named = named or [fwd[g] for g in version.graphs if g != DEFAULT_GRAPH]
        ask_as_select = self.is_virtuoso and parsed.form == "ASK"
        if ask_as_select:
            text = ask_to_select(text)
        graph_form = parsed.form in ("CONSTRUCT", "DESCRIBE")
        raw, headers = self._sparql(text, accept=NTRIPLES if graph_form else JSON_RESULTS,
                                    defaults=defaults, named=named, timeout=timeout)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        max_rows = _int_or_none(headers.get("x-sparql-maxrows"))
        if graph_form:
            max_rows = max_rows or self.server_max_rows()  # Virtuoso sends no header for graphs
            if ctype and ctype not in (NTRIPLES, "text/plain"):
                raise StoreError(f"remote store answered a graph query with {ctype!r}, expected N-Triples")
            raw = _canonical_booleans(_rename_bytes(raw, back))
            result = graph_result(raw)
            if max_rows is not None and _count_triples(raw) >= max_rows:
                raise RemoteTruncated(
                    f"the remote store cut the graph at its limit of {max_rows} triples; the answer is incomplete",
                    rows=max_rows, limit=max_rows)
            return result
        if ctype and ctype != JSON_RESULTS and "json" not in ctype:
            raise StoreError(f"remote store answered with {ctype!r}, expected SPARQL JSON results")
        body = _normalise_json(raw, back)
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

    def server_max_rows(self) -> int | None:
        """Virtuoso's ResultSetMaxRows (it cuts CONSTRUCT answers there without any header), read once."""
        if not self.is_virtuoso:
            return None
        if self._max_rows is None:
            q = "SELECT (bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?m) WHERE {}"
            try:
                raw, _ = self._sparql(q, accept=JSON_RESULTS)
                self._max_rows = int(json.loads(raw)["results"]["bindings"][0]["m"]["value"])
            except (StoreError, QueryError, KeyError, IndexError, ValueError):
                self._max_rows = 0  # not readable: rely on the header
        return self._max_rows or None

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
            url = _with_query(self.store_url, {"graph": fwd[graph]})
            try:
                _, raw = self._http("GET", url, headers={"Accept": NTRIPLES})
                return _canonical_booleans(_rename_bytes(raw, back))
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
        graphs = _split_nquads(data) if isinstance(data, bytes | bytearray) else dict(data)
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
                payload = _rename_bytes(bytes(ntriples), fwd)
                expected[fwd[logical]] = _count_triples(payload)
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
                self._http("DELETE", _with_query(self.store_url, {"graph": graph}), ok_missing=True)
                return
            except _HTTPFailure:
                pass
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def _put_graph(self, graph: str, ntriples: bytes) -> None:
        """Write one graph: Graph Store Protocol PUT then POSTs, or SPARQL Update INSERT DATA."""
        if self._gsp_ok:
            try:
                url = _with_query(self.store_url, {"graph": graph})
                if self.server.lower().startswith("oxigraph"):
                    url += "&no_transaction"  # bulk path; safe: the graph is unreferenced until the switch
                for i, chunk in enumerate(_chunks(ntriples)):
                    self._http("PUT" if i == 0 else "POST", url, body=chunk,
                               headers={"Content-Type": NTRIPLES})
                return
            except _HTTPFailure as exc:
                if exc.code not in (404, 405, 406, 415, 501):
                    raise StoreError(f"remote Graph Store Protocol write failed: {exc}") from exc
                self._gsp_ok = False  # fall back to SPARQL Update for this and later graphs
        self._update(f"DROP SILENT GRAPH <{graph}>")
        for chunk in _chunks(ntriples, CHUNK_BYTES // 4):
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


@dataclass
class _Digest:
    """RFC 7616 digest (MD5, qop=auth), computed here so it can be sent before the body."""

    realm: str
    nonce: str
    opaque: str = ""
    qop: str = ""
    algorithm: str = "MD5"
    count: int = 0

    @classmethod
    def parse(cls, challenge: str) -> _Digest:
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge.split(" ", 1)[1]))
        qops = [q.strip() for q in fields.get("qop", "").split(",")]
        return cls(fields.get("realm", ""), fields.get("nonce", ""), fields.get("opaque", ""),
                   "auth" if "auth" in qops else "", fields.get("algorithm", "MD5"))

    def header(self, method: str, url: str, user: str, password: str, cnonce: str | None = None) -> str:
        self.count += 1
        parts = urllib.parse.urlsplit(url)
        uri = parts.path + (f"?{parts.query}" if parts.query else "")
        ha1 = hashlib.md5(f"{user}:{self.realm}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
        nc, cnonce = f"{self.count:08x}", cnonce or os.urandom(8).hex()
        if self.qop:
            response = hashlib.md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:{self.qop}:{ha2}".encode()).hexdigest()
        else:
            response = hashlib.md5(f"{ha1}:{self.nonce}:{ha2}".encode()).hexdigest()
        out = (f'Digest username="{user}", realm="{self.realm}", nonce="{self.nonce}", uri="{uri}", '
               f'response="{response}", algorithm={self.algorithm}')
        if self.opaque:
            out += f', opaque="{self.opaque}"'
        if self.qop:
            out += f', qop={self.qop}, nc={nc}, cnonce="{cnonce}"'
        return out


class _HTTPFailure(StoreError):
    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def _syntax_position(detail: str, sparql: str) -> tuple[int | None, int | None]:
    """(line, column) of a syntax error: Oxigraph says `error at 3:2`; Virtuoso says `line 3: syntax
    error at '}'`, so the column is where that token first appears on that line (1 if not found)."""
    line, col = parse_error_position(detail)
    if line is not None:
        return line, col
    m = re.search(r"line (\d+)", detail)
    if not m:
        return None, None
    line = int(m.group(1))
    lines = sparql.splitlines()
    tok = re.search(r"at '([^']+)'", detail)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    pos = text.find(tok.group(1)) if tok else -1
    return line, pos + 1 if pos >= 0 else 1


def _with_query(url: str, params: Mapping[str, str]) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _term_text(term: Any, fwd: Mapping[str, str]) -> str:
    """N-Triples text of a substitution value (pyoxigraph term), graph names renamed."""
    if isinstance(term, ox.NamedNode) and term.value in fwd:
        return f"<{fwd[term.value]}>"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameters")


def _split_nquads(data: bytes) -> dict[str, bytes]:
    """N-Quads -> {graph IRI: N-Triples}; default-graph triples go under DEFAULT_GRAPH."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in ox.parse(bytes(data), format=ox.RdfFormat.N_QUADS):
        name = DEFAULT_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(name, []).append(q.triple)
    return {g: ox.serialize(ts, format=ox.RdfFormat.N_TRIPLES) for g, ts in by_graph.items()}
