"""Text normalisation shared by every layer: one accent folding for matching, one plural folding for
search words, one sort key for lists.

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


def fold_plural(word: str) -> str:
    """A folded word without one trailing plural mark, as French search compares words: 'arbres' -> 'arbre',
    'reseaux' -> 'reseau'. Deliberately simple: one trailing s or x is dropped from words of four letters
    or more ('bus' stays). Irregular plurals ('chevaux' / 'cheval') are not folded; a singular ending in s
    or x ('pays', 'prix') loses its last letter, harmlessly, since a query and the labels it is compared
    with are folded alike. English plurals in -s fold the same way."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def sort_key(text: str | None) -> tuple[str, str]:
    """Accent- and case-insensitive collation key ("Épernay" sorts under E); ties keep a fixed order."""
    text = text or ""
    return fold(text), text
