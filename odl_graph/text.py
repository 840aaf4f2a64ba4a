"""Text normalisation shared by every layer: one accent folding for matching, one sort key for lists.

French readers expect "Épernay" among the E and "Œuvre" among the O: comparing folded text gives
that without depending on the machine's locale (the server's may be C/POSIX).
"""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free form for loose matching: "Œuvre d'Été" -> 'oeuvre d ete'."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s\-‐–'’ʼ_]+", " ", text).strip()  # hyphens and apostrophes separate words


def sort_key(text: str | None) -> tuple[str, str]:
    """Accent- and case-insensitive collation key ("Épernay" sorts under E); ties keep a fixed order."""
    text = text or ""
    return fold(text), text
