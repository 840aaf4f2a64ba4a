"""The build pipeline: sources (importers, harvest snapshot, curated CSV) → SHACL validation →
standard types → OWL reasoning → one atomic write of the store (`pipeline.build`)."""
