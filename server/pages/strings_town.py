"""Interface strings of a town's answer (action-first diagnostic and roadmap, requests, the synthesis
page) and of the CSV column headers, French and English. `server/pages/strings.py` merges them into
STRINGS, so `server.pages.i18n.t` reads one table."""

TOWN_STRINGS: dict[str, dict[str, str]] = {
    # CSV headers of columns that have none on the page
    "col_score_value": {"fr": "Score (valeur)", "en": "Score (value)"},
    "col_mean_value": {"fr": "Préparation moyenne (valeur)", "en": "Mean readiness (value)"},
    "col_lat": {"fr": "Latitude", "en": "Latitude"},
    "col_lon": {"fr": "Longitude", "en": "Longitude"},
    "col_iri": {"fr": "IRI", "en": "IRI"},
    "col_label": {"fr": "Libellé", "en": "Label"},
    "col_lang": {"fr": "Langue du libellé", "en": "Label language"},
    "col_type": {"fr": "Type", "en": "Type"},
    "col_type_label": {"fr": "Type (libellé)", "en": "Type (label)"},
    "col_code": {"fr": "Code", "en": "Code"},
    "col_themes": {"fr": "Thèmes", "en": "Themes"},
    "col_within": {"fr": "Dans", "en": "Within"},
    "col_within_label": {"fr": "Dans (libellé)", "en": "Within (label)"},
    "col_direction": {"fr": "Sens", "en": "Direction"},
    "col_property": {"fr": "Propriété", "en": "Property"},
    "col_property_label": {"fr": "Propriété (libellé)", "en": "Property (label)"},
    "col_value": {"fr": "Valeur", "en": "Value"},
    "col_value_label": {"fr": "Valeur (libellé)", "en": "Value (label)"},
    "col_value_lang": {"fr": "Langue de la valeur", "en": "Value language"},
    "col_value_datatype": {"fr": "Type de la valeur", "en": "Value datatype"},
    "col_iri_suffix": {"fr": "(IRI)", "en": "(IRI)"},
    # the synthesis
    "report": {"fr": "Synthèse du programme ACV Data", "en": "Synthesis of the ACV Data programme"},
    "report_short": {"fr": "Synthèse", "en": "Synthesis"},
    "report_intro": {"fr": "ce que les expérimentations enseignent, et ce que chaque ville ACV peut en retenir",
                     "en": "what the experiments teach, and what each ACV town can take from them"},
    "report_pdf": {"fr": "PDF imprimable", "en": "printable PDF"},
    "report_link": {"fr": "Ce que la synthèse du programme dit de cette ville",
                    "en": "What the programme synthesis says of this town"},
    "report_in_french": {"fr": "", "en": "The synthesis is written in French, the language of the programme's "
                                          "sources; the pages it links to are in English."},
    "requests_link": {"fr": "Les demandes de données de cette ville, prêtes à envoyer",
                      "en": "This town's data requests, ready to send"},
}
