"""HTTP to a remote store through requests: digest, basic or bearer auth, pooled connections, retries.

Credentials come from the environment only, never from files in the repository.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from urllib3.util.retry import Retry

from odl_graph.errors import ConfigError

ENV_USER, ENV_PASSWORD = "ODL_REMOTE_USER", "ODL_REMOTE_PASSWORD"
ENV_AUTH, ENV_TOKEN = "ODL_REMOTE_AUTH", "ODL_REMOTE_TOKEN"
POOL_SIZE = 16  # connections kept per host: one per concurrent query is enough


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

    @property
    def digest(self) -> bool:
        return bool(self.user) and self.scheme == "digest" and not self.token


class Bearer(AuthBase):
    """`Authorization: Bearer <token>` on every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def session(credentials: Credentials) -> requests.Session:
    """A pooled session with the credentials' auth. Only connection failures are retried (the request
    never reached the store, so even a write is safe to send again); a read that timed out is not."""
    s = requests.Session()
    retry = Retry(total=2, connect=2, read=False, status=0, other=0, allowed_methods=None, backoff_factor=0.1,
                  raise_on_status=False)
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.trust_env = False  # no proxy or netrc from the environment: the configured store only
    auth: Any = None
    if credentials.token:
        auth = Bearer(credentials.token)
    elif credentials.user and credentials.scheme == "basic":
        auth = HTTPBasicAuth(credentials.user, credentials.password)
    elif credentials.digest:
        auth = HTTPDigestAuth(credentials.user, credentials.password)
    s.auth = auth
    return s


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


def with_query(url: str, params: Mapping[str, str]) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urllib.parse.urlencode(params)


def has_nonce(auth: Any) -> bool:
    """Has requests' digest auth learnt a nonce (on this thread) it can answer up front?"""
    local = getattr(auth, "_thread_local", None)
    return bool(getattr(local, "last_nonce", ""))
