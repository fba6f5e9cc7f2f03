"""Exact scoring: compiled catalogues, results and explanations."""
