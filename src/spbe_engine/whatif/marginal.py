"""Marginal impact: what one more level of each indicator is worth, and how far the next band is.

All values are exact. The "where to invest" table is sorted by index gain per unit of cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display, exact_text
from ..i18n import tr
from ..results import Cell, Result, deprecated_alias, in_language, records_were_rows, shown
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
class MarginalImpact(Result):
    """Per indicator: the gain of +1 level, its cost, and steps to cross into the next band.
    `indicators` holds one `MarginalRow` per indicator, best investment first."""

    result: ScoreResult
    next_predikat: str | None
    distance: Fraction | None  # exact index distance to the next band's lower bound
    indicators: tuple[MarginalRow, ...]

    headers = ("indicator", "name", "level", "gain of +1", "cost", "gain per cost", "steps to next band")

    @records_were_rows("indicators")
    def rows(self) -> list[list[Cell]]:
        """Per indicator, best investment first: id, name, level/maximum, the index gain of +1 level
        and the gain per unit of cost (4 decimals), the exact cost, and the steps to the next band."""
        out: list[list[Cell]] = []
        for r in self.indicators:
            gpc = r.gain_per_cost
            out.append(
                [
                    r.indicator,
                    r.name,
                    f"{r.level}/{r.max_level}",
                    display(r.gain.numerator, r.gain.denominator, 4),
                    exact_text(r.cost),
                    "" if gpc is None else display(gpc.numerator, gpc.denominator, 4),
                    "" if r.steps_to_next_band is None else str(r.steps_to_next_band),
                ]
            )
        return out

    table = deprecated_alias("rows", "rows()")

    def summary(self, lang: str | None = None) -> str:
        """One line in the current language (or `lang`), numbers as the language writes them."""
        with in_language(lang):
            index, predikat = shown(self.result.fraction), self.result.predikat
            if self.next_predikat is None or self.distance is None:
                return tr("Index {index} ({predikat}): already in the top band", index=index, predikat=predikat)
            return tr(
                "Index {index} ({predikat}): {distance} below {next}",
                index=index,
                predikat=predikat,
                distance=shown(self.distance, 4),
                next=self.next_predikat,
            )

    def to_dict(self) -> dict[str, Any]:
        """The score, the next band and the exact distance to it, and per indicator the exact gain of
        +1 level, its cost, the gain per cost and the steps to the next band."""
        return {
            "subject": self.result.subject,
            "period": self.result.period,
            "catalogue": self.result.catalogue,
            "index": exact_text(self.result.fraction),
            "display": self.result.display,
            "predikat": self.result.predikat,
            "next_predikat": self.next_predikat,
            "distance": None if self.distance is None else exact_text(self.distance),
            "indicators": [
                {
                    "indicator": r.indicator,
                    "name": r.name,
                    "level": r.level,
                    "max_level": r.max_level,
                    "gain": exact_text(r.gain),
                    "cost": exact_text(r.cost),
                    "gain_per_cost": None if r.gain_per_cost is None else exact_text(r.gain_per_cost),
                    "steps_to_next_band": r.steps_to_next_band,
                }
                for r in self.indicators
            ],
        }


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
