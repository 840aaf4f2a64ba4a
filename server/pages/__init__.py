"""Linked Data pages: dereferencing of every minted IRI, the ontology documentation, home and search,
thematic dossiers, the YASGUI query editor and the visual exploration.

Register with `app.register_blueprint(server.pages.bp)`; the app must provide the query engine
(see `engine()` in views.py). What a page shows is gathered in odl_graph.describe (no Flask there).
"""

from server.pages import completion, share  # noqa: F401  (register /editor/complete.json and /editor/share on bp)
from server.pages.i18n import number
from server.pages.views import bp

bp.add_app_template_filter(number, "number")  # `{{ n|number }}`: counts as the page's language writes them

__all__ = ["bp"]
