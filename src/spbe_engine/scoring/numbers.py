"""Moved: the exact-number helpers live in `spbe_engine.exact` (one module for parsing, scaling,
display and the JSON encoding). These names stay importable from here."""

from __future__ import annotations

from ..exact import Rational, display, exact_text, to_decimal

__all__ = ["Rational", "display", "exact_text", "to_decimal"]
