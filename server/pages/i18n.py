"""The reader's language, and the interface strings (server/pages/strings.py) and numbers in it."""

from __future__ import annotations

from typing import Any

from flask import Request
from jinja2 import pass_context

from odl_graph.describe.labels import DEFAULT_LANG, LANGS
from odl_graph.negotiation import negotiate
from server.pages.strings import STRINGS


def t(key: str, lang: str) -> str:
    """The interface string `key` in `lang` (the key itself when missing, so gaps show up)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANG]


def format_number(value: Any, lang: str) -> str:
    """A count as its readers write it: "12 345" (narrow no-break space) in French, "12,345" in English;
    decimals get a comma in French. Anything not a number is shown as it is."""
    if isinstance(value, str):
        try:
            value = float(value) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


@pass_context
def number(ctx: Any, value: Any) -> str:
    """Jinja filter `|number`: format_number in the page's language (`lang` of the template)."""
    return format_number(value, ctx.get("lang") or DEFAULT_LANG)


def request_lang(request: Request) -> tuple[str, bool]:
    """The page language and whether it was chosen explicitly (`?lang=` or the `lang` cookie).

    Order: `?lang=` (the switch), then the cookie it sets, then Accept-Language, then French.
    """
    asked = request.args.get("lang", "")
    if asked in LANGS:
        return asked, True
    cookie = request.cookies.get("lang", "")
    if cookie in LANGS:
        return cookie, True
    header = request.headers.get("Accept-Language")
    if header:
        # Accept-Language has the same q-value syntax as Accept: reuse the negotiator with fake media types.
        ranges = ",".join(
            ("*/*" if part.split(";")[0].strip() == "*" else "lang/" + part.split(";")[0].strip().split("-")[0].lower())
            + (";" + part.split(";", 1)[1] if ";" in part else "")
            for part in header.split(",") if part.strip()
        )
        chosen = negotiate(ranges, [f"lang/{code}" for code in LANGS])
        if chosen:
            return chosen.split("/", 1)[1], False
    return DEFAULT_LANG, False
