"""The programme synthesis (`odl-graph report`): what the experiments teach, and what each ACV town
should take from them. Generated from the graph alone, as HTML (Jinja2, inline SVG charts, no CDN)
and PDF (WeasyPrint, offline). A fact the sources do not state is printed as unknown, never guessed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from odl_graph import __version__
from odl_graph.analyses import diagnostic as dg
from odl_graph.analyses import priorities as pr
from odl_graph.analyses import roadmap as rm
from odl_graph.analyses import tables as tb
from odl_graph.config import DEFAULT_BASE_IRI
from odl_graph.errors import OdlError
from odl_graph.iris import sparql_prefixes
from odl_graph.text import fold, sort_key

TEMPLATES = Path(__file__).parent / "templates"
UNKNOWN_FR = "inconnu : les sources consultées ne le disent pas"
NOT_STATED_FR = "non renseigné dans le graphe"
ROADMAP_TOP = 3

# (property local name, heading) of the experiment texts the synthesis reports, in order.
ASPECTS = (
    ("objectives", "Objectifs"),
    ("qualitativeResults", "Résultats qualitatifs"),
    ("implementationEffort", "Effort de mise en œuvre"),
    ("dataSustainability", "Pérennité des données et standardisation"),
    ("geographicScope", "Périmètre géographique"),
    ("deploymentConstraints", "Conditions de déploiement"),
)

Q_EXPERIMENTS = """
SELECT ?e ?label ?season ?commune ?communeLabel ?usecase ?usecaseLabel ?theme ?themeLabel ?prop ?text ?unknown
       ?minimal ?minimalLabel ?source WHERE {
  ?e a odl:Experiment .
  OPTIONAL { ?e rdfs:label ?label FILTER(lang(?label) = "fr") }
  OPTIONAL { ?e odl:season ?season }
  OPTIONAL { ?e dcterms:spatial ?commune
             OPTIONAL { ?commune rdfs:label ?communeLabel FILTER(lang(?communeLabel) = "fr") } }
  OPTIONAL { ?e odl:testsUseCase ?usecase
             OPTIONAL { ?usecase rdfs:label ?usecaseLabel FILTER(lang(?usecaseLabel) = "fr") } }
  OPTIONAL { ?e dcat:theme ?theme OPTIONAL { ?theme skos:prefLabel ?themeLabel FILTER(lang(?themeLabel) = "fr") } }
  OPTIONAL { VALUES ?prop { odl:objectives odl:qualitativeResults odl:implementationEffort odl:dataSustainability
                            odl:geographicScope odl:deploymentConstraints }
             ?e ?prop ?text }
  OPTIONAL { ?e odl:unknownValueOf ?unknown }
  OPTIONAL { ?e odl:minimalData ?minimal
             OPTIONAL { ?minimal rdfs:label ?minimalLabel FILTER(lang(?minimalLabel) = "fr") } }
  OPTIONAL { ?e dcterms:source ?source }
}"""


class ReportError(OdlError):
    """The report could not be written (for example the PDF renderer is missing)."""


@dataclass
class Experiment:
    iri: str
    label: str = ""
    season: str | None = None
    commune: str | None = None
    commune_label: str = ""
    usecase: str | None = None
    usecase_label: str = ""
    themes: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    minimal: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    def aspects(self) -> list[tuple[str, str, bool]]:
        """(heading, text, known) per aspect: unknown ones say so explicitly."""
        out = []
        for prop, heading in ASPECTS:
            if prop in self.texts:
                out.append((heading, self.texts[prop], True))
            elif prop in self.unknown:
                out.append((heading, UNKNOWN_FR, False))
            else:
                out.append((heading, NOT_STATED_FR, False))
        return out


def experiments(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> list[Experiment]:
    rows = store.query(sparql_prefixes(base_iri) + Q_EXPERIMENTS)
    out: dict[str, Experiment] = {}
    odl = f"{base_iri}def#"
    for r in rows:
        e = out.setdefault(r["e"].value, Experiment(r["e"].value))
        get = lambda k: None if r[k] is None else r[k].value  # noqa: B023, E731
        e.label = get("label") or e.label or e.iri.rsplit("/", 1)[-1]
        e.season = get("season") or e.season
        if get("commune"):
            e.commune, e.commune_label = get("commune"), get("communeLabel") or get("commune").rsplit("/", 1)[-1]
        if get("usecase"):
            e.usecase, e.usecase_label = get("usecase"), get("usecaseLabel") or get("usecase").rsplit("/", 1)[-1]
        if get("theme"):
            e.themes[get("theme")] = get("themeLabel") or get("theme").rsplit("/", 1)[-1]
        if get("prop") and get("text"):
            e.texts[get("prop")[len(odl):]] = get("text")
        if get("unknown") and get("unknown").startswith(odl):
            e.unknown.add(get("unknown")[len(odl):])
        if get("minimal"):
            e.minimal[get("minimal")] = get("minimalLabel") or get("minimal").rsplit("/", 1)[-1]
        if get("source"):
            e.sources.add(get("source"))
    return sorted(out.values(), key=lambda e: (e.season or "", e.label))


Q_PUBLICATIONS = """
SELECT ?p ?label ?kindLabel ?page ?ucLabel WHERE {
  ?p a odl:Publication ; rdfs:label ?label ; foaf:page ?page .
  FILTER(LANG(?label) = "fr")
  OPTIONAL { ?p odl:publicationKind/skos:prefLabel ?kindLabel FILTER(LANG(?kindLabel) = "fr") }
  OPTIONAL { ?p dcterms:subject/rdfs:label ?ucLabel FILTER(LANG(?ucLabel) = "fr") }
} ORDER BY ?kindLabel ?label
"""

Q_CATEGORY_FINDINGS = """
SELECT ?dc ?label ?statusLabel ?reason ?reasonSource ?stdLabel ?stdNote ?stdSource WHERE {
  ?dc a odl:DataCategory ; rdfs:label ?label FILTER(LANG(?label) = "fr")
  OPTIONAL { ?dc odl:usualOpennessStatus/skos:prefLabel ?statusLabel FILTER(LANG(?statusLabel) = "fr") }
  OPTIONAL { ?dc dcterms:accessRights ?a . ?a dcterms:description ?reason FILTER(LANG(?reason) = "fr")
             OPTIONAL { ?a dcterms:source ?reasonSource } }
  OPTIONAL { ?dc odl:standardisationNeed ?n . ?n odl:standardisationStatus/skos:prefLabel ?stdLabel
             FILTER(LANG(?stdLabel) = "fr")
             OPTIONAL { ?n dcterms:description ?stdNote FILTER(LANG(?stdNote) = "fr") }
             OPTIONAL { ?n dcterms:source ?stdSource } }
} ORDER BY ?label
"""


def publications(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> list[dict[str, Any]]:
    """The programme's published fiches, dossiers and interviews, with the use cases they present."""
    out: dict[str, dict[str, Any]] = {}
    for r in store.query(sparql_prefixes(base_iri) + Q_PUBLICATIONS):
        p = out.setdefault(r["p"].value, {"label": r["label"].value, "page": r["page"].value,
                                          "kind": r["kindLabel"].value if r["kindLabel"] else "", "usecases": []})
        if r["ucLabel"] is not None and r["ucLabel"].value not in p["usecases"]:
            p["usecases"].append(r["ucLabel"].value)
    return list(out.values())


