"""Ranking with ties as the official tables handle them: equal values share a rank and the next
rank skips ("1, 2, 2, 4"). What counts as equal is the caller's choice: `Engine.rank` compares the
published 2-decimal index by default (`by="display"`) or the exact index (`by="index"`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Engine
    from .model.assessment import Assessment
    from .scoring.result import ScoreResult
    from .scoring.score import MissingPolicy

__all__ = ["RankRow", "competition_ranks", "rank"]


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


def rank(
    engine: Engine,
    assessments: Iterable[Assessment],
    *,
    within: str | None = None,
    by: str = "display",
    missing: MissingPolicy = None,
) -> list[RankRow]:
    """Rank agencies within each period, and within groups given by a tag (e.g.
    `within="province"`). Ties share a rank and the next rank skips (1, 2, 2, 4). `by="display"`
    ranks on the published 2-decimal index, as the official tables show it; `by="index"` on the
    exact value."""
    from .errors import AssessmentError, SpbeError

    if by not in ("display", "index"):
        raise SpbeError(f"unknown ranking {by!r}", field="by", allowed="display, index")
    results = engine.score_many(assessments, missing=missing)
    groups: dict[tuple[str, str], list[ScoreResult]] = {}
    for r in results:
        if within is not None and within not in r.assessment.tags:
            raise AssessmentError(f"assessment {r.subject!r} has no tag {within!r}", field=f"tags.{within}")
        groups.setdefault((r.period, r.assessment.tags[within] if within else ""), []).append(r)
    out: list[RankRow] = []
    for (_, group), rs in groups.items():
        values = [Fraction(Decimal(r.display)) if by == "display" else r.fraction for r in rs]
        ranked = sorted(zip(competition_ranks(values), rs, strict=True), key=lambda x: (x[0], x[1].subject))
        out.extend(
            RankRow(r.subject, r.period, group, n, r.display, r.predikat, r.index, r.fraction) for n, r in ranked
        )
    return out
