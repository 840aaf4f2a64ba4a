"""What is computed from the built graph through queries: the diagnostic and its evidence levels,
the key figures, derived standards, the programme report, the query catalogue, the DCAT description."""
