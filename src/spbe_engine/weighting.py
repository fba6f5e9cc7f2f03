"""Weighting schemes: how indicator weights are chosen (official, equal, user-supplied).

A scheme is a named function from a catalogue (and options) to a weight per indicator. Group
weights are always the sum of their children's weights, as in the regulation (BA = ΣBI).
Schemes are contributed through the `spbe_weighting_schemes` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .model.catalogue import Catalogue

__all__ = ["WeightingScheme"]

WeightFunction = Callable[[Catalogue, Any], Mapping[str, Decimal | Fraction]]
"""Exact weights per indicator id: Decimals, or Fractions where no decimal is exact (5/2018's 20/6)."""


@dataclass(frozen=True)
class WeightingScheme:
    """A named way to weight indicators. `weights(catalogue, options)` returns exact weights."""

    id: str
    description: str
    weights: WeightFunction
