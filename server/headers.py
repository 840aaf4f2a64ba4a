"""Security headers on every answer, set in one place (registered by the app factory).

The Content-Security-Policy allows scripts, styles, fonts and connections from the site itself only:
no inline script, no inline style attribute, no `eval`, no plugin, no framing. A label that reached
the DOM as markup by mistake still could not run (docs/security.md, "Hostile data"). The pages,
the editor (YASGUI, Leaflet, Chart.js, cytoscape) and the API docs (Swagger UI) work under it:
tests/test_hostile_labels.py opens every page kind in Chromium and fails on any CSP violation.
"""

from __future__ import annotations

from flask import Flask, Response

# Two vendored libraries insert one fixed <style> element each; the policy allows exactly those texts by
# their hash, no other inline style (tests/test_hostile_labels.py recomputes them from the vendored files).
VENDOR_STYLES = {
    # YASR's table (column-resizer, yasgui.min.js): its " .grip-resizable{table-layout:fixed;} ..." sheet
    "yasr-column-resizer": "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    # cytoscape.min.js: ".__________cytoscape_container { position: relative; }"
    "cytoscape-container": "sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8=",
}

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' " + " ".join(f"'{h}'" for h in VENDOR_STYLES.values()),
    "img-src 'self' data:",  # Leaflet's and Swagger UI's stylesheets carry data: icons
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP level 2
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _secure(resp: Response) -> Response:
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    return resp


def init_app(app: Flask) -> None:
    app.after_request(_secure)
