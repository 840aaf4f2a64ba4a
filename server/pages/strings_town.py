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
    # the action-first diagnostic
    "what_to_do": {"fr": "Que faire", "en": "What to do"},
    "the_data": {"fr": "Donnée", "en": "Data"},
    "with_whom": {"fr": "Auprès de qui", "en": "With whom"},
    "why": {"fr": "Pourquoi", "en": "Why"},
    "how_sure": {"fr": "Avec quelle certitude", "en": "How sure"},
    "request": {"fr": "Demande", "en": "Request"},
    "draft_letter": {"fr": "Brouillon de courrier", "en": "Draft letter (French)"},
    "this_is_you": {"fr": "c'est vous", "en": "this is you"},
    "portal": {"fr": "portail de données", "en": "data portal"},
    "who_sure": {"fr": "Détenteur", "en": "Holder"},
    "nobody_known": {"fr": "détenteur inconnu", "en": "holder unknown"},
    "level_indispensable": {"fr": "indispensable", "en": "indispensable"},
    "level_useful": {"fr": "utile", "en": "useful"},
    "do_use": {"fr": "Utiliser la donnée ouverte", "en": "Use the open data"},
    "do_check": {"fr": "Vérifier le statut et le contenu local", "en": "Check its status and local content"},
    "do_check-exposure": {"fr": "Vérifier si le territoire est concerné",
                          "en": "Check whether the territory is exposed"},
    "do_open": {"fr": "Demander l'ouverture au détenteur", "en": "Ask the holder to open it"},
    "do_ask": {"fr": "Demander au détenteur compétent", "en": "Ask the competent holder"},
    "do_find": {"fr": "Trouver qui détient la donnée", "en": "Find who holds the data"},
    "do_produce": {"fr": "Produire et publier", "en": "Produce and publish"},
    "do_buy": {"fr": "Acheter (donnée payante)", "en": "Buy (paid data)"},
    "sure_records": {"fr": "Sûr : le fichier contient des enregistrements de la commune.",
                     "en": "Sure: the file holds records of the town."},
    "sure_dataset": {"fr": "Probable : un jeu couvre un territoire qui contient la commune ; son contenu pour elle "
                           "n'est pas vérifié.",
                     "en": "Likely: a dataset covers a territory containing the town; its content for the town is "
                           "not checked."},
    "sure_national": {"fr": "Incertain : un jeu national couvre la commune, son contenu local n'est pas vérifié.",
                      "en": "Uncertain: a national dataset covers the town; its local content is not checked."},
    "sure_hint": {"fr": "Simple indice : un organisme publie sur un thème voisin.",
                  "en": "A hint only: a body publishes on a related theme."},
    "sure_absent": {"fr": "Sûr : le jeu connu commune par commune ne contient rien pour elle.",
                    "en": "Sure: the dataset known town by town holds nothing for it."},
    "sure_nothing": {"fr": "Inconnu : le graphe ne sait rien de cette donnée ici, ce qui ne veut pas dire qu'elle "
                           "manque.",
                     "en": "Unknown: the graph knows nothing of this data here, which does not mean it is lacking."},
    "method_link": {"fr": "Comment le diagnostic est établi", "en": "How the diagnostic is made"},
    "secondary_query": {"fr": "La requête SPARQL derrière ces lignes", "en": "The SPARQL query behind these lines"},
    "all_requests": {"fr": "Toutes les demandes de la commune", "en": "All the town's requests"},
    # the letters
    "letters_title": {"fr": "Demandes de données", "en": "Data requests"},
    "letters_intro": {"fr": "Un courrier par donnée à demander à un autre organisme, adressé au détenteur compétent. "
                            "Ce sont des brouillons : relisez-les, datez-les, signez-les et envoyez-les vous-même ; "
                            "le site n'envoie rien.",
                      "en": "One letter per piece of data to ask another body for, addressed to the competent "
                            "holder, in French (the language of the bodies addressed). They are drafts: read, date, "
                            "sign and send them yourself; the site sends nothing."},
    "letters_none": {"fr": "Aucune donnée à demander à un autre organisme.",
                     "en": "No data to ask another body for."},
    "to_find_title": {"fr": "Sans courrier : détenteur à trouver", "en": "No letter: holder to be found"},
    "to_find_intro": {"fr": "Pour ces données, aucune source lue ne dit quel organisme est compétent : le site ne "
                            "rédige pas de courrier à un destinataire qu'il ne sait pas nommer. Chaque ligne dit ce "
                            "qui a été cherché et donne des pistes, à vérifier avant d'écrire.",
                      "en": "For these data, no source read says which body is competent: the site drafts no letter "
                            "to an addressee it cannot name. Each line says what was searched and gives leads, to "
                            "check before writing."},
    "letters_contents": {"fr": "Les courriers", "en": "The letters"},
    "download_text": {"fr": "Télécharger en texte", "en": "Download as text"},
    "print": {"fr": "Imprimer", "en": "Print"},
    "legal_basis_unknown": {"fr": "base légale inconnue", "en": "legal basis unknown"},
    # the method
    "method_title": {"fr": "Méthode du diagnostic", "en": "How the diagnostic works"},
    "method_intro": {"fr": "Pour chaque donnée qu'un cas d'usage demande, le diagnostic cherche d'abord des "
                           "enregistrements de la commune, puis un jeu de son intercommunalité, de son département ou "
                           "de sa région, puis un jeu national qui la couvre ; un organisme qui publie sur un thème "
                           "voisin n'est qu'un indice. Le détenteur à solliciter est l'organisme compétent pour cette "
                           "donnée selon la loi, quand une source le dit ; sinon le diagnostic le dit.",
                     "en": "For each piece of data a use case needs, the diagnostic looks first for records of the "
                           "town, then for a dataset of its intercommunality, département or région, then for a "
                           "national dataset covering it; a body publishing on a related theme is only a hint. The "
                           "body to ask is the one competent for that data by law, when a source says so; otherwise "
                           "the diagnostic says it is not established."},
    "method_do_use": {"fr": "une donnée ouverte couvre la commune : l'utiliser.",
                      "en": "open data covers the town: use it."},
    "method_do_check": {"fr": "un jeu existe mais son statut ou son contenu local est inconnu : le vérifier.",
                        "en": "a dataset exists but its status or local content is unknown: check it."},
    "method_do_open": {"fr": "un jeu existe et n'est pas ouvert : en demander l'ouverture à son détenteur (brouillon "
                             "de courrier fourni).",
                       "en": "a dataset exists and is not open: ask its holder to open it (a draft letter is given)."},
    "method_do_ask": {"fr": "aucune donnée connue, un autre organisme est compétent : la lui demander (brouillon de "
                            "courrier fourni).",
                      "en": "no data known, another body is competent: ask it (a draft letter is given)."},
    "method_do_find": {"fr": "aucune donnée connue, et aucune source lue ne dit quel organisme est compétent : "
                             "trouver d'abord qui la détient (la ligne dit ce qui a été cherché et donne des pistes, "
                             "non vérifiées) ; pas de courrier tant que le détenteur n'est pas connu.",
                       "en": "no data known, and no source read says which body is competent: first find who holds "
                             "it (the line says what was searched and gives leads, not verified); no letter until "
                             "the holder is known."},
    "method_do_produce": {"fr": "la commune ou son intercommunalité est compétente : la produire et la publier.",
                          "en": "the town or its intercommunality is competent: produce and publish it."},
    "method_do_buy": {"fr": "la donnée est payante : l'acheter, en dernier recours.",
                      "en": "the data is sold: buy it, as a last resort."},
    # towns like mine
    "peers_title": {"fr": "Des villes comme la vôtre", "en": "Towns like yours"},
    "peers_did": {"fr": "Elles l'ont déjà fait (expérimentations ACV Data)",
                  "en": "They already did it (ACV Data experiments)"},
    "peers_did_none": {"fr": "Aucune expérimentation du graphe n'a testé ce cas d'usage.",
                       "en": "No experiment of the graph tested this use case."},
    "peers_ready": {"fr": "Villes ACV comparables prêtes pour ce cas d'usage",
                    "en": "Comparable ACV towns ready for this use case"},
    "peers_ready_none": {"fr": "Aucune ville ACV comparable (même tranche de population, même type "
                               "d'intercommunalité ou même région) n'est prête pour ce cas d'usage.",
                         "en": "No comparable ACV town (same population band, kind of intercommunality or région) "
                               "is ready for this use case."},
    "peers_shared": {"fr": "en commun", "en": "in common"},
    "shared_population": {"fr": "tranche de population", "en": "population band"},
    "shared_epci_type": {"fr": "type d'intercommunalité", "en": "kind of intercommunality"},
    "shared_region": {"fr": "région", "en": "région"},
    "peers_there": {"fr": "Ouvert chez elle, pas chez vous", "en": "Open there, not here"},
    "peers_here": {"fr": "Ouvert chez vous, pas chez elle", "en": "Open here, not there"},
    "peers_same": {"fr": "Mêmes données indispensables ouvertes que chez vous.",
                   "en": "The same indispensable data open as here."},
}
