"""Monitoring over the years: one subject's series of assessments, against a target path, continued
through the crosswalk when the catalogue changes (those points are marked migrated)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..exact import display, exact_text
from ..i18n import N_, number, tr
from ..results import Cell, Result
from ..tabular import require

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
class Series(Result):
    """One subject's index over the periods, in the series' (latest) catalogue, against its targets."""

    subject: str
    catalogue: str
    points: tuple[SeriesPoint, ...]

    headers = (N_("period"), N_("catalogue"), N_("index"), N_("predikat"), N_("target"), N_("on track"))

    def rows(self) -> list[list[Cell]]:
        """Per period: the catalogue, the index (and its migrated interval), the predikat, the target
        and whether the index is on track ("yes", "no", or empty when undecided or without target)."""
        out: list[list[Cell]] = []
        for p in self.points:
            if p.migrated:
                value = f"{p.result.display} ({p.result.catalogue}); {p.migrated.index_range.display} migrated"
            else:
                value = p.result.display
            target = "" if p.target is None else display(p.target.numerator, p.target.denominator)
            track = {True: "yes", False: "no", None: ""}[p.on_track]
            out.append([p.period, p.result.catalogue, value, p.result.predikat, target, track])
        return out

    def summary(self) -> str:
        text = tr(
            "{subject}: {n} period(s) in {catalogue}",
            subject=self.subject,
            n=len(self.points),
            catalogue=self.catalogue,
        )
        if self.points:
            last = self.points[-1]
            text += tr(
                "; {period}: {index} ({predikat})",
                period=last.period,
                index=number(last.result.display),
                predikat=last.result.predikat,
            )
            if last.on_track is not None:
                text += tr(", on track") if last.on_track else tr(", below target")
        return text

    def to_dict(self) -> dict[str, Any]:
        """Per period: the exact index under its own catalogue, the exact interval once migrated into
        the series' catalogue, the exact target and whether it is on track."""
        return {
            "subject": self.subject,
            "catalogue": self.catalogue,
            "points": [
                {
                    "period": p.period,
                    "catalogue": p.result.catalogue,
                    "index": exact_text(p.result.fraction),
                    "display": p.result.display,
                    "predikat": p.result.predikat,
                    "migrated": None
                    if p.migrated is None
                    else {
                        "low": exact_text(p.migrated.index_range.low),
                        "high": exact_text(p.migrated.index_range.high),
                        "display": p.migrated.index_range.display,
                    },
                    "target": None if p.target is None else exact_text(p.target),
                    "on_track": p.on_track,
                }
                for p in self.points
            ],
        }

    def plot(self, ax: Any = None) -> Any:
        """Trend line of the index (a band where migrated) with the target path (matplotlib)."""
        plt = require("matplotlib.pyplot", "plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        xs = [p.period for p in self.points]
        lo = [float(p.low) for p in self.points]
        hi = [float(p.high) for p in self.points]
        index = [float(p.result.fraction) if not p.migrated else None for p in self.points]
        ax.plot(xs, index, marker="o", label=tr("index"))
        if any(p.migrated for p in self.points):
            ax.fill_between(xs, lo, hi, alpha=0.2, label=tr("migrated to {catalogue}", catalogue=self.catalogue))
        targets = [(p.period, float(p.target)) for p in self.points if p.target is not None]
        if targets:
            ax.plot([t[0] for t in targets], [t[1] for t in targets], linestyle="--", marker="x", label=tr("target"))
        cc = self.points[-1].result.compiled
        ax.set_ylim(min(cc.lo), max(cc.hi))
        ax.set_title(self.subject, fontsize=9)
        ax.legend(fontsize=7)
        return ax
