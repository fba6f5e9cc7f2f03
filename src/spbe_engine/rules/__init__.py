"""The rules engine: evidence-supported levels, cross-indicator rules and the dependency graph."""
