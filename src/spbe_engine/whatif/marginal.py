"""Marginal impact: what one more level of each indicator is worth, and how far the next band is.

All values are exact. The "where to invest" table is sorted by index gain per unit of cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display, to_decimal
from ..tabular import html_table, to_frame
from .costs import StepCosts

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult

__all__ = ["MarginalImpact", "MarginalRow", "marginal_impact"]


@dataclass(frozen=True)
class MarginalRow:
    indicator: str
    name: str
    level: int
    max_level: int
    gain: Fraction  # exact index gain of +1 level (0 at the maximum)
    cost: Fraction  # cost of that step
    steps_to_next_band: int | None  # raising only this indicator; None when it cannot cross alone

    @property
    def gain_per_cost(self) -> Fraction | None:
        return None if self.cost == 0 or self.gain == 0 else self.gain / self.cost


@dataclass(frozen=True)
class MarginalImpact:
    """Per indicator: the gain of +1 level, its cost, and steps to cross into the next band."""

    result: ScoreResult
    next_predikat: str | None
    distance: Fraction | None  # exact index distance to the next band's lower bound
    rows: tuple[MarginalRow, ...]

    _headers = ("indicator", "name", "level", "gain of +1", "cost", "gain per cost", "steps to next band")

    def table(self) -> list[list[str]]:
        out = []
        for r in self.rows:
            gpc = r.gain_per_cost
            out.append(
                [
                    r.indicator,
                    r.name,
                    f"{r.level}/{r.max_level}",
                    display(r.gain.numerator, r.gain.denominator, 4),
                    str(to_decimal(r.cost.numerator, r.cost.denominator)),
                    "" if gpc is None else display(gpc.numerator, gpc.denominator, 4),
                    "" if r.steps_to_next_band is None else str(r.steps_to_next_band),
                ]
            )
        return out

    def summary(self) -> str:
        if self.next_predikat is None or self.distance is None:
            return f"Index {self.result.display} ({self.result.predikat}): already in the top band"
        d = self.distance
        return (
            f"Index {self.result.display} ({self.result.predikat}): {display(d.numerator, d.denominator, 4)} "
            f"below {self.next_predikat}"
        )

    def _repr_html_(self) -> str:
        return html_table(self._headers, self.table(), caption=self.summary())

    def to_frame(self) -> Any:
        return to_frame(self._headers, self.table())


def marginal_impact(r: ScoreResult, costs: StepCosts) -> MarginalImpact:
    cc = r.compiled
    bands = list(cc.catalogue.bands)
    band = cc.band(r.numerator, cc.total)
    pos = bands.index(band)
    nxt = bands[pos - 1] if pos > 0 else None
    distance = Fraction(nxt.lower) - r.fraction if nxt is not None else None
    names = [i.name for i in cc.catalogue.indicators()]
    rows = []
    for n, iid in enumerate(cc.ids):
        level, hi = r.levels[n], cc.hi[n]
        gain = Fraction(cc.weights[n], cc.total) if level < hi else Fraction(0)
        cost = costs.step(iid, level + 1) if level < hi else Fraction(0)
        steps = None
        if distance is not None and gain:
            k = -((-distance) // gain)  # ceil
            steps = int(k) if level + k <= hi else None
        rows.append(MarginalRow(iid, names[n], level, hi, gain, cost, steps))

    def rank(m: MarginalRow) -> tuple[int, Fraction, int]:
        if m.gain and not m.cost:
            return (0, -m.gain, cc.position[m.indicator])  # a free step comes first
        if m.gain_per_cost is None:
            return (2, Fraction(0), cc.position[m.indicator])  # already at the maximum
        return (1, -m.gain_per_cost, cc.position[m.indicator])

    rows.sort(key=rank)
    return MarginalImpact(r, nxt.predikat if nxt else None, distance, tuple(rows))
