"""Uncertainty: Monte-Carlo over stage disagreement or level distributions, and weight sensitivity.

Both run on a counter-based generator (SplitMix64) computed identically in pure Python and in
numpy, and on integer-scaled weights, so the vectorised path and the fallback give the *same*
numbers for the same seed — not merely similar ones. Monte-Carlo streams its samples in chunks and
keeps only a histogram of the exact numerators, so its memory does not grow with n.
"""