def category_findings(store: Any, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, list[dict[str, Any]]]:
    """Data categories whose openness is explained, and those with a standardisation finding."""
    access: dict[str, dict[str, Any]] = {}
    std: dict[str, dict[str, Any]] = {}
    for r in store.query(sparql_prefixes(base_iri) + Q_CATEGORY_FINDINGS):
        get = lambda k: None if r[k] is None else r[k].value  # noqa: B023, E731
        if get("reason"):
            a = access.setdefault(get("dc"), {"label": get("label"), "status": get("statusLabel"),
                                              "reason": get("reason"), "sources": set()})
            if get("reasonSource"):
                a["sources"].add(get("reasonSource"))
        if get("stdLabel"):
            s = std.setdefault(get("dc"), {"label": get("label"), "status": get("stdLabel"),
                                           "note": get("stdNote"), "sources": set()})
            if get("stdSource"):
                s["sources"].add(get("stdSource"))
    return {"access": list(access.values()), "standardisation": list(std.values())}


# -- charts (inline SVG, no JavaScript) ------------------------------------------------------
def bar_chart(title: str, data: list[tuple[str, float]], *, width: int = 640, unit: str = "",
              color: str = "#2b6cb0") -> str:
    """A horizontal bar chart as an SVG string."""
    if not data:
        return f'<p class="chart-empty">{html.escape(title)} : aucune donnée.</p>'
    bar_h, gap, label_w, top = 22, 6, 240, 30
    height = top + len(data) * (bar_h + gap) + 10
    peak = max(v for _k, v in data) or 1
    span = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}" class="chart">',
             f'<text x="0" y="18" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(data):
        y = top + i * (bar_h + gap)
        w = max(1.0, span * value / peak) if value else 0
        short = label if len(label) <= 38 else label[:36] + "…"
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="11" text-anchor="end">'
                     f"{html.escape(short)}</text>")
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="11">{html.escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# -- towns grouped by readiness profile -------------------------------------------------------
def profiles(towns: list[dict[str, Any]], usecase_labels: dict[str, str]) -> list[dict[str, Any]]:
    """Towns grouped by readiness profile: the set of use cases for which they have every indispensable
    data category as open local data. Each group says what its towns share (the use cases ready, the
    first steps their roadmaps have in common); each town is in exactly one group.

    Most profiles, the widest first; `number` is the section each town's index line points to.
    """
    groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for town in towns:
        groups[frozenset(town["ready_usecases"])].append(town)
    out = []
    for ready, members in sorted(groups.items(), key=lambda g: (-len(g[0]), -len(g[1]),
                                                               sorted(usecase_labels[u] for u in g[0]))):
        steps: Counter[tuple[str, str, str]] = Counter()
        first: Counter[tuple[str, str, str]] = Counter()
        for town in members:
            for step in town["roadmap"]:
                key = (step.category, step.category_label, step.action)
                steps[key] += 1
                if step.rank == 1:
                    first[key] += 1
        means = sorted(t["mean"] for t in members if t["mean"] is not None)
        out.append({
            "ready": sorted((usecase_labels[u] for u in ready), key=str.casefold),
            "towns": sorted(members, key=lambda t: (fold(t["label"]), t["label"])),
            "mean_low": means[0] if means else None,
            "mean_high": means[-1] if means else None,
            "mean_median": means[len(means) // 2] if means else None,
            "steps": [{"category": k[0], "label": k[1], "verb": rm.ACTIONS[k[2]].verb_fr, "towns": n, "first": first[k]}
                      for k, n in sorted(steps.items(), key=lambda kv: (-kv[1], -first[kv[0]], kv[0][1]))],
        })
    for number, group in enumerate(out, start=1):
        group["number"] = number
        for town in group["towns"]:
            town["profile"] = number
    return out


# -- the synthesis ---------------------------------------------------------------------------
def synthesis(store: Any, base_iri: str = DEFAULT_BASE_IRI, *, roadmap_top: int = ROADMAP_TOP) -> dict[str, Any]:
    """Everything the report shows, as plain data (also usable by a web page)."""
    exps = experiments(store, base_iri)
    by_theme: dict[str, list[Experiment]] = defaultdict(list)
    theme_labels: dict[str, str] = {}
    for e in exps:
        if not e.themes:
            by_theme[""].append(e)
        for iri, label in e.themes.items():
            by_theme[iri].append(e)
            theme_labels[iri] = label
    theme_labels[""] = "Thème inconnu"
    themes = sorted(by_theme, key=lambda k: (k == "", theme_labels[k]))

    t = tb.tables(store, base_iri)
    matrix = dg.readiness_matrix(t)
    towns = []
    for c in sorted(t.acv.values(), key=lambda c: sort_key(c.label)):
        scores = [s for s in matrix.get(c.iri, {}).values() if s is not None]
        steps = rm.roadmap(t, c, limit=roadmap_top)
        towns.append({
            "label": c.label, "insee": c.insee, "iri": c.iri,
            "ready": sum(1 for s in scores if s == 1.0), "assessed": len(scores),
            "ready_usecases": [u for u, s in matrix.get(c.iri, {}).items() if s == 1.0],
            "mean": (sum(scores) / len(scores)) if scores else None,
            "roadmap": steps,
        })
    seasons = Counter(e.season or "inconnue" for e in exps)
    mean_buckets = Counter()
    for town in towns:
        m = town["mean"]
        low = None if m is None else int(min(m, 0.999) * 5) * 20
        mean_buckets["inconnue" if low is None else f"{low}–{low + 20} %"] += 1
    charts = {
        "themes": bar_chart("Expérimentations par thème",
                            [(theme_labels[k], len(by_theme[k])) for k in themes]),
        "seasons": bar_chart("Expérimentations par saison",
                             [(f"saison {s}", n) for s, n in sorted(seasons.items())], color="#2f855a"),
        "readiness": bar_chart("Villes ACV par préparation moyenne aux cas d'usage",
                               sorted(mean_buckets.items()), color="#c05621"),
    }
    usecases_count = len([u for u in t.usecases if t.indispensable_of(u)])
    filled = sum(1 for e in exps for prop, _h in ASPECTS if prop in e.texts) + sum(1 for e in exps if e.minimal)
    return {
        "generated": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "version": __version__,
        "experiments": exps,
        "themes": [(k, theme_labels[k], by_theme[k]) for k in themes],
        "towns": towns,
        "profiles": profiles(towns, {u: t.label(u) for u in t.usecases}),
        "commune_page_pattern": f"{base_iri}id/commune/<code INSEE>",
        "charts": charts,
        "usecases_assessed": usecases_count,
        "unknown_fr": UNKNOWN_FR,
        "priorities": pr.priorities(t)[:10],
        "publications": publications(store, base_iri),
        "findings": category_findings(store, base_iri),
        "evaluation_filled": filled,
        "evaluation_total": len(exps) * (len(ASPECTS) + 1),  # the text aspects and the minimal data
    }


_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def render_html(data: dict[str, Any], *, href: Callable[[str], str] | None = None) -> str:
    """The report as a standalone document (what the PDF is made of); `href` maps a resource's IRI to the
    address a link should take (default: the IRI itself, which dereferences to its page)."""
    return _ENV.get_template("report.html.j2").render(**data, href=href or str, pdf_href=None)


def render_body(data: dict[str, Any], *, href: Callable[[str], str] | None = None, pdf_href: str | None = None) -> str:
    """The report's content alone, for a page of a site that has its own layout."""
    return _ENV.get_template("_report_body.html.j2").render(**data, href=href or str, pdf_href=pdf_href)


def pdf_bytes(text: str) -> bytes:
    """The PDF of a rendered report document."""
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ReportError("the PDF needs WeasyPrint: pip install weasyprint (or pass --no-pdf)") from exc
    return weasyprint.HTML(string=text, base_url=str(TEMPLATES)).write_pdf()


def write_report(store: Any, out_dir: Path, base_iri: str = DEFAULT_BASE_IRI, *, pdf: bool = True,
                 name: str = "synthese") -> list[Path]:
    """Write `<name>.html` (and `<name>.pdf`) into out_dir; returns the paths written."""
    text = render_html(synthesis(store, base_iri))
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path = out_dir / f"{name}.html"
    html_path.write_text(text, encoding="utf-8")
    written = [html_path]
    if pdf:
        written.append(write_pdf(text, out_dir / f"{name}.pdf"))
    return written


def write_pdf(text: str, path: Path) -> Path:
    path.write_bytes(pdf_bytes(text))
    return path
