"""The page model: what each Linked Data page shows, gathered with SPARQL over the query engine. No Flask.

The web layer (server/pages) only renders what this package returns:

- `labels`: namespaces, `Node` and `Page`, language and accent rules;
- `base`: the `Describer` (one language over one query source) and the sections several kinds share;
- `pages`: the page kinds and the registry of their builders (`pages.page` builds any resource's page);
- one module per page kind: `usecase`, `challenge`, `datacategory`, `actor`, `territory`, `standard`,
  `dossier`, `dataset`, `scheme` (schemes and concepts);
- `lists` (home), `exploration` (network and charts JSON), `ontology` (ontology documentation);
- `editor` (catalogue queries as the editor opens them). The site search is `odl_graph.search`.
"""
