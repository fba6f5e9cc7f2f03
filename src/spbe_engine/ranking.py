"""Ranking with ties as the official tables handle them: equal values share a rank and the next
rank skips ("1, 2, 2, 4"). What counts as equal is the caller's choice: `Engine.rank` compares the
published 2-decimal index by default (`by="display"`) or the exact index (`by="index"`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .exact import exact_text
from .i18n import tr
from .results import Cell, Result

if TYPE_CHECKING:
    from .scoring.result import ScoreResult

__all__ = ["RankRow", "Ranking", "check_ranking", "competition_ranks", "rank_results"]


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


class Ranking(Result, list[RankRow]):
    """The ranking of `Engine.rank`: a list of `RankRow` (index it, iterate it, compare it with a
    list as before) that also speaks the result protocol. `by` says what was compared ("display":
    the published 2-decimal index; "index": the exact one), `within` the tag that groups agencies."""

    __slots__ = ("by", "within")

    def __init__(self, rows: Iterable[RankRow] = (), *, by: str = "display", within: str | None = None) -> None:
        super().__init__(rows)
        self.by = by
        self.within = within

    headers = ("rank", "subject", "period", "group", "index", "predikat")

    def rows(self) -> list[list[Cell]]:
        """One row per agency, in rank order within each period and group: the display index."""
        return [[r.rank, r.subject, r.period, r.group, r.display, r.predikat] for r in self]

    def summary(self) -> str:
        n = len(self)
        basis = "the published 2-decimal index" if self.by == "display" else "the exact index"
        within = f" and {self.within}" if self.within else ""
        return f"{n} {'agency' if n == 1 else 'agencies'} ranked on {basis}, per period{within}"

    def to_dict(self) -> dict[str, Any]:
        """What was compared and, per agency, its rank, group, exact index, display and predikat."""
        return {
            "by": self.by,
            "within": self.within,
            "ranking": [
                {
                    "rank": r.rank,
                    "subject": r.subject,
                    "period": r.period,
                    "group": r.group,
                    "index": exact_text(r.fraction),
                    "display": r.display,
                    "predikat": r.predikat,
                }
                for r in self
            ],
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ranking, (list(self), self.by, self.within))


def _ranking(rows: list[RankRow], by: str, within: str | None) -> Ranking:
    return Ranking(rows, by=by, within=within)


def check_ranking(by: str) -> None:
    """Refuse an unknown ranking key (before any scoring, so it is the first thing said)."""
    if by not in ("display", "index"):
        from .errors import SpbeError

        raise SpbeError(tr("unknown ranking {by!r}", by=by), field="by", allowed="display, index")


def rank_results(results: Sequence[ScoreResult], *, within: str | None = None, by: str = "display") -> Ranking:
    """Rank scored agencies within each period, and within groups given by a tag (e.g.
    `within="province"`). Ties share a rank and the next rank skips (1, 2, 2, 4). `by="display"`
    ranks on the published 2-decimal index, as the official tables show it; `by="index"` on the
    exact value."""
    from .errors import AssessmentError

    check_ranking(by)
    groups: dict[tuple[str, str], list[ScoreResult]] = {}
    for r in results:
        if within is not None and within not in r.assessment.tags:
            raise AssessmentError(
                tr("assessment {subject!r} has no tag {within!r}", subject=r.subject, within=within),
                field=f"tags.{within}",
            )
        groups.setdefault((r.period, r.assessment.tags[within] if within else ""), []).append(r)
    out = Ranking(by=by, within=within)
    for (_, group), rs in groups.items():
        values = [Fraction(Decimal(r.display)) if by == "display" else r.fraction for r in rs]
        ranked = sorted(zip(competition_ranks(values), rs, strict=True), key=lambda x: (x[0], x[1].subject))
        out.extend(
            RankRow(r.subject, r.period, group, n, r.display, r.predikat, r.index, r.fraction) for n, r in ranked
        )
    return out
