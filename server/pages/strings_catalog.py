"""Interface strings of the licence (footer, downloads) and of the DCAT-AP catalogue page (/catalog), French
and English. `server/pages/strings.py` merges them into STRINGS, so `server.pages.i18n.t` reads one table."""

CATALOG_STRINGS: dict[str, dict[str, str]] = {
    "graph_licence": {
        "fr": "Le graphe est diffusé sous la licence",
        "en": "The graph is distributed under the",
    },
    "licence_share_alike": {
        "fr": "Une base de données dérivée de ce graphe et utilisée publiquement doit l'être sous la même licence "
              "(partage à l'identique). Les copies de vocabulaires réutilisés (graphes external/…) gardent la leur.",
        "en": "A database derived from this graph and used publicly must be offered under the same licence "
              "(share-alike). The copies of reused vocabularies (graphs external/…) keep their own.",
    },
    "licence_none": {"fr": "Aucune licence n'est déclarée pour ce graphe.",
                     "en": "No licence is stated for this graph."},
    "licence_own": {"fr": "licence propre au vocabulaire", "en": "the vocabulary's own licence"},
    "licence_unknown": {"fr": "inconnue", "en": "unknown"},
    "licence_unstated": {"fr": "non renseignée", "en": "not stated"},
    "catalogue": {"fr": "Catalogue DCAT-AP", "en": "DCAT-AP catalogue"},
    "catalogue_intro": {
        "fr": "La description DCAT-AP 3 du graphe : le jeu de données qu'il forme, ses téléchargements, son point "
              "d'accès SPARQL, et les fiches des jeux de données qu'il décrit. Elle est conforme aux formes SHACL de "
              "DCAT-AP 3.0.1 telle qu'elle est servie.",
        "en": "The DCAT-AP 3 description of the graph: the dataset it forms, its downloads, its SPARQL endpoint, "
              "and the records of the datasets it describes. It conforms to the DCAT-AP 3.0.1 SHACL shapes as "
              "served.",
    },
    "catalogue_formats": {"fr": "Ce catalogue en RDF :", "en": "This catalogue as RDF:"},
    "the_graph": {"fr": "Le graphe", "en": "The graph"},
    "distributions": {"fr": "Distributions", "en": "Distributions"},
    "sparql_service": {"fr": "Point d'accès SPARQL", "en": "SPARQL endpoint"},
    "period_covered": {"fr": "Période couverte", "en": "Period covered"},
    "modified": {"fr": "Modifié le", "en": "Modified"},
    "dataset_records": {"fr": "Fiches des jeux de données", "en": "Dataset records"},
    "dataset_records_intro": {
        "fr": "{n} jeux de données décrits par le graphe ; la licence de chacun vient de sa source, ou est dite "
              "inconnue.",
        "en": "{n} datasets described by the graph; the licence of each comes from its source, or is said "
              "to be unknown.",
    },
}
