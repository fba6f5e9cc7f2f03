"""Ranking with ties as the official tables handle them: equal values share a rank and the next
rank skips ("1, 2, 2, 4"). What counts as equal is the caller's choice: `Engine.rank` compares the
published 2-decimal index by default (`by="display"`), the exact index (`by="index"`), or the exact
index of one domain or aspect (`by="D1"`, any group id of the catalogue)."""

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
        agencies = tr("1 agency") if n == 1 else tr("{n} agencies", n=n)
        if self.by == "display":
            basis = tr("ranked on the published 2-decimal index")
        elif self.by == "index":
            basis = tr("ranked on the exact index")
        else:
            basis = tr("ranked on the exact index of {group}", group=self.by)
        if self.within:
            return tr(
                "{agencies} {basis}, per period and tag {within!r}", agencies=agencies, basis=basis, within=self.within
            )
        return tr("{agencies} {basis}, per period", agencies=agencies, basis=basis)

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


def check_ranking(by: str, groups: Iterable[str] | None = None) -> None:
    """Refuse an unknown ranking key (before any scoring, so it is the first thing said): `display`,
    `index`, or one of `groups` (the group ids of the catalogues ranked; any id when not given)."""
    if by in ("display", "index"):
        return
    known = None if groups is None else list(dict.fromkeys(groups))
    if by and (known is None or by in known):
        return
    from .errors import SpbeError

    raise SpbeError(
        tr("unknown ranking {by!r}", by=by), field="by", allowed=", ".join(["display", "index", *(known or [])])
    )


def _key(r: ScoreResult, by: str) -> tuple[Fraction, str, str, Decimal, Fraction]:
    """What is compared for one result, and the display, predikat, index and exact value its row shows."""
    if by in ("display", "index"):
        value = Fraction(Decimal(r.display)) if by == "display" else r.fraction
        return value, r.display, r.predikat, r.index, r.fraction
    if by not in r.groups:
        check_ranking(by, r.groups)
    g = r.groups[by]
    return g.fraction, g.display, g.predikat, g.index, g.fraction


def rank_results(results: Sequence[ScoreResult], *, within: str | None = None, by: str = "display") -> Ranking:
    """Rank scored agencies within each period, and within groups given by a tag (e.g.
    `within="province"`). Ties share a rank and the next rank skips (1, 2, 2, 4). `by="display"`
    ranks on the published 2-decimal index, as the official tables show it; `by="index"` on the
    exact value; a group id (`by="D1"`) on that domain's or aspect's exact index, whose display and
    predikat the rows then show."""
    from .errors import AssessmentError

    check_ranking(by)
    groups: dict[tuple[str, str], list[tuple[ScoreResult, tuple[Fraction, str, str, Decimal, Fraction]]]] = {}
    for r in results:
        if within is not None and within not in r.assessment.tags:
            raise AssessmentError(
                tr("assessment {subject!r} has no tag {within!r}", subject=r.subject, within=within),
                field=f"tags.{within}",
            )
        groups.setdefault((r.period, r.assessment.tags[within] if within else ""), []).append((r, _key(r, by)))
    out = Ranking(by=by, within=within)
    for (_, group), rs in groups.items():
        values = [k[0] for _, k in rs]
        ranked = sorted(zip(competition_ranks(values), rs, strict=True), key=lambda x: (x[0], x[1][0].subject))
        out.extend(RankRow(r.subject, r.period, group, n, k[1], k[2], k[3], k[4]) for n, (r, k) in ranked)
    return out
