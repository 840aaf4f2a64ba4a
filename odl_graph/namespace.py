"""Terms of the odl-graph ontology as a DefinedNamespace: a typo is an AttributeError.

Generated from ontology/odl.ttl by `python -m odl_graph.namespace_gen`; tests/test_hygiene.py
checks it is up to date. Do not edit by hand.
"""

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace


class ODL(DefinedNamespace):
    _fail = True
    _NS = Namespace("https://w3id.org/odl-graph/def#")

    # Classes
    Actor: URIRef  # Organisation or group of people that produces, holds, publishes or uses local data;
    #   organisations are also typed org:Organization.
    BlockingDataset: URIRef  # Dataset that instantiates a data category indispensable to at least one use
    #   case and whose openness status is not "open".
    Challenge: URIRef  # Problem or need of a territory, stated by its stakeholders, that data can help to
    #   address.
    Commune: URIRef  # Municipality of the official geographic code (COG), identified by its INSEE code.
    Competence: URIRef  # Sourced rule saying which level (commune, EPCI, mobility organising authority,
    #   syndicate, département, région, State service, operator, company) is competent to produce or hold the
    #   data of a category, on which legal basis, and whether opening it is an obligation
    #   (data/curated/competences.csv).
    DataCategory: URIRef  # Kind of data described independently of any producer (for instance "street
    #   trees"), of which datasets are instances.
    DataRequirement: URIRef  # Qualified link between a use case and a data category it needs, with a
    #   requirement level.
    Dataset: URIRef  # Concrete dataset, produced or held by an actor for a territory, instance of a data
    #   category.
    DatasetSearch: URIRef  # Dated and sourced search for the national or local datasets of a data category:
    #   what was looked for, in which pages, and what was found or not.
    Departement: URIRef  # Département of the official geographic code (COG), identified by its INSEE code.
    EPCI: URIRef  # Public body for intermunicipal cooperation with its own tax base (EPCI), identified by its
    #   SIREN.
    Experiment: URIRef  # Trial of a use case in a municipality during an ACV Data season, with its
    #   objectives, results and deployment conditions.
    Interview: URIRef  # Interview with stakeholders of a territory during which local challenges are stated.
    LocalRecords: URIRef  # The records a (often national) dataset holds for one territory, counted from the
    #   file itself, with the producer that supplied them: the verified local content of a dataset.
    Programme: URIRef  # Public programme that territories are members of, such as Action Cœur de Ville.
    Publication: URIRef  # Document published by the programme or its partners: use-case sheet, thematic
    #   dossier or published interview; its address (foaf:page), date (dcterms:issued), publisher
    #   (dcterms:publisher), language (dcterms:language), the use cases it presents (dcterms:subject), its
    #   themes (dcat:theme) and, for a published interview, the interview it comes from (prov:wasGeneratedBy).
    PublishingRecord: URIRef  # A dated statement, drawn from a source (the open data observatory of French
    #   territories), that a body publishes open data: where, how much, on which themes.
    Region: URIRef  # Region or overseas collectivity of the official geographic code (COG), identified by its
    #   INSEE code.
    SchemaField: URIRef  # Field (column) of a data schema, with its name, type and constraints.
    Service: URIRef  # Application, tool or practice through which a use case is implemented.
    Standard: URIRef  # Data schema published on schema.data.gouv.fr (Table Schema), including those of the
    #   Common Base of Local Data (SCDL).
    StandardisationNeed: URIRef  # Finding, read from a source, on the standardisation of a data category: a
    #   standard exists, is being drafted or is missing, or standardisation is a target of the programme
    #   (odl:standardisationStatus, dcterms:description, dcterms:source).
    Territory: URIRef  # French administrative territory: municipality, EPCI, département, région, or the
    #   whole of France.
    UseCase: URIRef  # Way of using data categories to deliver a service that addresses a local challenge.

    # Object properties
    actorCategory: URIRef  # Category of the actor, a concept of the "actor-category" scheme.
    addresses: URIRef  # Local challenge that the use case addresses.
    competenceCategory: URIRef  # Data category whose holder the competence rule states.
    competentBody: URIRef  # National body or operator the rule names (for example the DGFiP for land sales);
    #   the competent local authorities follow from the level and the COG.
    competentFor: URIRef  # Territory that the public body governs.
    competentLevel: URIRef  # Level competent to produce or hold the data, a concept of the "competence-level"
    #   scheme; several levels when the law names several.
    concernsHazard: URIRef  # The hazard ("hazard" scheme) the data category is about: it is to be produced
    #   only where the hazard exists.
    hasField: URIRef  # Field of the standard, or field expected for a data category.
    hasRequirement: URIRef  # Data requirement of the use case (data category and requirement level).
    implementedBy: URIRef  # Service through which the use case is implemented.
    inDepartement: URIRef  # Département in which the territory lies.
    indicatesCategory: URIRef  # Mapping rule: publishing on this theme suggests data of this category (table
    #   data/mappings/observatory-themes.csv, where each rule says why).
    inEPCI: URIRef  # EPCI that the territory is a member of.
    inRegion: URIRef  # Region in which the territory lies.
    instantiates: URIRef  # Data category of which the dataset is an instance.
    localContent: URIRef  # How far the dataset's content is known territory by territory (a concept of the
    #   "local-content" scheme).
    memberOf: URIRef  # Programme that the territory benefits from (for instance Action Cœur de Ville).
    minimalData: URIRef  # Data category that is the minimum needed to deploy the use case elsewhere
    #   (deployment condition).
    opennessStatus: URIRef  # Openness status of the dataset, a concept of the "openness" scheme; one status
    #   per dataset.
    publicationKind: URIRef  # Kind of the publication, a concept of the "publication-kind" scheme.
    publishesOnTheme: URIRef  # A theme ("observatory-theme" scheme) the body publishes on, according to the
    #   source.
    publishingBody: URIRef  # The body the record says publishes open data.
    raises: URIRef  # Local challenge stated during the interview.
    recordsOf: URIRef  # The dataset these local records belong to.
    requiredCategory: URIRef  # Data category that the requirement is about.
    requirementLevel: URIRef  # Level of the requirement (indispensable or useful), a concept of the
    #   "requirement-level" scheme.
    searchedCategory: URIRef  # Data category whose datasets the search looked for.
    searchOutcome: URIRef  # What the search found (found, or none known), a concept of the "search-outcome"
    #   scheme.
    serviceKind: URIRef  # Kind of the service, a concept of the "service-kind" scheme.
    spatialExclusion: URIRef  # Territory inside the dataset's declared coverage (dcterms:spatial) that the
    #   dataset does not cover, according to a page cited as its source (for example the Alsace-Moselle
    #   départements and Mayotte for DVF).
    stage: URIRef  # How far the use case has gone, a concept of the "use-case-stage" scheme.
    standardisationNeed: URIRef  # Finding on the standardisation of the data category.
    standardisationStatus: URIRef  # Where standardisation stands, a concept of the "standardisation-status"
    #   scheme.
    testsUseCase: URIRef  # Use case tried out by the experiment.
    typicalProducer: URIRef  # Actor that usually produces the data of this category.
    usualOpennessStatus: URIRef  # Most frequent openness status of the datasets of this category, a concept
    #   of the "openness" scheme.

    # Datatype properties
    acv2018: URIRef  # True when the municipality is in the initial 2018 list of 222 Action Cœur de Ville
    #   towns.
    acvFlag: URIRef  # Value of the "ACV" column the OpenDataFrance observatory gives the body ("OUI" on
    #   communes, "VILLE" on intercommunalities; the source does not define these values).
    acvId: URIRef  # Identifier of the Action Cœur de Ville agreement in ANCT's data.
    capacity: URIRef  # Sum of the capacities these records declare (for instance the parking spaces of car-
    #   pool places).
    conformingResources: URIRef  # Number of data.gouv.fr resources that conform to the schema according to
    #   schema.data.gouv.fr statistics.
    dataGouvCount: URIRef  # Number of datasets published on data.gouv.fr, at the date of the record.
    dataGouvDatasetCount: URIRef  # Number of datasets an actor publishes on data.gouv.fr, according to the
    #   open data observatory of French territories.
    datasetCount: URIRef  # Number of datasets an actor publishes on its own platform, according to the open
    #   data observatory of French territories.
    dataSustainability: URIRef  # Whether lasting, standardised data can be produced for the service
    #   (language-tagged text).
    deploymentConstraints: URIRef  # Conditions to meet in order to deploy the service in another territory
    #   (language-tagged text).
    epciType: URIRef  # Legal type of the EPCI in the COG: CC (communauté de communes), CA (communauté
    #   d'agglomération), CU (communauté urbaine), METRO (métropole), MET69 (Lyon metropolis).
    fieldEnum: URIRef  # One of the values the schema allows for the field (repeated property).
    fieldFormat: URIRef  # Table Schema format of the field (email, uri, default...).
    fieldName: URIRef  # Technical name of the field in the schema.
    fieldPattern: URIRef  # Regular expression that the values of the field must match.
    fieldPosition: URIRef  # Rank of the field in the schema, starting at 1.
    fieldRequired: URIRef  # True when the schema makes the field mandatory.
    fieldType: URIRef  # Table Schema type of the field (string, integer, date, geopoint...).
    geographicScope: URIRef  # Geographic area in which the service can be deployed (language-tagged text).
    implementationEffort: URIRef  # Effort needed to implement the service tried out (language-tagged text).
    isSCDL: URIRef  # True when the schema carries the "Socle Commun des Données Locales" label on
    #   schema.data.gouv.fr.
    legalBasis: URIRef  # Text and article that make the level competent (for example "Code des transports,
    #   art. L1231-1"), as read in the source cited by odl:legalSource.
    objectives: URIRef  # Objectives of the experiment (language-tagged text).
    openingObligation: URIRef  # The text that does (or does not) oblige the data to be opened, and its
    #   thresholds, as read in the source cited by odl:obligationSource.
    openingRequired: URIRef  # True when a text obliges the holder to publish the data as open data (CRPA
    #   L.312-1-1 and its thresholds, the address law, the IRVE and defibrillator texts...).
    platformDatasetCount: URIRef  # Number of datasets published on the local platform, at the date of the
    #   record.
    platformName: URIRef  # Name of the platform the body publishes on, according to the source.
    population: URIRef  # Population of the territory according to the imported source (INSEE legal
    #   populations).
    qualitativeResults: URIRef  # Qualitative results of the experiment: relevance of the service designed
    #   (language-tagged text).
    recordCount: URIRef  # Number of records (for instance places) the dataset holds for the territory.
    schemaLabel: URIRef  # Label given to the schema on schema.data.gouv.fr (for instance "Socle Commun des
    #   Données Locales").
    season: URIRef  # ACV Data season of the experiment: 1 (retail and mobility) or 2 (environment and
    #   hazards).
    siren: URIRef  # 9-digit SIREN number of the organisation in INSEE's Sirene register.

    # Annotation properties
    conventionSigned: URIRef  # Date on which the municipality's Action Cœur de Ville framework agreement was
    #   signed.
    legalSource: URIRef  # Page the legal basis of a competence was read from.
    obligationSource: URIRef  # Page the text that does (or does not) oblige the data to be opened was read
    #   from.
    unknownValueOf: URIRef  # Property whose value for this resource the sources consulted do not state.
