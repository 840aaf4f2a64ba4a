"""Interface strings of the standardisation pages (priorities, draft schemas, file check), French
(default) and English; merged into server.pages.strings.STRINGS."""

STANDARDS_STRINGS: dict[str, dict[str, str]] = {
    "candidates_h": {"fr": "Candidates au Socle commun des données locales",
                     "en": "Candidates for the Common Base of Local Data (SCDL)"},
    "national_h": {"fr": "Données nationales : demander le jeu de données national",
                   "en": "National data: ask for the national dataset"},
    "national_intro": {"fr": "Produites par l'État ou une agence nationale : un standard local n'aiderait pas, "
                             "classées à part.",
                       "en": "Produced by the State or a national agency: a local standard would not help; "
                             "ranked apart."},
    "why": {"fr": "Pourquoi", "en": "Why"},
    "producer_h": {"fr": "Producteur", "en": "Producer"},
    "producer_local": {"fr": "local", "en": "local"},
    "producer_national": {"fr": "national", "en": "national"},
    "producer_company": {"fr": "entreprises", "en": "companies"},
    "producer_unknown": {"fr": "inconnu", "en": "unknown"},
    "producer_basis": {"fr": "Selon", "en": "According to"},
    "basis_competences": {"fr": "la table des compétences", "en": "the competence table"},
    "basis_producers": {"fr": "les producteurs habituels de la catégorie", "en": "the category's usual producers"},
    "conforming_resources": {"fr": "Ressources conformes", "en": "Conforming resources"},
    "local_publishers_h": {"fr": "Publieurs locaux sans schéma", "en": "Local publishers without a schema"},
    "towns_gain": {"fr": "Villes sans donnée ouverte connue", "en": "Towns without known open data"},
    "draft": {"fr": "Brouillon", "en": "Draft"},
    "draft_schema": {"fr": "Brouillon de schéma", "en": "Draft schema"},
    "draft_schemas": {"fr": "Brouillons de schémas", "en": "Draft schemas"},
    "formula": {"fr": "Formule", "en": "Formula"},
    "tie": {"fr": "Ex aequo", "en": "Tie"},
    "basis_standard": {"fr": "Dérivé des champs de son standard.", "en": "Derived from the fields of its standard."},
    "basis_minimal-fields": {"fr": "Dérivé des champs minimaux relevés dans les sources citées (table "
                                   "category_fields.csv).",
                             "en": "Derived from the minimal fields read in the sources cited (table "
                                   "category_fields.csv)."},
    "basis_skeleton": {"fr": "Squelette générique d'identification : les sources lues ne décrivent pas les "
                             "champs de cette catégorie. Ce brouillon ne dit rien de son contenu.",
                       "en": "Generic identification skeleton: the sources read do not describe this category's "
                             "fields. This draft says nothing about its content."},
    "basis_skeleton-standard": {"fr": "Squelette générique d'identification : son standard ne décrit pas de champs "
                                      "de table dans le graphe (standard publié comme GeoPackage ou document) ; "
                                      "voir le standard lui-même.",
                                "en": "Generic identification skeleton: its standard describes no table fields in "
                                      "the graph (a standard published as a GeoPackage or a document); see the "
                                      "standard itself."},
    "draft_notice": {"fr": "Brouillon produit par odl-graph, à relire avant toute publication.",
                     "en": "Draft produced by odl-graph, to be reviewed before any publication."},
    "basis_h": {"fr": "Fondement", "en": "Basis"},
    "download_schema": {"fr": "Table Schema (JSON)", "en": "Table Schema (JSON)"},
    "download_shape": {"fr": "Forme SHACL (Turtle)", "en": "SHACL shape (Turtle)"},
    "downloads_h": {"fr": "Téléchargements", "en": "Downloads"},
    "fields_h": {"fr": "Champs", "en": "Fields"},
    "field_name": {"fr": "Nom", "en": "Name"},
    "field_title": {"fr": "Intitulé", "en": "Title"},
    "field_type": {"fr": "Type", "en": "Type"},
    "field_required": {"fr": "Obligatoire", "en": "Required"},
    "field_unit": {"fr": "Unité ou vocabulaire", "en": "Unit or vocabulary"},
    "field_constraints": {"fr": "Contraintes", "en": "Constraints"},
    "field_why": {"fr": "Description, raison", "en": "Description, reason"},
    "unit_unknown": {"fr": "inconnue (la source ne la donne pas)", "en": "unknown (the source does not give it)"},
    "sources_h": {"fr": "Sources", "en": "Sources"},
    "category_page": {"fr": "Fiche de la catégorie", "en": "Category page"},
    "check_file": {"fr": "Vérifier un fichier", "en": "Check a file"},
    "check_intro": {"fr": "Téléversez un fichier CSV (UTF-8) : il est vérifié contre le brouillon ou le standard de "
                          "la catégorie choisie (champs nécessaires absents, vides ou invalides). Rien n'est récupéré "
                          "sur le réseau, rien n'est conservé.",
                    "en": "Upload a CSV file (UTF-8): it is checked against the draft or standard of the category "
                          "chosen (needed fields missing, empty or invalid). Nothing is fetched from the network, "
                          "nothing is stored."},
    "check_limit": {"fr": "Taille maximale", "en": "Maximum size"},
    "csv_file": {"fr": "Fichier CSV", "en": "CSV file"},
    "check_submit": {"fr": "Vérifier", "en": "Check"},
    "check_result": {"fr": "Résultat", "en": "Result"},
    "missing_fields": {"fr": "Champs nécessaires absents", "en": "Needed fields missing"},
    "empty_fields": {"fr": "Champs nécessaires avec des cellules vides", "en": "Needed fields with empty cells"},
    "invalid_fields": {"fr": "Champs aux valeurs invalides", "en": "Fields with invalid values"},
    "extra_fields": {"fr": "Colonnes hors schéma (ignorées)", "en": "Columns outside the schema (ignored)"},
    "structure_problems": {"fr": "Problèmes de structure", "en": "Structural problems"},
    "cells": {"fr": "Cellules", "en": "Cells"},
    "first_rows": {"fr": "Premières lignes", "en": "First rows"},
    "details": {"fr": "Détails", "en": "Details"},
    "no_file": {"fr": "Aucun fichier reçu : choisissez un fichier CSV.", "en": "No file received: choose a CSV file."},
    "check_refused": {"fr": "Fichier refusé", "en": "File refused"},
    "unknown_category": {"fr": "Catégorie de données inconnue.", "en": "Unknown data category."},
    "bytes": {"fr": "octets", "en": "bytes"},
    "colon": {"fr": "\u00a0: ", "en": ": "},  # French puts a space before the colon
}
