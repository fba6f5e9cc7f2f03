"""Accountability per unit, monitoring over the years."""
