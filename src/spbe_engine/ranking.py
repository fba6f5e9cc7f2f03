"""Ranking with ties as the official tables handle them: equal values share a rank and the next
rank skips ("1, 2, 2, 4"). What counts as equal is the caller's choice: `Engine.rank` compares the
published 2-decimal index by default (`by="display"`) or the exact index (`by="index"`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = ["RankRow", "competition_ranks"]


def competition_ranks(values: Sequence[Fraction | int]) -> list[int]:
    """Rank 1 for the highest value; ties share the rank of their first position."""
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    ranks = [0] * len(values)
    prev = None
    rank = 0
    for pos, i in enumerate(order, 1):
        if prev is None or values[i] != prev:
            rank = pos
            prev = values[i]
        ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class RankRow:
    """One agency's rank within its group (e.g. all agencies of a province)."""

    subject: str
    period: str
    group: str
    rank: int
    display: str
    predikat: str
    index: Decimal  # unrounded, as ScoreResult.index
    fraction: Fraction  # exact
