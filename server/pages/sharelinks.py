"""Short share links of the SPARQL editor: `/editor?z=<token>&view=<view>` (the route that makes them
is in server/pages/share.py; this module has no route, so the editor page can use it).

A query in a URL as it is (`#query=...`, percent-encoded) runs to thousands of characters, more than
some mail clients keep on one line. The token is the query compressed with raw DEFLATE (zlib) against
a fixed preset dictionary, in base64url, behind a one-character format version:
`server/static/pages/share-dict-1.txt` holds the text queries share (the catalogue's examples as
shipped when it was made, SPARQL keywords, the PREFIX lines of the known namespaces). The dictionary of
a version never changes, so a link keeps opening the same text; a better one would be version "2".
Nothing is stored on the server: the link is the query. Compressing and inflating are bounded
(MAX_QUERY_BYTES, MAX_TOKEN_CHARS), milliseconds of work.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from pathlib import Path
from typing import Any

from flask import request

VERSION = "1"
DICTIONARY = (Path(__file__).resolve().parent.parent / "static" / "pages" / "share-dict-1.txt").read_bytes()
MAX_QUERY_BYTES = 100_000
MAX_TOKEN_CHARS = 140_000  # base64 of the worst case (incompressible) query
MAIL_SAFE_CHARS = 1000  # a link at most this long fits in a mail (the editor says when one is longer)
VIEW_CHARS = 20


def encode(query: str) -> str:
    """The token of a query text."""
    data = query.encode("utf-8")
    if len(data) > MAX_QUERY_BYTES:
        raise ValueError(f"query longer than {MAX_QUERY_BYTES} bytes")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY)
    packed = packer.compress(data) + packer.flush()
    return VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(token: str) -> str:
    """The query text of a token; ValueError saying what is wrong with a token that is not one."""
    if not token or token[0] != VERSION:
        raise ValueError("unknown share link format")
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError("share link too long")
    try:
        packed = base64.urlsafe_b64decode(token[1:] + "=" * (-len(token[1:]) % 4))
        unpacker = zlib.decompressobj(-15, DICTIONARY)
        data = unpacker.decompress(packed, MAX_QUERY_BYTES + 1)
        if len(data) > MAX_QUERY_BYTES or not unpacker.eof:
            raise ValueError("share link damaged or too long")
        return data.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError) as exc:
        raise ValueError("share link damaged") from exc


def shared_query() -> dict[str, Any] | None:
    """The query and view of a share link the editor was opened with (`?z=&view=`), or the error."""
    token = request.args.get("z")
    if not token:
        return None
    view = request.args.get("view", "")[:VIEW_CHARS]
    try:
        return {"query": decode(token), "view": view or None}
    except ValueError as exc:
        return {"error": str(exc)}
