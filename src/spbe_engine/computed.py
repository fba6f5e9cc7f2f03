"""Computed indicators: levels derived from inputs (e.g. survey means) instead of being rated."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["ComputedIndicator"]


@dataclass(frozen=True)
class ComputedIndicator:
    """`compute(inputs)` returns the level of `indicator` from the named exact `inputs`."""

    indicator: str
    inputs: tuple[str, ...]
    compute: Callable[[Mapping[str, Decimal]], int]
    description: str = ""
