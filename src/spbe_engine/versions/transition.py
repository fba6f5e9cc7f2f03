"""Impact across agencies: the same agencies under the old and the new catalogue, side by side.

Who gains, who loses, how ranks may move, and where the predikat under the old rules falls outside
what the new rules allow. With new indicators the new index is an interval, so a gain or a loss
is claimed only when the whole interval lies above or below the old index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..exact import exact_text
from ..i18n import tr
from ..ranking import competition_ranks
from ..results import Cell, Result, deprecated_alias, in_language, records_were_rows
from .migrate import IndexRange, Migration

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult


@dataclass(frozen=True)
class TransitionRow:
    subject: str
    period: str
    old_display: str
    old_predikat: str
    old_rank: int
    new_range: IndexRange
    best_rank: int  # if this agency lands at the top of its interval and every other at the bottom
    worst_rank: int
    direction: str  # gain, loss or uncertain
    predikat_disagrees: bool  # the old predikat is outside the new predikat range
    partial: bool = False  # the old score filled in unassessed indicators


@dataclass(frozen=True)
class Transition(Result):
    """The same agencies under the old and the new catalogue: `agencies` holds one `TransitionRow`
    per agency, in the order given."""

    old: str
    new: str
    agencies: tuple[TransitionRow, ...]

    headers = (
        "subject",
        "period",
        "old",
        "old predikat",
        "old rank",
        "new range",
        "new predikat",
        "rank range",
        "direction",
        "predikat disagrees",
    )

    @records_were_rows("agencies")
    def rows(self) -> list[list[Cell]]:
        """Per agency: the old index, predikat and rank; the new index interval, predikat range and
        rank range; whether it certainly gains or loses; and "yes" where the old predikat falls
        outside the new range."""
        out: list[list[Cell]] = []
        for r in self.agencies:
            p = r.new_range
            pred = p.predikat_low if p.predikat_low == p.predikat_high else f"{p.predikat_low}–{p.predikat_high}"
            out.append(
                [
                    r.subject + (" (partial)" if r.partial else ""),
                    r.period,
                    r.old_display,
                    r.old_predikat,
                    r.old_rank,
                    p.display,
                    pred,
                    f"{r.best_rank}–{r.worst_rank}",
                    r.direction,
                    "yes" if r.predikat_disagrees else "",
                ]
            )
        return out

    table = deprecated_alias("rows", "rows()")

    def summary(self, lang: str | None = None) -> str:
        """`v1 → v2: 3 agencies; 1 certainly gain, 0 certainly lose, 2 uncertain; predikat disagrees for 1`
        in `lang` (default: the current language)."""
        with in_language(lang):
            n = len(self.agencies)
            count = {d: sum(r.direction == d for r in self.agencies) for d in ("gain", "loss", "uncertain")}
            return tr(
                "{old} → {new}: {agencies}; {gain} certainly gain, {loss} certainly lose, {uncertain} uncertain; "
                "predikat disagrees for {flags}",
                old=self.old,
                new=self.new,
                agencies=tr("{n} agency", n=n) if n == 1 else tr("{n} agencies", n=n),
                gain=count["gain"],
                loss=count["loss"],
                uncertain=count["uncertain"],
                flags=sum(r.predikat_disagrees for r in self.agencies),
            )

    def to_dict(self) -> dict[str, Any]:
        """Both catalogues and, per agency, the old display, predikat and rank, the exact new index
        interval with its predikat range, the rank range and the direction."""
        return {
            "old": self.old,
            "new": self.new,
            "agencies": [
                {
                    "subject": r.subject,
                    "period": r.period,
                    "partial": r.partial,
                    "old_display": r.old_display,
                    "old_predikat": r.old_predikat,
                    "old_rank": r.old_rank,
                    "new_low": exact_text(r.new_range.low),
                    "new_high": exact_text(r.new_range.high),
                    "new_display": r.new_range.display,
                    "new_predikat_low": r.new_range.predikat_low,
                    "new_predikat_high": r.new_range.predikat_high,
                    "best_rank": r.best_rank,
                    "worst_rank": r.worst_rank,
                    "direction": r.direction,
                    "predikat_disagrees": r.predikat_disagrees,
                }
                for r in self.agencies
            ],
        }


def transition(before: Sequence[ScoreResult], migrations: Sequence[Migration], band_order: Sequence[str]) -> Transition:
    old_ranks = competition_ranks([r.fraction for r in before])
    lows = sorted(m.index_range.low for m in migrations)
    highs = sorted(m.index_range.high for m in migrations)
    import bisect

    rows = []
    for r, m, rank in zip(before, migrations, old_ranks, strict=True):
        rng = m.index_range
        # others strictly above me when I am at my best (others at their lowest), and at my worst
        above_best = len(lows) - bisect.bisect_right(lows, rng.high)
        above_worst = len(highs) - bisect.bisect_right(highs, rng.low) - (1 if rng.high > rng.low else 0)
        direction = "gain" if rng.low > r.fraction else "loss" if rng.high < r.fraction else "uncertain"
        lo_i, hi_i = band_order.index(rng.predikat_high), band_order.index(rng.predikat_low)
        disagrees = not lo_i <= band_order.index(r.predikat) <= hi_i if r.predikat in band_order else True
        rows.append(
            TransitionRow(
                r.subject,
                r.period,
                r.display,
                r.predikat,
                rank,
                rng,
                above_best + 1,
                above_worst + 1,
                direction,
                disagrees,
                r.partial,
            )
        )
    return Transition(
        before[0].catalogue if before else "", migrations[0].crosswalk.target if migrations else "", tuple(rows)
    )
