"""Interface strings of the editor's completion, share links and graph view, and of search hits found by
another label, French and English. `server/pages/strings.py` merges them into STRINGS."""

EDITOR_STRINGS: dict[str, dict[str, str]] = {
    "matched_label": {"fr": "trouvé par", "en": "found by"},
    "ed_complete_class": {"fr": "classe", "en": "class"},
    "ed_complete_property": {"fr": "propriété", "en": "property"},
    "ed_complete_resource": {"fr": "ressource", "en": "resource"},
    "ed_graph_draw_all": {"fr": "Dessiner les {n} nœuds", "en": "Draw all {n} nodes"},
    "ed_graph_limited": {
        "fr": "Vue limitée aux {shown} nœuds les plus reliés sur {total} ; la liste ci-dessous et les vues "
              "tableau et réponse donnent tout le résultat.",
        "en": "View limited to the {shown} most connected of {total} nodes; the list below and the table and "
              "response views give the whole result.",
    },
    "ed_share_bad": {"fr": "Ce lien de partage ne peut pas être ouvert", "en": "This share link cannot be opened"},
    "ed_share_long": {
        "fr": "Ce lien dépasse {n} caractères : certains courriels le coupent.",
        "en": "This link is over {n} characters: some mail clients cut it.",
    },
}
