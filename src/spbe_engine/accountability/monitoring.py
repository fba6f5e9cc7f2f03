"""Monitoring over the years: one subject's series of assessments, against a target path, continued
through the crosswalk when the catalogue changes (those points are marked migrated)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display
from ..tabular import html_table, require, to_frame

if TYPE_CHECKING:
    from ..scoring.result import ScoreResult
    from ..versions.migrate import Migration

__all__ = ["Series", "SeriesPoint"]


@dataclass(frozen=True)
class SeriesPoint:
    period: str
    result: ScoreResult  # under the catalogue the assessment was made in
    migrated: Migration | None  # into the series' catalogue, when that differs
    target: Fraction | None  # target index for the period (e.g. RPJMD)

    @property
    def low(self) -> Fraction:
        return self.migrated.index_range.low if self.migrated else self.result.fraction

    @property
    def high(self) -> Fraction:
        return self.migrated.index_range.high if self.migrated else self.result.fraction

    @property
    def on_track(self) -> bool | None:
        """True when the index (all of its interval) meets the target, False when none of it does."""
        if self.target is None:
            return None
        if self.low >= self.target:
            return True
        if self.high < self.target:
            return False
        return None


@dataclass(frozen=True)
class Series:
    subject: str
    catalogue: str
    points: tuple[SeriesPoint, ...]

    headers = ("period", "catalogue", "index", "predikat", "target", "on track")

    def rows(self) -> list[list[str]]:
        out = []
        for p in self.points:
            if p.migrated:
                value = f"{p.result.display} ({p.result.catalogue}); {p.migrated.index_range.display} migrated"
            else:
                value = p.result.display
            target = "" if p.target is None else display(p.target.numerator, p.target.denominator)
            track = {True: "yes", False: "no", None: ""}[p.on_track]
            out.append([p.period, p.result.catalogue, value, p.result.predikat, target, track])
        return out

    def _repr_html_(self) -> str:
        return html_table(self.headers, self.rows(), caption=f"{self.subject}: {self.catalogue}")

    def to_frame(self) -> Any:
        return to_frame(self.headers, self.rows())

    def plot(self, ax: Any = None) -> Any:
        """Trend line of the index (a band where migrated) with the target path (matplotlib)."""
        plt = require("matplotlib.pyplot", "plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        xs = [p.period for p in self.points]
        lo = [float(p.low) for p in self.points]
        hi = [float(p.high) for p in self.points]
        ax.plot(
            xs, [float(p.result.fraction) if not p.migrated else None for p in self.points], marker="o", label="index"
        )
        if any(p.migrated for p in self.points):
            ax.fill_between(xs, lo, hi, alpha=0.2, label=f"migrated to {self.catalogue}")
        targets = [(p.period, float(p.target)) for p in self.points if p.target is not None]
        if targets:
            ax.plot([t[0] for t in targets], [t[1] for t in targets], linestyle="--", marker="x", label="target")
        cc = self.points[-1].result.compiled
        ax.set_ylim(min(cc.lo), max(cc.hi))
        ax.set_title(self.subject, fontsize=9)
        ax.legend(fontsize=7)
        return ax
