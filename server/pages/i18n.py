"""Interface strings of the pages in French (default) and English, and the reader's language.

Data labels come from the graph (odl_graph.describe); only the words around them are here.
"""

from __future__ import annotations

from flask import Request

from odl_graph.describe import DEFAULT_LANG, LANGS
from odl_graph.negotiation import negotiate

STRINGS: dict[str, dict[str, str]] = {
    "site": {"fr": "Graphe des données locales", "en": "Local data graph"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "home": {"fr": "Accueil", "en": "Home"},
    "editor": {"fr": "Éditeur SPARQL", "en": "SPARQL editor"},
    "explore": {"fr": "Explorer", "en": "Explore"},
    "ontology": {"fr": "Ontologie", "en": "Ontology"},
    "search": {"fr": "Rechercher", "en": "Search"},
    "search_label": {"fr": "Rechercher un libellé", "en": "Search a label"},
    "search_hint": {"fr": "Accents et majuscules indifférents.", "en": "Accents and case are ignored."},
    "results_for": {"fr": "Résultats pour", "en": "Results for"},
    "no_results": {"fr": "Aucun résultat.", "en": "No results."},
    "language": {"fr": "Langue", "en": "Language"},
    "main_nav": {"fr": "Navigation principale", "en": "Main navigation"},
    "formats": {"fr": "Formats", "en": "Formats"},
    "open_editor": {"fr": "Ouvrir dans l'éditeur SPARQL", "en": "Open in the SPARQL editor"},
    "all_statements": {"fr": "Toutes les déclarations", "en": "All statements"},
    "incoming": {"fr": "Liens entrants", "en": "Incoming links"},
    "incoming_truncated": {"fr": "Liste tronquée aux premiers liens.", "en": "List cut to the first links."},
    "property": {"fr": "Propriété", "en": "Property"},
    "value": {"fr": "Valeur", "en": "Value"},
    "type": {"fr": "Type", "en": "Type"},
    "sources": {"fr": "Sources", "en": "Sources"},
    "publications": {"fr": "Fiches, dossiers et entretiens publiés", "en": "Published sheets, dossiers and interviews"},
    "publication": {"fr": "Publication", "en": "Publication"},
    "publication_kind": {"fr": "Type", "en": "Kind"},
    "issued": {"fr": "Date", "en": "Date"},
    "read": {"fr": "lire", "en": "read"},
    "status_reason": {"fr": "Motif du statut", "en": "Reason for the status"},
    "standardisation": {"fr": "Standardisation", "en": "Standardisation"},
    "description": {"fr": "Description", "en": "Description"},
    "challenges": {"fr": "Problématiques traitées", "en": "Challenges addressed"},
    "themes": {"fr": "Thèmes", "en": "Themes"},
    "stage": {"fr": "Étape", "en": "Stage"},
    "service": {"fr": "Service", "en": "Service"},
    "service_kind": {"fr": "Type de service", "en": "Kind of service"},
    "data_needed": {"fr": "Données nécessaires", "en": "Data needed"},
    "data_category": {"fr": "Catégorie de données", "en": "Data category"},
    "level": {"fr": "Niveau de besoin", "en": "Requirement level"},
    "producers": {"fr": "Producteurs habituels", "en": "Typical producers"},
    "openness": {"fr": "Statut d'ouverture", "en": "Openness status"},
    "usual_openness": {"fr": "Statut d'ouverture habituel", "en": "Usual openness status"},
    "standard": {"fr": "Standard", "en": "Standard"},
    "none": {"fr": "aucun", "en": "none"},
    "experiments": {"fr": "Expérimentations", "en": "Experiments"},
    "no_experiments": {"fr": "Aucune expérimentation connue.", "en": "No known experiment."},
    "season": {"fr": "Saison", "en": "Season"},
    "period": {"fr": "Période", "en": "Period"},
    "commune": {"fr": "Commune", "en": "Municipality"},
    "unknown": {"fr": "non précisé par les sources", "en": "not stated in the sources"},
    "minimal_data": {"fr": "Données minimales pour déployer ailleurs", "en": "Minimal data to deploy elsewhere"},
    "usecases_addressing": {"fr": "Cas d'usage qui y répondent", "en": "Use cases addressing it"},
    "most_needed": {"fr": "Données les plus demandées", "en": "Data most needed"},
    "usecase_count": {"fr": "Cas d'usage", "en": "Use cases"},
    "indispensable_for": {"fr": "Indispensable pour", "en": "Indispensable for"},
    "interviews": {"fr": "Entretiens", "en": "Interviews"},
    "usecases_needing": {"fr": "Cas d'usage qui en ont besoin", "en": "Use cases that need it"},
    "datasets": {"fr": "Jeux de données connus", "en": "Known datasets"},
    "dataset": {"fr": "Jeu de données", "en": "Dataset"},
    "territory": {"fr": "Territoire", "en": "Territory"},
    "holders": {"fr": "Qui la détient", "en": "Who holds it"},
    "publisher": {"fr": "Diffuseur", "en": "Publisher"},
    "holder": {"fr": "Détenteur", "en": "Holder"},
    "role": {"fr": "Rôle", "en": "Role"},
    "status_summary": {"fr": "Répartition par statut", "en": "By status"},
    "actor_category": {"fr": "Catégorie d'acteur", "en": "Actor category"},
    "competent_for": {"fr": "Compétent pour", "en": "Competent for"},
    "holds": {"fr": "Données détenues ou diffusées", "en": "Data held or published"},
    "produces": {"fr": "Catégories de données produites habituellement", "en": "Data categories usually produced"},
    "homepage": {"fr": "Site web", "en": "Website"},
    "acv": {"fr": "Programme Action Cœur de Ville", "en": "Action Cœur de Ville programme"},
    "acv_member": {"fr": "Membre du programme", "en": "Member of the programme"},
    "acv_not_member": {"fr": "Pas membre d'un programme connu du graphe.",
                       "en": "Not a member of a programme known to the graph."},
    "acv_2018": {"fr": "Retenue en 2018", "en": "Selected in 2018"},
    "acv_id": {"fr": "Identifiant ACV", "en": "ACV identifier"},
    "convention": {"fr": "Convention signée le", "en": "Agreement signed on"},
    "population": {"fr": "Population", "en": "Population"},
    "within": {"fr": "Situé dans", "en": "Located in"},
    "covering": {"fr": "Jeux de données qui le couvrent", "en": "Datasets covering it"},
    "actors_competent": {"fr": "Acteurs compétents", "en": "Competent actors"},
    "publishers": {"fr": "Organismes qui publient des données ouvertes pour ce territoire",
                   "en": "Bodies publishing open data for this territory"},
    "no_publishers": {"fr": "Aucun organisme compétent pour ce territoire n'est recensé comme publiant des données "
                            "ouvertes par l'Observatoire open data des territoires (2021, 2022).",
                      "en": "No body competent for this territory is recorded as publishing open data by the open "
                            "data observatory (2021, 2022)."},
    "body": {"fr": "Organisme", "en": "Body"},
    "observed": {"fr": "Constat du", "en": "Recorded on"},
    "platform": {"fr": "Plateforme", "en": "Platform"},
    "datasets_on_platform": {"fr": "Jeux sur la plateforme", "en": "Datasets on the platform"},
    "datasets_on_datagouv": {"fr": "Jeux sur data.gouv.fr", "en": "Datasets on data.gouv.fr"},
    "local_records": {"fr": "Enregistrements de jeux nationaux dans ce territoire",
                      "en": "Records of national datasets in this territory"},
    "members": {"fr": "Territoires membres", "en": "Member territories"},
    "fields": {"fr": "Champs du schéma", "en": "Schema fields"},
    "field": {"fr": "Champ", "en": "Field"},
    "title": {"fr": "Titre", "en": "Title"},
    "required": {"fr": "Obligatoire", "en": "Required"},
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "constraints": {"fr": "Contraintes", "en": "Constraints"},
    "identifier": {"fr": "Identifiant", "en": "Identifier"},
    "scdl": {"fr": "Socle commun des données locales (SCDL)", "en": "Common base of local data (SCDL)"},
    "conforming": {"fr": "Ressources conformes", "en": "Conforming resources"},
    "categories_using": {"fr": "Catégories de données qui s'y conforment", "en": "Data categories conforming to it"},
    "dossier": {"fr": "Dossier thématique", "en": "Thematic dossier"},
    "dossiers": {"fr": "Dossiers thématiques", "en": "Thematic dossiers"},
    "usecases": {"fr": "Cas d'usage", "en": "Use cases"},
    "datasets_by_status": {"fr": "Jeux connus par statut", "en": "Known datasets by status"},
    "counts": {"fr": "Le graphe en chiffres", "en": "The graph in numbers"},
    "acv_communes": {"fr": "Communes Action Cœur de Ville", "en": "Action Cœur de Ville towns"},
    "entry_points": {"fr": "Points d'entrée", "en": "Entry points"},
    "home_intro": {
        "fr": "Problématiques locales, cas d'usage, données nécessaires et acteurs qui les détiennent, "
              "autour d'OpenDataLocale et d'Action Cœur de Ville Data. Chaque ressource a une page lisible "
              "et une représentation RDF à la même adresse.",
        "en": "Local challenges, use cases, the data they need and the actors who hold it, around "
              "OpenDataLocale and Action Cœur de Ville Data. Every resource has a readable page and an RDF "
              "representation at the same address.",
    },
    "sparql_endpoint": {"fr": "Point d'accès SPARQL", "en": "SPARQL endpoint"},
    "api": {"fr": "API des requêtes", "en": "Query API"},
    "analyses": {"fr": "Analyses et diagnostic", "en": "Analyses and diagnostic"},
    "browse": {"fr": "Parcourir", "en": "Browse"},
    "previous": {"fr": "Précédent", "en": "Previous"},
    "next": {"fr": "Suivant", "en": "Next"},
    "of": {"fr": "sur", "en": "of"},
    "classes": {"fr": "Classes", "en": "Classes"},
    "properties": {"fr": "Propriétés", "en": "Properties"},
    "superclasses": {"fr": "Sous-classe de", "en": "Subclass of"},
    "defined_class": {"fr": "Classe définie (équivalence OWL, voir le Turtle).",
                      "en": "Defined class (OWL equivalence, see the Turtle)."},
    "domain": {"fr": "Domaine", "en": "Domain"},
    "range": {"fr": "Portée", "en": "Range"},
    "kind": {"fr": "Sorte", "en": "Kind"},
    "functional": {"fr": "fonctionnelle", "en": "functional"},
    "shacl": {"fr": "Contraintes SHACL", "en": "SHACL constraints"},
    "no_shacl": {"fr": "Aucune contrainte SHACL ne vise cette classe.",
                 "en": "No SHACL constraint targets this class."},
    "path": {"fr": "Chemin", "en": "Path"},
    "message": {"fr": "Message", "en": "Message"},
    "properties_of_class": {"fr": "Propriétés de domaine cette classe", "en": "Properties with this class as domain"},
    "version": {"fr": "Version", "en": "Version"},
    "license": {"fr": "Licence", "en": "Licence"},
    "vocabularies": {"fr": "Vocabulaires SKOS", "en": "SKOS vocabularies"},
    "examples": {"fr": "Requêtes d'exemple", "en": "Example queries"},
    "editor_intro": {
        "fr": "Les onglets contiennent les requêtes transversales du graphe. L'adresse de la page se met à jour "
              "avec la requête et la vue : copiez-la pour partager.",
        "en": "The tabs hold the cross-cutting queries of the graph. The page address follows the query and "
              "the view: copy it to share.",
    },
    "network": {"fr": "Réseau problématiques → cas d'usage → données → acteurs",
                "en": "Network challenges → use cases → data → actors"},
    "filter_theme": {"fr": "Filtrer par thème", "en": "Filter by theme"},
    "all_themes": {"fr": "Tous les thèmes", "en": "All themes"},
    "legend": {"fr": "Légende", "en": "Legend"},
    "node_list": {"fr": "Liste des nœuds (navigation au clavier)", "en": "Node list (keyboard navigation)"},
    "chart_theme": {"fr": "Statut d'ouverture des jeux de données, par thème",
                    "en": "Openness status of datasets, per theme"},
    "chart_actor": {"fr": "Statut d'ouverture des jeux de données, par catégorie d'acteur",
                    "en": "Openness status of datasets, per actor category"},
    "chart_usual": {"fr": "Statut habituel des catégories de données nécessaires, par thème",
                    "en": "Usual status of the data categories needed, per theme"},
    "chart_note": {
        "fr": "Un jeu compte pour un thème quand un cas d'usage du thème a besoin de sa catégorie ; pour une "
              "catégorie d'acteur quand son diffuseur ou son détenteur en fait partie.",
        "en": "A dataset counts for a theme when a use case of the theme needs its category; for an actor "
              "category when its publisher or holder belongs to it.",
    },
    "not_found": {"fr": "Ressource introuvable", "en": "Resource not found"},
    "not_found_text": {"fr": "Aucune ressource du graphe n'a cette adresse.",
                       "en": "No resource of the graph has this address."},
    "challenge": {"fr": "Problématique", "en": "Challenge"},
    "usecase": {"fr": "Cas d'usage", "en": "Use case"},
    "actor": {"fr": "Acteur", "en": "Actor"},
    "datacategory_short": {"fr": "Donnée", "en": "Data"},
    "indispensable": {"fr": "indispensable", "en": "indispensable"},
    "useful": {"fr": "utile", "en": "useful"},
}


def t(key: str, lang: str) -> str:
    """The interface string `key` in `lang` (the key itself when missing, so gaps show up)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry[DEFAULT_LANG]


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
